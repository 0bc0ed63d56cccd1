//! Dividing an integer by a power of ten, correctly rounded, with two multiplications and an
//! addition: the same double as `n / 10^k`, without the division (several times the cost of a
//! multiplication, and the bottleneck of a vectorised loop).
//!
//! `1 / 10^k` is split into `hi + lo`. `hi` is the double nearest `1 / 10^k` cut to its top `h`
//! significant bits, `h = ⌈log₂ 10^k⌉ + 6`; `lo` is the double nearest `1 / 10^k - hi`, computed
//! as `(1 - hi × 10^k) / 10^k`, where `hi × 10^k` is exact (`h` bits times the bits of `5^k` fit
//! in 53) and so is the subtraction (Sterbenz). For an integer `n < 2^(53 - h)`:
//!
//! - `n × hi` is exact, and `n × hi + fl(n × lo)` is `n / 10^k` within a relative
//!   `2^(-50 - h) × (1 + 2^-54)` (`|1 / 10^k - hi| <= 2^(2 - h) / 10^k`, and `lo` and `n × lo`
//!   are each rounded once, by a relative `2^-53` at most);
//! - `n / 10^k` is no midpoint between two doubles: a midpoint is `s × 2^i` with an odd `s` of 54
//!   bits, and `n = s × 2^i × 10^k` would be at least `2^53`. Its distance to a midpoint of its
//!   binade `[2^E, 2^(E+1))` (`E <= 52`), times `2^(53 - E) × 10^k`, is a non-zero integer, so
//!   the distance is at least a relative `2^-54 / 10^k >= 2^(-48 - h)`;
//! - so the sum, four times closer to `n / 10^k` than any midpoint is, rounds (once, in the
//!   addition) to the same double as `n / 10^k`.
//!
//! `units::tests` checks it against the division for every `k` it is built for.

use super::scale::EXACT_POWERS;

/// `1 / 10^k` as `hi + lo`, for numerators below `limit`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reciprocal {
    hi: f64,
    lo: f64,
    /// Numerators must be integers below this (at most `2^47`).
    pub(super) limit: u64,
}

impl Reciprocal {
    /// The reciprocal of `10^k`; `None` when `k` is too large for the split (`k > 8`).
    pub(super) fn new(k: u32) -> Option<Reciprocal> {
        let power = 10u64.checked_pow(k)?;
        let fives = 5u64.checked_pow(k)?;
        // ⌈log₂ 10^k⌉ and the significant bits of 5^k (10^k's are the same).
        let log2 = u64::BITS - (power - 1).leading_zeros();
        let five_bits = u64::BITS - fives.leading_zeros();
        let h = log2 + 6;
        if h + five_bits > 53 {
            return None;
        }
        let p = *EXACT_POWERS.get(usize::try_from(k).ok()?)?;
        let nearest = 1.0 / p;
        let hi = f64::from_bits(nearest.to_bits() & !((1u64 << (53 - h)) - 1));
        let lo = (1.0 - hi * p) / p;
        Some(Reciprocal {
            hi,
            lo,
            limit: 1 << (53 - h),
        })
    }

    /// `n / 10^k`, correctly rounded, for an integer `0 <= n < limit`, or such an integer
    /// times a power of two (which moves the exponent and changes no rounding).
    #[inline(always)]
    pub(super) fn of(self, n: f64) -> f64 {
        n * self.hi + n * self.lo
    }
}
