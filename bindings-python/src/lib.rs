//! The native module `kiro._kiro`. It only wires: each function converts its arguments
//! (`convert`), calls the core's boundary API and maps failures (`error`). The `kiro` Python
//! package re-exports everything with docstrings and type stubs.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
mod alerts;
mod columns;
mod convert;
mod error;
mod machine;
mod metrics;
mod monitor;
mod options;
mod release;
mod run;
mod serializer;
mod test_hooks;

use error::raise;
use kiro::alert::AlertState;
use kiro::api::{HostPolicy, HostRisk, StartRunOptions, decode_at_ms, validate_text};
use kiro::gate::RecordVerdict;
use kiro::monitor::MonitorState;
use kiro::release::ReleaseState;
use kiro::{Code, OffsetUnit, catch_panic, guard};
use machine::Machine;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// A compiled policy: load it once, check many times. Immutable and safe to share between
/// threads.
#[pyclass(module = "kiro", name = "Policy", frozen)]
struct Policy {
    inner: HostPolicy,
}

/// Python strings are indexed by code points: every label offset is given in them.
const UNIT: OffsetUnit = OffsetUnit::CodePoints;

#[pymethods]
impl Policy {
    /// Compiles a policy from text. `format` is `"yaml"`, `"json"` or `"toml"`; `None` detects
    /// it from the text. `imports` maps each path the policy imports to its text
    /// (docs/composition.md). Raises `PolicyError` with every problem found.
    #[staticmethod]
    #[pyo3(signature = (text, format = None, imports = None))]
    fn from_text(
        py: Python<'_>,
        text: PyBackedStr,
        format: Option<&Bound<'_, PyAny>>,
        imports: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let format = options::format(format)?;
        let imports = options::value(imports).map_err(raise)?;
        let inner = py.detach(|| guard(|| HostPolicy::load_with(&text, format, &imports, UNIT)));
        Ok(Self {
            inner: inner.map_err(raise)?,
        })
    }

    /// Compiles a policy from a file. The format comes from `format`, else the file extension
    /// (`.yaml`, `.yml`, `.json`, `.toml`), else the text. Only a regular file is read (else
    /// `OSError`, without waiting for a FIFO's writer), and at most 16 MiB of it (else
    /// `PolicyError`, `KIRO-E006`).
    #[staticmethod]
    #[pyo3(signature = (path, format = None))]
    fn from_path(
        py: Python<'_>,
        path: PathBuf,
        format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let (text, format) = convert::read_policy(py, &path, options::format(format)?)?;
        let inner = py.detach(|| guard(|| HostPolicy::load(&text, format, UNIT)));
        Ok(Self {
            inner: inner.map_err(raise)?,
        })
    }

