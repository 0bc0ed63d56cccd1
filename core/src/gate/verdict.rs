//! The verdict path: one record in, the verdict and each criterion's outcome out, with no
//! explanation, value map or sign-off text built.
//!
//! It runs the same compiled conditions ([`Program::eval`](crate::condition::Program::eval),
//! which the full check's explanations start from too) through the same rules as the full
//! check: the missing-data rule ([`criterion_outcome`]), strict and scored gates
//! ([`score_gate`]) and the required personas' sign-off ([`signoff`]). Every selected
//! criterion is evaluated, in policy order, so a condition that cannot be computed is the same
//! error as in the full check. A property test and every check case of the conformance corpus
//! hold the two to the same verdict.

use crate::criteria::outcome::criterion_outcome;
use crate::criteria::scoring::score_gate;
use crate::criteria::signoff::signoff;
use crate::criteria::{GateSet, eval_failure, evaluate};
use crate::decision::{Decision, Outcome, Signoff, Verdict};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::error::CheckError;
use crate::metrics::RawValue;
use crate::metrics::bind::metric_value;
use crate::policy::CompiledPolicy;
use crate::tri::Tri;
use serde::Serialize;

/// The verdict of one record, without explanations: what
/// [`CompiledPolicy::verdict_value`] gives, and what a caller that loops over records reuses
/// (the `_into` forms clear and refill it, and keep its buffers).
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct RecordVerdict {
    /// The decision's verdict: the worst gate verdict, or fail when a required persona
    /// rejects. Always equal to [`Decision::verdict`] of the full check.
    pub verdict: Verdict,
    /// Each criterion's outcome after its missing-data rule, gate by selected gate in policy
    /// order, criteria in policy order: the decision's `gates[*].criteria[*].outcome`,
    /// flattened.
    pub criteria: Vec<Outcome>,
    /// The record in base units, by metric slot (reused from call to call).
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) slots: Vec<f64>,
    /// The selected gates (reused from call to call).
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) selected: Vec<usize>,
}

impl PartialEq for RecordVerdict {
    /// Equal verdicts and outcomes; the buffers kept for reuse do not count.
    fn eq(&self, other: &Self) -> bool {
        self.verdict == other.verdict && self.criteria == other.criteria
    }
}

impl RecordVerdict {
    /// An empty verdict (pass, no criteria) to fill with the `_into` forms.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

/// Judges `out.slots` (base units, NaN = no data) over gates `out.selected` of `set`, filling
/// `out.verdict` and `out.criteria`.
///
/// # Errors
/// [`CheckError::Evaluation`] for the first condition, in policy order, that cannot be computed
/// on these values: the full check's error.
pub(crate) fn judge(set: &GateSet, out: &mut RecordVerdict) -> Result<(), CheckError> {
    let RecordVerdict {
        verdict,
        criteria,
        slots,
        selected,
    } = out;
    criteria.clear();
    let mut worst = Verdict::Pass;
    for &g in selected.iter() {
        let Some(rule) = set.gates.get(g) else {
            continue;
        };
        let start = criteria.len();
        for c in &rule.criteria {
            let pass = c
                .pass
                .eval(slots)
                .map_err(|e| eval_failure(e, c.pass_offset))?;
            let warn = match (&c.warn, pass) {
                (Some((program, offset)), Tri::False) => {
                    Some(program.eval(slots).map_err(|e| eval_failure(e, *offset))?)
                }
                _ => None,
            };
            criteria.push(criterion_outcome(pass, warn, c.on_missing).0);
        }
        let outcomes = criteria.get(start..).unwrap_or_default();
        worst = worst.max(score_gate(rule, outcomes).verdict);
    }
    *verdict = if worst < Verdict::Fail && required_rejects(set, selected, criteria) {
        Verdict::Fail
    } else {
        worst
    };
    Ok(())
}

/// Whether a required persona rejects, given the flattened outcomes of the `selected` gates.
/// Only required personas change the verdict; most policies have none, and then nothing is
/// built.
fn required_rejects(set: &GateSet, selected: &[usize], criteria: &[Outcome]) -> bool {
    if !set.personas.iter().any(|p| p.required) {
        return false;
    }
    let mut outcomes = Vec::with_capacity(selected.len());
    let mut verdicts = Vec::with_capacity(selected.len());
    let mut rest = criteria;
    for &g in selected {
        let Some(rule) = set.gates.get(g) else {
            continue;
        };
        let (gate, tail) = rest.split_at(rule.criteria.len().min(rest.len()));
        rest = tail;
        verdicts.push(score_gate(rule, gate).verdict);
        outcomes.push(gate.to_vec());
    }
    set.personas.iter().filter(|p| p.required).any(|persona| {
        signoff(
            persona,
            &set.gates,
            selected,
            &outcomes,
            &verdicts,
            |_, _| {},
            |_| {},
        ) == Some(Signoff::Rejected)
    })
}

/// A check prepared for records of a fixed shape: values given by position, one per field
/// name, in the units the policy declares (`RawValue::Number(93.4)` for a `%` metric is
/// 93.4%). The fields are resolved to metrics, the gates selected and, for a strict
/// selection, undeclared fields refused, once ([`CompiledPolicy::record_check`]); each record
/// is then only converted and judged. The typed form of [`CompiledPolicy::check_value`] and
/// [`CompiledPolicy::verdict_value`]: the same record given as a JSON object of the same
/// names gets the same decision and verdict, or the same error.
///
/// Use [`RawValue::Null`] for no data; a NaN or infinite number is an invalid value
/// (`KIRO-E022`), as in JSON.
#[derive(Debug, Clone)]
pub struct RecordCheck {
    policy: CompiledPolicy,
    fields: Vec<String>,
    selected: Vec<usize>,
    /// `(slot, field)` for every declared field, in slot order (the order in which the full
    /// check reports values that do not fit).
    bound: Vec<(usize, usize)>,
    /// The undeclared fields (warnings of the decision), in name order.
    warnings: Vec<Diagnostic>,
}

impl RecordCheck {
    /// Prepares the check; see [`CompiledPolicy::record_check`].
    pub(crate) fn new(
        policy: &CompiledPolicy,
        fields: &[&str],
        selected: Vec<usize>,
        warnings: Vec<Diagnostic>,
    ) -> Result<Self, CheckError> {
        let table = &policy.inner.metrics;
        let mut seen: Vec<&str> = fields.to_vec();
        seen.sort_unstable();
        if let Some(pair) = seen.windows(2).find(|w| w.first() == w.get(1)) {
            let name = pair.first().copied().unwrap_or_default();
            return Err(CheckError::input(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("field `{name}` is given twice"),
                )
                .with_source("metrics"),
            ));
        }
        let mut bound: Vec<(usize, usize)> = fields
            .iter()
            .enumerate()
            .filter_map(|(f, name)| table.slot_of(name).map(|slot| (slot, f)))
            .collect();
        bound.sort_unstable();
        Ok(Self {
            policy: policy.clone(),
            fields: fields.iter().map(|&f| f.to_owned()).collect(),
            selected,
            bound,
            warnings,
        })
    }

