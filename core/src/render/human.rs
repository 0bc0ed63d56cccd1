//! The terminal report: a table per gate, the persona sign-offs and the verdict.

use super::{MetricUnits, criterion_label, mode_text, signoff_text, summary_text, values_text};
use crate::decision::{Decision, GateDecision, Outcome, Signoff, Verdict};
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

/// ANSI styling that is a no-op when colour is off.
#[derive(Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn paint(self, style: &str, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn verdict_style(verdict: Verdict) -> String {
    let color = match verdict {
        Verdict::Pass => GREEN,
        Verdict::Warn => YELLOW,
        Verdict::Fail => RED,
    };
    format!("{BOLD};{color}")
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

/// Text from the policy or the metrics with control characters (terminal escapes, line
/// breaks) shown as escapes, so that a report is one line per row and cannot drive the
/// terminal.
fn clean(text: &str) -> Cow<'_, str> {
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
        paint.paint(&verdict_style(decision.verdict), &verdict),
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
        paint.paint(&verdict_style(gate.verdict), &verdict)
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
            paint.paint(outcome_style(criterion.outcome), &row[1]),
            row[2],
            row[3],
            w0 = widths[0],
            w2 = widths[2]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
