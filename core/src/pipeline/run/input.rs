//! What goes into a run ([`RunEvent`]) and what comes out ([`RunEffect`]): plain data, so a
//! log of events replays and a host carries out effects with its own primitives.

use super::{Event, RunOptions, RunResult, StageReport};
use serde::{Deserialize, Serialize};

/// Something that happened to the run, at `at_ms` on the host's clock (whole milliseconds
/// since any fixed origin; never earlier than the event before). In JSON, externally tagged:
/// `{"tick": {"at_ms": 1500}}` (an internally tagged form would cost the WebAssembly build
/// serde's buffering code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunEvent {
    /// The run starts: every stage is queued. The first event of every run, and only the first.
    Start {
        /// When; the run's times count from here.
        at_ms: u64,
        /// The stages the host has an action for; the others succeed at once with no
        /// observations (as a stage without `run:` does in `kiro run`).
        actions: Vec<String>,
        /// Settings that override the pipeline's.
        #[serde(default)]
        options: RunOptions,
    },
    /// Attempt `id` ended with `report`. Decided at the next [`RunEvent::Tick`].
    Completed {
        /// When.
        at_ms: u64,
        /// The attempt, as named by [`RunEffect::StartAttempt`].
        id: u64,
        /// What it produced.
        report: StageReport,
    },
    /// Timer `id` fired (a host that fires its timers itself). Decided at the next tick; a
    /// tick fires every timer due by its time anyway.
    TimerFired {
        /// When.
        at_ms: u64,
        /// The timer, as named by [`RunEffect::SetTimer`].
        id: u64,
    },
    /// The run is interrupted (Ctrl-C, a cancelled host task): at the next tick what runs is
    /// cancelled, what waits is skipped, and the run fails as interrupted.
    Interrupt {
        /// When.
        at_ms: u64,
    },
    /// Everything that happened by `at_ms` has been delivered: timers due by then fire, what
    /// ended is judged in policy order, and what became ready starts.
    Tick {
        /// When.
        at_ms: u64,
    },
}

impl RunEvent {
    /// When it happened, on the host's clock.
    #[must_use]
    pub fn at_ms(&self) -> u64 {
        match self {
            RunEvent::Start { at_ms, .. }
            | RunEvent::Completed { at_ms, .. }
            | RunEvent::TimerFired { at_ms, .. }
            | RunEvent::Interrupt { at_ms }
            | RunEvent::Tick { at_ms } => *at_ms,
        }
    }
}

/// Something the host must do, or learn, because of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEffect {
    /// Start attempt `attempt` of `stage`; report its end with [`RunEvent::Completed`].
    StartAttempt {
        /// Names the attempt in [`RunEvent::Completed`] and [`RunEffect::CancelAttempt`].
        id: u64,
        /// The stage.
        stage: String,
        /// The attempt, from 1.
        attempt: u32,
    },
    /// Stop attempt `id` (a timeout, fail-fast, an interrupt): its result is no longer wanted.
    CancelAttempt {
        /// The attempt.
        id: u64,
    },
    /// Tick at `at_ms` (or send [`RunEvent::TimerFired`] then): timer `id` is due `ms`
    /// milliseconds after the event that set it.
    SetTimer {
        /// Names the timer in [`RunEvent::TimerFired`] and [`RunEffect::ClearTimer`].
        id: u64,
        /// When it is due, on the host's clock.
        at_ms: u64,
        /// The delay, in milliseconds.
        ms: u64,
    },
    /// Timer `id` is no longer needed.
    ClearTimer {
        /// The timer.
        id: u64,
    },
    /// Something happened to a stage.
    Progress {
        /// What.
        event: Event,
    },
    /// The run is over.
    Finished {
        /// Its result.
        result: Box<RunResult>,
    },
}
