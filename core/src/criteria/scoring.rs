//! Gate verdicts: strict and scored (Keptn-style) modes.
//!
//! A [`Tally`] accumulates criterion outcomes one at a time for the single check; the batch
//! adds the same weights column by column. Both conclude through [`score`] and
//! [`scored_verdict`] (and [`strict_severity`], [`earned`]), so the rules below are the only
//! ones.

use super::outcome::earned;
use super::{CriterionRule, GateRule, Scoring};
use crate::decision::{Outcome, Verdict};

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
    /// Informational criteria: evaluated, never counted.
    pub informational: usize,
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
struct Tally {
    strict: Verdict,
    total: f64,
    got: f64,
    failed: u32,
    warned: u32,
    unknown: u32,
    key_failed: u32,
    /// Criteria counted (all but the informational ones).
    scored: u32,
    informational: u32,
}

impl Tally {
    /// Counts `criterion`'s `outcome`; an informational criterion counts for nothing.
    #[inline]
    fn add(&mut self, criterion: &CriterionRule, outcome: Outcome) {
        if criterion.informational {
            self.informational += 1;
            return;
        }
        self.scored += 1;
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
    fn finish(&self, scoring: Scoring) -> GateScore {
        let score = score(self.got, self.total);
        let verdict = match scoring {
            Scoring::Strict => self.strict,
            // Only informational criteria: nothing can keep the gate from passing.
            Scoring::Scored { .. } if self.scored == 0 => Verdict::Pass,
            Scoring::Scored { pass, warn } => {
                scored_verdict(score, self.key_failed > 0, self.unknown > 0, (pass, warn))
            }
        };
        GateScore {
            verdict,
            score,
            failed: self.failed as usize,
            warned: self.warned as usize,
            unknown: self.unknown as usize,
            key_failed: self.key_failed as usize,
            informational: self.informational as usize,
        }
    }
}

/// Earned weight over decided weight; `None` when nothing was decided or weighed.
#[inline]
pub(crate) fn score(got: f64, total: f64) -> Option<f64> {
    (total > 0.0).then(|| got / total)
}

/// The verdict of a scored gate with thresholds `(pass, warn)`, given its `score`, whether a
/// key criterion failed and whether a criterion was undecided.
#[inline]
pub(crate) fn scored_verdict(
    score: Option<f64>,
    key_failed: bool,
    unknown: bool,
    (pass, warn): (f64, f64),
) -> Verdict {
    let by_score = match score {
        _ if key_failed => Verdict::Fail,
        // Nothing could be decided, or nothing carries weight: warn, never pass.
        None => Verdict::Warn,
        Some(s) if s >= pass => Verdict::Pass,
        Some(s) if s >= warn => Verdict::Warn,
        Some(_) => Verdict::Fail,
    };
    if unknown && by_score == Verdict::Pass {
        Verdict::Warn
    } else {
        by_score
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
