//! The rules of a batch check, decided once per call: which gates, which criteria with which
//! outcome tables, which required personas own which criteria. Running them over a chunk is a
//! handful of passes over columns, with no per-record decision about rules.

use super::lookup::Lookup;
use super::personas::{Owners, SignoffLanes, Signoffs};
use super::scored::Scores;
use crate::criteria::{CriterionRule, GateSet, Scoring};

/// The rules of one call.
pub(super) struct BatchRules<'p> {
    gates: Vec<BatchGate<'p>>,
    signoffs: Signoffs<'p>,
    /// The slots the selected conditions read.
    pub(super) slots: Vec<usize>,
}

/// One selected gate.
struct BatchGate<'p> {
    scoring: Scoring,
    criteria: Vec<BatchCriterion<'p>>,
}

/// One criterion of a selected gate.
pub(super) struct BatchCriterion<'p> {
    pub(super) rule: &'p CriterionRule,
    /// Outcome bytes by condition codes.
    pub(super) outcomes: Lookup,
    /// The same as a strict gate's severities.
    severities: Lookup,
    /// The required personas that own the criterion.
    owners: Owners,
}

/// Chunk-sized scratch columns, reused from chunk to chunk.
pub(super) struct Lanes {
    pass: Vec<u8>,
    warn: Vec<u8>,
    outcome: Vec<u8>,
    scores: Scores,
    signoffs: SignoffLanes,
}

impl<'p> BatchRules<'p> {
    /// The rules for gates `selected` (indices into `set.gates`, in order).
    pub(super) fn new(set: &'p GateSet, selected: &[usize]) -> Self {
        let signoffs = Signoffs::new(set, selected);
        let mut slots: Vec<usize> = Vec::new();
        let gates = selected
            .iter()
            .map(|&g| {
                let gate = &set.gates[g];
                let criteria = gate
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(c, rule)| {
                        for &slot in &rule.slots {
                            if !slots.contains(&slot) {
                                slots.push(slot);
                            }
                        }
                        let outcomes = Lookup::outcomes(rule.on_missing, rule.warn.is_some());
                        if rule.informational {
                            // Never counted: only an error reaches the record's code.
                            return BatchCriterion {
                                rule,
                                outcomes,
                                severities: outcomes.informational(),
                                owners: Owners::new(),
                            };
                        }
                        BatchCriterion {
                            rule,
                            outcomes,
                            severities: outcomes.severities(),
                            owners: signoffs.criterion_owners(g, c),
                        }
                    })
                    .collect();
                // A scored gate of only informational criteria passes (or errs) like a strict
                // one: nothing is scored.
                let scoring = if gate.criteria.iter().all(|c| c.informational) {
                    Scoring::Strict
                } else {
                    gate.scoring
                };
                BatchGate { scoring, criteria }
            })
            .collect();
        Self {
            gates,
            signoffs,
            slots,
        }
    }

    /// Scratch columns for chunks of up to `chunk` records.
    pub(super) fn lanes(&self, chunk: usize) -> Lanes {
        Lanes {
            pass: vec![0; chunk],
            warn: vec![0; chunk],
            outcome: vec![0; chunk],
            scores: Scores::new(if self.has_scored() { chunk } else { 0 }),
            signoffs: self.signoffs.lanes(chunk),
        }
    }

    fn has_scored(&self) -> bool {
        self.gates
            .iter()
            .any(|g| matches!(g.scoring, Scoring::Scored { .. }))
    }

    /// Folds every selected gate and required persona into `out`, the verdict codes of one
    /// chunk (all [`CODE_PASS`](super::CODE_PASS) on entry); `columns` hold the chunk's
    /// base-unit values by slot.
    pub(super) fn run(&self, columns: &[&[f64]], out: &mut [u8], lanes: &mut Lanes) {
        let len = out.len();
        let Lanes {
            pass,
            warn,
            outcome,
            scores,
            signoffs,
        } = lanes;
        let (pass, warn, outcome) = (&mut pass[..len], &mut warn[..len], &mut outcome[..len]);
        signoffs.start(len);
        for gate in &self.gates {
            // A strict gate's verdict is the worst severity of its criteria, and the record's
            // code the worst over gates: a strict gate folds straight into the codes. A scored
            // gate sums weights first.
            let scored = gate.scoring != Scoring::Strict;
            if scored {
                scores.start(len);
            }
            for criterion in &gate.criteria {
                let informational = criterion.rule.informational;
                let needs_outcomes = !informational && (scored || !criterion.owners.is_empty());
                if let (false, Some(table)) = (needs_outcomes, criterion.severities.by_pass_only())
                {
                    // Only the severity matters: evaluated and folded in one pass.
                    criterion.rule.pass.fold_columns(columns, table, out);
                    continue;
                }
                eval(criterion.rule, columns, pass, warn);
                if needs_outcomes {
                    criterion.outcomes.map(pass, warn, outcome);
                    signoffs.add_criterion(&criterion.owners, criterion.rule.key, outcome);
                }
                if scored && !informational {
                    scores.add(criterion, outcome);
                } else {
                    criterion.severities.fold_max(pass, warn, out);
                }
            }
            if let Scoring::Scored { pass, warn } = gate.scoring {
                scores.fold_verdicts((pass, warn), out);
            }
        }
        self.signoffs.finish(signoffs, out);
    }
}

/// Evaluates the criterion's pass condition into `pass` and its warn condition, if any, into
/// `warn`.
fn eval(rule: &CriterionRule, columns: &[&[f64]], pass: &mut [u8], warn: &mut [u8]) {
    rule.pass.eval_columns(columns, pass);
    if let Some((program, _)) = &rule.warn {
        program.eval_columns(columns, warn);
    }
}
