//! Markdown of a run, for a CI job summary.

use super::human::elapsed;
use crate::decision::Verdict;
use crate::pipeline::{RunResult, StageOutcome};
use std::fmt::Write as _;

/// The run as Markdown: the verdict, then a table with one row per stage.
#[must_use]
pub fn run_markdown(result: &RunResult) -> String {
    let mut out = String::new();
    let icon = match result.verdict {
        Verdict::Pass => "✅",
        Verdict::Warn => "⚠️",
        Verdict::Fail => "❌",
    };
    let _ = writeln!(
        out,
        "## {icon} Pipeline of `{}`\n",
        cell(&result.policy.name)
    );
    let _ = writeln!(
        out,
        "**{}** in {}\n",
        cell(&result.summary),
        elapsed(result.duration_ms)
    );
    out.push_str("| Stage | Outcome | Duration | Attempts | Exit gate | Notes |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for stage in &result.stages {
        let outcome = match stage.outcome {
            StageOutcome::Passed => "✅ passed".to_owned(),
            _ if stage.allowed_failure => format!("⚠️ {} (allowed)", stage.outcome.as_str()),
            StageOutcome::Failed | StageOutcome::TimedOut => {
                format!("❌ {}", stage.outcome.as_str())
            }
            StageOutcome::Cancelled | StageOutcome::Skipped => {
                format!("⏭️ {}", stage.outcome.as_str())
            }
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            cell(&stage.name),
            outcome,
            stage.duration_ms.map_or_else(String::new, elapsed),
            stage.attempts.len(),
            stage
                .gate
                .as_ref()
                .map_or_else(String::new, |g| g.verdict.as_str().to_owned()),
            cell(stage.reason.as_deref().unwrap_or(""))
        );
    }
    out
}

/// Text for a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' => "\\|".to_owned(),
            c if c.is_control() => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}
