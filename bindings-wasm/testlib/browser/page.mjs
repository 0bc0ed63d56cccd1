// Loads kiro's browser build as a user would (the README's browser example: the default export
// fetches pkg-web/kiro_wasm_bg.wasm), then exposes the cases of cases.mjs, bound to it, as
// `window.kiroTest` for test/browser.test.mjs. `window.kiroReady` resolves once it is
// initialised, or rejects with why not.
import init, * as kiro from 'kiro-wasm'
import * as cases from './cases.mjs'

window.kiroReady = (async () => {
  await init()
  const version = kiro.version()
  window.kiroTest = {
    version: () => kiro.version(),
    exports: () => Object.keys(kiro).sort(),
    runCases: (list) => cases.runCases(kiro, list),
    checkBatch: (input) => cases.checkBatch(kiro, input),
    compileError: (text) => cases.compileError(kiro, text),
    runPipeline: () => cases.runPipeline(kiro),
    panicRecovery: () => cases.panicRecovery(kiro),
    hostileValues: () => cases.hostileValues(kiro),
  }
  document.getElementById('status').textContent = `kiro ${version} ready`
  return version
})()
