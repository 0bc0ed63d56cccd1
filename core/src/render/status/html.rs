//! The dashboard as a self-contained HTML page: a gauge per panel metric and shared metric,
//! the alerts as a table and, with a history, a line chart per metric with its thresholds.
//! Opens from a file: no script, and no font, style sheet or image from elsewhere.

use super::super::MetricUnits;
use super::super::replay_picture::{Frame, PANEL, PANEL_TITLE, Series, WIDTH, axis, panel};
use super::super::xml::{attr, text};
use super::gauge::{Gauge, Mark, colour, gauge};
use super::{moment, shown, since_text, target_text, word};
use crate::alert::Status;
use crate::health::HealthStatus;
use crate::status::{GaugeMetric, MetricHistory, StatusReport};
use crate::units::Unit;
use std::fmt::Write as _;

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;background:#fff}\
h1{margin-bottom:4px}section{margin:18px 0}\
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-size:14px;vertical-align:middle}\
.gauges{display:flex;flex-wrap:wrap;gap:8px}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\
ul{margin:4px 0}";

fn badge(status: HealthStatus) -> String {
    format!(
        "<span class=\"badge\" data-status=\"{w}\" style=\"background:{}\">{w}</span>",
        colour(status),
        w = word(status)
    )
}

/// The threshold marks of a panel metric.
fn marks(m: &GaugeMetric) -> Vec<Mark> {
    let mut out = Vec::new();
    for (w, t, colour) in [
        ("warning", &m.warning, colour(HealthStatus::Warning)),
        ("critical", &m.critical, colour(HealthStatus::Critical)),
    ] {
        if let Some(t) = t {
            out.extend(t.values.iter().map(|&at| Mark {
                at,
                colour,
                title: format!("{w}: {}", t.condition),
            }));
        }
    }
    out
}

/// The largest value of metric `name`: 100% for a ratio.
fn ceiling(units: &MetricUnits, name: &str) -> Option<f64> {
    units
        .get(name)
        .filter(|u| u.dimension == crate::units::Dimension::Ratio)
        .map(|_| 1.0)
}

/// The dashboard as an HTML page.
#[must_use]
pub fn status_html(report: &StatusReport, units: &MetricUnits) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = text(&format!("kiro status: {}", report.policy));
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n\
         <p class=\"overall\">{}{} · policy <code>{}</code></p>\n",
        badge(report.status),
        text(&moment(report)),
        text(&report.policy_hash)
    );
    for p in &report.panels {
        let _ = writeln!(
            out,
            "<section class=\"panel\" data-persona=\"{}\">\n<h2>{} {}</h2>\n<div class=\"gauges\">",
            attr(&p.persona),
            text(&p.persona),
            badge(p.status)
        );
        for m in &p.metrics {
            let show = |v: f64| shown(units, &m.metric, Some(v));
            gauge(
                &mut out,
                &Gauge {
                    name: &m.metric,
                    value: m.value,
                    shown: shown(units, &m.metric, m.value),
                    status: m.status,
                    marks: marks(m),
                    show: &show,
                    ceiling: ceiling(units, &m.metric),
                },
            );
        }
        out.push_str("</div>\n<ul>\n");
        for (what, list) in [
            ("critical", &p.issues),
            ("warning", &p.warnings),
            ("no data", &p.no_data),
        ] {
            for item in list {
                let _ = writeln!(out, "<li>{what}: <code>{}</code></li>", text(item));
            }
        }
        out.push_str("</ul>\n</section>\n");
    }
    shared(&mut out, report, units);
    alerts(&mut out, report);
    history(&mut out, report, units);
    out.push_str("</body>\n</html>\n");
    out
}

