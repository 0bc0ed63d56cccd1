//! Recorded samples read into a monitor's observations: wide CSV (`time,metric1,metric2`) and
//! JSON lines (`{"at_ms": 60000, "values": {…}}`), each observation with the places in the file
//! its time and values came from, so that every problem points at its line and column.

use kiro::diagnostic::did_you_mean;
use kiro::monitor::{MonitorEvent, Reading};
use kiro::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

/// The `source` of diagnostics about a samples file.
pub const SOURCE: &str = "samples";

/// How a samples file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplesFormat {
    /// Comma-separated, a header `time,metric1,metric2`, one row per observation.
    Csv,
    /// One JSON object per line: `{"at_ms": 60000, "values": {"error_rate": 1.2}}`.
    Jsonl,
}

impl SamplesFormat {
    /// The format a file's extension names (`.csv`; `.jsonl`, `.ndjson`), else the one its
    /// first character tells (`{` for JSON lines).
    pub fn detect(path: &std::path::Path, text: &str) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => SamplesFormat::Csv,
            Some("jsonl" | "ndjson") => SamplesFormat::Jsonl,
            _ if text.trim_start().starts_with('{') => SamplesFormat::Jsonl,
            _ => SamplesFormat::Csv,
        }
    }
}

/// One observation and where it was written.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The observation.
    pub event: MonitorEvent,
    /// The whole row or line.
    pub row: Span,
    /// The time's cell or value.
    pub time: Span,
    /// Each metric's cell (CSV) or key (JSON lines).
    pub cells: BTreeMap<String, Span>,
}

impl Sample {
    /// Points a diagnostic of the monitor about this observation into the file: at the time
    /// for a time problem, at the metric's cell when the message names one of its metrics,
    /// else at the row.
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

/// Reads every sample of `text`; `metrics` are the policy's metric names, for the CSV header.
///
/// # Errors
/// Every problem found ([`Code::InputSyntax`] for text that does not read, a time that is
/// neither milliseconds nor RFC 3339, or no sample at all; [`Code::UnknownMetric`] and
/// [`Code::DuplicateName`] for header columns), each pointed at its line and column.
pub fn read(
    text: &str,
    format: SamplesFormat,
    metrics: &[&str],
) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let samples = match format {
        SamplesFormat::Csv => read_csv(text, metrics)?,
        SamplesFormat::Jsonl => read_jsonl(text)?,
    };
    if samples.is_empty() {
        return Err(vec![
            Diagnostic::error(Code::InputSyntax, "the samples file holds no sample")
                .with_help(match format {
                    SamplesFormat::Csv => {
                        "write a header `time,<metric>,…` and one row per observation"
                    }
                    SamplesFormat::Jsonl => "write one `{\"at_ms\": …, \"values\": {…}}` per line",
                })
                .with_source(SOURCE),
        ]);
    }
    Ok(samples)
}

