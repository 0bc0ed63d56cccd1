//! From a criterion's condition codes to outcome bytes, a column at a time.
//!
//! The pass and warn conditions give one code per record (0 false, 1 unknown, 2 true, 3 error:
//! see [`Program::eval_columns`](crate::condition::Program::eval_columns)). What each pair of
//! codes means under the criterion's missing-data rule is worked out once per criterion by
//! [`criterion_outcome`], the single check's rule, into two four-entry tables; the per-record
//! work is then a branch-free select that the compiler vectorises.

use super::{CODE_ERROR, CODE_FAIL, CODE_PASS, CODE_WARN};
use crate::criteria::model::MissingRule;
use crate::criteria::outcome::criterion_outcome;
use crate::criteria::scoring::strict_severity;
use crate::decision::{Outcome, Verdict};
use crate::tri::Tri;

/// Outcome byte: pass. The decided outcomes share their bytes with the verdict codes.
pub(super) const PASS: u8 = CODE_PASS;
/// Outcome byte: warn.
pub(super) const WARN: u8 = CODE_WARN;
/// Outcome byte: fail.
pub(super) const FAIL: u8 = CODE_FAIL;
/// Outcome byte: a condition could not be computed; the record's code is [`CODE_ERROR`].
pub(super) const ERROR: u8 = CODE_ERROR;
/// Outcome byte: undecided (`on_missing: inconclusive`).
pub(super) const UNKNOWN: u8 = 4;

/// The byte of an outcome.
pub(super) fn outcome_byte(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Pass => PASS,
        Outcome::Warn => WARN,
        Outcome::Fail => FAIL,
        Outcome::Unknown => UNKNOWN,
    }
}

/// The code of a verdict.
pub(super) fn verdict_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Pass => CODE_PASS,
        Verdict::Warn => CODE_WARN,
        Verdict::Fail => CODE_FAIL,
    }
}

/// A criterion's byte for each pair of condition codes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Lookup {
    /// By pass code; for a criterion with a warn condition, entry 0 (false) is unused.
    by_pass: [u8; 4],
    /// By warn code, where the pass code is 0 (false): `None` without a warn condition.
    by_warn: Option<[u8; 4]>,
}

impl Lookup {
    /// The outcome bytes ([`PASS`] … [`UNKNOWN`], [`ERROR`] where a condition failed) of a
    /// criterion with missing-data rule `rule`, with or without a warn condition.
    pub(super) fn outcomes(rule: MissingRule, has_warn: bool) -> Self {
        let byte = |pass: u8, warn: Option<u8>| match (pass, warn) {
            (CODE_ERROR, _) | (_, Some(CODE_ERROR)) => ERROR,
            _ => {
                outcome_byte(criterion_outcome(Tri::from_u8(pass), warn.map(Tri::from_u8), rule).0)
            }
        };
        Self {
            by_pass: [0, 1, 2, 3].map(|p| byte(p, None)),
            by_warn: has_warn.then(|| [0, 1, 2, 3].map(|w| byte(Tri::False as u8, Some(w)))),
        }
    }

    /// These outcomes as a strict gate weighs them ([`strict_severity`]): verdict codes,
    /// [`ERROR`] staying [`ERROR`].
    pub(super) fn severities(self) -> Self {
        let severity = |o: u8| match o {
            PASS => verdict_code(strict_severity(Outcome::Pass)),
            WARN => verdict_code(strict_severity(Outcome::Warn)),
            FAIL => verdict_code(strict_severity(Outcome::Fail)),
            UNKNOWN => verdict_code(strict_severity(Outcome::Unknown)),
            _ => ERROR,
        };
        Self {
            by_pass: self.by_pass.map(severity),
            by_warn: self.by_warn.map(|t| t.map(severity)),
        }
    }

    /// These outcomes as an informational criterion weighs them: every outcome passes (it is
    /// never counted), [`ERROR`] staying [`ERROR`] (its condition could not be computed, as
    /// the single check reports).
    pub(super) fn informational(self) -> Self {
        let severity = |o: u8| if o == ERROR { ERROR } else { PASS };
        Self {
            by_pass: self.by_pass.map(severity),
            by_warn: self.by_warn.map(|t| t.map(severity)),
        }
    }

    /// The table by pass code, for a criterion without a warn condition.
    pub(super) fn by_pass_only(&self) -> Option<[u8; 4]> {
        self.by_warn.is_none().then_some(self.by_pass)
    }

    /// `out[r]` = the byte for `pass[r]` and `warn[r]` (`warn` is unused without a warn
    /// condition).
    #[inline(never)]
    pub(super) fn map(&self, pass: &[u8], warn: &[u8], out: &mut [u8]) {
        match self.by_warn {
            None => {
                let t = self.by_pass;
                for (o, &p) in out.iter_mut().zip(pass) {
                    *o = pick(p, t);
                }
            }
            Some(w) => {
                let t = self.by_pass;
                for ((o, &p), &c) in out.iter_mut().zip(pass).zip(warn) {
                    *o = if p == 0 { pick(c, w) } else { pick(p, t) };
                }
            }
        }
    }

    /// `acc[r]` = the larger of itself and the byte for `pass[r]` and `warn[r]`: a strict
    /// gate's fold over its criteria.
    #[inline(never)]
    pub(super) fn fold_max(&self, pass: &[u8], warn: &[u8], acc: &mut [u8]) {
        match self.by_warn {
            None => {
                let t = self.by_pass;
                for (a, &p) in acc.iter_mut().zip(pass) {
                    *a = (*a).max(pick(p, t));
                }
            }
            Some(w) => {
                let t = self.by_pass;
                for ((a, &p), &c) in acc.iter_mut().zip(pass).zip(warn) {
                    *a = (*a).max(if p == 0 { pick(c, w) } else { pick(p, t) });
                }
            }
        }
    }
}

/// `t[x]` for a code `x` in `0..4`, as selects on its two bits.
#[inline(always)]
fn pick(x: u8, t: [u8; 4]) -> u8 {
    let odd = x & 1 != 0;
    let low = if odd { t[1] } else { t[0] };
    let high = if odd { t[3] } else { t[2] };
    if x >= 2 { high } else { low }
}
