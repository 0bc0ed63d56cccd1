//! What the state machines a JavaScript host drives (`Monitor`, `Release`, `Alerts`) share: a
//! [`Machine`] holding the core's `kiro::api::Host` of the machine, and the walk that reads an
//! event object (or an array of them) into its JSON value. It only converts: every decision is
//! the core's, handed over as `JSON.parse` of its JSON; a refused event throws a `KiroError`
//! with the core's code and leaves the machine as it was.

use crate::convert;
use crate::error::{Failure, guard};
use js_sys::{Array, Object, Reflect};
use kiro::api::monitor::reading_number;
use kiro::api::{Host, Hosted};
use kiro::{BoundaryError, Code, CompiledPolicy, Diagnostic, ErrorKind};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// A state machine of one policy, as a JavaScript class holds it.
pub struct Machine<M> {
    /// The machine.
    pub host: Host<M>,
}

impl<M: Hosted> Machine<M>
where
    M::Decision: Serialize,
{
    /// A new machine of `policy`. Throws the core's error when the policy lacks its section.
    pub fn start(policy: &CompiledPolicy) -> Result<Self, Failure> {
        Ok(Self {
            host: guard(|| Host::start(policy))?,
        })
    }

    /// The machine saved with `snapshot()`, continued under `policy`. Throws `KIRO-E041` for a
    /// state saved under another policy, `KIRO-E040` for text that is not such a saved
    /// machine, `KIRO-E003` for a value that is not a string.
    pub fn restore(policy: &CompiledPolicy, state: &JsValue) -> Result<Self, Failure> {
        let Some(text) = state.as_string() else {
            return Err(not_a("the saved state must be a string").into());
        };
        Ok(Self {
            host: guard(|| Host::restore(policy, &text))?,
        })
    }

    /// Takes one event object: the decision at it, as a plain object.
    pub fn step(&mut self, event: &JsValue) -> Result<JsValue, JsValue> {
        let event = event_value(event)?;
        self.take(&event)
    }

    /// Takes the event `event` (a JSON value): the decision, as a plain object.
    pub fn take(&mut self, event: &Value) -> Result<JsValue, JsValue> {
        let decision = guard(|| self.host.step_value(event))?;
        parsed(&decision)
    }

    /// The machine saved as canonical JSON text.
    pub fn snapshot(&self) -> Result<String, JsValue> {
        Ok(guard(|| self.host.snapshot())?)
    }
}

/// `events` (an array of events) run from a new machine of `policy`: every decision and the
/// saved state, as a plain object (`MonitorReplay`, `ReleaseReplay`, `AlertsReplay`).
pub fn replay<M: Hosted>(policy: &CompiledPolicy, events: &JsValue) -> Result<JsValue, JsValue> {
    let events = events_value(events)?;
    let replay = guard(|| Host::<M>::feed_replay(policy, None, &events))?;
    parsed(&replay)
}

/// The event of type `kind` with `fields` (absent when null or undefined), as its JSON value.
pub fn event(kind: &str, fields: &[(&str, &JsValue)]) -> Result<Value, Failure> {
    let mut map = Map::new();
    map.insert("type".to_owned(), Value::String(kind.to_owned()));
    for (name, value) in fields {
        let value = field(name, value)?;
        if !value.is_null() {
            map.insert((*name).to_owned(), value);
        }
    }
    Ok(Value::Object(map))
}

/// A value as a plain object: `JSON.parse` of its JSON, as decisions of `check` are made.
pub fn parsed<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    // INVARIANT: answers hold only finite floats and string-keyed maps.
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap_or_default())
}

/// Whether `value` is an object that is not an array (or a function).
fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !Array::is_array(value)
}

/// An event object as its JSON value: `values` read as readings, every other field as plain
/// data (anything else is left to the core to refuse as not an event).
fn event_value(event: &JsValue) -> Result<Value, Failure> {
    if !is_plain_object(event) {
        return convert::host_value(Some(event));
    }
    let mut map = Map::new();
    for key in Object::keys(event.unchecked_ref::<Object>()) {
        let Some(name) = key.as_string() else {
            continue;
        };
        let item = Reflect::get(event, &key).map_err(|e| Failure::js(&e))?;
        if !item.is_undefined() {
            map.insert(name.clone(), field(&name, &item)?);
        }
    }
    Ok(Value::Object(map))
}

/// One field of an event: `values` as readings (a number through the core's rule, so that
/// `NaN` stays not-a-number), the others as plain data.
fn field(name: &str, value: &JsValue) -> Result<Value, Failure> {
    if name != "values" || !is_plain_object(value) {
        return convert::host_value(Some(value));
    }
    let mut map = Map::new();
    for key in Object::keys(value.unchecked_ref::<Object>()) {
        let Some(metric) = key.as_string() else {
            continue;
        };
        let reading = Reflect::get(value, &key).map_err(|e| Failure::js(&e))?;
        if reading.is_undefined() {
            continue; // no data, as if absent
        }
        let reading = match reading.as_f64() {
            Some(x) => reading_number(&metric, x)?,
            None => convert::host_value(Some(&reading))?,
        };
        map.insert(metric, reading);
    }
    Ok(Value::Object(map))
}

/// An array of events as their JSON values.
fn events_value(events: &JsValue) -> Result<Vec<Value>, Failure> {
    if !Array::is_array(events) {
        return Err(not_a("the events must be an array of events").into());
    }
    events
        .unchecked_ref::<Array>()
        .iter()
        .map(|event| event_value(&event))
        .collect()
}

/// `KIRO-E003` saying `what`.
fn not_a(what: &str) -> BoundaryError {
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(Code::InvalidValue, what.to_owned()),
    )
}
