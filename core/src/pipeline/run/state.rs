//! The state of a run: plain data that saves to JSON and restores exactly.
//!
//! Its size is bounded by the pipeline: per stage its phase, one attempt in flight and at most
//! `retries + 1` attempt records (retries are at most [`crate::pipeline::MAX_RETRIES`]); the
//! live attempts and timers are at most two per running stage; the reports waiting for the next
//! tick at most one per live attempt. Nothing grows with the length of the run beyond that
//! (the host keeps the event log, if it wants one).

use super::error::{RunError, no_pipeline};
use super::exit::{ExitCheck, check_exit};
use super::{RunResult, StageReport, StageResult};
use crate::diagnostic::Diagnostic;
use crate::machine::{self, Machine};
use crate::pipeline::CompiledPipeline;
use crate::policy::CompiledPolicy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a stage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Phase {
    /// Waiting for its needs or for a free slot.
    Pending,
    /// Started: an attempt runs, or a backoff runs before the next one.
    Running,
    /// Ended (passed, failed, timed out, cancelled or skipped).
    Done,
}

/// One stage's part of the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct StageState {
    pub(super) phase: Phase,
    /// How many of its needs are not yet satisfied.
    pub(super) waiting: usize,
    /// Whether the host runs an action for it (else an attempt succeeds at once).
    pub(super) action: bool,
    /// The attempt running now and when it started (ms since the run started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) current: Option<(u32, u64)>,
    /// What happened to it so far. Saved without its exit gate's decision and diagnostics,
    /// which are recomputed from `judged` on restore (see [`saved_result`]).
    #[serde(with = "saved_result")]
    pub(super) result: StageResult,
    /// The report its exit gate was checked on, when it has an exit gate and got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) judged: Option<Box<StageReport>>,
}

/// A stage's result in a saved state: everything but the exit gate's decision and
/// diagnostics. Those are a pure function of the policy (the same one: the hash is checked)
/// and the report, so a restore recomputes them instead of reading them back. This keeps the
/// decision types' deserializers out of the state, and out of the WebAssembly build.
mod saved_result {
    use super::super::{AttemptRecord, StageOutcome, StageResult};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    struct Out<'a> {
        name: &'a str,
        outcome: StageOutcome,
        allowed_failure: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: &'a Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        started_at_ms: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        attempts: &'a [AttemptRecord],
    }

    #[derive(Deserialize)]
    struct In {
        name: String,
        outcome: StageOutcome,
        allowed_failure: bool,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        started_at_ms: Option<u64>,
        #[serde(default)]
        duration_ms: Option<u64>,
        attempts: Vec<AttemptRecord>,
    }

    pub(super) fn serialize<S: Serializer>(r: &StageResult, s: S) -> Result<S::Ok, S::Error> {
        Out {
            name: &r.name,
            outcome: r.outcome,
            allowed_failure: r.allowed_failure,
            reason: &r.reason,
            started_at_ms: r.started_at_ms,
            duration_ms: r.duration_ms,
            attempts: &r.attempts,
        }
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<StageResult, D::Error> {
        let r = In::deserialize(d)?;
        Ok(StageResult {
            name: r.name,
            outcome: r.outcome,
            allowed_failure: r.allowed_failure,
            reason: r.reason,
            started_at_ms: r.started_at_ms,
            duration_ms: r.duration_ms,
            attempts: r.attempts,
            gate: None,
            diagnostics: Vec::new(),
        })
    }
}

/// An attempt in flight at the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LiveAttempt {
    pub(super) id: u64,
    pub(super) stage: usize,
    /// Its timeout timer, when the stage has a timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) timer: Option<u64>,
}

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum TimerFor {
    /// The timeout of the stage's attempt in flight.
    Timeout,
    /// The backoff before attempt `next`.
    Backoff {
        /// The attempt to start when it fires.
        next: u32,
    },
}

/// A timer set and not yet fired or cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LiveTimer {
    pub(super) id: u64,
    pub(super) stage: usize,
    /// When it is due, on the host's clock.
    pub(super) due_ms: u64,
    pub(super) purpose: TimerFor,
}

/// What the host delivered since the last tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Inbox {
    /// Attempt `id` ended.
    Completed { id: u64, report: StageReport },
    /// Timer `id` fired.
    Fired { id: u64 },
}

/// Why the run stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Stop {
    /// Stage `stage` failed and fail-fast is on.
    FailFast { stage: usize },
    /// The host interrupted the run.
    Interrupted,
}

