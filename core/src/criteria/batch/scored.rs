//! Scored gates, column-wise: per record the decided weight and the earned weight, added
//! criterion by criterion in criterion order (the single check adds the same doubles in the
//! same order, so the sums are equal), and flags for a failed key criterion, an undecided
//! criterion and a condition that could not be computed. The verdict comes from
//! [`scored_verdict`], the single check's rule.

use super::lookup::{ERROR, FAIL, PASS, UNKNOWN, WARN, verdict_code};
use super::rules::BatchCriterion;
use crate::criteria::outcome::earned;
use crate::criteria::scoring::{score, scored_verdict};
use crate::decision::Outcome;

/// Flag: a key criterion failed.
const KEY_FAILED: u8 = 1;
/// Flag: a criterion was undecided.
const UNDECIDED: u8 = 2;
/// Flag: a condition could not be computed.
const ERRORED: u8 = 4;

/// Chunk-sized columns of one scored gate's running sums and flags.
pub(super) struct Scores {
    total: Vec<f64>,
    got: Vec<f64>,
    flags: Vec<u8>,
    len: usize,
}

impl Scores {
    /// Columns for chunks of up to `chunk` records.
    pub(super) fn new(chunk: usize) -> Self {
        Self {
            total: vec![0.0; chunk],
            got: vec![0.0; chunk],
            flags: vec![0; chunk],
            len: 0,
        }
    }

    /// Clears the first `len` records for a new gate or chunk.
    pub(super) fn start(&mut self, len: usize) {
        self.len = len;
        self.total[..len].fill(0.0);
        self.got[..len].fill(0.0);
        self.flags[..len].fill(0);
    }

    /// Adds a criterion's outcome bytes. An undecided criterion adds nothing to either sum;
    /// adding `0.0` to a sum of non-negative weights leaves it as it was, so that is what the
    /// lanes do.
    #[inline(never)]
    pub(super) fn add(&mut self, criterion: &BatchCriterion<'_>, outcome: &[u8]) {
        let weight = criterion.rule.weight;
        let key = criterion.rule.key;
        let on_pass = earned(Outcome::Pass, weight);
        let on_warn = earned(Outcome::Warn, weight);
        let on_fail = earned(Outcome::Fail, weight);
        let len = self.len;
        let lanes = self.total[..len]
            .iter_mut()
            .zip(&mut self.got[..len])
            .zip(&mut self.flags[..len])
            .zip(outcome);
        for (((total, got), flags), &o) in lanes {
            *total += if o <= FAIL { weight } else { 0.0 };
            *got += match o {
                PASS => on_pass,
                WARN => on_warn,
                FAIL => on_fail,
                _ => 0.0,
            };
            *flags |= (u8::from(key & (o == FAIL)) * KEY_FAILED)
                | (u8::from(o == UNKNOWN) * UNDECIDED)
                | (u8::from(o == ERROR) * ERRORED);
        }
    }

    /// The gate's verdict codes under thresholds `(pass, warn)`, folded into the record
    /// codes `out` (each the larger of itself and the gate's).
    pub(super) fn fold_verdicts(&self, thresholds: (f64, f64), out: &mut [u8]) {
        let len = self.len;
        let lanes = self.total[..len]
            .iter()
            .zip(&self.got[..len])
            .zip(&self.flags[..len]);
        for (o, ((&total, &got), &flags)) in out.iter_mut().zip(lanes) {
            let code = if flags & ERRORED != 0 {
                ERROR
            } else {
                let key_failed = flags & KEY_FAILED != 0;
                let undecided = flags & UNDECIDED != 0;
                verdict_code(scored_verdict(
                    score(got, total),
                    key_failed,
                    undecided,
                    thresholds,
                ))
            };
            *o = (*o).max(code);
        }
    }
}
