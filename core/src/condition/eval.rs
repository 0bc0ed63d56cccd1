//! Evaluation of one record.
//!
//! A recursive walk over the typed arenas. Numbers are `f64` with NaN standing for no data,
//! so unknown values propagate through arithmetic for free; comparisons turn NaN into
//! [`Tri::Unknown`]. Nothing here allocates: a failure is a small [`Fault`] until the public
//! entry point turns it into an [`EvalError`].
//!
//! Errors (division by zero, a non-finite result) propagate through arithmetic, comparisons,
//! `not` and `present`, but `and` / `or` absorb them like Kleene logic absorbs unknowns: a false
//! operand makes `and` false whatever the others are, and a true operand makes `or` true. The
//! outcome therefore does not depend on operand order, and the columnar evaluator computes
//! exactly the same thing.

use super::ast::ArithOp;
use super::program::{BoolNode, Conjunction, EQUAL, GREATER, LESS, NumNode, Program};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::tri::Tri;
use std::fmt;

/// A condition could not be evaluated for a record: a division by zero (`KIRO-E016`) or a
/// result that is not a finite number (`KIRO-E017`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// The error code.
    pub code: Code,
    /// What went wrong, naming the failing expression.
    pub message: String,
    /// The failing operator's expression, relative to the condition text.
    pub span: Span,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for EvalError {}

impl From<EvalError> for Diagnostic {
    fn from(e: EvalError) -> Self {
        let label = match e.code {
            Code::DivisionByZero => "the divisor is zero",
            Code::NonFinite => "the result is not a finite number",
            _ => "here",
        };
        Diagnostic::error(e.code, e.message).with_label(e.span, label)
    }
}

/// An evaluation failure before it is described: the code and an index into `fault_spans`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault {
    pub code: Code,
    pub at: u32,
}

/// The truth of `holds` on `x`, unknown when `x` is NaN.
#[inline(always)]
pub(crate) fn tri_of(x: f64, holds: bool) -> Tri {
    if x.is_nan() {
        Tri::Unknown
    } else {
        Tri::from_bool(holds)
    }
}

/// `a op b` with the run-time checks: unknown operands give NaN, a zero divisor and a
/// non-finite result are faults.
#[inline(always)]
pub(crate) fn arith(op: ArithOp, a: f64, b: f64, at: u32) -> Result<f64, Fault> {
    if op == ArithOp::Div && b == 0.0 && !a.is_nan() {
        return Err(Fault {
            code: Code::DivisionByZero,
            at,
        });
    }
    let r = op.apply(a, b);
    if r.is_infinite() {
        return Err(Fault {
            code: Code::NonFinite,
            at,
        });
    }
    Ok(r)
}

/// Whether `x` compared with `k` has an outcome in `mask` (false for NaN).
#[inline(always)]
pub(crate) fn test(x: f64, mask: u8, k: f64) -> bool {
    const LE: u8 = LESS | EQUAL;
    const GE: u8 = GREATER | EQUAL;
    const NE: u8 = LESS | GREATER;
    match mask {
        LESS => x < k,
        LE => x <= k,
        GREATER => x > k,
        GE => x >= k,
        EQUAL => x == k,
        NE => (x < k) | (x > k),
        _ => {
            let outcome = u8::from(x < k) | (u8::from(x == k) << 1) | (u8::from(x > k) << 2);
            outcome & mask != 0
        }
    }
}

/// The smaller of two values, NaN if either is NaN.
#[inline(always)]
pub(crate) fn nan_min(a: f64, b: f64) -> f64 {
    if b < a || b.is_nan() { b } else { a }
}

/// The larger of two values, NaN if either is NaN.
#[inline(always)]
pub(crate) fn nan_max(a: f64, b: f64) -> f64 {
    if b > a || b.is_nan() { b } else { a }
}

impl Program {
    /// Evaluates the condition for one record. `slots[i]` is the value of the metric in slot
    /// `i`, in base units; NaN means no data, booleans are `0.0` / `1.0`.
    ///
    /// Does not allocate unless it fails.
    ///
    /// # Errors
    /// `KIRO-E016` for a division by zero, `KIRO-E017` for a non-finite result, with the span
    /// of the failing operator's expression; `KIRO-E032` when `slots` is shorter than
    /// [`Program::min_slots_len`].
    // Kept small and inlined into the caller: the error paths are out of line, and a condition
    // that is a single comparison is evaluated here without a call (benches/: 6.0 ns to 2.6 ns).
    #[inline]
    pub fn eval(&self, slots: &[f64]) -> Result<Tri, EvalError> {
        if slots.len() < self.min_len {
            return Err(self.short_input(slots.len()));
        }
        if let Some(conjunction) = &self.conjunction {
            return Ok(conjunction.eval(slots));
        }
        if let Some(t) = self
            .bools
            .get(self.root as usize)
            .and_then(|&n| Self::leaf(n, slots))
        {
            return Ok(t);
        }
        match self.eval_bool(self.root, slots) {
            Ok(t) => Ok(t),
            Err(fault) => Err(self.describe_fault(fault)),
        }
    }

