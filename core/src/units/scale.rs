//! Exact unit conversion: how many base units one unit is, and converting decimal numbers by it
//! with a single rounding.
//!
//! `70%` must be the same double as `0.7`, and `1.1s` the same as `1100` ms. Multiplying the
//! parsed double by a factor rounds twice (`70.0 * 0.01` is `0.7000000000000001`), so a value
//! exactly at a threshold could be judged on the wrong side of it. Instead the decimal number
//! is scaled as text: its digits are multiplied by the scale's integer multiplier (exact digit
//! arithmetic) and its decimal exponent shifted by the scale's power of ten; the result is
//! parsed once by `str::parse::<f64>`, which rounds correctly. The value is therefore the double
//! nearest to the exact product of the decimal as written and the unit's factor, for every unit
//! (`1.5m` is 90000 ms exactly, `0.3GB` the double nearest 300000000).
//!
//! A number that is already a double (a JSON number in metrics input, a column of a batch) is
//! taken as the shortest decimal that reads back as the same double: the number as written
//! whenever it had at most 15 significant digits (`87`, `99.9`, `0.7`).

/// Base units per one of a unit, exactly: `multiplier × 10^exponent`. Percent is `1 × 10⁻²`,
/// a minute `6 × 10⁴` ms, a KiB `1024 × 10⁰` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scale {
    /// The integer part of the factor (`1` for the powers of ten).
    pub multiplier: u64,
    /// The power of ten the multiplier is scaled by.
    pub exponent: i32,
}

/// `10^n` for `n` up to 22, the powers of ten a double holds exactly.
pub(super) const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Integers up to this magnitude are exact doubles.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

impl Scale {
    /// One base unit per unit: no conversion.
    pub const ONE: Scale = Scale::new(1, 0);

    /// `multiplier × 10^exponent` base units per unit.
    #[must_use]
    pub const fn new(multiplier: u64, exponent: i32) -> Scale {
        Scale {
            multiplier,
            exponent,
        }
    }

    /// The factor as the nearest double (exact for every unit but the percent, whose `0.01`
    /// is not a double). For display and estimates only: conversions go through
    /// [`Scale::to_base`] and [`Scale::decimal_to_base`].
    #[must_use]
    pub fn factor(self) -> f64 {
        self.exact_factor()
            .or_else(|| self.exact_divisor().map(|d| 1.0 / d))
            .unwrap_or_else(|| {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "an estimate; the multipliers of kiro's units are exact doubles"
                )]
                let m = self.multiplier as f64;
                m * 10f64.powi(self.exponent)
            })
    }

    /// The factor when it is an integer that a double holds exactly.
    fn exact_factor(self) -> Option<f64> {
        let power = *EXACT_POWERS.get(usize::try_from(self.exponent).ok()?)?;
        if self.multiplier >= 1 << 53 {
            return None;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "checked above: the multiplier is below 2^53"
        )]
        let product = self.multiplier as f64 * power;
        // Below 2^53 the rounded product is the exact one.
        (product < EXACT_INTEGERS).then_some(product)
    }

    /// `10^n` when the factor is `10^-n` with `n` at most 22.
    fn exact_divisor(self) -> Option<f64> {
        if self.multiplier != 1 {
            return None;
        }
        EXACT_POWERS
            .get(usize::try_from(self.exponent.checked_neg()?).ok()?)
            .copied()
    }

    /// `x` in this unit, converted to base units: the double nearest to the shortest decimal
    /// that reads back as `x`, times the factor. `87` in percent is exactly `0.87`, `1.1` in
    /// seconds exactly `1100`. NaN and infinities are returned scaled as they are.
    #[must_use]
    pub fn to_base(self, x: f64) -> f64 {
        if self == Scale::ONE {
            return x;
        }
        // An integer is its own shortest decimal, and an exact double: one multiplication by an
        // exact factor, or one division by an exact power of ten, rounds once.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_precision_loss,
            reason = "a round trip through i64 tells an integer below 2^53 (saturating, NaN is 0)"
        )]
        let integral = x.abs() < EXACT_INTEGERS && (x as i64) as f64 == x;
        if integral {
            if let Some(f) = self.exact_factor() {
                return x * f;
            }
            if let Some(d) = self.exact_divisor() {
                return x / d;
            }
        }
        if !x.is_finite() {
            return x * self.factor();
        }
        let Some((negative, mantissa, exponent)) = short_parts(x).or_else(|| {
            let mut buffer = zmij::Buffer::new();
            shortest_parts(buffer.format_finite(x))
        }) else {
            return f64::NAN;
        };
        from_parts(
            negative,
            u128::from(mantissa) * u128::from(self.multiplier),
            i64::from(exponent) + i64::from(self.exponent),
        )
    }

    /// `x` in base units shown in this unit: the inverse of [`Scale::to_base`]. Exact for the
    /// powers of ten (`0.7` is `70` percent); for other units `x` divided by the factor,
    /// rounded once.
    #[must_use]
    pub fn from_base(self, x: f64) -> f64 {
        if self == Scale::ONE {
            return x;
        }
        if self.multiplier == 1
            && let Some(inverse) = self.exponent.checked_neg()
        {
            return Scale::new(1, inverse).to_base(x);
        }
        x / self.factor()
    }

    /// The decimal number `text` in this unit, converted to base units with one rounding.
    /// `text` is an optional sign, digits with at most one decimal point, and an optional
    /// exponent (`e-3`); `None` when it is not. The result may be infinite (`1e400`).
    #[must_use]
    pub fn decimal_to_base(self, text: &str) -> Option<f64> {
        let decimal = Decimal::parse(text)?;
        let mut digits = decimal.digits;
        if self.multiplier != 1 {
            multiply(&mut digits, self.multiplier);
        }
        let exponent = decimal.exponent.saturating_add(i64::from(self.exponent));
        let mut scaled = String::with_capacity(digits.len() + 24);
        if decimal.negative {
            scaled.push('-');
        }
        if digits.is_empty() {
            scaled.push('0');
        } else {
            scaled.push_str(std::str::from_utf8(&digits).ok()?);
        }
        scaled.push('e');
        scaled.push_str(&exponent.to_string());
        scaled.parse().ok()
    }
}