    /// The field names, in the order records give their values.
    #[must_use]
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The verdict of one record (`values[i]` is field `i`'s value), into `out`.
    ///
    /// # Errors
    /// As [`CompiledPolicy::check_value`] for the same record, and [`Code::InvalidBatch`] when
    /// `values` does not have one value per field.
    pub fn verdict_into(
        &self,
        values: &[RawValue],
        out: &mut RecordVerdict,
    ) -> Result<(), CheckError> {
        self.bind(values, &mut out.slots)?;
        out.selected.clone_from(&self.selected);
        judge(&self.policy.inner.gates, out)
    }

    /// [`RecordCheck::verdict_into`] into a new [`RecordVerdict`].
    ///
    /// # Errors
    /// As [`RecordCheck::verdict_into`].
    pub fn verdict(&self, values: &[RawValue]) -> Result<RecordVerdict, CheckError> {
        let mut out = RecordVerdict::new();
        self.verdict_into(values, &mut out)?;
        Ok(out)
    }

    /// The full decision of one record, with explanations: what
    /// [`CompiledPolicy::check_value`] gives for the same record as a JSON object.
    ///
    /// # Errors
    /// As [`RecordCheck::verdict_into`].
    pub fn check(&self, values: &[RawValue]) -> Result<Decision, CheckError> {
        let mut slots = Vec::new();
        self.bind(values, &mut slots)?;
        let inner = &self.policy.inner;
        let mut decision = evaluate(
            &inner.gates,
            &inner.metrics,
            &inner.policy,
            &slots,
            &self.selected,
        )?;
        decision.warnings.clone_from(&self.warnings);
        Ok(decision)
    }

    /// `values` in base units, by slot, into `slots`.
    fn bind(&self, values: &[RawValue], slots: &mut Vec<f64>) -> Result<(), CheckError> {
        if values.len() != self.fields.len() {
            return Err(CheckError::input(
                Diagnostic::error(
                    Code::InvalidBatch,
                    format!(
                        "a record has {} values for {} fields",
                        values.len(),
                        self.fields.len()
                    ),
                )
                .with_source("metrics"),
            ));
        }
        let table = &self.policy.inner.metrics;
        slots.clear();
        slots.resize(table.gate_record_len(), f64::NAN);
        let mut errors = Vec::new();
        for &(slot, field) in &self.bound {
            let (Some(metric), Some(raw), Some(out)) =
                (table.get(slot), values.get(field), slots.get_mut(slot))
            else {
                continue;
            };
            match metric_value(metric, raw) {
                Ok(v) => *out = v,
                Err(d) => errors.push(
                    d.with_label(Span::default(), "this value")
                        .with_source("metrics"),
                ),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CheckError::Input(errors))
        }
    }
}
