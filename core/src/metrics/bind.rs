//! Binding metrics input to a policy's slots: names resolved, units checked, values converted
//! to base units.

use super::input::{FlatJson, MetricsInput, RawValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Spanned;
use crate::error::CheckError;
use crate::metrics::table::{MetricSlot, MetricTable, ValidRange};
use crate::units::{self, Dimension, QuantityError, Unit};
use std::borrow::Cow;

/// One value per declared metric, in slot order, in base units; NaN where there is no data.
///
/// # Errors
/// Every value that does not fit its declared metric (wrong type, wrong unit, not finite).
/// A list given for a declared metric is an error too ([`Code::InvalidMetricValue`]).
pub(crate) fn bind(input: &MetricsInput, table: &MetricTable) -> Result<Vec<f64>, CheckError> {
    let lists: Vec<Diagnostic> = input
        .lists
        .iter()
        .filter(|(name, _)| table.slot_of(name).is_some())
        .map(|(name, &span)| {
            Diagnostic::error(
                Code::InvalidMetricValue,
                format!(
                    "`{name}` is a list; a metric is a number, a string with a unit, a boolean \
                     or null"
                ),
            )
            .with_label(span, "a list")
            .with_source("metrics")
        })
        .collect();
    let bound = bind_with(table, |name| input.values.get(name).map(Cow::Borrowed));
    match (bound, lists.is_empty()) {
        (bound, true) => bound,
        (Err(CheckError::Input(mut errors)), false) => {
            errors.extend(lists);
            Err(CheckError::Input(errors))
        }
        (_, false) => Err(CheckError::Input(lists)),
    }
}

/// [`bind`] for gate criteria: padded with NaN (no data) to [`MetricTable::gate_record_len`],
/// so the baselines they read are there, with no data until earlier runs give them.
///
/// # Errors
/// As [`bind`].
pub(crate) fn bind_for_gates(
    input: &MetricsInput,
    table: &MetricTable,
) -> Result<Vec<f64>, CheckError> {
    let mut slots = bind(input, table)?;
    slots.resize(table.gate_record_len(), f64::NAN);
    Ok(slots)
}

/// [`bind`] for metrics given as a flat JSON object, read in place.
///
/// # Errors
/// As [`bind`].
pub(crate) fn bind_flat(input: &FlatJson<'_>, table: &MetricTable) -> Result<Vec<f64>, CheckError> {
    let mut slots = Vec::new();
    bind_flat_into(input, table, &mut slots)?;
    Ok(slots)
}

/// [`bind_flat`] into `slots` (cleared first), so that a caller checking record after record
/// reuses one buffer.
///
/// # Errors
/// As [`bind`].
pub(crate) fn bind_flat_into(
    input: &FlatJson<'_>,
    table: &MetricTable,
    slots: &mut Vec<f64>,
) -> Result<(), CheckError> {
    bind_with_into(table, |name| input.get(name).map(Cow::Owned), slots)
}

/// Binds the value `value_of(name)` gives for each declared metric.
fn bind_with<'a>(
    table: &MetricTable,
    value_of: impl Fn(&str) -> Option<Cow<'a, Spanned<RawValue>>>,
) -> Result<Vec<f64>, CheckError> {
    let mut slots = Vec::new();
    bind_with_into(table, value_of, &mut slots)?;
    Ok(slots)
}

/// [`bind_with`] into `slots`, cleared first.
fn bind_with_into<'a>(
    table: &MetricTable,
    value_of: impl Fn(&str) -> Option<Cow<'a, Spanned<RawValue>>>,
    slots: &mut Vec<f64>,
) -> Result<(), CheckError> {
    slots.clear();
    slots.resize(table.slots().len(), f64::NAN);
    let mut errors = Vec::new();
    for (slot, metric) in table.slots().iter().enumerate() {
        let Some(raw) = value_of(&metric.name) else {
            continue;
        };
        match metric_value(metric, &raw.value) {
            Ok(v) => slots[slot] = v,
            Err(d) => errors.push(d.with_label(raw.span, "this value").with_source("metrics")),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CheckError::Input(errors))
    }
}

/// Converts one raw value of `metric` to base units (NaN = no data), and checks it lies in the
/// metric's valid range.
///
/// # Errors
/// As [`convert`], and [`Code::InvalidMetricValue`] for a value outside the range.
pub(crate) fn metric_value(metric: &MetricSlot, raw: &RawValue) -> Result<f64, Diagnostic> {
    let value = convert(&metric.name, raw, metric.unit)?;
    match metric.range {
        Some(range) if !range.admits(value) => Err(out_of_range(metric, value, range)),
        _ => Ok(value),
    }
}

/// The error for `value` (base units) of `metric`, outside `range`.
pub(crate) fn out_of_range(metric: &MetricSlot, value: f64, range: ValidRange) -> Diagnostic {
    // Percentages show as `%` whether declared `%` or `ratio`.
    let unit = if metric.unit.dimension == Dimension::Ratio {
        Unit::PERCENT
    } else {
        metric.unit
    };
    let shown = |x: f64| units::format_in(x, unit);
    let bounds = match (range.min.is_finite(), range.max.is_finite()) {
        (true, true) => format!("from {} to {}", shown(range.min), shown(range.max)),
        (true, false) => format!("at least {}", shown(range.min)),
        _ => format!("at most {}", shown(range.max)),
    };
    // A fraction metric given a percentage as a bare number: the most common slip.
    let help = if metric.unit.symbol == "ratio" && value > 1.0 && value <= 100.0 {
        format!(
            "a `ratio` metric is a fraction: for {} write `{}` or `\"{}\"`; if values above \
             100% are valid, declare a `range`",
            shown(value / 100.0),
            units::format_number(value / 100.0, 0),
            shown(value / 100.0)
        )
    } else {
        "if such values are valid, declare a wider `range` for the metric".to_owned()
    };
    Diagnostic::error(
        Code::InvalidMetricValue,
        format!(
            "metric `{}` is {}, outside its range: {bounds}",
            metric.name,
            shown(value)
        ),
    )
    .with_help(help)
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
