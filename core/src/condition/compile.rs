//! Type checking, constant folding and lowering of a parsed condition into a [`Program`].

use super::ast::{ArithOp, CmpOp, Expr, ExprKind, Func, LogicOp};
use super::baseline::parse_baseline_name;
use super::lookup::MetricLookup;
use super::parser::parse;
use super::program::{
    BoolNode, Conjunction, EQUAL, GREATER, LESS, Meta, NumNode, Program, Side, SideValue, Step,
    cmp_mask,
};
use super::types::{self, NumTy};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::tri::Tri;
use crate::units::{self, Dimension, Unit};
use std::collections::HashSet;

/// Parses and compiles a condition against the declared metrics.
///
/// The condition must be true or false (a comparison, a boolean metric, `present(x)`…).
///
/// # Errors
/// The parse error (`KIRO-E010`, `E013`, `E014`, `E015`) on its own, or every unknown metric
/// (`E011`), type or unit mismatch (`E012`) and literal division by zero or overflow (`E016`,
/// `E017`) found. Spans are relative to `source`.
pub fn compile_condition(
    source: &str,
    metrics: &dyn MetricLookup,
) -> Result<Program, Vec<Diagnostic>> {
    let expr = parse(source).map_err(|d| vec![d])?;
    compile_expr(source, &expr, metrics)
}

/// Compiles an already parsed condition; `source` is the text `expr`'s spans point into.
///
/// # Errors
/// As [`compile_condition`], without the parse errors.
pub fn compile_expr(
    source: &str,
    expr: &Expr,
    metrics: &dyn MetricLookup,
) -> Result<Program, Vec<Diagnostic>> {
    let mut builder = Builder::new(source, metrics);
    let root = match builder.lower(expr) {
        Lowered::Bool(value) => Some(builder.bool_node(value, expr.span)),
        Lowered::Num { ty, .. } => {
            let text = builder.text(expr.span);
            builder.diags.push(
                Diagnostic::error(Code::TypeMismatch, "a condition must be true or false")
                    .with_label(expr.span, format!("this is {}", ty.describe()))
                    .with_help(format!("compare it with a threshold, e.g. `{text} > 0`")),
            );
            None
        }
        Lowered::Poison => None,
    };
    match root {
        Some(root) if builder.diags.is_empty() => Ok(builder.finish(root)),
        _ if !builder.diags.is_empty() => Err(builder.diags),
        _ => Err(vec![Diagnostic::error(
            Code::Internal,
            "the condition could not be compiled",
        )]),
    }
}

/// Parses and compiles a numeric expression (`memory.used / memory.total`, `critical_vulns`):
/// the program, whose value [`Program::eval_number`] gives, and the unit its values are shown
/// in. Sections that compute a number from metrics (a risk factor's value) compile it here, under
/// the same type and unit rules as a condition.
///
/// # Errors
/// As [`compile_condition`]; a condition (true or false) instead of a number is `KIRO-E012`.
pub fn compile_number(
    source: &str,
    metrics: &dyn MetricLookup,
) -> Result<(Program, Unit), Vec<Diagnostic>> {
    let expr = parse(source).map_err(|d| vec![d])?;
    let mut builder = Builder::new(source, metrics);
    let found = match builder.lower(&expr) {
        Lowered::Num { ty, val, unit } => {
            let node = builder.materialize(val);
            let unit = if unit.dimension == ty.dimension() {
                unit
            } else {
                ty.dimension().default_unit()
            };
            Some((node, unit))
        }
        Lowered::Bool(_) => {
            builder.diags.push(
                Diagnostic::error(Code::TypeMismatch, "a number is needed, not a condition")
                    .with_label(expr.span, "this is true or false")
                    .with_help(
                        "use it as `when:` (a boolean factor), or give a numeric expression",
                    ),
            );
            None
        }
        Lowered::Poison => None,
    };
    match found {
        Some((node, unit)) if builder.diags.is_empty() => {
            let root = builder.bool_node(BoolVal::Const(Tri::Unknown), expr.span);
            let mut program = builder.finish(root);
            program.number = Some(node);
            Ok((program, unit))
        }
        _ if !builder.diags.is_empty() => Err(builder.diags),
        _ => Err(vec![Diagnostic::error(
            Code::Internal,
            "the expression could not be compiled",
        )]),
    }
}

/// A numeric value during lowering: a constant (folded), a metric, or an emitted node.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumVal {
    Const(f64),
    Slot(u32),
    Node(u32),
}

/// A boolean value during lowering.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BoolVal {
    Const(Tri),
    Node(u32),
}

/// The result of lowering one expression.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lowered {
    /// A number, with the unit its values are shown in.
    Num {
        ty: NumTy,
        val: NumVal,
        unit: Unit,
    },
    Bool(BoolVal),
    /// An error was reported inside; report nothing more about it.
    Poison,
}

