//! Units and dimensions of metric values.
//!
//! Every number kiro holds is in the base unit of its dimension: ratios as fractions (`1%` is
//! `0.01`), durations in milliseconds, sizes in bytes. Units only matter when text is read
//! (`"420ms"`, `500KB`) and when values are shown to a person. Conversions to base units are
//! exact: the result is the double nearest the decimal as written times the unit's factor
//! (`70%` is the double `0.7`), see [`Scale`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of quantity a value is. Values of different dimensions cannot be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// A plain number or count (`critical_vulns`, `quality_score`).
    Number,
    /// A fraction, written as a percentage (`coverage`, `error_rate`).
    Ratio,
    /// A length of time, held in milliseconds.
    Duration,
    /// An amount of data, held in bytes.
    Size,
    /// True or false.
    Bool,
}

impl Dimension {
    /// The word used in messages: `a duration`, `a size`…
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Dimension::Number => "a plain number",
            Dimension::Ratio => "a percentage",
            Dimension::Duration => "a duration",
            Dimension::Size => "a size",
            Dimension::Bool => "a boolean",
        }
    }

    /// The unit values of this dimension are shown in when no other is declared.
    #[must_use]
    pub fn default_unit(self) -> Unit {
        match self {
            Dimension::Number | Dimension::Bool => Unit::NONE,
            Dimension::Ratio => Unit::PERCENT,
            Dimension::Duration => Unit::MS,
            Dimension::Size => Unit::BYTES,
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A unit: its symbol, its dimension and how many base units one of it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    /// The symbol as written (`ms`, `KiB`, `%`); empty for plain numbers.
    pub symbol: &'static str,
    /// The dimension it measures.
    pub dimension: Dimension,
    /// Base units per one of this unit, exactly.
    pub scale: Scale,
}

impl Unit {
    /// Base units per one of this unit, as the nearest double: for display and estimates;
    /// conversions use [`Unit::to_base`].
    #[must_use]
    pub fn factor(self) -> f64 {
        self.scale.factor()
    }

    /// A number written in this unit, in base units: exactly the double nearest the decimal
    /// that reads back as `x`, times the factor (`87` percent is `0.87`). See [`Scale::to_base`].
    #[must_use]
    pub fn to_base(self, x: f64) -> f64 {
        self.scale.to_base(x)
    }

    /// A base-unit value shown in this unit: the inverse of [`Unit::to_base`].
    #[must_use]
    pub fn from_base(self, x: f64) -> f64 {
        self.scale.from_base(x)
    }

    /// No unit: a plain number.
    pub const NONE: Unit = Unit {
        symbol: "",
        dimension: Dimension::Number,
        scale: Scale::ONE,
    };
    /// Percent: a ratio shown ×100.
    pub const PERCENT: Unit = Unit {
        symbol: "%",
        dimension: Dimension::Ratio,
        scale: Scale::new(1, -2),
    };
    /// Milliseconds.
    pub const MS: Unit = Unit {
        symbol: "ms",
        dimension: Dimension::Duration,
        scale: Scale::ONE,
    };
    /// Bytes.
    pub const BYTES: Unit = Unit {
        symbol: "B",
        dimension: Dimension::Size,
        scale: Scale::ONE,
    };
    /// A boolean flag (declarations only).
    pub const BOOL: Unit = Unit {
        symbol: "",
        dimension: Dimension::Bool,
        scale: Scale::ONE,
    };
}

/// Units that may follow a number in a condition or a metric value.
pub const SUFFIX_UNITS: &[Unit] = &[
    Unit::PERCENT,
    Unit::MS,
    Unit {
        symbol: "s",
        dimension: Dimension::Duration,
        scale: Scale::new(1, 3),
    },
    Unit {
        symbol: "m",
        dimension: Dimension::Duration,
        scale: Scale::new(6, 4),
    },
    Unit {
        symbol: "h",
        dimension: Dimension::Duration,
        scale: Scale::new(36, 5),
    },
    Unit {
        symbol: "d",
        dimension: Dimension::Duration,
        scale: Scale::new(864, 5),
    },
    Unit::BYTES,
    Unit {
        symbol: "KB",
        dimension: Dimension::Size,
        scale: Scale::new(1, 3),
    },
    Unit {
        symbol: "MB",
        dimension: Dimension::Size,
        scale: Scale::new(1, 6),
    },
    Unit {
        symbol: "GB",
        dimension: Dimension::Size,
        scale: Scale::new(1, 9),
    },
    Unit {
        symbol: "TB",
        dimension: Dimension::Size,
        scale: Scale::new(1, 12),
    },
    Unit {
        symbol: "KiB",
        dimension: Dimension::Size,
        scale: Scale::new(1024, 0),
    },
    Unit {
        symbol: "MiB",
        dimension: Dimension::Size,
        scale: Scale::new(1_048_576, 0),
    },
    Unit {
        symbol: "GiB",
        dimension: Dimension::Size,
        scale: Scale::new(1_073_741_824, 0),
    },
    Unit {
        symbol: "TiB",
        dimension: Dimension::Size,
        scale: Scale::new(1_099_511_627_776, 0),
    },
];

/// Unit names accepted in a metric declaration besides the suffix units.
pub const DECLARATION_WORDS: &[(&str, Unit)] = &[
    ("count", Unit::NONE),
    ("number", Unit::NONE),
    ("percent", Unit::PERCENT),
    (
        "ratio",
        Unit {
            symbol: "ratio",
            dimension: Dimension::Ratio,
            scale: Scale::ONE,
        },
    ),
    ("bool", Unit::BOOL),
    ("boolean", Unit::BOOL),
];

/// The unit written `symbol` after a number (`ms`, `%`, `KiB`), if there is one.
#[must_use]
pub fn suffix_unit(symbol: &str) -> Option<Unit> {
    SUFFIX_UNITS.iter().copied().find(|u| u.symbol == symbol)
}

/// The unit named in a metric declaration (`ms`, `%`, `percent`, `count`, `bool`…).
#[must_use]
pub fn declared_unit(name: &str) -> Option<Unit> {
    suffix_unit(name).or_else(|| {
        DECLARATION_WORDS
            .iter()
            .find(|(w, _)| *w == name)
            .map(|(_, u)| *u)
    })
}

/// Every name a declaration accepts, for suggestions and the schema.
pub fn declared_unit_names() -> impl Iterator<Item = &'static str> {
    SUFFIX_UNITS
        .iter()
        .map(|u| u.symbol)
        .chain(DECLARATION_WORDS.iter().map(|(w, _)| *w))
}