/// How many decimals the shortest form of `x` has, when it has at most 15 significant digits and
/// at most 22 decimals (see [`short_parts`]).
pub(super) fn decimals(x: f64) -> Option<u32> {
    short_parts(x).map(|(_, _, exponent)| exponent.unsigned_abs())
}

/// The shortest decimal of `x` when it has at most 15 significant digits and at most 22
/// decimals (`87.31` is `8731 × 10⁻²`), found without formatting: the fewest decimals `k` for
/// which the integer `W` nearest `x × 10^k` gives back `x` as `W / 10^k` (one correctly rounded
/// division). A decimal of at most 15 significant digits is the only one of that length to read
/// as its double, so it is the shortest form. `None` for other values.
fn short_parts(x: f64) -> Option<(bool, u64, i32)> {
    const LIMIT: f64 = 1e15;
    let (negative, a) = (x < 0.0, x.abs());
    for (k, &power) in (0i32..).zip(EXACT_POWERS.iter()) {
        let scaled = a * power;
        if scaled >= LIMIT {
            return None;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a non-negative value below 10^15, rounded half up"
        )]
        let w = (scaled + 0.5) as u64;
        #[expect(clippy::cast_precision_loss, reason = "below 10^15: exact")]
        if w as f64 / power == a {
            return Some((negative, w, -k));
        }
    }
    None
}

/// The sign, digits and exponent of a double's shortest form as `zmij` writes it (`-1.25e-7`,
/// `87.31`, `1e300`): at most 17 digits, so the mantissa fits a `u64`.
fn shortest_parts(text: &str) -> Option<(bool, u64, i32)> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (number, written_exp) = match text.split_once(['e', 'E']) {
        Some((number, exp)) => (number, exp.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let mut mantissa: u64 = 0;
    let mut exponent = written_exp;
    let mut after_point = false;
    for b in number.bytes() {
        match b {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                if after_point {
                    exponent -= 1;
                }
            }
            _ => return None,
        }
    }
    Some((negative, mantissa, exponent))
}

