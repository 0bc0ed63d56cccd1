//! WebAssembly bindings for kiro (wasm-bindgen; built for Node.js with `--target nodejs` and
//! for browsers with `--target web`). This file only wires: each function converts its
//! arguments (`convert`), calls the core's boundary API and maps failures (`error`).
//!
//! There is no `fromPath`: a WebAssembly host need not have files. Read the text on the host
//! and call `Policy.fromText`. `policy.run` is added by the entry points in `js/`, from the glue
//! shared with the Node.js binding (`bindings-js/run.mjs`, the package `@kiro/bindings-js`).

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
mod alerts;
mod convert;
mod error;
mod machine;
mod monitor;
mod release;
mod run;

use error::{Failure, catch, guard};
use kiro::alert::AlertState;
use kiro::api::{CheckOptions, HostPolicy, HostRisk, decode_at_ms, decode_format, validate_text};
use kiro::gate::RecordVerdict;
use kiro::monitor::MonitorState;
use kiro::release::ReleaseState;
use kiro::{BoundaryError, Code, Diagnostic, ErrorKind, OffsetUnit};
use machine::{Machine, parsed};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../../bindings-node/types.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const BATCH_TYPES: &str = r#"
/** How many records got each verdict. */
export interface BatchCounts { pass: number; warn: number; fail: number; error: number }
/** The result of a batch check: one code per record (0 pass, 1 warn, 2 fail, 3 error), the counts, and warnings about columns the policy does not declare (KIRO-E011), when there are any. */
export interface BatchResult { verdicts: Uint8Array; counts: BatchCounts; warnings?: Diagnostic[] }
"#;

// `policy.run`, defined in JavaScript (`bindings-js/run.mjs`) and declared in types.d.ts.
#[wasm_bindgen(typescript_custom_section)]
const RUN_METHOD: &str = "export interface Policy extends PolicyRun {}";

/// JavaScript strings are indexed by UTF-16 code units: every label offset is given in them.
const UNIT: OffsetUnit = OffsetUnit::Utf16;

/// A compiled policy: load it once, check many times.
#[wasm_bindgen]
pub struct Policy {
    inner: HostPolicy,
}