/// A gauge per shared metric, and the contributions as a table.
fn shared(out: &mut String, report: &StatusReport, units: &MetricUnits) {
    if report.shared.is_empty() {
        return;
    }
    out.push_str("<section class=\"shared\">\n<h2>Shared metrics</h2>\n<div class=\"gauges\">\n");
    for s in &report.shared {
        let status = match s.target_met {
            Some(true) => HealthStatus::Healthy,
            Some(false) => HealthStatus::Critical,
            None if s.value.is_none() => HealthStatus::NoData,
            None => HealthStatus::Healthy,
        };
        let show = |v: f64| shown(units, &s.name, Some(v));
        gauge(
            out,
            &Gauge {
                name: &s.name,
                value: s.value,
                shown: shown(units, &s.name, s.value),
                status,
                marks: Vec::new(),
                show: &show,
                ceiling: ceiling(units, &s.name),
            },
        );
    }
    out.push_str(
        "</div>\n<table>\n<tr><th>metric</th><th>target</th><th>part</th><th>weight</th><th>value</th><th>contribution</th></tr>\n",
    );
    for s in &report.shared {
        for (i, c) in s.contributions.iter().enumerate() {
            let head = if i == 0 {
                format!(
                    "<td rowspan=\"{}\">{} = {}</td><td rowspan=\"{}\">{}</td>",
                    s.contributions.len(),
                    text(&s.name),
                    text(&shown(units, &s.name, s.value)),
                    s.contributions.len(),
                    text(&target_text(s.target.as_deref(), s.target_met))
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<tr>{head}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(&c.of),
                super::super::format_number(c.weight, 0),
                text(&shown(units, &c.of, c.value)),
                text(&shown(units, &s.name, c.contribution))
            );
        }
    }
    out.push_str("</table>\n</section>\n");
}

/// The active alerts as a table.
fn alerts(out: &mut String, report: &StatusReport) {
    out.push_str("<section class=\"alerts\">\n<h2>Alerts</h2>\n");
    match &report.alerts {
        None => out.push_str("<p>Not evaluated: give a history of observations.</p>\n"),
        Some(alerts) if alerts.is_empty() => out.push_str("<p>None firing or pending.</p>\n"),
        Some(alerts) => {
            out.push_str(
                "<table>\n<tr><th>status</th><th>severity</th><th>alert</th><th>owner</th><th>since</th><th>summary</th></tr>\n",
            );
            for a in alerts {
                let (status, style) = if a.status == Status::Firing {
                    ("firing", colour(HealthStatus::Critical))
                } else {
                    ("pending", colour(HealthStatus::Warning))
                };
                let mut notes = String::new();
                if a.muted.is_some() {
                    notes.push_str(" (muted)");
                }
                if let Some(by) = &a.acked_by {
                    let _ = write!(notes, " (acked by {})", text(by));
                }
                let _ = writeln!(
                    out,
                    "<tr class=\"alert\" data-status=\"{status}\"><td style=\"color:{style}\">{status}{notes}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    text(a.severity.as_deref().unwrap_or("—")),
                    text(&a.name),
                    text(a.owner.as_deref().unwrap_or("—")),
                    text(&since_text(report, a.since_ms)),
                    text(a.summary.as_deref().unwrap_or(""))
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("</section>\n");
}

/// The thresholds drawn on metric `name`'s chart: its panel conditions' constants.
fn chart_thresholds(report: &StatusReport, name: &str) -> Vec<(f64, String)> {
    let mut out: Vec<(f64, String)> = Vec::new();
    let metric = report
        .panels
        .iter()
        .flat_map(|p| &p.metrics)
        .find(|m| m.metric == name);
    for m in metric.map(marks).unwrap_or_default() {
        if !out.iter().any(|(k, _)| *k == m.at) {
            out.push((m.at, m.title));
        }
    }
    out
}

/// A line chart per metric of the history.
fn history(out: &mut String, report: &StatusReport, units: &MetricUnits) {
    let Some(history) = &report.history else {
        return;
    };
    out.push_str("<section class=\"history\">\n<h2>History</h2>\n");
    if history.iter().all(|h| h.points.is_empty()) {
        out.push_str("<p>No observation up to the moment.</p>\n</section>\n");
        return;
    }
    for h in history {
        chart(out, h, report, units);
    }
    out.push_str("</section>\n");
}

/// One metric's values over the window, with its thresholds.
fn chart(out: &mut String, h: &MetricHistory, report: &StatusReport, units: &MetricUnits) {
    let (Some(first), Some(last)) = (h.points.first(), h.points.last()) else {
        return;
    };
    let series = Series {
        name: h.metric.clone(),
        unit: units.get(&h.metric).unwrap_or(Unit::NONE),
        points: h.points.iter().map(|p| (p.at_ms, p.value)).collect(),
        thresholds: chart_thresholds(report, &h.metric),
    };
    let frame = Frame {
        t0: first.at_ms,
        span: last.at_ms.saturating_sub(first.at_ms).max(1) as f64,
    };
    let height = PANEL_TITLE + PANEL + 36.0;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" data-metric=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\
         <title>{}</title>",
        attr(&h.metric),
        text(&format!("{} over the window", h.metric))
    );
    panel(out, &series, &frame, PANEL_TITLE);
    axis(out, &frame, last.at_ms, PANEL_TITLE + PANEL + 8.0);
    out.push_str("</svg>\n");
}
