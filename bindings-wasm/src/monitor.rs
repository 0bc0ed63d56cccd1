//! `Monitor`: the core's rollback-trigger monitor (`kiro::api::HostMonitor`) for JavaScript.
//! Like lib.rs this file only wires: an event (an object in the JSON form of
//! `docs/monitor.md`, or the arguments of `observe`, `tick`, `approve`, `reject`, `abort`,
//! `end`) in, the decision out through `JSON.parse` of its JSON, as decisions of `check` are.
//! Every decision is the core's; a refused event throws a `KiroError` with the core's code and
//! leaves the monitor as it was.

use crate::convert;
use crate::error::{Failure, catch, guard};
use js_sys::{Array, Object, Reflect};
use kiro::api::monitor::reading_number;
use kiro::api::{HostMonitor, MonitorReplay};
use kiro::{BoundaryError, Code, CompiledPolicy, Diagnostic, ErrorKind};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// A monitor of a policy's rollback triggers, fed the caller's events one at a time, made by
/// `policy.startMonitor()` or `policy.restoreMonitor(state)`. Each method takes one event and
/// returns the decision at it; times are whole milliseconds on the caller's clock.
#[wasm_bindgen]
pub struct Monitor {
    inner: HostMonitor,
}

impl Monitor {
    /// A new monitor of `policy`'s triggers. Throws `KIRO-E053` without any.
    pub fn start(policy: &CompiledPolicy) -> Result<Self, Failure> {
        let inner = guard(|| HostMonitor::start(policy))?;
        Ok(Self { inner })
    }

    /// The monitor saved with `snapshot()`, continued under `policy`. Throws `KIRO-E041` for a
    /// state saved under another policy, `KIRO-E040` for text that is not a saved monitor,
    /// `KIRO-E003` for a value that is not a string.
    pub fn restore(policy: &CompiledPolicy, state: &JsValue) -> Result<Self, Failure> {
        let Some(text) = state.as_string() else {
            return Err(not_a("the saved state must be a string").into());
        };
        let inner = guard(|| HostMonitor::restore(policy, &text))?;
        Ok(Self { inner })
    }

    /// Takes the event `event` (a JSON value): the decision, as a plain object.
    fn take(&mut self, event: &Value) -> Result<JsValue, JsValue> {
        let decision = guard(|| self.inner.step_value(event))?;
        parsed(&decision)
    }

    /// The event of type `kind` with `fields` (absent when null or undefined), as its JSON
    /// value.
    fn event(kind: &str, fields: &[(&str, &JsValue)]) -> Result<Value, Failure> {
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
}

#[wasm_bindgen]
impl Monitor {
    /// Takes one event in its JSON form (`{type: "observe", at_ms: 0, values: {...}}`, see
    /// docs/monitor.md) and returns the decision at it.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn step(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "MonitorEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = event_value(&event)?;
        self.take(&event)
    }

    /// Readings observed at `atMs`: per metric a value in its declared unit, a string with a
    /// unit, a boolean, null (no data), `NaN` or `"NaN"` (not a number), or `{error: "..."}`
    /// (the source failed). A declared metric not listed has no data.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn observe(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, Reading>")] values: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = Self::event("observe", &[("at_ms", &at_ms), ("values", &values)])?;
        self.take(&event)
    }

    /// Time passes without an observation: approval timeouts are decided.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn tick(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = Self::event("tick", &[("at_ms", &at_ms)])?;
        self.take(&event)
    }

    /// `who` approves, as `persona`, the action the manual `trigger` waits for.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn approve(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] trigger: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] who: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] persona: JsValue,
    ) -> Result<JsValue, JsValue> {
        let fields = [
            ("at_ms", &at_ms),
            ("trigger", &trigger),
            ("who", &who),
            ("persona", &persona),
        ];
        let event = Self::event("approve", &fields)?;
        self.take(&event)
    }

    /// `who` rejects, as `persona`, the action the manual `trigger` waits for; the trigger
    /// starts over.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn reject(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] trigger: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] who: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] persona: JsValue,
    ) -> Result<JsValue, JsValue> {
        let fields = [
            ("at_ms", &at_ms),
            ("trigger", &trigger),
            ("who", &who),
            ("persona", &persona),
        ];
        let event = Self::event("reject", &fields)?;
        self.take(&event)
    }

    /// The analysis is stopped from outside (`reason`: why, as the host tells it); the final
    /// verdict says what was seen.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn abort(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] reason: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let reason = reason.unwrap_or(JsValue::NULL);
        let event = Self::event("abort", &[("at_ms", &at_ms), ("reason", &reason)])?;
        self.take(&event)
    }

    /// The analysis reaches its planned end; the final verdict says what was seen.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn end(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = Self::event("end", &[("at_ms", &at_ms)])?;
        self.take(&event)
    }

    /// The monitor saved as canonical JSON text (continue it with `policy.restoreMonitor`).
    pub fn snapshot(&self) -> Result<String, JsValue> {
        Ok(guard(|| self.inner.snapshot())?)
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end); it
    /// takes no more events.
    #[wasm_bindgen(getter)]
    pub fn ended(&self) -> Result<bool, JsValue> {
        Ok(catch(|| self.inner.is_ended())?)
    }
}

/// `events` (an array of events) run from a new monitor of `policy`: every decision and the
/// saved state, as a `MonitorReplay` object.
pub fn replay(policy: &CompiledPolicy, events: &JsValue) -> Result<JsValue, JsValue> {
    let events = events_value(events)?;
    let replay = guard(|| {
        let (monitor, decisions) = HostMonitor::replay(policy, &events)?;
        MonitorReplay::of(&monitor, decisions)
    })?;
    parsed(&replay)
}

/// A value as a plain object: `JSON.parse` of its JSON, as decisions of `check` are made.
fn parsed<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    // INVARIANT: decisions hold only finite floats and string-keyed maps.
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
