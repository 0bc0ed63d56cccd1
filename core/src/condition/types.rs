//! The type and unit rules of the condition language.
//!
//! A value is a boolean or a number of one [`Dimension`]. The literal `0` without a unit fits
//! every dimension. The rules:
//!
//! * comparisons, `+`, `-`, `min` and `max` need operands of one dimension;
//! * `*`: a plain number or a percentage scales anything (`Ratio * Ratio` is a ratio); other
//!   products are errors. A plain number times a percentage is a percentage (`0.5 * coverage`)
//!   unless only the percentage is a constant: then it scales the number, which stays a plain
//!   number (`vulns <= baseline.vulns * 110%`);
//! * `/`: a quantity over the same dimension is a ratio (`tests.failed / tests.total`), a
//!   quantity over a plain number or a percentage keeps its dimension, anything else is an
//!   error. A plain number divided by a constant plain number (`critical_vulns / 2`) is a
//!   scaling and stays a plain number.

use crate::units::Dimension;

/// The type of a numeric expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumTy {
    /// A number of this dimension (never [`Dimension::Bool`]).
    Dim(Dimension),
    /// The bare literal `0`, which fits any dimension.
    Zero,
}

impl NumTy {
    /// The dimension, with `Zero` read as a plain number.
    pub(crate) fn dimension(self) -> Dimension {
        match self {
            NumTy::Dim(d) => d,
            NumTy::Zero => Dimension::Number,
        }
    }

    /// How the type reads in messages.
    pub(crate) fn describe(self) -> &'static str {
        self.dimension().describe()
    }
}

/// The common type of two operands that must share a dimension.
pub(crate) fn unify(a: NumTy, b: NumTy) -> Option<NumTy> {
    match (a, b) {
        (NumTy::Zero, other) | (other, NumTy::Zero) => Some(other),
        (NumTy::Dim(x), NumTy::Dim(y)) if x == y => Some(a),
        _ => None,
    }
}

/// The type of `a * b`; `a_constant` / `b_constant` when that operand is a literal expression.
pub(crate) fn multiply(a: NumTy, b: NumTy, a_constant: bool, b_constant: bool) -> Option<NumTy> {
    let (x, y) = (a.dimension(), b.dimension());
    let dim = match (x, y) {
        // A constant percentage scaling a plain number keeps it a plain number.
        (Dimension::Number, Dimension::Ratio) if b_constant && !a_constant => Dimension::Number,
        (Dimension::Ratio, Dimension::Number) if a_constant && !b_constant => Dimension::Number,
        (Dimension::Number, other) | (other, Dimension::Number) => other,
        (Dimension::Ratio, other) | (other, Dimension::Ratio) => other,
        _ => return None,
    };
    Some(NumTy::Dim(dim))
}

/// The type of `a / b`; `divisor_is_constant` when `b` is a literal expression.
pub(crate) fn divide(a: NumTy, b: NumTy, divisor_is_constant: bool) -> Option<NumTy> {
    let (x, y) = (a.dimension(), b.dimension());
    let dim = match (x, y) {
        (Dimension::Number, Dimension::Number) if divisor_is_constant => Dimension::Number,
        _ if x == y => Dimension::Ratio,
        (_, Dimension::Number | Dimension::Ratio) => x,
        _ => return None,
    };
    Some(NumTy::Dim(dim))
}