    /// The policy's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.compiled().name()
    }

    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    #[getter]
    fn hash(&self) -> &str {
        self.inner.compiled().hash()
    }

    /// The declared metric names, sorted.
    #[getter]
    fn metric_names(&self) -> Vec<&str> {
        self.inner.compiled().metric_names()
    }

    /// The gate names, in policy order.
    #[getter]
    fn gate_names(&self) -> Vec<&str> {
        self.inner.compiled().gate_names()
    }

    /// Checks one set of metrics and returns the decision as a dict. `history` (earlier runs)
    /// and `branch` feed `baseline(metric)` in conditions (docs/baselines.md).
    #[pyo3(signature = (metrics, gate = None, kind = None, strict = None, history = None, branch = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn check<'py>(
        &self,
        py: Python<'py>,
        metrics: &Bound<'py, PyAny>,
        gate: Option<&Bound<'py, PyAny>>,
        kind: Option<&Bound<'py, PyAny>>,
        strict: Option<&Bound<'py, PyAny>>,
        history: Option<&Bound<'py, PyAny>>,
        branch: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let baseline = options::Baseline { history, branch };
        let options = options::check_options(gate, kind, strict, baseline)?;
        let metrics = convert::metrics_to_json(metrics)?;
        let decision = guard(|| self.inner.check_with(&metrics, &options)).map_err(raise)?;
        convert::to_py(py, &decision)
    }

    /// The verdict of one set of metrics and each criterion's outcome (`{"verdict",
    /// "criteria"}`), without explanations: the verdict `check` gives, faster, for loops over
    /// records. The same errors as `check` for the same input.
    #[pyo3(signature = (metrics, gate = None, kind = None, strict = None, history = None, branch = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn verdict<'py>(
        &self,
        py: Python<'py>,
        metrics: &Bound<'py, PyAny>,
        gate: Option<&Bound<'py, PyAny>>,
        kind: Option<&Bound<'py, PyAny>>,
        strict: Option<&Bound<'py, PyAny>>,
        history: Option<&Bound<'py, PyAny>>,
        branch: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let baseline = options::Baseline { history, branch };
        let options = options::check_options(gate, kind, strict, baseline)?;
        let metrics = convert::metrics_to_json(metrics)?;
        let mut out = RecordVerdict::new();
        guard(|| self.inner.verdict_into(&metrics, &options, &mut out)).map_err(raise)?;
        convert::to_py(py, &out)
    }

    /// Checks many records given as columns (or a pandas, Polars or pyarrow frame); the GIL
    /// is released while the engine runs. `nan`: `None` (pandas' NaN is no data, elsewhere
    /// NaN makes its record invalid), `"missing"` (NaN is always no data) or `"error"` (NaN
    /// is never no data).
    #[pyo3(signature = (columns, gate = None, kind = None, strict = None, nan = None))]
    fn check_batch<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyAny>,
        gate: Option<&Bound<'py, PyAny>>,
        kind: Option<&Bound<'py, PyAny>>,
        strict: Option<&Bound<'py, PyAny>>,
        nan: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = options::check_options(gate, kind, strict, options::Baseline::default())?;
        let batch = convert::batch(columns, columns::Nan::from_arg(nan)?)?;
        let result = py.detach(|| guard(|| self.inner.check_batch_with(&batch, &options)));
        convert::batch_result(py, &result.map_err(raise)?)
    }

    /// The plan of the policy's pipeline (waves, critical path, slack) as a dict. Raises
    /// `InputError` (`KIRO-E033`) when the policy has no pipeline.
    fn plan<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let plan = guard(|| self.inner.plan()).map_err(raise)?;
        convert::to_py(py, plan)
    }

    /// Starts a run of the policy's pipeline driven by the caller's event loop, with an action
    /// for each stage named in `actions` (the others succeed at once). `Policy.run` uses it;
    /// see `kiro._run`. Raises `InputError`: `KIRO-E033` without a pipeline, `KIRO-E005` for
    /// an action that names no stage, `KIRO-E003` for bad options.
    #[pyo3(signature = (actions, max_parallel = None, fail_fast = None))]
    fn _start_run(
        &self,
        actions: Vec<String>,
        max_parallel: Option<&Bound<'_, PyAny>>,
        fail_fast: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<run::PipelineRun> {
        let options = options::object(&[("max_parallel", max_parallel), ("fail_fast", fail_fast)])
            .and_then(|o| StartRunOptions::decode(&o))
            .map_err(raise)?
            .run_options();
        run::PipelineRun::start(
            self.inner.compiled(),
            &actions,
            options.max_parallel,
            options.fail_fast,
        )
    }

    /// Continues a run saved with `PipelineRun.snapshot()` under this policy. Raises
    /// `InputError`: `KIRO-E041` when it was saved under another policy, `KIRO-E040` for text
    /// that is not a saved run.
    fn restore_run(&self, state: &str) -> PyResult<run::PipelineRun> {
        run::PipelineRun::restore(self.inner.compiled(), state)
    }

    /// Replays the event log of `PipelineRun.log()` under this policy: the same run, byte for
    /// byte.
    fn replay_run(&self, log: &str) -> PyResult<run::PipelineRun> {
        run::PipelineRun::replay(self.inner.compiled(), log)
    }

    /// Starts a monitor of the policy's rollback triggers (see `Monitor`). Raises `InputError`
    /// (`KIRO-E053`) when the policy has no triggers.
    fn start_monitor(&self) -> PyResult<monitor::Monitor> {
        Machine::start(self.inner.compiled()).map(|inner| monitor::Monitor { inner })
    }

    /// Continues a monitor saved with `Monitor.snapshot()` under this policy. Raises
    /// `InputError`: `KIRO-E041` when it was saved under another policy, `KIRO-E040` for text
    /// that is not a saved monitor.
    fn restore_monitor(&self, state: &Bound<'_, PyAny>) -> PyResult<monitor::Monitor> {
        Machine::restore(self.inner.compiled(), state).map(|inner| monitor::Monitor { inner })
    }

    /// Runs a list of events from a new monitor: `{"decisions": [...], "state": str}`, the
    /// same decisions and state, byte for byte, as stepping a monitor through them.
    fn replay_monitor<'py>(&self, events: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        machine::replay::<MonitorState>(self.inner.compiled(), events)
    }

    /// Starts a release through the policy's environments (see `Release`). Raises
    /// `InputError` (`KIRO-E104`) when the policy has no environments.
    fn start_release(&self) -> PyResult<release::Release> {
        Machine::start(self.inner.compiled()).map(|inner| release::Release { inner })
    }

    /// Continues a release saved with `Release.snapshot()` under this policy.
    fn restore_release(&self, state: &Bound<'_, PyAny>) -> PyResult<release::Release> {
        Machine::restore(self.inner.compiled(), state).map(|inner| release::Release { inner })
    }

    /// Runs a list of events from a new release: `{"decisions": [...], "state": str}`, the
    /// same decisions and state, byte for byte, as stepping a release through them.
    fn replay_release<'py>(&self, events: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        machine::replay::<ReleaseState>(self.inner.compiled(), events)
    }

    /// The whole path a release takes (environments, approvals, steps) with every window
    /// shown at `at_ms` (ms since the Unix epoch, on the caller's clock), as a dict.
    fn release_plan<'py>(
        &self,
        py: Python<'py>,
        at_ms: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at_ms = options::value(Some(at_ms))
            .and_then(|v| decode_at_ms(&v))
            .map_err(raise)?;
        let plan = guard(|| self.inner.release_plan(at_ms)).map_err(raise)?;
        convert::to_py(py, &plan)
    }

    /// Starts the policy's alert engine (see `Alerts`). Raises `InputError` (`KIRO-E138`)
    /// when the policy has no `alerts`.
    fn start_alerts(&self) -> PyResult<alerts::Alerts> {
        Machine::start(self.inner.compiled()).map(|inner| alerts::Alerts { inner })
    }

    /// Continues an alert engine saved with `Alerts.snapshot()` under this policy.
    fn restore_alerts(&self, state: &Bound<'_, PyAny>) -> PyResult<alerts::Alerts> {
        Machine::restore(self.inner.compiled(), state).map(|inner| alerts::Alerts { inner })
    }

    /// Runs a list of events from a new alert engine: `{"decisions": [...], "state": str}`.
    fn replay_alerts<'py>(&self, events: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        machine::replay::<AlertState>(self.inner.compiled(), events)
    }

    /// Scores the policy's risk models (all, or `model`) on `metrics`, with the blast radius
    /// of a change to the components `changed` when a factor reads it: a list of reports,
    /// every factor's contribution explained.
    #[pyo3(signature = (metrics, changed = None, model = None))]
    fn score_risk<'py>(
        &self,
        py: Python<'py>,
        metrics: &Bound<'py, PyAny>,
        changed: Option<&Bound<'py, PyAny>>,
        model: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let metrics = convert::metrics_to_json(metrics)?;
        let options = options::object(&[("changed", changed), ("model", model)]).map_err(raise)?;
        let risk = HostRisk::new(&self.inner);
        let reports = guard(|| risk.score_value(&metrics, &options));
        convert::to_py(py, &reports.map_err(raise)?)
    }

    /// Checks the policy's gates (all, or `gate`) at the risk level `model` gives the change
    /// (risk-based gating): the decision with every bypass and the level that allowed it.
    #[pyo3(signature = (metrics, model, changed = None, gate = None))]
    fn check_at_risk<'py>(
        &self,
        py: Python<'py>,
        metrics: &Bound<'py, PyAny>,
        model: &Bound<'py, PyAny>,
        changed: Option<&Bound<'py, PyAny>>,
        gate: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let metrics = convert::metrics_to_json(metrics)?;
        let model = options::value(Some(model)).map_err(raise)?;
        let options = options::object(&[("changed", changed), ("gate", gate)]).map_err(raise)?;
        let risk = HostRisk::new(&self.inner);
        let gated = guard(|| risk.check_value(&metrics, &model, &options));
        convert::to_py(py, &gated.map_err(raise)?)
    }

    /// The blast radius of a change to the components `changed`, from the policy's
    /// dependency graph.
    fn blast_radius<'py>(
        &self,
        py: Python<'py>,
        changed: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let changed = options::value(Some(changed)).map_err(raise)?;
        let blast = guard(|| HostRisk::new(&self.inner).blast_value(&changed)).map_err(raise)?;
        convert::to_py(py, &blast)
    }

    /// Checks the metrics read from `reports` (a list of `{"kind", "file", "text"}` dicts:
    /// JUnit, coverage, SARIF or Lighthouse reports the caller read), with `metrics` beside
    /// them, and returns the decision as a dict.
    #[pyo3(signature = (reports, metrics = None, gate = None, kind = None, strict = None, history = None, branch = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn check_evidence<'py>(
        &self,
        py: Python<'py>,
        reports: &Bound<'py, PyAny>,
        metrics: Option<&Bound<'py, PyAny>>,
        gate: Option<&Bound<'py, PyAny>>,
        kind: Option<&Bound<'py, PyAny>>,
        strict: Option<&Bound<'py, PyAny>>,
        history: Option<&Bound<'py, PyAny>>,
        branch: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let baseline = options::Baseline { history, branch };
        let options = options::check_options(gate, kind, strict, baseline)?;
        let reports = options::value(Some(reports)).map_err(raise)?;
        let metrics = match metrics.filter(|m| !m.is_none()) {
            Some(m) => convert::metrics_to_json(m)?,
            None => serde_json::Value::Null,
        };
        let decision =
            guard(|| self.inner.check_evidence(&reports, &metrics, &options)).map_err(raise)?;
        convert::to_py(py, &decision)
    }

    /// The dashboard's health for `metrics`: every persona panel and shared metric, as a dict.
    /// Raises `InputError` (`KIRO-E030`) when the policy has no `health`.
    fn health<'py>(
        &self,
        py: Python<'py>,
        metrics: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let metrics = convert::metrics_to_json(metrics)?;
        let report = guard(|| self.inner.health(&metrics)).map_err(raise)?;
        convert::to_py(py, &report)
    }

    /// The unified dashboard for `metrics`: the persona panels with their thresholds, the
    /// shared metrics, the alerts active at `at_ms` (default: the history's last time) after
    /// `history` (alert events in time order) and each metric's history, as a dict.
    #[pyo3(signature = (metrics, *, history = None, at_ms = None))]
    fn status<'py>(
        &self,
        py: Python<'py>,
        metrics: &Bound<'py, PyAny>,
        history: Option<&Bound<'py, PyAny>>,
        at_ms: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let metrics = convert::metrics_to_json(metrics)?;
        let options = options::object(&[("history", history), ("at_ms", at_ms)]).map_err(raise)?;
        let report = guard(|| self.inner.status(&metrics, &options)).map_err(raise)?;
        convert::to_py(py, &report)
    }

    /// [`status`] rendered as `kiro status` renders it: `format` `"human"` (the default),
    /// `"markdown"`, `"html"` (a self-contained page) or `"json"`.
    #[pyo3(signature = (metrics, *, history = None, at_ms = None, format = None))]
    fn render_status(
        &self,
        metrics: &Bound<'_, PyAny>,
        history: Option<&Bound<'_, PyAny>>,
        at_ms: Option<&Bound<'_, PyAny>>,
        format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let metrics = convert::metrics_to_json(metrics)?;
        let options =
            options::object(&[("history", history), ("at_ms", at_ms), ("format", format)])
                .map_err(raise)?;
        guard(|| self.inner.render_status(&metrics, &options)).map_err(raise)
    }

    /// A decision or run result of this policy (the dict `check` or `run` gave) rendered as
    /// the CLI renders it: `format` `"human"` (the default), `"markdown"`, `"junit"` or
    /// `"json"`.
    #[pyo3(signature = (saved, format = None))]
    fn render(
        &self,
        saved: &Bound<'_, PyAny>,
        format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let saved = options::value(Some(saved)).map_err(raise)?;
        let format = options::value(format).map_err(raise)?;
        guard(|| self.inner.render(&saved, &format)).map_err(raise)
    }

    /// Runs the cases of a policy test file's text (docs/testing-policies.md) against this
    /// policy: every case's result, as a dict. A failed case is a result, not an error; a
    /// malformed test file raises `InputError` (`KIRO-E176`, `E177`).
    fn test<'py>(&self, py: Python<'py>, text: PyBackedStr) -> PyResult<Bound<'py, PyAny>> {
        let report = guard(|| self.inner.test(&text)).map_err(raise)?;
        convert::to_py(py, &report)
    }

    /// Runs the policy's pipeline with Python callables as the stages' actions and returns
    /// the run's result as a dict. Implemented in `kiro._run.run`.
    #[pyo3(signature = (actions, *, max_parallel = None, fail_fast = None, on_event = None))]
    fn run<'py>(
        slf: &Bound<'py, Self>,
        actions: &Bound<'py, PyAny>,
        max_parallel: Option<&Bound<'py, PyAny>>,
        fail_fast: Option<&Bound<'py, PyAny>>,
        on_event: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        delegate(slf, "run", actions, max_parallel, fail_fast, on_event)
    }

    /// `Policy.run` as a coroutine, for a running event loop. Implemented in
    /// `kiro._run.run_async`.
    #[pyo3(signature = (actions, *, max_parallel = None, fail_fast = None, on_event = None))]
    fn run_async<'py>(
        slf: &Bound<'py, Self>,
        actions: &Bound<'py, PyAny>,
        max_parallel: Option<&Bound<'py, PyAny>>,
        fail_fast: Option<&Bound<'py, PyAny>>,
        on_event: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        delegate(slf, "run_async", actions, max_parallel, fail_fast, on_event)
    }

    fn __repr__(&self) -> String {
        format!(
            "<kiro.Policy name={:?} hash={:?}>",
            self.inner.compiled().name(),
            self.inner.compiled().hash()
        )
    }
}

