//! The alert engine (`crate::alert`) at the boundary: what every binding's `Alerts` wraps, and
//! the engine as a call and an answer for hosts that move data.
//!
//! - [`HostAlerts`]: the alert engine of one policy as a binding holds it — start, step an
//!   event (typed, or the JSON value a binding's walk over its host's event gives), snapshot,
//!   restore, the next wake-up time — and [`HostAlerts::replay`], a recorded list of events
//!   run from a new state. Every error is a coded [`BoundaryError`]; a refused event leaves the
//!   engine as it was.
//! - [`alerts`] (and `_json`, `_json_str`): a policy, an optional saved state and events in; the
//!   decisions and the saved state out.

use super::call::{answer, load_policy, text_form};
use super::hosted::{Host, Hosted};
use super::options::format_schema;
use crate::alert::{AlertDecision, AlertEvent, AlertState, step};
use crate::diagnostic::OffsetUnit;
use crate::error::BoundaryError;
use crate::policy::CompiledPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The alert engine of one policy, driven by the host's events. Cheap to clone (the policy is
/// shared).
pub type HostAlerts = Host<AlertState>;

impl Hosted for AlertState {
    type Event = AlertEvent;
    type Decision = AlertDecision;
    type Replay = AlertsReplay;

    fn replayed(decisions: Vec<AlertDecision>, state: String) -> AlertsReplay {
        AlertsReplay { decisions, state }
    }

    /// `KIRO-E138` when the policy has no `alerts`.
    fn start(policy: &CompiledPolicy) -> Result<Self, BoundaryError> {
        Ok(AlertState::new(policy)?)
    }

    fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, BoundaryError> {
        Ok(AlertState::restore(policy, text)?)
    }

    /// `{"type": "tick", "at_ms": 0}` (`docs/alerts.md`).
    fn event(value: &Value) -> Result<AlertEvent, BoundaryError> {
        Ok(AlertEvent::from_json(value)?)
    }

    /// As `kiro::alert::step`.
    fn step(
        &mut self,
        policy: &CompiledPolicy,
        event: &AlertEvent,
    ) -> Result<AlertDecision, BoundaryError> {
        Ok(step(self, policy, event)?)
    }

    fn save(&self, policy: &CompiledPolicy) -> Result<String, BoundaryError> {
        Ok(AlertState::save(self, policy)?)
    }
}

impl HostAlerts {
    /// When the host should send the next tick at the latest, if a timer is set.
    #[must_use]
    pub fn wake_at_ms(&self) -> Option<u64> {
        self.state.wake_at_ms(&self.policy)
    }
}

/// A policy's alert engine fed events, from a new state or a saved one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertsCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// A state saved by an earlier call; absent: a new engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The events, in order.
    #[schemars(with = "Vec<AlertEvent>")]
    pub events: Vec<Value>,
}

/// What the engine gave for a list of events: a decision per event, and the state after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AlertsReplay {
    /// One decision per event, in order.
    pub decisions: Vec<AlertDecision>,
    /// The state after the last event, as canonical JSON text.
    pub state: String,
}

/// Feeds a policy's alert engine a list of events.
///
/// # Errors
/// A policy error for a policy that does not compile; as [`HostAlerts::restore`] and
/// [`HostAlerts::replay`] otherwise.
pub fn alerts(call: &AlertsCall) -> Result<AlertsReplay, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    HostAlerts::feed_replay(policy.compiled(), call.state.as_deref(), &call.events)
}

/// [`alerts`] on a JSON call ([`AlertsCall`]), answering an `Answer` of an [`AlertsReplay`].
#[must_use]
pub fn alerts_json(call: Value) -> Value {
    answer(call, alerts)
}

/// [`alerts_json`] on JSON text.
#[must_use]
pub fn alerts_json_str(call: &str) -> String {
    text_form(call, alerts_json)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]
    use super::*;

    const POLICY: &str = "name: t\nalerts:\n  receivers: [{name: ops, channel: slack}]\n  route: {receiver: ops, group_wait: 0s}\n";

    #[test]
    fn the_json_form_answers_decisions_and_a_state_that_resumes() {
        let call = serde_json::json!({
            "policy": POLICY,
            "events": [{"type": "external", "at_ms": 0, "alerts": [{"labels": {"alertname": "A"}}]}],
        });
        let answer = alerts_json(call);
        assert_eq!(answer["ok"], true, "{answer}");
        let notify = &answer["value"]["decisions"][0]["effects"];
        assert!(
            notify
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["type"] == "notify"),
            "{notify}"
        );
        let state = answer["value"]["state"].as_str().unwrap().to_owned();
        let again = alerts_json(serde_json::json!({
            "policy": POLICY, "state": state,
            "events": [{"type": "tick", "at_ms": 5}],
        }));
        assert_eq!(again["ok"], true, "{again}");
    }

    #[test]
    fn a_refused_event_is_a_coded_error_naming_its_index() {
        let answer = alerts_json(serde_json::json!({
            "policy": POLICY,
            "events": [{"type": "tick", "at_ms": 5}, {"type": "tick", "at_ms": 4}],
        }));
        assert_eq!(answer["ok"], false);
        assert_eq!(answer["error"]["code"], "KIRO-E042", "{answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("event 1")
        );
    }
}
