//! Converting a column of doubles to base units: bit for bit what [`Scale::to_base`] gives value
//! by value, in a few vector operations per value instead of a search for each value's decimal.
//!
//! For a column whose values have at most `j` decimals (`87.5`, `0.25`), each value `x` is
//! taken through `n = round(|x| × 10^j)`. When `n` is small enough and `n / 10^j`, correctly
//! rounded, gives back `|x|`, the decimal `n × 10^-j` (at most 15 significant digits) reads as
//! `|x|`. Two decimals of at most 15 significant digits that read as the same double are equal
//! (a double holds 15 digits: `DBL_DIG`), so `n × 10^-j` is the value of `x`'s shortest decimal,
//! the one [`Scale::to_base`] scales. The exact result `n × multiplier × 10^(exponent - j)` is
//! then one correctly rounded operation on exact integers: `n × multiplier × 10^(exponent - j)`
//! when `exponent >= j`, else `(n × multiplier) / 10^(j - exponent)`. The sign is `x`'s (`-0.0`
//! stays `-0.0`, as in [`Scale::to_base`]).
//!
//! Both divisions by powers of ten are multiplications by a split reciprocal
//! ([`Reciprocal`], correctly rounded for small enough numerators), so every value goes through
//! the same dozen branch-free multiplications, additions and comparisons, which vectorise. The
//! few values that fail the check (more decimals than the column's, NaN, infinities, 16 or 17
//! significant digits, large magnitudes) are converted afterwards by [`Scale::to_base`].

use super::reciprocal::Reciprocal;
use super::scale::{EXACT_POWERS, Scale};

/// `1.5 × 2^52`: for `|y| < 2^51`, `(y + ROUND) - ROUND` is `y` rounded to the nearest integer
/// (ties to even), because the sum lies where doubles are exactly the integers. Every `n` used
/// is below `2^47`.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// More decimals than this take the scalar conversion (so do more than [`Reciprocal`] takes).
const MOST_DECIMALS: u32 = 8;

/// Values sampled to choose the column's number of decimals.
const SAMPLES: usize = 4;

/// Passes over a column at most, each with one more decimal, before the values that still fail
/// take the scalar conversion.
const MAX_PASSES: usize = 3;

/// One pass's constants: converting values with at most `decimals` decimals.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shift {
    /// `10^decimals`.
    up: f64,
    /// `n / 10^decimals`: must give back the value.
    check: Reciprocal,
    /// `n` must be below this: for the reciprocals, and for `n × multiplier` to be exact.
    limit: f64,
    /// From `n` to the result.
    finish: Finish,
}

/// The one correctly rounded operation from `n` to the result.
#[derive(Debug, Clone, Copy)]
enum Finish {
    /// `n × (multiplier × 10^(exponent - decimals))`, the factor an exact double.
    Times(f64),
    /// `n / 10^(decimals - exponent)` (the multiplier is 1).
    Over(Reciprocal),
    /// `(n × multiplier) / 10^(decimals - exponent)`, the product exact.
    TimesOver(f64, Reciprocal),
}

/// Lanes per block of the fast loop: independent accumulators, so that it vectorises.
const BLOCK: usize = 4;