/// Calls `kiro._run.<function>(policy, actions, max_parallel=…, fail_fast=…, on_event=…)`:
/// running with Python callables is event-loop glue, written in Python (the class is
/// immutable, so its methods are native and delegate).
fn delegate<'py>(
    policy: &Bound<'py, Policy>,
    function: &str,
    actions: &Bound<'py, PyAny>,
    max_parallel: Option<&Bound<'py, PyAny>>,
    fail_fast: Option<&Bound<'py, PyAny>>,
    on_event: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = policy.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("max_parallel", max_parallel)?;
    kwargs.set_item("fail_fast", fail_fast)?;
    kwargs.set_item("on_event", on_event)?;
    py.import("kiro._run")?
        .getattr(function)?
        .call((policy, actions), Some(&kwargs))
}

/// Every problem in a policy text, as a list of diagnostic dicts (offsets in code points);
/// empty when it is valid.
#[pyfunction]
#[pyo3(signature = (text, format = None))]
fn validate<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    format: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let format = options::format(format)?;
    let diagnostics = py.detach(|| catch_panic(|| validate_text(&text, format, UNIT)));
    let diagnostics = diagnostics.map_err(raise)?;
    convert::to_py(py, &diagnostics)
}

/// The reports `reports` (a list of `{"kind", "file", "text"}` dicts) read and merged: the
/// metrics each gives, with the file and place every value came from.
#[pyfunction]
fn read_evidence<'py>(py: Python<'py>, reports: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let reports = options::value(Some(reports)).map_err(raise)?;
    let summary = py.detach(|| guard(|| kiro::api::evidence::summarize(&reports, UNIT)));
    convert::to_py(py, &summary.map_err(raise)?)
}

