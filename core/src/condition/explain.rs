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
use crate::units::{format_delta, format_in};

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
        let value = self.eval(slots)?;
        let mut explainer = Explainer {
            program: self,
            slots,
            names,
            parts: Vec::new(),
        };
        explainer.node(self.root, true, value);
        Ok((value, explainer.parts.join("; ")))
    }
}

struct Explainer<'a> {
    program: &'a Program,
    slots: &'a [f64],
    names: &'a dyn Fn(usize) -> String,
    parts: Vec<String>,
}

impl Explainer<'_> {
    fn slot_value(&self, slot: u32) -> f64 {
        self.slots.get(slot as usize).copied().unwrap_or(f64::NAN)
    }

    fn name(&self, slot: u32) -> String {
        (self.names)(slot as usize)
    }

    /// Explains boolean node `node`, whose value is `value`; `polarity` is whether the
    /// condition wants it true.
    fn node(&mut self, node: u32, polarity: bool, value: Tri) {
        let p = self.program;
        let Some(&n) = p.bools.get(node as usize) else {
            return;
        };
        let text = match n {
            BoolNode::Not(child) => return self.node(child, !polarity, !value),
            BoolNode::And { start, len } | BoolNode::Or { start, len } => {
                for &child in Program::args(&p.bool_args, start, len) {
                    if p.eval_bool(child, self.slots) == Ok(value) {
                        self.node(child, polarity, value);
                    }
                }
                return;
            }
            BoolNode::Const(t) => {
                let text = p.text(p.bool_spans.get(node as usize).copied().unwrap_or_default());
                if text == "true" || text == "false" {
                    text
                } else {
                    format!(
                        "{text} is {}",
                        if t == Tri::True { "true" } else { "false" }
                    )
                }
            }
            BoolNode::Slot(slot) => match value {
                Tri::Unknown => format!("no data for {}", self.name(slot)),
                _ => {
                    let is = value == Tri::True;
                    let mut text = format!("{} is {is}", self.name(slot));
                    if is != polarity {
                        text.push_str(&format!(" (needs {polarity})"));
                    }
                    text
                }
            },
            BoolNode::Test { .. } | BoolNode::Cmp { .. } => self.comparison(node, polarity, value),
            BoolNode::BoolCmp { ne, a, b } => {
                if value == Tri::Unknown {
                    self.no_data(node)
                } else {
                    let (x, y) = (self.bool_value(a), self.bool_value(b));
                    let op = if (x == y) != ne {
                        if ne { "!=" } else { "==" }
                    } else if ne {
                        "=="
                    } else {
                        "!="
                    };
                    format!("{} {x} {op} {} {y}", self.bool_label(a), self.bool_label(b))
                }
            }
            BoolNode::Present(arg) => {
                if value == Tri::True {
                    let label = match p.nums.get(arg as usize) {
                        Some(NumNode::Slot(slot)) => self.name(*slot),
                        _ => self.present_text(node),
                    };
                    format!("{label} present")
                } else {
                    self.no_data(node)
                }
            }
            BoolNode::PresentBool(arg) => {
                if value == Tri::True {
                    let label = match p.bools.get(arg as usize) {
                        Some(BoolNode::Slot(slot)) => self.name(*slot),
                        _ => self.present_text(node),
                    };
                    format!("{label} present")
                } else {
                    self.no_data(node)
                }
            }
        };
        self.parts.push(text);
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

    fn bool_label(&self, node: u32) -> String {
        let p = self.program;
        match p.bools.get(node as usize) {
            Some(BoolNode::Slot(slot)) => self.name(*slot),
            _ => p.text(p.bool_spans.get(node as usize).copied().unwrap_or_default()),
        }
    }

    /// `no data for a, b` naming the metrics without data under boolean node `node`.
    fn no_data(&self, node: u32) -> String {
        let mut missing = Vec::new();
        self.missing_in_bool(node, &mut missing);
        if missing.is_empty() {
            let p = self.program;
            return format!(
                "no data for {}",
                p.text(p.bool_spans.get(node as usize).copied().unwrap_or_default())
            );
        }
        let names: Vec<String> = missing.iter().map(|&s| self.name(s)).collect();
        format!("no data for {}", names.join(", "))
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

    fn side_label(&self, side: &Side) -> String {
        match side.value {
            SideValue::Slot(slot) => self.name(slot),
            _ => self.program.text(side.span),
        }
    }

    fn comparison(&self, node: u32, polarity: bool, value: Tri) -> String {
        if value == Tri::Unknown {
            return self.no_data(node);
        }
        let Some(&Meta::Cmp { op, lhs, rhs }) = self.program.bool_meta.get(node as usize) else {
            return String::new();
        };
        let lhs_const = matches!(lhs.value, SideValue::Const(_));
        let rhs_const = matches!(rhs.value, SideValue::Const(_));
        // The measured side first.
        let (measured, threshold, op) = if lhs_const && !rhs_const {
            (rhs, lhs, op.flip())
        } else {
            (lhs, rhs, op)
        };
        let threshold_const = matches!(threshold.value, SideValue::Const(_));
        let m = self.side_value(&measured);
        let t = self.side_value(&threshold);
        let threshold_text = if threshold_const {
            self.program.text(threshold.span)
        } else {
            format!(
                "{} {}",
                self.side_label(&threshold),
                format_in(t, threshold.unit)
            )
        };
        let holds = value == Tri::True;
        let shown = if holds { op } else { op.negate() };
        let mut text = format!(
            "{} {} {shown} {threshold_text}",
            self.side_label(&measured),
            format_in(m, measured.unit)
        );
        if holds != polarity {
            let wanted = if polarity { op } else { op.negate() };
            let needs = match wanted {
                CmpOp::Eq if threshold_const => threshold_text,
                CmpOp::Ne if threshold_const => format!("a value other than {threshold_text}"),
                CmpOp::Eq | CmpOp::Ne => format!("{wanted} {}", self.side_label(&threshold)),
                _ => {
                    let delta = t - m;
                    if delta == 0.0 {
                        format!("{wanted} {threshold_text}")
                    } else {
                        format_delta(delta, measured.unit)
                    }
                }
            };
            text.push_str(&format!(" (needs {needs})"));
        }
        text
    }
}
