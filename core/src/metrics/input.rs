//! Metrics input as supplied: a flat map of dotted names to raw values.

use crate::document::Spanned;
use std::collections::BTreeMap;

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
