//! The input series of a `promtool test rules` file as samples, so that the fixtures a team
//! already has for its alerting rules replay through its triggers.
//!
//! The file is a promtool test file with one test under `tests:`, or the test itself:
//!
//! ```yaml
//! interval: 1m
//! input_series:
//!   - series: 'error_rate{job="api"}'
//!     values: '0.2+0.2x5 _ 1.5x3 stale'
//! ```
//!
//! Step `i` of every series is one observation at `i × interval` milliseconds (promtool's
//! tests start at time 0; `interval` defaults to the file's `evaluation_interval`, else 1m).
//! `_` and `stale` are no data at that step, as is a step past a series' last value: kiro reads
//! the samples as written, not through Prometheus' 5-minute lookback. Each metric may have one
//! series.

use super::{MAX_SAMPLES, SOURCE, Sample, syntax, unknown_metric};
use crate::prometheus::notation::{self, Value};
use crate::prometheus::reading::of_value;
use kiro::document::{self, Limits, Node, NodeKind};
use kiro::monitor::{MonitorEvent, Reading};
use kiro::units::duration::parse_duration;
use kiro::{Code, Diagnostic, Format, Span};
use std::collections::BTreeMap;

/// promtool's default interval: one minute.
const DEFAULT_INTERVAL_MS: u64 = 60_000;

/// One input series, expanded.
struct Input {
    metric: String,
    span: Span,
    values: Vec<(Value, Span)>,
}

/// Reads the input series of a test.
pub(super) fn read(text: &str, metrics: &[&str]) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let root = document::parse(text, Format::Yaml, &Limits::default()).map_err(|mut d| {
        if d.code == Code::Syntax {
            d.code = Code::InputSyntax;
        }
        vec![d.with_source(SOURCE)]
    })?;
    let test = match root.get("tests") {
        None => &root,
        Some(tests) => match &tests.kind {
            NodeKind::Seq(list) => match list.as_slice() {
                [one] => one,
                [] => return Ok(Vec::new()),
                [_, second, ..] => {
                    return Err(vec![
                        syntax(
                            format!("the file has {} tests; kiro replays one", list.len()),
                            second.span,
                            "a second test",
                        )
                        .with_help("keep the test to replay in a file of its own"),
                    ]);
                }
            },
            _ => {
                return Err(vec![syntax(
                    format!("`tests` is {}, not a list", tests.describe()),
                    tests.span,
                    "not a list",
                )]);
            }
        },
    };
    read_test(text, &root, test, metrics)
}

