// TypeScript shapes of kiro's data, shared by the Node.js binding (re-exported from index.d.ts)
// and the WebAssembly binding (embedded in its generated .d.ts). They mirror the core's serde
// types (core/src/decision.rs, core/src/diagnostic.rs, core/src/pipeline/plan.rs,
// core/src/pipeline/executor/{host,events,result}.rs); the tests check real decisions, plans,
// runs and diagnostics against these keys, and the ErrorCode list against the engine's. They
// also declare `policy.run` (`PolicyRun`), which run.cjs adds in both bindings.

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
  | "KIRO-E033"
  | "KIRO-E040"
  | "KIRO-E041"
  | "KIRO-E042"
  | "KIRO-E043"
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

// -- Runs ----------------------------------------------------------------------------------

/** Settings of one run that override the pipeline's. */
export interface StartRunOptions {
  /** How many stages may run at once: a whole number, at least 1 (overrides `max_parallel`). */
  maxParallel?: number | null;
  /** Whether a failure cancels the running stages and skips the rest (overrides `fail_fast`). */
  failFast?: boolean | null;
}

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

/** A stage's action. Returning (or resolving with) metrics or nothing is success; throwing (or rejecting) is failure, with the error's message as the detail. */
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

export type StageOutcome = "passed" | "failed" | "timed_out" | "cancelled" | "skipped";
export type AttemptOutcome = "succeeded" | "failed" | "timed_out" | "cancelled";

/** The result of a run (the JSON of `kiro run --format json`). Times are whole milliseconds since the run started. */
export interface RunResult {
  policy: { name: string; hash: string };
  /** Pass when every stage passed; warn when a stage failed with `continue_on_failure` or an exit gate warned; fail otherwise, or when interrupted. */
  verdict: Verdict;
  summary: string;
  /** True when the run was interrupted (`signal`, `interrupt()`). */
  interrupted: boolean;
  duration_ms: number;
  /** Every stage, in policy order. */
  stages: StageResult[];
}

/** What happened to one stage. */
export interface StageResult {
  name: string;
  outcome: StageOutcome;
  /** It failed, but `continue_on_failure` let the pipeline go on. */
  allowed_failure: boolean;
  /** Why it failed, was cancelled or skipped. */
  reason?: string;
  started_at_ms?: number;
  /** From its first start to its end, retries and backoff included. */
  duration_ms?: number;
  attempts: AttemptRecord[];
  /** The decision of its exit gate, when it has one and got that far. */
  gate?: Decision;
  /** Why its exit gate could not be checked (metrics that do not fit the policy). */
  diagnostics?: Diagnostic[];
}

/** One attempt of a stage. */
export interface AttemptRecord {
  attempt: number;
  started_at_ms: number;
  duration_ms: number;
  outcome: AttemptOutcome;
  /** The failure's detail (an error's message). */
  detail?: string;
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
