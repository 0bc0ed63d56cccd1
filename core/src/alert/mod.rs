//! Alerting: rules, routing, grouping, inhibition, silences, escalation with acknowledgements,
//! batching, de-duplication and flapping — decided as data, sent by the host.
//!
//! A policy's `alerts` section compiles to a [`CompiledAlerts`]. The alert engine is a sans-I/O
//! state machine in the shape every stateful part of kiro follows:
//!
//! - [`AlertState`]: plain data; [`AlertState::save`] writes it inside the envelope
//!   `{"format", "kind": "alerts", "policy": <hash>, …}` and [`AlertState::restore`] reads it
//!   back under the same policy only;
//! - [`AlertEvent`]s in, each with its time (`at_ms`): observations, alerts from outside (in
//!   Alertmanager's format), ticks, acknowledgements, silences created and expired;
//! - [`step`] out: an [`AlertDecision`] whose [`Effect`]s are notification intents, escalation
//!   steps and state changes, each with its reason. Every firing alert is routed into groups
//!   (and notified, or muted by a silence or an inhibition) or accounted for (a suppressed
//!   duplicate, flapping, resolved before it was notified).
//!
//! `step` reads no clock and does no I/O; [`replay`] runs a recorded log again with the same
//! bytes. Memory is bounded: [`MAX_ALERTS`], [`MAX_GROUPS`], [`MAX_SILENCES`] (`KIRO-E137`
//! beyond them). The semantics are written down in `docs/alerts.md`.

mod active;
mod compile;
mod compiled;
pub mod decision;
mod error;
mod event;
pub mod matcher;
pub mod model;
pub mod payload;
mod silence;
mod state;
mod step;
mod template;

#[cfg(test)]
mod tests;

pub use active::ActiveAlert;
pub(crate) use compile::compile;
pub use compiled::{
    CompiledAlerts, DEFAULT_GROUP_INTERVAL_MS, DEFAULT_GROUP_WAIT_MS, DEFAULT_MAX_SILENCE_MS,
    DEFAULT_REPEAT_INTERVAL_MS, MAX_ALERTS, MAX_GROUPS, MAX_SILENCES, Target,
};
pub use decision::{
    Accounted, AlertDecision, Effect, Live, Mute, Notification, NotifiedAlert, NotifyReason, Status,
};
pub use error::AlertError;
pub use event::{AlertEvent, ExternalAlert, ExternalStatus, Reading};
pub use state::AlertState;
pub use step::{alert_id, step};

use crate::diagnostic::{Code, Diagnostic};
use crate::machine::{self, Machine};
use crate::policy::CompiledPolicy;

/// The `kind` of the alert engine's saved state.
pub const STATE_KIND: &str = "alerts";
/// The format of the saved state this build writes and reads.
pub const STATE_FORMAT: u32 = 1;

impl Machine for AlertState {
    const KIND: &'static str = STATE_KIND;
    const FORMAT: u32 = STATE_FORMAT;
}

impl CompiledPolicy {
    /// The policy's `alerts` section, compiled, when it has one.
    #[must_use]
    pub fn alerts(&self) -> Option<&CompiledAlerts> {
        self.inner.alerts.as_ref()
    }
}

fn alerts_of(policy: &CompiledPolicy) -> Result<&CompiledAlerts, AlertError> {
    policy.alerts().ok_or_else(|| {
        Diagnostic::error(Code::NoAlerts, "the policy has no `alerts` section")
            .with_help("add `alerts:` with `receivers` and a `route` (docs/alerts.md)")
            .into()
    })
}

impl AlertState {
    /// The state of a new engine for `policy`.
    ///
    /// # Errors
    /// `KIRO-E138` when the policy has no `alerts`.
    pub fn new(policy: &CompiledPolicy) -> Result<AlertState, AlertError> {
        Ok(AlertState::initial(alerts_of(policy)?))
    }

    /// The state as canonical JSON inside its envelope.
    ///
    /// # Errors
    /// `KIRO-E040` if it cannot be written (never for a state `step` made).
    pub fn save(&self, policy: &CompiledPolicy) -> Result<String, AlertError> {
        Ok(machine::save(policy.hash(), self)?)
    }

    /// Reads a state saved by [`AlertState::save`] under the same policy.
    ///
    /// # Errors
    /// `KIRO-E040` for text that is not such a state; `KIRO-E041` for another policy's;
    /// `KIRO-E138` for a policy without `alerts`.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<AlertState, AlertError> {
        let alerts = alerts_of(policy)?;
        let state: AlertState = machine::restore(policy.hash(), text)?;
        if !state.fits(alerts) {
            return Err(
                machine::invalid("the saved state does not fit this policy's alerts").into(),
            );
        }
        Ok(state)
    }

    /// When the next timer is due, if any: the host should tick by then.
    #[must_use]
    pub fn wake_at_ms(&self, policy: &CompiledPolicy) -> Option<u64> {
        policy.alerts().and_then(|a| step::next_due(a, self))
    }
}

/// Runs a recorded event log from a new state: the final state and every decision.
///
/// # Errors
/// The first refused event's error.
pub fn replay(
    policy: &CompiledPolicy,
    events: &[AlertEvent],
) -> Result<(AlertState, Vec<AlertDecision>), AlertError> {
    let mut state = AlertState::new(policy)?;
    let decisions = events
        .iter()
        .map(|e| step(&mut state, policy, e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((state, decisions))
}

impl AlertEvent {
    /// Reads an event from its JSON form.
    ///
    /// # Errors
    /// `KIRO-E003` for JSON that is not an event.
    pub fn from_json(value: &serde_json::Value) -> Result<AlertEvent, AlertError> {
        serde_json::from_value(value.clone()).map_err(|e| {
            Diagnostic::error(Code::InvalidValue, format!("not an alert event: {e}"))
                .with_help("an event is `{\"type\": \"observe\" | \"external\" | \"tick\" | \"ack\" | \"silence\" | \"expire_silence\", \"at_ms\": …}`")
                .with_source("event")
                .into()
        })
    }
}
