'use strict'
// Replaces the WebAssembly instance when an export throws KIRO-E099 (an internal error). Stable
// Rust builds wasm32 with panic = "abort": kiro's panic hook throws the KiroError from inside the
// aborted call (see src/error.rs), which may leave the instance inconsistent, so it is replaced
// before the error reaches the caller. Objects from the old instance then throw when used.

function isInternal(error) {
  return error !== null && typeof error === 'object' && error.code === 'KIRO-E099'
}

function guarded(fn, reset) {
  return function kiroGuarded(...args) {
    try {
      return fn.apply(this, args)
    } catch (error) {
      if (isInternal(error)) reset()
      throw error
    }
  }
}

const INTERNAL = new Set(['constructor', 'prototype', 'length', 'name', '__wrap', '__destroy_into_raw'])

/** Wraps every method, getter and static function of a wasm-bindgen class in place. */
function guardClass(cls, reset) {
  for (const target of [cls, cls.prototype]) {
    for (const key of Object.getOwnPropertyNames(target)) {
      if (INTERNAL.has(key)) continue
      const descriptor = Object.getOwnPropertyDescriptor(target, key)
      if (typeof descriptor.value === 'function') descriptor.value = guarded(descriptor.value, reset)
      if (descriptor.get) descriptor.get = guarded(descriptor.get, reset)
      if (descriptor.set) descriptor.set = guarded(descriptor.set, reset)
      Object.defineProperty(target, key, descriptor)
    }
  }
  return cls
}

/** The module's exports, guarded; `__wbg_reset_state` itself is not exported. */
function guardExports(pkg) {
  const reset = pkg.__wbg_reset_state
  const out = {}
  for (const [name, value] of Object.entries(pkg)) {
    if (name === '__wbg_reset_state') continue
    const isClass = typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))
    if (isClass) out[name] = guardClass(value, reset)
    else if (typeof value === 'function' && name !== 'initSync' && name !== 'default') out[name] = guarded(value, reset)
    else out[name] = value
  }
  return out
}

module.exports = { guardExports }
