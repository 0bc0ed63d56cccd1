// TypeScript shapes of kiro's data, shared by the Node.js binding (re-exported from index.d.ts)
// and the WebAssembly binding (embedded in its generated .d.ts). They mirror the core's serde
// types (core/src/decision.rs, core/src/diagnostic.rs, core/src/pipeline/plan.rs); the tests
// check real decisions, plans and diagnostics against these keys, and the ErrorCode list against
// the engine's.

/** Every error code kiro reports, in order. The drift test compares this list with the engine's `errorCodes()`. */
export type ErrorCode =
  | "KIRO-E001"
  | "KIRO-E002"
  | "KIRO-E003"
  | "KIRO-E004"
  | "KIRO-E005"
  | "KIRO-E006"
  | "KIRO-E007"
  | "KIRO-E008"
  | "KIRO-E010"
  | "KIRO-E011"
  | "KIRO-E012"
  | "KIRO-E013"
  | "KIRO-E014"
  | "KIRO-E015"
  | "KIRO-E016"
  | "KIRO-E017"
  | "KIRO-E020"
  | "KIRO-E021"
  | "KIRO-E022"
  | "KIRO-E023"
  | "KIRO-E030"
  | "KIRO-E031"
  | "KIRO-E032"
  | "KIRO-E099";

/** What went wrong, for branching: a bad policy, bad input, a condition that could not be computed, or a bug in kiro. */
export type ErrorKind = "policy" | "input" | "evaluation" | "internal";

/** The error every kiro function throws: an `Error` named `KiroError`. */
export interface KiroError extends Error {
  name: "KiroError";
  /** The first diagnostic's code. */
  code: ErrorCode;
  kind: ErrorKind;
  /** Every problem found, never empty. */
  diagnostics: Diagnostic[];
}

/** A labelled byte range of the source a diagnostic points at. */
export interface Label {
  start: number;
  end: number;
  label: string;
}

/** One problem found in an input. */
export interface Diagnostic {
  code: ErrorCode;
  /** Lowercase, no trailing period, user input in backticks. */
  message: string;
  help?: string;
  severity: "error" | "warning";
  labels: Label[];
  /** Which input the spans point into (`policy`, `metrics`, a file name), when known. */
  source?: string;
}

/** A metric value: a number in the declared unit, a string with a unit (`"87%"`, `"420ms"`), a boolean, or null/undefined for no data. */
export type MetricValue = number | string | boolean | null | undefined;

/** Metrics: names to values; nested objects flatten to dotted names (`{tests: {failed: 0}}` is `tests.failed`). */
export interface Metrics {
  [name: string]: MetricValue | Metrics;
}

/** Batch columns: metric name to one value per record (a `Float64Array`, another typed array, or an array of numbers, booleans and nulls). */
export interface Columns {
  [name: string]:
    | Float64Array
    | Float32Array
    | Int32Array
    | Uint32Array
    | Int16Array
    | Uint16Array
    | Int8Array
    | Uint8Array
    | ReadonlyArray<number | boolean | null | undefined>;
}

/** Which gates to evaluate (both absent: all). */
export interface CheckOptions {
  /** Only the gate with this name. */
  gate?: string | null;
  /** Only gates of this kind. */
  kind?: GateKind | null;
}

export type GateKind = "pre-commit" | "pre-merge" | "pre-deploy" | "post-deploy" | "custom";
export type Verdict = "pass" | "warn" | "fail";
export type Outcome = "pass" | "warn" | "fail" | "unknown";
export type Signoff = "approved" | "approved_with_conditions" | "rejected";
export type MissingRule = "fail" | "pass" | "warn" | "inconclusive" | "hold";

/** Everything kiro concluded for one evaluation. */
export interface Decision {
  verdict: Verdict;
  summary: string;
  policy: { name: string; hash: string };
  gates: GateDecision[];
  personas: PersonaDecision[];
}

export interface GateDecision {
  name: string;
  kind: GateKind;
  verdict: Verdict;
  mode: "strict" | "scored";
  /** Earned over decided weight (0 to 1); null when no criterion was decided. */
  score: number | null;
  thresholds?: { pass: number; warn: number };
  reason: string;
  owners: string[];
  criteria: CriterionDecision[];
}

export interface CriterionDecision {
  name: string;
  condition: string;
  warn_condition?: string;
  outcome: Outcome;
  /** Metric values the conditions read, in base units (ratio, ms, bytes); null for no data. */
  values: Record<string, number | boolean | null>;
  weight: number;
  earned: number;
  key: boolean;
  missing_rule_applied: MissingRule | null;
  explanation: string;
}

export interface PersonaDecision {
  name: string;
  signoff: Signoff;
  required: boolean;
  conditions: string[];
  reasons: string[];
}

/** Per-record verdict codes of a batch check. */
export type BatchVerdictCode = 0 | 1 | 2 | 3;

/** The plan of a pipeline: parallel waves, each stage's times and slack, the critical path. Times are whole milliseconds. */
export interface Plan {
  policy: { name: string; hash: string };
  /** Every stage, in policy order. */
  stages: PlannedStage[];
  /** Stages that may run at the same time: wave 0 needs nothing, wave k needs something of wave k - 1. */
  waves: string[][];
  /** The longest chain of stages by estimate, first to last. */
  critical_path: string[];
  /** The earliest the whole pipeline can finish, from its estimates. */
  total_ms: number;
}

/** One stage in a plan. */
export interface PlannedStage {
  name: string;
  /** The stages it needs. */
  needs: string[];
  /** The personas that own it. */
  personas: string[];
  /** Its wave (see `Plan.waves`). */
  wave: number;
  /** Its estimate (0 without one). */
  estimate_ms: number;
  earliest_start_ms: number;
  earliest_finish_ms: number;
  latest_start_ms: number;
  latest_finish_ms: number;
  /** How long it can slip without delaying the pipeline. */
  slack_ms: number;
  /** Whether it is on the critical path. */
  critical: boolean;
}
