//! The condition language: `coverage >= 90% and critical_vulns == 0`.
//!
//! Text goes through four steps:
//!
//! 1. [`parse`] reads the text into an [`Expr`] (syntax errors, unknown functions, nesting and
//!    length limits are reported here). `Display` on an [`Expr`] prints canonical source that
//!    reads back to the same tree.
//! 2. [`compile_condition`] resolves metric names through a [`MetricLookup`], checks types and
//!    units, folds literal subexpressions and lowers the tree into a compact [`Program`] whose
//!    metric references are slot numbers.
//! 3. [`Program::eval`] evaluates one record of slot values (NaN = no data) with three-valued
//!    logic, without allocating; [`Program::explain`] also says which comparisons decided.
//! 4. [`Program::eval_columns`] evaluates a batch column by column, in chunks the compiler can
//!    vectorise.
//!
//! All values are in the base unit of their dimension (see [`crate::units`]): ratios as
//! fractions, durations in milliseconds, sizes in bytes, booleans as `0.0` / `1.0`.

mod ast;
mod baseline;
mod columns;
mod compile;
mod eval;
mod explain;
mod lexer;
mod lookup;
mod parser;
mod print;
mod program;
mod types;
mod written;

#[cfg(test)]
mod tests;

pub use ast::{ArithOp, CmpOp, Expr, ExprKind, Func, LogicOp, NumberLit};
pub use baseline::{Aggregate, baseline_name, parse_baseline_name};
pub use compile::{compile_condition, compile_expr, compile_number};
pub use eval::EvalError;
pub use lookup::{MetricInfo, MetricLookup};
pub use parser::parse;
pub use program::{COLUMN_ERROR, Program};
pub(crate) use written::{compile_written, compile_written_number};

/// The longest condition text accepted, in bytes (64 KiB); longer text is `KIRO-E015`.
pub const MAX_SOURCE_LEN: usize = 64 * 1024;

/// The deepest nesting accepted (parentheses, `not`, unary minus and calls each add a level);
/// deeper is `KIRO-E015`.
pub const MAX_DEPTH: usize = 64;
