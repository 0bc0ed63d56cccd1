//! The dashboard on a terminal: a line per panel and metric, the shared metrics with their
//! contributions, the active alerts.

use super::super::MetricUnits;
use super::super::human::{Paint, clean, pad};
use super::{moment, shown, since_text, target_text, word};
use crate::alert::Status;
use crate::health::HealthStatus;
use crate::status::{GaugeMetric, StatusReport};
use std::fmt::Write as _;

fn style(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Healthy => "32",
        HealthStatus::NoData => "36",
        HealthStatus::Warning => "33",
        HealthStatus::Critical => "1;31",
    }
}

/// The thresholds of a panel metric in words.
fn thresholds(m: &GaugeMetric) -> String {
    let parts: Vec<String> = [("warning", &m.warning), ("critical", &m.critical)]
        .into_iter()
        .filter_map(|(w, t)| t.as_ref().map(|t| format!("{w} {}", clean(&t.condition))))
        .collect();
    if parts.is_empty() {
        "no thresholds".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The dashboard for a terminal; with `color`, statuses are coloured with ANSI escape codes.
#[must_use]
pub fn status_human(report: &StatusReport, units: &MetricUnits, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — status{}: {}",
        paint.paint("1", &clean(&report.policy)),
        moment(report),
        paint.paint(style(report.status), &word(report.status).to_uppercase())
    );
    let name_width = report
        .panels
        .iter()
        .flat_map(|p| p.metrics.iter().map(|m| m.metric.chars().count()))
        .max()
        .unwrap_or(0);
    for panel in &report.panels {
        let _ = writeln!(
            out,
            "\n{}  {}",
            paint.paint("1", &clean(&panel.persona)),
            paint.paint(style(panel.status), word(panel.status))
        );
        for m in &panel.metrics {
            let value = shown(units, &m.metric, m.value);
            let _ = writeln!(
                out,
                "  {} {}  {}  {}",
                paint.paint(style(m.status), &pad(word(m.status), 8)),
                pad(&clean(&m.metric), name_width),
                pad(&value, 10),
                thresholds(m)
            );
        }
    }
    if !report.shared.is_empty() {
        out.push_str("\nShared metrics\n");
        for s in &report.shared {
            let met_style = match s.target_met {
                Some(true) => "32",
                Some(false) => "1;31",
                None => "36",
            };
            let _ = writeln!(
                out,
                "  {} = {}  {}",
                clean(&s.name),
                shown(units, &s.name, s.value),
                paint.paint(
                    met_style,
                    &clean(&target_text(s.target.as_deref(), s.target_met))
                )
            );
            for c in &s.contributions {
                let _ = writeln!(
                    out,
                    "    {} ×{} = {} → {}",
                    clean(&c.of),
                    super::super::format_number(c.weight, 0),
                    shown(units, &c.of, c.value),
                    shown(units, &s.name, c.contribution)
                );
            }
        }
    }
    match &report.alerts {
        None => out.push_str("\nAlerts: not evaluated (give a history of observations)\n"),
        Some(alerts) if alerts.is_empty() => out.push_str("\nAlerts: none firing or pending\n"),
        Some(alerts) => {
            let _ = writeln!(out, "\nAlerts ({})", alerts.len());
            for a in alerts {
                let (label, style) = match a.status {
                    Status::Firing => ("FIRING", "1;31"),
                    _ => ("PENDING", "33"),
                };
                let mut line = format!(
                    "  {} {} {}",
                    paint.paint(style, &pad(label, 7)),
                    pad(&clean(a.severity.as_deref().unwrap_or("-")), 8),
                    clean(&a.name)
                );
                if let Some(owner) = &a.owner {
                    let _ = write!(line, "  owner {}", clean(owner));
                }
                let _ = write!(line, "  since {}", since_text(report, a.since_ms));
                if let Some(by) = &a.acked_by {
                    let _ = write!(line, "  acked by {}", clean(by));
                }
                if a.muted.is_some() {
                    line.push_str("  muted");
                }
                if let Some(summary) = &a.summary {
                    let _ = write!(line, "\n          {}", clean(summary));
                }
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if let Some(history) = &report.history {
        let n = history.iter().map(|h| h.points.len()).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "\nHistory: {n} observation{} up to the moment",
            if n == 1 { "" } else { "s" }
        );
    }
    out
}
