//! The monitor (`crate::monitor`) at the boundary: what every binding's `Monitor` wraps, and the
//! monitor as a call and an answer for hosts that move data.
//!
//! - [`HostMonitor`]: a monitor of one policy as a binding holds it — start, step an event
//!   (typed, or the JSON value a binding's walk over its host's event gives), snapshot,
//!   restore — and [`HostMonitor::replay`], a recorded list of events run from a new state.
//!   Every error is a coded [`BoundaryError`] (`KIRO-E040`–`E043`, `E05x`, `E003` for a value
//!   that is not an event); a refused event leaves the monitor as it was.
//! - [`reading_number`]: the rule for a host's floating-point reading, so that `NaN` stays
//!   *not a number* (never *no data*) in every host.
//! - [`monitor`] (and `_json`, `_json_str`): a policy, an optional saved state and events in;
//!   the decisions and the saved state out.
//!
//! The host keeps the events it gave if it wants to replay them: a monitor holds only its state,
//! whose size the policy bounds (`docs/monitor.md`), never the stream.

use super::call::{answer, load_policy, text_form};
use super::hosted::{Host, Hosted};
use super::options::format_schema;
use crate::diagnostic::{Code, Diagnostic, OffsetUnit};
use crate::error::{BoundaryError, ErrorKind};
use crate::monitor::{MonitorDecision, MonitorEvent, MonitorState, step};
use crate::policy::CompiledPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// A monitor of one policy's triggers, driven by the host's events. Cheap to clone (the policy
/// is shared).
pub type HostMonitor = Host<MonitorState>;

impl Hosted for MonitorState {
    type Event = MonitorEvent;
    type Decision = MonitorDecision;
    type Replay = MonitorReplay;

    fn replayed(decisions: Vec<MonitorDecision>, state: String) -> MonitorReplay {
        MonitorReplay { decisions, state }
    }

    /// `KIRO-E053` when the policy has no triggers.
    fn start(policy: &CompiledPolicy) -> Result<Self, BoundaryError> {
        Ok(MonitorState::new(policy)?)
    }

    fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, BoundaryError> {
        Ok(MonitorState::restore(policy, text)?)
    }

    /// `{"type": "observe", "at_ms": 0, "values": {…}}` (`docs/monitor.md`).
    fn event(value: &Value) -> Result<MonitorEvent, BoundaryError> {
        Ok(MonitorEvent::from_json(value)?)
    }

    /// As `kiro::monitor::step`: `KIRO-E042` (time went backwards), `E043` (after the end, or
    /// an approval nothing waits for), `E050`–`E052`, `E011`/`E022` for readings.
    fn step(
        &mut self,
        policy: &CompiledPolicy,
        event: &MonitorEvent,
    ) -> Result<MonitorDecision, BoundaryError> {
        Ok(step(self, policy, event)?)
    }

    fn save(&self, policy: &CompiledPolicy) -> Result<String, BoundaryError> {
        Ok(MonitorState::save(self, policy)?)
    }
}

impl HostMonitor {
    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end): it
    /// takes no more events.
    #[must_use]
    pub fn is_ended(&self) -> bool {
        self.state.is_ended()
    }
}

/// A reading the host has as a floating-point number, as the JSON value of the event: `NaN` is
/// the reading `"NaN"` (the source gave not-a-number, never *no data*), a finite number itself.
///
/// # Errors
/// `KIRO-E022` for an infinity, which no metric holds.
pub fn reading_number(metric: &str, value: f64) -> Result<Value, BoundaryError> {
    if value.is_nan() {
        return Ok(Value::String("NaN".to_owned()));
    }
    Number::from_f64(value).map(Value::Number).ok_or_else(|| {
        BoundaryError::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidMetricValue,
                format!("metric `{metric}` is not a finite number"),
            )
            .with_help("a reading is a finite number, a string with a unit, a boolean, null (no data), \"NaN\" or {\"error\": …}")
            .with_source("event"),
        )
    })
}

/// A policy's monitor fed events, from a new state or a saved one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// A state saved by an earlier call (or a binding's `snapshot()`); absent: a new monitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The events, in order.
    #[schemars(with = "Vec<MonitorEvent>")]
    pub events: Vec<Value>,
}

/// What a monitor gave for a list of events: a decision per event, and the state after the
/// last (continue from it with a binding's `restoreMonitor`, or pass it as the next call's
/// `state`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MonitorReplay {
    /// One decision per event, in order.
    pub decisions: Vec<MonitorDecision>,
    /// The state after the last event, as canonical JSON text.
    pub state: String,
}

/// Feeds a policy's monitor a list of events.
///
/// # Errors
/// A policy error for a policy that does not compile; as [`HostMonitor::restore`] and
/// [`HostMonitor::replay`] otherwise.
pub fn monitor(call: &MonitorCall) -> Result<MonitorReplay, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    HostMonitor::feed_replay(policy.compiled(), call.state.as_deref(), &call.events)
}

/// [`monitor`] on a JSON call ([`MonitorCall`]), answering an `Answer` of a [`MonitorReplay`].
#[must_use]
pub fn monitor_json(call: Value) -> Value {
    answer(call, monitor)
}

/// [`monitor_json`] on JSON text.
#[must_use]
pub fn monitor_json_str(call: &str) -> String {
    text_form(call, monitor_json)
}

#[cfg(test)]
mod tests;