struct Builder<'a> {
    src: &'a str,
    metrics: &'a dyn MetricLookup,
    diags: Vec<Diagnostic>,
    slots: Vec<usize>,
    seen: HashSet<usize>,
    nums: Vec<NumNode>,
    num_fallible: Vec<bool>,
    num_args: Vec<u32>,
    steps: Vec<Step>,
    bools: Vec<BoolNode>,
    bool_fallible: Vec<bool>,
    bool_spans: Vec<Span>,
    bool_meta: Vec<Meta>,
    bool_args: Vec<u32>,
    fault_spans: Vec<Span>,
}

fn index(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The unit values of a metric declared in `unit` are shown in.
fn display_unit(unit: Unit) -> Unit {
    if units::suffix_unit(unit.symbol).is_some() {
        unit
    } else {
        unit.dimension.default_unit()
    }
}

/// The value of a literal written without a unit (`90`, `-5`), if `e` is one.
fn bare_literal(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Number(n) if n.unit.is_none() => Some(n.value),
        ExprKind::Neg(inner) => bare_literal(inner).map(|v| -v),
        _ => None,
    }
}

/// The unit of a literal written with one (`500KB`, `-2h`), if `e` is one.
fn unit_literal(e: &Expr) -> Option<Unit> {
    match &e.kind {
        ExprKind::Number(n) => n.unit,
        ExprKind::Neg(inner) => unit_literal(inner),
        _ => None,
    }
}