#[wasm_bindgen]
impl Policy {
    /// Compiles a policy from text. `format` is `"yaml"`, `"json"` or `"toml"`; absent detects
    /// it from the text. `imports` maps each path the policy imports to its text
    /// (docs/composition.md). Throws a `KiroError` (kind `policy`) with every problem found.
    #[wasm_bindgen(js_name = fromText)]
    pub fn from_text(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "\"yaml\" | \"json\" | \"toml\" | null")]
        format: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, string> | null")]
        imports: Option<JsValue>,
    ) -> Result<Policy, JsValue> {
        let text = convert::text_argument(&text, "text")?;
        let format =
            decode_format(&convert::host_value(format.as_ref())?).map_err(Failure::from)?;
        let imports = convert::host_value(imports.as_ref())?;
        let inner = guard(|| HostPolicy::load_with(&text, format, &imports, UNIT))?;
        Ok(Self { inner })
    }

    /// The policy's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.compiled().name().to_owned()
    }

    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> String {
        self.inner.compiled().hash().to_owned()
    }

    /// The declared metric names, sorted.
    #[wasm_bindgen(getter, js_name = metricNames)]
    pub fn metric_names(&self) -> Vec<String> {
        self.inner
            .compiled()
            .metric_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The gate names, in policy order.
    #[wasm_bindgen(getter, js_name = gateNames)]
    pub fn gate_names(&self) -> Vec<String> {
        self.inner
            .compiled()
            .gate_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Checks one set of metrics and returns the decision as a plain object.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CheckOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let options =
            CheckOptions::decode(&convert::host_value(options.as_ref())?).map_err(Failure::from)?;
        let metrics = convert::metrics_to_json(&metrics)?;
        let decision = guard(|| self.inner.check_with(&metrics, &options))?;
        convert::decision(&decision)
    }

    /// The verdict of one set of metrics and each criterion's outcome (`{verdict, criteria}`),
    /// without explanations: the verdict `check` gives, faster, for loops over records. The
    /// same errors as `check` for the same input.
    #[wasm_bindgen(unchecked_return_type = "RecordVerdict")]
    pub fn verdict(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CheckOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let options =
            CheckOptions::decode(&convert::host_value(options.as_ref())?).map_err(Failure::from)?;
        let metrics = convert::metrics_to_json(&metrics)?;
        let mut out = RecordVerdict::new();
        guard(|| self.inner.verdict_into(&metrics, &options, &mut out))?;
        parsed(&out)
    }

    /// Checks many records given as columns (metric name to a `Float64Array` or an array).
    #[wasm_bindgen(js_name = checkBatch, unchecked_return_type = "BatchResult")]
    pub fn check_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Columns")] columns: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CheckOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let options = convert::host_value(options.as_ref())?;
        let batch = convert::batch(&columns)?;
        let result = guard(|| self.inner.check_batch(&batch, &options))?;
        Ok(convert::batch_result(&result)?)
    }

    /// The plan of the policy's pipeline (waves, critical path, slack) as a plain object.
    /// Throws a `KiroError` (`KIRO-E030`, kind `input`) when the policy has no pipeline.
    #[wasm_bindgen(unchecked_return_type = "Plan")]
    pub fn plan(&self) -> Result<JsValue, JsValue> {
        let plan = guard(|| self.inner.plan())?;
        convert::plan(plan)
    }

    /// Starts a run of the policy's pipeline driven by the caller's event loop (see
    /// `PipelineRun`), with an action for each stage named in `actions` (the others succeed at
    /// once). `policy.run` uses it. Throws a `KiroError` (kind `input`): `KIRO-E033` without a
    /// pipeline, `KIRO-E005` for an action that names no stage, `KIRO-E003` for bad options.
    #[wasm_bindgen(js_name = startRun)]
    pub fn start_run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] actions: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "StartRunOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<run::PipelineRun, JsValue> {
        let actions = convert::strings_argument(&actions, "actions")?;
        Ok(run::PipelineRun::start(
            self.inner.compiled(),
            &actions,
            options.as_ref(),
        )?)
    }

    /// Continues a run saved with `run.snapshot()` under this policy. Throws `KIRO-E041` when
    /// it was saved under another policy, `KIRO-E040` for text that is not a saved run.
    #[wasm_bindgen(js_name = restoreRun)]
    pub fn restore_run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    ) -> Result<run::PipelineRun, JsValue> {
        let state = convert::text_argument(&state, "state")?;
        Ok(run::PipelineRun::restore(self.inner.compiled(), &state)?)
    }

    /// Replays the event log of `run.log()` under this policy: the same run, byte for byte.
    #[wasm_bindgen(js_name = replayRun)]
    pub fn replay_run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] log: JsValue,
    ) -> Result<run::PipelineRun, JsValue> {
        let log = convert::text_argument(&log, "log")?;
        Ok(run::PipelineRun::replay(self.inner.compiled(), &log)?)
    }

    /// Starts a monitor of the policy's rollback triggers (see `Monitor`). Throws a
    /// `KiroError` (`KIRO-E053`, kind `input`) when the policy has no triggers.
    #[wasm_bindgen(js_name = startMonitor)]
    pub fn start_monitor(&self) -> Result<monitor::Monitor, JsValue> {
        let inner = Machine::start(self.inner.compiled())?;
        Ok(monitor::Monitor { inner })
    }

    /// Continues a monitor saved with `monitor.snapshot()` under this policy. Throws
    /// `KIRO-E041` when it was saved under another policy, `KIRO-E040` for text that is not a
    /// saved monitor.
    #[wasm_bindgen(js_name = restoreMonitor)]
    pub fn restore_monitor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    ) -> Result<monitor::Monitor, JsValue> {
        let inner = Machine::restore(self.inner.compiled(), &state)?;
        Ok(monitor::Monitor { inner })
    }

    /// Runs recorded events from a new monitor: every decision and the saved state, the same,
    /// byte for byte, as stepping a monitor through them (an error names the refused event).
    #[wasm_bindgen(js_name = replayMonitor, unchecked_return_type = "MonitorReplay")]
    pub fn replay_monitor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MonitorEvent[]")] events: JsValue,
    ) -> Result<JsValue, JsValue> {
        machine::replay::<MonitorState>(self.inner.compiled(), &events)
    }

    /// Starts a release through the policy's environments (see `Release`). Throws a
    /// `KiroError` (`KIRO-E104`, kind `input`) when the policy has no environments.
    #[wasm_bindgen(js_name = startRelease)]
    pub fn start_release(&self) -> Result<release::Release, JsValue> {
        let inner = Machine::start(self.inner.compiled())?;
        Ok(release::Release { inner })
    }

    /// Continues a release saved with `release.snapshot()` under this policy.
    #[wasm_bindgen(js_name = restoreRelease)]
    pub fn restore_release(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    ) -> Result<release::Release, JsValue> {
        let inner = Machine::restore(self.inner.compiled(), &state)?;
        Ok(release::Release { inner })
    }

    /// Runs recorded events from a new release: every decision and the saved state, the same,
    /// byte for byte, as stepping a release through them (an error names the refused event).
    #[wasm_bindgen(js_name = replayRelease, unchecked_return_type = "ReleaseReplay")]
    pub fn replay_release(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReleaseEvent[]")] events: JsValue,
    ) -> Result<JsValue, JsValue> {
        machine::replay::<ReleaseState>(self.inner.compiled(), &events)
    }

    /// The whole path a release takes (environments, approvals, steps), with every window
    /// shown at `atMs` (ms since the Unix epoch, on the caller's clock).
    #[wasm_bindgen(js_name = releasePlan, unchecked_return_type = "ReleasePlan")]
    pub fn release_plan(
        &self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        let at_ms = decode_at_ms(&convert::host_value(Some(&at_ms))?).map_err(Failure::from)?;
        parsed(&guard(|| self.inner.release_plan(at_ms))?)
    }

    /// Starts the policy's alert engine (see `Alerts`). Throws a `KiroError` (`KIRO-E138`,
    /// kind `input`) when the policy has no `alerts`.
    #[wasm_bindgen(js_name = startAlerts)]
    pub fn start_alerts(&self) -> Result<alerts::Alerts, JsValue> {
        let inner = Machine::start(self.inner.compiled())?;
        Ok(alerts::Alerts { inner })
    }

    /// Continues an alert engine saved with `alerts.snapshot()` under this policy.
    #[wasm_bindgen(js_name = restoreAlerts)]
    pub fn restore_alerts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    ) -> Result<alerts::Alerts, JsValue> {
        let inner = Machine::restore(self.inner.compiled(), &state)?;
        Ok(alerts::Alerts { inner })
    }

    /// Runs recorded events from a new alert engine: every decision and the saved state.
    #[wasm_bindgen(js_name = replayAlerts, unchecked_return_type = "AlertsReplay")]
    pub fn replay_alerts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AlertEvent[]")] events: JsValue,
    ) -> Result<JsValue, JsValue> {
        machine::replay::<AlertState>(self.inner.compiled(), &events)
    }

    /// Scores the policy's risk models (all, or `options.model`) on `metrics`, every factor's
    /// contribution explained; `options.changed` are the components the change touches.
    #[wasm_bindgen(js_name = scoreRisk, unchecked_return_type = "RiskReport[]")]
    pub fn score_risk(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RiskOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let options = convert::host_value(options.as_ref())?;
        let metrics = convert::metrics_to_json(&metrics)?;
        let risk = HostRisk::new(&self.inner);
        parsed(&guard(|| risk.score_value(&metrics, &options))?)
    }

    /// Checks the gates (all, or `options.gate`) at the risk level `model` gives the change:
    /// the decision with every bypass and the level that allowed it.
    #[wasm_bindgen(js_name = checkAtRisk, unchecked_return_type = "RiskGatedDecision")]
    pub fn check_at_risk(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] model: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RiskOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let model = convert::host_value(Some(&model))?;
        let options = convert::host_value(options.as_ref())?;
        let metrics = convert::metrics_to_json(&metrics)?;
        let risk = HostRisk::new(&self.inner);
        parsed(&guard(|| risk.check_value(&metrics, &model, &options))?)
    }

    /// The services a change to the components `changed` can break, from the policy's graph.
    #[wasm_bindgen(js_name = blastRadius, unchecked_return_type = "BlastRadius")]
    pub fn blast_radius(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] changed: JsValue,
    ) -> Result<JsValue, JsValue> {
        let changed = convert::host_value(Some(&changed))?;
        parsed(&guard(|| HostRisk::new(&self.inner).blast_value(&changed))?)
    }

    /// Checks the metrics read from `reports` (`{kind, file, text}` objects: JUnit, coverage,
    /// SARIF or Lighthouse reports the caller read), with `metrics` beside them.
    #[wasm_bindgen(js_name = checkEvidence, unchecked_return_type = "Decision")]
    pub fn check_evidence(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EvidenceReport[]")] reports: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Metrics | null")] metrics: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CheckOptions | null")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let options =
            CheckOptions::decode(&convert::host_value(options.as_ref())?).map_err(Failure::from)?;
        let reports = convert::host_value(Some(&reports))?;
        let metrics = match metrics.filter(|m| !m.is_null() && !m.is_undefined()) {
            Some(m) => convert::metrics_to_json(&m)?,
            None => serde_json::Value::Null,
        };
        let decision = guard(|| self.inner.check_evidence(&reports, &metrics, &options))?;
        convert::decision(&decision)
    }

    /// The dashboard's health for `metrics`: every persona panel and shared metric. Throws
    /// `KIRO-E030` when the policy has no `health`.
    #[wasm_bindgen(unchecked_return_type = "HealthReport")]
    pub fn health(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
    ) -> Result<JsValue, JsValue> {
        let metrics = convert::metrics_to_json(&metrics)?;
        parsed(&guard(|| self.inner.health(&metrics))?)
    }

    /// The unified dashboard for `metrics`: the persona panels with their thresholds, the
    /// shared metrics, the alerts active at `options.atMs` (default: the history's last time)
    /// after `options.history` (alert events in time order) and each metric's history.
    #[wasm_bindgen(unchecked_return_type = "StatusReport")]
    pub fn status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
        #[wasm_bindgen(unchecked_param_type = "StatusOptions | null | undefined")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let metrics = convert::metrics_to_json(&metrics)?;
        let options = convert::host_value(options.as_ref())?;
        parsed(&guard(|| self.inner.status(&metrics, &options))?)
    }

    /// `status` rendered as `kiro status` renders it: `options.format` `"human"` (the
    /// default), `"markdown"`, `"html"` (a self-contained page) or `"json"`.
    #[wasm_bindgen(js_name = renderStatus)]
    pub fn render_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Metrics")] metrics: JsValue,
        #[wasm_bindgen(unchecked_param_type = "StatusOptions | null | undefined")] options: Option<
            JsValue,
        >,
    ) -> Result<String, JsValue> {
        let metrics = convert::metrics_to_json(&metrics)?;
        let options = convert::host_value(options.as_ref())?;
        Ok(guard(|| self.inner.render_status(&metrics, &options))?)
    }

    /// A decision or run result of this policy (what `check` or `run` gave) rendered as the
    /// CLI renders it: `format` `"human"` (the default), `"markdown"`, `"junit"` or `"json"`.
    pub fn render(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Decision | RunResult")] saved: JsValue,
        #[wasm_bindgen(unchecked_param_type = "'human' | 'markdown' | 'junit' | 'json' | null")]
        format: JsValue,
    ) -> Result<String, JsValue> {
        let saved = convert::host_value(Some(&saved))?;
        let format = convert::host_value(Some(&format))?;
        Ok(guard(|| self.inner.render(&saved, &format))?)
    }

    /// Runs the cases of a policy test file's text (docs/testing-policies.md) against this
    /// policy. A failed case is a result, not an error; a malformed test file throws
    /// `KIRO-E176` or `E177`.
    #[wasm_bindgen(unchecked_return_type = "PolicyTestReport")]
    pub fn test(&self, text: &str) -> Result<JsValue, JsValue> {
        parsed(&guard(|| self.inner.test(text))?)
    }
}

