//! The native half of `Policy.run`: [`PipelineRun`] wraps the core's host-driven run
//! (`kiro::pipeline::HostRun`) for an event loop written in Python (`kiro._run`, asyncio).
//!
//! It only converts: the time and completions in, the requests, events and result out (as the
//! core's JSON shapes, through [`convert::to_py`]). Every decision (order, `needs`,
//! `max_parallel`, timeouts, retries and backoff, exit gates, fail-fast, interruption) is the
//! core's.

use crate::convert;
use crate::error::{KiroError, raise};
use kiro::api::convert::{HostError, attempt_report, failed_attempt};
use kiro::pipeline::{HostRun, RunOptions, StageReport};
use kiro::{CompiledPolicy, MetricsInput, catch_panic, guard};
use pyo3::prelude::*;
use std::sync::{Mutex, PoisonError};

/// A run of a policy's pipeline driven by a host's event loop: `step(now_ms)` says what to do
/// (start or cancel an attempt, set or clear a timer) and what happened; the host reports back
/// with `complete`, `fail` and `fire`. Made by `Policy._start_run`.
#[pyclass(module = "kiro", name = "PipelineRun", frozen)]
pub struct PipelineRun {
    /// The run; a `Mutex` because a frozen class is shared and stepping changes the run.
    inner: Mutex<HostRun>,
}

impl PipelineRun {
    /// A run of `policy`'s pipeline in which the host has an action for each stage named in
    /// `actions`. Raises `InputError`: `KIRO-E033` without a pipeline, `KIRO-E005` for an
    /// action that names no stage.
    pub fn start(
        policy: &CompiledPolicy,
        actions: &[String],
        max_parallel: Option<usize>,
        fail_fast: Option<bool>,
    ) -> PyResult<Self> {
        let names: Vec<&str> = actions.iter().map(String::as_str).collect();
        let options = RunOptions {
            max_parallel,
            fail_fast,
        };
        let run = guard(|| HostRun::new(policy, &names, options)).map_err(raise)?;
        Ok(Self {
            inner: Mutex::new(run),
        })
    }

    /// The run saved with `snapshot()`, continued under `policy`. Raises `InputError`:
    /// `KIRO-E041` for a state saved under another policy, `KIRO-E040` for text that is not a
    /// saved run.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> PyResult<Self> {
        let run = guard(|| HostRun::restore(policy, text)).map_err(raise)?;
        Ok(Self {
            inner: Mutex::new(run),
        })
    }

    /// The run that the event log `log` (from `log()`) leads to, replayed under `policy`.
    pub fn replay(policy: &CompiledPolicy, log: &str) -> PyResult<Self> {
        let run = guard(|| HostRun::replay(policy, log)).map_err(raise)?;
        Ok(Self {
            inner: Mutex::new(run),
        })
    }

    /// Calls `f` on the run with the lock held and panics caught (a panic becomes
    /// `InternalError`; the lock is released before the exception is made).
    fn with<T>(&self, f: impl FnOnce(&mut HostRun) -> T) -> PyResult<T> {
        let outcome = {
            let mut run = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            catch_panic(|| f(&mut run))
        };
        outcome.map_err(raise)
    }
}