fn slot_const(op: CmpOp, slot: u32, k: f64) -> BoolNode {
    BoolNode::Test {
        slot,
        mask: cmp_mask(op),
        k,
    }
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, metrics: &'a dyn MetricLookup) -> Self {
        Self {
            src,
            metrics,
            diags: Vec::new(),
            slots: Vec::new(),
            seen: HashSet::new(),
            nums: Vec::new(),
            num_fallible: Vec::new(),
            num_args: Vec::new(),
            steps: Vec::new(),
            bools: Vec::new(),
            bool_fallible: Vec::new(),
            bool_spans: Vec::new(),
            bool_meta: Vec::new(),
            bool_args: Vec::new(),
            fault_spans: Vec::new(),
        }
    }

    fn finish(self, root: u32) -> Program {
        let min_len = self.slots.iter().max().map_or(0, |&s| s + 1);
        let conjunction = conjunction(&self.bools, &self.bool_args, root);
        // A compiled program lives as long as its policy: no spare capacity (a policy of many
        // small conditions would otherwise hold several times the memory it needs).
        Program {
            source: self.src.to_owned(),
            slots: tight(self.slots),
            min_len,
            root,
            nums: tight(self.nums),
            num_fallible: tight(self.num_fallible),
            num_args: tight(self.num_args),
            steps: tight(self.steps),
            bools: tight(self.bools),
            bool_fallible: tight(self.bool_fallible),
            bool_spans: tight(self.bool_spans),
            bool_meta: tight(self.bool_meta),
            bool_args: tight(self.bool_args),
            fault_spans: tight(self.fault_spans),
            conjunction,
            number: None,
        }
    }

    fn text(&self, span: Span) -> String {
        let raw = self.src.get(span.start..span.end).unwrap_or("");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    // ---- emitting nodes ------------------------------------------------------------------

    fn num(&mut self, node: NumNode, fallible: bool) -> u32 {
        self.nums.push(node);
        self.num_fallible.push(fallible);
        index(self.nums.len() - 1)
    }

    fn num_is_fallible(&self, node: u32) -> bool {
        self.num_fallible
            .get(node as usize)
            .copied()
            .unwrap_or(false)
    }

    fn bool_is_fallible(&self, node: u32) -> bool {
        self.bool_fallible
            .get(node as usize)
            .copied()
            .unwrap_or(false)
    }

    /// The node for a numeric value, emitting one for a constant or metric.
    fn materialize(&mut self, val: NumVal) -> u32 {
        match val {
            NumVal::Const(k) => self.num(NumNode::Const(k), false),
            NumVal::Slot(s) => self.num(NumNode::Slot(s), false),
            NumVal::Node(n) => n,
        }
    }

    fn boolean(&mut self, node: BoolNode, fallible: bool, span: Span, meta: Meta) -> u32 {
        self.bools.push(node);
        self.bool_fallible.push(fallible);
        self.bool_spans.push(span);
        self.bool_meta.push(meta);
        index(self.bools.len() - 1)
    }

    fn bool_node(&mut self, val: BoolVal, span: Span) -> u32 {
        match val {
            BoolVal::Const(t) => self.boolean(BoolNode::Const(t), false, span, Meta::None),
            BoolVal::Node(n) => n,
        }
    }

    fn fault(&mut self, span: Span) -> u32 {
        self.fault_spans.push(span);
        index(self.fault_spans.len() - 1)
    }

    fn not(&mut self, val: BoolVal, span: Span) -> BoolVal {
        match val {
            BoolVal::Const(t) => BoolVal::Const(!t),
            BoolVal::Node(n) => {
                let fallible = self.bool_is_fallible(n);
                BoolVal::Node(self.boolean(BoolNode::Not(n), fallible, span, Meta::None))
            }
        }
    }

    // ---- lowering ------------------------------------------------------------------------

    fn lower(&mut self, e: &Expr) -> Lowered {
        match &e.kind {
            ExprKind::Number(n) => {
                let value = n.base_value();
                if !value.is_finite() || !n.value.is_finite() {
                    self.diags.push(
                        Diagnostic::error(
                            Code::NonFinite,
                            format!("`{}` is not a finite number", self.text(e.span)),
                        )
                        .with_label(e.span, "too large"),
                    );
                    return Lowered::Poison;
                }
                let ty = match n.unit {
                    None if value == 0.0 => NumTy::Zero,
                    None => NumTy::Dim(Dimension::Number),
                    Some(unit) => NumTy::Dim(unit.dimension),
                };
                let unit = n.unit.unwrap_or(Unit::NONE);
                Lowered::Num {
                    ty,
                    val: NumVal::Const(value),
                    unit,
                }
            }
            ExprKind::Bool(b) => Lowered::Bool(BoolVal::Const(Tri::from_bool(*b))),
            ExprKind::Metric(name) => self.metric(name, e.span),
            ExprKind::Not(operand) => match self.lower(operand) {
                Lowered::Bool(val) => Lowered::Bool(self.not(val, e.span)),
                Lowered::Num { ty, .. } => {
                    self.diags
                        .push(self.needs_bool("`not` needs true or false", operand, ty));
                    Lowered::Poison
                }
                Lowered::Poison => Lowered::Poison,
            },
            ExprKind::Neg(operand) => match self.lower(operand) {
                Lowered::Num {
                    ty,
                    val: NumVal::Const(k),
                    unit,
                } => Lowered::Num {
                    ty,
                    val: NumVal::Const(-k),
                    unit,
                },
                Lowered::Num { ty, val, .. } => {
                    let a = self.materialize(val);
                    let fallible = self.num_is_fallible(a);
                    let node = self.num(NumNode::Neg(a), fallible);
                    Lowered::Num {
                        ty,
                        val: NumVal::Node(node),
                        unit: ty.dimension().default_unit(),
                    }
                }
                Lowered::Bool(_) => {
                    self.diags.push(
                        Diagnostic::error(Code::TypeMismatch, "cannot negate a boolean with `-`")
                            .with_label(operand.span, "this is a boolean")
                            .with_help("use `not` to negate a condition"),
                    );
                    Lowered::Poison
                }
                Lowered::Poison => Lowered::Poison,
            },
            ExprKind::Logic { op, operands } => self.logic(*op, operands, e.span),
            ExprKind::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs, e.span),
            ExprKind::Arith { first, rest } => self.arith(first, rest),
            ExprKind::Call { func, args } => self.call(*func, args, e.span),
        }
    }

    /// Why `baseline(inner)` did not resolve: `inner` is unknown, or baselines are not offered
    /// here.
    fn baseline_error(&self, inner: &str, span: Span) -> Diagnostic {
        if self.metrics.lookup(inner).is_none() {
            let names = self.metrics.names();
            let help = did_you_mean(inner, names.iter().copied()).map_or_else(
                || "declare it under `metrics:` in the policy".to_owned(),
                |close| format!("did you mean `{close}`?"),
            );
            return Diagnostic::error(Code::UnknownMetric, format!("unknown metric `{inner}`"))
                .with_label(span, "not a declared metric")
                .with_help(help);
        }
        Diagnostic::error(
            Code::BaselineNotHere,
            format!("`baseline({inner})` is only available in gate and stage criteria"),
        )
        .with_label(span, "no earlier runs here")
        .with_help("compare with earlier runs in a gate's criteria, given `history` when checking")
    }

    fn metric(&mut self, name: &str, span: Span) -> Lowered {
        let Some(info) = self.metrics.lookup(name) else {
            if let Some((inner, _)) = parse_baseline_name(name) {
                self.diags.push(self.baseline_error(inner, span));
                return Lowered::Poison;
            }
            let names = self.metrics.names();
            let help = match did_you_mean(name, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if ["and", "or", "not", "true", "false"]
                    .contains(&name.to_ascii_lowercase().as_str()) =>
                {
                    format!("keywords are lowercase: `{}`", name.to_ascii_lowercase())
                }
                None => "declare it under `metrics:` in the policy".to_owned(),
            };
            self.diags.push(
                Diagnostic::error(Code::UnknownMetric, format!("unknown metric `{name}`"))
                    .with_label(span, "not a declared metric")
                    .with_help(help),
            );
            return Lowered::Poison;
        };
        let Ok(slot) = u32::try_from(info.slot) else {
            self.diags.push(
                Diagnostic::error(
                    Code::Internal,
                    format!("metric slot {} is out of range", info.slot),
                )
                .with_label(span, "this metric"),
            );
            return Lowered::Poison;
        };
        if self.seen.insert(info.slot) {
            self.slots.push(info.slot);
        }
        if info.unit.dimension == Dimension::Bool {
            Lowered::Bool(BoolVal::Node(self.boolean(
                BoolNode::Slot(slot),
                false,
                span,
                Meta::None,
            )))
        } else {
            Lowered::Num {
                ty: NumTy::Dim(info.unit.dimension),
                val: NumVal::Slot(slot),
                unit: display_unit(info.unit),
            }
        }
    }

    fn needs_bool(&self, what: &str, operand: &Expr, ty: NumTy) -> Diagnostic {
        let text = self.text(operand.span);
        Diagnostic::error(
            Code::TypeMismatch,
            format!("{what}, found {}", ty.describe()),
        )
        .with_label(operand.span, format!("this is {}", ty.describe()))
        .with_help(format!("compare it with a threshold, e.g. `{text} > 0`"))
    }

    fn logic(&mut self, op: LogicOp, operands: &[Expr], span: Span) -> Lowered {
        let mut values = Vec::with_capacity(operands.len());
        let mut poisoned = false;
        for operand in operands {
            match self.lower(operand) {
                Lowered::Bool(val) => values.push(val),
                Lowered::Num { ty, .. } => {
                    let what = format!("`{}` needs true or false on both sides", op.keyword());
                    self.diags.push(self.needs_bool(&what, operand, ty));
                    poisoned = true;
                }
                Lowered::Poison => poisoned = true,
            }
        }
        if poisoned {
            return Lowered::Poison;
        }
        let (absorbing, identity) = match op {
            LogicOp::And => (Tri::False, Tri::True),
            LogicOp::Or => (Tri::True, Tri::False),
        };
        if values.contains(&BoolVal::Const(absorbing)) {
            return Lowered::Bool(BoolVal::Const(absorbing));
        }
        let mut nodes = Vec::with_capacity(values.len());
        for val in values {
            match val {
                BoolVal::Const(t) if t == identity => {}
                other => nodes.push(self.bool_node(other, span)),
            }
        }
        match nodes.as_slice() {
            [] => Lowered::Bool(BoolVal::Const(identity)),
            [only] => Lowered::Bool(BoolVal::Node(*only)),
            _ => {
                let fallible = nodes.iter().any(|&n| self.bool_is_fallible(n));
                let start = index(self.bool_args.len());
                let len = index(nodes.len());
                self.bool_args.extend(&nodes);
                let node = match op {
                    LogicOp::And => BoolNode::And { start, len },
                    LogicOp::Or => BoolNode::Or { start, len },
                };
                Lowered::Bool(BoolVal::Node(self.boolean(
                    node,
                    fallible,
                    span,
                    Meta::None,
                )))
            }
        }
    }

    fn compare(&mut self, op: CmpOp, lhs: &Expr, rhs: &Expr, span: Span) -> Lowered {
        let left = self.lower(lhs);
        let right = self.lower(rhs);
        match (left, right) {
            (Lowered::Poison, _) | (_, Lowered::Poison) => Lowered::Poison,
            (
                Lowered::Num {
                    ty: lt,
                    val: lv,
                    unit: lu,
                },
                Lowered::Num {
                    ty: rt,
                    val: rv,
                    unit: ru,
                },
            ) => {
                if types::unify(lt, rt).is_none() {
                    let help = unit_help(lhs, lt, lu, rhs, rt, ru).unwrap_or_else(|| {
                        format!("both sides of `{op}` must be the same kind of quantity")
                    });
                    self.diags.push(
                        mismatch(
                            format!("cannot compare {} with {}", lt.describe(), rt.describe()),
                            (lhs.span, lt.describe()),
                            (rhs.span, rt.describe()),
                        )
                        .with_help(help),
                    );
                    return Lowered::Poison;
                }
                self.numeric_compare(op, (lhs.span, lv, lu), (rhs.span, rv, ru), span)
            }
            (Lowered::Bool(a), Lowered::Bool(b)) => {
                if op.is_ordering() {
                    self.diags.push(
                        mismatch(
                            format!("booleans cannot be ordered with `{op}`"),
                            (lhs.span, "a boolean"),
                            (rhs.span, "a boolean"),
                        )
                        .with_help("use `==` or `!=` to compare booleans"),
                    );
                    return Lowered::Poison;
                }
                Lowered::Bool(self.bool_compare(op == CmpOp::Ne, a, b, span))
            }
            (Lowered::Bool(_), Lowered::Num { ty, .. }) => {
                self.diags.push(
                    mismatch(
                        format!("cannot compare a boolean with {}", ty.describe()),
                        (lhs.span, "a boolean"),
                        (rhs.span, ty.describe()),
                    )
                    .with_help("compare a boolean with `true` or `false`"),
                );
                Lowered::Poison
            }
            (Lowered::Num { ty, .. }, Lowered::Bool(_)) => {
                self.diags.push(
                    mismatch(
                        format!("cannot compare {} with a boolean", ty.describe()),
                        (lhs.span, ty.describe()),
                        (rhs.span, "a boolean"),
                    )
                    .with_help("compare a boolean with `true` or `false`"),
                );
                Lowered::Poison
            }
        }
    }

    fn numeric_compare(
        &mut self,
        op: CmpOp,
        (lspan, lv, lunit): (Span, NumVal, Unit),
        (rspan, rv, runit): (Span, NumVal, Unit),
        span: Span,
    ) -> Lowered {
        let (node, lhs, rhs) = match (lv, rv) {
            (NumVal::Const(a), NumVal::Const(b)) => {
                return Lowered::Bool(BoolVal::Const(Tri::from_bool(op.holds(a, b))));
            }
            (NumVal::Slot(s), NumVal::Const(k)) => (
                slot_const(op, s, k),
                SideValue::Slot(s),
                SideValue::Const(k),
            ),
            (NumVal::Const(k), NumVal::Slot(s)) => (
                slot_const(op.flip(), s, k),
                SideValue::Const(k),
                SideValue::Slot(s),
            ),
            _ => {
                let a = self.materialize(lv);
                let b = self.materialize(rv);
                let side = |v: NumVal, node: u32| match v {
                    NumVal::Const(k) => SideValue::Const(k),
                    NumVal::Slot(s) => SideValue::Slot(s),
                    NumVal::Node(_) => SideValue::Node(node),
                };
                (BoolNode::Cmp { op, a, b }, side(lv, a), side(rv, b))
            }
        };
        let fallible = match node {
            BoolNode::Cmp { a, b, .. } => self.num_is_fallible(a) || self.num_is_fallible(b),
            _ => false,
        };
        let meta = Meta::Cmp {
            op,
            lhs: Side {
                span: lspan,
                value: lhs,
                unit: lunit,
            },
            rhs: Side {
                span: rspan,
                value: rhs,
                unit: runit,
            },
        };
        Lowered::Bool(BoolVal::Node(self.boolean(node, fallible, span, meta)))
    }

    fn bool_compare(&mut self, ne: bool, a: BoolVal, b: BoolVal, span: Span) -> BoolVal {
        match (a, b) {
            (BoolVal::Const(x), BoolVal::Const(y)) => {
                BoolVal::Const(Tri::from_bool((x == y) != ne))
            }
            // `x == true` is `x`, `x == false` is `not x` (also under Kleene logic).
            (BoolVal::Const(c), BoolVal::Node(n)) | (BoolVal::Node(n), BoolVal::Const(c)) => {
                if (c == Tri::True) != ne {
                    BoolVal::Node(n)
                } else {
                    self.not(BoolVal::Node(n), span)
                }
            }
            (BoolVal::Node(x), BoolVal::Node(y)) => {
                let fallible = self.bool_is_fallible(x) || self.bool_is_fallible(y);
                BoolVal::Node(self.boolean(
                    BoolNode::BoolCmp { ne, a: x, b: y },
                    fallible,
                    span,
                    Meta::None,
                ))
            }
        }
    }

    fn arith(&mut self, first: &Expr, rest: &[(ArithOp, Expr)]) -> Lowered {
        let errors_before = self.diags.len();
        let first_lowered = self.lower(first);
        let operands: Vec<(ArithOp, &Expr, Lowered)> =
            rest.iter().map(|(op, e)| (*op, e, self.lower(e))).collect();

        // Types, left to right.
        let is_constant = |l: Lowered| {
            matches!(
                l,
                Lowered::Num {
                    val: NumVal::Const(_),
                    ..
                }
            )
        };
        let mut ty = self.arith_operand(first, first_lowered);
        let mut so_far = first.span;
        let mut so_far_constant = is_constant(first_lowered);
        for &(op, e, lowered) in &operands {
            let right = self.arith_operand(e, lowered);
            let right_constant = is_constant(lowered);
            ty = match (ty, right) {
                (Some((a, a_unit)), Some((b, b_unit))) => {
                    let result = match op {
                        ArithOp::Add | ArithOp::Sub => types::unify(a, b),
                        ArithOp::Mul => types::multiply(a, b, so_far_constant, right_constant),
                        ArithOp::Div => types::divide(a, b, right_constant),
                    };
                    match result {
                        Some(t) => Some((t, t.dimension().default_unit())),
                        None => {
                            self.diags.push(self.arith_mismatch(
                                op,
                                (so_far, a, a_unit),
                                (e, b, b_unit),
                                first,
                            ));
                            None
                        }
                    }
                }
                _ => None,
            };
            so_far = first.span.join(e.span);
            so_far_constant &= right_constant;
        }
        let (Some((ty, unit)), true) = (ty, self.diags.len() == errors_before) else {
            return Lowered::Poison;
        };
        let value = |l: Lowered| match l {
            Lowered::Num { val, .. } => Some(val),
            _ => None,
        };
        let Some(mut acc) = value(first_lowered) else {
            return Lowered::Poison;
        };

        // Fold the constant prefix.
        let mut i = 0;
        while let Some(&(op, e, lowered)) = operands.get(i) {
            let (NumVal::Const(a), Some(NumVal::Const(b))) = (acc, value(lowered)) else {
                break;
            };
            let span = first.span.join(e.span);
            if op == ArithOp::Div && b == 0.0 {
                self.diags.push(self.division_by_zero(span, e.span));
                return Lowered::Poison;
            }
            let r = op.apply(a, b);
            if !r.is_finite() {
                self.diags.push(
                    Diagnostic::error(
                        Code::NonFinite,
                        format!("the result of `{}` is not a finite number", self.text(span)),
                    )
                    .with_label(span, "too large"),
                );
                return Lowered::Poison;
            }
            acc = NumVal::Const(r);
            i += 1;
        }
        if i == operands.len() {
            return Lowered::Num { ty, val: acc, unit };
        }

        // `k% * x` or `x * k%` with a whole `k`: `(k * x) / 100`. When `k * x` is exact (a
        // whole `k` times a value of up to about 45 significant bits), the result is the double
        // nearest the true product (`110% * 420` is `462`, not `462.00000000000006`), so a value
        // at a relative threshold is judged as written.
        let mut scaled = None;
        if let ([(ArithOp::Mul, e, lowered)], 0) = (operands.as_slice(), i) {
            if let Some(k) = whole_percent(first) {
                acc = NumVal::Const(k);
                scaled = value(*lowered).map(|v| (v, e.span));
            } else if let (Some(k), Some(_)) = (whole_percent(e), value(*lowered)) {
                scaled = Some((NumVal::Const(k), e.span));
            }
        }
        // The rest is evaluated at run time.
        let first_node = self.materialize(acc);
        let mut steps = Vec::with_capacity(operands.len() - i + 1);
        if let Some((val, span)) = scaled {
            let step_span = first.span.join(span);
            let operand = self.materialize(val);
            let at = self.fault(step_span);
            steps.push(Step {
                op: ArithOp::Mul,
                operand,
                at,
            });
            let hundred = self.materialize(NumVal::Const(100.0));
            steps.push(Step {
                op: ArithOp::Div,
                operand: hundred,
                at,
            });
        }
        for &(op, e, lowered) in operands.get(i..).unwrap_or_default() {
            if scaled.is_some() {
                break;
            }
            let Some(val) = value(lowered) else {
                return Lowered::Poison;
            };
            let step_span = first.span.join(e.span);
            if op == ArithOp::Div && val == NumVal::Const(0.0) {
                self.diags.push(self.division_by_zero(step_span, e.span));
                return Lowered::Poison;
            }
            let operand = self.materialize(val);
            let at = self.fault(step_span);
            steps.push(Step { op, operand, at });
        }
        let node = match steps.as_slice() {
            [step] => NumNode::Bin {
                op: step.op,
                a: first_node,
                b: step.operand,
                at: step.at,
            },
            _ => {
                let start = index(self.steps.len());
                let len = index(steps.len());
                self.steps.extend(steps);
                NumNode::Chain {
                    first: first_node,
                    start,
                    len,
                }
            }
        };
        Lowered::Num {
            ty,
            val: NumVal::Node(self.num(node, true)),
            unit,
        }
    }

    /// The type of an arithmetic operand, reporting a boolean one.
    fn arith_operand(&mut self, e: &Expr, lowered: Lowered) -> Option<(NumTy, Unit)> {
        match lowered {
            Lowered::Num { ty, unit, .. } => Some((ty, unit)),
            Lowered::Bool(_) => {
                self.diags.push(
                    Diagnostic::error(Code::TypeMismatch, "cannot use a boolean in arithmetic")
                        .with_label(e.span, "this is a boolean")
                        .with_help("arithmetic works on numbers, percentages, durations and sizes"),
                );
                None
            }
            Lowered::Poison => None,
        }
    }

    fn arith_mismatch(
        &self,
        op: ArithOp,
        (left_span, a, a_unit): (Span, NumTy, Unit),
        (right, b, b_unit): (&Expr, NumTy, Unit),
        first: &Expr,
    ) -> Diagnostic {
        let (x, y) = (a.describe(), b.describe());
        let message = match op {
            ArithOp::Add => format!("cannot add {x} and {y}"),
            ArithOp::Sub => format!("cannot subtract {y} from {x}"),
            ArithOp::Mul => format!("cannot multiply {x} by {y}"),
            ArithOp::Div => format!("cannot divide {x} by {y}"),
        };
        // Unit help only makes sense when the left side is a single operand.
        let left_expr = (left_span == first.span).then_some(first);
        let help = match op {
            ArithOp::Add | ArithOp::Sub => left_expr
                .and_then(|l| unit_help(l, a, a_unit, right, b, b_unit))
                .unwrap_or_else(|| {
                    format!(
                        "both sides of `{}` must be the same kind of quantity",
                        op.symbol()
                    )
                }),
            ArithOp::Mul => "only a plain number or a percentage can scale a quantity".to_owned(),
            ArithOp::Div if a.dimension() == Dimension::Number => {
                "divide by a plain number or a percentage".to_owned()
            }
            ArithOp::Div => format!("divide by {x}, a plain number or a percentage"),
        };
        mismatch(message, (left_span, x), (right.span, y)).with_help(help)
    }

    fn division_by_zero(&self, span: Span, divisor: Span) -> Diagnostic {
        Diagnostic::error(
            Code::DivisionByZero,
            format!("division by zero in `{}`", self.text(span)),
        )
        .with_label(divisor, "this is zero")
    }

    fn call(&mut self, func: Func, args: &[Expr], span: Span) -> Lowered {
        match func {
            Func::Abs => {
                let Some(arg) = args.first() else {
                    return Lowered::Poison;
                };
                match self.lower(arg) {
                    Lowered::Num {
                        ty,
                        val: NumVal::Const(k),
                        unit,
                    } => Lowered::Num {
                        ty,
                        val: NumVal::Const(k.abs()),
                        unit,
                    },
                    Lowered::Num { ty, val, .. } => {
                        let a = self.materialize(val);
                        let fallible = self.num_is_fallible(a);
                        let node = self.num(NumNode::Abs(a), fallible);
                        Lowered::Num {
                            ty,
                            val: NumVal::Node(node),
                            unit: ty.dimension().default_unit(),
                        }
                    }
                    Lowered::Bool(_) => {
                        self.diags.push(self.function_needs_number(func, arg));
                        Lowered::Poison
                    }
                    Lowered::Poison => Lowered::Poison,
                }
            }
            Func::Min | Func::Max => self.min_max(func, args),
            Func::Present | Func::Missing => {
                let Some(arg) = args.first() else {
                    return Lowered::Poison;
                };
                let meta = Meta::Present { arg: arg.span };
                let present = match self.lower(arg) {
                    Lowered::Num {
                        val: NumVal::Const(_),
                        ..
                    }
                    | Lowered::Bool(BoolVal::Const(_)) => {
                        // Always true (or, for `missing`, always false): a criterion written
                        // this way would be decided by its text, never by data.
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                format!("`{}` needs a metric, found a constant", func.name()),
                            )
                            .with_label(arg.span, "no metric here")
                            .with_help("give it a metric, e.g. `present(coverage)`"),
                        );
                        return Lowered::Poison;
                    }
                    Lowered::Num { val, .. } => {
                        let a = self.materialize(val);
                        let fallible = self.num_is_fallible(a);
                        BoolVal::Node(self.boolean(BoolNode::Present(a), fallible, span, meta))
                    }
                    Lowered::Bool(BoolVal::Node(a)) => {
                        let fallible = self.bool_is_fallible(a);
                        BoolVal::Node(self.boolean(BoolNode::PresentBool(a), fallible, span, meta))
                    }
                    Lowered::Poison => return Lowered::Poison,
                };
                if func == Func::Missing {
                    Lowered::Bool(self.not(present, span))
                } else {
                    Lowered::Bool(present)
                }
            }
        }
    }

    fn function_needs_number(&self, func: Func, arg: &Expr) -> Diagnostic {
        Diagnostic::error(
            Code::TypeMismatch,
            format!("`{}` needs a number, found a boolean", func.name()),
        )
        .with_label(arg.span, "this is a boolean")
    }

    fn min_max(&mut self, func: Func, args: &[Expr]) -> Lowered {
        let errors_before = self.diags.len();
        let mut typed: Option<(NumTy, &Expr)> = None;
        let mut values = Vec::with_capacity(args.len());
        let mut ok = true;
        for arg in args {
            match self.lower(arg) {
                Lowered::Num { ty, val, .. } => {
                    values.push(val);
                    match typed {
                        None => typed = Some((ty, arg)),
                        Some((t, first)) => match types::unify(t, ty) {
                            Some(u) => typed = Some((u, first)),
                            None => {
                                self.diags.push(
                                    mismatch(
                                        format!(
                                            "`{}` needs arguments of one kind, found {} and {}",
                                            func.name(),
                                            t.describe(),
                                            ty.describe()
                                        ),
                                        (first.span, t.describe()),
                                        (arg.span, ty.describe()),
                                    )
                                    .with_help("give every argument the same unit kind"),
                                );
                                ok = false;
                            }
                        },
                    }
                }
                Lowered::Bool(_) => {
                    self.diags.push(self.function_needs_number(func, arg));
                    ok = false;
                }
                Lowered::Poison => ok = false,
            }
        }
        let Some((ty, _)) = typed.filter(|_| ok && self.diags.len() == errors_before) else {
            return Lowered::Poison;
        };
        let unit = ty.dimension().default_unit();
        let constants: Option<Vec<f64>> = values
            .iter()
            .map(|v| match v {
                NumVal::Const(k) => Some(*k),
                _ => None,
            })
            .collect();
        if let Some(constants) = constants {
            let folded = constants.into_iter().reduce(|a, b| {
                if func == Func::Min {
                    a.min(b)
                } else {
                    a.max(b)
                }
            });
            if let Some(k) = folded {
                return Lowered::Num {
                    ty,
                    val: NumVal::Const(k),
                    unit,
                };
            }
        }
        let nodes: Vec<u32> = values.into_iter().map(|v| self.materialize(v)).collect();
        let fallible = nodes.iter().any(|&n| self.num_is_fallible(n));
        let start = index(self.num_args.len());
        let len = index(nodes.len());
        self.num_args.extend(nodes);
        let node = if func == Func::Min {
            NumNode::Min { start, len }
        } else {
            NumNode::Max { start, len }
        };
        Lowered::Num {
            ty,
            val: NumVal::Node(self.num(node, fallible)),
            unit,
        }
    }
}

