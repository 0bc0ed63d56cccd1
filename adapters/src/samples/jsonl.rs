//! JSON lines samples: one `{"at_ms": 60000, "values": {…}}` (or `"time"`) per line, the
//! values readings exactly as in a monitor's `observe` event. Blank lines are skipped.

use super::{SOURCE, Sample, parse_time, syntax};
use kiro::Span;
use kiro::monitor::{MonitorEvent, Reading};
use kiro::{Code, Diagnostic};
use std::collections::BTreeMap;

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

/// Reads every line of `text`.
pub(super) fn read(text: &str) -> Result<Vec<Sample>, Vec<Diagnostic>> {
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
        if samples.len() >= super::MAX_SAMPLES {
            return Err(vec![super::too_many(row)]);
        }
        let parsed: Line = serde_json::from_str(line).map_err(|e| {
            // serde_json counts columns in bytes from 1; labels fall on character boundaries.
            let mut at = e.column().saturating_sub(1).min(line.len());
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            let at = line_start + at;
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
                    Diagnostic::error(
                        Code::InputSyntax,
                        "a sample needs one time: `at_ms` or `time`",
                    )
                    .with_label(row, "this sample")
                    .with_help("give `\"at_ms\": 60000` or `\"time\": \"2026-12-02T16:00:00Z\"`")
                    .with_source(SOURCE),
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
