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
    /// Names given a list, with where: structure that is not a metric (a tool's report fed in
    /// whole). A check reports those the policy does not declare, like any undeclared name,
    /// and refuses a list given for a declared metric.
    pub lists: BTreeMap<String, Span>,
}

impl MetricsInput {
    /// Reads metrics input text in `format` (JSON, YAML or TOML).
    ///
    /// # Errors
    /// With `source` `metrics` and a span into `text`: [`Code::InputSyntax`] for text that is
    /// not well-formed, [`Code::TooLarge`] for text over 16 MiB or nested over 64 levels,
    /// [`Code::InputNotObject`] when the text is empty or blank or the top level is not a map, [`Code::DuplicateName`] for a
    /// name given twice (also through nesting: `{"a.b": 1, "a": {"b": 2}}`),
    /// [`Code::InvalidMetricValue`] for NaN or an infinite number. A list is kept aside in
    /// [`MetricsInput::lists`], not read as a metric.
    pub fn parse(text: &str, format: Format) -> Result<MetricsInput, Diagnostic> {
        // Nothing at all is its own mistake (a collector that wrote nothing), whatever the
        // format: not a syntax error in JSON, and not an empty TOML table.
        if text.trim_start_matches('\u{feff}').trim().is_empty() {
            return Err(
                Diagnostic::error(Code::InputNotObject, "the metrics input is empty")
                    .with_label(Span::new(text.len(), text.len()), "nothing here")
                    .with_help("write e.g. `{\"coverage\": 87, \"p95_latency\": \"420ms\"}`")
                    .with_source(SOURCE),
            );
        }
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
        Self::from_node(&node)
    }

    /// Reads metrics input from a parsed document.
    ///
    /// # Errors
    /// As [`MetricsInput::parse`], except syntax.
    pub fn from_node(node: &Node) -> Result<MetricsInput, Diagnostic> {
        Self::from_tree(node)
    }

    /// Every name given: the values, then the lists, each in name order.
    pub(crate) fn given(&self) -> impl Iterator<Item = super::unknown::Given<'_>> {
        let values = self.values.iter().map(|(name, v)| super::unknown::Given {
            name,
            span: v.span,
            list: false,
        });
        let lists = self
            .lists
            .iter()
            .map(|(name, &span)| super::unknown::Given {
                name,
                span,
                list: true,
            });
        values.chain(lists)
    }

    /// Reads metrics input from a JSON value (for the bindings). Spans are all `0..0`.
    ///
    /// # Errors
    /// As [`MetricsInput::parse`], except syntax; [`Code::TooLarge`] for nesting over 64
    /// levels.
    pub fn from_json(value: &serde_json::Value) -> Result<MetricsInput, Diagnostic> {
        let max_depth = Limits::default().max_depth;
        if too_deep(value, 0, max_depth) {
            return Err(Diagnostic::error(
                Code::TooLarge,
                format!("the metrics input is nested more than {max_depth} levels deep"),
            )
            .with_source(SOURCE));
        }
        Self::from_tree(value)
    }

    /// Reads metrics input from a document node or a JSON value: the map of names to values,
    /// flattened.
    fn from_tree<T: Tree>(tree: &T) -> Result<MetricsInput, Diagnostic> {
        if !matches!(tree.shape(), Shape::Map) {
            return Err(Diagnostic::error(
                Code::InputNotObject,
                format!(
                    "metrics input must be a map of metric names to values, found {}",
                    tree.describe()
                ),
            )
            .with_label(tree.span(), "not a map")
            .with_help("write e.g. `{\"coverage\": 87, \"p95_latency\": \"420ms\"}`")
            .with_source(SOURCE));
        }
        let mut input = MetricsInput::default();
        let mut key_spans = BTreeMap::new();
        flatten("", tree, &mut input, &mut key_spans).map_err(|d| d.with_source(SOURCE))?;
        Ok(input)
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

/// What flattening sees of one value of metrics input.
enum Shape<'a> {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(&'a str),
    Seq,
    Map,
}

impl Shape<'_> {
    /// The raw value of a scalar; `None` for a number that is not finite, and for a list or a
    /// map.
    fn raw(&self) -> Option<RawValue> {
        match *self {
            Shape::Null => Some(RawValue::Null),
            Shape::Bool(b) => Some(RawValue::Bool(b)),
            // i64 to f64 may round above 2^53, as any JSON reader does.
            Shape::Integer(i) => Some(RawValue::Number(i as f64)),
            Shape::Float(f) if f.is_finite() => Some(RawValue::Number(f)),
            Shape::Text(s) => Some(RawValue::Text(s.to_owned())),
            Shape::Float(_) | Shape::Seq | Shape::Map => None,
        }
    }

    /// Whether this is a scalar that [`Shape::raw`] reads.
    fn is_raw(&self) -> bool {
        match *self {
            Shape::Null | Shape::Bool(_) | Shape::Integer(_) | Shape::Text(_) => true,
            Shape::Float(f) => f.is_finite(),
            Shape::Seq | Shape::Map => false,
        }
    }
}

/// A JSON object of metric names to scalars (no nested object, no list, every number finite):
/// the common shape of metrics from a binding. [`MetricsInput::from_json`] would read it entry
/// for entry, without flattening anything and without error, so a check can look the values
/// up in the object itself instead of copying them into a [`MetricsInput`].
pub(crate) struct FlatJson<'a>(&'a serde_json::Map<String, serde_json::Value>);

