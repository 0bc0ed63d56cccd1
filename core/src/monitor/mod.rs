//! Rollback triggers: a monitor that watches live metrics, calls for actions, and explains
//! every one of them.
//!
//! A policy's `triggers` (and the `windows` they read) compile to a [`CompiledMonitor`]. A
//! monitor is a sans-I/O state machine in the shape every stateful part of kiro follows:
//!
//! - [`MonitorState`]: plain data; [`MonitorState::save`] writes it as canonical JSON inside
//!   the envelope `{"format", "kind": "monitor", "policy": <hash>, …}` and
//!   [`MonitorState::restore`] reads it back under the same policy only;
//! - [`MonitorEvent`]s in, each with its own time (`at_ms`): observations (per metric a
//!   value, no data, NaN or a source error), ticks, approvals and rejections, abort, end;
//! - [`step`] out: a [`MonitorDecision`] with every trigger's state, the action it calls for
//!   and its explanation, the [`Effect`]s for the host, and at the end the [`Final`] verdict.
//!
//! `step` reads no clock and does no I/O: the same events give the same decisions and state,
//! byte for byte; [`replay`] runs a recorded log again. Time going backwards and two
//! observations at one time are coded errors, never silently reordered.
//!
//! Memory is bounded by the policy, whatever the length of the stream: each window, and each
//! version's series in a canary [`judge`], keeps the samples of its own span, at most
//! [`MAX_WINDOW_SAMPLES`] (a denser observation is refused with `KIRO-E052`); each service
//! level objective ([`slo`]) at most 101 buckets per span; everything else is a fixed set of
//! counters and times per tier.
//!
//! The semantics are written down in `docs/monitor.md`.

mod compile;
mod compiled;
pub mod decision;
mod error;
mod event;
mod explain;
pub mod judge;
pub mod model;
mod record;
pub mod slo;
mod state;
mod step;
mod summary;
mod window;

#[cfg(test)]
mod tests;

pub(crate) use compile::compile;
pub use compiled::{
    CompiledMonitor, DEFAULT_CONSECUTIVE_ERROR_LIMIT, MAX_WINDOW_SAMPLES, TierOutline,
    TriggerOutline,
};
pub use decision::{
    CounterReport, Effect, EndReason, Final, MonitorDecision, Observed, TierReport, TriggerReport,
    TriggerResult, TriggerState,
};
pub use error::MonitorError;
pub use event::{MonitorEvent, Reading};
pub use judge::{Classification, GroupScore, JudgeReport, MetricJudgement, Verdict};
pub use slo::SloReport;
pub use state::{MonitorState, Reason};
pub use step::{Stepped, advance, step};

use crate::diagnostic::{Code, Diagnostic};
use crate::machine::{self, Machine};
use crate::policy::CompiledPolicy;

/// The `kind` of a monitor's saved state.
pub const STATE_KIND: &str = "monitor";
/// The format of a monitor's saved state this build writes and reads.
pub const STATE_FORMAT: u32 = 1;

impl Machine for MonitorState {
    const KIND: &'static str = STATE_KIND;
    const FORMAT: u32 = STATE_FORMAT;
}

impl CompiledPolicy {
    /// The policy's triggers, compiled, when it has any.
    #[must_use]
    pub fn monitor(&self) -> Option<&CompiledMonitor> {
        self.inner.monitor.as_ref()
    }
}

/// The policy's monitor, or the error for a policy without triggers.
fn monitor_of(policy: &CompiledPolicy) -> Result<&CompiledMonitor, MonitorError> {
    policy.monitor().ok_or_else(|| {
        Diagnostic::error(Code::NoTriggers, "the policy has no triggers")
            .with_help("add a `triggers:` list: `- {name: errors, when: error_rate > 1%, for: 5m, action: rollback}`")
            .into()
    })
}

/// Why the monitor ends at an event whose effects are `effects`: a rollback (or, without
/// one, a promotion) called for.
fn end_reason_of(effects: &[Effect]) -> Option<EndReason> {
    let acted = |wanted: model::Action| {
        effects
            .iter()
            .any(|e| matches!(e, Effect::Act { action, .. } if *action == wanted))
    };
    if acted(model::Action::Rollback) {
        Some(EndReason::Rollback)
    } else if acted(model::Action::Promote) {
        Some(EndReason::Promote)
    } else {
        None
    }
}

impl MonitorState {
    /// The state of a new monitor for `policy`.
    ///
    /// # Errors
    /// [`Code::NoTriggers`] when the policy has no triggers.
    pub fn new(policy: &CompiledPolicy) -> Result<MonitorState, MonitorError> {
        Ok(MonitorState::initial(monitor_of(policy)?))
    }

    /// The state as canonical JSON inside its envelope (format, kind, policy hash).
    ///
    /// # Errors
    /// [`Code::InvalidState`] if the state cannot be written (never for a state `step` made).
    pub fn save(&self, policy: &CompiledPolicy) -> Result<String, MonitorError> {
        Ok(machine::save(policy.hash(), self)?)
    }

    /// Reads a state saved by [`MonitorState::save`] under the same policy.
    ///
    /// # Errors
    /// [`Code::InvalidState`] for text that is not a monitor state of this format (or does
    /// not fit the policy's triggers); [`Code::StatePolicyMismatch`] for a state saved under
    /// another policy; [`Code::NoTriggers`] for a policy without triggers.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<MonitorState, MonitorError> {
        let monitor = monitor_of(policy)?;
        let state: MonitorState = machine::restore(policy.hash(), text)?;
        if !state.fits(monitor) {
            return Err(
                machine::invalid("the saved state does not fit this policy's triggers").into(),
            );
        }
        Ok(state)
    }
}

/// Runs a recorded event log from a new monitor: the final state and every decision.
///
/// # Errors
/// The first event's [`MonitorError`], as [`step`] gives it.
pub fn replay(
    policy: &CompiledPolicy,
    events: &[MonitorEvent],
) -> Result<(MonitorState, Vec<MonitorDecision>), MonitorError> {
    let mut state = MonitorState::new(policy)?;
    let decisions = events
        .iter()
        .map(|e| step(&mut state, policy, e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((state, decisions))
}

impl MonitorEvent {
    /// Reads an event from its JSON form (`{"type": "observe", "at_ms": 0, "values": {…}}`).
    ///
    /// # Errors
    /// [`Code::InvalidValue`] for JSON that is not an event.
    pub fn from_json(value: &serde_json::Value) -> Result<MonitorEvent, MonitorError> {
        serde_json::from_value(value.clone()).map_err(|e| {
            Diagnostic::error(Code::InvalidValue, format!("not a monitor event: {e}"))
                .with_help("an event is `{\"type\": \"observe\" | \"tick\" | \"approve\" | \"reject\" | \"abort\" | \"end\", \"at_ms\": …}`")
                .with_source("event")
                .into()
        })
    }
}
