//! What the state machines a Python host drives (`Monitor`, `Release`, `Alerts`) share: a
//! [`Machine`] holding the core's `kiro::api::Host` of the machine, and the walk that reads an
//! event dict (or a list of them) into its JSON value. It only converts: every decision is the
//! core's; a refused event raises the core's coded error and leaves the machine as it was.

use crate::convert;
use crate::error::raise;
use crate::options;
use kiro::api::monitor::reading_number;
use kiro::api::{Host, Hosted};
use kiro::{BoundaryError, Code, CompiledPolicy, Diagnostic, ErrorKind, guard};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString, PyTuple};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::{Mutex, PoisonError};

/// A state machine of one policy, as a frozen Python class holds it.
pub struct Machine<M> {
    /// The machine; a `Mutex` because a frozen class is shared and stepping changes it.
    inner: Mutex<Host<M>>,
}

impl<M: Hosted> Machine<M>
where
    M::Decision: Serialize,
{
    /// A new machine of `policy`. Raises the core's error when the policy lacks its section.
    pub fn start(policy: &CompiledPolicy) -> PyResult<Self> {
        Ok(Self::of(guard(|| Host::start(policy)).map_err(raise)?))
    }

    /// The machine saved with `snapshot()`, continued under `policy`. Raises `InputError`:
    /// `KIRO-E041` for a state saved under another policy, `KIRO-E040` for text that is not a
    /// saved machine of this kind, `KIRO-E003` for a value that is not a `str`.
    pub fn restore(policy: &CompiledPolicy, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = text
            .cast::<PyString>()
            .map_err(|_| raise(not_a(text, "the saved state must be a `str`")))?
            .to_cow()?;
        Ok(Self::of(
            guard(|| Host::restore(policy, &text)).map_err(raise)?,
        ))
    }

    fn of(host: Host<M>) -> Self {
        Self {
            inner: Mutex::new(host),
        }
    }

    /// Takes one event dict: the decision at it.
    pub fn step<'py>(&self, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let value = event_value(event).map_err(raise)?;
        self.take(event.py(), &value)
    }

    /// Takes the event `event` (a JSON value) with the lock held and panics caught.
    pub fn take<'py>(&self, py: Python<'py>, event: &Value) -> PyResult<Bound<'py, PyAny>> {
        let decision = {
            let mut host = self.lock();
            guard(|| host.step_value(event)).map_err(raise)?
        };
        convert::to_py(py, &decision)
    }

    /// The machine saved as canonical JSON text.
    pub fn snapshot(&self) -> PyResult<String> {
        let host = self.lock();
        guard(|| host.snapshot()).map_err(raise)
    }

    /// The machine, locked (a panic while it was held leaves it as the core left it).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Host<M>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `events` (a list or tuple of event dicts) run from a new machine of `policy`: every
/// decision and the saved state, as a dict (`MonitorReplay`, `ReleaseReplay`, `AlertsReplay`).
pub fn replay<'py, M: Hosted>(
    policy: &CompiledPolicy,
    events: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = events.py();
    let events = events_value(events).map_err(raise)?;
    let replay = guard(|| Host::<M>::feed_replay(policy, None, &events)).map_err(raise)?;
    convert::to_py(py, &replay)
}

/// The event of type `kind` with `fields` (absent when `None`), as its JSON value.
pub fn event(kind: &str, fields: &[(&str, Option<&Bound<'_, PyAny>>)]) -> PyResult<Value> {
    let mut map = Map::new();
    map.insert("type".to_owned(), Value::String(kind.to_owned()));
    for (name, value) in fields {
        if let Some(value) = value {
            map.insert((*name).to_owned(), field(name, value).map_err(raise)?);
        }
    }
    Ok(Value::Object(map))
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

/// One field of an event: `values` as readings (a float through the core's rule, so that
/// `nan` stays not-a-number), the others as plain data.
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
pub fn not_a(value: &Bound<'_, PyAny>, what: &str) -> BoundaryError {
    let type_name = value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string());
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(Code::InvalidValue, format!("{what}, not `{type_name}`")),
    )
}
