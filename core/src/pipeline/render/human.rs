//! Terminal renderings: the plan as a table, the run result as a report.

use super::{clean, plural};
use crate::decision::Verdict;
use crate::pipeline::duration::format_duration;
use crate::pipeline::{Plan, RunResult, StageOutcome};
use std::fmt::Write as _;

fn paint(on: bool, style: &str, text: &str) -> String {
    if on && !text.is_empty() {
        format!("\x1b[{style}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Pads `text` to `width` characters (by `char`, which is what a table of names needs).
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

/// The plan as a table: per stage (in policy order) its wave (from 1), estimate, earliest
/// and latest start, slack and needs, with `*` marking the critical path, which follows.
#[must_use]
pub fn plan_human(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan of `{}`: {} in {}; {} on the critical path",
        clean(&plan.policy.name),
        plural(plan.stages.len(), "stage", "stages"),
        plural(plan.waves.len(), "wave", "waves"),
        format_duration(plan.total_ms)
    );
    out.push('\n');
    let header = [
        "", "wave", "stage", "estimate", "earliest", "latest", "slack", "needs",
    ];
    let rows: Vec<[String; 8]> = plan
        .stages
        .iter()
        .map(|s| {
            [
                if s.critical {
                    "*".to_owned()
                } else {
                    String::new()
                },
                (s.wave + 1).to_string(),
                clean(&s.name).into_owned(),
                format_duration(s.estimate_ms),
                format_duration(s.earliest_start_ms),
                format_duration(s.latest_start_ms),
                format_duration(s.slack_ms),
                s.needs
                    .iter()
                    .map(|n| clean(n).into_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 8]| -> String {
        let mut text = format!("  {} ", pad(cells[0], widths[0]));
        for (k, cell) in cells.iter().enumerate().skip(1) {
            if k + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&pad(cell, widths[k]));
                text.push_str("  ");
            }
        }
        text.trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", paint(color, "1", &line(header)));
    for (row, stage) in rows.iter().zip(&plan.stages) {
        let text = line([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6], &row[7],
        ]);
        let _ = writeln!(
            out,
            "{}",
            if stage.critical {
                paint(color, "1;31", &text)
            } else {
                text
            }
        );
    }
    out.push('\n');
    let path: Vec<String> = plan
        .critical_path
        .iter()
        .map(|n| clean(n).into_owned())
        .collect();
    let _ = writeln!(
        out,
        "critical path: {} ({})",
        if path.is_empty() {
            "none".to_owned()
        } else {
            path.join(" -> ")
        },
        format_duration(plan.total_ms)
    );
    out
}

pub(super) use crate::pipeline::duration::format_elapsed as elapsed;

fn outcome_style(outcome: StageOutcome, allowed: bool) -> &'static str {
    match outcome {
        StageOutcome::Passed => "32",
        _ if allowed => "33",
        StageOutcome::Failed | StageOutcome::TimedOut => "31",
        StageOutcome::Cancelled | StageOutcome::Skipped => "2",
    }
}

fn verdict_style(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "1;32",
        Verdict::Warn => "1;33",
        Verdict::Fail => "1;31",
    }
}

/// The run as a report: one line per stage (outcome, duration, attempts, exit gate verdict,
/// reason), then the verdict.
#[must_use]
pub fn run_human(result: &RunResult, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Pipeline of `{}`", clean(&result.policy.name));
    let name_width = result
        .stages
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0);
    let times: Vec<String> = result
        .stages
        .iter()
        .map(|s| s.duration_ms.map_or_else(String::new, elapsed))
        .collect();
    let time_width = times.iter().map(String::len).max().unwrap_or(0);
    for (stage, time) in result.stages.iter().zip(&times) {
        let outcome = pad(stage.outcome.as_str(), 9);
        let mut line = format!(
            "  {}  {}  {}",
            pad(&clean(&stage.name), name_width),
            paint(
                color,
                outcome_style(stage.outcome, stage.allowed_failure),
                &outcome
            ),
            pad(time, time_width)
        );
        let mut notes = Vec::new();
        if stage.attempts.len() > 1 {
            notes.push(format!("{} attempts", stage.attempts.len()));
        }
        if let Some(gate) = &stage.gate {
            notes.push(format!("exit gate {}", gate.verdict.as_str()));
        }
        if stage.allowed_failure {
            notes.push("continue_on_failure".into());
        }
        if let Some(reason) = &stage.reason {
            notes.push(clean(reason).into_owned());
        }
        if !notes.is_empty() {
            line.push_str("  ");
            line.push_str(&notes.join("; "));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{} in {}",
        paint(
            color,
            verdict_style(result.verdict),
            &clean(&result.summary)
        ),
        elapsed(result.duration_ms)
    );
    out
}
