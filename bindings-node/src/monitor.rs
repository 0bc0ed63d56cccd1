//! `Monitor`: the core's rollback-trigger monitor (`kiro::api::HostMonitor`) for JavaScript.
//! Like lib.rs this file only wires: an event (an object in the JSON form of
//! `docs/monitor.md`, or the arguments of `observe`, `tick`, `approve`, `reject`, `abort`,
//! `end`) in, the decision out through `JSON.parse` of its JSON, as decisions of `check` are.
//! Every decision is the core's; a refused event throws a `KiroError` with the core's code and
//! leaves the monitor as it was.

use crate::convert;
use crate::error::{OrThrow, napi_failure};
use kiro::api::monitor::reading_number;
use kiro::api::{HostMonitor, MonitorReplay};
use kiro::{BoundaryError, Code, CompiledPolicy, Diagnostic, ErrorKind, catch_panic, guard};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, Result, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};

/// A monitor of a policy's rollback triggers, fed the caller's events one at a time, made by
/// `policy.startMonitor()` or `policy.restoreMonitor(state)`. Each method takes one event and
/// returns the decision at it; times are whole milliseconds on the caller's clock.
#[napi]
pub struct Monitor {
    inner: HostMonitor,
}

impl Monitor {
    /// A new monitor of `policy`'s triggers. Throws `KIRO-E053` without any.
    pub fn start(env: &Env, policy: &CompiledPolicy) -> Result<Self> {
        let inner = guard(|| HostMonitor::start(policy)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// The monitor saved with `snapshot()`, continued under `policy`. Throws `KIRO-E041` for a
    /// state saved under another policy, `KIRO-E040` for text that is not a saved monitor,
    /// `KIRO-E003` for a value that is not a string.
    pub fn restore(env: &Env, policy: &CompiledPolicy, state: &Unknown<'_>) -> Result<Self> {
        let text = match convert::host_value(Some(state)).or_throw(env)? {
            Value::String(text) => text,
            _ => return Err(not_a("the saved state must be a string")).or_throw(env),
        };
        let inner = guard(|| HostMonitor::restore(policy, &text)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// Takes the event `event` (a JSON value): the decision, as a plain object.
    fn take<'env>(&mut self, env: &'env Env, event: &Value) -> Result<Unknown<'env>> {
        let decision = guard(|| self.inner.step_value(event)).or_throw(env)?;
        // INVARIANT: decisions hold only finite floats and string-keyed maps.
        convert::json_parse(env, serde_json::to_string(&decision).unwrap_or_default())
    }

    /// The event of type `kind` with `fields` (absent when `None`), as its JSON value.
    fn event(env: &Env, kind: &str, fields: &[(&str, Option<&Unknown<'_>>)]) -> Result<Value> {
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
}

#[napi]
impl Monitor {
    /// Takes one event in its JSON form (`{type: "observe", at_ms: 0, values: {...}}`, see
    /// docs/monitor.md) and returns the decision at it.
    #[napi(
        ts_args_type = "event: MonitorEvent",
        ts_return_type = "MonitorDecision"
    )]
    pub fn step<'env>(&mut self, env: &'env Env, event: Unknown<'_>) -> Result<Unknown<'env>> {
        let event = event_value(&event).or_throw(env)?;
        self.take(env, &event)
    }

    /// Readings observed at `atMs`: per metric a value in its declared unit, a string with a
    /// unit, a boolean, null (no data), `NaN` or `"NaN"` (not a number), or `{error: "..."}`
    /// (the source failed). A declared metric not listed has no data.
    #[napi(
        ts_args_type = "atMs: number, values: Record<string, Reading>",
        ts_return_type = "MonitorDecision"
    )]
    pub fn observe<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        values: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let fields = [("at_ms", Some(&at_ms)), ("values", Some(&values))];
        let event = Self::event(env, "observe", &fields)?;
        self.take(env, &event)
    }

    /// Time passes without an observation: approval timeouts are decided.
    #[napi(ts_args_type = "atMs: number", ts_return_type = "MonitorDecision")]
    pub fn tick<'env>(&mut self, env: &'env Env, at_ms: Unknown<'_>) -> Result<Unknown<'env>> {
        let event = Self::event(env, "tick", &[("at_ms", Some(&at_ms))])?;
        self.take(env, &event)
    }

    /// `who` approves, as `persona`, the action the manual `trigger` waits for.
    #[napi(
        ts_args_type = "atMs: number, trigger: string, who: string, persona: string",
        ts_return_type = "MonitorDecision"
    )]
    pub fn approve<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        trigger: Unknown<'_>,
        who: Unknown<'_>,
        persona: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let fields = [
            ("at_ms", Some(&at_ms)),
            ("trigger", Some(&trigger)),
            ("who", Some(&who)),
            ("persona", Some(&persona)),
        ];
        let event = Self::event(env, "approve", &fields)?;
        self.take(env, &event)
    }

    /// `who` rejects, as `persona`, the action the manual `trigger` waits for; the trigger
    /// starts over.
    #[napi(
        ts_args_type = "atMs: number, trigger: string, who: string, persona: string",
        ts_return_type = "MonitorDecision"
    )]
    pub fn reject<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        trigger: Unknown<'_>,
        who: Unknown<'_>,
        persona: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let fields = [
            ("at_ms", Some(&at_ms)),
            ("trigger", Some(&trigger)),
            ("who", Some(&who)),
            ("persona", Some(&persona)),
        ];
        let event = Self::event(env, "reject", &fields)?;
        self.take(env, &event)
    }

    /// The analysis is stopped from outside (`reason`: why, as the host tells it); the final
    /// verdict says what was seen.
    #[napi(
        ts_args_type = "atMs: number, reason?: string | null",
        ts_return_type = "MonitorDecision"
    )]
    pub fn abort<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        reason: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let fields = [("at_ms", Some(&at_ms)), ("reason", reason.as_ref())];
        let event = Self::event(env, "abort", &fields)?;
        self.take(env, &event)
    }

    /// The analysis reaches its planned end; the final verdict says what was seen.
    #[napi(ts_args_type = "atMs: number", ts_return_type = "MonitorDecision")]
    pub fn end<'env>(&mut self, env: &'env Env, at_ms: Unknown<'_>) -> Result<Unknown<'env>> {
        let event = Self::event(env, "end", &[("at_ms", Some(&at_ms))])?;
        self.take(env, &event)
    }

    /// The monitor saved as canonical JSON text (continue it with `policy.restoreMonitor`).
    #[napi]
    pub fn snapshot(&self, env: &Env) -> Result<String> {
        guard(|| self.inner.snapshot()).or_throw(env)
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end); it
    /// takes no more events.
    #[napi(getter)]
    pub fn ended(&self, env: &Env) -> Result<bool> {
        catch_panic(|| self.inner.is_ended()).or_throw(env)
    }
}

/// `events` (an array of events) run from a new monitor of `policy`: every decision and the
/// saved state, as a `MonitorReplay` object.
pub fn replay<'env>(
    env: &'env Env,
    policy: &CompiledPolicy,
    events: &Unknown<'_>,
) -> Result<Unknown<'env>> {
    let events = events_value(events).or_throw(env)?;
    let replay = guard(|| {
        let (monitor, decisions) = HostMonitor::replay(policy, &events)?;
        MonitorReplay::of(&monitor, decisions)
    })
    .or_throw(env)?;
    // INVARIANT: decisions hold only finite floats and string-keyed maps.
    convert::json_parse(env, serde_json::to_string(&replay).unwrap_or_default())
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
