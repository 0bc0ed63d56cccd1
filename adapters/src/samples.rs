//! Recorded samples read into a monitor's observations, each observation with the places in
//! the file its time and values came from, so that every problem points at its line and
//! column:
//!
//! - CSV, wide (`time,metric1,metric2`) or long (`time,metric,value`), in [`csv`];
//! - JSON lines (`{"at_ms": 60000, "values": {…}}`), in [`jsonl`];
//! - a Prometheus `query_range` response (or an object of metric names to responses), in
//!   [`query_range`];
//! - the input series of a `promtool test rules` file (`values: "0+10x100 _ stale"`), in
//!   [`promtool`].
//!
//! A file's samples are given in its own order: times must increase, and the monitor refuses
//! a time going backwards or repeated at the sample that does it; nothing is reordered.

pub mod csv;
pub mod jsonl;
pub mod promtool;
pub mod query_range;

use kiro::diagnostic::did_you_mean;
use kiro::monitor::{MonitorEvent, Reading};
use kiro::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

/// The `source` of diagnostics about a samples file.
pub const SOURCE: &str = "samples";

/// The most observations a samples file may expand to (the series notation can write a
/// million samples in ten characters). A month of 15-second observations is 172,800.
pub const MAX_SAMPLES: usize = 1_000_000;

/// How a samples file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated: a header `time,metric1,metric2` and one row per observation (wide), or
    /// a header `time,metric,value` and one row per reading (long).
    Csv,
    /// One JSON object per line: `{"at_ms": 60000, "values": {"error_rate": 1.2}}`.
    Jsonl,
    /// A Prometheus `query_range` response (`{"status": "success", "data": {"resultType":
    /// "matrix", …}}`), or an object of metric names to such responses.
    QueryRange,
    /// A `promtool test rules` file (or one of its tests) with `input_series`.
    Promtool,
}

impl Format {
    /// The format a file's extension names (`.csv`; `.jsonl`, `.ndjson`; `.yaml`, `.yml`),
    /// else the one its text tells: JSON with `"resultType"` is a query_range response, any
    /// other `{` JSON lines, `input_series` a promtool file, anything else CSV.
    #[must_use]
    pub fn detect(extension: Option<&str>, text: &str) -> Self {
        match extension {
            Some("csv") => Format::Csv,
            Some("jsonl" | "ndjson") => Format::Jsonl,
            Some("json") if text.contains("\"resultType\"") => Format::QueryRange,
            Some("json") => Format::Jsonl,
            Some("yaml" | "yml") => Format::Promtool,
            _ => {
                let head = text.trim_start();
                if head.starts_with('{') {
                    if text.contains("\"resultType\"") {
                        Format::QueryRange
                    } else {
                        Format::Jsonl
                    }
                } else if text.contains("input_series") {
                    Format::Promtool
                } else {
                    Format::Csv
                }
            }
        }
    }

    /// What to write, for the help of an empty file.
    fn example(self) -> &'static str {
        match self {
            Format::Csv => "write a header `time,<metric>,…` and one row per observation",
            Format::Jsonl => "write one `{\"at_ms\": …, \"values\": {…}}` per line",
            Format::QueryRange => {
                "give a `query_range` response whose matrix holds at least one sample"
            }
            Format::Promtool => "give `input_series` with `series` and `values`",
        }
    }
}

/// One observation and where it was written.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The observation.
    pub event: MonitorEvent,
    /// The whole row or line (or the first point at this time).
    pub row: Span,
    /// The time's cell or value.
    pub time: Span,
    /// Each metric's cell, key or point.
    pub cells: BTreeMap<String, Span>,
}

impl Sample {
    /// Points a diagnostic of the monitor about this observation into the file: at the time
    /// for a time problem, at the metric's cell when the message names one of its metrics,
    /// else at the row.
    #[must_use]
    pub fn locate(&self, diagnostic: &Diagnostic) -> Diagnostic {
        let mut d = diagnostic.clone().with_source(SOURCE);
        if !d.labels.is_empty() {
            return d;
        }
        let (span, label) = match d.code {
            Code::TimeWentBackwards | Code::DuplicateObservation => (self.time, "this time"),
            code => named_metric(&d.message)
                .and_then(|m| self.cells.get(m))
                .map_or((self.row, "in this observation"), |&s| {
                    if code == Code::UnknownMetric {
                        (s, "unknown metric")
                    } else {
                        (s, "this value")
                    }
                }),
        };
        d = d.with_label(span, label);
        d
    }
}

/// The first name in backticks in a message.
fn named_metric(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// Reads every sample of `text`; `metrics` are the policy's metric names, for the names a
/// file gives (CSV headers and cells, query_range series, promtool series).
///
/// # Errors
/// Every problem found, each pointed at its line and column: [`Code::InputSyntax`] for text
/// that does not read, a time that is neither milliseconds nor RFC 3339, or no sample at all;
/// [`Code::UnknownMetric`] for a name the policy does not declare (with did-you-mean);
/// [`Code::DuplicateName`] for a metric given twice (a column, a reading at one time, several
/// series for one metric); [`Code::TimeWentBackwards`] and [`Code::DuplicateObservation`]
/// for a series whose times do not increase; [`Code::TooLarge`] for more than
/// [`MAX_SAMPLES`] observations.
pub fn read(text: &str, format: Format, metrics: &[&str]) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let samples = match format {
        Format::Csv => csv::read(text, metrics)?,
        Format::Jsonl => jsonl::read(text)?,
        Format::QueryRange => query_range::read(text, metrics)?,
        Format::Promtool => promtool::read(text, metrics)?,
    };
    if samples.is_empty() {
        return Err(vec![
            Diagnostic::error(Code::InputSyntax, "the samples file holds no sample")
                .with_help(format.example())
                .with_source(SOURCE),
        ]);
    }
    Ok(samples)
}

