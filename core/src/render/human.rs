//! Terminal reports: a decision (a table per gate, the persona sign-offs and the verdict), a
//! pipeline's plan as a table, and a run as one line per stage.

use super::{
    MetricUnits, criterion_label, mode_text, plural, signoff_text, summary_text, values_text,
};
use crate::decision::{Decision, GateDecision, Outcome, Signoff, Verdict};
use crate::pipeline::{Plan, RunResult, StageOutcome};
use crate::units::duration::{format_duration, format_elapsed};
use std::borrow::Cow;
use std::fmt::Write as _;

/// How to render the terminal report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HumanOptions {
    /// Colour outcomes, sign-offs and the verdict with ANSI escape codes.
    pub color: bool,
    /// The units to show metric values in.
    pub units: MetricUnits,
}

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const CYAN: &str = "36";
const BOLD: &str = "1";
const DIM: &str = "2";
/// The stages on a plan's critical path.
const CRITICAL: &str = "1;31";

/// ANSI styling that is a no-op when colour is off.
#[derive(Clone, Copy)]
pub(super) struct Paint {
    pub(super) on: bool,
}

impl Paint {
    pub(super) fn paint(self, style: &str, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn verdict_style(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "1;32",
        Verdict::Warn => "1;33",
        Verdict::Fail => "1;31",
    }
}

fn outcome_style(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => GREEN,
        Outcome::Warn => YELLOW,
        Outcome::Fail => RED,
        Outcome::Unknown => CYAN,
    }
}

fn signoff_style(signoff: Signoff) -> &'static str {
    match signoff {
        Signoff::Approved => GREEN,
        Signoff::ApprovedWithConditions => YELLOW,
        Signoff::Rejected => RED,
    }
}

/// Text from the policy, the metrics or a host with control characters (terminal escapes,
/// line breaks) shown as escapes, so that a report is one line per row and cannot drive the
/// terminal.
pub(super) fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// Renders a decision as a readable report for a terminal: per gate its verdict, reason and a
/// table of criteria (outcome, values, explanation); the persona sign-offs with their
/// conditions and reasons; and the verdict. With `options.color`, outcomes and the verdict are
/// coloured with ANSI escape codes (green, yellow, red); values are shown in `options.units`.
#[must_use]
pub fn human(decision: &Decision, options: &HumanOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} `{}` {}",
        paint.paint(BOLD, "policy"),
        clean(&decision.policy.name),
        paint.paint(DIM, &format!("({})", clean(&decision.policy.hash)))
    );
    for gate in &decision.gates {
        out.push('\n');
        gate_section(&mut out, gate, paint, &options.units);
    }
    if !decision.personas.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", paint.paint(BOLD, "personas"));
        for persona in &decision.personas {
            let required = if persona.required { " (required)" } else { "" };
            let _ = writeln!(
                out,
                "  {}{required}: {}",
                clean(&persona.name),
                paint.paint(
                    signoff_style(persona.signoff),
                    &signoff_text(persona.signoff)
                )
            );
            for reason in &persona.reasons {
                let _ = writeln!(out, "    - reason: {}", clean(reason));
            }
            for condition in &persona.conditions {
                let _ = writeln!(out, "    - condition: {}", clean(condition));
            }
        }
    }
    out.push('\n');
    let verdict = decision.verdict.as_str().to_ascii_uppercase();
    let _ = writeln!(
        out,
        "{} {} - {}",
        paint.paint(BOLD, "verdict:"),
        paint.paint(verdict_style(decision.verdict), &verdict),
        clean(summary_text(decision))
    );
    out
}

