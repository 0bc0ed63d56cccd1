//! The compiled form of a condition: typed node arenas with `u32` child indices.
//!
//! Numeric nodes and boolean nodes live in separate arenas, so evaluation never checks a
//! node's type. Chains of one operator stay n-ary (children listed in side tables), which keeps
//! the tree's depth bounded by the parser's nesting limit; the most common leaf, a metric
//! compared with a constant, is one node with the operator in its variant.

use super::ast::{ArithOp, CmpOp};
use crate::diagnostic::Span;
use crate::tri::Tri;
use crate::units::Unit;

/// The byte [`Program::eval_columns`] writes for a record whose evaluation failed.
pub const COLUMN_ERROR: u8 = 3;

/// A numeric node; values are `f64` in base units, NaN meaning no data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumNode {
    Const(f64),
    Slot(u32),
    Neg(u32),
    Abs(u32),
    /// `a op b`; `at` indexes `fault_spans` for the error span.
    Bin {
        op: ArithOp,
        a: u32,
        b: u32,
        at: u32,
    },
    /// `first op₁ x₁ op₂ x₂ …` with the steps in `steps[start..start + len]`.
    Chain {
        first: u32,
        start: u32,
        len: u32,
    },
    /// Smallest of `num_args[start..start + len]`.
    Min {
        start: u32,
        len: u32,
    },
    /// Largest of `num_args[start..start + len]`.
    Max {
        start: u32,
        len: u32,
    },
}

/// One step of an arithmetic chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Step {
    pub op: ArithOp,
    pub operand: u32,
    /// Index into `fault_spans`.
    pub at: u32,
}

/// A boolean node, evaluating to a [`Tri`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BoolNode {
    Const(Tri),
    /// A boolean metric: NaN is unknown, non-zero is true.
    Slot(u32),
    Not(u32),
    /// Kleene `and` of `bool_args[start..start + len]`.
    And {
        start: u32,
        len: u32,
    },
    /// Kleene `or` of `bool_args[start..start + len]`.
    Or {
        start: u32,
        len: u32,
    },
    /// A metric against a constant: holds when the outcome of comparing the value with `k`
    /// (less, equal, greater) is one of the bits in `mask` (see [`cmp_mask`]).
    Test {
        slot: u32,
        mask: u8,
        k: f64,
    },
    /// A numeric comparison of two numeric nodes.
    Cmp {
        op: CmpOp,
        a: u32,
        b: u32,
    },
    /// `a == b` (`ne` false) or `a != b` (`ne` true) on two boolean nodes.
    BoolCmp {
        ne: bool,
        a: u32,
        b: u32,
    },
    /// Whether a numeric node has data.
    Present(u32),
    /// Whether a boolean node has data.
    PresentBool(u32),
}

/// The [`BoolNode::Test`] mask bit for "less than the constant".
pub(crate) const LESS: u8 = 1;
/// The mask bit for "equal to the constant".
pub(crate) const EQUAL: u8 = 2;
/// The mask bit for "greater than the constant".
pub(crate) const GREATER: u8 = 4;

/// The outcomes under which `x op k` holds.
pub(crate) fn cmp_mask(op: CmpOp) -> u8 {
    match op {
        CmpOp::Lt => LESS,
        CmpOp::Le => LESS | EQUAL,
        CmpOp::Gt => GREATER,
        CmpOp::Ge => GREATER | EQUAL,
        CmpOp::Eq => EQUAL,
        CmpOp::Ne => LESS | GREATER,
    }
}

/// Where the value of one side of a comparison comes from, for explanations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SideValue {
    Const(f64),
    Slot(u32),
    Node(u32),
}

/// One side of a comparison, for explanations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Side {
    pub span: Span,
    pub value: SideValue,
    /// The unit its value is shown in.
    pub unit: Unit,
}

/// What an explanation needs to know about a boolean node beyond how to evaluate it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Meta {
    None,
    /// A numeric comparison as written (before any flip of the sides).
    Cmp {
        op: CmpOp,
        lhs: Side,
        rhs: Side,
    },
    /// The span of the argument of `present` / `missing`.
    Present {
        arg: Span,
    },
}

/// A compiled condition: immutable, cheap to share across threads, and evaluated without
/// allocating.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) source: String,
    pub(crate) slots: Vec<usize>,
    /// One more than the largest slot referenced: the shortest valid input.
    pub(crate) min_len: usize,
    pub(crate) root: u32,
    pub(crate) nums: Vec<NumNode>,
    pub(crate) num_fallible: Vec<bool>,
    pub(crate) num_args: Vec<u32>,
    pub(crate) steps: Vec<Step>,
    pub(crate) bools: Vec<BoolNode>,
    pub(crate) bool_fallible: Vec<bool>,
    pub(crate) bool_spans: Vec<Span>,
    pub(crate) bool_meta: Vec<Meta>,
    pub(crate) bool_args: Vec<u32>,
    pub(crate) fault_spans: Vec<Span>,
    /// When the condition is an `and` of metric-versus-constant tests (the usual shape of a
    /// gate's condition), those tests, for [`Program::eval`]'s branch-free loops.
    pub(crate) conjunction: Option<Box<Conjunction>>,
    /// For a numeric expression ([`super::compile_number`]): the node whose value it is.
    pub(crate) number: Option<u32>,
}

/// The tests of an `and` of metric-versus-constant tests, by comparison: `(slot, k)` pairs
/// for `<`, `<=`, `>`, `>=`, `==` and `!=`, so that each list is folded by a loop with its
/// comparison inlined.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Conjunction {
    pub by_op: [Vec<(u32, f64)>; 6],
}

impl Program {
    /// The condition text the program was compiled from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The distinct metric slots the condition reads, in order of first appearance.
    #[must_use]
    pub fn slots(&self) -> &[usize] {
        &self.slots
    }

    /// Every constant the condition compares a slot with directly (`error_rate > 1%`,
    /// `0.5 < x`), as `(slot, constant)` in base units, in node order: the thresholds a
    /// picture draws beside the slot's values.
    pub(crate) fn thresholds(&self) -> Vec<(usize, f64)> {
        let num = |n: u32| self.nums.get(n as usize).copied();
        self.bools
            .iter()
            .filter_map(|node| match *node {
                BoolNode::Test { slot, k, .. } => Some((slot as usize, k)),
                BoolNode::Cmp { a, b, .. } => match (num(a)?, num(b)?) {
                    (NumNode::Slot(slot), NumNode::Const(k))
                    | (NumNode::Const(k), NumNode::Slot(slot)) => Some((slot as usize, k)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// The shortest slice [`Program::eval`] accepts: one more than the largest slot read.
    #[must_use]
    pub fn min_slots_len(&self) -> usize {
        self.min_len
    }

    pub(crate) fn args(list: &[u32], start: u32, len: u32) -> &[u32] {
        let start = start as usize;
        list.get(start..start + len as usize).unwrap_or(&[])
    }

    pub(crate) fn chain_steps(&self, start: u32, len: u32) -> &[Step] {
        let start = start as usize;
        self.steps.get(start..start + len as usize).unwrap_or(&[])
    }

    /// The source text of `span` with runs of whitespace collapsed to one space.
    pub(crate) fn text(&self, span: Span) -> String {
        let mut out = String::with_capacity(span.end.saturating_sub(span.start));
        self.write_text(&mut out, span);
        out
    }

    /// Appends [`Program::text`]`(span)` to `out`.
    pub(crate) fn write_text(&self, out: &mut String, span: Span) {
        let raw = self.source.get(span.start..span.end).unwrap_or("");
        for (i, word) in raw.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
}
