// The host-only part of the TypeScript types shared by the Node.js binding (re-exported from
// index.d.ts) and the WebAssembly binding (embedded in its .d.ts): what JavaScript hands kiro
// (metrics, columns, actions, options with callbacks), the thrown error, and the run's step
// shapes. scripts/generate-types.sh appends this file to the types generated from the core's
// own definitions (schemas/boundary.schema.json: decisions, diagnostics, plans, run results,
// options, calls and answers) to make types.d.ts. Edit this file, not types.d.ts.

/** Every error code kiro reports, in order (the core's `Code`). */
export type ErrorCode = Code;

/** The error every kiro function throws: an `Error` named `KiroError`. */
export interface KiroError extends Error {
  name: "KiroError";
  /** The first diagnostic's code. */
  code: ErrorCode;
  kind: ErrorKind;
  /** Every problem found, never empty. */
  diagnostics: Diagnostic[];
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

/** Per-record verdict codes of a batch check. */
export type BatchVerdictCode = 0 | 1 | 2 | 3;

/** The options of `policy.run`. */
export interface RunOptions extends StartRunOptions {
  /** Called with each event as it happens. If it throws, the run stops (every running attempt's signal is aborted) and `run` rejects with that error. */
  onEvent?: ((event: PipelineEvent) => void) | null;
  /** Interrupts the run when aborted: running attempts are cancelled (their signals aborted), pending stages skipped, and `run` resolves with the interrupted result (`interrupted: true`, verdict `fail`). */
  signal?: AbortSignal | null;
}

/** What a stage's action is called with. */
export interface StageContext {
  /** The stage. */
  stage: string;
  /** The attempt, from 1. */
  attempt: number;
  /** Aborted when the attempt is cancelled: its timeout, fail-fast, or the run's interruption. */
  signal: AbortSignal;
}

/** What an action returns for a successful attempt: the metrics it observed (checked by the stage's exit gate), or nothing. */
export type StageActionResult = Metrics | null | undefined | void;

/** A stage's action. Returning (or resolving with) metrics or nothing is success; throwing (or rejecting) is failure, with `Name: message` of the error (the value itself, for a thrown non-error) as the detail, as in every binding. */
export type StageAction = (context: StageContext) => StageActionResult | PromiseLike<StageActionResult>;

/** `policy.run`, which both bindings add to `Policy`. */
export interface PolicyRun {
  /**
   * Runs the policy's pipeline with `actions` (stage name to function) and resolves with the
   * result; stages without an action succeed at once. Rejects before anything runs when an
   * action names no stage (`KIRO-E005`) or the policy has no pipeline (`KIRO-E033`).
   */
  run(actions: Record<string, StageAction>, options?: RunOptions | null): Promise<RunResult>;
}

/** Something that happened during a run, at `at_ms` since it started; `event` says what. */
export type PipelineEvent =
  | QueuedEvent
  | StartedEvent
  | RetriedEvent
  | TimedOutEvent
  | PassedEvent
  | FailedEvent
  | CancelledEvent
  | SkippedEvent;

/** The stage waits for what it needs (every stage, when the run starts). */
export interface QueuedEvent {
  event: "queued";
  stage: string;
  at_ms: number;
}

export interface StartedEvent {
  event: "started";
  stage: string;
  attempt: number;
  at_ms: number;
}

/** An attempt failed; the next starts after `backoff_ms`. */
export interface RetriedEvent {
  event: "retried";
  stage: string;
  attempt: number;
  reason: string;
  backoff_ms: number;
  at_ms: number;
}

export interface TimedOutEvent {
  event: "timed_out";
  stage: string;
  attempt: number;
  timeout_ms: number;
  at_ms: number;
}

export interface PassedEvent {
  event: "passed";
  stage: string;
  /** The exit gate's verdict; null without one. */
  verdict: Verdict | null;
  duration_ms: number;
  at_ms: number;
}

export interface FailedEvent {
  event: "failed";
  stage: string;
  reason: string;
  /** `continue_on_failure` lets the pipeline go on. */
  allowed: boolean;
  at_ms: number;
}

export interface CancelledEvent {
  event: "cancelled";
  stage: string;
  reason: string;
  at_ms: number;
}

export interface SkippedEvent {
  event: "skipped";
  stage: string;
  reason: string;
  at_ms: number;
}

/** What `PipelineRun.step` asks the caller to do; `id` names the attempt or timer. */
export type RunRequest = StartRequest | CancelRequest | SetTimerRequest | ClearTimerRequest;

/** Start attempt `attempt` of `stage`; report its end with `complete(id, metrics)` or `fail(id, detail)`. */
export interface StartRequest {
  type: "start";
  id: number;
  stage: string;
  attempt: number;
}

/** Stop attempt `id` (a timeout, fail-fast, interruption); a later report of it is ignored. */
export interface CancelRequest {
  type: "cancel";
  id: number;
}

/** Call `fire(id)` after `ms` milliseconds (or call `step` with a time that late). */
export interface SetTimerRequest {
  type: "set_timer";
  id: number;
  ms: number;
}

/** Timer `id` is no longer needed. */
export interface ClearTimerRequest {
  type: "clear_timer";
  id: number;
}

/** What one `PipelineRun.step` produced. */
export interface RunStep {
  /** What to do now, in order. */
  requests: RunRequest[];
  /** What happened since the last step, in order. */
  events: PipelineEvent[];
  /** The run is over: `result()` holds its result (the requests still need carrying out). */
  done: boolean;
}
