//! CSV samples: wide (`time,metric1,metric2`, one row per observation) or long
//! (`time,metric,value`, one row per reading; consecutive rows at one time are one
//! observation). Lines starting with `#` are comments.

use super::{Sample, parse_time, reading, syntax, unknown_metric};
use kiro::monitor::MonitorEvent;
use kiro::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

/// Where the record the CSV reader places at `start` begins: its position counts the comment
/// and blank lines it skipped before the record.
pub(super) fn record_start(text: &str, mut start: usize) -> usize {
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
pub(super) fn cell_spans(text: &str, start: usize, count: usize) -> Vec<Span> {
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

fn csv_error(e: &csv::Error) -> Diagnostic {
    let at = e.position().map_or(0, |p| p.byte() as usize);
    syntax(
        format!("the samples do not read as CSV: {e}"),
        Span::new(at, at),
        "here",
    )
}

/// One record with the spans of its cells and of its row.
struct Row {
    record: csv::StringRecord,
    cells: Vec<Span>,
    span: Span,
}

impl Row {
    fn at(text: &str, record: csv::StringRecord) -> Row {
        let start = record_start(text, record.position().map_or(0, |p| p.byte() as usize));
        let cells = cell_spans(text, start, record.len().max(1));
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let span = Span::new(start, line_end.max(start));
        Row {
            record,
            cells,
            span,
        }
    }

    fn cell(&self, i: usize) -> (&str, Span) {
        (
            self.record.get(i).unwrap_or_default(),
            self.cells.get(i).copied().unwrap_or(self.span),
        )
    }
}

/// Reads wide or long CSV; `metrics` are the policy's metric names.
pub(super) fn read(text: &str, metrics: &[&str]) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Ok(Vec::new()),
        Some(Err(e)) => return Err(vec![csv_error(&e)]),
        Some(Ok(h)) => Row::at(text, h),
    };
    let names: Vec<&str> = header.record.iter().map(str::trim).collect();
    if names.first() != Some(&"time") {
        return Err(vec![
            syntax(
                "the first column of a samples file must be `time`",
                header.cell(0).1,
                "expected `time`",
            )
            .with_help("write a header `time,<metric>,…` (wide) or `time,metric,value` (long)"),
        ]);
    }
    let rows = records.map(|r| r.map(|r| Row::at(text, r)).map_err(|e| vec![csv_error(&e)]));
    // A policy that declares metrics called `metric` and `value` keeps the wide reading.
    let long = names == ["time", "metric", "value"]
        && !(metrics.contains(&"metric") && metrics.contains(&"value"));
    if long {
        read_long(rows, metrics)
    } else {
        read_wide(&header, rows, metrics)
    }
}

fn read_wide(
    header: &Row,
    rows: impl Iterator<Item = Result<Row, Vec<Diagnostic>>>,
    metrics: &[&str],
) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for i in 1..header.record.len() {
        let (name, span) = header.cell(i);
        let name = name.trim();
        if columns.iter().any(|c| c == name) {
            problems.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("column `{name}` is given twice"),
                )
                .with_label(span, "given again here")
                .with_source(super::SOURCE),
            );
        } else if !metrics.contains(&name) {
            problems.push(unknown_metric("column", name, span, metrics));
        }
        columns.push(name.to_owned());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut samples = Vec::new();
    for row in rows {
        let row = row?;
        if samples.len() >= super::MAX_SAMPLES {
            return Err(vec![super::too_many(row.span)]);
        }
        let (time, time_span) = row.cell(0);
        let at_ms = parse_time(time, time_span).map_err(|d| vec![d])?;
        let mut values = BTreeMap::new();
        let mut cells = BTreeMap::new();
        for (i, column) in columns.iter().enumerate() {
            let (cell, span) = row.cell(i + 1);
            values.insert(column.clone(), reading(cell));
            cells.insert(column.clone(), span);
        }
        samples.push(Sample {
            event: MonitorEvent::Observe { at_ms, values },
            row: row.span,
            time: time_span,
            cells,
        });
    }
    Ok(samples)
}

fn read_long(
    rows: impl Iterator<Item = Result<Row, Vec<Diagnostic>>>,
    metrics: &[&str],
) -> Result<Vec<Sample>, Vec<Diagnostic>> {
    let mut samples: Vec<Sample> = Vec::new();
    for row in rows {
        let row = row?;
        let (time, time_span) = row.cell(0);
        let at_ms = parse_time(time, time_span).map_err(|d| vec![d])?;
        let (metric, metric_span) = row.cell(1);
        let metric = metric.trim();
        if !metrics.contains(&metric) {
            return Err(vec![unknown_metric("metric", metric, metric_span, metrics)]);
        }
        let (value, value_span) = row.cell(2);
        // Consecutive rows at one time are one observation; a later row at an earlier time
        // starts its own, which the monitor refuses as time going backwards.
        let joins = samples.last().is_some_and(|s| s.event.at_ms() == at_ms);
        if !joins {
            if samples.len() >= super::MAX_SAMPLES {
                return Err(vec![super::too_many(row.span)]);
            }
            samples.push(Sample {
                event: MonitorEvent::Observe {
                    at_ms,
                    values: BTreeMap::new(),
                },
                row: row.span,
                time: time_span,
                cells: BTreeMap::new(),
            });
        }
        let Some(sample) = samples.last_mut() else {
            continue;
        };
        if let Some(&first) = sample.cells.get(metric) {
            return Err(vec![
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("metric `{metric}` is given twice at one time"),
                )
                .with_label(metric_span, "given again here")
                .with_label(first, "first given here")
                .with_help("give each metric once per time")
                .with_source(super::SOURCE),
            ]);
        }
        sample.cells.insert(metric.to_owned(), value_span);
        sample.row = Span::new(sample.row.start, row.span.end);
        if let MonitorEvent::Observe { values, .. } = &mut sample.event {
            values.insert(metric.to_owned(), reading(value));
        }
    }
    Ok(samples)
}