/// A number read from text with its unit, converted to the dimension's base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    /// The value in base units (ratio, milliseconds, bytes).
    pub value: f64,
    /// The unit it was written in.
    pub unit: Unit,
}

/// Why a quantity could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    /// There is no number at the start.
    NotANumber,
    /// The number is followed by something that is not a unit.
    UnknownUnit(String),
    /// The number is NaN or infinite, or overflows in conversion.
    NotFinite,
}

/// Reads `420ms`, `87.5%`, `1.5 GiB` or `12` into a [`Quantity`]; a number without a unit is
/// a plain number.
///
/// # Errors
/// When the text is not a finite number optionally followed by a known unit.
pub fn parse_quantity(text: &str) -> Result<Quantity, QuantityError> {
    parse_quantity_in(text, Unit::NONE)
}

/// [`parse_quantity`] where a number without a unit is in `bare` (`"87"` for a metric declared
/// in `%` is 87%). The value is exact: the double nearest the decimal as written times the
/// unit's factor.
///
/// # Errors
/// As [`parse_quantity`].
pub fn parse_quantity_in(text: &str, bare: Unit) -> Result<Quantity, QuantityError> {
    let text = text.trim();
    let split = text
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '_'
                || ((c == '-' || c == '+') && (i == 0 || text[..i].ends_with(['e', 'E'])))
                || ((c == 'e' || c == 'E')
                    && i > 0
                    && text[i + 1..]
                        .starts_with(|n: char| n.is_ascii_digit() || n == '-' || n == '+')))
        })
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(split);
    let number: String = number.chars().filter(|&c| c != '_').collect();
    if number.is_empty() || !number.bytes().any(|b| b.is_ascii_digit()) {
        return Err(QuantityError::NotANumber);
    }
    if number.parse::<f64>().is_err() {
        return Err(QuantityError::NotANumber);
    }
    let unit_text = unit.trim();
    let unit = if unit_text.is_empty() {
        bare
    } else {
        suffix_unit(unit_text).ok_or_else(|| QuantityError::UnknownUnit(unit_text.to_owned()))?
    };
    // The decimal point moves in the text, and the one rounding is the parse's.
    let value = unit
        .scale
        .decimal_to_base(&number)
        .ok_or(QuantityError::NotANumber)?;
    if !value.is_finite() {
        return Err(QuantityError::NotFinite);
    }
    Ok(Quantity { value, unit })
}

mod column;
pub mod duration;
mod format;
mod reciprocal;
mod scale;

pub use duration::DurationDecl;
pub use format::{
    format_delta, format_in, format_number, same_when_shown, write_delta, write_in, write_in_full,
    write_number,
};
pub use scale::Scale;

#[cfg(test)]
mod tests;
