//! A release's state, and what each event gives out: instructions with their reasons.

use super::event::{AnalysisResult, CheckResult, GateVerdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Everything a release remembers between events. Saved inside the `machine` envelope, whose
/// fields (`format`, `kind`, `policy`) sit beside these: so no `deny_unknown_fields` here.
///
/// Its size is bounded by the policy and the events that matter: per environment its gate
/// verdicts, approvals and validation results; the log holds one entry per instruction,
/// approval, rejection, override and human action (ticks that change nothing add nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleaseState {
    /// The time of the last event taken.
    pub(crate) last_ms: Option<u64>,
    /// The version released, its author and the version a roll-back returns to.
    pub(crate) version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) previous: Option<String>,
    /// The environment the release is in or entering, by walk order.
    pub(crate) env: usize,
    pub(crate) phase: Phase,
    /// The current strategy step, and whether it has begun (and when).
    pub(crate) step: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) step_started_ms: Option<u64>,
    /// The new version's traffic weight in the current environment, percent.
    pub(crate) weight: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) soak_until_ms: Option<u64>,
    /// Gate verdicts, by environment and gate (the latest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) gates: Vec<GateRecord>,
    /// Approvals given, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) approvals: Vec<ApprovalRecord>,
    /// Validation results of the current attempt at the current environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) validations: Vec<ValidationRecord>,
    /// Break-glass overrides, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) overrides: Vec<BreakGlassRecord>,
    /// The last wait given out (a wait is given again only when it changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) waiting: Option<Wait>,
    /// Every instruction, approval, rejection, override and human action, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) log: Vec<LogEntry>,
}

/// Where a release stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No `start` yet.
    #[default]
    NotStarted,
    /// Checking the entry of the current environment: gates, approvals, windows.
    Entering,
    /// The deploy is asked for; waiting for `deployed`.
    Deploying,
    /// Walking the strategy's steps.
    RollingOut,
    /// An analysis was inconclusive or erred: a human retries or aborts.
    Held,
    /// Waiting for the persona validations.
    Validating,
    /// Staying healthy for the soak time.
    Soaking,
    /// Ready to leave the environment; waiting for `promote` unless it auto-promotes.
    Promotable,
    /// Rolled back (an analysis or validation failed, or aborted): `retry` starts the
    /// environment again.
    Halted,
    /// Done: released everywhere, or rejected.
    Done(Outcome),
}

/// How a release ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Released through every environment.
    Released,
    /// An approver rejected it.
    Rejected,
}

/// A gate's latest verdict for an environment's entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GateRecord {
    pub environment: String,
    pub gate: String,
    pub verdict: GateVerdict,
}

/// An approval as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRecord {
    /// The environment.
    pub environment: String,
    /// Who.
    pub who: String,
    /// As which persona.
    pub persona: String,
    /// When.
    pub at_ms: u64,
}

/// A validation result as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValidationRecord {
    pub persona: String,
    pub check: String,
    pub result: CheckResult,
}

/// A break-glass override as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassRecord {
    /// The environment whose windows are overridden.
    pub environment: String,
    /// Who asked.
    pub who: String,
    /// Who approved.
    pub approver: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at_ms: u64,
}

/// One line of a release's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// When.
    pub at_ms: u64,
    /// `instruction`, `approval`, `rejection`, `break_glass`, `promote`, `promote_full`,
    /// `abort`, `retry`, `analysis`, `validation`.
    pub kind: String,
    /// What, in words.
    pub text: String,
}

/// What the release waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitFor {
    /// The start of the release.
    Start,
    /// A gate's passing decision.
    Gate,
    /// Approvals.
    Approval,
    /// A deploy window to open.
    Window,
    /// The host's `deployed`.
    Deployment,
    /// A pause to end.
    Pause,
    /// A human's `promote`.
    Promotion,
    /// An analysis result.
    Analysis,
    /// A human's `retry` or `abort`.
    Decision,
    /// Validation results.
    Validation,
    /// The soak time to pass.
    Soak,
}

/// A wait: what for, until when, why, and what would unblock it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    /// The environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// What for.
    #[serde(rename = "for")]
    pub wait_for: WaitFor,
    /// When it ends by itself (a pause, a soak, a window opening), ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ms: Option<u64>,
    /// The window in force, when waiting on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The personas asked, when waiting on approvals or validations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<String>,
    /// Why.
    pub reason: String,
    /// What would unblock it.
    pub unblock: String,
}

/// An instruction to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Instruction {
    /// Deploy `version` to `environment` with this traffic weight; answer with `deployed`.
    Deploy {
        /// The environment.
        environment: String,
        /// The version.
        version: String,
        /// Percent of traffic.
        weight: u32,
        /// Why.
        reason: String,
    },
    /// Move this share of traffic (or of instances, rolling) to the new version.
    SetWeight {
        /// The environment.
        environment: String,
        /// Percent.
        weight: u32,
        /// Why.
        reason: String,
    },
    /// Run an analysis of these triggers; answer with `analysis`.
    RunAnalysis {
        /// The environment.
        environment: String,
        /// The triggers.
        triggers: Vec<String>,
        /// `step`, `pre-promotion` or `post-promotion`.
        phase: String,
        /// Why.
        reason: String,
    },
    /// Scale the old version's stack down.
    ScaleDown {
        /// The environment.
        environment: String,
        /// Why.
        reason: String,
    },
    /// The release leaves `from` for `to`.
    Promote {
        /// The environment left.
        from: String,
        /// The environment entered next.
        to: String,
        /// Why.
        reason: String,
    },
    /// Roll `environment` back.
    RollBack {
        /// The environment.
        environment: String,
        /// The version to return to, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// Why.
        reason: String,
    },
    /// Wait.
    Wait(Wait),
    /// The release is over.
    Done {
        /// How it ended.
        outcome: Outcome,
        /// Why.
        reason: String,
    },
}

impl Instruction {
    /// The instruction's name, as in its `type`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Instruction::Deploy { .. } => "deploy",
            Instruction::SetWeight { .. } => "set_weight",
            Instruction::RunAnalysis { .. } => "run_analysis",
            Instruction::ScaleDown { .. } => "scale_down",
            Instruction::Promote { .. } => "promote",
            Instruction::RollBack { .. } => "roll_back",
            Instruction::Wait(_) => "wait",
            Instruction::Done { .. } => "done",
        }
    }

    /// Its reason.
    #[must_use]
    pub fn reason(&self) -> &str {
        match self {
            Instruction::Deploy { reason, .. }
            | Instruction::SetWeight { reason, .. }
            | Instruction::RunAnalysis { reason, .. }
            | Instruction::ScaleDown { reason, .. }
            | Instruction::Promote { reason, .. }
            | Instruction::RollBack { reason, .. }
            | Instruction::Done { reason, .. } => reason,
            Instruction::Wait(w) => &w.reason,
        }
    }
}

/// What a release gives for one event: the instructions, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseDecision {
    /// The event's time.
    pub at_ms: u64,
    /// The event's type.
    pub event: String,
    /// The environment the release is in or entering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Where it stands.
    pub phase: Phase,
    /// The new version's traffic weight in that environment, percent.
    pub weight: u32,
    /// What to do now, in order.
    pub instructions: Vec<Instruction>,
    /// What happens next and why: the wait in force (`null` when done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Wait>,
}

/// Records an analysis outcome for the log text.
pub(crate) fn analysis_text(result: AnalysisResult, detail: Option<&str>) -> String {
    match detail {
        Some(d) => format!("analysis {}: {d}", result.as_str()),
        None => format!("analysis {}", result.as_str()),
    }
}