/// The double nearest `±mantissa × 10^exponent`, rounded once.
fn from_parts(negative: bool, mantissa: u128, exponent: i64) -> f64 {
    let sign = if negative { -1.0 } else { 1.0 };
    // Clinger's fast path: an exact mantissa times or over an exact power of ten rounds once.
    if mantissa < 1 << 53
        && let Some(&power) = usize::try_from(exponent.unsigned_abs())
            .ok()
            .and_then(|e| EXACT_POWERS.get(e))
    {
        #[expect(clippy::cast_precision_loss, reason = "below 2^53: exact")]
        let m = mantissa as f64;
        return sign * if exponent < 0 { m / power } else { m * power };
    }
    // Otherwise the correctly rounded parse, from a text on the stack (at most 39 digits, `e`,
    // and an exponent of at most 20 characters).
    let mut text = [0u8; 64];
    let mut len = 0;
    let mut push = |b: u8| {
        if let Some(slot) = text.get_mut(len) {
            *slot = b;
            len += 1;
        }
    };
    if negative {
        push(b'-');
    }
    let mut digits = [0u8; 40];
    let mut count = 0;
    let mut m = mantissa;
    loop {
        if let Some(slot) = digits.get_mut(count) {
            *slot = b'0' + (m % 10) as u8;
        }
        count += 1;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    for &d in digits.iter().take(count).rev() {
        push(d);
    }
    push(b'e');
    if exponent < 0 {
        push(b'-');
    }
    let mut exp_digits = [0u8; 20];
    let mut exp_count = 0;
    let mut e = exponent.unsigned_abs();
    loop {
        if let Some(slot) = exp_digits.get_mut(exp_count) {
            *slot = b'0' + (e % 10) as u8;
        }
        exp_count += 1;
        e /= 10;
        if e == 0 {
            break;
        }
    }
    for &d in exp_digits.iter().take(exp_count).rev() {
        push(d);
    }
    std::str::from_utf8(text.get(..len).unwrap_or_default())
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(f64::NAN)
}

/// A decimal number: `digits × 10^exponent`, with a sign.
struct Decimal {
    negative: bool,
    /// ASCII digits without leading zeros (empty for zero).
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Reads `[+-]digits[.digits][(e|E)[+-]digits]`, with at least one digit before the
    /// exponent.
    fn parse(text: &str) -> Option<Decimal> {
        let bytes = text.as_bytes();
        let (negative, mut rest) = match bytes.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, bytes),
        };
        let mut digits = Vec::with_capacity(rest.len());
        let mut exponent: i64 = 0;
        let mut seen_digit = false;
        let mut seen_point = false;
        while let Some((&b, tail)) = rest.split_first() {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if !(digits.is_empty() && b == b'0') {
                        digits.push(b);
                    }
                    if seen_point {
                        exponent = exponent.saturating_sub(1);
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'e' | b'E' => break,
                _ => return None,
            }
            rest = tail;
        }
        if !seen_digit {
            return None;
        }
        if let Some((_, tail)) = rest.split_first() {
            let (sign, digits_text) = match tail.split_first() {
                Some((b'-', t)) => (-1, t),
                Some((b'+', t)) => (1, t),
                _ => (1, tail),
            };
            if digits_text.is_empty() || !digits_text.iter().all(u8::is_ascii_digit) {
                return None;
            }
            // Saturates far beyond any double: the value is then 0 or infinite either way.
            let written = digits_text.iter().fold(0i64, |n, &d| {
                n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            });
            exponent = exponent.saturating_add(sign * written.min(1 << 40));
        }
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }
}

/// Multiplies the decimal digits `digits` (most significant first) by `m` in place.
fn multiply(digits: &mut Vec<u8>, m: u64) {
    let mut carry: u128 = 0;
    for d in digits.iter_mut().rev() {
        let product = u128::from(*d - b'0') * u128::from(m) + carry;
        *d = b'0' + (product % 10) as u8;
        carry = product / 10;
    }
    let mut head = Vec::new();
    while carry > 0 {
        head.push(b'0' + (carry % 10) as u8);
        carry /= 10;
    }
    if !head.is_empty() {
        head.reverse();
        digits.splice(0..0, head);
    }
}
