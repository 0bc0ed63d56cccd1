//! Gate verdicts: strict and scored (Keptn-style) modes.
//!
//! A [`Tally`] accumulates criterion outcomes one at a time; the single check folds a gate's
//! criteria into one tally, the batch keeps one tally per record and adds criterion by
//! criterion. Either way the rules below are the only ones.

use super::outcome::earned;
use crate::decision::{Outcome, Verdict};
use crate::policy::compiled::{CriterionRule, GateRule, Scoring};

/// A gate's verdict and score, and what drove it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GateScore {
    pub verdict: Verdict,
    /// Earned weight over decided weight; `None` when nothing was decided or weighed.
    pub score: Option<f64>,
    pub failed: usize,
    pub warned: usize,
    pub unknown: usize,
    pub key_failed: usize,
}

/// What one criterion's outcome means for a strict gate: a failure fails it, a warning or an
/// undecided criterion warns it. A strict gate's verdict is the worst of these.
#[inline]
pub(crate) fn strict_severity(outcome: Outcome) -> Verdict {
    match outcome {
        Outcome::Pass => Verdict::Pass,
        Outcome::Warn | Outcome::Unknown => Verdict::Warn,
        Outcome::Fail => Verdict::Fail,
    }
}

/// Criterion outcomes of one gate, added up.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    strict: Verdict,
    total: f64,
    got: f64,
    failed: u32,
    warned: u32,
    unknown: u32,
    key_failed: u32,
}

impl Tally {
    /// Counts `criterion`'s `outcome`.
    #[inline]
    pub(crate) fn add(&mut self, criterion: &CriterionRule, outcome: Outcome) {
        self.strict = self.strict.max(strict_severity(outcome));
        match outcome {
            Outcome::Unknown => {
                self.unknown += 1;
                return;
            }
            Outcome::Fail => {
                self.failed += 1;
                self.key_failed += u32::from(criterion.key);
            }
            Outcome::Warn => self.warned += 1,
            Outcome::Pass => {}
        }
        self.total += criterion.weight;
        self.got += earned(outcome, criterion.weight);
    }

    /// The gate's verdict and score under `scoring`.
    pub(crate) fn finish(&self, scoring: Scoring) -> GateScore {
        let score = (self.total > 0.0).then(|| self.got / self.total);
        let verdict = match scoring {
            Scoring::Strict => self.strict,
            Scoring::Scored { pass, warn } => {
                let by_score = match score {
                    _ if self.key_failed > 0 => Verdict::Fail,
                    // Nothing could be decided, or nothing carries weight: warn, never pass.
                    None => Verdict::Warn,
                    Some(s) if s >= pass => Verdict::Pass,
                    Some(s) if s >= warn => Verdict::Warn,
                    Some(_) => Verdict::Fail,
                };
                if self.unknown > 0 && by_score == Verdict::Pass {
                    Verdict::Warn
                } else {
                    by_score
                }
            }
        };
        GateScore {
            verdict,
            score,
            failed: self.failed as usize,
            warned: self.warned as usize,
            unknown: self.unknown as usize,
            key_failed: self.key_failed as usize,
        }
    }
}

/// Scores gate `gate` given its criteria's outcomes (in criterion order).
pub(crate) fn score_gate(gate: &GateRule, outcomes: &[Outcome]) -> GateScore {
    let mut tally = Tally::default();
    for (criterion, &outcome) in gate.criteria.iter().zip(outcomes) {
        tally.add(criterion, outcome);
    }
    tally.finish(gate.scoring)
}
