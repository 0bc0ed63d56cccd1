//! A Prometheus `query_range` response as samples: the matrix Prometheus answers
//! `/api/v1/query_range` with, saved as it came (`curl …/api/v1/query_range?query=…`).
//!
//! The file is one response, whose series name their metric by `__name__` (a query of a bare
//! metric, `error_rate{job="api"}`), or an object of the policy's metric names to responses
//! (`{"error_rate": <response>, "availability": <response>}`), for queries whose series have
//! no name (`sum(rate(…))`). Each metric must have one series: several are an error, since
//! kiro would have to pick one (select one in the query, or aggregate).
//!
//! Every time any series has a point is one observation, in time order; a metric without a
//! point at that time has no data (Prometheus leaves out the steps where a series is absent or
//! stale). `NaN`, `+Inf` and `-Inf` read as NaN.

use super::{
    MAX_SAMPLES, SOURCE, Sample, check_increasing, merge_series, too_many, unknown_metric,
};
use crate::prometheus::api::{self, AnswerError, Data, MAX_ANSWER_BYTES, Series};
use crate::prometheus::reading::of_value;
use kiro::document::{self, Limits, Node, NodeKind};
use kiro::monitor::Reading;
use kiro::{Code, Diagnostic, Format, Span};

use std::collections::BTreeMap;

/// The points of each metric.
type ByMetric = BTreeMap<String, Vec<(u64, Reading, Span)>>;

/// Reads a response, or an object of metric names to responses.
pub(super) fn read(text: &str, metrics: &[&str]) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let limits = Limits {
        max_bytes: MAX_ANSWER_BYTES,
        max_depth: 9,
    };
    let root = document::parse(text, Format::Json, &limits).map_err(|mut d| {
        if d.code == Code::Syntax {
            d.code = Code::InputSyntax;
        }
        vec![d.with_source(SOURCE)]
    })?;
    let mut named: BTreeMap<String, Vec<Series>> = BTreeMap::new();
    let mut problems = Vec::new();
    match &root.kind {
        NodeKind::Map(entries) if root.get("status").is_none() && !entries.is_empty() => {
            for (key, response) in entries {
                if metrics.contains(&key.value.as_str()) {
                    match matrix(response) {
                        Ok(series) => {
                            named.insert(key.value.clone(), series);
                        }
                        Err(d) => problems.push(d),
                    }
                } else {
                    problems.push(unknown_metric("metric", &key.value, key.span, metrics));
                }
            }
        }
        _ => {
            for s in matrix(&root).map_err(|d| vec![d])? {
                match s.labels.get("__name__") {
                    Some(name) if metrics.contains(&name.as_str()) => {
                        named.entry(name.clone()).or_default().push(s);
                    }
                    Some(name) => problems.push(unknown_metric("series", name, s.span, metrics)),
                    None => problems.push(
                        Diagnostic::error(
                            Code::InputSyntax,
                            format!("series `{}` has no metric name (`__name__`)", s.selector()),
                        )
                        .with_label(s.span, "no `__name__`")
                        .with_help(
                            "name the metric: save the response as `{\"<metric>\": <response>}`",
                        )
                        .with_source(SOURCE),
                    ),
                }
            }
        }
    }
    for (name, list) in &named {
        if list.len() > 1 {
            problems.push(several(name, list));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut by_metric = ByMetric::new();
    let mut total = 0usize;
    for (metric, list) in named {
        let Some(series) = list.first() else {
            // A metric named with an empty matrix has no data at any time.
            by_metric.insert(metric, Vec::new());
            continue;
        };
        total = total.saturating_add(series.points.len());
        if total > MAX_SAMPLES {
            return Err(vec![too_many(series.span)]);
        }
        let points: Vec<_> = series
            .points
            .iter()
            .map(|p| (p.at_ms, of_value(p.value), p.span))
            .collect();
        check_increasing(&metric, &points).map_err(|d| vec![d])?;
        by_metric.insert(metric, points);
    }
    Ok(merge_series(&by_metric))
}

/// The series of a response that must be a matrix.
fn matrix(response: &Node) -> Result<Vec<Series>, Diagnostic> {
    match api::from_node(response) {
        Ok(Data::Matrix(series)) => Ok(series),
        Ok(other) => Err(Diagnostic::error(
            Code::InputSyntax,
            format!(
                "the response holds a {}, not the matrix of a `query_range`",
                other.result_type()
            ),
        )
        .with_label(
            response
                .get("data")
                .and_then(|d| d.get("resultType"))
                .map_or(response.span, |n| n.span),
            "not a matrix",
        )
        .with_help("save the answer of `/api/v1/query_range`, not of `/api/v1/query`")
        .with_source(SOURCE)),
        Err(AnswerError::Prometheus { diagnostic, .. } | AnswerError::Malformed(diagnostic)) => {
            Err((*diagnostic).with_source(SOURCE))
        }
    }
}

/// The error for a metric with several series: each labelled (the first three).
fn several(metric: &str, list: &[Series]) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::DuplicateName,
        format!(
            "metric `{metric}` has {} series where one was expected",
            list.len()
        ),
    )
    .with_help("select one series in the query (`{job=\"api\"}`) or aggregate (`sum(…)`)")
    .with_source(SOURCE);
    for s in list.iter().take(3) {
        d = d.with_label(s.span, format!("`{}`", s.selector()));
    }
    d
}
