//! Binding metrics input to a policy's slots: names resolved, units checked, values converted
//! to base units.

use super::input::{FlatJson, MetricsInput, RawValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Spanned;
use crate::error::CheckError;
use crate::metrics::table::MetricTable;
use crate::units::{self, Dimension, QuantityError, Unit};
use std::borrow::Cow;

/// One value per declared metric, in slot order, in base units; NaN where there is no data.
///
/// # Errors
/// Every value that does not fit its declared metric (wrong type, wrong unit, not finite).
pub(crate) fn bind(input: &MetricsInput, table: &MetricTable) -> Result<Vec<f64>, CheckError> {
    bind_with(table, |name| input.values.get(name).map(Cow::Borrowed))
}

/// [`bind`] for metrics given as a flat JSON object, read in place.
///
/// # Errors
/// As [`bind`].
pub(crate) fn bind_flat(input: &FlatJson<'_>, table: &MetricTable) -> Result<Vec<f64>, CheckError> {
    bind_with(table, |name| input.get(name).map(Cow::Owned))
}

/// Binds the value `value_of(name)` gives for each declared metric.
fn bind_with<'a>(
    table: &MetricTable,
    value_of: impl Fn(&str) -> Option<Cow<'a, Spanned<RawValue>>>,
) -> Result<Vec<f64>, CheckError> {
    let mut slots = vec![f64::NAN; table.slots().len()];
    let mut errors = Vec::new();
    for (slot, metric) in table.slots().iter().enumerate() {
        let Some(raw) = value_of(&metric.name) else {
            continue;
        };
        match convert(&metric.name, &raw.value, metric.unit) {
            Ok(v) => slots[slot] = v,
            Err(d) => errors.push(d.with_label(raw.span, "this value").with_source("metrics")),
        }
    }
    if errors.is_empty() {
        Ok(slots)
    } else {
        Err(CheckError::Input(errors))
    }
}

/// Converts one raw value of metric `name`, declared in `unit`, to base units (NaN = no data).
pub(crate) fn convert(name: &str, raw: &RawValue, unit: Unit) -> Result<f64, Diagnostic> {
    let declared = || {
        if unit.symbol.is_empty() {
            unit.dimension.describe().to_owned()
        } else {
            format!("{} (`{}`)", unit.dimension.describe(), unit.symbol)
        }
    };
    let mismatch = |found: &str| {
        Diagnostic::error(
            Code::InvalidMetricValue,
            format!(
                "metric `{name}` is declared as {}, but the input gives {found}",
                declared()
            ),
        )
    };
    match (raw, unit.dimension) {
        (RawValue::Null, _) => Ok(f64::NAN),
        (RawValue::Bool(b), Dimension::Bool) => Ok(if *b { 1.0 } else { 0.0 }),
        (RawValue::Bool(_), _) => Err(mismatch("a boolean")),
        (RawValue::Number(_), Dimension::Bool) => {
            Err(mismatch("a number").with_help("write `true` or `false`"))
        }
        (RawValue::Text(text), Dimension::Bool) => {
            let help = if matches!(text.trim(), "true" | "false") {
                "write `true` or `false` without quotes"
            } else {
                "write `true` or `false`"
            };
            Err(mismatch(&format!("the string `{text}`")).with_help(help))
        }
        // Exact: `87` for a `%` metric is the double `0.87` (see `units::Scale`).
        (RawValue::Number(n), _) => finite(name, unit.to_base(*n)),
        (RawValue::Text(text), _) => match units::parse_quantity_in(text, unit) {
            Ok(q) if q.unit.dimension == unit.dimension => finite(name, q.value),
            Ok(q) => Err(mismatch(&format!(
                "{} `{text}`",
                q.unit.dimension.describe()
            ))),
            Err(QuantityError::NotFinite) => finite(name, f64::INFINITY),
            Err(QuantityError::UnknownUnit(u)) => Err(Diagnostic::error(
                Code::InvalidMetricValue,
                format!("unknown unit `{u}` in the value of metric `{name}`"),
            )
            .with_help(format!("`{name}` is {}", declared()))),
            Err(QuantityError::NotANumber) => Err(Diagnostic::error(
                Code::InvalidMetricValue,
                format!("the value of metric `{name}` is not a number: `{text}`"),
            )
            .with_help(format!(
                "`{name}` is {}; write a number such as `{}`",
                declared(),
                example(unit)
            ))),
        },
    }
}

fn finite(name: &str, value: f64) -> Result<f64, Diagnostic> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Diagnostic::error(
            Code::InvalidMetricValue,
            format!("the value of metric `{name}` is not a finite number"),
        )
        .with_help("use `null` for no data"))
    }
}

fn example(unit: Unit) -> String {
    match unit.dimension {
        Dimension::Ratio => "87.5%".into(),
        Dimension::Duration => "420ms".into(),
        Dimension::Size => "480KB".into(),
        Dimension::Number | Dimension::Bool => "12".into(),
    }
}
