// kiro for browsers (and any ES module host) via WebAssembly: the wasm-bindgen output (pkg-web,
// --target web) with internal errors handled as js/guard.cjs describes, and `policy.run` from the
// glue shared with the Node.js binding (the dependency @kiro/bindings-js, run.mjs: a bundler
// resolves it, a page without one maps it with an import map as for `kiro-wasm` itself). Call
// the default export (async) or `initSync({ module })` once before anything else.
import * as pkg from '../pkg-web/kiro_wasm.js'
import { installRun } from '@kiro/bindings-js/run.mjs'

function isInternal(error) {
  return error !== null && typeof error === 'object' && error.code === 'KIRO-E099'
}

function guarded(fn) {
  return function kiroGuarded(...args) {
    try {
      return fn.apply(this, args)
    } catch (error) {
      if (isInternal(error)) pkg.__wbg_reset_state()
      throw error
    }
  }
}

for (const target of [pkg.Policy, pkg.Policy.prototype, pkg.PipelineRun, pkg.PipelineRun.prototype, pkg.Monitor, pkg.Monitor.prototype]) {
  for (const key of Object.getOwnPropertyNames(target)) {
    if (['constructor', 'prototype', 'length', 'name', '__wrap', '__destroy_into_raw'].includes(key)) continue
    const descriptor = Object.getOwnPropertyDescriptor(target, key)
    if (typeof descriptor.value === 'function') descriptor.value = guarded(descriptor.value)
    if (descriptor.get) descriptor.get = guarded(descriptor.get)
    Object.defineProperty(target, key, descriptor)
  }
}

installRun(pkg.Policy)

export default pkg.default
export const initSync = pkg.initSync
export const Policy = pkg.Policy
export const PipelineRun = pkg.PipelineRun
export const Monitor = pkg.Monitor
export const validate = guarded(pkg.validate)
export const policySchema = guarded(pkg.policySchema)
export const version = guarded(pkg.version)
export const errorCodes = guarded(pkg.errorCodes)
export const _panicForTest = guarded(pkg._panicForTest)
