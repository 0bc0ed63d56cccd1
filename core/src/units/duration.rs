//! Durations as written in a policy (`90s`, `10m`, `1h30m`, `1.5h`: a stage's timeout, a
//! trigger's `for`, a window's span) and as shown (`1h30m`).

use crate::diagnostic::{Code, Diagnostic};
use crate::document::Spanned;
use crate::units::{Dimension, parse_quantity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A duration as written: `90s`, `10m`, `1h30m`, `2d`; a bare number is only valid as `0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DurationDecl {
    /// A number with a unit.
    Text(
        #[schemars(regex(pattern = r"^\s*(?:0|(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+)\s*$"))]
        String,
    ),
    /// A bare number (only `0` is a duration without a unit).
    Number(#[schemars(range(min = 0.0, max = 0.0))] f64),
}

impl std::fmt::Display for DurationDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurationDecl::Text(text) => f.write_str(text),
            DurationDecl::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Reads a declared duration into milliseconds, as [`parse_duration`] reads text; a bare
/// number is a duration only when it is `0`.
///
/// # Errors
/// [`Code::InvalidValue`] pointed at the declaration, naming the key (`what`) it was given for.
pub fn duration_ms(decl: &Spanned<DurationDecl>, what: &str) -> Result<u64, Diagnostic> {
    let parsed = match &decl.value {
        DurationDecl::Text(text) => parse_duration(text),
        DurationDecl::Number(n) => parse_duration(&n.to_string()),
    };
    parsed.map_err(|help| {
        Diagnostic::error(
            Code::InvalidValue,
            format!("`{}` is not a duration for `{what}`", decl.value),
        )
        .with_label(decl.span, "not a duration")
        .with_help(help)
    })
}

/// The longest duration a policy may name: 100 years, in milliseconds.
pub const MAX_DURATION_MS: u64 = 100 * 365 * 86_400_000;

/// Reads a duration into milliseconds: one or more numbers with a unit (`ms`, `s`, `m`, `h`,
/// `d`), written together (`1h30m`); `0` alone needs no unit.
///
/// # Errors
/// A help line saying what to write, when the text is not such a duration or is longer than
/// [`MAX_DURATION_MS`].
pub fn parse_duration(text: &str) -> Result<u64, String> {
    const HELP: &str = "write a number with a unit: `500ms`, `90s`, `10m`, `1h30m` or `2d`";
    // The common case first: it has no spaces to trim.
    if let Some(ms) = simple(text) {
        return Ok(ms);
    }
    let text = text.trim();
    if text == "0" {
        return Ok(0);
    }
    if let Some(ms) = simple(text) {
        return Ok(ms);
    }
    if text.is_empty() {
        return Err(HELP.into());
    }
    let mut total = 0.0_f64;
    let mut rest = text;
    while !rest.is_empty() {
        // A part runs to where a digit follows a letter: `1h30m` is `1h` and `30m`.
        let bytes = rest.as_bytes();
        let end = (1..bytes.len())
            .find(|&i| bytes[i].is_ascii_digit() && bytes[i - 1].is_ascii_alphabetic())
            .unwrap_or(bytes.len());
        let (part, tail) = rest.split_at(end);
        match parse_quantity(part) {
            Ok(q) if q.unit.dimension == Dimension::Duration && q.value >= 0.0 => {
                total += q.value;
            }
            _ => return Err(HELP.into()),
        }
        rest = tail;
    }
    if !total.is_finite() || total > MAX_DURATION_MS as f64 {
        return Err("a duration may be at most 100 years".into());
    }
    // Whole milliseconds: `1.5ms` is 2ms.
    Ok(total.round() as u64)
}

/// The common case without allocating: whole digits and one unit (`90s`, `10m`, `250ms`).
fn simple(text: &str) -> Option<u64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 12 {
        return None;
    }
    let (number, unit) = text.split_at(digits);
    let factor = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    let ms = number.parse::<u64>().ok()?.checked_mul(factor)?;
    (ms <= MAX_DURATION_MS).then_some(ms)
}

/// Shows milliseconds as a duration: `0s`, `250ms`, `45s`, `1m30s`, `2h`, `1d4h`.
#[must_use]
pub fn format_duration(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    const PARTS: [(u64, &str); 5] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ];
    let mut out = String::new();
    let mut rest = ms;
    for (size, unit) in PARTS {
        let n = rest / size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest -= n * size;
        }
    }
    out
}

/// Shows a measured time, rounded for reading: `850ms`, `12.3s`, `4m10s`.
#[must_use]
pub fn format_elapsed(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1_000.0)
    } else {
        format_duration(ms / 1_000 * 1_000)
    }
}
