//! Explanations: which comparisons decided a result, in words.
//!
//! The explanation lists the leaves that decided the result, in source order, joined with
//! `"; "`. Through `and` / `or` only the operands whose value equals the result are followed
//! (for a false `and`, its false operands; for a true one, all of them); through `not` the
//! wanted polarity flips. A leaf reads `metric VALUE OP THRESHOLD` with the operator that
//! actually holds, plus `(needs …)` when the leaf is the opposite of what the condition
//! wanted; an unknown leaf reads `no data for METRIC`.

use super::ast::CmpOp;
use super::eval::EvalError;
use super::program::{BoolNode, Meta, NumNode, Program, Side, SideValue};
use crate::tri::Tri;
use crate::units::{same_when_shown, write_delta, write_in, write_in_full};
use std::borrow::Cow;

impl Program {
    /// Evaluates the condition like [`Program::eval`] and explains the result, e.g.
    /// `coverage 87.0% < 90% (needs +3.0 points); critical_vulns 0 == 0`. `names` maps a slot
    /// to its metric name. The text is deterministic.
    ///
    /// # Errors
    /// As [`Program::eval`].
    pub fn explain(
        &self,
        slots: &[f64],
        names: &dyn Fn(usize) -> String,
    ) -> Result<(Tri, String), EvalError> {
        let mut out = String::new();
        let value = self.explain_into(slots, &|slot| Cow::Owned(names(slot)), &mut out)?;
        Ok((value, out))
    }

    /// [`Program::explain`] appending the text to `out` (the single check writes each
    /// criterion's explanation into one buffer); `names` may borrow the metric names.
    pub(crate) fn explain_into<'n>(
        &self,
        slots: &[f64],
        names: &dyn Fn(usize) -> Cow<'n, str>,
        out: &mut String,
    ) -> Result<Tri, EvalError> {
        let value = self.eval(slots)?;
        let mut explainer = Explainer {
            program: self,
            slots,
            names,
            out,
            parts: 0,
        };
        explainer.node(self.root, true, value);
        Ok(value)
    }
}

/// Writes the leaves that decided a result to `out`, `"; "` between them.
struct Explainer<'a, 'n> {
    program: &'a Program,
    slots: &'a [f64],
    names: &'a dyn Fn(usize) -> Cow<'n, str>,
    out: &'a mut String,
    /// How many leaves have been written.
    parts: usize,
}