impl<'a> FlatJson<'a> {
    /// `value` as a flat object, or `None` when it is not one.
    pub(crate) fn new(value: &'a serde_json::Value) -> Option<Self> {
        let serde_json::Value::Object(map) = value else {
            return None;
        };
        map.values()
            .all(|v| v.shape().is_raw())
            .then_some(FlatJson(map))
    }

    /// The names in the object.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The value of metric `name`, as [`MetricsInput::from_json`] reads it (span `0..0`).
    pub(crate) fn get(&self, name: &str) -> Option<Spanned<RawValue>> {
        let raw = self.0.get(name)?.shape().raw()?;
        Some(Spanned::new(Span::default(), raw))
    }
}

/// A tree of metrics input: a parsed document, or a JSON value from a binding (whose spans are
/// all `0..0`). Flattening reads either through this, so both follow the same rules.
trait Tree: Sized {
    fn shape(&self) -> Shape<'_>;
    fn span(&self) -> Span;
    /// What the value is, for messages (as [`Node::describe`]).
    fn describe(&self) -> &'static str;
    /// Calls `f` with each key of a map, the key's span and the value, in order, until `f`
    /// fails.
    fn entries(
        &self,
        f: &mut dyn FnMut(&str, Span, &Self) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic>;
}

impl Tree for Node {
    fn shape(&self) -> Shape<'_> {
        match &self.kind {
            NodeKind::Null => Shape::Null,
            NodeKind::Bool(b) => Shape::Bool(*b),
            NodeKind::Integer(i) => Shape::Integer(*i),
            NodeKind::Float(f) => Shape::Float(*f),
            NodeKind::String(s) => Shape::Text(s),
            NodeKind::Seq(_) => Shape::Seq,
            NodeKind::Map(_) => Shape::Map,
        }
    }

    fn span(&self) -> Span {
        self.span
    }

    fn describe(&self) -> &'static str {
        Node::describe(self)
    }

    fn entries(
        &self,
        f: &mut dyn FnMut(&str, Span, &Self) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        if let NodeKind::Map(entries) = &self.kind {
            for (key, value) in entries {
                f(&key.value, key.span, value)?;
            }
        }
        Ok(())
    }
}

impl Tree for serde_json::Value {
    fn shape(&self) -> Shape<'_> {
        use serde_json::Value;
        match self {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Shape::Integer(i),
                None => Shape::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Shape::Text(s),
            Value::Array(_) => Shape::Seq,
            Value::Object(_) => Shape::Map,
        }
    }

    fn span(&self) -> Span {
        Span::default()
    }

    fn describe(&self) -> &'static str {
        use serde_json::Value;
        let kind = match self {
            Value::Null => NodeKind::Null,
            Value::Bool(b) => NodeKind::Bool(*b),
            Value::Number(_) => NodeKind::Integer(0),
            Value::String(_) => NodeKind::String(String::new()),
            Value::Array(_) => NodeKind::Seq(Vec::new()),
            Value::Object(_) => NodeKind::Map(Vec::new()),
        };
        kind.describe()
    }

    fn entries(
        &self,
        f: &mut dyn FnMut(&str, Span, &Self) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        if let serde_json::Value::Object(map) = self {
            for (key, value) in map {
                f(key, Span::default(), value)?;
            }
        }
        Ok(())
    }
}

/// Whether a JSON value nests collections `max_depth` levels or deeper below `depth`: the
/// document readers' depth limit, applied to a value that did not come from text.
fn too_deep(value: &serde_json::Value, depth: usize, max_depth: usize) -> bool {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            depth >= max_depth || items.iter().any(|v| too_deep(v, depth + 1, max_depth))
        }
        Value::Object(map) => {
            depth >= max_depth || map.values().any(|v| too_deep(v, depth + 1, max_depth))
        }
        _ => false,
    }
}

/// Adds the entries of map `map` under `prefix`, recursing into nested maps (as deep as the
/// input's depth limit). `key_spans` holds where each name was first given, for the message
/// about a name given twice, when that is not `0..0`.
fn flatten<T: Tree>(
    prefix: &str,
    map: &T,
    input: &mut MetricsInput,
    key_spans: &mut BTreeMap<String, Span>,
) -> Result<(), Diagnostic> {
    map.entries(&mut |key, key_span, value| {
        let name = if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        };
        let raw = match value.shape() {
            Shape::Map => return flatten(&name, value, input, key_spans),
            Shape::Seq => {
                input.lists.insert(name, value.span());
                return Ok(());
            }
            scalar => scalar
                .raw()
                .ok_or_else(|| not_finite(&name, value.span()))?,
        };
        if input.values.contains_key(&name) {
            let first = key_spans.get(&name).copied().unwrap_or_default();
            return Err(Diagnostic::error(
                Code::DuplicateName,
                format!("metric `{name}` is given twice"),
            )
            .with_label(key_span, "given again here")
            .with_label(first, "first given here")
            .with_help("a nested map and a dotted name can name the same metric"));
        }
        if key_span != Span::default() {
            key_spans.insert(name.clone(), key_span);
        }
        input.values.insert(name, Spanned::new(value.span(), raw));
        Ok(())
    })
}
