//! `Release`: the core's release through a policy's environments (`kiro::api::HostRelease`) for
//! JavaScript. It only wires: an event object in the JSON form of `docs/releases.md` in, the
//! decision out as a plain object; a refused event throws a `KiroError` with the core's code
//! and leaves the release as it was.

use crate::error::catch;
use crate::machine::{Machine, parsed};
use kiro::release::ReleaseState;
use wasm_bindgen::prelude::*;

/// A release of a change through the policy's environments, fed the caller's events (gate
/// verdicts, deployments, validations, approvals, analyses, ticks …) one at a time, made by
/// `policy.startRelease()` or `policy.restoreRelease(state)`. Each event returns the decision
/// at it: the next instruction and why.
#[wasm_bindgen]
pub struct Release {
    pub(crate) inner: Machine<ReleaseState>,
}

#[wasm_bindgen]
impl Release {
    /// Takes one event in its JSON form (`{type: "approve", at_ms: 0, …}`, see
    /// docs/releases.md) and returns the decision at it.
    #[wasm_bindgen(unchecked_return_type = "ReleaseDecision")]
    pub fn step(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ReleaseEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.inner.step(&event)
    }

    /// The release saved as canonical JSON text (continue it with `policy.restoreRelease`).
    pub fn snapshot(&self) -> Result<String, JsValue> {
        self.inner.snapshot()
    }

    /// Whether the release is done (released everywhere, or rejected).
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> Result<bool, JsValue> {
        Ok(catch(|| self.inner.host.is_done())?)
    }

    /// What the release waits for now and what would unblock it; null when done.
    #[wasm_bindgen(getter, unchecked_return_type = "Wait | null")]
    pub fn next(&self) -> Result<JsValue, JsValue> {
        parsed(&self.inner.host.next())
    }

    /// Every approval, rejection, override, human action and instruction so far, in order.
    #[wasm_bindgen(unchecked_return_type = "LogEntry[]")]
    pub fn log(&self) -> Result<JsValue, JsValue> {
        parsed(self.inner.host.log())
    }
}