impl<'n> Explainer<'_, 'n> {
    fn slot_value(&self, slot: u32) -> f64 {
        self.slots.get(slot as usize).copied().unwrap_or(f64::NAN)
    }

    fn name(&self, slot: u32) -> Cow<'n, str> {
        (self.names)(slot as usize)
    }

    /// Starts the text of the next leaf.
    fn part(&mut self) -> &mut String {
        if self.parts > 0 {
            self.out.push_str("; ");
        }
        self.parts += 1;
        self.out
    }

    /// Explains boolean node `node`, whose value is `value`; `polarity` is whether the
    /// condition wants it true.
    fn node(&mut self, node: u32, polarity: bool, value: Tri) {
        let p = self.program;
        let Some(&n) = p.bools.get(node as usize) else {
            return;
        };
        match n {
            BoolNode::Not(child) => self.node(child, !polarity, !value),
            BoolNode::And { start, len } | BoolNode::Or { start, len } => {
                for &child in Program::args(&p.bool_args, start, len) {
                    if p.eval_bool(child, self.slots) == Ok(value) {
                        self.node(child, polarity, value);
                    }
                }
            }
            BoolNode::Const(t) => {
                let text = p.text(p.bool_spans.get(node as usize).copied().unwrap_or_default());
                let out = self.part();
                out.push_str(&text);
                if text != "true" && text != "false" {
                    out.push_str(if t == Tri::True {
                        " is true"
                    } else {
                        " is false"
                    });
                }
            }
            BoolNode::Slot(slot) => {
                let name = self.name(slot);
                let out = self.part();
                match value {
                    Tri::Unknown => {
                        out.push_str("no data for ");
                        out.push_str(&name);
                    }
                    _ => {
                        let is = value == Tri::True;
                        out.push_str(&name);
                        out.push_str(if is { " is true" } else { " is false" });
                        if is != polarity {
                            out.push_str(if polarity {
                                " (needs true)"
                            } else {
                                " (needs false)"
                            });
                        }
                    }
                }
            }
            BoolNode::Test { .. } | BoolNode::Cmp { .. } => self.comparison(node, polarity, value),
            BoolNode::BoolCmp { ne, a, b } => {
                if value == Tri::Unknown {
                    self.no_data(node);
                } else {
                    let (x, y) = (self.bool_value(a), self.bool_value(b));
                    let op = if (x == y) != ne {
                        if ne { "!=" } else { "==" }
                    } else if ne {
                        "=="
                    } else {
                        "!="
                    };
                    let (a, b) = (self.bool_label(a), self.bool_label(b));
                    let out = self.part();
                    for piece in [&*a, " ", bool_text(x), " ", op, " ", &*b, " ", bool_text(y)] {
                        out.push_str(piece);
                    }
                }
            }
            BoolNode::Present(arg) => {
                if value == Tri::True {
                    let label = match p.nums.get(arg as usize) {
                        Some(NumNode::Slot(slot)) => self.name(*slot),
                        _ => Cow::Owned(self.present_text(node)),
                    };
                    self.present(&label);
                } else {
                    self.no_data(node);
                }
            }
            BoolNode::PresentBool(arg) => {
                if value == Tri::True {
                    let label = match p.bools.get(arg as usize) {
                        Some(BoolNode::Slot(slot)) => self.name(*slot),
                        _ => Cow::Owned(self.present_text(node)),
                    };
                    self.present(&label);
                } else {
                    self.no_data(node);
                }
            }
        }
    }

    fn present(&mut self, label: &str) {
        let out = self.part();
        out.push_str(label);
        out.push_str(" present");
    }

    fn present_text(&self, node: u32) -> String {
        match self.program.bool_meta.get(node as usize) {
            Some(Meta::Present { arg }) => self.program.text(*arg),
            _ => String::new(),
        }
    }

    fn bool_value(&self, node: u32) -> bool {
        self.program.eval_bool(node, self.slots) == Ok(Tri::True)
    }

    fn bool_label(&self, node: u32) -> Cow<'n, str> {
        let p = self.program;
        match p.bools.get(node as usize) {
            Some(BoolNode::Slot(slot)) => self.name(*slot),
            _ => Cow::Owned(p.text(p.bool_spans.get(node as usize).copied().unwrap_or_default())),
        }
    }

    /// Writes `no data for a, b` naming the metrics without data under boolean node `node`.
    fn no_data(&mut self, node: u32) {
        let mut missing = Vec::new();
        self.missing_in_bool(node, &mut missing);
        let p = self.program;
        let names: Vec<Cow<'n, str>> = if missing.is_empty() {
            vec![Cow::Owned(p.text(
                p.bool_spans.get(node as usize).copied().unwrap_or_default(),
            ))]
        } else {
            missing.iter().map(|&s| self.name(s)).collect()
        };
        let out = self.part();
        out.push_str("no data for ");
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
        }
    }

    fn note_missing(&self, slot: u32, missing: &mut Vec<u32>) {
        if self.slot_value(slot).is_nan() && !missing.contains(&slot) {
            missing.push(slot);
        }
    }

    fn missing_in_bool(&self, node: u32, missing: &mut Vec<u32>) {
        let p = self.program;
        let Some(&n) = p.bools.get(node as usize) else {
            return;
        };
        match n {
            BoolNode::Const(_) => {}
            BoolNode::Slot(slot) | BoolNode::Test { slot, .. } => self.note_missing(slot, missing),
            BoolNode::Not(child) | BoolNode::PresentBool(child) => {
                self.missing_in_bool(child, missing)
            }
            BoolNode::And { start, len } | BoolNode::Or { start, len } => {
                for &child in Program::args(&p.bool_args, start, len) {
                    self.missing_in_bool(child, missing);
                }
            }
            BoolNode::Cmp { a, b, .. } => {
                self.missing_in_num(a, missing);
                self.missing_in_num(b, missing);
            }
            BoolNode::BoolCmp { a, b, .. } => {
                self.missing_in_bool(a, missing);
                self.missing_in_bool(b, missing);
            }
            BoolNode::Present(a) => self.missing_in_num(a, missing),
        }
    }

    fn missing_in_num(&self, node: u32, missing: &mut Vec<u32>) {
        let p = self.program;
        let Some(&n) = p.nums.get(node as usize) else {
            return;
        };
        match n {
            NumNode::Const(_) => {}
            NumNode::Slot(slot) => self.note_missing(slot, missing),
            NumNode::Neg(a) | NumNode::Abs(a) => self.missing_in_num(a, missing),
            NumNode::Bin { a, b, .. } => {
                self.missing_in_num(a, missing);
                self.missing_in_num(b, missing);
            }
            NumNode::Chain { first, start, len } => {
                self.missing_in_num(first, missing);
                for step in p.chain_steps(start, len) {
                    self.missing_in_num(step.operand, missing);
                }
            }
            NumNode::Min { start, len } | NumNode::Max { start, len } => {
                for &child in Program::args(&p.num_args, start, len) {
                    self.missing_in_num(child, missing);
                }
            }
        }
    }

    fn side_value(&self, side: &Side) -> f64 {
        match side.value {
            SideValue::Const(k) => k,
            SideValue::Slot(slot) => self.slot_value(slot),
            SideValue::Node(n) => self.program.eval_num(n, self.slots).unwrap_or(f64::NAN),
        }
    }

    fn side_label(&self, side: &Side) -> Cow<'n, str> {
        match side.value {
            SideValue::Slot(slot) => self.name(slot),
            _ => Cow::Owned(self.program.text(side.span)),
        }
    }

    fn comparison(&mut self, node: u32, polarity: bool, value: Tri) {
        if value == Tri::Unknown {
            return self.no_data(node);
        }
        let p = self.program;
        let Some(&Meta::Cmp { op, lhs, rhs }) = p.bool_meta.get(node as usize) else {
            self.part();
            return;
        };
        let lhs_const = matches!(lhs.value, SideValue::Const(_));
        let rhs_const = matches!(rhs.value, SideValue::Const(_));
        // The measured side first.
        let (measured, threshold, op) = if lhs_const && !rhs_const {
            (rhs, lhs, op.flip())
        } else {
            (lhs, rhs, op)
        };
        let m = self.side_value(&measured);
        let t = self.side_value(&threshold);
        let measured_label = self.side_label(&measured);
        // A constant threshold reads as written (`90%`), another side as `name value`.
        let threshold_label = match threshold.value {
            SideValue::Const(_) => None,
            _ => Some(self.side_label(&threshold)),
        };
        // Values too close for six decimals to tell apart are shown with every digit, so the
        // text never reads `70.0% < 70%` without showing the difference.
        let close = m != t && same_when_shown(m, t, measured.unit);
        let write_value = |out: &mut String, value: f64, unit| {
            if close {
                write_in_full(out, value, unit);
            } else {
                write_in(out, value, unit);
            }
        };
        let write_threshold = |out: &mut String| match &threshold_label {
            None => p.write_text(out, threshold.span),
            Some(label) => {
                out.push_str(label);
                out.push(' ');
                write_value(out, t, threshold.unit);
            }
        };
        let holds = value == Tri::True;
        let shown = if holds { op } else { op.negate() };
        let out = self.part();
        out.push_str(&measured_label);
        out.push(' ');
        write_value(out, m, measured.unit);
        out.push(' ');
        out.push_str(shown.symbol());
        out.push(' ');
        write_threshold(out);
        if holds == polarity {
            return;
        }
        let wanted = if polarity { op } else { op.negate() };
        out.push_str(" (needs ");
        match (wanted, &threshold_label) {
            (CmpOp::Eq, None) => write_threshold(out),
            (CmpOp::Ne, None) => {
                out.push_str("a value other than ");
                write_threshold(out);
            }
            (CmpOp::Eq | CmpOp::Ne, Some(label)) => {
                out.push_str(wanted.symbol());
                out.push(' ');
                out.push_str(label);
            }
            _ => {
                let delta = t - m;
                if delta == 0.0 {
                    out.push_str(wanted.symbol());
                    out.push(' ');
                    write_threshold(out);
                } else {
                    write_delta(out, delta, measured.unit);
                }
            }
        }
        out.push(')');
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}
