//! `Monitor`: the core's rollback-trigger monitor (`kiro::api::HostMonitor`) for Python.
//!
//! It only converts: an event (a dict in the JSON form of `docs/monitor.md`, or the arguments
//! of `observe`, `tick`, `approve`, `reject`, `abort`, `end`) in, the decision out as the
//! core's JSON shape (through [`convert::to_py`]). Every decision is the core's; a refused event
//! raises `InputError` with the core's code and leaves the monitor as it was.

use crate::convert;
use crate::error::raise;
use crate::options;
use kiro::api::monitor::reading_number;
use kiro::api::{HostMonitor, MonitorReplay};
use kiro::{BoundaryError, Code, CompiledPolicy, Diagnostic, ErrorKind, guard};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use std::sync::{Mutex, PoisonError};

/// A monitor of a policy's rollback triggers, fed the host's events one at a time. Made by
/// `Policy.start_monitor` and `Policy.restore_monitor`.
#[pyclass(module = "kiro", name = "Monitor", frozen)]
pub struct Monitor {
    /// The monitor; a `Mutex` because a frozen class is shared and stepping changes it.
    inner: Mutex<HostMonitor>,
}

impl Monitor {
    /// A new monitor of `policy`'s triggers. Raises `InputError` (`KIRO-E053`) without any.
    pub fn start(policy: &CompiledPolicy) -> PyResult<Self> {
        Ok(Self::of(
            guard(|| HostMonitor::start(policy)).map_err(raise)?,
        ))
    }

    /// The monitor saved with `snapshot()`, continued under `policy`. Raises `InputError`:
    /// `KIRO-E041` for a state saved under another policy, `KIRO-E040` for text that is not a
    /// saved monitor.
    pub fn restore(policy: &CompiledPolicy, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = text
            .cast::<PyString>()
            .map_err(|_| raise(not_a(text, "the saved state must be a `str`")))?
            .to_cow()?;
        Ok(Self::of(
            guard(|| HostMonitor::restore(policy, &text)).map_err(raise)?,
        ))
    }

    fn of(monitor: HostMonitor) -> Self {
        Self {
            inner: Mutex::new(monitor),
        }
    }

    /// Takes the event `event` (a JSON value) with the lock held and panics caught.
    fn take<'py>(&self, py: Python<'py>, event: &Value) -> PyResult<Bound<'py, PyAny>> {
        let decision = {
            let mut monitor = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            guard(|| monitor.step_value(event)).map_err(raise)?
        };
        convert::to_py(py, &decision)
    }

    /// The event of type `kind` with `fields` (absent when `None`), as its JSON value.
    fn event(kind: &str, fields: &[(&str, Option<&Bound<'_, PyAny>>)]) -> PyResult<Value> {
        let mut map = Map::new();
        map.insert("type".to_owned(), Value::String(kind.to_owned()));
        for (name, value) in fields {
            if let Some(value) = value {
                map.insert((*name).to_owned(), field(name, value).map_err(raise)?);
            }
        }
        Ok(Value::Object(map))
    }
}

#[pymethods]
impl Monitor {
    /// Takes one event (a dict: `{"type": "observe", "at_ms": 0, "values": {...}}`, as in
    /// `docs/monitor.md`) and returns the decision at it.
    fn step<'py>(&self, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let value = event_value(event).map_err(raise)?;
        self.take(event.py(), &value)
    }

    /// Metric readings observed at `at_ms`: per metric a value in its declared unit, a string
    /// with a unit, a bool, `None` (no data), `float("nan")` or `"NaN"` (not a number) or
    /// `{"error": "..."}` (the source failed); a declared metric not listed has no data.
    fn observe<'py>(
        &self,
        at_ms: &Bound<'py, PyAny>,
        values: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event = Self::event(
            "observe",
            &[("at_ms", Some(at_ms)), ("values", Some(values))],
        )?;
        self.take(at_ms.py(), &event)
    }

    /// Time passes without an observation: approval timeouts are decided.
    fn tick<'py>(&self, at_ms: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let event = Self::event("tick", &[("at_ms", Some(at_ms))])?;
        self.take(at_ms.py(), &event)
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
        self.take(at_ms.py(), &Self::event("approve", &fields)?)
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
        self.take(at_ms.py(), &Self::event("reject", &fields)?)
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
        let event = Self::event("abort", &[("at_ms", Some(at_ms)), ("reason", reason)])?;
        self.take(at_ms.py(), &event)
    }

    /// The analysis reaches its planned end; the final verdict says what was seen.
    fn end<'py>(&self, at_ms: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let event = Self::event("end", &[("at_ms", Some(at_ms))])?;
        self.take(at_ms.py(), &event)
    }

    /// The monitor saved as canonical JSON text (continue it with `Policy.restore_monitor`).
    fn snapshot(&self) -> PyResult<String> {
        let monitor = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        guard(|| monitor.snapshot()).map_err(raise)
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end).
    #[getter]
    fn ended(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_ended()
    }

    fn __repr__(&self) -> String {
        let ended = if self.ended() { "True" } else { "False" };
        format!("<kiro.Monitor ended={ended}>")
    }
}