fn syntax(message: impl Into<String>, span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(Code::InputSyntax, message)
        .with_label(span, label)
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

/// Where the record the CSV reader places at `start` begins: its position counts the comment
/// and blank lines it skipped before the record.
fn record_start(text: &str, mut start: usize) -> usize {
    while let Some(rest) = text.get(start..) {
        let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = rest[..line_len].trim_end_matches(['\n', '\r']);
        if line_len == 0 || !(line.is_empty() || line.starts_with('#')) {
            break;
        }
        start += line_len;
    }
    start
}

/// The spans of the cells of one CSV line starting at `start`, when it has no quotes (with
/// quotes, every cell is given the row's span).
fn cell_spans(text: &str, start: usize, count: usize) -> Vec<Span> {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[start..line_end].trim_end_matches('\r');
    let row = Span::new(start, start + line.len());
    if line.contains('"') {
        return vec![row; count];
    }
    let mut spans = Vec::with_capacity(count);
    let mut at = start;
    for cell in line.split(',') {
        let lead = cell.len() - cell.trim_start().len();
        let s = at + lead;
        spans.push(Span::new(s, s + cell.trim().len()));
        at += cell.len() + 1;
    }
    spans.resize(count, row);
    spans
}

fn read_csv(text: &str, metrics: &[&str]) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let csv_error = |e: &csv::Error| {
        let at = e.position().map_or(0, |p| p.byte() as usize);
        syntax(
            format!("the samples do not read as CSV: {e}"),
            Span::new(at, at),
            "here",
        )
    };
    let header = match records.next() {
        None => return Ok(Vec::new()),
        Some(Err(e)) => return Err(vec![csv_error(&e)]),
        Some(Ok(h)) => h,
    };
    let header_start = record_start(text, header.position().map_or(0, |p| p.byte() as usize));
    let header_spans = cell_spans(text, header_start, header.len());
    let mut problems = Vec::new();
    if header.get(0).map(str::trim) != Some("time") {
        problems.push(
            syntax(
                "the first column of a samples file must be `time`",
                header_spans[0],
                "expected `time`",
            )
            .with_help("write a header `time,<metric>,…`"),
        );
    }
    let mut columns: Vec<String> = Vec::new();
    for (i, name) in header.iter().enumerate().skip(1) {
        let name = name.trim();
        let span = header_spans[i];
        if columns.iter().any(|c| c == name) {
            problems.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("column `{name}` is given twice"),
                )
                .with_label(span, "given again here")
                .with_source(SOURCE),
            );
        } else if !metrics.contains(&name) {
            let help = did_you_mean(name, metrics.iter().copied()).map_or_else(
                || "name only metrics the policy declares".to_owned(),
                |s| format!("did you mean `{s}`?"),
            );
            problems.push(
                Diagnostic::error(
                    Code::UnknownMetric,
                    format!("column `{name}` is not a metric the policy declares"),
                )
                .with_label(span, "unknown metric")
                .with_help(help)
                .with_source(SOURCE),
            );
        }
        columns.push(name.to_owned());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut samples = Vec::new();
    for record in records {
        let record = record.map_err(|e| vec![csv_error(&e)])?;
        let start = record_start(text, record.position().map_or(0, |p| p.byte() as usize));
        let spans = cell_spans(text, start, record.len());
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let row = Span::new(start, line_end.max(start));
        let at_ms = parse_time(record.get(0).unwrap_or_default(), spans[0]).map_err(|d| vec![d])?;
        let mut values = BTreeMap::new();
        let mut cells = BTreeMap::new();
        for (i, column) in columns.iter().enumerate() {
            values.insert(
                column.clone(),
                reading(record.get(i + 1).unwrap_or_default()),
            );
            cells.insert(column.clone(), spans[i + 1]);
        }
        samples.push(Sample {
            event: MonitorEvent::Observe { at_ms, values },
            row,
            time: spans[0],
            cells,
        });
    }
    Ok(samples)
}

/// One line of a JSON lines file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    /// Whole milliseconds.
    at_ms: Option<u64>,
    /// Milliseconds, or an RFC 3339 time.
    time: Option<serde_json::Value>,
    #[serde(default)]
    values: BTreeMap<String, Reading>,
}

fn read_jsonl(text: &str) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let mut samples = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let row = Span::new(line_start, line_start + line.len());
        let parsed: Line = serde_json::from_str(line).map_err(|e| {
            let at = line_start + e.column().saturating_sub(1).min(line.len());
            // serde_json ends its message with the place, which the label shows instead.
            let message = e.to_string();
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |i| &message[..i]);
            vec![
                syntax(
                    format!("the line does not read as a sample: {message}"),
                    Span::new(at, at),
                    "here",
                )
                .with_help("write `{\"at_ms\": 60000, \"values\": {\"metric\": 1.5}}`"),
            ]
        })?;
        let key_span = |key: &str| {
            line.find(&format!("\"{key}\"")).map_or(row, |i| {
                Span::new(line_start + i, line_start + i + key.len() + 2)
            })
        };
        let (at_ms, time) = match (parsed.at_ms, &parsed.time) {
            (Some(ms), None) => (ms, key_span("at_ms")),
            (None, Some(value)) => {
                let span = key_span("time");
                let ms = match value {
                    serde_json::Value::String(s) => parse_time(s, span),
                    other => parse_time(&other.to_string(), span),
                }
                .map_err(|d| vec![d])?;
                (ms, span)
            }
            _ => {
                return Err(vec![
                    syntax(
                        "a sample needs one time: `at_ms` or `time`",
                        row,
                        "this sample",
                    )
                    .with_help("give `\"at_ms\": 60000` or `\"time\": \"2026-12-02T16:00:00Z\"`"),
                ]);
            }
        };
        let cells = parsed
            .values
            .keys()
            .map(|k| (k.clone(), key_span(k)))
            .collect();
        samples.push(Sample {
            event: MonitorEvent::Observe {
                at_ms,
                values: parsed.values,
            },
            row,
            time,
            cells,
        });
    }
    Ok(samples)
}

#[cfg(test)]
mod tests;
