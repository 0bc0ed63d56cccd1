//! Node.js bindings for kiro. This file only wires: each function converts its arguments
//! (`convert`), calls the core's boundary API and maps failures (`error`). The `#[napi]` items
//! here and in `run` are the JavaScript API; `index.d.ts` is generated from them. `kiro.js`, the
//! package's entry point, adds `policy.run` from `bindings-js/run.mjs` (shared with the
//! WebAssembly binding).

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
mod alerts;
mod convert;
mod error;
mod file;
mod machine;
mod monitor;
mod release;
mod run;

use error::OrThrow;
use kiro::alert::AlertState;
use kiro::api::convert::FileError;
use kiro::api::{CheckOptions, HostPolicy, HostRisk, decode_at_ms, decode_format, validate_text};
use kiro::gate::RecordVerdict;
use kiro::monitor::MonitorState;
use kiro::release::ReleaseState;
use kiro::{BoundaryError, Code, OffsetUnit, catch_panic, guard};
use machine::Machine;
use napi::bindgen_prelude::{Uint8Array, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use std::path::Path;

/// How many records got each verdict.
#[napi(object)]
pub struct BatchCounts {
    /// Records that passed.
    pub pass: u32,
    /// Records that warned.
    pub warn: u32,
    /// Records that failed.
    pub fail: u32,
    /// Records that could not be judged: a value that does not fit its metric, or a condition that could not be computed.
    pub error: u32,
}

/// The result of a batch check.
#[napi(object)]
pub struct BatchResult {
    /// One code per record: 0 pass, 1 warn, 2 fail, 3 error.
    pub verdicts: Uint8Array,
    /// How many records got each code.
    pub counts: BatchCounts,
    /// Columns the policy does not declare (`KIRO-E011` warnings); absent when there are none.
    pub warnings: Option<Vec<serde_json::Value>>,
}

/// JavaScript strings are indexed by UTF-16 code units: every label offset is given in them.
const UNIT: OffsetUnit = OffsetUnit::Utf16;

/// A compiled policy: load it once, check many times.
#[napi]
pub struct Policy {
    inner: HostPolicy,
}

#[napi]
impl Policy {
    /// Compiles a policy from text. `format` is `"yaml"`, `"json"` or `"toml"`; absent detects
    /// it from the text. `imports` maps each path the policy imports to its text
    /// (docs/composition.md). Throws a `KiroError` (kind `policy`) with every problem found.
    #[napi(
        factory,
        ts_args_type = "text: string, format?: \"yaml\" | \"json\" | \"toml\" | null, imports?: Record<string, string> | null"
    )]
    pub fn from_text(
        env: &Env,
        text: Unknown<'_>,
        format: Option<Unknown<'_>>,
        imports: Option<Unknown<'_>>,
    ) -> Result<Self> {
        let text = convert::text_argument(env, &text, "text").or_throw(env)?;
        let format =
            decode_format(&convert::host_value(format.as_ref()).or_throw(env)?).or_throw(env)?;
        let imports = convert::host_value(imports.as_ref()).or_throw(env)?;
        let inner = guard(|| HostPolicy::load_with(&text, format, &imports, UNIT)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// Compiles a policy from a file. The format comes from `format`, else the file extension,
    /// else the text. Only a regular file is read (anything else throws an `Error` with code
    /// `EINVAL`, without waiting for a FIFO's writer), and at most 16 MiB of it (`KIRO-E006`).
    #[napi(
        factory,
        ts_args_type = "path: string, format?: \"yaml\" | \"json\" | \"toml\" | null"
    )]
    pub fn from_path(env: &Env, path: Unknown<'_>, format: Option<Unknown<'_>>) -> Result<Self> {
        let path = convert::text_argument(env, &path, "path").or_throw(env)?;
        let format =
            decode_format(&convert::host_value(format.as_ref()).or_throw(env)?).or_throw(env)?;
        let path = Path::new(&path);
        let (text, format) = file::read_policy(path, format).map_err(|e| match e {
            FileError::Io(e) => error::io_error(env, path, &e),
            FileError::Policy(e) => error::throw(e.into(), env),
        })?;
        let inner = guard(|| HostPolicy::load(&text, format, UNIT)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// The policy's name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.compiled().name().to_owned()
    }

    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    #[napi(getter)]
    pub fn hash(&self) -> String {
        self.inner.compiled().hash().to_owned()
    }

    /// The declared metric names, sorted.
    #[napi(getter)]
    pub fn metric_names(&self) -> Vec<String> {
        self.inner
            .compiled()
            .metric_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The gate names, in policy order.
    #[napi(getter)]
    pub fn gate_names(&self) -> Vec<String> {
        self.inner
            .compiled()
            .gate_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Checks one set of metrics and returns the decision as a plain object.
    #[napi(
        ts_args_type = "metrics: Metrics, options?: CheckOptions | null",
        ts_return_type = "Decision"
    )]
    pub fn check<'env>(
        &self,
        env: &'env Env,
        metrics: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> Result<Unknown<'env>> {
        let options = CheckOptions::decode(&convert::host_value(options.as_ref()).or_throw(env)?)
            .or_throw(env)?;
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let decision = guard(|| self.inner.check_with(&metrics, &options)).or_throw(env)?;
        convert::decision(env, &decision)
    }

    /// The verdict of one set of metrics and each criterion's outcome (`{verdict, criteria}`),
    /// without explanations: the verdict `check` gives, faster, for loops over records. The
    /// same errors as `check` for the same input.
    #[napi(
        ts_args_type = "metrics: Metrics, options?: CheckOptions | null",
        ts_return_type = "RecordVerdict"
    )]
    pub fn verdict<'env>(
        &self,
        env: &'env Env,
        metrics: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> Result<Unknown<'env>> {
        let options = CheckOptions::decode(&convert::host_value(options.as_ref()).or_throw(env)?)
            .or_throw(env)?;
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let mut out = RecordVerdict::new();
        guard(|| self.inner.verdict_into(&metrics, &options, &mut out)).or_throw(env)?;
        convert::answer(env, &out)
    }

    /// Checks many records given as columns (metric name to a `Float64Array` or an array).
    #[napi(ts_args_type = "columns: Columns, options?: CheckOptions | null")]
    pub fn check_batch(
        &self,
        env: &Env,
        columns: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<BatchResult> {
        let options = convert::host_value(options.as_ref()).or_throw(env)?;
        let batch = convert::batch(&columns).or_throw(env)?;
        let result = guard(|| self.inner.check_batch(&batch, &options)).or_throw(env)?;
        Ok(convert::batch_result(result))
    }

    /// The plan of the policy's pipeline (waves, critical path, slack) as a plain object.
    /// Throws a `KiroError` (`KIRO-E030`, kind `input`) when the policy has no pipeline.
    #[napi(ts_return_type = "Plan")]
    pub fn plan<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        let plan = guard(|| self.inner.plan()).or_throw(env)?;
        convert::plan(env, plan)
    }

    /// Starts a run of the policy's pipeline driven by the caller's event loop (see
    /// `PipelineRun`), with an action for each stage named in `actions` (the others succeed at
    /// once). `policy.run` uses it. Throws a `KiroError` (kind `input`): `KIRO-E033` without a
    /// pipeline, `KIRO-E005` for an action that names no stage, `KIRO-E003` for bad options.
    #[napi(ts_args_type = "actions: string[], options?: StartRunOptions | null")]
    pub fn start_run(
        &self,
        env: &Env,
        actions: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<run::PipelineRun> {
        let actions = convert::strings_argument(env, &actions, "actions").or_throw(env)?;
        run::PipelineRun::start(env, self.inner.compiled(), &actions, options.as_ref())
    }

    /// Continues a run saved with `run.snapshot()` under this policy. Throws `KIRO-E041` when
    /// it was saved under another policy, `KIRO-E040` for text that is not a saved run.
    #[napi(ts_args_type = "state: string")]
    pub fn restore_run(&self, env: &Env, state: Unknown<'_>) -> Result<run::PipelineRun> {
        let state = convert::text_argument(env, &state, "state").or_throw(env)?;
        run::PipelineRun::restore(env, self.inner.compiled(), &state)
    }

    /// Replays the event log of `run.log()` under this policy: the same run, byte for byte.
    #[napi(ts_args_type = "log: string")]
    pub fn replay_run(&self, env: &Env, log: Unknown<'_>) -> Result<run::PipelineRun> {
        let log = convert::text_argument(env, &log, "log").or_throw(env)?;
        run::PipelineRun::replay(env, self.inner.compiled(), &log)
    }

    /// Starts a monitor of the policy's rollback triggers (see `Monitor`). Throws a
    /// `KiroError` (`KIRO-E053`, kind `input`) when the policy has no triggers.
    #[napi]
    pub fn start_monitor(&self, env: &Env) -> Result<monitor::Monitor> {
        Machine::start(env, self.inner.compiled()).map(|inner| monitor::Monitor { inner })
    }

    /// Continues a monitor saved with `monitor.snapshot()` under this policy. Throws
    /// `KIRO-E041` when it was saved under another policy, `KIRO-E040` for text that is not a
    /// saved monitor.
    #[napi(ts_args_type = "state: string")]
    pub fn restore_monitor(&self, env: &Env, state: Unknown<'_>) -> Result<monitor::Monitor> {
        Machine::restore(env, self.inner.compiled(), &state).map(|inner| monitor::Monitor { inner })
    }

    /// Runs recorded events from a new monitor: every decision and the saved state, the same,
    /// byte for byte, as stepping a monitor through them (an error names the refused event).
    #[napi(
        ts_args_type = "events: MonitorEvent[]",
        ts_return_type = "MonitorReplay"
    )]
    pub fn replay_monitor<'env>(
        &self,
        env: &'env Env,
        events: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        machine::replay::<MonitorState>(env, self.inner.compiled(), &events)
    }

    /// Starts a release through the policy's environments (see `Release`). Throws a
    /// `KiroError` (`KIRO-E104`, kind `input`) when the policy has no environments.
    #[napi]
    pub fn start_release(&self, env: &Env) -> Result<release::Release> {
        Machine::start(env, self.inner.compiled()).map(|inner| release::Release { inner })
    }

    /// Continues a release saved with `release.snapshot()` under this policy.
    #[napi(ts_args_type = "state: string")]
    pub fn restore_release(&self, env: &Env, state: Unknown<'_>) -> Result<release::Release> {
        Machine::restore(env, self.inner.compiled(), &state).map(|inner| release::Release { inner })
    }

    /// Runs recorded events from a new release: every decision and the saved state, the same,
    /// byte for byte, as stepping a release through them (an error names the refused event).
    #[napi(
        ts_args_type = "events: ReleaseEvent[]",
        ts_return_type = "ReleaseReplay"
    )]
    pub fn replay_release<'env>(
        &self,
        env: &'env Env,
        events: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        machine::replay::<ReleaseState>(env, self.inner.compiled(), &events)
    }

    /// The whole path a release takes (environments, approvals, steps), with every window
    /// shown at `atMs` (ms since the Unix epoch, on the caller's clock).
    #[napi(ts_args_type = "atMs: number", ts_return_type = "ReleasePlan")]
    pub fn release_plan<'env>(&self, env: &'env Env, at_ms: Unknown<'_>) -> Result<Unknown<'env>> {
        let at_ms =
            decode_at_ms(&convert::host_value(Some(&at_ms)).or_throw(env)?).or_throw(env)?;
        let plan = guard(|| self.inner.release_plan(at_ms)).or_throw(env)?;
        convert::answer(env, &plan)
    }

    /// Starts the policy's alert engine (see `Alerts`). Throws a `KiroError` (`KIRO-E138`,
    /// kind `input`) when the policy has no `alerts`.
    #[napi]
    pub fn start_alerts(&self, env: &Env) -> Result<alerts::Alerts> {
        Machine::start(env, self.inner.compiled()).map(|inner| alerts::Alerts { inner })
    }

    /// Continues an alert engine saved with `alerts.snapshot()` under this policy.
    #[napi(ts_args_type = "state: string")]
    pub fn restore_alerts(&self, env: &Env, state: Unknown<'_>) -> Result<alerts::Alerts> {
        Machine::restore(env, self.inner.compiled(), &state).map(|inner| alerts::Alerts { inner })
    }

    /// Runs recorded events from a new alert engine: every decision and the saved state.
    #[napi(ts_args_type = "events: AlertEvent[]", ts_return_type = "AlertsReplay")]
    pub fn replay_alerts<'env>(
        &self,
        env: &'env Env,
        events: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        machine::replay::<AlertState>(env, self.inner.compiled(), &events)
    }

    /// Scores the policy's risk models (all, or `options.model`) on `metrics`, every factor's
    /// contribution explained; `options.changed` are the components the change touches.
    #[napi(
        ts_args_type = "metrics: Metrics, options?: RiskOptions | null",
        ts_return_type = "RiskReport[]"
    )]
    pub fn score_risk<'env>(
        &self,
        env: &'env Env,
        metrics: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> Result<Unknown<'env>> {
        let options = convert::host_value(options.as_ref()).or_throw(env)?;
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let risk = HostRisk::new(&self.inner);
        let reports = guard(|| risk.score_value(&metrics, &options)).or_throw(env)?;
        convert::answer(env, &reports)
    }

    /// Checks the gates (all, or `options.gate`) at the risk level `model` gives the change:
    /// the decision with every bypass and the level that allowed it.
    #[napi(
        ts_args_type = "metrics: Metrics, model: string, options?: RiskOptions | null",
        ts_return_type = "RiskGatedDecision"
    )]
    pub fn check_at_risk<'env>(
        &self,
        env: &'env Env,
        metrics: Unknown<'env>,
        model: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> Result<Unknown<'env>> {
        let model = convert::host_value(Some(&model)).or_throw(env)?;
        let options = convert::host_value(options.as_ref()).or_throw(env)?;
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let risk = HostRisk::new(&self.inner);
        let gated = guard(|| risk.check_value(&metrics, &model, &options)).or_throw(env)?;
        convert::answer(env, &gated)
    }

    /// The services a change to the components `changed` can break, from the policy's graph.
    #[napi(ts_args_type = "changed: string[]", ts_return_type = "BlastRadius")]
    pub fn blast_radius<'env>(
        &self,
        env: &'env Env,
        changed: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let changed = convert::host_value(Some(&changed)).or_throw(env)?;
        let blast = guard(|| HostRisk::new(&self.inner).blast_value(&changed)).or_throw(env)?;
        convert::answer(env, &blast)
    }

    /// Checks the metrics read from `reports` (`{kind, file, text}` objects: JUnit, coverage,
    /// SARIF or Lighthouse reports the caller read), with `metrics` beside them.
    #[napi(
        ts_args_type = "reports: EvidenceReport[], metrics?: Metrics | null, options?: CheckOptions | null",
        ts_return_type = "Decision"
    )]
    pub fn check_evidence<'env>(
        &self,
        env: &'env Env,
        reports: Unknown<'env>,
        metrics: Option<Unknown<'env>>,
        options: Option<Unknown<'env>>,
    ) -> Result<Unknown<'env>> {
        let options = CheckOptions::decode(&convert::host_value(options.as_ref()).or_throw(env)?)
            .or_throw(env)?;
        let reports = convert::host_value(Some(&reports)).or_throw(env)?;
        let metrics = match metrics {
            Some(m)
                if !matches!(
                    m.get_type()?,
                    napi::ValueType::Null | napi::ValueType::Undefined
                ) =>
            {
                convert::metrics_to_json(&m).or_throw(env)?
            }
            _ => serde_json::Value::Null,
        };
        let decision =
            guard(|| self.inner.check_evidence(&reports, &metrics, &options)).or_throw(env)?;
        convert::decision(env, &decision)
    }

    /// The dashboard's health for `metrics`: every persona panel and shared metric. Throws
    /// `KIRO-E030` when the policy has no `health`.
    #[napi(ts_args_type = "metrics: Metrics", ts_return_type = "HealthReport")]
    pub fn health<'env>(&self, env: &'env Env, metrics: Unknown<'env>) -> Result<Unknown<'env>> {
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let report = guard(|| self.inner.health(&metrics)).or_throw(env)?;
        convert::answer(env, &report)
    }

    /// The unified dashboard for `metrics`: the persona panels with their thresholds, the
    /// shared metrics, the alerts active at `options.atMs` (default: the history's last time)
    /// after `options.history` (alert events in time order) and each metric's history.
    #[napi(
        ts_args_type = "metrics: Metrics, options?: StatusOptions | null",
        ts_return_type = "StatusReport"
    )]
    pub fn status<'env>(
        &self,
        env: &'env Env,
        metrics: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> Result<Unknown<'env>> {
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let options = convert::host_value(options.as_ref()).or_throw(env)?;
        let report = guard(|| self.inner.status(&metrics, &options)).or_throw(env)?;
        convert::answer(env, &report)
    }

    /// `status` rendered as `kiro status` renders it: `options.format` `"human"` (the
    /// default), `"markdown"`, `"html"` (a self-contained page) or `"json"`.
    #[napi(ts_args_type = "metrics: Metrics, options?: StatusOptions | null")]
    pub fn render_status(
        &self,
        env: &Env,
        metrics: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<String> {
        let metrics = convert::metrics_to_json(&metrics).or_throw(env)?;
        let options = convert::host_value(options.as_ref()).or_throw(env)?;
        guard(|| self.inner.render_status(&metrics, &options)).or_throw(env)
    }

    /// A decision or run result of this policy (what `check` or `run` gave) rendered as the
    /// CLI renders it: `format` `"human"` (the default), `"markdown"`, `"junit"` or `"json"`.
    #[napi(
        ts_args_type = "saved: Decision | RunResult, format?: 'human' | 'markdown' | 'junit' | 'json' | null"
    )]
    pub fn render(
        &self,
        env: &Env,
        saved: Unknown<'_>,
        format: Option<Unknown<'_>>,
    ) -> Result<String> {
        let saved = convert::host_value(Some(&saved)).or_throw(env)?;
        let format = convert::host_value(format.as_ref()).or_throw(env)?;
        guard(|| self.inner.render(&saved, &format)).or_throw(env)
    }

    /// Runs the cases of a policy test file's text (docs/testing-policies.md) against this
    /// policy. A failed case is a result, not an error; a malformed test file throws
    /// `KIRO-E176` or `E177`.
    #[napi(ts_args_type = "text: string", ts_return_type = "PolicyTestReport")]
    pub fn test<'env>(&self, env: &'env Env, text: String) -> Result<Unknown<'env>> {
        let report = guard(|| self.inner.test(&text)).or_throw(env)?;
        convert::answer(env, &report)
    }
}

