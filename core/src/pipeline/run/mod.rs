//! Running a pipeline: a sans-I/O state machine.
//!
//! The core has no runtime, no clock and no threads. A run is plain data, [`RunState`]; the
//! host feeds it [`RunEvent`]s, each carrying the host's time (`at_ms`), and carries out the
//! [`RunEffect`]s that [`step`] returns: start or cancel an attempt of a stage, set or clear a
//! timer, report progress, and finally the [`RunResult`]. Every decision — `needs`,
//! `max_parallel`, timeouts, retries with doubling backoff, `continue_on_failure`, `fail_fast`,
//! each stage's exit gate (checked with the policy engine itself), interruption — is taken in
//! [`step`], deterministically, so the same events give the same state and effects, byte for
//! byte, in every host.
//!
//! What happens at one moment is delivered, then decided: the host sends the completions and
//! fired timers of that moment (and an interrupt), then a [`RunEvent::Tick`] at the same time.
//! The tick fires the timers due by then, handles what ended in policy order, and starts what
//! became ready, so that stages that end together are judged together (a stage that passes at
//! the moment another fails with `fail_fast` still passes; its dependants are skipped, never
//! started and cancelled).
//!
//! A state saves as canonical JSON ([`RunState::save`]) inside the envelope of
//! [`crate::machine`] (format version, kind `pipeline-run`, policy hash) and restores with
//! [`RunState::restore`]; [`replay`] runs a recorded event log again. [`HostRun`] wraps all of
//! this for hosts with an event loop (the bindings and the conformance runners).

mod error;
mod events;
mod exit;
mod host;
mod input;
mod report;
mod result;
mod state;
mod step;

pub use error::{PlanError, RunError};
pub use events::Event;
pub use host::{HostRequest, HostRun, HostStep};
pub use input::{RunEffect, RunEvent};
pub use report::StageReport;
pub use result::{AttemptOutcome, AttemptRecord, RunResult, StageOutcome, StageResult};
pub use state::RunState;
pub use step::{Replay, replay, step};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of one run that override the pipeline's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunOptions {
    /// How many stages may run at once (overrides `max_parallel`; at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallel: Option<usize>,
    /// Whether a failure cancels the rest (overrides `fail_fast`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
}
