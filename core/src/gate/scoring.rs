//! Gate verdicts: strict and scored (Keptn-style) modes.

use super::outcome::earned;
use crate::decision::{Outcome, Verdict};
use crate::policy::compiled::{GateRule, Scoring};

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

/// Scores gate `gate` given its criteria's outcomes (in criterion order).
pub(crate) fn score_gate(gate: &GateRule, outcomes: &[Outcome]) -> GateScore {
    let mut total = 0.0;
    let mut got = 0.0;
    let (mut failed, mut warned, mut unknown, mut key_failed) = (0, 0, 0, 0);
    for (criterion, &outcome) in gate.criteria.iter().zip(outcomes) {
        match outcome {
            Outcome::Unknown => unknown += 1,
            Outcome::Fail => {
                failed += 1;
                if criterion.key {
                    key_failed += 1;
                }
            }
            Outcome::Warn => warned += 1,
            Outcome::Pass => {}
        }
        if outcome != Outcome::Unknown {
            total += criterion.weight;
            got += earned(outcome, criterion.weight);
        }
    }
    let score = (total > 0.0).then(|| got / total);
    let verdict = match gate.scoring {
        Scoring::Strict => {
            if failed > 0 {
                Verdict::Fail
            } else if warned > 0 || unknown > 0 {
                Verdict::Warn
            } else {
                Verdict::Pass
            }
        }
        Scoring::Scored { pass, warn } => {
            let by_score = match score {
                _ if key_failed > 0 => Verdict::Fail,
                // Nothing could be decided, or nothing carries weight: warn, never pass silently.
                None => Verdict::Warn,
                Some(s) if s >= pass => Verdict::Pass,
                Some(s) if s >= warn => Verdict::Warn,
                Some(_) => Verdict::Fail,
            };
            if unknown > 0 && by_score == Verdict::Pass {
                Verdict::Warn
            } else {
                by_score
            }
        }
    };
    GateScore {
        verdict,
        score,
        failed,
        warned,
        unknown,
        key_failed,
    }
}
