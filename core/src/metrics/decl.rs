//! The `metrics` section as written, and its compilation into the table of metric slots.

use super::bind::convert;
use super::input::RawValue;
use super::table::{MetricTable, ValidRange};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::document::Spanned;
use crate::units::{self, Dimension, Unit};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a valid metric name is, for the JSON Schema: words of letters, digits and `_` (not
/// starting with a digit, not a keyword of the condition language), joined by `.`.
pub const METRIC_NAME_PATTERN: &str = r"^(?!(?:and|or|not|true|false)(?:\.|$))[A-Za-z_][A-Za-z0-9_]*(?:\.(?!(?:and|or|not|true|false)(?:\.|$))[A-Za-z_][A-Za-z0-9_]*)*$";

/// A metric conditions may refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricDecl {
    /// The unit values are read and shown in: `%`, `ratio`, `ms`, `s`, `m`, `h`, `d`, `B`,
    /// `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `count` (a plain number, the default) or `bool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "unit_schema")]
    pub unit: Option<Spanned<String>>,
    /// What the metric measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The values the metric may take, `[min, max]` inclusive, each a number in the metric's
    /// unit, a quantity with a unit (`"150%"`) or null for no limit. A value outside is an input
    /// error (`KIRO-E022`). Percentages (`%`, `ratio`) default to `[0%, 100%]`; other metrics
    /// have no range unless they declare one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<Spanned<Vec<Option<Spanned<RangeBound>>>>>,
}

/// The schema of a metric's `unit`: one of the units kiro reads, or null.
fn unit_schema(_: &mut SchemaGenerator) -> Schema {
    let mut names: Vec<serde_json::Value> = units::declared_unit_names()
        .map(serde_json::Value::from)
        .collect();
    names.push(serde_json::Value::Null);
    json_schema!({ "enum": names })
}

/// One end of a metric's `range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RangeBound {
    /// A number in the metric's unit.
    Number(f64),
    /// A quantity with a unit, such as `"150%"` or `"2s"`.
    Quantity(String),
}

impl MetricTable {
    /// Reads the `metrics` declarations, reporting invalid names and unknown units (a metric
    /// with an unknown unit is declared as a plain number, so conditions still compile).
    pub(crate) fn compile(
        decls: &BTreeMap<String, Spanned<MetricDecl>>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> MetricTable {
        let mut table = MetricTable::default();
        for (name, decl) in decls {
            if !valid_metric_name(name) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{name}` is not a valid metric name"),
                    )
                    .with_label(decl.span, "declared here")
                    .with_help("metric names are words of letters, digits and `_`, joined by `.`"),
                );
            }
            let unit = match &decl.unit {
                None => Unit::NONE,
                Some(unit) => match units::declared_unit(&unit.value) {
                    Some(u) => u,
                    None => {
                        let close = did_you_mean(&unit.value, units::declared_unit_names());
                        let help = close.map_or_else(
                            || {
                                "units are `%`, `ratio`, `ms`, `s`, `m`, `h`, `d`, `B`, `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `count` and `bool`".to_owned()
                            },
                            |s| format!("did you mean `{s}`?"),
                        );
                        diagnostics.push(
                            Diagnostic::error(
                                Code::UnknownUnit,
                                format!("unknown unit `{}` for metric `{name}`", unit.value),
                            )
                            .with_label(unit.span, "unknown unit")
                            .with_help(help),
                        );
                        // The rest of the policy is checked as it will be once the typo is
                        // fixed, so that its uses give no advice that the fix would undo.
                        close.and_then(units::declared_unit).unwrap_or(Unit::NONE)
                    }
                },
            };
            let slot = table.declare(name, unit);
            if let Some(range) = &decl.range {
                let range = declared_range(name, unit, range, diagnostics);
                table.set_range(slot, range);
            }
        }
        table
    }
}

/// The range a metric declares, in base units; `None` (and a diagnostic) when it is not two
/// bounds of the metric's dimension with the smaller first, or the metric is a `bool`.
fn declared_range(
    name: &str,
    unit: Unit,
    range: &Spanned<Vec<Option<Spanned<RangeBound>>>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ValidRange> {
    let invalid = |message: String, span, label: &str| {
        Diagnostic::error(Code::InvalidSetting, message)
            .with_label(span, label)
            .with_help("write `range: [min, max]`, e.g. `[0%, 150%]`; `null` for no limit")
    };
    if unit.dimension == Dimension::Bool {
        diagnostics.push(invalid(
            format!("metric `{name}` is a boolean and cannot have a range"),
            range.span,
            "not for a boolean",
        ));
        return None;
    }
    let [low, high] = range.value.as_slice() else {
        diagnostics.push(invalid(
            format!("the range of metric `{name}` must be two values, `[min, max]`"),
            range.span,
            "not two values",
        ));
        return None;
    };
    let mut bound = |bound: &Option<Spanned<RangeBound>>, none: f64| -> Option<f64> {
        let Some(b) = bound else { return Some(none) };
        let raw = match &b.value {
            RangeBound::Number(x) => RawValue::Number(*x),
            RangeBound::Quantity(text) => RawValue::Text(text.clone()),
        };
        match convert(name, &raw, unit) {
            Ok(v) => Some(v),
            Err(d) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidSetting,
                        format!(
                            "invalid bound in the range of metric `{name}`: {}",
                            d.message
                        ),
                    )
                    .with_label(b.span, "this bound"),
                );
                None
            }
        }
    };
    let (min, max) = (bound(low, f64::NEG_INFINITY)?, bound(high, f64::INFINITY)?);
    if min > max {
        diagnostics.push(invalid(
            format!("the range of metric `{name}` has its minimum above its maximum"),
            range.span,
            "min above max",
        ));
        return None;
    }
    Some(ValidRange { min, max })
}

fn valid_metric_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !matches!(part, "and" | "or" | "not" | "true" | "false")
        })
}
