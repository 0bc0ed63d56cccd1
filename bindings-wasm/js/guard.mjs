// Keeps the WebAssembly instance sound whatever JavaScript does with the package: the guard
// both entry points (node.cjs, web.mjs) put around every export of the wasm-bindgen output.
//
// - Before a call: a method called on anything but a live object this instance made (a freed
//   one, `Policy.prototype.check.call({})`, a PipelineRun's `this` for a Policy method) throws a
//   KiroError KIRO-E003 in JavaScript; wasm-bindgen would hand Rust a null or foreign pointer.
//   A call on a PipelineRun (or `free`) made while another call on the same object is still
//   running (from a getter or Proxy trap of its argument) throws KIRO-E003 too: Rust would find
//   the object borrowed and throw from inside WebAssembly.
// - After a call: a trap (WebAssembly.RuntimeError: out of memory is `unreachable`) and a panic
//   (KIRO-E099: stable Rust builds wasm32 with panic = "abort"; the panic hook throws the error
//   from inside the aborted call, see src/error.rs) may leave the instance inconsistent (its
//   shadow stack, borrows, allocator), so the instance is replaced before the error reaches the
//   caller, and a trap becomes a KIRO-E099 KiroError. Objects made before are then stale and
//   throw when used.
// Every argument itself is checked in Rust, at the edge (src/convert.rs), so that a wrong one
// is a KiroError, never a trap.

// Not wrapped: a class's own properties, and wasm-bindgen's internal methods.
const STATIC_INTERNAL = new Set(['prototype', 'length', 'name', '__wrap'])
const METHOD_INTERNAL = new Set(['constructor', '__destroy_into_raw'])
const HIDDEN = new Set(['__wbg_reset_state', '__kiroError', 'initSync', 'default'])

function isInternal(error) {
  return error !== null && typeof error === 'object' && error.code === 'KIRO-E099'
}

/** `a Policy`, `an object`, `null`: what a method was called on, for messages. */
function describe(value) {
  if (value === null || value === undefined) return String(value)
  let name = typeof value
  if (name === 'object') {
    const tag = Object.prototype.toString.call(value).slice(8, -1)
    const constructor = Object.getPrototypeOf(value)?.constructor
    name = tag !== 'Object' ? tag : typeof constructor === 'function' && constructor !== Object && constructor.name ? constructor.name : 'object'
  }
  return /^[aeiouAEIOU]/.test(name) ? `an ${name}` : `a ${name}`
}

/**
 * Guards `pkg`, the wasm-bindgen module (its classes in place, its functions wrapped), and
 * returns its exports without the internal ones.
 */
export function guardExports(pkg) {
  const reset = () => pkg.__wbg_reset_state()
  const made = new Map() // class -> the objects it made (a WeakSet)
  const busy = new WeakSet() // objects with a call in progress

  const fail = (message) => pkg.__kiroError(false, message)

  // What the caller sees of an exception an export threw, after replacing the instance when
  // it may be inconsistent.
  const afterThrow = (error) => {
    if (typeof WebAssembly === 'object' && error instanceof WebAssembly.RuntimeError) {
      reset()
      return pkg.__kiroError(true, `the WebAssembly instance stopped (${error.message}) and was replaced; objects made before are stale`)
    }
    if (isInternal(error)) reset()
    return error
  }

  const guarded = (fn) =>
    function kiroGuarded(...args) {
      try {
        return fn.apply(this, args)
      } catch (error) {
        throw afterThrow(error)
      }
    }

  const guardedMethod = (cls, key, fn) =>
    function kiroMethod(...args) {
      const own = made.get(cls).has(this)
      const live = own && typeof this.__wbg_ptr === 'number' && this.__wbg_ptr !== 0
      if (!live) {
        if (key === 'free' && own) return undefined // freed already: nothing to do
        throw fail(`\`${cls.name}.${key}\` was called on ${describe(this)}, not on a live ${cls.name} (freed, or not made by kiro)`)
      }
      const nested = busy.has(this)
      if (nested && (cls.name === 'PipelineRun' || key === 'free')) {
        throw fail(`\`${cls.name}.${key}\` was called while another call on the same ${cls.name} is in progress (from a getter or a Proxy trap of its argument)`)
      }
      if (!nested) busy.add(this)
      try {
        return fn.apply(this, args)
      } catch (error) {
        throw afterThrow(error)
      } finally {
        if (!nested) busy.delete(this)
      }
    }

  const guardClass = (cls) => {
    const wrap = cls.__wrap
    const objects = new WeakSet()
    made.set(cls, objects)
    Object.defineProperty(cls, '__wrap', {
      value(ptr) {
        const object = wrap.call(cls, ptr)
        objects.add(object)
        return object
      },
      writable: true,
      configurable: true,
    })
    for (const [target, method] of [[cls, false], [cls.prototype, true]]) {
      for (const key of Object.getOwnPropertyNames(target)) {
        if ((method ? METHOD_INTERNAL : STATIC_INTERNAL).has(key)) continue
        const descriptor = Object.getOwnPropertyDescriptor(target, key)
        const wrapFn = (fn) => (method ? guardedMethod(cls, key, fn) : guarded(fn))
        if (typeof descriptor.value === 'function') descriptor.value = wrapFn(descriptor.value)
        if (descriptor.get) descriptor.get = wrapFn(descriptor.get)
        if (descriptor.set) descriptor.set = wrapFn(descriptor.set)
        Object.defineProperty(target, key, descriptor)
      }
    }
    return cls
  }

  const out = {}
  for (const [name, value] of Object.entries(pkg)) {
    if (HIDDEN.has(name)) continue
    const isClass = typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))
    if (isClass) out[name] = guardClass(value)
    else if (typeof value === 'function') out[name] = guarded(value)
    else out[name] = value
  }
  return out
}
