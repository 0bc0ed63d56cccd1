//! `Alerts`: the core's alert engine (`kiro::api::HostAlerts`) for Python. It only converts: an
//! event dict in the JSON form of `docs/alerts.md` in, the decision (the notifications,
//! escalations and every other effect, as data the host sends) out as the core's JSON shape; a
//! refused event raises the core's coded error and leaves the engine as it was.

use crate::machine::Machine;
use kiro::alert::AlertState;
use pyo3::prelude::*;

/// The alert engine of a policy, fed the host's events (observations, external alerts, acks,
/// silences, ticks) one at a time. Made by `Policy.start_alerts` and `Policy.restore_alerts`.
#[pyclass(module = "kiro", name = "Alerts", frozen)]
pub struct Alerts {
    pub(crate) inner: Machine<AlertState>,
}

#[pymethods]
impl Alerts {
    /// Takes one event (a dict: `{"type": "tick", "at_ms": 0}`, as in `docs/alerts.md`) and
    /// returns the decision at it, with the effects the host carries out.
    fn step<'py>(&self, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.step(event)
    }

    /// The engine saved as canonical JSON text (continue it with `Policy.restore_alerts`).
    fn snapshot(&self) -> PyResult<String> {
        self.inner.snapshot()
    }

    /// When the host should send the next tick at the latest (ms on its clock), or `None`
    /// when no timer is set.
    #[getter]
    fn wake_at_ms(&self) -> Option<u64> {
        self.inner.lock().wake_at_ms()
    }

    fn __repr__(&self) -> String {
        format!("<kiro.Alerts wake_at_ms={:?}>", self.wake_at_ms())
    }
}