fn gate_section(out: &mut String, gate: &GateDecision, paint: Paint, units: &MetricUnits) {
    let verdict = gate.verdict.as_str().to_ascii_uppercase();
    let _ = writeln!(
        out,
        "{} `{}` ({}, {}): {}",
        paint.paint(BOLD, "gate"),
        clean(&gate.name),
        gate.kind.as_str(),
        mode_text(gate),
        paint.paint(verdict_style(gate.verdict), &verdict)
    );
    if !gate.reason.is_empty() {
        let _ = writeln!(out, "  {}", clean(&gate.reason));
    }
    if !gate.owners.is_empty() {
        let owners: Vec<Cow<'_, str>> = gate.owners.iter().map(|o| clean(o)).collect();
        let _ = writeln!(out, "  owners: {}", owners.join(", "));
    }
    if gate.criteria.is_empty() {
        return;
    }
    out.push('\n');
    let rows: Vec<[String; 4]> = gate
        .criteria
        .iter()
        .map(|c| {
            let values = values_text(c, units);
            [
                clean(&criterion_label(c, gate)).into_owned(),
                c.outcome.as_str().to_owned(),
                if values.is_empty() {
                    "-".to_owned()
                } else {
                    clean(&values.join(", ")).into_owned()
                },
                clean(&c.explanation).into_owned(),
            ]
        })
        .collect();
    let header = ["criterion", "outcome", "values", "explanation"];
    let mut widths = header.map(width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    // The last column is not padded, so lines carry no trailing spaces.
    let _ = writeln!(
        out,
        "  {}",
        paint.paint(
            DIM,
            &format!(
                "{:w0$}  {:w1$}  {:w2$}  {}",
                header[0],
                header[1],
                header[2],
                header[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        )
    );
    for (row, criterion) in rows.iter().zip(&gate.criteria) {
        let outcome_pad = " ".repeat(widths[1].saturating_sub(width(&row[1])));
        let line = format!(
            "  {:w0$}  {}{outcome_pad}  {:w2$}  {}",
            row[0],
            paint.paint(
                if criterion.informational {
                    DIM
                } else {
                    outcome_style(criterion.outcome)
                },
                &row[1]
            ),
            row[2],
            row[3],
            w0 = widths[0],
            w2 = widths[2]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// Pads `text` to `width` characters (by `char`, which is what a table of names needs).
pub(super) fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

/// The plan as a table: per stage (in policy order) its wave (from 1), estimate, earliest
/// and latest start, slack and needs, with `*` marking the critical path, which follows.
#[must_use]
pub fn plan_human(plan: &Plan, color: bool) -> String {
    let paint = Paint { on: color };
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
    let _ = writeln!(out, "{}", paint.paint(BOLD, &line(header)));
    for (row, stage) in rows.iter().zip(&plan.stages) {
        let text = line([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6], &row[7],
        ]);
        let _ = writeln!(
            out,
            "{}",
            if stage.critical {
                paint.paint(CRITICAL, &text)
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

fn stage_style(outcome: StageOutcome, allowed: bool) -> &'static str {
    match outcome {
        StageOutcome::Passed => GREEN,
        _ if allowed => YELLOW,
        StageOutcome::Failed | StageOutcome::TimedOut => RED,
        StageOutcome::Cancelled | StageOutcome::Skipped => DIM,
    }
}

/// The run as a report: one line per stage (outcome, duration, attempts, exit gate verdict,
/// reason), then the verdict.
#[must_use]
pub fn run_human(result: &RunResult, color: bool) -> String {
    let paint = Paint { on: color };
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
        .map(|s| s.duration_ms.map_or_else(String::new, format_elapsed))
        .collect();
    let time_width = times.iter().map(String::len).max().unwrap_or(0);
    for (stage, time) in result.stages.iter().zip(&times) {
        let outcome = pad(stage.outcome.as_str(), 9);
        let mut line = format!(
            "  {}  {}  {}",
            pad(&clean(&stage.name), name_width),
            paint.paint(stage_style(stage.outcome, stage.allowed_failure), &outcome),
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
        paint.paint(verdict_style(result.verdict), &clean(&result.summary)),
        format_elapsed(result.duration_ms)
    );
    out
}