/// The reports `reports` (`{kind, file, text}` objects) read and merged: the metrics each
/// gives, with the file and place every value came from.
#[napi(
    ts_args_type = "reports: EvidenceReport[]",
    ts_return_type = "EvidenceSummary"
)]
pub fn read_evidence<'env>(env: &'env Env, reports: Unknown<'env>) -> Result<Unknown<'env>> {
    let reports = convert::host_value(Some(&reports)).or_throw(env)?;
    let summary = guard(|| kiro::api::evidence::summarize(&reports, UNIT)).or_throw(env)?;
    convert::answer(env, &summary)
}

/// Fits a defect-risk model on change data given as CSV text (as `kiro risk fit` reads it):
/// the model file's text, byte for byte what the CLI writes.
#[napi(ts_args_type = "csv: string, normalised?: boolean | null")]
pub fn fit_model(env: &Env, csv: Unknown<'_>, normalised: Option<bool>) -> Result<String> {
    let csv = convert::text_argument(env, &csv, "csv").or_throw(env)?;
    guard(|| kiro::api::risk::fit_model(&csv, normalised.unwrap_or(false))).or_throw(env)
}

/// Scores changes (an object of change metrics, or an array of them) with a model file's
/// text: each change's probability, level, every metric's contribution and mitigations.
#[napi(
    ts_args_type = "model: string, changes: Record<string, number> | Record<string, number>[]",
    ts_return_type = "ChangeScore[]"
)]
pub fn score_changes<'env>(
    env: &'env Env,
    model: Unknown<'env>,
    changes: Unknown<'env>,
) -> Result<Unknown<'env>> {
    let model = convert::text_argument(env, &model, "model").or_throw(env)?;
    let changes = convert::host_value(Some(&changes)).or_throw(env)?;
    let scores = guard(|| kiro::api::risk::score_changes(&model, &changes)).or_throw(env)?;
    convert::answer(env, &scores)
}