/// The reports `reports` (`{kind, file, text}` objects) read and merged: the metrics each
/// gives, with the file and place every value came from.
#[wasm_bindgen(js_name = readEvidence, unchecked_return_type = "EvidenceSummary")]
pub fn read_evidence(
    #[wasm_bindgen(unchecked_param_type = "EvidenceReport[]")] reports: JsValue,
) -> Result<JsValue, JsValue> {
    let reports = convert::host_value(Some(&reports))?;
    parsed(&guard(|| kiro::api::evidence::summarize(&reports, UNIT))?)
}

/// Fits a defect-risk model on change data given as CSV text (as `kiro risk fit` reads it):
/// the model file's text, byte for byte what the CLI writes.
#[wasm_bindgen(js_name = fitModel)]
pub fn fit_model(
    #[wasm_bindgen(unchecked_param_type = "string")] csv: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "boolean | null")] normalised: Option<JsValue>,
) -> Result<String, JsValue> {
    let csv = convert::text_argument(&csv, "csv")?;
    let normalised = match normalised.filter(|n| !n.is_null() && !n.is_undefined()) {
        None => false,
        Some(n) => n.as_bool().ok_or_else(|| {
            Failure::from(BoundaryError::new(
                ErrorKind::Input,
                Diagnostic::error(Code::InvalidValue, "`normalised` must be a boolean"),
            ))
        })?,
    };
    Ok(guard(|| kiro::api::risk::fit_model(&csv, normalised))?)
}