/// A type mismatch with a label on each operand.
fn mismatch(message: String, (a, a_what): (Span, &str), (b, b_what): (Span, &str)) -> Diagnostic {
    Diagnostic::error(Code::TypeMismatch, message)
        .with_label(a, format!("this is {a_what}"))
        .with_label(b, format!("this is {b_what}"))
}

/// Help for a literal written without the unit its other side needs (`coverage >= 90` →
/// "write `90%`"), or with a unit of the wrong kind.
fn unit_help(
    a: &Expr,
    a_ty: NumTy,
    a_unit: Unit,
    b: &Expr,
    b_ty: NumTy,
    b_unit: Unit,
) -> Option<String> {
    let needs_unit =
        |d: Dimension| matches!(d, Dimension::Ratio | Dimension::Duration | Dimension::Size);
    for (literal, quantity_ty, quantity_unit) in [(a, b_ty, b_unit), (b, a_ty, a_unit)] {
        let quantity = if std::ptr::eq(literal, a) { b } else { a };
        let dim = quantity_ty.dimension();
        if let Some(value) = bare_literal(literal).filter(|_| needs_unit(dim)) {
            let text = literal.to_string();
            let symbol = quantity_unit.symbol;
            let percent = units::format_number(Unit::PERCENT.from_base(value), 0);
            if dim == Dimension::Ratio && !matches!(quantity.kind, ExprKind::Metric(_)) {
                return Some(format!("write `{percent}%` for a ratio of {text}"));
            }
            if dim == Dimension::Ratio && value.abs() <= 1.0 {
                return Some(format!(
                    "write `{text}{symbol}`, or `{percent}%` if `{text}` is a fraction"
                ));
            }
            return Some(format!("write `{text}{symbol}`"));
        }
        if unit_literal(literal).is_some() {
            if dim == Dimension::Number {
                return Some(format!("write `{}` without a unit", strip_unit(literal)));
            }
            let symbols: Vec<String> = units::SUFFIX_UNITS
                .iter()
                .filter(|u| u.dimension == dim)
                .map(|u| format!("`{}`", u.symbol))
                .collect();
            return Some(format!(
                "use a unit of {}: {}",
                dim.describe(),
                symbols.join(", ")
            ));
        }
    }
    None
}