/// Fits a defect-risk model on change data given as CSV text (as `kiro risk fit` reads it):
/// the model file's text, byte for byte what the CLI writes. The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (csv, normalised = false))]
fn fit_model(py: Python<'_>, csv: PyBackedStr, normalised: bool) -> PyResult<String> {
    py.detach(|| guard(|| kiro::api::risk::fit_model(&csv, normalised)))
        .map_err(raise)
}

/// Scores changes (a dict of change metrics, or a list of them) with a model file's text:
/// each change's probability, level, every metric's contribution and mitigations.
#[pyfunction]
fn score_changes<'py>(
    py: Python<'py>,
    model: PyBackedStr,
    changes: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let changes = options::value(Some(changes)).map_err(raise)?;
    let scores = guard(|| kiro::api::risk::score_changes(&model, &changes)).map_err(raise)?;
    convert::to_py(py, &scores)
}

/// Evaluates a model file's text on labelled change data given as CSV text (as `kiro risk
/// evaluate` reads it): the model's and the lines-added baseline's figures. The GIL is
/// released meanwhile.
#[pyfunction]
fn evaluate_model<'py>(
    py: Python<'py>,
    model: PyBackedStr,
    csv: PyBackedStr,
) -> PyResult<Bound<'py, PyAny>> {
    let evaluation = py
        .detach(|| guard(|| kiro::api::risk::evaluate_model(&model, &csv)))
        .map_err(raise)?;
    convert::to_py(py, &evaluation)
}

