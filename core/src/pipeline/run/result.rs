//! The result of a run: per stage what happened, and the overall verdict. Plain data.

use crate::decision::{Decision, PolicyRef, Verdict};
use crate::diagnostic::Diagnostic;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    /// It succeeded and its exit gate did not fail.
    Passed,
    /// Its last attempt failed, or its exit gate failed.
    Failed,
    /// Its last attempt ran out of time.
    TimedOut,
    /// It was running when the run stopped.
    Cancelled,
    /// It never started.
    Skipped,
}

impl StageOutcome {
    /// The outcome as written in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            StageOutcome::Passed => "passed",
            StageOutcome::Failed => "failed",
            StageOutcome::TimedOut => "timed_out",
            StageOutcome::Cancelled => "cancelled",
            StageOutcome::Skipped => "skipped",
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The action succeeded.
    Succeeded,
    /// The action failed.
    Failed,
    /// The action ran out of time.
    TimedOut,
    /// The action was stopped because the run stopped.
    Cancelled,
}

/// One attempt of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AttemptRecord {
    /// The attempt, from 1.
    pub attempt: u32,
    /// When it started, in milliseconds since the run started.
    pub started_at_ms: u64,
    /// How long it ran.
    pub duration_ms: u64,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// What the host said about it (`exit status 2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What happened to one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageResult {
    /// The stage.
    pub name: String,
    /// How it ended.
    pub outcome: StageOutcome,
    /// True when it failed but `continue_on_failure` let the pipeline go on.
    pub allowed_failure: bool,
    /// Why it failed, was cancelled or skipped; for a stage that passed although its action
    /// failed (`on_action_failure: gate`), how the action failed and what its exit gate said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When its first attempt started, in milliseconds since the run started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at_ms: Option<u64>,
    /// From its first start to its end, retries and backoff included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Its attempts, in order.
    pub attempts: Vec<AttemptRecord>,
    /// The decision of its exit gate, when it has one and got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Decision>,
    /// Why its exit gate could not be checked (metrics that do not fit the policy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunResult {
    /// The policy the pipeline belongs to.
    pub policy: PolicyRef,
    /// Pass when every stage passed; warn when a stage failed with `continue_on_failure` or an
    /// exit gate warned; fail otherwise, or when the run was interrupted.
    pub verdict: Verdict,
    /// The run in one sentence.
    pub summary: String,
    /// True when the run was cancelled from outside (Ctrl-C).
    pub interrupted: bool,
    /// How long the run took.
    pub duration_ms: u64,
    /// Every stage, in policy order.
    pub stages: Vec<StageResult>,
}

impl RunResult {
    /// The result's canonical JSON: compact, fields in declaration order.
    #[must_use]
    pub fn to_json(&self) -> String {
        // INVARIANT: results hold only finite floats and string-keyed maps.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The result of the stage named `name`.
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<&StageResult> {
        self.stages.iter().find(|s| s.name == name)
    }
}

/// The overall verdict and summary of a run's stages.
pub(super) fn conclude(stages: &[StageResult], interrupted: bool) -> (Verdict, String) {
    let names = |pick: &dyn Fn(&StageResult) -> bool| -> Vec<String> {
        stages
            .iter()
            .filter(|s| pick(s))
            .map(|s| format!("`{}`", s.name))
            .collect()
    };
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let failed = names(&|s| s.outcome == StageOutcome::Failed && !s.allowed_failure);
    let timed_out = names(&|s| s.outcome == StageOutcome::TimedOut && !s.allowed_failure);
    let cancelled = stages
        .iter()
        .filter(|s| s.outcome == StageOutcome::Cancelled)
        .count();
    let skipped = stages
        .iter()
        .filter(|s| s.outcome == StageOutcome::Skipped)
        .count();
    let allowed = names(&|s| s.allowed_failure);
    let warned = names(&|s| s.gate.as_ref().is_some_and(|g| g.verdict == Verdict::Warn));
    let mut parts = Vec::new();
    if interrupted {
        parts.push("the run was interrupted".to_owned());
    }
    if !failed.is_empty() {
        parts.push(format!(
            "{} failed ({})",
            plural(failed.len(), "stage", "stages"),
            failed.join(", ")
        ));
    }
    if !timed_out.is_empty() {
        parts.push(format!(
            "{} timed out ({})",
            plural(timed_out.len(), "stage", "stages"),
            timed_out.join(", ")
        ));
    }
    if cancelled > 0 {
        parts.push(format!(
            "{} cancelled",
            plural(cancelled, "stage", "stages")
        ));
    }
    if skipped > 0 {
        parts.push(format!("{} skipped", plural(skipped, "stage", "stages")));
    }
    let failing = !parts.is_empty();
    if !allowed.is_empty() {
        parts.push(format!(
            "{} failed with continue_on_failure ({})",
            plural(allowed.len(), "stage", "stages"),
            allowed.join(", ")
        ));
    }
    if !warned.is_empty() {
        parts.push(format!(
            "{} warned ({})",
            plural(warned.len(), "exit gate", "exit gates"),
            warned.join(", ")
        ));
    }
    let verdict = if failing {
        Verdict::Fail
    } else if parts.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Warn
    };
    if parts.is_empty() {
        parts.push(format!(
            "all {} passed",
            plural(stages.len(), "stage", "stages")
        ));
    }
    (
        verdict,
        format!("{}: {}", verdict.as_str(), parts.join("; ")),
    )
}
