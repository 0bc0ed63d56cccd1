//! Risk reports for a person: plain text and Markdown. JSON is the reports' serde form.

use super::score::{Level, RiskReport};
use crate::units::format_number;
use std::fmt::Write as _;

fn score_text(report: &RiskReport) -> String {
    report
        .score
        .map_or_else(|| "no score".to_owned(), |s| format_number(s, 1))
}

/// The reports as plain text: per model the score and level, each factor's contribution, the
/// missing inputs and the mitigations.
#[must_use]
pub fn human(reports: &[RiskReport]) -> String {
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "risk {}: {} / 100, {}",
            r.model,
            score_text(r),
            r.level.as_str().to_uppercase()
        );
        if let Some(t) = &r.target {
            let _ = writeln!(
                out,
                "  target below {}: {}",
                format_number(t.below, 1),
                if t.met { "met" } else { "NOT met" }
            );
        }
        let width = r.factors.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in &r.factors {
            let _ = writeln!(
                out,
                "  {:>5}  {:width$}  {} → risk {} × {}%{}",
                format_number(f.contribution, 1),
                f.name,
                f.shown,
                format_number(f.risk, 2),
                format_number(f.share * 100.0, 1),
                f.missing
                    .map(|m| format!(" (no data: {})", m.as_str()))
                    .unwrap_or_default(),
            );
        }
        if let Some(b) = &r.blast {
            let _ = writeln!(
                out,
                "  blast radius {:.1}% ({} of {} components affected)",
                b.radius * 100.0,
                b.affected.len(),
                b.components
            );
        }
        if !r.mitigations.is_empty() {
            out.push_str("  mitigations:\n");
            for m in &r.mitigations {
                let _ = writeln!(
                    out,
                    "    -{} {} ({}){} → {} {}",
                    format_number(m.removes, 1),
                    m.name,
                    m.factor,
                    m.description
                        .as_ref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default(),
                    format_number(m.score_after, 1),
                    m.level_after.as_str()
                );
            }
        }
    }
    out
}

/// The reports as Markdown: a table of factors per model.
#[must_use]
pub fn markdown(reports: &[RiskReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let badge = match r.level {
            Level::Low => "🟢",
            Level::Medium => "🟡",
            Level::High => "🟠",
            Level::Critical => "🔴",
            Level::Unknown => "⚪",
        };
        let _ = writeln!(
            out,
            "### {badge} Risk `{}`: {} / 100 ({})\n",
            r.model,
            score_text(r),
            r.level.as_str()
        );
        if let Some(t) = &r.target {
            let _ = writeln!(
                out,
                "Target: below {} — {}\n",
                format_number(t.below, 1),
                if t.met { "met" } else { "**not met**" }
            );
        }
        out.push_str("| factor | value | transform | risk | weight | points |\n");
        out.push_str("|---|---|---|---:|---:|---:|\n");
        for f in &r.factors {
            let _ = writeln!(
                out,
                "| {} | {}{} | {} | {} | {}% | {} |",
                f.name,
                f.shown,
                f.missing
                    .map(|m| format!(" ({})", m.as_str()))
                    .unwrap_or_default(),
                f.transform,
                format_number(f.risk, 2),
                format_number(f.share * 100.0, 1),
                format_number(f.contribution, 1)
            );
        }
        let _ = writeln!(out, "| **total** | | | | | **{}** |", score_text(r));
        if !r.mitigations.is_empty() {
            out.push_str("\nMitigations, most effective first:\n\n");
            for m in &r.mitigations {
                let _ = writeln!(
                    out,
                    "- **{}** ({}): −{} points → {} ({}){}",
                    m.name,
                    m.factor,
                    format_number(m.removes, 1),
                    format_number(m.score_after, 1),
                    m.level_after.as_str(),
                    m.description
                        .as_ref()
                        .map(|d| format!(" — {d}"))
                        .unwrap_or_default()
                );
            }
        }
        out.push('\n');
    }
    out
}
