//! Markdown reports of a decision and of a pipeline run, shaped for a GitHub Actions job
//! summary (GitHub-flavoured tables).

use super::{MetricUnits, criterion_label, mode_text, signoff_text, summary_text, values_text};
use crate::decision::{Decision, GateDecision, Outcome, Verdict};
use crate::pipeline::{RunResult, StageOutcome};
use crate::units::duration::format_elapsed;
use std::fmt::Write as _;

/// Renders a decision as Markdown for a CI job summary (`$GITHUB_STEP_SUMMARY`): a heading
/// (`## kiro check: **FAIL**`), the summary, a table of criteria per gate and a
/// table of persona sign-offs. Values are shown in `units`. Text from the policy is escaped so
/// that it cannot break a table or inject HTML.
#[must_use]
pub fn markdown(decision: &Decision, units: &MetricUnits) -> String {
    let mut out = String::new();
    let verdict = decision.verdict.as_str().to_ascii_uppercase();
    let _ = writeln!(out, "## kiro check: **{verdict}**");
    out.push('\n');
    let _ = writeln!(out, "{}", text(summary_text(decision)));
    out.push('\n');
    let _ = writeln!(
        out,
        "Policy {} ({})",
        code(&decision.policy.name),
        code(&decision.policy.hash)
    );
    for gate in &decision.gates {
        out.push('\n');
        gate_section(&mut out, gate, units);
    }
    if !decision.personas.is_empty() {
        out.push('\n');
        out.push_str("### Personas\n\n");
        out.push_str("| Persona | Required | Sign-off | Reasons and conditions |\n");
        out.push_str("|---|---|---|---|\n");
        for persona in &decision.personas {
            let mut notes: Vec<String> = persona
                .reasons
                .iter()
                .map(|r| format!("reason: {}", text(r)))
                .collect();
            notes.extend(
                persona
                    .conditions
                    .iter()
                    .map(|c| format!("condition: {}", text(c))),
            );
            let _ = writeln!(
                out,
                "| {} | {} | **{}** | {} |",
                text(&persona.name),
                if persona.required { "yes" } else { "no" },
                signoff_text(persona.signoff),
                if notes.is_empty() {
                    "-".to_owned()
                } else {
                    notes.join("<br>")
                }
            );
        }
    }
    out
}

