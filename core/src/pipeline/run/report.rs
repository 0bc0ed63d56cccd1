//! What one attempt of a stage produced, as the host reports it; saved exactly in logs and
//! states.

use crate::diagnostic::Span;
use crate::document::Spanned;
use crate::metrics::MetricsInput;
use crate::metrics::input::RawValue;
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use std::collections::BTreeMap;

/// What one attempt of a stage produced.
///
/// Saved as `{"success", "metrics", "spans", "detail"}`: the metrics as an object of flattened
/// names to values, with the spans the host read them at (`spans`, only those that are not
/// `0..0`), so that a replay reports the same diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "Saved", try_from = "Saved")]
pub struct StageReport {
    /// Whether the stage's action succeeded (for a command: exit status 0).
    pub success: bool,
    /// The observations the stage made, which its exit gate is checked on.
    pub metrics: MetricsInput,
    /// What happened, in a few words (`exit status 2`), shown with a failure.
    pub detail: Option<String>,
}

impl StageReport {
    /// A successful attempt that observed `metrics`.
    #[must_use]
    pub fn success(metrics: MetricsInput) -> Self {
        Self {
            success: true,
            metrics,
            detail: None,
        }
    }

    /// A failed attempt, and why.
    #[must_use]
    pub fn failure(detail: impl Into<String>) -> Self {
        Self {
            success: false,
            metrics: MetricsInput::default(),
            detail: Some(detail.into()),
        }
    }
}

/// The saved form of a [`StageReport`].
#[derive(Serialize, Deserialize)]
struct Saved {
    success: bool,
    #[serde(default)]
    metrics: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    spans: BTreeMap<String, (usize, usize)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

impl From<StageReport> for Saved {
    fn from(report: StageReport) -> Self {
        let mut saved = Saved {
            success: report.success,
            metrics: BTreeMap::new(),
            spans: BTreeMap::new(),
            detail: report.detail,
        };
        for (name, spanned) in report.metrics.values {
            let value = match spanned.value {
                RawValue::Null => Value::Null,
                RawValue::Bool(b) => Value::Bool(b),
                // No metrics reader lets NaN or an infinity through (`KIRO-E022`); one built by
                // hand has no JSON form and saves as null.
                RawValue::Number(n) => Number::from_f64(n).map_or(Value::Null, Value::Number),
                RawValue::Text(t) => Value::String(t),
            };
            if spanned.span != Span::default() {
                saved
                    .spans
                    .insert(name.clone(), (spanned.span.start, spanned.span.end));
            }
            saved.metrics.insert(name, value);
        }
        saved
    }
}

impl TryFrom<Saved> for StageReport {
    type Error = String;

    fn try_from(saved: Saved) -> Result<Self, String> {
        let mut metrics = MetricsInput::default();
        for (name, value) in saved.metrics {
            let raw = match value {
                Value::Null => RawValue::Null,
                Value::Bool(b) => RawValue::Bool(b),
                Value::Number(n) => RawValue::Number(
                    n.as_f64()
                        .ok_or_else(|| format!("metric `{name}` is not a number kiro reads"))?,
                ),
                Value::String(t) => RawValue::Text(t),
                other => return Err(format!("metric `{name}` must be null, a boolean, a number or a string, found {other}")),
            };
            let span = saved
                .spans
                .get(&name)
                .map_or_else(Span::default, |&(start, end)| Span::new(start, end));
            metrics.values.insert(name, Spanned::new(span, raw));
        }
        Ok(StageReport {
            success: saved.success,
            metrics,
            detail: saved.detail,
        })
    }
}
