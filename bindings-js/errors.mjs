// `KiroError`, the class of every error kiro throws, shared by the Node.js binding (kiro.js) and
// the WebAssembly binding (js/guard.mjs). The native code of each builds its errors as plain
// `Error`s named `KiroError` with `code`, `kind` and `diagnostics` (bindings-node/src/error.rs,
// bindings-wasm/src/error.rs); on their way out of an export, `adopt` gives them this class's
// prototype, so that `error instanceof KiroError` holds for every error a binding function
// throws, with the message, stack and properties the native code gave it.

/** The error every kiro function throws (a subclass of `Error`). */
export class KiroError extends Error {
  /**
   * An error with `message` and `{code, kind, diagnostics}` (the fields kiro fills in: the
   * first diagnostic's code, `policy`, `input`, `evaluation` or `internal`, and every problem).
   */
  constructor(message, { code, kind, diagnostics } = {}) {
    super(message)
    this.code = code
    this.kind = kind
    this.diagnostics = diagnostics ?? []
  }
}
Object.defineProperty(KiroError.prototype, 'name', { value: 'KiroError', writable: true, configurable: true })

/**
 * `error` as a `KiroError` when it is one of kiro's (an `Error` named `KiroError` with a string
 * `code`), else unchanged: what the caller's own code threw propagates as it was.
 */
export function adopt(error) {
  if (
    error instanceof Error &&
    !(error instanceof KiroError) &&
    error.name === 'KiroError' &&
    typeof error.code === 'string'
  ) {
    Object.setPrototypeOf(error, KiroError.prototype)
  }
  return error
}

// Calls `fn` with `this` and `args`, throwing its kiro errors as `KiroError`s.
function adopting(fn) {
  return function kiroCall(...args) {
    try {
      return fn.apply(this, args)
    } catch (error) {
      throw adopt(error)
    }
  }
}

// Every function, accessor and method of `target` (an object or a class's prototype or
// constructor) wrapped with `adopting`, except the keys in `skip`.
function adoptAll(target, skip) {
  for (const key of Object.getOwnPropertyNames(target)) {
    if (skip.has(key)) continue
    const descriptor = Object.getOwnPropertyDescriptor(target, key)
    if (!descriptor.configurable) continue
    if (typeof descriptor.value === 'function') descriptor.value = adopting(descriptor.value)
    if (descriptor.get) descriptor.get = adopting(descriptor.get)
    if (descriptor.set) descriptor.set = adopting(descriptor.set)
    Object.defineProperty(target, key, descriptor)
  }
}

const CLASS_OWN = new Set(['prototype', 'length', 'name'])
const METHOD_OWN = new Set(['constructor'])

/**
 * Makes every export of a binding's module object `exports` throw `KiroError`s: its functions
 * are replaced by wrappers, its classes keep their identity and have their static and
 * prototype methods and accessors wrapped in place. Returns `exports`.
 */
export function adoptErrors(exports) {
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value !== 'function') continue
    if (value.prototype && Object.getOwnPropertyNames(value.prototype).length > 1) {
      adoptAll(value, CLASS_OWN)
      adoptAll(value.prototype, METHOD_OWN)
    } else {
      exports[name] = adopting(value)
    }
  }
  return exports
}