/// Scores changes (an object of change metrics, or an array of them) with a model file's
/// text: each change's probability, level, every metric's contribution and mitigations.
#[wasm_bindgen(js_name = scoreChanges, unchecked_return_type = "ChangeScore[]")]
pub fn score_changes(
    #[wasm_bindgen(unchecked_param_type = "string")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, number> | Record<string, number>[]")]
    changes: JsValue,
) -> Result<JsValue, JsValue> {
    let model = convert::text_argument(&model, "model")?;
    let changes = convert::host_value(Some(&changes))?;
    parsed(&guard(|| kiro::api::risk::score_changes(&model, &changes))?)
}

/// Evaluates a model file's text on labelled change data given as CSV text (as `kiro risk
/// evaluate` reads it): the model's and the lines-added baseline's figures.
#[wasm_bindgen(js_name = evaluateModel, unchecked_return_type = "Evaluation")]
pub fn evaluate_model(
    #[wasm_bindgen(unchecked_param_type = "string")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] csv: JsValue,
) -> Result<JsValue, JsValue> {
    let model = convert::text_argument(&model, "model")?;
    let csv = convert::text_argument(&csv, "csv")?;
    parsed(&guard(|| kiro::api::risk::evaluate_model(&model, &csv))?)
}

/// Every problem in a policy text, offsets in UTF-16 code units; empty when it is valid.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "\"yaml\" | \"json\" | \"toml\" | null")] format: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let text = convert::text_argument(&text, "text")?;
    let format = decode_format(&convert::host_value(format.as_ref())?).map_err(Failure::from)?;
    let diagnostics = catch(|| validate_text(&text, format, UNIT))?;
    convert::to_js(&diagnostics)
}