/// Reads the input series of one test node of a promtool-style file whose root is `root`
/// (spans point into `text`): what `kiro alerts test` uses for each of a file's tests.
///
/// # Errors
/// As [`super::read`].
pub fn read_test(
    text: &str,
    root: &Node,
    test: &Node,
    metrics: &[&str],
) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let interval_ms = match test
        .get("interval")
        .or_else(|| root.get("evaluation_interval"))
    {
        None => DEFAULT_INTERVAL_MS,
        Some(node) => interval(text, node)?,
    };
    let Some(series) = test.get("input_series") else {
        return Err(vec![
            syntax(
                "the test has no `input_series`",
                test.span,
                "no `input_series`",
            )
            .with_help("give `input_series: [{series: 'name{label=\"v\"}', values: '1 2 3'}]`"),
        ]);
    };
    let NodeKind::Seq(list) = &series.kind else {
        return Err(vec![syntax(
            format!("`input_series` is {}, not a list", series.describe()),
            series.span,
            "not a list",
        )]);
    };
    let mut inputs: Vec<Input> = Vec::new();
    let mut problems = Vec::new();
    let mut total = 0usize;
    for item in list {
        match input(text, item, metrics, MAX_SAMPLES) {
            Ok(input) => {
                if let Some(first) = inputs.iter().find(|i| i.metric == input.metric) {
                    problems.push(
                        Diagnostic::error(
                            Code::DuplicateName,
                            format!(
                                "metric `{}` has 2 series where one was expected",
                                input.metric
                            ),
                        )
                        .with_label(input.span, "a second series")
                        .with_label(first.span, "the first")
                        .with_help("keep one series per metric")
                        .with_source(SOURCE),
                    );
                    continue;
                }
                total = total.saturating_add(input.values.len());
                inputs.push(input);
            }
            Err(d) => problems.push(d),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let steps = inputs.iter().map(|i| i.values.len()).max().unwrap_or(0);
    if steps > MAX_SAMPLES || total > MAX_SAMPLES.saturating_mul(4) {
        return Err(vec![super::too_many(series.span)]);
    }
    let mut samples = Vec::with_capacity(steps);
    for step in 0..steps {
        let Some(at_ms) = (step as u64).checked_mul(interval_ms) else {
            return Err(vec![super::too_many(series.span)]);
        };
        let mut values = BTreeMap::new();
        let mut cells = BTreeMap::new();
        let mut row: Option<Span> = None;
        for input in &inputs {
            let (reading, span) = match input.values.get(step) {
                Some((Value::Number(x), span)) => (of_value(*x), *span),
                Some((Value::Missing | Value::Stale, span)) => (Reading::Missing, *span),
                None => (Reading::Missing, input.span),
            };
            row.get_or_insert(span);
            values.insert(input.metric.clone(), reading);
            cells.insert(input.metric.clone(), span);
        }
        let row = row.unwrap_or(series.span);
        samples.push(Sample {
            event: MonitorEvent::Observe { at_ms, values },
            row,
            time: row,
            cells,
        });
    }
    Ok(samples)
}

/// The test's `interval`, a Prometheus duration (`1m`, `15s`).
fn interval(text: &str, node: &Node) -> Result<u64, Vec<Diagnostic>> {
    let raw = scalar_text(node).unwrap_or_default();
    match parse_duration(&raw) {
        Ok(ms) if ms > 0 => Ok(ms),
        Ok(_) => Err(vec![syntax(
            "the interval must be longer than 0",
            node.span,
            "zero interval",
        )]),
        Err(help) => Err(vec![
            syntax(
                format!("`{}` is not an interval", text_at(text, node.span)),
                node.span,
                "not a duration",
            )
            .with_help(help),
        ]),
    }
}

/// One `{series, values}` entry.
fn input(text: &str, item: &Node, metrics: &[&str], max: usize) -> Result<Input, Diagnostic> {
    let field = |key: &str| {
        item.get(key).ok_or_else(|| {
            syntax(
                format!("an input series needs `{key}`"),
                item.span,
                &format!("no `{key}`"),
            )
            .with_help("give `{series: 'name{label=\"v\"}', values: '1 2 3'}`")
        })
    };
    let series = field("series")?;
    let values = field("values")?;
    let series_text = scalar_text(series).ok_or_else(|| {
        syntax(
            format!("`series` is {}, not a string", series.describe()),
            series.span,
            "not a string",
        )
    })?;
    let values_text = scalar_text(values).ok_or_else(|| {
        syntax(
            format!("`values` is {}, not a string", values.describe()),
            values.span,
            "not a string",
        )
    })?;
    let selector =
        notation::selector(&series_text).map_err(|d| relocate(d, text, series, &series_text))?;
    if !metrics.contains(&selector.name.as_str()) {
        return Err(unknown_metric(
            "series",
            &selector.name,
            series.span,
            metrics,
        ));
    }
    let expanded =
        notation::expand(&values_text, max).map_err(|d| relocate(d, text, values, &values_text))?;
    let base = inner_start(text, values, &values_text);
    let values = expanded
        .into_iter()
        .map(|(v, s)| (v, base.map_or(values.span, |b| shift(s, b))))
        .collect();
    Ok(Input {
        metric: selector.name,
        span: series.span,
        values,
    })
}

/// A scalar's text: a string as written, a number as its digits.
fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::String(s) => Some(s.clone()),
        NodeKind::Integer(i) => Some(i.to_string()),
        NodeKind::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

fn text_at(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or_default()
}

/// Where `value` starts in the file when the scalar at `node` writes it as is (plain, or
/// between quotes without escapes); else nothing, and labels point at the whole scalar.
fn inner_start(text: &str, node: &Node, value: &str) -> Option<usize> {
    let raw = text_at(text, node.span);
    if raw == value {
        Some(node.span.start)
    } else if raw.len() >= 2
        && (raw.starts_with('"') || raw.starts_with('\''))
        && raw.get(1..raw.len() - 1) == Some(value)
    {
        Some(node.span.start + 1)
    } else {
        None
    }
}

fn shift(span: Span, by: usize) -> Span {
    Span::new(span.start + by, span.end + by)
}

/// A diagnostic about a scalar's text, pointed into the file.
fn relocate(mut d: Diagnostic, text: &str, node: &Node, value: &str) -> Diagnostic {
    let base = inner_start(text, node, value);
    for label in &mut d.labels {
        let span = base.map_or(node.span, |b| shift(Span::new(label.start, label.end), b));
        label.start = span.start;
        label.end = span.end;
    }
    d.with_source(SOURCE)
}
