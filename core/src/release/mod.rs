//! Releases: a version's path through the policy's environments — entry gates, approvals,
//! deploy windows, a deployment strategy step by step, persona validations, soak and
//! promotion — as a sans-I/O state machine that says at every event what happens next, and why.
//!
//! A policy's `environments` (and its default `strategy`) compile to a [`CompiledRelease`].
//! A release follows the shape every stateful part of kiro follows:
//!
//! - [`ReleaseState`]: plain data; [`ReleaseState::save`] writes it as canonical JSON inside the
//!   envelope `{"format", "kind": "release", "policy": <hash>, …}` and
//!   [`ReleaseState::restore`] reads it back under the same policy only;
//! - [`ReleaseEvent`]s in, each with its own time (`at_ms`, milliseconds since the Unix epoch:
//!   windows are read on it): start, gate decisions, validation and analysis results,
//!   approvals and rejections, deployed, promote, promote fully, abort, retry, break-glass,
//!   tick;
//! - [`step`] out: a [`ReleaseDecision`] with the [`Instruction`]s for the host (deploy, set a
//!   weight, run an analysis, scale down, promote, roll back, wait, done), each with its reason,
//!   and `next`: what the release waits for and what would unblock it.
//!
//! `step` reads no clock and does no I/O: the same events give the same decisions and state,
//! byte for byte; [`replay`] runs a recorded log again. Every approval, rejection, override,
//! human action and instruction is in the state's log. The semantics are in `docs/releases.md`.

mod compile;
mod compiled;
pub mod conflicts;
mod error;
mod event;
pub mod model;
pub mod plan;
mod schedule;
mod state;
mod step;

#[cfg(test)]
mod tests;

pub(crate) use compile::{Names, compile};
pub use compiled::{CompiledRelease, Step, StrategyKind};
pub use error::ReleaseError;
pub use event::{AnalysisResult, CheckResult, GateVerdict, ReleaseEvent};
pub use plan::{ReleasePlan, format_instant};
pub use schedule::WindowStatus;
pub use state::{
    ApprovalRecord, BreakGlassRecord, Instruction, LogEntry, Outcome, Phase, ReleaseDecision,
    ReleaseState, Wait, WaitFor,
};
pub use step::step;

use crate::diagnostic::{Code, Diagnostic};
use crate::machine::{self, Machine};
use crate::policy::CompiledPolicy;

/// The `kind` of a release's saved state.
pub const STATE_KIND: &str = "release";
/// The format of a release's saved state this build writes and reads.
pub const STATE_FORMAT: u32 = 1;

impl Machine for ReleaseState {
    const KIND: &'static str = STATE_KIND;
    const FORMAT: u32 = STATE_FORMAT;
}

impl CompiledPolicy {
    /// The policy's environments, compiled, when it has any.
    #[must_use]
    pub fn release(&self) -> Option<&CompiledRelease> {
        self.inner.release.as_ref()
    }

    /// Checks releases planned for a time range against each other and the environments'
    /// windows: conflicts, and the earliest conflict-free start of each release that has one.
    ///
    /// # Errors
    /// `KIRO-E104` without environments; `KIRO-E109` for a release into an unknown
    /// environment; `KIRO-E003` for a start or duration that cannot be read.
    pub fn schedule(
        &self,
        plan: &conflicts::SchedulePlan,
    ) -> Result<conflicts::ScheduleReport, ReleaseError> {
        conflicts::check(release_of(self)?, plan)
    }

    /// The plan of a release through the policy's environments, with the windows as they stand
    /// at `at_ms` (ms since the Unix epoch).
    ///
    /// # Errors
    /// `KIRO-E104` when the policy has no environments.
    pub fn release_plan(&self, at_ms: u64) -> Result<ReleasePlan, ReleaseError> {
        Ok(plan::plan(
            release_of(self)?,
            self.name(),
            self.hash(),
            at_ms,
        ))
    }
}

/// Reads a time given by a person: RFC 3339 with an offset (`2026-12-03T09:00:00Z`), or whole
/// milliseconds since the Unix epoch.
#[must_use]
pub fn parse_time(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<u64>() {
        return Some(ms);
    }
    text.parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| u64::try_from(t.as_millisecond()).ok())
}

/// The policy's release, or the error for a policy without environments.
pub(crate) fn release_of(policy: &CompiledPolicy) -> Result<&CompiledRelease, ReleaseError> {
    policy.release().ok_or_else(|| {
        Diagnostic::error(Code::NoEnvironments, "the policy has no environments")
            .with_help("add an `environments:` list: `- {name: staging}`")
            .into()
    })
}

impl ReleaseState {
    /// The state of a new release for `policy` (it starts with its `start` event).
    ///
    /// # Errors
    /// `KIRO-E104` when the policy has no environments.
    pub fn new(policy: &CompiledPolicy) -> Result<ReleaseState, ReleaseError> {
        release_of(policy)?;
        Ok(ReleaseState::default())
    }

    /// The state as canonical JSON inside its envelope (format, kind, policy hash).
    ///
    /// # Errors
    /// `KIRO-E040` if the state cannot be written (never for a state `step` made).
    pub fn save(&self, policy: &CompiledPolicy) -> Result<String, ReleaseError> {
        Ok(machine::save(policy.hash(), self)?)
    }

    /// Reads a state saved by [`ReleaseState::save`] under the same policy.
    ///
    /// # Errors
    /// `KIRO-E040` for text that is not a release state of this format (or points past the
    /// policy's environments); `KIRO-E041` for a state saved under another policy; `KIRO-E104`
    /// for a policy without environments.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<ReleaseState, ReleaseError> {
        let release = release_of(policy)?;
        let state: ReleaseState = machine::restore(policy.hash(), text)?;
        if state.env >= release.environments.len() {
            return Err(machine::invalid(
                "the saved state does not fit this policy's environments",
            )
            .into());
        }
        Ok(state)
    }

    /// Whether the release is done (released everywhere, or rejected).
    #[must_use]
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done(_))
    }

    /// Where the release stands.
    #[must_use]
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// What the release waits for now, if anything.
    #[must_use]
    pub fn next(&self) -> Option<&Wait> {
        self.waiting.as_ref()
    }

    /// Every approval, rejection, override, human action and instruction, in order.
    #[must_use]
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }
}

/// Runs a recorded event log from a new release: the final state and every decision.
///
/// # Errors
/// The first event's [`ReleaseError`], as [`step`] gives it.
pub fn replay(
    policy: &CompiledPolicy,
    events: &[ReleaseEvent],
) -> Result<(ReleaseState, Vec<ReleaseDecision>), ReleaseError> {
    let mut state = ReleaseState::new(policy)?;
    let decisions = events
        .iter()
        .map(|e| step(&mut state, policy, e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((state, decisions))
}

impl ReleaseEvent {
    /// Reads an event from its JSON form (`{"type": "approve", "at_ms": 0, …}`).
    ///
    /// # Errors
    /// `KIRO-E003` for JSON that is not an event.
    pub fn from_json(value: &serde_json::Value) -> Result<ReleaseEvent, ReleaseError> {
        serde_json::from_value(value.clone()).map_err(|e| {
            Diagnostic::error(Code::InvalidValue, format!("not a release event: {e}"))
                .with_help("an event is `{\"type\": \"start\" | \"gate\" | \"validation\" | \"analysis\" | \"approve\" | \"reject\" | \"deployed\" | \"promote\" | \"promote_full\" | \"abort\" | \"retry\" | \"break_glass\" | \"tick\", \"at_ms\": …}`")
                .with_source("event")
                .into()
        })
    }
}