/// Evaluates a model file's text on labelled change data given as CSV text (as `kiro risk
/// evaluate` reads it): the model's and the lines-added baseline's figures.
#[napi(
    ts_args_type = "model: string, csv: string",
    ts_return_type = "Evaluation"
)]
pub fn evaluate_model<'env>(
    env: &'env Env,
    model: Unknown<'env>,
    csv: Unknown<'env>,
) -> Result<Unknown<'env>> {
    let model = convert::text_argument(env, &model, "model").or_throw(env)?;
    let csv = convert::text_argument(env, &csv, "csv").or_throw(env)?;
    let evaluation = guard(|| kiro::api::risk::evaluate_model(&model, &csv)).or_throw(env)?;
    convert::answer(env, &evaluation)
}

/// Every problem in a policy text, offsets in UTF-16 code units; empty when it is valid.
#[napi(
    ts_args_type = "text: string, format?: \"yaml\" | \"json\" | \"toml\" | null",
    ts_return_type = "Diagnostic[]"
)]
pub fn validate<'env>(
    env: &'env Env,
    text: Unknown<'env>,
    format: Option<Unknown<'env>>,
) -> Result<Unknown<'env>> {
    let text = convert::text_argument(env, &text, "text").or_throw(env)?;
    let format =
        decode_format(&convert::host_value(format.as_ref()).or_throw(env)?).or_throw(env)?;
    let diagnostics = catch_panic(|| validate_text(&text, format, UNIT)).or_throw(env)?;
    env.to_js_value(&diagnostics)
}

/// The JSON Schema of the policy format.
#[napi(ts_return_type = "Record<string, unknown>")]
pub fn policy_schema(env: &Env) -> Result<Unknown<'_>> {
    let schema = catch_panic(kiro::policy_schema).or_throw(env)?;
    env.to_js_value(&schema)
}

/// The version of the kiro engine.
#[napi]
#[must_use]
pub fn version() -> String {
    kiro::VERSION.to_owned()
}

/// Every error code the engine can report, in order (`KIRO-E001` …).
#[napi(ts_return_type = "ErrorCode[]")]
#[must_use]
pub fn error_codes() -> Vec<String> {
    Code::ALL.iter().map(|c| c.as_str().to_owned()).collect()
}

/// Panics inside the binding's panic guard, for the test that panics become `KIRO-E099`.
// `allow`, not `expect`: `#[napi]` re-emits the body differently in test builds.
#[napi(js_name = "_panicForTest")]
#[allow(clippy::panic, reason = "the test needs a real panic")]
pub fn panic_for_test(env: &Env) -> Result<()> {
    let result: std::result::Result<(), BoundaryError> =
        catch_panic(|| panic!("panic requested by _panicForTest"));
    result.or_throw(env)
}