/// The JSON Schema of the policy format.
#[wasm_bindgen(js_name = policySchema, unchecked_return_type = "Record<string, unknown>")]
pub fn policy_schema() -> Result<JsValue, JsValue> {
    convert::to_js(&catch(kiro::policy_schema)?)
}

/// The version of the kiro engine.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    kiro::VERSION.to_owned()
}

/// Every error code the engine can report, in order (`KIRO-E001` …).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCode[]")]
#[must_use]
pub fn error_codes() -> Vec<String> {
    Code::ALL.iter().map(|c| c.as_str().to_owned()).collect()
}

/// A `KiroError` for the package's JavaScript guard (`js/guard.mjs`) to throw: `KIRO-E099`
/// (kind `internal`) when `internal`, after a trap it replaced the instance for; else
/// `KIRO-E003` (kind `input`) for a misuse it stopped before the call reached the instance. Not
/// part of the API: the guard does not export it.
#[wasm_bindgen(js_name = __kiroError)]
#[must_use]
pub fn guard_error(internal: bool, message: &str) -> JsValue {
    let error = if internal {
        BoundaryError::internal(message)
    } else {
        BoundaryError::new(
            ErrorKind::Input,
            Diagnostic::error(Code::InvalidValue, message),
        )
    };
    Failure::from(error).into_js()
}

/// Allocates until the instance runs out of memory (which traps: allocation failure aborts),
/// for the test that the instance is replaced after it and later calls work.
#[wasm_bindgen(js_name = _oomForTest)]
pub fn oom_for_test() {
    let mut held: Vec<Vec<u8>> = Vec::new();
    loop {
        // 1 GiB at a time, never touched: the test costs address space, not memory.
        held.push(std::hint::black_box(Vec::with_capacity(1 << 30)));
    }
}

/// Panics inside the binding's panic guard, for the test that panics become `KIRO-E099`.
#[wasm_bindgen(js_name = _panicForTest)]
#[expect(clippy::panic, reason = "the test needs a real panic")]
pub fn panic_for_test() -> Result<(), JsValue> {
    let result: Result<(), Failure> = catch(|| panic!("panic requested by _panicForTest"));
    Ok(result?)
}
