//! Lighthouse reports (`lighthouse URL --output json`, Lighthouse CI's `lhr-*.json`, or a
//! PageSpeed Insights API response, whose `lighthouseResult` is one), versions 6 to 13.
//!
//! The category scores (0 to 1 in the report) become percentages; the lab metrics are the
//! audits' `numericValue`, checked against the unit Lighthouse gives (`millisecond`, or
//! `unitless` for the layout shift). A score or value Lighthouse could not compute (`null`,
//! e.g. after a page error) is no data.

use super::json;
use super::value::{Unit, Value};
use super::{MetricOut, place};
use crate::diagnostic::{Code, Diagnostic, Span};
use serde::Deserialize;

/// The oldest and newest major versions read (6 introduced LCP, CLS and TBT).
const VERSIONS: std::ops::RangeInclusive<u64> = 6..=13;

/// What a Lighthouse report says: each metric with its JSON pointer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Web {
    /// `(metric name, value, JSON pointer)`.
    pub values: Vec<(String, Value, String)>,
}

impl Web {
    /// The metrics: `lighthouse.*`.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        for (name, value, pointer) in &self.values {
            out.push(MetricOut::pointer(name.clone(), *value, pointer));
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Top {
    lighthouse_version: Option<String>,
    audits: Option<Audits>,
    categories: Option<Categories>,
    /// A PageSpeed Insights response wraps the report.
    lighthouse_result: Option<Box<Top>>,
}

#[derive(Deserialize, Default)]
struct Audits {
    #[serde(rename = "largest-contentful-paint")]
    lcp: Option<Audit>,
    #[serde(rename = "first-contentful-paint")]
    fcp: Option<Audit>,
    #[serde(rename = "total-blocking-time")]
    tbt: Option<Audit>,
    #[serde(rename = "cumulative-layout-shift")]
    cls: Option<Audit>,
    #[serde(rename = "speed-index")]
    si: Option<Audit>,
    #[serde(rename = "interactive")]
    tti: Option<Audit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Audit {
    numeric_value: Option<f64>,
    numeric_unit: Option<String>,
}

#[derive(Deserialize, Default)]
struct Categories {
    performance: Option<Category>,
    accessibility: Option<Category>,
    #[serde(rename = "best-practices")]
    best_practices: Option<Category>,
    seo: Option<Category>,
    pwa: Option<Category>,
}

#[derive(Deserialize)]
struct Category {
    score: Option<f64>,
}

/// Reads a Lighthouse report.
///
/// # Errors
/// As [`json::read`]; [`Code::ReportWrongFormat`] for JSON without `lighthouseVersion`;
/// [`Code::ReportVersion`] for a version outside 6 to 13; [`Code::ReportInvalidValue`] for a
/// score outside 0 to 1 or a metric in an unexpected unit.
pub(super) fn read(text: &str, file: &str) -> Result<Web, Diagnostic> {
    let mut top: Top = json::read(text, file, "Lighthouse")?;
    let mut prefix = "";
    if let Some(inner) = top.lighthouse_result.take() {
        top = *inner;
        prefix = "/lighthouseResult";
    }
    let Some(version) = top.lighthouse_version else {
        return Err(Diagnostic::error(
            Code::ReportWrongFormat,
            "the JSON report has no `lighthouseVersion`: it is not a Lighthouse report",
        )
        .with_source(file));
    };
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    if !major.is_some_and(|m| VERSIONS.contains(&m)) {
        let span = text
            .find("\"lighthouseVersion\"")
            .map_or(Span::default(), |i| Span::new(i, i + 19));
        return Err(Diagnostic::error(
            Code::ReportVersion,
            format!(
                "Lighthouse version `{version}` is not read by kiro ({}; pointer {prefix}/lighthouseVersion)",
                place::at(text, span.start)
            ),
        )
        .with_label(span, "version")
        .with_help(format!(
            "kiro reads reports of Lighthouse {} to {}",
            VERSIONS.start(),
            VERSIONS.end()
        ))
        .with_source(file));
    }
    let audits = top.audits.unwrap_or_default();
    let categories = top.categories.unwrap_or_default();
    let mut web = Web::default();
    let scores = [
        ("performance", &categories.performance),
        ("accessibility", &categories.accessibility),
        ("best_practices", &categories.best_practices),
        ("seo", &categories.seo),
        ("pwa", &categories.pwa),
    ];
    let ids = [
        "performance",
        "accessibility",
        "best-practices",
        "seo",
        "pwa",
    ];
    for ((name, category), id) in scores.into_iter().zip(ids) {
        let Some(category) = category else { continue };
        let pointer = format!("{prefix}/categories/{id}/score");
        let value = match category.score {
            None => Value::new(None, Unit::Percent),
            Some(s) if (0.0..=1.0).contains(&s) => {
                Value::new(Some(score_percent(s)), Unit::Percent)
            }
            Some(s) => {
                return Err(invalid(
                    file,
                    &pointer,
                    &format!("the score {s} is not between 0 and 1"),
                ));
            }
        };
        web.values
            .push((format!("lighthouse.{name}"), value, pointer));
    }
    let metrics = [
        (
            "lcp",
            "largest-contentful-paint",
            &audits.lcp,
            "millisecond",
        ),
        ("fcp", "first-contentful-paint", &audits.fcp, "millisecond"),
        ("tbt", "total-blocking-time", &audits.tbt, "millisecond"),
        ("si", "speed-index", &audits.si, "millisecond"),
        ("tti", "interactive", &audits.tti, "millisecond"),
        ("cls", "cumulative-layout-shift", &audits.cls, "unitless"),
    ];
    for (name, id, audit, expected) in metrics {
        let Some(audit) = audit else { continue };
        let pointer = format!("{prefix}/audits/{id}/numericValue");
        if let (Some(_), Some(unit)) = (audit.numeric_value, &audit.numeric_unit)
            && unit != expected
        {
            return Err(invalid(
                file,
                &format!("{prefix}/audits/{id}/numericUnit"),
                &format!("the unit is `{unit}`, not `{expected}`"),
            ));
        }
        if audit.numeric_value.is_some_and(|v| v < 0.0) {
            return Err(invalid(file, &pointer, "the value is negative"));
        }
        let unit = if expected == "unitless" {
            Unit::Number
        } else {
            Unit::Milliseconds
        };
        web.values.push((
            format!("lighthouse.{name}"),
            Value::new(audit.numeric_value, unit),
            pointer,
        ));
    }
    Ok(web)
}

/// A score of 0 to 1 as a percentage, exactly as written: the decimal point of the score's
/// shortest decimal form moved two places (`0.87` is `87`, never `87.00000000000001`).
fn score_percent(score: f64) -> f64 {
    let text = format!("{score}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut digits = format!("{int}{frac}");
    let point = int.len() + 2;
    while digits.len() < point {
        digits.push('0');
    }
    let (whole, rest) = digits.split_at(point);
    format!("{whole}.{rest}0").parse().unwrap_or(score * 100.0)
}

fn invalid(file: &str, pointer: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ReportInvalidValue,
        format!("an invalid value in the Lighthouse report at {pointer}: {what}"),
    )
    .with_source(file)
}