#[pymethods]
impl PipelineRun {
    /// Moves the run on at `now_ms` (milliseconds since any fixed origin) and returns
    /// `{"requests": [...], "events": [...], "done": bool}`. Timers due by `now_ms` fire.
    fn step<'py>(&self, py: Python<'py>, now_ms: f64) -> PyResult<Bound<'py, PyAny>> {
        let step = self.with(|run| run.step(now_ms))?;
        convert::to_py(py, &step)
    }

    /// Attempt `id` succeeded with `metrics` (a mapping, or `None` for no observations),
    /// converted as `Policy.check` converts metrics. Metrics that cannot be converted make the
    /// attempt fail with the problem as its detail. Ignored for a cancelled attempt.
    #[pyo3(signature = (id, metrics = None))]
    fn complete(&self, id: u64, metrics: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let report = report(metrics)?;
        self.with(|run| run.complete(id, report))
    }

    /// Attempt `id` failed; `detail` says how: a string, or the exception the action raised
    /// (`Type: message`, as in every binding). `metrics`, when given, are what the failed action
    /// observed anyway (an exit gate with `on_action_failure: gate` decides on them), and
    /// `exit_code` its exit status (for `retry_on`). Ignored for a cancelled attempt.
    #[pyo3(signature = (id, detail, metrics = None, exit_code = None))]
    fn fail(
        &self,
        id: u64,
        detail: &Bound<'_, PyAny>,
        metrics: Option<&Bound<'_, PyAny>>,
        exit_code: Option<i64>,
    ) -> PyResult<()> {
        let failure = match detail.extract::<String>() {
            Ok(text) => StageReport::failure(text),
            Err(_) => host_error(detail).report(),
        };
        let given = metrics
            .filter(|m| !m.is_none())
            .map(|m| report(Some(m)))
            .transpose()?;
        // An exit status past 32 bits is none: the core ignores it.
        #[expect(clippy::cast_precision_loss, reason = "exit statuses are small")]
        let exit_code = exit_code.map(|c| c as f64);
        let report = failed_attempt(failure, given, exit_code);
        self.with(|run| run.complete(id, report))
    }

    /// Timer `id` fired. Ignored for a cleared timer.
    fn fire(&self, id: u64) -> PyResult<()> {
        self.with(|run| run.fire(id))
    }

    /// Interrupts the run: the next `step` cancels the running attempts, skips the pending
    /// stages and ends the run as interrupted.
    fn interrupt(&self) -> PyResult<()> {
        self.with(HostRun::interrupt)
    }

    /// The run's result (the JSON of `kiro run --format json`) once a step said `done`, else
    /// `None`.
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let result = self.with(|run| run.result().cloned())?;
        result.map(|r| convert::to_py(py, &r)).transpose()
    }

    /// The run saved as canonical JSON text as of the last `step` (restore it with
    /// `Policy.restore_run`). Raises `InputError` (`KIRO-E040`) before the first step.
    fn snapshot(&self) -> PyResult<String> {
        self.with(|run| run.snapshot())?.map_err(raise)
    }

    /// Every event the run took, as JSON text (replay it with `Policy.replay_run`).
    fn log(&self) -> PyResult<String> {
        self.with(|run| run.log_json())?.map_err(raise)
    }

    fn __repr__(&self) -> PyResult<String> {
        let done = if self.with(|run| run.result().is_some())? {
            "True"
        } else {
            "False"
        };
        Ok(format!("<kiro.PipelineRun done={done}>"))
    }
}

/// What an attempt that returned `metrics` reports: success with the converted metrics, or a
/// failure whose detail is why they could not be converted.
fn report(metrics: Option<&Bound<'_, PyAny>>) -> PyResult<StageReport> {
    let Some(metrics) = metrics else {
        return Ok(StageReport::success(MetricsInput::default()));
    };
    let value = match convert::metrics_to_json(metrics) {
        Ok(value) => value,
        Err(error) => return Ok(StageReport::failure(detail(metrics.py(), &error))),
    };
    catch_panic(|| attempt_report(Ok(value))).map_err(raise)
}

/// The detail of a conversion error: a kiro error's first diagnostic message, else the Python
/// exception (raised by a mapping's own methods) as a host error.
fn detail(py: Python<'_>, error: &PyErr) -> String {
    let value = error.value(py);
    let message = || -> PyResult<String> {
        value
            .getattr("diagnostics")?
            .get_item(0)?
            .get_item("message")?
            .extract()
    };
    if error.is_instance_of::<KiroError>(py)
        && let Ok(message) = message()
    {
        return message;
    }
    host_error(value.as_any()).detail()
}

/// An exception (or any value the host reports as one) as the core's host error: its type's
/// name and `str()` of it.
fn host_error(error: &Bound<'_, PyAny>) -> HostError {
    let type_name = error
        .get_type()
        .name()
        .map_or_else(|_| "Exception".to_owned(), |n| n.to_string());
    let message = error
        .str()
        .map_or_else(|_| String::new(), |s| s.to_string());
    HostError::new(type_name, message)
}
