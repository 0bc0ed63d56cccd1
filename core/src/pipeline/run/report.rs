//! What one attempt of a stage produced, as the host reports it; saved exactly in logs and
//! states.

use crate::diagnostic::Span;
use crate::document::Spanned;
use crate::metrics::MetricsInput;
use crate::metrics::input::RawValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// What one attempt of a stage produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// Whether the stage's action succeeded (for a command: exit status 0).
    pub success: bool,
    /// The observations the stage made, which its exit gate is checked on. Saved as an object
    /// of flattened names to values, with the spans the host read them at (`spans`, only the
    /// ones that are not `0..0`), so a replay reports the same diagnostics.
    #[serde(flatten, with = "metrics")]
    pub metrics: MetricsInput,
    /// What happened, in a few words (`exit status 2`), shown with a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// A raw metric value as JSON: null, a boolean, a number or a string with a unit.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Value {
    Bool(bool),
    Number(f64),
    Text(String),
    Null(()),
}

#[derive(Serialize, Deserialize)]
struct Saved {
    #[serde(default)]
    metrics: BTreeMap<String, Option<Value>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    spans: BTreeMap<String, (usize, usize)>,
}

mod metrics {
    use super::{BTreeMap, Deserialize, Deserializer, MetricsInput, RawValue, Saved, Serialize};
    use super::{Serializer, Span, Spanned, Value};

    pub(super) fn serialize<S: Serializer>(input: &MetricsInput, s: S) -> Result<S::Ok, S::Error> {
        let mut saved = Saved {
            metrics: BTreeMap::new(),
            spans: BTreeMap::new(),
        };
        for (name, spanned) in &input.values {
            let value = match &spanned.value {
                RawValue::Null => None,
                RawValue::Bool(b) => Some(Value::Bool(*b)),
                RawValue::Number(n) => Some(Value::Number(*n)),
                RawValue::Text(t) => Some(Value::Text(t.clone())),
            };
            saved.metrics.insert(name.clone(), value);
            if spanned.span != Span::default() {
                saved
                    .spans
                    .insert(name.clone(), (spanned.span.start, spanned.span.end));
            }
        }
        saved.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MetricsInput, D::Error> {
        let saved = Saved::deserialize(d)?;
        let mut input = MetricsInput::default();
        for (name, value) in saved.metrics {
            let raw = match value {
                None | Some(Value::Null(())) => RawValue::Null,
                Some(Value::Bool(b)) => RawValue::Bool(b),
                Some(Value::Number(n)) => RawValue::Number(n),
                Some(Value::Text(t)) => RawValue::Text(t),
            };
            let span = saved
                .spans
                .get(&name)
                .map_or_else(Span::default, |&(start, end)| Span::new(start, end));
            input.values.insert(name, Spanned::new(span, raw));
        }
        Ok(input)
    }
}
