/** The class of the errors kiro throws (errors.mjs): `instanceof KiroError` holds for every error any kiro function throws. */
export declare class KiroError extends Error {
  constructor(message: string, init?: { code?: string; kind?: 'policy' | 'input' | 'evaluation' | 'internal'; diagnostics?: unknown[] })
  /** `KIRO-E…`: the first diagnostic's code. */
  readonly code: string
  /** What went wrong: `policy`, `input`, `evaluation` or `internal`. */
  readonly kind: 'policy' | 'input' | 'evaluation' | 'internal'
  /** Every problem found, with positions in UTF-16 code units. */
  readonly diagnostics: unknown[]
}
