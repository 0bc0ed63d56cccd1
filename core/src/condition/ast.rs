//! The syntax tree of a condition.

use crate::diagnostic::Span;
use crate::units::Unit;

/// One node of a parsed condition, with the span of source text it was read from.
///
/// A parenthesised expression keeps no node of its own: its span includes the parentheses.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it is in the condition text.
    pub span: Span,
}

/// The kinds of condition nodes.
///
/// Chains of one operator are n-ary (`a and b and c` is one [`ExprKind::Logic`] with three
/// operands; `a + b - c` is one [`ExprKind::Arith`]), so the depth of a tree is bounded by the
/// nesting limit however long the condition is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal with its optional unit suffix.
    Number(NumberLit),
    /// `true` or `false`.
    Bool(bool),
    /// A metric reference such as `coverage` or `tests.failed`.
    Metric(String),
    /// `not x` (also written `!x`).
    Not(Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `a and b and …` or `a or b or …` (two operands or more).
    Logic {
        /// `and` or `or`.
        op: LogicOp,
        /// The operands, in source order.
        operands: Vec<Expr>,
    },
    /// A comparison; comparisons do not chain.
    Compare {
        /// The operator.
        op: CmpOp,
        /// The left side.
        lhs: Box<Expr>,
        /// The right side.
        rhs: Box<Expr>,
    },
    /// A left-associative arithmetic chain `first op₁ e₁ op₂ e₂ …`. `rest` is not empty and its
    /// operators share one precedence level (all `+ -` or all `* /`).
    Arith {
        /// The first operand.
        first: Box<Expr>,
        /// The following operators and operands.
        rest: Vec<(ArithOp, Expr)>,
    },
    /// A call of a built-in function.
    Call {
        /// Which function.
        func: Func,
        /// The arguments (the parser checks the count).
        args: Vec<Expr>,
    },
}

/// A number as written: `90%` is `value: 90.0` with the percent unit and `base: 0.9`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberLit {
    /// The number before its unit is applied; never negative.
    pub value: f64,
    /// The unit suffix, if one was written.
    pub unit: Option<Unit>,
    /// The value in the base unit of its dimension, converted exactly from the text: the
    /// double nearest the decimal as written times the unit's factor (`70%` is `0.7`).
    pub base: f64,
}

impl NumberLit {
    /// The literal `value` followed by `unit`, as if written in its shortest form.
    #[must_use]
    pub fn new(value: f64, unit: Option<Unit>) -> NumberLit {
        let base = unit.map_or(value, |u| u.to_base(value));
        NumberLit { value, unit, base }
    }

    /// The value in the base unit of its dimension (`90%` is `0.9`, `2s` is `2000`).
    #[must_use]
    pub fn base_value(&self) -> f64 {
        self.base
    }
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicOp {
    /// Kleene conjunction.
    And,
    /// Kleene disjunction.
    Or,
}

impl LogicOp {
    /// The canonical keyword.
    #[must_use]
    pub fn keyword(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// The operator as written.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// The operator that holds exactly when this one does not (`<` ↔ `>=`).
    #[must_use]
    pub fn negate(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
        }
    }

    /// The operator with its sides swapped (`a < b` is `b > a`).
    #[must_use]
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
        }
    }

    /// Whether `a op b` holds for known (non-NaN) values.
    #[must_use]
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }

    /// Whether the operator orders values (`<`, `<=`, `>`, `>=`).
    #[must_use]
    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

impl std::fmt::Display for CmpOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl ArithOp {
    /// The operator as written.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }

    /// Whether the operator is `*` or `/` (which bind tighter than `+` and `-`).
    #[must_use]
    pub fn is_multiplicative(self) -> bool {
        matches!(self, ArithOp::Mul | ArithOp::Div)
    }