impl Shift {
    /// The constants for `scale` at `decimals` decimals; `None` when a power of ten needed is
    /// beyond what the reciprocals or an exact double hold.
    pub(super) fn new(scale: Scale, decimals: u32) -> Option<Shift> {
        let up = *EXACT_POWERS.get(usize::try_from(decimals).ok()?)?;
        let check = Reciprocal::new(decimals)?;
        // Only the multiplier's odd part adds significant bits; its powers of two move the
        // exponent.
        let odd = scale
            .multiplier
            .checked_shr(scale.multiplier.trailing_zeros())
            .filter(|&odd| odd > 0)?;
        let shift = i64::from(scale.exponent) - i64::from(decimals);
        #[expect(
            clippy::cast_precision_loss,
            reason = "integers below 2^53 (checked): exact doubles"
        )]
        let (finish, limit) = if shift >= 0 {
            // multiplier × 10^shift, exact: its odd part 5^shift × odd below 2^53.
            let fives = 5u64.checked_pow(u32::try_from(shift).ok()?)?;
            if odd.checked_mul(fives)? >= 1 << 53 {
                return None;
            }
            let power = *EXACT_POWERS.get(usize::try_from(shift).ok()?)?;
            (Finish::Times(scale.multiplier as f64 * power), check.limit)
        } else {
            let result = Reciprocal::new(u32::try_from(shift.unsigned_abs()).ok()?)?;
            if scale.multiplier == 1 {
                (Finish::Over(result), check.limit.min(result.limit))
            } else {
                // n × multiplier must be exact and a numerator the reciprocal takes.
                let limit = check.limit.min(result.limit / odd);
                (Finish::TimesOver(scale.multiplier as f64, result), limit)
            }
        };
        #[expect(clippy::cast_precision_loss, reason = "at most 2^47: exact")]
        let limit = limit as f64;
        Some(Shift {
            up,
            check,
            limit,
            finish,
        })
    }

    /// `n` (an integer below `limit`) in base units.
    #[inline(always)]
    fn finish(finish: Finish, n: f64) -> f64 {
        match finish {
            Finish::Times(factor) => n * factor,
            Finish::Over(r) => r.of(n),
            Finish::TimesOver(m, r) => r.of(n * m),
        }
    }

    /// `x` in base units, and whether that is exact (`false`: `x` needs [`Scale::to_base`]).
    #[inline(always)]
    fn lane(self, x: f64, finish: Finish) -> (f64, bool) {
        let a = x.abs();
        let n = (a * self.up + ROUND) - ROUND;
        // `&`, not `&&`: both tests on every lane, no branch.
        let exact = (n < self.limit) & (self.check.of(n) == a);
        (Self::finish(finish, n).copysign(x), exact)
    }

    /// [`Shift::lane`] with this shift's operation.
    pub(super) fn convert(self, x: f64) -> (f64, bool) {
        self.lane(x, self.finish)
    }

    /// Writes every value's [`Shift::lane`] result into `out` (as long as `values`); how many
    /// are not exact (0 when all are).
    fn pass(self, values: &[f64], out: &mut [f64]) -> usize {
        // One loop per operation, so that none tests which inside.
        match self.finish {
            Finish::Times(f) => self.pass_with(values, out, Finish::Times(f)),
            Finish::Over(r) => self.pass_with(values, out, Finish::Over(r)),
            Finish::TimesOver(m, r) => self.pass_with(values, out, Finish::TimesOver(m, r)),
        }
    }

    #[inline(always)]
    fn pass_with(self, values: &[f64], out: &mut [f64], finish: Finish) -> usize {
        if self.non_negative(values, out, finish) {
            return 0;
        }
        let mut inexact = 0usize;
        for (o, &x) in out.iter_mut().zip(values) {
            let (y, exact) = self.lane(x, finish);
            *o = y;
            inexact += usize::from(!exact);
        }
        inexact
    }

    /// The fast loop, for columns of non-negative values (the usual case): [`Shift::lane`]
    /// without the sign and the limit, which are checked once for the whole column (by the
    /// union of the values' bits and the largest `n`). Whether every value was exact; when
    /// not, `out` is to be written again.
    #[inline(always)]
    fn non_negative(self, values: &[f64], out: &mut [f64], finish: Finish) -> bool {
        // Per lane: the union of the values' bits and of all-ones masks where a value is not
        // exact (so bit 63 says "negative, -0.0 or not exact"), and the largest `n`.
        let mut flags = [0u64; BLOCK];
        let mut top = [0.0f64; BLOCK];
        let lane = |x: f64, o: &mut f64, flags: &mut u64, top: &mut f64| {
            let n = (x * self.up + ROUND) - ROUND;
            let inexact = 0u64.wrapping_sub(u64::from(self.check.of(n) != x));
            *flags |= inexact | x.to_bits();
            *top = if n > *top { n } else { *top };
            *o = Self::finish(finish, n);
        };
        let mut outs = out.chunks_exact_mut(BLOCK);
        let mut xs = values.chunks_exact(BLOCK);
        for (o, x) in (&mut outs).zip(&mut xs) {
            let (Ok(o), Ok(x)) = (
                <&mut [f64; BLOCK]>::try_from(o),
                <&[f64; BLOCK]>::try_from(x),
            ) else {
                continue;
            };
            for i in 0..BLOCK {
                lane(x[i], &mut o[i], &mut flags[i], &mut top[i]);
            }
        }
        let (mut rest_flags, mut rest_top) = (0u64, 0.0f64);
        for (o, &x) in outs.into_remainder().iter_mut().zip(xs.remainder()) {
            lane(x, o, &mut rest_flags, &mut rest_top);
        }
        // NaN fails the check; an infinity passes it but not the limit.
        let flags = flags.iter().fold(rest_flags, |a, &b| a | b);
        let top = top.iter().fold(rest_top, |a, &b| a.max(b));
        flags >> 63 == 0 && top < self.limit
    }

    /// Replaces the values of `out` that [`Shift::lane`] could not convert exactly with
    /// [`Scale::to_base`]'s.
    fn fix(self, scale: Scale, values: &[f64], out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(values) {
            if !self.convert(x).1 {
                *o = scale.to_base(x);
            }
        }
    }
}

impl Scale {
    /// `out` becomes `values` in base units: `out[i]` is `self.to_base(values[i])`, bit for
    /// bit (see [`Scale::to_base`]), with a dozen vector operations per value when the values
    /// are short decimals (see the module documentation). `true` when every value took that
    /// way: then every result is finite; `false` says nothing.
    pub fn to_base_column(self, values: &[f64], out: &mut Vec<f64>) -> bool {
        if self == Scale::ONE {
            out.clear();
            out.extend_from_slice(values);
            return false;
        }
        // Every lane is written below: only the length changes (on the last chunk of a batch,
        // if at all), without filling the buffer first.
        out.resize(values.len(), 0.0);
        let mut decimals = sample_decimals(values).min(MOST_DECIMALS);
        let Some(mut shift) = Shift::new(self, decimals) else {
            self.to_base_each(values, out);
            return false;
        };
        for passes in 1.. {
            let inexact = shift.pass(values, out);
            if inexact == 0 {
                return true;
            }
            // Many values with more decimals than the sample showed: one more decimal.
            if inexact > values.len() / 16 && passes < MAX_PASSES {
                decimals += 1;
                if let Some(more) = Shift::new(self, decimals) {
                    shift = more;
                    continue;
                }
            }
            break;
        }
        shift.fix(self, values, out);
        false
    }

    /// `out[i] = self.to_base(values[i])`, value by value.
    fn to_base_each(self, values: &[f64], out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(values) {
            *o = self.to_base(x);
        }
    }
}

/// The most decimals among a few values spread over `values` (0 for values that are not short
/// decimals): the number of decimals the first pass assumes.
fn sample_decimals(values: &[f64]) -> u32 {
    let step = (values.len() / SAMPLES).max(1);
    values
        .iter()
        .step_by(step)
        .take(SAMPLES)
        .filter_map(|&x| super::scale::decimals(x))
        .max()
        .unwrap_or(0)
}