fn gate_section(out: &mut String, gate: &GateDecision, units: &MetricUnits) {
    let verdict = gate.verdict.as_str().to_ascii_uppercase();
    let _ = writeln!(
        out,
        "### Gate {} ({}, {}): **{verdict}**",
        code(&gate.name),
        gate.kind.as_str(),
        mode_text(gate)
    );
    out.push('\n');
    let mut notes = Vec::new();
    if !gate.reason.is_empty() {
        notes.push(text(&gate.reason));
    }
    if !gate.owners.is_empty() {
        let owners: Vec<String> = gate.owners.iter().map(|o| text(o)).collect();
        notes.push(format!("owners: {}", owners.join(", ")));
    }
    if !notes.is_empty() {
        // A hard line break (backslash) between notes keeps them in one paragraph.
        let _ = writeln!(out, "{}", notes.join("\\\n"));
        out.push('\n');
    }
    out.push_str("| Criterion | Outcome | Values | Explanation |\n");
    out.push_str("|---|---|---|---|\n");
    for criterion in &gate.criteria {
        let values = values_text(criterion, units);
        let values = if values.is_empty() {
            "-".to_owned()
        } else {
            values
                .iter()
                .map(|v| code(v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut explanation = text(&criterion.explanation);
        explanation.push_str("<br>");
        explanation.push_str(&format!("pass: {}", code(&criterion.condition)));
        if let Some(warn) = &criterion.warn_condition {
            explanation.push_str(&format!(", warn: {}", code(warn)));
        }
        let outcome = criterion.outcome.as_str();
        let _ = writeln!(
            out,
            "| {} | {} | {values} | {explanation} |",
            text(&criterion_label(criterion, gate)),
            if criterion.informational {
                // Shown, never counted: not in bold, whatever it is.
                format!("_{outcome}_")
            } else if criterion.outcome == crate::decision::Outcome::Pass {
                outcome.to_owned()
            } else {
                format!("**{outcome}**")
            },
        );
    }
}

/// The run as Markdown, in the style of the decision's report: a heading with the verdict in
/// bold, the summary with the run's duration, the policy, then a table with one row per stage.
/// An outcome other than `passed` is in bold; the exit gate's verdict names the criteria that
/// did not pass. Then, per stage whose exit gate was checked, the criteria behind its verdict,
/// each with its outcome and explanation, those that did not pass first.
#[must_use]
pub fn run_markdown(result: &RunResult) -> String {
    let mut out = String::new();
    let verdict = result.verdict.as_str().to_ascii_uppercase();
    let _ = writeln!(out, "## kiro run: **{verdict}**\n");
    let _ = writeln!(
        out,
        "{} in {}\n",
        text(&result.summary),
        format_elapsed(result.duration_ms)
    );
    let _ = writeln!(
        out,
        "Policy {} ({})\n",
        code(&result.policy.name),
        code(&result.policy.hash)
    );
    out.push_str("| Stage | Outcome | Duration | Attempts | Exit gate | Notes |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for stage in &result.stages {
        let outcome = match stage.outcome {
            StageOutcome::Passed => "passed".to_owned(),
            _ if stage.allowed_failure => format!("**{}** (allowed)", stage.outcome.as_str()),
            _ => format!("**{}**", stage.outcome.as_str()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&stage.name),
            outcome,
            stage.duration_ms.map_or_else(String::new, format_elapsed),
            stage.attempts.len(),
            stage.gate.as_ref().map_or_else(String::new, exit_gate),
            text(stage.reason.as_deref().unwrap_or(""))
        );
    }
    for stage in &result.stages {
        if let Some(decision) = &stage.gate {
            out.push('\n');
            exit_gate_criteria(&mut out, &stage.name, decision);
        }
    }
    out
}

/// The criteria behind a stage's exit gate verdict: a heading with the verdict, then one item
/// per criterion (those that did not pass first, in bold; informational ones in italics) with
/// its explanation.
fn exit_gate_criteria(out: &mut String, stage: &str, decision: &Decision) {
    for gate in &decision.gates {
        let verdict = gate.verdict.as_str().to_ascii_uppercase();
        let _ = writeln!(
            out,
            "### Exit gate of {}: {} **{verdict}**\n",
            code(stage),
            code(&gate.name)
        );
        let mut criteria: Vec<_> = gate.criteria.iter().collect();
        // Stable: the criteria that hold the gate back first, each group in policy order.
        criteria.sort_by_key(|c| c.informational || c.outcome == Outcome::Pass);
        for criterion in criteria {
            let outcome = criterion.outcome.as_str();
            let outcome = if criterion.informational {
                format!("_{outcome}_ (informational)")
            } else if criterion.outcome == Outcome::Pass {
                outcome.to_owned()
            } else {
                format!("**{outcome}**")
            };
            let _ = writeln!(
                out,
                "- {} {outcome}: {}",
                code(&criterion.name),
                text(&criterion.explanation)
            );
        }
    }
}

/// A stage's exit gate in a cell: its verdict, and the criteria that did not pass with their
/// outcomes (`**warn**: \`e2e-tests\` warn`).
fn exit_gate(decision: &Decision) -> String {
    let verdict = decision.verdict.as_str();
    let behind: Vec<String> = decision
        .gates
        .iter()
        .flat_map(|g| &g.criteria)
        // An informational criterion never holds a gate back.
        .filter(|c| c.outcome != Outcome::Pass && !c.informational)
        .map(|c| format!("{} {}", code(&c.name), c.outcome.as_str()))
        .collect();
    match (decision.verdict, behind.is_empty()) {
        (Verdict::Pass, _) | (_, true) => verdict.to_owned(),
        _ => format!("**{verdict}**: {}", behind.join(", ")),
    }
}

/// Inline Markdown for a table cell from text that marks code with backticks (as kiro's
/// explanations do): backtick spans stay code, everything else is escaped.
pub(super) fn text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(open) = rest.find('`') {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                out.push_str(&code(&after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str("\\`");
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// Plain text escaped for a GitHub-flavoured table cell.
pub(super) fn escape(input: &str) -> String {
    let chars: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\\' | '*' | '[' | ']' | '`' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            // An underscore inside a word cannot start or end emphasis; elsewhere it could.
            '_' => {
                let inside = i > 0
                    && chars[i - 1].is_alphanumeric()
                    && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                if !inside {
                    out.push('\\');
                }
                out.push('_');
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span holding `input` literally, in a table cell: the fence is longer than any run of
/// backticks inside, and pipes are escaped (GitHub removes the backslash inside tables).
pub(super) fn code(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in cleaned.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if cleaned.starts_with('`') || cleaned.ends_with('`') {
        " "
    } else {
        ""
    };
    let body = cleaned.replace('|', "\\|");
    format!("{fence}{pad}{body}{pad}{fence}")
}
