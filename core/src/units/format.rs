//! Numbers and quantities as text: the one formatter behind explanations, renderings and
//! messages. The writers append to a caller's buffer (explanations build one string per
//! criterion); the `format_*` functions return a new `String`.

use super::{Dimension, Unit};

/// Formats `x` rounded to at most 6 decimals, in the fewest digits that show that rounded value,
/// with at least `min_decimals` decimals: `87` → `87.0` (with 1), `99.95`, `0.3` for
/// `0.30000000000000004`. Never uses exponent notation.
#[must_use]
pub fn format_number(x: f64, min_decimals: usize) -> String {
    let mut text = String::new();
    write_number(&mut text, x, min_decimals);
    text
}

/// Shows a base-unit value in `unit`: `0.87` as `87.0%`, `420` ms as `420ms`.
#[must_use]
pub fn format_in(value: f64, unit: Unit) -> String {
    let mut text = String::new();
    write_in(&mut text, value, unit);
    text
}

/// Shows a difference of base-unit values in `unit`, signed: `+3.0 points`, `-120ms`.
#[must_use]
pub fn format_delta(delta: f64, unit: Unit) -> String {
    let mut text = String::new();
    write_delta(&mut text, delta, unit);
    text
}

/// Appends [`format_in`]`(value, unit)`: a base-unit value shown in `unit`.
pub fn write_in(out: &mut String, value: f64, unit: Unit) {
    if unit.dimension == Dimension::Bool {
        out.push_str(if value != 0.0 { "true" } else { "false" });
        return;
    }
    write_number(out, unit.from_base(value), usize::from(unit.symbol == "%"));
    out.push_str(unit.symbol);
}

/// Appends a base-unit value shown in `unit` with every digit it has (the shortest decimal
/// that reads back as the value in `unit`), for a value too close to another for six decimals
/// to tell them apart: `70.00000000000001%`.
pub fn write_in_full(out: &mut String, value: f64, unit: Unit) {
    if unit.dimension == Dimension::Bool {
        return write_in(out, value, unit);
    }
    let shown = unit.from_base(value) + 0.0;
    let start = out.len();
    // `Display` prints the shortest round-trip digits, without an exponent.
    out.push_str(&shown.to_string());
    let decimals = out[start..]
        .find('.')
        .map_or(0, |dot| out.len() - start - dot - 1);
    if unit.symbol == "%" && decimals == 0 {
        out.push_str(".0");
    }
    out.push_str(unit.symbol);
}

/// Whether two base-unit values look the same when shown in `unit` to six decimals.
#[must_use]
pub fn same_when_shown(a: f64, b: f64, unit: Unit) -> bool {
    let round = |x: f64| (unit.from_base(x) * 1e6).round();
    round(a) == round(b)
}

/// Appends [`format_delta`]`(delta, unit)`: a signed difference, `+3.0 points` or `-120ms`.
/// A difference too small for six decimals is shown to two significant digits
/// (`+0.0000000000011 points`), never as a zero.
pub fn write_delta(out: &mut String, delta: f64, unit: Unit) {
    out.push(if delta < 0.0 { '-' } else { '+' });
    // A difference of two doubles is already rounded and has no decimal the user wrote, so one
    // division by the factor shows it as well as the exact decimal conversion of
    // `Unit::from_base`, at a fraction of the cost (that conversion of a long decimal such as
    // `0.9 - 0.873` dominated a whole check).
    let shown = (delta / unit.factor()).abs();
    let min_decimals = usize::from(unit.symbol == "%");
    if shown != 0.0 && shown < 5e-7 {
        // Two significant digits: the first nonzero digit is at decimal `-floor(log10)`.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "between 7 and 325 for a positive double below 5e-7"
        )]
        let decimals = (-shown.log10().floor()) as usize + 1;
        let text = format!("{shown:.decimals$}");
        out.push_str(text.trim_end_matches('0'));
    } else {
        write_number(out, shown, min_decimals);
    }
    if unit.symbol == "%" {
        out.push_str(" points");
    } else {
        out.push_str(unit.symbol);
    }
}