    /// Evaluates a numeric expression ([`super::compile_number`]) for one record: its value in
    /// base units, NaN when a metric it needs has no data.
    ///
    /// # Errors
    /// As [`Program::eval`]; a program compiled as a condition has no number (`KIRO-E099`).
    pub fn eval_number(&self, slots: &[f64]) -> Result<f64, EvalError> {
        if slots.len() < self.min_len {
            return Err(self.short_input(slots.len()));
        }
        let Some(node) = self.number else {
            return Err(EvalError {
                code: Code::Internal,
                message: "a condition evaluated as a number".into(),
                span: Span::new(0, self.source.len()),
            });
        };
        self.eval_num(node, slots)
            .map_err(|fault| self.describe_fault(fault))
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn short_input(&self, found: usize) -> EvalError {
        EvalError {
            code: Code::InvalidBatch,
            message: format!(
                "the condition reads {} metric slots but {found} values were given",
                self.min_len
            ),
            span: Span::new(0, self.source.len()),
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn describe_fault(&self, fault: Fault) -> EvalError {
        let span = self
            .fault_spans
            .get(fault.at as usize)
            .copied()
            .unwrap_or_default();
        let text = self.text(span);
        let message = match fault.code {
            Code::DivisionByZero => format!("division by zero in `{text}`"),
            _ => format!("the result of `{text}` is not a finite number"),
        };
        EvalError {
            code: fault.code,
            message,
            span,
        }
    }

    /// The value of a metric-versus-constant or boolean-metric leaf; `None` for other nodes.
    #[inline(always)]
    fn leaf(n: BoolNode, s: &[f64]) -> Option<Tri> {
        let value = |slot: u32| s.get(slot as usize).copied().unwrap_or(f64::NAN);
        Some(match n {
            BoolNode::Test { slot, mask, k } => {
                let x = value(slot);
                tri_of(x, test(x, mask, k))
            }
            BoolNode::Slot(slot) => {
                let x = value(slot);
                tri_of(x, x != 0.0)
            }
            _ => return None,
        })
    }

    /// A child of `and` / `or`: leaves inline, anything else by recursion.
    #[inline(always)]
    fn child(&self, node: u32, s: &[f64]) -> Result<Tri, Fault> {
        match self
            .bools
            .get(node as usize)
            .and_then(|&n| Self::leaf(n, s))
        {
            Some(t) => Ok(t),
            None => self.eval_bool(node, s),
        }
    }

    pub(crate) fn eval_bool(&self, node: u32, s: &[f64]) -> Result<Tri, Fault> {
        let Some(&n) = self.bools.get(node as usize) else {
            return Ok(Tri::Unknown);
        };
        if let Some(t) = Self::leaf(n, s) {
            return Ok(t);
        }
        let infallible = !self
            .bool_fallible
            .get(node as usize)
            .copied()
            .unwrap_or(true);
        Ok(match n {
            BoolNode::And { start, len } => {
                let args = Self::args(&self.bool_args, start, len);
                if infallible {
                    // No early exit: a branch-free minimum is faster than a mispredicted exit.
                    let mut acc = Tri::True;
                    for &child in args {
                        acc = acc.and(self.child(child, s)?);
                    }
                    return Ok(acc);
                }
                let mut acc = Tri::True;
                let mut fault = None;
                for &child in args {
                    match self.child(child, s) {
                        Ok(Tri::False) => return Ok(Tri::False),
                        Ok(t) => acc = acc.and(t),
                        Err(f) => {
                            fault.get_or_insert(f);
                        }
                    }
                }
                return fault.map_or(Ok(acc), Err);
            }
            BoolNode::Or { start, len } => {
                let args = Self::args(&self.bool_args, start, len);
                if infallible {
                    let mut acc = Tri::False;
                    for &child in args {
                        acc = acc.or(self.child(child, s)?);
                    }
                    return Ok(acc);
                }
                let mut acc = Tri::False;
                let mut fault = None;
                for &child in args {
                    match self.child(child, s) {
                        Ok(Tri::True) => return Ok(Tri::True),
                        Ok(t) => acc = acc.or(t),
                        Err(f) => {
                            fault.get_or_insert(f);
                        }
                    }
                }
                return fault.map_or(Ok(acc), Err);
            }
            BoolNode::Not(child) => !self.eval_bool(child, s)?,
            BoolNode::Const(t) => t,
            BoolNode::Cmp { op, a, b } => {
                let x = self.eval_num(a, s)?;
                let y = self.eval_num(b, s)?;
                if x.is_nan() || y.is_nan() {
                    Tri::Unknown
                } else {
                    Tri::from_bool(op.holds(x, y))
                }
            }
            BoolNode::BoolCmp { ne, a, b } => {
                let x = self.eval_bool(a, s)?;
                let y = self.eval_bool(b, s)?;
                if x == Tri::Unknown || y == Tri::Unknown {
                    Tri::Unknown
                } else {
                    Tri::from_bool((x == y) != ne)
                }
            }
            BoolNode::Present(a) => Tri::from_bool(!self.eval_num(a, s)?.is_nan()),
            BoolNode::PresentBool(a) => Tri::from_bool(self.eval_bool(a, s)? != Tri::Unknown),
            // Leaves were handled above.
            BoolNode::Slot(_) | BoolNode::Test { .. } => Tri::Unknown,
        })
    }

    pub(crate) fn eval_num(&self, node: u32, s: &[f64]) -> Result<f64, Fault> {
        let Some(&n) = self.nums.get(node as usize) else {
            return Ok(f64::NAN);
        };
        Ok(match n {
            NumNode::Const(k) => k,
            NumNode::Slot(slot) => s.get(slot as usize).copied().unwrap_or(f64::NAN),
            NumNode::Neg(a) => -self.eval_num(a, s)?,
            NumNode::Abs(a) => self.eval_num(a, s)?.abs(),
            NumNode::Bin { op, a, b, at } => {
                let x = self.eval_num(a, s)?;
                let y = self.eval_num(b, s)?;
                arith(op, x, y, at)?
            }
            NumNode::Chain { first, start, len } => {
                let mut acc = self.eval_num(first, s)?;
                for step in self.chain_steps(start, len) {
                    let y = self.eval_num(step.operand, s)?;
                    acc = arith(step.op, acc, y, step.at)?;
                }
                acc
            }
            NumNode::Min { start, len } | NumNode::Max { start, len } => {
                let is_min = matches!(n, NumNode::Min { .. });
                let mut acc: Option<f64> = None;
                for &child in Self::args(&self.num_args, start, len) {
                    let y = self.eval_num(child, s)?;
                    acc = Some(match acc {
                        None => y,
                        Some(x) if is_min => nan_min(x, y),
                        Some(x) => nan_max(x, y),
                    });
                }
                acc.unwrap_or(f64::NAN)
            }
        })
    }
}

impl Conjunction {
    /// Kleene `and` of the tests, without a branch per test: false when a test with data
    /// fails, else unknown when a test has no data, else true.
    #[inline]
    fn eval(&self, s: &[f64]) -> Tri {
        let [lt, le, gt, ge, eq, ne] = &self.by_op;
        let mut state = (false, false);
        // Each closure says when a test fails on data; NaN compares false, so it never does.
        fold(lt, s, &mut state, |x, k| x >= k);
        fold(le, s, &mut state, |x, k| x > k);
        fold(gt, s, &mut state, |x, k| x <= k);
        fold(ge, s, &mut state, |x, k| x < k);
        fold(eq, s, &mut state, |x, k| (x < k) | (x > k));
        fold(ne, s, &mut state, |x, k| x == k);
        match state {
            (true, _) => Tri::False,
            (false, true) => Tri::Unknown,
            (false, false) => Tri::True,
        }
    }
}

/// Folds `(failed, unknown)` over the `(slot, k)` tests whose failure on data is `fails`.
#[inline(always)]
fn fold(
    tests: &[(u32, f64)],
    s: &[f64],
    state: &mut (bool, bool),
    fails: impl Fn(f64, f64) -> bool,
) {
    for &(slot, k) in tests {
        let x = s.get(slot as usize).copied().unwrap_or(f64::NAN);
        state.0 |= fails(x, k);
        state.1 |= x.is_nan();
    }
}
