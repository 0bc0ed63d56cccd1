//! The unified dashboard ([`StatusReport`]) rendered: on a terminal ([`status_human`]), as
//! Markdown ([`status_markdown`]), and as a self-contained HTML page with a gauge per panel
//! metric and shared metric and, with a history, a line chart per metric with its thresholds
//! ([`status_html`]). Every string from the policy, the metrics or the host is escaped for the
//! format it lands in; values without data read "no data".

mod gauge;
mod html;
mod human;
mod markdown;

pub use html::status_html;
pub use human::status_human;
pub use markdown::status_markdown;

use super::MetricUnits;
use crate::diagnostic::{Code, Diagnostic};
use crate::health::HealthStatus;
use crate::policy::CompiledPolicy;
use crate::status::StatusReport;

/// The formats a [`StatusReport`] renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFormat {
    /// A terminal report.
    Human,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// A self-contained HTML page with SVG gauges and charts.
    Html,
    /// The report as pretty JSON.
    Json,
}

impl StatusFormat {
    /// Reads a format name: `human`, `markdown`, `html` or `json`.
    ///
    /// # Errors
    /// [`Code::InvalidValue`] for any other name.
    pub fn parse(name: &str) -> Result<Self, Diagnostic> {
        match name {
            "human" => Ok(Self::Human),
            "markdown" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            "json" => Ok(Self::Json),
            _ => Err(Diagnostic::error(
                Code::InvalidValue,
                format!("unknown status format `{name}`"),
            )
            .with_help("the formats are `human`, `markdown`, `html` and `json`")),
        }
    }
}

/// `report` in `format`, values in `units` ([`status_units`]); colour only for `human`.
#[must_use]
pub fn render_status(
    report: &StatusReport,
    format: StatusFormat,
    units: &MetricUnits,
    color: bool,
) -> String {
    match format {
        StatusFormat::Human => status_human(report, units, color),
        StatusFormat::Markdown => status_markdown(report, units),
        StatusFormat::Html => status_html(report, units),
        StatusFormat::Json => {
            // INVARIANT: a report holds only finite floats (or null) and string keys.
            let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

/// The units a status of `policy` is shown in: the declared metrics', and each shared
/// metric's (its parts', which are of one kind).
#[must_use]
pub fn status_units(policy: &CompiledPolicy) -> MetricUnits {
    let mut units = MetricUnits::from_policy(policy);
    for shared in policy.health().map_or(&[][..], |h| &h.shared) {
        if let Some(unit) = shared.parts.first().and_then(|(of, _, _)| units.get(of)) {
            units.insert(shared.name.clone(), unit);
        }
    }
    units
}

/// A status in words.
fn word(status: HealthStatus) -> &'static str {
    match status {
        HealthStatus::Healthy => "healthy",
        HealthStatus::NoData => "no data",
        HealthStatus::Warning => "warning",
        HealthStatus::Critical => "critical",
    }
}

/// A value of metric `name` as shown, or "no data".
fn shown(units: &MetricUnits, name: &str, value: Option<f64>) -> String {
    match value {
        Some(v) if !v.is_nan() => units.show(name, v),
        _ => "no data".to_owned(),
    }
}

/// The moment of a report in words: ` at 2026-12-02 16:12:00 UTC`, or nothing without one.
fn moment(report: &StatusReport) -> String {
    report.at_ms.map_or_else(String::new, |at| {
        format!(" at {}", super::replay_picture::start_label(at))
    })
}

/// A shared metric's target in words: `system_health >= 98% (met)`.
fn target_text(target: Option<&str>, met: Option<bool>) -> String {
    match (target, met) {
        (None, _) => "no target".to_owned(),
        (Some(t), Some(true)) => format!("{t} (met)"),
        (Some(t), Some(false)) => format!("{t} (not met)"),
        (Some(t), None) => format!("{t} (no data)"),
    }
}

/// An alert's status, severity and owner, and since when, relative to the moment shown.
fn since_text(report: &StatusReport, since_ms: u64) -> String {
    let start = super::replay_picture::start_label(since_ms);
    match report.at_ms {
        Some(at) if at >= since_ms => format!(
            "{start} ({})",
            crate::units::duration::format_elapsed(at - since_ms)
        ),
        _ => start,
    }
}

#[cfg(test)]
mod tests;
