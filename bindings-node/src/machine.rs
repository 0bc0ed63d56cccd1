//! What the state machines a JavaScript host drives (`Monitor`, `Release`, `Alerts`) share: a
//! [`Machine`] holding the core's `kiro::api::Host` of the machine, and the walk that reads an
//! event object (or an array of them) into its JSON value. It only converts: every decision is
//! the core's, handed over through `JSON.parse` of its JSON; a refused event throws a
//! `KiroError` with the core's code and leaves the machine as it was.

use crate::convert;
use crate::error::{OrThrow, napi_failure};
use kiro::api::monitor::reading_number;
use kiro::api::{Host, Hosted};
use kiro::{BoundaryError, Code, CompiledPolicy, Diagnostic, ErrorKind, guard};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, Result, ValueType};
use serde::Serialize;
use serde_json::{Map, Value};

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
    pub fn start(env: &Env, policy: &CompiledPolicy) -> Result<Self> {
        let host = guard(|| Host::start(policy)).or_throw(env)?;
        Ok(Self { host })
    }

    /// The machine saved with `snapshot()`, continued under `policy`. Throws `KIRO-E041` for a
    /// state saved under another policy, `KIRO-E040` for text that is not such a saved
    /// machine, `KIRO-E003` for a value that is not a string.
    pub fn restore(env: &Env, policy: &CompiledPolicy, state: &Unknown<'_>) -> Result<Self> {
        let text = match convert::host_value(Some(state)).or_throw(env)? {
            Value::String(text) => text,
            _ => return Err(not_a("the saved state must be a string")).or_throw(env),
        };
        let host = guard(|| Host::restore(policy, &text)).or_throw(env)?;
        Ok(Self { host })
    }

    /// Takes one event object: the decision at it, as a plain object.
    pub fn step<'env>(&mut self, env: &'env Env, event: &Unknown<'_>) -> Result<Unknown<'env>> {
        let event = event_value(event).or_throw(env)?;
        self.take(env, &event)
    }

    /// Takes the event `event` (a JSON value): the decision, as a plain object.
    pub fn take<'env>(&mut self, env: &'env Env, event: &Value) -> Result<Unknown<'env>> {
        let decision = guard(|| self.host.step_value(event)).or_throw(env)?;
        convert::answer(env, &decision)
    }

    /// The machine saved as canonical JSON text.
    pub fn snapshot(&self, env: &Env) -> Result<String> {
        guard(|| self.host.snapshot()).or_throw(env)
    }
}

/// `events` (an array of events) run from a new machine of `policy`: every decision and the
/// saved state, as a plain object (`MonitorReplay`, `ReleaseReplay`, `AlertsReplay`).
pub fn replay<'env, M: Hosted>(
    env: &'env Env,
    policy: &CompiledPolicy,
    events: &Unknown<'_>,
) -> Result<Unknown<'env>> {
    let events = events_value(events).or_throw(env)?;
    let replay = guard(|| Host::<M>::feed_replay(policy, None, &events)).or_throw(env)?;
    convert::answer(env, &replay)
}

/// The event of type `kind` with `fields` (absent when `None`, null or undefined), as its JSON
/// value.
pub fn event(env: &Env, kind: &str, fields: &[(&str, Option<&Unknown<'_>>)]) -> Result<Value> {
    let mut map = Map::new();
    map.insert("type".to_owned(), Value::String(kind.to_owned()));
    for (name, value) in fields {
        let value = match value {
            Some(value) => field(name, value).or_throw(env)?,
            None => Value::Null,
        };
        if !value.is_null() {
            map.insert((*name).to_owned(), value);
        }
    }
    Ok(Value::Object(map))
}

/// Whether `value` is an object that is not an array.
fn is_plain_object(value: &Unknown<'_>) -> std::result::Result<bool, BoundaryError> {
    Ok(value.get_type().map_err(napi_failure)? == ValueType::Object
        && !value.is_array().map_err(napi_failure)?)
}

/// An event object as its JSON value: `values` read as readings, every other field as plain
/// data (anything else is left to the core to refuse as not an event).
fn event_value(event: &Unknown<'_>) -> std::result::Result<Value, BoundaryError> {
    if !is_plain_object(event)? {
        return convert::host_value(Some(event));
    }
    let object = event.coerce_to_object().map_err(napi_failure)?;
    let mut map = Map::new();
    for key in Object::keys(&object).map_err(napi_failure)? {
        let Some(item) = object.get::<Unknown<'_>>(&key).map_err(napi_failure)? else {
            continue;
        };
        let value = field(&key, &item)?;
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

/// One field of an event: `values` as readings (a number through the core's rule, so that
/// `NaN` stays not-a-number), the others as plain data.
fn field(name: &str, value: &Unknown<'_>) -> std::result::Result<Value, BoundaryError> {
    if name != "values" || !is_plain_object(value)? {
        return convert::host_value(Some(value));
    }
    let object = value.coerce_to_object().map_err(napi_failure)?;
    let mut map = Map::new();
    for metric in Object::keys(&object).map_err(napi_failure)? {
        let Some(reading) = object.get::<Unknown<'_>>(&metric).map_err(napi_failure)? else {
            continue; // undefined: no data, as if absent
        };
        let reading = if reading.get_type().map_err(napi_failure)? == ValueType::Number {
            reading_number(&metric, f64::from_unknown(reading).map_err(napi_failure)?)?
        } else {
            convert::host_value(Some(&reading))?
        };
        map.insert(metric, reading);
    }
    Ok(Value::Object(map))
}

/// An array of events as their JSON values.
fn events_value(events: &Unknown<'_>) -> std::result::Result<Vec<Value>, BoundaryError> {
    if !events.is_array().map_err(napi_failure)? {
        return Err(not_a("the events must be an array of events"));
    }
    let array = events.coerce_to_object().map_err(napi_failure)?;
    let length = array.get_array_length().map_err(napi_failure)?;
    (0..length)
        .map(|i| {
            let event = array.get_element::<Unknown<'_>>(i).map_err(napi_failure)?;
            event_value(&event)
        })
        .collect()
}

/// `KIRO-E003` saying `what`.
fn not_a(what: &str) -> BoundaryError {
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(Code::InvalidValue, what.to_owned()),
    )
}
