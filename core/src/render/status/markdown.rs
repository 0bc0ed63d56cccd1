//! The dashboard as GitHub-flavoured Markdown: a table per panel, the shared metrics and the
//! active alerts.

use super::super::MetricUnits;
use super::super::markdown::escape;
use super::{moment, shown, since_text, target_text, word};
use crate::alert::Status;
use crate::status::{GaugeThreshold, StatusReport};
use std::fmt::Write as _;

fn condition(t: Option<&GaugeThreshold>) -> String {
    t.map_or_else(|| "—".to_owned(), |t| escape(&t.condition))
}

/// The dashboard as Markdown.
#[must_use]
pub fn status_markdown(report: &StatusReport, units: &MetricUnits) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Status of {}\n\n**{}**{} (policy `{}`)\n",
        escape(&report.policy),
        word(report.status),
        escape(&moment(report)),
        report.policy_hash
    );
    for panel in &report.panels {
        let _ = writeln!(
            out,
            "## {} — {}\n\n| metric | value | status | warning | critical |\n|---|---|---|---|---|",
            escape(&panel.persona),
            word(panel.status)
        );
        for m in &panel.metrics {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                escape(&m.metric),
                escape(&shown(units, &m.metric, m.value)),
                word(m.status),
                condition(m.warning.as_ref()),
                condition(m.critical.as_ref())
            );
        }
        out.push('\n');
    }
    if !report.shared.is_empty() {
        out.push_str(
            "## Shared metrics\n\n| metric | value | target | contributions |\n|---|---|---|---|\n",
        );
        for s in &report.shared {
            let parts: Vec<String> = s
                .contributions
                .iter()
                .map(|c| {
                    escape(&format!(
                        "{} ×{} = {} → {}",
                        c.of,
                        super::super::format_number(c.weight, 0),
                        shown(units, &c.of, c.value),
                        shown(units, &s.name, c.contribution)
                    ))
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&s.name),
                escape(&shown(units, &s.name, s.value)),
                escape(&target_text(s.target.as_deref(), s.target_met)),
                parts.join("<br>")
            );
        }
        out.push('\n');
    }
    out.push_str("## Alerts\n\n");
    match &report.alerts {
        None => out.push_str("Not evaluated: give a history of observations.\n"),
        Some(alerts) if alerts.is_empty() => out.push_str("None firing or pending.\n"),
        Some(alerts) => {
            out.push_str(
                "| status | severity | alert | owner | since | summary |\n|---|---|---|---|---|---|\n",
            );
            for a in alerts {
                let mut status = if a.status == Status::Firing {
                    "firing".to_owned()
                } else {
                    "pending".to_owned()
                };
                if a.muted.is_some() {
                    status.push_str(" (muted)");
                }
                if let Some(by) = &a.acked_by {
                    let _ = write!(status, " (acked by {})", escape(by));
                }
                let _ = writeln!(
                    out,
                    "| {status} | {} | {} | {} | {} | {} |",
                    escape(a.severity.as_deref().unwrap_or("—")),
                    escape(&a.name),
                    escape(a.owner.as_deref().unwrap_or("—")),
                    escape(&since_text(report, a.since_ms)),
                    escape(a.summary.as_deref().unwrap_or(""))
                );
            }
        }
    }
    out
}
