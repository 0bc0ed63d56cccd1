//! What one attempt of a stage produced, as the host reports it; saved exactly in logs and
//! states.

use crate::diagnostic::Span;
use crate::document::Spanned;
use crate::metrics::MetricsInput;
use crate::metrics::input::RawValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What one attempt of a stage produced.
///
/// Saved as `{"success", "metrics", "numbers", "spans", "detail", "exit_code"}`: `metrics` maps flattened
/// names to null, booleans and strings with a unit; `numbers` maps the names of plain numbers
/// to their shortest decimal text (`"0.30000000000000004"`), read back with Rust's correctly
/// rounded parser, so every number comes back bit for bit without a heavier JSON float
/// parser; `spans` keeps where the host read each value (only those that are not `0..0`), so
/// that a replay reports the same diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "Saved", try_from = "Saved")]
pub struct StageReport {
    /// Whether the stage's action succeeded (for a command: exit status 0).
    pub success: bool,
    /// The observations the stage made, which its exit gate is checked on.
    pub metrics: MetricsInput,
    /// What happened, in a few words (`exit status 2`), shown with a failure.
    pub detail: Option<String>,
    /// The exit status of a command that failed, for `retry_on: [{exit: [...]}]` (none for an
    /// action that is not a command, or a command killed by a signal).
    pub exit_code: Option<i32>,
}

impl StageReport {
    /// A successful attempt that observed `metrics`.
    #[must_use]
    pub fn success(metrics: MetricsInput) -> Self {
        Self {
            success: true,
            metrics,
            detail: None,
            exit_code: None,
        }
    }

    /// A failed attempt, and why.
    #[must_use]
    pub fn failure(detail: impl Into<String>) -> Self {
        Self {
            success: false,
            metrics: MetricsInput::default(),
            detail: Some(detail.into()),
            exit_code: None,
        }
    }

    /// The same report, with the exit status of its command.
    #[must_use]
    pub fn with_exit_code(mut self, code: Option<i32>) -> Self {
        self.exit_code = code;
        self
    }

    /// The same report, with these observations (a failed action's metrics, which an exit
    /// gate with `on_action_failure: gate` decides on).
    #[must_use]
    pub fn with_metrics(mut self, metrics: MetricsInput) -> Self {
        self.metrics = metrics;
        self
    }
}

/// The saved form of a [`StageReport`].
#[derive(Serialize, Deserialize)]
struct Saved {
    success: bool,
    #[serde(default)]
    metrics: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    numbers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    spans: BTreeMap<String, (usize, usize)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
}

impl From<StageReport> for Saved {
    fn from(report: StageReport) -> Self {
        let mut saved = Saved {
            success: report.success,
            metrics: BTreeMap::new(),
            numbers: BTreeMap::new(),
            spans: BTreeMap::new(),
            detail: report.detail,
            exit_code: report.exit_code,
        };
        for (name, spanned) in report.metrics.values {
            if spanned.span != Span::default() {
                saved
                    .spans
                    .insert(name.clone(), (spanned.span.start, spanned.span.end));
            }
            let value = match spanned.value {
                RawValue::Null => Value::Null,
                RawValue::Bool(b) => Value::Bool(b),
                // The shortest text that parses back to the same bits (`NaN`, `inf` included).
                RawValue::Number(n) => {
                    saved.numbers.insert(name, format!("{n:?}"));
                    continue;
                }
                RawValue::Text(t) => Value::String(t),
            };
            saved.metrics.insert(name, value);
        }
        saved
    }
}

impl TryFrom<Saved> for StageReport {
    type Error = String;

    fn try_from(saved: Saved) -> Result<Self, String> {
        let mut metrics = MetricsInput::default();
        let mut values = Vec::with_capacity(saved.metrics.len() + saved.numbers.len());
        for (name, text) in saved.numbers {
            let n: f64 = text
                .parse()
                .map_err(|_| format!("number `{name}` is not a decimal number: `{text}`"))?;
            values.push((name, RawValue::Number(n)));
        }
        for (name, value) in saved.metrics {
            let raw = match value {
                Value::Null => RawValue::Null,
                Value::Bool(b) => RawValue::Bool(b),
                Value::String(t) => RawValue::Text(t),
                other => {
                    return Err(format!(
                        "metric `{name}` must be null, a boolean or a string (numbers are in `numbers`), found {other}"
                    ));
                }
            };
            values.push((name, raw));
        }
        for (name, raw) in values {
            let span = saved
                .spans
                .get(&name)
                .map_or_else(Span::default, |&(start, end)| Span::new(start, end));
            if metrics
                .values
                .insert(name.clone(), Spanned::new(span, raw))
                .is_some()
            {
                return Err(format!("metric `{name}` is given twice"));
            }
        }
        Ok(StageReport {
            success: saved.success,
            metrics,
            detail: saved.detail,
            exit_code: saved.exit_code,
        })
    }
}
