// kiro for browsers (and any ES module host) via WebAssembly: the wasm-bindgen output (pkg-web,
// --target web) guarded as js/guard.mjs describes (misuse stopped before it reaches the instance;
// the instance replaced after a trap or an internal error), and `policy.run` from the glue
// shared with the Node.js binding (the dependency @kiro/bindings-js, run.mjs: a bundler resolves
// it, a page without one maps it with an import map as for `kiro-wasm` itself). Call the default
// export (async) or `initSync({ module })` once before anything else.
import * as pkg from '../pkg-web/kiro_wasm.js'
import { installRun } from '@kiro/bindings-js/run.mjs'
export { KiroError } from '@kiro/bindings-js/errors.mjs'
import { guardExports } from './guard.mjs'

const kiro = guardExports(pkg)
installRun(kiro.Policy)

export default pkg.default
export const initSync = pkg.initSync
export const Policy = kiro.Policy
export const PipelineRun = kiro.PipelineRun
export const Monitor = kiro.Monitor
export const Release = kiro.Release
export const Alerts = kiro.Alerts
export const validate = kiro.validate
export const readEvidence = kiro.readEvidence
export const fitModel = kiro.fitModel
export const scoreChanges = kiro.scoreChanges
export const evaluateModel = kiro.evaluateModel
export const policySchema = kiro.policySchema
export const version = kiro.version
export const errorCodes = kiro.errorCodes
export const _panicForTest = kiro._panicForTest
export const _oomForTest = kiro._oomForTest
