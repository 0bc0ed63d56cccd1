//! The release (`crate::release`) at the boundary: what every binding's `Release` wraps, and a
//! release and its plan as calls and answers for hosts that move data.
//!
//! - [`HostRelease`]: a release of one policy as a binding holds it — start, step an event
//!   (typed, or its JSON value), snapshot, restore — and [`HostRelease::replay`], a recorded
//!   list of events run from a new state. Every error is a coded [`BoundaryError`]
//!   (`KIRO-E040`–`E043`, `E003` for a value that is not an event, `E104`–`E112`); a refused
//!   event leaves the release as it was.
//! - [`release`] (and `_json`, `_json_str`): a policy, an optional saved state and events in;
//!   the decisions and the saved state out.
//! - [`release_plan`] (and `_json`, `_json_str`): a policy and a time in; the plan out.

use super::call::{answer, load_policy, text_form};
use super::hosted::{Host, Hosted};
use super::options::format_schema;
use crate::diagnostic::OffsetUnit;
use crate::error::BoundaryError;
use crate::policy::CompiledPolicy;
use crate::release::{
    LogEntry, ReleaseDecision, ReleaseEvent, ReleasePlan, ReleaseState, Wait, step,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A release through one policy's environments, driven by the host's events. Cheap to clone
/// (the policy is shared).
pub type HostRelease = Host<ReleaseState>;

impl Hosted for ReleaseState {
    type Event = ReleaseEvent;
    type Decision = ReleaseDecision;
    type Replay = ReleaseReplay;

    fn replayed(decisions: Vec<ReleaseDecision>, state: String) -> ReleaseReplay {
        ReleaseReplay { decisions, state }
    }

    /// `KIRO-E104` when the policy has no environments.
    fn start(policy: &CompiledPolicy) -> Result<Self, BoundaryError> {
        Ok(ReleaseState::new(policy)?)
    }

    fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, BoundaryError> {
        Ok(ReleaseState::restore(policy, text)?)
    }

    /// `{"type": "approve", "at_ms": 0, …}` (`docs/releases.md`).
    fn event(value: &Value) -> Result<ReleaseEvent, BoundaryError> {
        Ok(ReleaseEvent::from_json(value)?)
    }

    /// As `kiro::release::step`.
    fn step(
        &mut self,
        policy: &CompiledPolicy,
        event: &ReleaseEvent,
    ) -> Result<ReleaseDecision, BoundaryError> {
        Ok(step(self, policy, event)?)
    }

    fn save(&self, policy: &CompiledPolicy) -> Result<String, BoundaryError> {
        Ok(ReleaseState::save(self, policy)?)
    }
}

impl HostRelease {
    /// Whether the release is done (released everywhere, or rejected).
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.state.is_done()
    }

    /// What the release waits for now, and what would unblock it.
    #[must_use]
    pub fn next(&self) -> Option<&Wait> {
        self.state.next()
    }

    /// Every approval, rejection, override, human action and instruction, in order.
    #[must_use]
    pub fn log(&self) -> &[LogEntry] {
        self.state.log()
    }
}

/// A policy's release fed events, from a new state or a saved one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// A state saved by an earlier call (or a binding's `snapshot()`); absent: a new release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The events, in order.
    #[schemars(with = "Vec<ReleaseEvent>")]
    pub events: Vec<Value>,
}

/// What a release gave for a list of events: a decision per event, and the state after the
/// last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReleaseReplay {
    /// One decision per event, in order.
    pub decisions: Vec<ReleaseDecision>,
    /// The state after the last event, as canonical JSON text.
    pub state: String,
}

/// Feeds a policy's release a list of events.
///
/// # Errors
/// A policy error for a policy that does not compile; as [`HostRelease::restore`] and
/// [`HostRelease::replay`] otherwise.
pub fn release(call: &ReleaseCall) -> Result<ReleaseReplay, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    HostRelease::feed_replay(policy.compiled(), call.state.as_deref(), &call.events)
}

/// [`release`] on a JSON call ([`ReleaseCall`]), answering an `Answer` of a [`ReleaseReplay`].
#[must_use]
pub fn release_json(call: Value) -> Value {
    answer(call, release)
}

/// [`release_json`] on JSON text.
#[must_use]
pub fn release_json_str(call: &str) -> String {
    text_form(call, release_json)
}

/// The plan of a policy's release at a time.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleasePlanCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// The time the windows are shown at, ms since the Unix epoch (the host's clock: the core
    /// reads none).
    pub at_ms: u64,
}

/// The plan of a policy's release.
///
/// # Errors
/// A policy error for a policy that does not compile; `KIRO-E104` without environments.
pub fn release_plan(call: &ReleasePlanCall) -> Result<ReleasePlan, BoundaryError> {
    load_policy(&call.policy, &call.format, call.offsets)?.release_plan(call.at_ms)
}

/// [`release_plan`] on a JSON call ([`ReleasePlanCall`]), answering an `Answer` of a
/// [`ReleasePlan`].
#[must_use]
pub fn release_plan_json(call: Value) -> Value {
    answer(call, release_plan)
}

/// [`release_plan_json`] on JSON text.
#[must_use]
pub fn release_plan_json_str(call: &str) -> String {
    text_form(call, release_plan_json)
}

#[cfg(test)]
mod tests;
