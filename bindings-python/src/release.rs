//! `Release`: the core's release through a policy's environments (`kiro::api::HostRelease`) for
//! Python. It only converts: an event dict in the JSON form of `docs/releases.md` in, the
//! decision out as the core's JSON shape; a refused event raises the core's coded error and
//! leaves the release as it was.

use crate::convert;
use crate::machine::Machine;
use kiro::release::ReleaseState;
use pyo3::prelude::*;

/// A release of a policy's change through its environments, fed the host's events (approvals,
/// gate verdicts, deployments, analyses …) one at a time. Made by `Policy.start_release` and
/// `Policy.restore_release`.
#[pyclass(module = "kiro", name = "Release", frozen)]
pub struct Release {
    pub(crate) inner: Machine<ReleaseState>,
}

#[pymethods]
impl Release {
    /// Takes one event (a dict: `{"type": "approve", "at_ms": 0, …}`, as in
    /// `docs/releases.md`) and returns the decision at it: the next instruction and why.
    fn step<'py>(&self, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.step(event)
    }

    /// The release saved as canonical JSON text (continue it with `Policy.restore_release`).
    fn snapshot(&self) -> PyResult<String> {
        self.inner.snapshot()
    }

    /// Whether the release is done (released everywhere, or rejected).
    #[getter]
    fn done(&self) -> bool {
        self.inner.lock().is_done()
    }

    /// What the release waits for now and what would unblock it, as a dict; `None` when done.
    #[getter]
    fn next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_py(py, &self.inner.lock().next())
    }

    /// Every approval, rejection, override, human action and instruction so far, in order.
    fn log<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_py(py, self.inner.lock().log())
    }

    fn __repr__(&self) -> String {
        let done = if self.done() { "True" } else { "False" };
        format!("<kiro.Release done={done}>")
    }
}
