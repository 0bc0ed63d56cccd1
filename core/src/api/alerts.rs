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
use super::options::format_schema;
use crate::alert::{AlertDecision, AlertEvent, AlertState, step};
use crate::diagnostic::OffsetUnit;
use crate::error::BoundaryError;
use crate::policy::CompiledPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The alert engine of one policy, driven by the host's events. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HostAlerts {
    policy: CompiledPolicy,
    state: AlertState,
}

impl HostAlerts {
    /// A new engine for `policy`'s `alerts`.
    ///
    /// # Errors
    /// `KIRO-E138` when the policy has no `alerts`.
    pub fn start(policy: &CompiledPolicy) -> Result<Self, BoundaryError> {
        Ok(Self {
            policy: policy.clone(),
            state: AlertState::new(policy)?,
        })
    }

    /// The engine saved by [`HostAlerts::snapshot`], continued under `policy`.
    ///
    /// # Errors
    /// `KIRO-E041` for a state saved under another policy; `KIRO-E040` for text that is not a
    /// saved alert engine; `KIRO-E138` for a policy without `alerts`.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, BoundaryError> {
        Ok(Self {
            policy: policy.clone(),
            state: AlertState::restore(policy, text)?,
        })
    }

    /// Runs `events` (JSON values) from a new engine: every decision, and the engine they leave.
    ///
    /// # Errors
    /// `KIRO-E138` without `alerts`; the first refused event's error, naming its index.
    pub fn replay(
        policy: &CompiledPolicy,
        events: &[Value],
    ) -> Result<(Self, Vec<AlertDecision>), BoundaryError> {
        let mut engine = Self::start(policy)?;
        let decisions = engine.step_all(events)?;
        Ok((engine, decisions))
    }

    /// Takes `events` in order: their decisions.
    ///
    /// # Errors
    /// The first refused event's error, its messages naming the event's index; the events
    /// before it have been taken.
    pub fn step_all(&mut self, events: &[Value]) -> Result<Vec<AlertDecision>, BoundaryError> {
        events
            .iter()
            .enumerate()
            .map(|(i, event)| self.step_value(event).map_err(|e| at_event(e, i)))
            .collect()
    }

    /// Takes one event. A refused event leaves the engine unchanged.
    ///
    /// # Errors
    /// As `kiro::alert::step`.
    pub fn step(&mut self, event: &AlertEvent) -> Result<AlertDecision, BoundaryError> {
        Ok(step(&mut self.state, &self.policy, event)?)
    }

    /// Takes one event given as its JSON form (`{"type": "tick", "at_ms": 0}`,
    /// `docs/alerts.md`).
    ///
    /// # Errors
    /// `KIRO-E003` for a value that is not an event; as [`HostAlerts::step`] otherwise.
    pub fn step_value(&mut self, event: &Value) -> Result<AlertDecision, BoundaryError> {
        let event = AlertEvent::from_json(event)?;
        self.step(&event)
    }

    /// The engine saved as canonical JSON text.
    ///
    /// # Errors
    /// `KIRO-E040` if the state cannot be written (never for a state the engine made).
    pub fn snapshot(&self) -> Result<String, BoundaryError> {
        Ok(self.state.save(&self.policy)?)
    }

    /// When the host should send the next tick at the latest, if a timer is set.
    #[must_use]
    pub fn wake_at_ms(&self) -> Option<u64> {
        self.state.wake_at_ms(&self.policy)
    }
}

fn at_event(mut error: BoundaryError, index: usize) -> BoundaryError {
    for d in &mut error.diagnostics {
        d.message = format!("event {index}: {}", d.message);
    }
    if let Some(first) = error.diagnostics.first() {
        error.message = format!("{}: {}", first.code.as_str(), first.message);
    }
    error
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
    let compiled = policy.compiled();
    let (engine, decisions) = match &call.state {
        None => HostAlerts::replay(compiled, &call.events)?,
        Some(text) => {
            let mut engine = HostAlerts::restore(compiled, text)?;
            let decisions = engine.step_all(&call.events)?;
            (engine, decisions)
        }
    };
    Ok(AlertsReplay {
        decisions,
        state: engine.snapshot()?,
    })
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
