//! `Monitor`: the core's rollback-trigger monitor (`kiro::api::HostMonitor`) for Python.
//!
//! It only converts: an event (a dict in the JSON form of `docs/monitor.md`, or the arguments
//! of `observe`, `tick`, `approve`, `reject`, `abort`, `end`) in, the decision out as the
//! core's JSON shape (through [`convert::to_py`]). Every decision is the core's; a refused event
//! raises `InputError` with the core's code and leaves the monitor as it was.

use crate::machine::{self, Machine};
use kiro::monitor::MonitorState;
use pyo3::prelude::*;

/// A monitor of a policy's rollback triggers, fed the host's events one at a time. Made by
/// `Policy.start_monitor` and `Policy.restore_monitor`.
#[pyclass(module = "kiro", name = "Monitor", frozen)]
pub struct Monitor {
    pub(crate) inner: Machine<MonitorState>,
}

impl Monitor {
    /// Takes the event of type `kind` with `fields` (absent when `None`).
    fn take<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        fields: &[(&str, Option<&Bound<'py, PyAny>>)],
    ) -> PyResult<Bound<'py, PyAny>> {
        self.inner.take(py, &machine::event(kind, fields)?)
    }
}

#[pymethods]
impl Monitor {
    /// Takes one event (a dict: `{"type": "observe", "at_ms": 0, "values": {...}}`, as in
    /// `docs/monitor.md`) and returns the decision at it.
    fn step<'py>(&self, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.step(event)
    }

    /// Metric readings observed at `at_ms`: per metric a value in its declared unit, a string
    /// with a unit, a bool, `None` (no data), `float("nan")` or `"NaN"` (not a number) or
    /// `{"error": "..."}` (the source failed); a declared metric not listed has no data.
    fn observe<'py>(
        &self,
        at_ms: &Bound<'py, PyAny>,
        values: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fields = [("at_ms", Some(at_ms)), ("values", Some(values))];
        self.take(at_ms.py(), "observe", &fields)
    }

    /// Time passes without an observation: approval timeouts are decided.
    fn tick<'py>(&self, at_ms: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.take(at_ms.py(), "tick", &[("at_ms", Some(at_ms))])
    }

    /// `who` approves, as `persona`, the action the manual trigger `trigger` waits for.
    fn approve<'py>(
        &self,
        at_ms: &Bound<'py, PyAny>,
        trigger: &Bound<'py, PyAny>,
        who: &Bound<'py, PyAny>,
        persona: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fields = [
            ("at_ms", Some(at_ms)),
            ("trigger", Some(trigger)),
            ("who", Some(who)),
            ("persona", Some(persona)),
        ];
        self.take(at_ms.py(), "approve", &fields)
    }

    /// `who` rejects, as `persona`, the action the manual trigger `trigger` waits for: the
    /// trigger starts over.
    fn reject<'py>(
        &self,
        at_ms: &Bound<'py, PyAny>,
        trigger: &Bound<'py, PyAny>,
        who: &Bound<'py, PyAny>,
        persona: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fields = [
            ("at_ms", Some(at_ms)),
            ("trigger", Some(trigger)),
            ("who", Some(who)),
            ("persona", Some(persona)),
        ];
        self.take(at_ms.py(), "reject", &fields)
    }

    /// The analysis is stopped from outside (`reason`: why, as the host tells it); the final
    /// verdict says what was seen.
    #[pyo3(signature = (at_ms, reason = None))]
    fn abort<'py>(
        &self,
        at_ms: &Bound<'py, PyAny>,
        reason: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let reason = reason.filter(|r| !r.is_none());
        self.take(
            at_ms.py(),
            "abort",
            &[("at_ms", Some(at_ms)), ("reason", reason)],
        )
    }

    /// The analysis reaches its planned end; the final verdict says what was seen.
    fn end<'py>(&self, at_ms: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.take(at_ms.py(), "end", &[("at_ms", Some(at_ms))])
    }

    /// The monitor saved as canonical JSON text (continue it with `Policy.restore_monitor`).
    fn snapshot(&self) -> PyResult<String> {
        self.inner.snapshot()
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end).
    #[getter]
    fn ended(&self) -> bool {
        self.inner.lock().is_ended()
    }

    fn __repr__(&self) -> String {
        let ended = if self.ended() { "True" } else { "False" };
        format!("<kiro.Monitor ended={ended}>")
    }
}