/// The state of a pipeline run. See the [module docs](super).
///
/// A new state is empty; [`RunEvent::Start`](super::RunEvent::Start) fills it in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The host's time at the start (`None` before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) origin_ms: Option<u64>,
    /// The time of the last event taken.
    #[serde(default)]
    pub(super) now_ms: u64,
    /// The last id given to an attempt or a timer.
    #[serde(default)]
    pub(super) last_id: u64,
    /// How many stages may run at once (`None`: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) max_parallel: Option<usize>,
    #[serde(default)]
    pub(super) fail_fast: bool,
    #[serde(default)]
    pub(super) stages: Vec<StageState>,
    /// Pending stages whose needs are all satisfied, by policy order.
    #[serde(default)]
    pub(super) ready: BTreeSet<usize>,
    /// How many stages are running.
    #[serde(default)]
    pub(super) running: usize,
    #[serde(default)]
    pub(super) attempts: Vec<LiveAttempt>,
    #[serde(default)]
    pub(super) timers: Vec<LiveTimer>,
    #[serde(default)]
    pub(super) inbox: Vec<Inbox>,
    /// An interrupt waits for the next tick.
    #[serde(default)]
    pub(super) interrupted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) stop: Option<Stop>,
    /// The run is over.
    #[serde(default)]
    pub(super) finished: bool,
}

impl Machine for RunState {
    const KIND: &'static str = "pipeline-run";
    const FORMAT: u32 = 1;
}

impl RunState {
    /// A run that has not started.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether [`RunEvent::Start`](super::RunEvent::Start) was taken.
    #[must_use]
    pub fn started(&self) -> bool {
        self.origin_ms.is_some()
    }

    /// Whether the run is over.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The time of the last event taken, on the host's clock.
    #[must_use]
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// When the next timer is due, on the host's clock: tick then.
    #[must_use]
    pub fn next_due_ms(&self) -> Option<u64> {
        self.timers.iter().map(|t| t.due_ms).min()
    }

    /// Whether attempt `id` is in flight (a completion of it is expected).
    #[must_use]
    pub fn attempt_in_flight(&self, id: u64) -> bool {
        self.attempts.iter().any(|a| a.id == id)
    }

    /// Whether timer `id` is set (not fired and not cleared).
    #[must_use]
    pub fn timer_set(&self, id: u64) -> bool {
        self.timers.iter().any(|t| t.id == id)
    }

    /// The run's result, once it is over.
    #[must_use]
    pub fn result(&self, policy: &CompiledPolicy) -> Option<RunResult> {
        self.finished
            .then(|| super::step::conclude_run(self, policy))
    }

    /// The state as canonical JSON in its envelope (format, kind `pipeline-run`, the hash of
    /// `policy`).
    ///
    /// # Errors
    /// [`crate::Code::InvalidState`] should JSON not be able to hold the state (it holds only
    /// strings, integers, booleans and numbers).
    pub fn save(&self, policy: &CompiledPolicy) -> Result<String, RunError> {
        Ok(machine::save(policy.hash(), self)?)
    }

    /// Reads a state saved by [`RunState::save`] for `policy`.
    ///
    /// # Errors
    /// [`crate::Code::NoPipeline`] when the policy has none; [`crate::Code::InvalidState`] for
    /// text that is not a saved pipeline run of this format or does not fit the pipeline;
    /// [`crate::Code::StatePolicyMismatch`] for a state saved under another policy.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, RunError> {
        let pipeline = policy.pipeline().ok_or_else(no_pipeline)?;
        let mut state: Self = machine::restore(policy.hash(), text)?;
        state.check_fits(pipeline)?;
        // The exit gates' decisions, recomputed from the reports they were checked on.
        for (i, stage) in state.stages.iter_mut().enumerate() {
            if let Some(report) = &stage.judged {
                match check_exit(policy, i, &report.metrics) {
                    ExitCheck::Decided { decision, .. } => stage.result.gate = Some(*decision),
                    ExitCheck::Unreadable { diagnostics, .. } => {
                        stage.result.diagnostics = diagnostics;
                    }
                    ExitCheck::None => {}
                }
            }
        }
        Ok(state)
    }

    /// Checks that every index in the state names a stage of `pipeline`, so that no step can
    /// index out of bounds on a hand-edited state.
    fn check_fits(&self, pipeline: &CompiledPipeline) -> Result<(), Diagnostic> {
        let n = pipeline.stages.len();
        let started = self.origin_ms.is_some();
        let fits = (!started && self.stages.is_empty() || self.stages.len() == n)
            && self.ready.iter().all(|&i| i < n)
            && self.attempts.iter().all(|a| a.stage < n)
            && self.timers.iter().all(|t| t.stage < n)
            && match self.stop {
                Some(Stop::FailFast { stage }) => stage < n,
                _ => true,
            }
            && self
                .stages
                .iter()
                .zip(&pipeline.stages)
                .all(|(s, p)| s.result.name == p.name);
        if fits {
            Ok(())
        } else {
            Err(machine::invalid(
                "the saved state does not fit the policy's pipeline",
            ))
        }
    }
}