/// A literal printed without its unit.
fn strip_unit(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => {
            let mut plain = *n;
            plain.unit = None;
            plain.to_string()
        }
        ExprKind::Neg(inner) => format!("-{}", strip_unit(inner)),
        _ => e.to_string(),
    }
}

/// The tests of a root that is an `and` of metric-versus-constant tests only, by comparison.
fn conjunction(bools: &[BoolNode], args: &[u32], root: u32) -> Option<Box<Conjunction>> {
    let Some(&BoolNode::And { start, len }) = bools.get(root as usize) else {
        return None;
    };
    let mut conjunction = Conjunction::default();
    for &child in Program::args(args, start, len) {
        let Some(&BoolNode::Test { slot, mask, k }) = bools.get(child as usize) else {
            return None;
        };
        let op = match mask {
            LESS => 0,
            m if m == LESS | EQUAL => 1,
            GREATER => 2,
            m if m == GREATER | EQUAL => 3,
            EQUAL => 4,
            m if m == LESS | GREATER => 5,
            _ => return None,
        };
        conjunction.by_op.get_mut(op)?.push((slot, k));
    }
    Some(Box::new(conjunction))
}

/// `items` without spare capacity.
fn tight<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

/// The whole number `k` of a literal `k%` (`110%` is 110), when it is one below 2^53.
fn whole_percent(e: &Expr) -> Option<f64> {
    let ExprKind::Number(lit) = &e.kind else {
        return None;
    };
    (lit.unit.is_some_and(|u| u.symbol == "%")
        && lit.value.fract() == 0.0
        && lit.value.abs() < 9_007_199_254_740_992.0)
        .then_some(lit.value)
}