    /// The result for known values (no checks).
    #[must_use]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div => a / b,
        }
    }
}

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// `abs(x)`: absolute value.
    Abs,
    /// `min(a, b, …)`: the smallest argument (at least two).
    Min,
    /// `max(a, b, …)`: the largest argument (at least two).
    Max,
    /// `present(x)`: whether `x` has data; never unknown.
    Present,
    /// `missing(x)`: whether `x` has no data; never unknown.
    Missing,
}

impl Func {
    /// Every function, in the order they are listed in messages.
    pub const ALL: &'static [Func] = &[
        Func::Abs,
        Func::Min,
        Func::Max,
        Func::Present,
        Func::Missing,
    ];

    /// The name as written.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Func::Abs => "abs",
            Func::Min => "min",
            Func::Max => "max",
            Func::Present => "present",
            Func::Missing => "missing",
        }
    }

    /// The function called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Whether the function takes any number of arguments from two up (`min`, `max`), rather
    /// than exactly one.
    #[must_use]
    pub fn is_variadic(self) -> bool {
        matches!(self, Func::Min | Func::Max)
    }
}

impl Expr {
    /// Whether two trees are the same condition, ignoring spans.
    #[must_use]
    pub fn same_as(&self, other: &Expr) -> bool {
        match (&self.kind, &other.kind) {
            (ExprKind::Number(a), ExprKind::Number(b)) => {
                a.value.to_bits() == b.value.to_bits()
                    && a.unit.map(|u| u.symbol) == b.unit.map(|u| u.symbol)
            }
            (ExprKind::Bool(a), ExprKind::Bool(b)) => a == b,
            (ExprKind::Metric(a), ExprKind::Metric(b)) => a == b,
            (ExprKind::Not(a), ExprKind::Not(b)) | (ExprKind::Neg(a), ExprKind::Neg(b)) => {
                a.same_as(b)
            }
            (
                ExprKind::Logic {
                    op: op_a,
                    operands: a,
                },
                ExprKind::Logic {
                    op: op_b,
                    operands: b,
                },
            ) => op_a == op_b && all_same(a, b),
            (
                ExprKind::Compare {
                    op: op_a,
                    lhs: la,
                    rhs: ra,
                },
                ExprKind::Compare {
                    op: op_b,
                    lhs: lb,
                    rhs: rb,
                },
            ) => op_a == op_b && la.same_as(lb) && ra.same_as(rb),
            (
                ExprKind::Arith {
                    first: fa,
                    rest: ra,
                },
                ExprKind::Arith {
                    first: fb,
                    rest: rb,
                },
            ) => {
                fa.same_as(fb)
                    && ra.len() == rb.len()
                    && ra
                        .iter()
                        .zip(rb)
                        .all(|((oa, a), (ob, b))| oa == ob && a.same_as(b))
            }
            (ExprKind::Call { func: fa, args: a }, ExprKind::Call { func: fb, args: b }) => {
                fa == fb && all_same(a, b)
            }
            _ => false,
        }
    }

    /// The metric names the condition refers to, in order of first appearance.
    #[must_use]
    pub fn metric_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.collect_metrics(&mut names);
        names
    }

    fn collect_metrics<'a>(&'a self, names: &mut Vec<&'a str>) {
        match &self.kind {
            ExprKind::Number(_) | ExprKind::Bool(_) => {}
            ExprKind::Metric(name) => {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
            ExprKind::Not(e) | ExprKind::Neg(e) => e.collect_metrics(names),
            ExprKind::Logic { operands: list, .. } | ExprKind::Call { args: list, .. } => {
                list.iter().for_each(|e| e.collect_metrics(names));
            }
            ExprKind::Compare { lhs, rhs, .. } => {
                lhs.collect_metrics(names);
                rhs.collect_metrics(names);
            }
            ExprKind::Arith { first, rest } => {
                first.collect_metrics(names);
                rest.iter().for_each(|(_, e)| e.collect_metrics(names));
            }
        }
    }
}

fn all_same(a: &[Expr], b: &[Expr]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
}
