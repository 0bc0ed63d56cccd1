//! One record: evaluate the selected gates, explain every criterion, sign off, conclude.

use super::outcome::{criterion_outcome, earned};
use super::reasons;
use super::scoring::score_gate;
use super::signoff::signoff;
use super::{CriterionRule, GateSet, Scoring};
use crate::condition::EvalError;
use crate::decision::{
    CriterionDecision, Decision, GateDecision, Outcome, PersonaDecision, PolicyRef, ScoringMode,
    SeenValue, Signoff, Thresholds, Verdict,
};
use crate::diagnostic::{Diagnostic, Span};
use crate::error::CheckError;
use crate::metrics::table::MetricTable;
use crate::tri::Tri;
use crate::units::Dimension;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Says where the baselines a criterion reads came from, given its slots and the record.
pub(crate) type BaselineNote<'a> = dyn Fn(&[usize], &[f64]) -> Option<String> + 'a;

/// Builds the decision for `slots` (base-unit values, NaN = no data, by `metrics` slot) over
/// the `selected` gates of `set`, for the policy `policy`.
pub(crate) fn evaluate(
    set: &GateSet,
    metrics: &MetricTable,
    policy: &PolicyRef,
    slots: &[f64],
    selected: &[usize],
) -> Result<Decision, CheckError> {
    evaluate_noted(set, metrics, policy, slots, selected, &|_, _| None)
}

/// [`evaluate`], with `baseline_note(slots)` saying where the baselines a criterion reads (by
/// its slots, with the record's values) came from; the note goes into the criterion's explanation and `baseline`.
pub(crate) fn evaluate_noted(
    set: &GateSet,
    metrics: &MetricTable,
    policy: &PolicyRef,
    slots: &[f64],
    selected: &[usize],
    baseline_note: &BaselineNote<'_>,
) -> Result<Decision, CheckError> {
    let mut gates = Vec::with_capacity(selected.len());
    let mut outcomes: Vec<Vec<Outcome>> = Vec::with_capacity(selected.len());
    for &g in selected {
        let rule = &set.gates[g];
        let mut criteria = Vec::with_capacity(rule.criteria.len());
        for c in &rule.criteria {
            criteria.push(criterion(metrics, c, slots, baseline_note)?);
        }
        let gate_outcomes: Vec<Outcome> = criteria.iter().map(|c| c.outcome).collect();
        let score = score_gate(rule, &gate_outcomes);
        let (mode, thresholds) = match rule.scoring {
            Scoring::Strict => (ScoringMode::Strict, None),
            Scoring::Scored { pass, warn } => {
                (ScoringMode::Scored, Some(Thresholds { pass, warn }))
            }
        };
        gates.push(GateDecision {
            name: rule.name.clone(),
            kind: rule.kind,
            verdict: score.verdict,
            mode,
            score: score.score,
            thresholds,
            reason: reasons::gate_reason(rule, &criteria, &score),
            owners: rule.owners.clone(),
            criteria,
        });
        outcomes.push(gate_outcomes);
    }
    let verdicts: Vec<Verdict> = gates.iter().map(|g| g.verdict).collect();
    let mut personas = Vec::new();
    for persona in &set.personas {
        let mut conditions = Vec::new();
        let mut reasons = Vec::new();
        let Some(signed) = signoff(
            persona,
            &set.gates,
            selected,
            &outcomes,
            &verdicts,
            |g, c| conditions.push((g, c)),
            |r| reasons.push(r),
        ) else {
            continue;
        };
        let criterion_text = |g: usize, c: usize| -> String {
            let gi = selected.iter().position(|&s| s == g).unwrap_or_default();
            let decision = &gates[gi].criteria[c];
            format!(
                "{}/{}: {}",
                gates[gi].name, decision.name, decision.explanation
            )
        };
        personas.push(PersonaDecision {
            name: persona.name.clone(),
            signoff: signed,
            required: persona.required,
            conditions: conditions
                .iter()
                .map(|&(g, c)| criterion_text(g, c))
                .collect(),
            reasons: reasons.iter().map(|r| reasons::reason(set, *r)).collect(),
        });
    }
    let gate_verdict = verdicts.iter().copied().max().unwrap_or(Verdict::Pass);
    let required_rejected: Vec<&str> = personas
        .iter()
        .filter(|p| p.required && p.signoff == Signoff::Rejected)
        .map(|p| p.name.as_str())
        .collect();
    let verdict = if required_rejected.is_empty() {
        gate_verdict
    } else {
        Verdict::Fail
    };
    Ok(Decision {
        verdict,
        summary: reasons::summary(verdict, &gates, &required_rejected),
        policy: policy.clone(),
        gates,
        personas,
        warnings: Vec::new(),
    })
}

fn criterion(
    metrics: &MetricTable,
    rule: &CriterionRule,
    slots: &[f64],
    baseline_note: &BaselineNote<'_>,
) -> Result<CriterionDecision, CheckError> {
    let names = |slot: usize| Cow::Borrowed(metrics.name_any(slot));
    let eval_error = |offset: usize| move |e: EvalError| eval_failure(e, offset);
    let mut explanation = String::with_capacity(64);
    let pass = rule
        .pass
        .explain_into(slots, &names, &mut explanation)
        .map_err(eval_error(rule.pass_offset))?;
    let baseline = baseline_note(&rule.slots, slots);
    if let Some(note) = &baseline {
        explanation.push_str("; ");
        explanation.push_str(note);
    }
    let warn = match (&rule.warn, pass) {
        (Some((program, offset)), Tri::False) => {
            let mut text = String::new();
            let value = program
                .explain_into(slots, &names, &mut text)
                .map_err(eval_error(*offset))?;
            Some((value, text))
        }
        _ => None,
    };
    let (outcome, applied) = criterion_outcome(pass, warn.as_ref().map(|w| w.0), rule.on_missing);
    if let Some((w, warn_text)) = &warn {
        explanation.push_str(match w {
            Tri::True => "; warn condition holds: ",
            Tri::False => "; warn condition fails too: ",
            Tri::Unknown => "; warn condition undecided: ",
        });
        explanation.push_str(warn_text);
    }
    if let Some(rule) = applied {
        explanation.push_str("; on_missing: ");
        explanation.push_str(rule.as_str());
    }
    // Inserted one by one: collecting would sort a temporary vector first.
    let mut values = BTreeMap::new();
    for &slot in &rule.slots {
        let value = slots.get(slot).copied().unwrap_or(f64::NAN);
        let seen = match metrics.get_any(slot).map(|m| m.unit.dimension) {
            _ if value.is_nan() => SeenValue::Missing(()),
            Some(Dimension::Bool) => SeenValue::Bool(value != 0.0),
            _ => SeenValue::Number(value),
        };
        values.insert(metrics.name_any(slot).to_owned(), seen);
    }
    Ok(CriterionDecision {
        name: rule.name.clone(),
        condition: rule.pass.source().to_owned(),
        warn_condition: rule.warn.as_ref().map(|(w, _)| w.source().to_owned()),
        outcome,
        values,
        weight: rule.weight,
        earned: earned(outcome, rule.weight),
        key: rule.key,
        informational: rule.informational,
        missing_rule_applied: applied,
        explanation,
        baseline,
    })
}

/// The evaluation error of a condition at byte `offset` of the policy text.
pub(crate) fn eval_failure(error: EvalError, offset: usize) -> CheckError {
    let span = Span::new(error.span.start, error.span.end).offset(offset);
    CheckError::Evaluation(vec![
        Diagnostic::error(error.code, error.message)
            .with_label(span, "cannot be computed for these values")
            .with_source("policy"),
    ])
}