/// Appends [`format_number`]`(x, min_decimals)`, without formatting a float below 10^9.
///
/// Below 10^9, the number shown is `x` rounded to six decimals: the double `k / 1e6` for the
/// integer `k = round(x · 10^6)`, printed in its shortest round-trip form. `|k| < 10^15`, so
/// the decimal k·10⁻⁶ has at most 15 significant digits, and no other decimal of at most 15
/// digits rounds to the same double (`f64` holds 15 decimal digits exactly): the shortest form
/// is k·10⁻⁶ itself, which this writes from the integer's digits. Other values (and NaN) are
/// printed by `Display`.
pub fn write_number(out: &mut String, x: f64, min_decimals: usize) {
    if x.is_nan() || x.abs() >= 1e9 {
        return write_shortest(out, x, min_decimals);
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "an integral double below 10^15 in magnitude"
    )]
    let k = (x * 1e6).round() as i64;
    // Written backwards: the fraction without its trailing zeros, the point, the integer part,
    // the sign. At most 1 + 9 + 1 + 6 bytes.
    let mut text = Backwards::default();
    let (int, mut frac) = (k.unsigned_abs() / 1_000_000, k.unsigned_abs() % 1_000_000);
    let mut decimals = 0;
    if frac != 0 {
        decimals = 6;
        while frac % 10 == 0 {
            frac /= 10;
            decimals -= 1;
        }
        for _ in 0..decimals {
            text.push_digit(frac);
            frac /= 10;
        }
        text.push(b'.');
    }
    let mut n = int;
    loop {
        text.push_digit(n);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if k < 0 {
        text.push(b'-');
    }
    out.push_str(text.as_str());
    if decimals < min_decimals {
        if decimals == 0 {
            out.push('.');
        }
        out.extend(std::iter::repeat_n('0', min_decimals - decimals));
    }
}

/// A short ASCII text written from its end.
struct Backwards {
    bytes: [u8; 24],
    start: usize,
}

impl Default for Backwards {
    fn default() -> Self {
        Self {
            bytes: [0; 24],
            start: 24,
        }
    }
}

impl Backwards {
    fn push(&mut self, byte: u8) {
        if let Some(start) = self.start.checked_sub(1)
            && let Some(b) = self.bytes.get_mut(start)
        {
            *b = byte;
            self.start = start;
        }
    }

    /// Pushes the last decimal digit of `n`.
    fn push_digit(&mut self, n: u64) {
        self.push(b'0' + (n % 10) as u8);
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.get(self.start..).unwrap_or_default()).unwrap_or_default()
    }
}

/// [`write_number`] for values from 10^9 and NaN (and, in tests, for any value): `x` rounded
/// to six decimals below 10^9, printed in its shortest round-trip form.
fn write_shortest(out: &mut String, x: f64, min_decimals: usize) {
    // Below 1e9, `k / 1e6` is the double nearest the decimal k·10⁻⁶, whose shortest round-trip
    // form (what `Display` prints) is that decimal.
    let rounded = if x.abs() < 1e9 {
        (x * 1e6).round() / 1e6
    } else {
        x
    };
    // `+ 0.0` turns `-0` into `0`.
    let text = (rounded + 0.0).to_string();
    let decimals = text.find('.').map_or(0, |dot| text.len() - dot - 1);
    out.push_str(&text);
    if decimals < min_decimals {
        if decimals == 0 {
            out.push('.');
        }
        out.extend(std::iter::repeat_n('0', min_decimals - decimals));
    }
}

#[cfg(test)]
mod tests {
    use super::{write_number, write_shortest};
    use crate::units::{Unit, suffix_unit};

    /// The integer writer gives the shortest round-trip form of the rounded value at every
    /// magnitude a unit shows, at rounding ties and around the 10^9 switch.
    #[test]
    fn the_integer_writer_matches_the_shortest_round_trip_form() {
        let mut units = vec![Unit::NONE, Unit::PERCENT, Unit::MS, Unit::BYTES, Unit::BOOL];
        units.extend(["KB", "s", "MiB"].iter().filter_map(|u| suffix_unit(u)));
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.87,
            0.9995,
            0.03,
            1e-7,
            -1e-7,
            4e-7,
            5e-7,
            -5e-7,
            6e-7,
            1.5e-6,
            2.5e-6,
            0.1 + 0.2,
            123.456_789_5,
            999_999_999.999_999,
            999_999_999.999_999_9,
            1e9,
            -1e9,
            1e15,
            1e300,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mantissas at decimal scales from 10^-9 to 10^11, both signs.
            #[expect(clippy::cast_precision_loss, reason = "test values")]
            let mantissa = (x >> 11) as f64 / (1u64 << 53) as f64;
            let scale = 10f64.powi(i32::try_from(x % 21).unwrap_or(0) - 9);
            let sign = if x & 1 == 0 { 1.0 } else { -1.0 };
            values.push(sign * mantissa * scale);
        }
        for unit in units {
            for &v in &values {
                // As `write_in` and `write_delta` show it.
                let x = unit.from_base(v);
                for min_decimals in 0..3 {
                    let mut fast = String::from("x");
                    write_number(&mut fast, x, min_decimals);
                    let mut reference = String::from("x");
                    write_shortest(&mut reference, x, min_decimals);
                    assert_eq!(fast, reference, "{x:e} with {min_decimals} decimals");
                }
            }
        }
    }
}