/// Reads `0` and `1` as false and true for `booleans`, the policy's boolean metrics, in
/// samples from Prometheus ([`Format::QueryRange`], [`Format::Promtool`]), which has no
/// booleans. Other numbers stay numbers, for the monitor to refuse at their place.
pub fn booleans(samples: &mut [Sample], booleans: &[&str]) {
    for sample in samples {
        if let MonitorEvent::Observe { values, .. } = &mut sample.event {
            for name in booleans {
                if let Some(r) = values.get_mut(*name)
                    && matches!(r, Reading::Number(x) if *x == 0.0 || *x == 1.0)
                {
                    *r = crate::prometheus::reading::boolean(r.clone());
                }
            }
        }
    }
}

/// An [`Code::InputSyntax`] diagnostic labelled at `span`.
fn syntax(message: impl Into<String>, span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(Code::InputSyntax, message)
        .with_label(span, label)
        .with_source(SOURCE)
}

/// An [`Code::UnknownMetric`] diagnostic for `name` at `span`, suggesting the nearest of
/// `metrics`.
fn unknown_metric(what: &str, name: &str, span: Span, metrics: &[&str]) -> Diagnostic {
    let help = did_you_mean(name, metrics.iter().copied()).map_or_else(
        || "name only metrics the policy declares".to_owned(),
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(
        Code::UnknownMetric,
        format!("{what} `{name}` is not a metric the policy declares"),
    )
    .with_label(span, "unknown metric")
    .with_help(help)
    .with_source(SOURCE)
}

/// A [`Code::TooLarge`] diagnostic for input that expands past [`MAX_SAMPLES`].
fn too_many(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TooLarge,
        format!("the samples expand to more than {MAX_SAMPLES} observations"),
    )
    .with_label(span, "too many")
    .with_help("replay a shorter stretch of time, or split the file")
    .with_source(SOURCE)
}

/// A time: whole milliseconds, or an RFC 3339 timestamp (`2026-12-02T16:00:00Z`).
fn parse_time(text: &str, span: Span) -> Result<u64, Diagnostic> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<u64>() {
        return Ok(ms);
    }
    let not_a_time = || {
        syntax(format!("`{text}` is not a time"), span, "not a time").with_help(
            "write whole milliseconds (`60000`) or an RFC 3339 time (`2026-12-02T16:00:00Z`)",
        )
    };
    let stamp: jiff::Timestamp = text.parse().map_err(|_| not_a_time())?;
    u64::try_from(stamp.as_millisecond()).map_err(|_| {
        syntax(
            format!("`{text}` is before 1970"),
            span,
            "before the Unix epoch",
        )
        .with_help("give times from 1970-01-01T00:00:00Z on")
    })
}

/// A CSV cell: empty is no data, `NaN` not a number, `error:<text>` a source error, `true`
/// and `false` booleans, a number a value in the metric's unit, anything else a value with a
/// unit that the monitor reads (`420ms`).
fn reading(cell: &str) -> Reading {
    let cell = cell.trim();
    if cell.is_empty() {
        Reading::Missing
    } else if cell.eq_ignore_ascii_case("nan") {
        Reading::nan()
    } else if let Some(error) = cell.strip_prefix("error:") {
        Reading::Failed {
            error: error.trim().to_owned(),
        }
    } else if let Ok(b) = cell.parse::<bool>() {
        Reading::Bool(b)
    } else if let Ok(x) = cell.parse::<f64>() {
        Reading::Number(x)
    } else {
        Reading::Text(cell.to_owned())
    }
}

/// Observations from per-metric series of `(time, reading, span)` points, each series in
/// increasing time: one observation at every time any series has a point, in time order, in
/// which a metric without a point at that time has no data. This merges; it never reorders
/// a series (the caller checks each is increasing).
fn merge_series(series: &BTreeMap<String, Vec<(u64, Reading, Span)>>) -> Vec<Sample> {
    let mut times: BTreeMap<u64, Sample> = BTreeMap::new();
    for (metric, points) in series {
        for (at_ms, value, span) in points {
            let sample = times.entry(*at_ms).or_insert_with(|| Sample {
                event: MonitorEvent::Observe {
                    at_ms: *at_ms,
                    values: series
                        .keys()
                        .map(|m| (m.clone(), Reading::Missing))
                        .collect(),
                },
                row: *span,
                time: *span,
                cells: BTreeMap::new(),
            });
            if let MonitorEvent::Observe { values, .. } = &mut sample.event {
                values.insert(metric.clone(), value.clone());
            }
            sample.cells.insert(metric.clone(), *span);
        }
    }
    times.into_values().collect()
}

/// Checks that a series' times increase: a point earlier than the one before is
/// [`Code::TimeWentBackwards`], at the same time [`Code::DuplicateObservation`].
fn check_increasing(metric: &str, points: &[(u64, Reading, Span)]) -> Result<(), Diagnostic> {
    for pair in points.windows(2) {
        let [(before, _, _), (at, _, span)] = pair else {
            continue;
        };
        if at < before {
            return Err(Diagnostic::error(
                Code::TimeWentBackwards,
                format!("the series of `{metric}` goes back in time: {at} ms after {before} ms"),
            )
            .with_label(*span, "earlier than the point before")
            .with_help("give each series' points in time order")
            .with_source(SOURCE));
        }
        if at == before {
            return Err(Diagnostic::error(
                Code::DuplicateObservation,
                format!("the series of `{metric}` has two points at {at} ms"),
            )
            .with_label(*span, "same time as the point before")
            .with_source(SOURCE));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
