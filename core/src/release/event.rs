//! What goes into a release: plain data, so that a log of events replays.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Something that happened, at `at_ms` on the host's clock (milliseconds since the Unix epoch:
/// windows are read on it; never earlier than the event before).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReleaseEvent {
    /// The release starts: which version, whose change, and what to roll back to.
    Start {
        /// When.
        at_ms: u64,
        /// The version released.
        version: String,
        /// The author of the change (refused as an approver where separation of duties holds).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        author: Option<String>,
        /// The version a roll-back returns to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
    },
    /// A gate's decision, for an environment's entry.
    Gate {
        /// When.
        at_ms: u64,
        /// The environment whose entry the gate guards.
        environment: String,
        /// The gate.
        gate: String,
        /// Its verdict.
        verdict: GateVerdict,
    },
    /// A persona's check in an environment passed or failed.
    Validation {
        /// When.
        at_ms: u64,
        /// The environment.
        environment: String,
        /// The persona.
        persona: String,
        /// The check.
        check: String,
        /// Its result.
        result: CheckResult,
        /// Who signed it off.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<String>,
    },
    /// The result of the analysis the release asked for (from the monitor).
    Analysis {
        /// When.
        at_ms: u64,
        /// The environment.
        environment: String,
        /// What the analysis found.
        result: AnalysisResult,
        /// Why, as the analysis tells it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A person approves entering an environment.
    Approve {
        /// When.
        at_ms: u64,
        /// The environment.
        environment: String,
        /// Who.
        who: String,
        /// The persona they approve as.
        persona: String,
    },
    /// A person rejects entering an environment: the release ends, rejected.
    Reject {
        /// When.
        at_ms: u64,
        /// The environment.
        environment: String,
        /// Who.
        who: String,
        /// The persona they reject as.
        persona: String,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The host finished the deploy the release asked for.
    Deployed {
        /// When.
        at_ms: u64,
        /// The environment.
        environment: String,
    },
    /// A human promotes: past a pause, a manual switch, or to the next environment.
    Promote {
        /// When.
        at_ms: u64,
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<String>,
    },
    /// A human skips the remaining steps of the current environment's strategy (recorded as
    /// such); never past an analysis that has not passed.
    PromoteFull {
        /// When.
        at_ms: u64,
        /// Who.
        who: String,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Stop the release and roll back what it deployed in the current environment.
    Abort {
        /// When.
        at_ms: u64,
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<String>,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Try again: the held analysis, or the rolled-back environment from its entry.
    Retry {
        /// When.
        at_ms: u64,
        /// Who.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<String>,
    },
    /// Deploy into an environment outside its windows: needs a reason and a named approver.
    BreakGlass {
        /// When.
        at_ms: u64,
        /// The environment.
        environment: String,
        /// Who asks.
        who: String,
        /// Who approved the override.
        approver: String,
        /// Why.
        reason: String,
    },
    /// Time passes: pauses, soaks, windows and delays are decided.
    Tick {
        /// The host's time.
        at_ms: u64,
    },
}

/// A gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GateVerdict {
    /// Passed.
    Pass,
    /// Passed with a warning (lets the release in).
    Warn,
    /// Failed.
    Fail,
}

/// A validation check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckResult {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
}

/// An analysis result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisResult {
    /// Healthy: the release goes on.
    Pass,
    /// Unhealthy: roll back.
    Fail,
    /// Not enough to decide: a human retries or aborts; never promotes.
    Inconclusive,
    /// The analysis itself failed to run: a human retries or aborts; never promotes.
    Error,
}

impl AnalysisResult {
    /// As written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisResult::Pass => "pass",
            AnalysisResult::Fail => "fail",
            AnalysisResult::Inconclusive => "inconclusive",
            AnalysisResult::Error => "error",
        }
    }
}

impl ReleaseEvent {
    /// When it happened.
    #[must_use]
    pub fn at_ms(&self) -> u64 {
        match self {
            ReleaseEvent::Start { at_ms, .. }
            | ReleaseEvent::Gate { at_ms, .. }
            | ReleaseEvent::Validation { at_ms, .. }
            | ReleaseEvent::Analysis { at_ms, .. }
            | ReleaseEvent::Approve { at_ms, .. }
            | ReleaseEvent::Reject { at_ms, .. }
            | ReleaseEvent::Deployed { at_ms, .. }
            | ReleaseEvent::Promote { at_ms, .. }
            | ReleaseEvent::PromoteFull { at_ms, .. }
            | ReleaseEvent::Abort { at_ms, .. }
            | ReleaseEvent::Retry { at_ms, .. }
            | ReleaseEvent::BreakGlass { at_ms, .. }
            | ReleaseEvent::Tick { at_ms } => *at_ms,
        }
    }

    /// The event's name, as in its `type`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ReleaseEvent::Start { .. } => "start",
            ReleaseEvent::Gate { .. } => "gate",
            ReleaseEvent::Validation { .. } => "validation",
            ReleaseEvent::Analysis { .. } => "analysis",
            ReleaseEvent::Approve { .. } => "approve",
            ReleaseEvent::Reject { .. } => "reject",
            ReleaseEvent::Deployed { .. } => "deployed",
            ReleaseEvent::Promote { .. } => "promote",
            ReleaseEvent::PromoteFull { .. } => "promote_full",
            ReleaseEvent::Abort { .. } => "abort",
            ReleaseEvent::Retry { .. } => "retry",
            ReleaseEvent::BreakGlass { .. } => "break_glass",
            ReleaseEvent::Tick { .. } => "tick",
        }
    }
}
