//! What happens during a run, as it happens.

use crate::decision::Verdict;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One thing that happened to a stage, at `at_ms` milliseconds after the run started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The stage waits for what it needs (every stage, when the run starts).
    Queued {
        /// The stage.
        stage: String,
        /// When, in milliseconds since the run started.
        at_ms: u64,
    },
    /// An attempt started.
    Started {
        /// The stage.
        stage: String,
        /// The attempt, from 1.
        attempt: u32,
        /// When.
        at_ms: u64,
    },
    /// An attempt failed and the stage will be tried again after `backoff_ms`.
    Retried {
        /// The stage.
        stage: String,
        /// The attempt that failed.
        attempt: u32,
        /// Why it failed.
        reason: String,
        /// The wait before the next attempt.
        backoff_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// An attempt ran out of time and was stopped.
    TimedOut {
        /// The stage.
        stage: String,
        /// The attempt.
        attempt: u32,
        /// The stage's timeout.
        timeout_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// The stage succeeded and its exit gate (if any) did not fail.
    Passed {
        /// The stage.
        stage: String,
        /// The exit gate's verdict, when the stage has one.
        verdict: Option<Verdict>,
        /// From its first start to now.
        duration_ms: u64,
        /// When.
        at_ms: u64,
    },
    /// The stage failed: its last attempt failed or timed out, or its exit gate failed.
    Failed {
        /// The stage.
        stage: String,
        /// Why.
        reason: String,
        /// True when `continue_on_failure` lets the pipeline go on.
        allowed: bool,
        /// When.
        at_ms: u64,
    },
    /// The stage was running and was stopped.
    Cancelled {
        /// The stage.
        stage: String,
        /// Why.
        reason: String,
        /// When.
        at_ms: u64,
    },
    /// The stage never started.
    Skipped {
        /// The stage.
        stage: String,
        /// Why.
        reason: String,
        /// When.
        at_ms: u64,
    },
}

impl Event {
    /// The stage the event is about.
    #[must_use]
    pub fn stage(&self) -> &str {
        match self {
            Event::Queued { stage, .. }
            | Event::Started { stage, .. }
            | Event::Retried { stage, .. }
            | Event::TimedOut { stage, .. }
            | Event::Passed { stage, .. }
            | Event::Failed { stage, .. }
            | Event::Cancelled { stage, .. }
            | Event::Skipped { stage, .. } => stage,
        }
    }

    /// When it happened, in milliseconds since the run started.
    #[must_use]
    pub fn at_ms(&self) -> u64 {
        match self {
            Event::Queued { at_ms, .. }
            | Event::Started { at_ms, .. }
            | Event::Retried { at_ms, .. }
            | Event::TimedOut { at_ms, .. }
            | Event::Passed { at_ms, .. }
            | Event::Failed { at_ms, .. }
            | Event::Cancelled { at_ms, .. }
            | Event::Skipped { at_ms, .. } => *at_ms,
        }
    }

    /// The kind of event as written in JSON: `queued`, `started`, `retried`, `timed_out`,
    /// `passed`, `failed`, `cancelled` or `skipped`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Queued { .. } => "queued",
            Event::Started { .. } => "started",
            Event::Retried { .. } => "retried",
            Event::TimedOut { .. } => "timed_out",
            Event::Passed { .. } => "passed",
            Event::Failed { .. } => "failed",
            Event::Cancelled { .. } => "cancelled",
            Event::Skipped { .. } => "skipped",
        }
    }
}
