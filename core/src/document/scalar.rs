//! Plain YAML scalars resolved by the YAML 1.2 core schema.

use super::NodeKind;

/// What an unquoted YAML scalar means under the YAML 1.2 core schema: `null`, `~` and the empty
/// text are null; `true`/`false` (also capitalised or in capitals) are booleans; decimal, `0o`
/// octal and `0x` hexadecimal whole numbers are integers (decimals too large for 64 bits become
/// floats); decimals with a point or exponent, `.inf` and `.nan` are floats; anything else is
/// a string.
pub(crate) fn resolve_plain(text: &str) -> NodeKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeKind::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeKind::Float(f64::NAN),
        _ => {}
    }
    if let Some(digits) = text.strip_prefix("0o") {
        let octal = !digits.is_empty() && digits.bytes().all(|b| matches!(b, b'0'..=b'7'));
        return match i64::from_str_radix(digits, 8) {
            Ok(n) if octal => NodeKind::Integer(n),
            _ => NodeKind::String(text.to_owned()),
        };
    }
    if let Some(digits) = text.strip_prefix("0x") {
        let hex = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit());
        return match i64::from_str_radix(digits, 16) {
            Ok(n) if hex => NodeKind::Integer(n),
            _ => NodeKind::String(text.to_owned()),
        };
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(n) => NodeKind::Integer(n),
            // Only digits and a sign: too large for 64 bits, read as a float.
            Err(_) => text
                .parse::<f64>()
                .map_or_else(|_| NodeKind::String(text.to_owned()), NodeKind::Float),
        };
    }
    match text.parse::<f64>() {
        Ok(f) if is_core_float(unsigned) => NodeKind::Float(f),
        _ => NodeKind::String(text.to_owned()),
    }
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` (sign already removed).
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    let int_digits = count_digits(&bytes[i..]);
    i += int_digits;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let frac_digits = count_digits(&bytes[i..]);
        i += frac_digits;
        if int_digits == 0 && frac_digits == 0 {
            return false;
        }
    } else if int_digits == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_digits = count_digits(&bytes[i..]);
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == bytes.len()
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}
