//! Canonical source text for a condition tree.
//!
//! Keywords are spelled `and`, `or`, `not`; operators are surrounded by single spaces; numbers
//! are printed in their shortest exact form with their unit as written; parentheses appear only
//! where the tree's structure needs them, so printing a parsed condition never nests deeper
//! than the original.

use super::ast::{Expr, ExprKind, LogicOp, NumberLit};
use std::fmt::{self, Write as _};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self)
    }
}

impl fmt::Display for NumberLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_number(f, self.value)?;
        f.write_str(self.unit.map_or("", |u| u.symbol))
    }
}

/// Binding strength, loosest first.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Logic {
            op: LogicOp::Or, ..
        } => 1,
        ExprKind::Logic {
            op: LogicOp::And, ..
        } => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Compare { .. } => 4,
        ExprKind::Arith { rest, .. } => {
            if rest.first().is_some_and(|(op, _)| op.is_multiplicative()) {
                6
            } else {
                5
            }
        }
        ExprKind::Neg(_) => 7,
        ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Metric(_) | ExprKind::Call { .. } => 8,
    }
}

/// Writes `e`, in parentheses when it binds looser than `min`.
fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if precedence(e) < min {
        f.write_char('(')?;
        write_expr(f, e)?;
        f.write_char(')')
    } else {
        write_expr(f, e)
    }
}

fn write_expr(f: &mut fmt::Formatter<'_>, e: &Expr) -> fmt::Result {
    let own = precedence(e);
    match &e.kind {
        ExprKind::Number(n) => write!(f, "{n}"),
        ExprKind::Bool(b) => write!(f, "{b}"),
        ExprKind::Metric(name) => f.write_str(name),
        ExprKind::Not(operand) => {
            f.write_str("not ")?;
            write_operand(f, operand, own)
        }
        ExprKind::Neg(operand) => {
            f.write_char('-')?;
            write_operand(f, operand, own)
        }
        ExprKind::Logic { op, operands } => {
            for (i, operand) in operands.iter().enumerate() {
                if i > 0 {
                    write!(f, " {} ", op.keyword())?;
                }
                write_operand(f, operand, own + 1)?;
            }
            Ok(())
        }
        ExprKind::Compare { op, lhs, rhs } => {
            write_operand(f, lhs, own + 1)?;
            write!(f, " {} ", op.symbol())?;
            write_operand(f, rhs, own + 1)
        }
        ExprKind::Arith { first, rest } => {
            write_operand(f, first, own + 1)?;
            for (op, operand) in rest {
                write!(f, " {} ", op.symbol())?;
                write_operand(f, operand, own + 1)?;
            }
            Ok(())
        }
        ExprKind::Call { func, args } => {
            write!(f, "{}(", func.name())?;
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_expr(f, arg)?;
            }
            f.write_char(')')
        }
    }
}

/// The shortest text that reads back as exactly `value`: plain digits in the everyday range,
/// exponent form (`1e-7`, `1.5e300`) outside it.
fn write_number(f: &mut fmt::Formatter<'_>, value: f64) -> fmt::Result {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        write!(f, "{value:?}")
    } else {
        write!(f, "{value}")
    }
}