/// `events` (a list or tuple of event dicts) run from a new monitor of `policy`: every decision
/// and the saved state, as a `MonitorReplay` dict.
pub fn replay<'py>(
    policy: &CompiledPolicy,
    events: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = events.py();
    let events = events_value(events).map_err(raise)?;
    let replay = guard(|| {
        let (monitor, decisions) = HostMonitor::replay(policy, &events)?;
        MonitorReplay::of(&monitor, decisions)
    })
    .map_err(raise)?;
    convert::to_py(py, &replay)
}

/// An event dict as its JSON value: `values` read as readings, every other field as plain data.
fn event_value(event: &Bound<'_, PyAny>) -> Result<Value, BoundaryError> {
    let Ok(dict) = event.cast::<PyDict>() else {
        return options::value(Some(event));
    };
    let mut map = Map::new();
    for (key, item) in dict.iter() {
        let Ok(key) = key.cast::<PyString>() else {
            return Err(not_a(&key, "an event's keys must be `str`"));
        };
        let key = key.to_string();
        let value = field(&key, &item)?;
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

/// One field of an event: `values` as readings, the others as plain data.
fn field(name: &str, value: &Bound<'_, PyAny>) -> Result<Value, BoundaryError> {
    if name != "values" {
        return options::value(Some(value));
    }
    let Ok(values) = value.cast::<PyDict>() else {
        return options::value(Some(value));
    };
    let mut map = Map::new();
    for (metric, reading) in values.iter() {
        let Ok(metric) = metric.cast::<PyString>() else {
            return Err(not_a(&metric, "metric names must be `str`"));
        };
        let metric = metric.to_string();
        let reading = match reading.cast::<PyFloat>() {
            Ok(f) => reading_number(&metric, f.value())?,
            Err(_) => options::value(Some(&reading))?,
        };
        map.insert(metric, reading);
    }
    Ok(Value::Object(map))
}

/// A list or tuple of events as their JSON values.
fn events_value(events: &Bound<'_, PyAny>) -> Result<Vec<Value>, BoundaryError> {
    let items = if let Ok(list) = events.cast::<PyList>() {
        list.iter().collect::<Vec<_>>()
    } else if let Ok(tuple) = events.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(not_a(events, "the events must be a list of event dicts"));
    };
    items.iter().map(event_value).collect()
}

/// `KIRO-E003`: `what`, and the type the value has.
fn not_a(value: &Bound<'_, PyAny>, what: &str) -> BoundaryError {
    let type_name = value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string());
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(Code::InvalidValue, format!("{what}, not `{type_name}`")),
    )
}
