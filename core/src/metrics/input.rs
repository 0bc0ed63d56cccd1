//! Metrics input as supplied: a flat map of dotted names to raw values.
//!
//! Input is an object (JSON), a map (YAML) or a table (TOML) of metric names to numbers,
//! strings with a unit (`"420ms"`, `"87%"`), booleans or null (no data). Nested maps flatten to
//! dotted names: `{"tests": {"failed": 0}}` gives `tests.failed`.

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::document::{self, Format, Limits, Node, NodeKind, Spanned};
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

/// The `source` of diagnostics about metrics input text.
pub const SOURCE: &str = "metrics";
/// The `source` of diagnostics about a `--metric name=value` override; their spans point into
/// the argument `name=value`.
pub const OVERRIDE_SOURCE: &str = "--metric";

/// A metric value as the caller wrote it, before units are checked.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// No data.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, in the metric's declared unit.
    Number(f64),
    /// A number with a unit, such as `"420ms"` or `"87%"`.
    Text(String),
}

/// Metrics input: dotted names (`coverage.lines`) to raw values, with where each was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsInput {
    /// The values by flattened name.
    pub values: BTreeMap<String, Spanned<RawValue>>,
}

impl MetricsInput {
    /// Reads metrics input text in `format` (JSON, YAML or TOML).
    ///
    /// # Errors
    /// With `source` `metrics` and a span into `text`: [`Code::InputSyntax`] for text that is
    /// not well-formed, [`Code::TooLarge`] for text over 16 MiB or nested over 64 levels,
    /// [`Code::InputNotObject`] when the top level is not a map, [`Code::DuplicateName`] for a
    /// name given twice (also through nesting: `{"a.b": 1, "a": {"b": 2}}`),
    /// [`Code::InvalidMetricValue`] for a list, NaN or an infinite number.
    pub fn parse(text: &str, format: Format) -> Result<MetricsInput, Diagnostic> {
        let node = document::parse(text, format, &Limits::default()).map_err(|d| {
            let d = if d.code == Code::Syntax {
                Diagnostic {
                    code: Code::InputSyntax,
                    ..d
                }
            } else {
                d
            };
            d.with_source(SOURCE)
        })?;
        if node.kind == NodeKind::Null && text.trim_start_matches('\u{feff}').trim().is_empty() {
            return Err(
                Diagnostic::error(Code::InputNotObject, "metrics input is empty")
                    .with_label(node.span, "nothing here")
                    .with_help("write e.g. `{\"coverage\": 87, \"p95_latency\": \"420ms\"}`")
                    .with_source(SOURCE),
            );
        }
        Self::from_node(&node)
    }

    /// Reads metrics input from a parsed document.
    ///
    /// # Errors
    /// As [`MetricsInput::parse`], except syntax.
    pub fn from_node(node: &Node) -> Result<MetricsInput, Diagnostic> {
        let NodeKind::Map(entries) = &node.kind else {
            return Err(Diagnostic::error(
                Code::InputNotObject,
                format!(
                    "metrics input must be a map of metric names to values, found {}",
                    node.describe()
                ),
            )
            .with_label(node.span, "not a map")
            .with_help("write e.g. `{\"coverage\": 87, \"p95_latency\": \"420ms\"}`")
            .with_source(SOURCE));
        };
        let mut input = MetricsInput::default();
        let mut keys: BTreeMap<String, Span> = BTreeMap::new();
        flatten("", entries, &mut input, &mut keys).map_err(|d| d.with_source(SOURCE))?;
        Ok(input)
    }

    /// Reads metrics input from a JSON value (for the bindings). Spans are all `0..0`.
    ///
    /// # Errors
    /// As [`MetricsInput::parse`], except syntax; [`Code::TooLarge`] for nesting over 64
    /// levels.
    pub fn from_json(value: &serde_json::Value) -> Result<MetricsInput, Diagnostic> {
        let limits = Limits::default();
        let node = json_node(value, 0, &limits).map_err(|d| d.with_source(SOURCE))?;
        Self::from_node(&node)
    }

