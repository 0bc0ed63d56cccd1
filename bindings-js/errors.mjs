// The class of the errors kiro throws, shared by the Node.js (napi) and WebAssembly packages.

/**
 * Every error kiro throws: an `Error` named `KiroError` with `code` (`KIRO-E…`, the first
 * diagnostic's), `kind` (`policy`, `input`, `evaluation` or `internal`) and `diagnostics`.
 *
 * The engines make these errors natively, whatever function throws them, so `instanceof
 * KiroError` is answered from that shape (`Symbol.hasInstance`), not from the prototype chain:
 * it holds for every error any kiro function throws, and for nothing else (an `Error` without a
 * `KIRO-E` code and a diagnostics array is not one). `new KiroError(message, {code, kind,
 * diagnostics})` makes one from JavaScript, for a host's own wrapper or a test.
 */
export class KiroError extends Error {
  constructor(message, { code, kind, diagnostics = [] } = {}) {
    super(message)
    this.name = 'KiroError'
    this.code = code
    this.kind = kind
    this.diagnostics = diagnostics
  }

  static [Symbol.hasInstance](value) {
    return (
      value instanceof Error &&
      value.name === 'KiroError' &&
      typeof value.code === 'string' &&
      /^KIRO-E\d{3}$/.test(value.code) &&
      Array.isArray(value.diagnostics)
    )
  }
}