/// The JSON Schema of the policy format, as a dict.
#[pyfunction]
fn policy_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    convert::to_py(py, &catch_panic(kiro::policy_schema).map_err(raise)?)
}

/// The version of the kiro engine.
#[pyfunction]
fn version() -> &'static str {
    kiro::VERSION
}

/// Every error code the engine can report, in order (`KIRO-E001` …).
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    Code::ALL.iter().map(|c| c.as_str()).collect()
}

/// Panics inside the binding's panic guard, for the test that panics become `InternalError`.
#[pyfunction]
#[expect(clippy::panic, reason = "the test needs a real panic")]
fn _panic_for_test() -> PyResult<()> {
    let result: Result<(), kiro::BoundaryError> =
        catch_panic(|| panic!("panic requested by _panic_for_test"));
    result.map_err(raise)
}

/// The native part of the `kiro` package.
#[pymodule]
fn _kiro(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Policy>()?;
    m.add_class::<run::PipelineRun>()?;
    m.add_class::<monitor::Monitor>()?;
    m.add_class::<release::Release>()?;
    m.add_class::<alerts::Alerts>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(read_evidence, m)?)?;
    m.add_function(wrap_pyfunction!(fit_model, m)?)?;
    m.add_function(wrap_pyfunction!(score_changes, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate_model, m)?)?;
    m.add_function(wrap_pyfunction!(policy_schema, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(test_hooks::_serialized_for_test, m)?)?;
    m.add("KiroError", py.get_type::<error::KiroError>())?;
    m.add("PolicyError", py.get_type::<error::PolicyError>())?;
    m.add("InputError", py.get_type::<error::InputError>())?;
    m.add("EvaluationError", py.get_type::<error::EvaluationError>())?;
    m.add("InternalError", py.get_type::<error::InternalError>())?;
    m.add("__version__", kiro::VERSION)?;
    Ok(())
}