    /// Applies a command-line override `name=value`. The value is read like a plain YAML
    /// scalar: `null`, `~` or nothing is no data, `true`/`false` a boolean, a number a number,
    /// anything else (`87%`, `420ms`) text with a unit. A later override of the same name wins.
    ///
    /// # Errors
    /// With `source` `--metric` and spans into `arg`: [`Code::InvalidOverride`] when there is
    /// no `=` or no name before it; [`Code::InvalidMetricValue`] for `.nan` or `.inf`.
    pub fn set_override(&mut self, arg: &str) -> Result<(), Diagnostic> {
        let Some(eq) = arg.find('=') else {
            return Err(Diagnostic::error(
                Code::InvalidOverride,
                format!("`{arg}` is not `name=value`"),
            )
            .with_label(Span::new(0, arg.len()), "no `=` here")
            .with_help("write e.g. `--metric coverage=87%`")
            .with_source(OVERRIDE_SOURCE));
        };
        let (name, _) = trimmed(arg, 0, eq);
        if name.is_empty() {
            return Err(Diagnostic::error(
                Code::InvalidOverride,
                format!("`{arg}` has no metric name before `=`"),
            )
            .with_label(Span::new(0, eq + 1), "no name")
            .with_help("write e.g. `--metric coverage=87%`")
            .with_source(OVERRIDE_SOURCE));
        }
        let (value, value_span) = trimmed(arg, eq + 1, arg.len());
        let raw = match document::resolve_plain(value) {
            NodeKind::Null => RawValue::Null,
            NodeKind::Bool(b) => RawValue::Bool(b),
            // i64 to f64 may round above 2^53, as any JSON reader does.
            NodeKind::Integer(i) => RawValue::Number(i as f64),
            NodeKind::Float(f) if f.is_finite() => RawValue::Number(f),
            NodeKind::Float(_) => {
                return Err(not_finite(name, value_span).with_source(OVERRIDE_SOURCE));
            }
            NodeKind::String(_) | NodeKind::Seq(_) | NodeKind::Map(_) => {
                RawValue::Text(value.to_owned())
            }
        };
        self.values
            .insert(name.to_owned(), Spanned::new(value_span, raw));
        Ok(())
    }
}

/// `text[start..end]` without surrounding whitespace, and its span.
fn trimmed(text: &str, start: usize, end: usize) -> (&str, Span) {
    let part = &text[start..end];
    let lead = part.len() - part.trim_start().len();
    let value = part.trim();
    (value, Span::new(start + lead, start + lead + value.len()))
}

fn not_finite(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidMetricValue,
        format!("metric `{name}` is not a finite number"),
    )
    .with_label(span, "not finite")
    .with_help("use null for no data")
}

/// Adds the entries of a map under `prefix`, recursing into nested maps (as deep as the
/// document's depth limit).
fn flatten(
    prefix: &str,
    entries: &[(Spanned<String>, Node)],
    input: &mut MetricsInput,
    keys: &mut BTreeMap<String, Span>,
) -> Result<(), Diagnostic> {
    for (key, value) in entries {
        let name = if prefix.is_empty() {
            key.value.clone()
        } else {
            format!("{prefix}.{}", key.value)
        };
        let raw = match &value.kind {
            NodeKind::Map(inner) => {
                flatten(&name, inner, input, keys)?;
                continue;
            }
            NodeKind::Null => RawValue::Null,
            NodeKind::Bool(b) => RawValue::Bool(*b),
            // i64 to f64 may round above 2^53, as any JSON reader does.
            NodeKind::Integer(i) => RawValue::Number(*i as f64),
            NodeKind::Float(f) if f.is_finite() => RawValue::Number(*f),
            NodeKind::Float(_) => return Err(not_finite(&name, value.span)),
            NodeKind::String(s) => RawValue::Text(s.clone()),
            NodeKind::Seq(_) => {
                return Err(Diagnostic::error(
                    Code::InvalidMetricValue,
                    format!(
                        "`{name}` is a list; a metric is a number, a string with a unit, a \
                         boolean or null"
                    ),
                )
                .with_label(value.span, "a list"));
            }
        };
        if let Some(first) = keys.get(&name) {
            return Err(Diagnostic::error(
                Code::DuplicateName,
                format!("metric `{name}` is given twice"),
            )
            .with_label(key.span, "given again here")
            .with_label(*first, "first given here")
            .with_help("a nested map and a dotted name can name the same metric"));
        }
        keys.insert(name.clone(), key.span);
        input.values.insert(name, Spanned::new(value.span, raw));
    }
    Ok(())
}

/// A JSON value as a document node (spans `0..0`), at most as deep as the depth limit.
fn json_node(value: &serde_json::Value, depth: usize, limits: &Limits) -> Result<Node, Diagnostic> {
    use serde_json::Value;
    let kind = match value {
        Value::Null => NodeKind::Null,
        Value::Bool(b) => NodeKind::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => NodeKind::Integer(i),
            None => NodeKind::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => NodeKind::String(s.clone()),
        Value::Array(_) | Value::Object(_) if depth >= limits.max_depth => {
            return Err(Diagnostic::error(
                Code::TooLarge,
                format!(
                    "the metrics input is nested more than {} levels deep",
                    limits.max_depth
                ),
            ));
        }
        Value::Array(items) => NodeKind::Seq(
            items
                .iter()
                .map(|v| json_node(v, depth + 1, limits))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => NodeKind::Map(
            map.iter()
                .map(|(k, v)| {
                    Ok((
                        Spanned::new(Span::default(), k.clone()),
                        json_node(v, depth + 1, limits)?,
                    ))
                })
                .collect::<Result<_, Diagnostic>>()?,
        ),
    };
    Ok(Node::new(Span::default(), kind))
}
