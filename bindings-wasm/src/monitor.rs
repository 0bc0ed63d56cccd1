//! `Monitor`: the core's rollback-trigger monitor (`kiro::api::HostMonitor`) for JavaScript.
//! Like lib.rs this file only wires: an event (an object in the JSON form of
//! `docs/monitor.md`, or the arguments of `observe`, `tick`, `approve`, `reject`, `abort`,
//! `end`) in, the decision out through `JSON.parse` of its JSON, as decisions of `check` are.
//! Every decision is the core's; a refused event throws a `KiroError` with the core's code and
//! leaves the monitor as it was.

use crate::error::catch;
use crate::machine::{self, Machine};
use kiro::monitor::MonitorState;
use wasm_bindgen::prelude::*;

/// A monitor of a policy's rollback triggers, fed the caller's events one at a time, made by
/// `policy.startMonitor()` or `policy.restoreMonitor(state)`. Each method takes one event and
/// returns the decision at it; times are whole milliseconds on the caller's clock.
#[wasm_bindgen]
pub struct Monitor {
    pub(crate) inner: Machine<MonitorState>,
}

impl Monitor {
    /// Takes the event of type `kind` with `fields` (absent when null or undefined).
    fn take(&mut self, kind: &str, fields: &[(&str, &JsValue)]) -> Result<JsValue, JsValue> {
        let event = machine::event(kind, fields)?;
        self.inner.take(&event)
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
        self.inner.step(&event)
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
        self.take("observe", &[("at_ms", &at_ms), ("values", &values)])
    }

    /// Time passes without an observation: approval timeouts are decided.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn tick(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.take("tick", &[("at_ms", &at_ms)])
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
        self.take("approve", &fields)
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
        self.take("reject", &fields)
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
        self.take("abort", &[("at_ms", &at_ms), ("reason", &reason)])
    }

    /// The analysis reaches its planned end; the final verdict says what was seen.
    #[wasm_bindgen(unchecked_return_type = "MonitorDecision")]
    pub fn end(
        &mut self,
        #[wasm_bindgen(js_name = atMs, unchecked_param_type = "number")] at_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.take("end", &[("at_ms", &at_ms)])
    }

    /// The monitor saved as canonical JSON text (continue it with `policy.restoreMonitor`).
    pub fn snapshot(&self) -> Result<String, JsValue> {
        self.inner.snapshot()
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end); it
    /// takes no more events.
    #[wasm_bindgen(getter)]
    pub fn ended(&self) -> Result<bool, JsValue> {
        Ok(catch(|| self.inner.host.is_ended())?)
    }
}
