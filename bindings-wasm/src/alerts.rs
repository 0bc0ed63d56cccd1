//! `Alerts`: the core's alert engine (`kiro::api::HostAlerts`) for JavaScript. It only wires:
//! an event object in the JSON form of `docs/alerts.md` in, the decision (notifications,
//! escalations and every other effect, as data the host sends) out as a plain object; a
//! refused event throws a `KiroError` with the core's code and leaves the engine as it was.

use crate::error::catch;
use crate::machine::Machine;
use kiro::alert::AlertState;
use wasm_bindgen::prelude::*;

/// The policy's alert engine, fed the caller's events (observations, external alerts,
/// acknowledgements, silences, ticks) one at a time, made by `policy.startAlerts()` or
/// `policy.restoreAlerts(state)`.
#[wasm_bindgen]
pub struct Alerts {
    pub(crate) inner: Machine<AlertState>,
}

#[wasm_bindgen]
impl Alerts {
    /// Takes one event in its JSON form (`{type: "tick", at_ms: 0}`, see docs/alerts.md) and
    /// returns the decision at it, with the effects the caller carries out.
    #[wasm_bindgen(unchecked_return_type = "AlertDecision")]
    pub fn step(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "AlertEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.inner.step(&event)
    }

    /// The engine saved as canonical JSON text (continue it with `policy.restoreAlerts`).
    pub fn snapshot(&self) -> Result<String, JsValue> {
        self.inner.snapshot()
    }

    /// When the caller should send the next tick at the latest (ms on its clock); null
    /// without a timer.
    #[wasm_bindgen(getter, js_name = wakeAtMs, unchecked_return_type = "number | null")]
    pub fn wake_at_ms(&self) -> Result<JsValue, JsValue> {
        #[expect(
            clippy::cast_precision_loss,
            reason = "times on a host clock are below 2^53"
        )]
        let at = catch(|| self.inner.host.wake_at_ms().map(|t| t as f64))?;
        Ok(at.map_or(JsValue::NULL, JsValue::from_f64))
    }
}
