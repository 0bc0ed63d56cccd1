//! A metric's value as a report gives it: an amount (or no data) in one of a few units.

use crate::metrics::input::RawValue;
use crate::units::Dimension;
use schemars::JsonSchema;
use serde::Serialize;

/// The unit of a value read from a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(rename = "EvidenceUnit")]
pub enum Unit {
    /// A count of things (tests, lines, findings).
    #[serde(rename = "count")]
    Count,
    /// A percentage, `87.5` for 87.5 %.
    #[serde(rename = "%")]
    Percent,
    /// Seconds.
    #[serde(rename = "s")]
    Seconds,
    /// Milliseconds.
    #[serde(rename = "ms")]
    Milliseconds,
    /// A plain number (Lighthouse's cumulative layout shift).
    #[serde(rename = "")]
    Number,
    /// Bytes (bundle sizes).
    #[serde(rename = "B")]
    Bytes,
}

impl Unit {
    /// The dimension of the policy's units this unit belongs to.
    #[must_use]
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Count | Unit::Number => Dimension::Number,
            Unit::Percent => Dimension::Ratio,
            Unit::Seconds | Unit::Milliseconds => Dimension::Duration,
            Unit::Bytes => Dimension::Size,
        }
    }

    /// A unit to declare a metric of this kind with in a policy.
    #[must_use]
    pub fn declare_as(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Number => "number",
            Unit::Percent => "%",
            Unit::Seconds => "s",
            Unit::Milliseconds => "ms",
            Unit::Bytes => "B",
        }
    }
}

/// A value read from a report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "EvidenceValue")]
pub struct Value {
    /// The amount, or `None` for no data (a pass rate of zero tests, a score Lighthouse could
    /// not compute).
    #[serde(rename = "value")]
    pub amount: Option<f64>,
    /// The unit of the amount.
    pub unit: Unit,
}

impl Value {
    /// A count.
    #[must_use]
    pub fn count(n: u64) -> Self {
        // Counts above 2^53 would round; no report holds that many of anything.
        #[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^53")]
        let amount = n as f64;
        Self {
            amount: Some(amount),
            unit: Unit::Count,
        }
    }

    /// `part` of `whole` as a percentage; no data when `whole` is zero.
    #[must_use]
    pub fn percent_of(part: u64, whole: u64) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^53")]
        let amount = (whole > 0).then(|| part as f64 * 100.0 / whole as f64);
        Self {
            amount,
            unit: Unit::Percent,
        }
    }

    /// An amount in `unit` (no data when `None` or not finite).
    #[must_use]
    pub fn new(amount: Option<f64>, unit: Unit) -> Self {
        Self {
            amount: amount.filter(|a| a.is_finite()),
            unit,
        }
    }

    /// The value as metrics input: a count or plain number as a number, the others as text
    /// with their unit (`"87.5%"`, `"12.5s"`), which a policy converts exactly into the unit it
    /// declares for the metric.
    #[must_use]
    pub fn raw(&self) -> RawValue {
        let Some(amount) = self.amount else {
            return RawValue::Null;
        };
        match self.unit {
            Unit::Count | Unit::Number => RawValue::Number(amount),
            Unit::Percent => RawValue::Text(format!("{amount}%")),
            Unit::Seconds => RawValue::Text(format!("{amount}s")),
            Unit::Milliseconds => RawValue::Text(format!("{amount}ms")),
            Unit::Bytes => RawValue::Text(format!("{amount}B")),
        }
    }
}
