//! Splits condition text into tokens.

use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::units::{self, Unit};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tok {
    /// A number with its optional unit suffix; `value` is as written, before the unit, and
    /// `base` the exact conversion of the text to base units.
    Number {
        value: f64,
        unit: Option<Unit>,
        base: f64,
    },
    /// A (possibly dotted) name; the text is the token's span.
    Ident,
    And,
    Or,
    Not,
    True,
    False,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
    Comma,
    /// The end of the text (an empty span at its length).
    End,
}

/// A token and where it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// The tokens of `src`, ending with [`Tok::End`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let (tok, end) = match (b, next) {
            (b'0'..=b'9', _) => lex_number(src, i)?,
            (b'a'..=b'z' | b'A'..=b'Z' | b'_', _) => lex_ident(src, i)?,
            (b'<', Some(b'=')) => (Tok::Le, i + 2),
            (b'<', _) => (Tok::Lt, i + 1),
            (b'>', Some(b'=')) => (Tok::Ge, i + 2),
            (b'>', _) => (Tok::Gt, i + 1),
            (b'=', Some(b'=')) => (Tok::EqEq, i + 2),
            (b'!', Some(b'=')) => (Tok::Ne, i + 2),
            (b'!', _) => (Tok::Not, i + 1),
            (b'&', Some(b'&')) => (Tok::And, i + 2),
            (b'|', Some(b'|')) => (Tok::Or, i + 2),
            (b'+', _) => (Tok::Plus, i + 1),
            (b'-', _) => (Tok::Minus, i + 1),
            (b'*', _) => (Tok::Star, i + 1),
            (b'/', _) => (Tok::Slash, i + 1),
            (b'(', _) => (Tok::LParen, i + 1),
            (b')', _) => (Tok::RParen, i + 1),
            (b',', _) => (Tok::Comma, i + 1),
            _ => {
                let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                if c.is_whitespace() {
                    i += c.len_utf8();
                    continue;
                }
                return Err(unexpected(src, i, c));
            }
        };
        tokens.push(Token {
            tok,
            span: Span::new(i, end),
        });
        i = end;
    }
    tokens.push(Token {
        tok: Tok::End,
        span: Span::new(src.len(), src.len()),
    });
    Ok(tokens)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of a run of digits starting at `i`; `_` is allowed between digits.
fn digits(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        let more =
            b.is_ascii_digit() || (b == b'_' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        if !more {
            break;
        }
        i += 1;
    }
    i
}

fn lex_number(src: &str, start: usize) -> Result<(Tok, usize), Diagnostic> {
    let bytes = src.as_bytes();
    let mut i = digits(bytes, start);
    if bytes.get(i) == Some(&b'.') {
        if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = digits(bytes, i + 1);
        } else {
            return Err(Diagnostic::error(
                Code::ConditionSyntax,
                format!("expected a digit after `{}`", &src[start..=i]),
            )
            .with_label(Span::new(i, i + 1), "a decimal point needs digits after it"));
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(bytes, j);
        }
    }
    let number_end = i;
    let text: String = src[start..number_end]
        .chars()
        .filter(|&c| c != '_')
        .collect();
    let value: f64 = text.parse().map_err(|_| {
        Diagnostic::error(Code::ConditionSyntax, format!("`{text}` is not a number"))
            .with_label(Span::new(start, number_end), "not a number")
    })?;
    let (unit, end) = match bytes.get(i) {
        Some(b'%') => (Some(Unit::PERCENT), i + 1),
        Some(&b) if is_name_start(b) => {
            let mut j = i;
            while bytes.get(j).copied().is_some_and(is_name_char) {
                j += 1;
            }
            let symbol = &src[i..j];
            match units::suffix_unit(symbol) {
                Some(unit) => (Some(unit), j),
                None => return Err(unknown_unit(symbol, Span::new(i, j))),
            }
        }
        _ => (None, i),
    };
    // The decimal point moves in the text; the one rounding is the parse's (`70%` is `0.7`).
    let base = unit.map_or(Some(value), |u| u.scale.decimal_to_base(&text));
    let base = base.unwrap_or(f64::INFINITY);
    if !value.is_finite() || !base.is_finite() {
        return Err(Diagnostic::error(
            Code::NonFinite,
            format!("number `{}` is too large", &src[start..end]),
        )
        .with_label(Span::new(start, end), "too large to represent"));
    }
    Ok((Tok::Number { value, unit, base }, end))
}

/// Common misspellings of unit suffixes, for help lines.
const UNIT_ALIASES: &[(&str, &str)] = &[
    ("pct", "%"),
    ("percent", "%"),
    ("msec", "ms"),
    ("msecs", "ms"),
    ("millis", "ms"),
    ("sec", "s"),
    ("secs", "s"),
    ("second", "s"),
    ("seconds", "s"),
    ("min", "m"),
    ("mins", "m"),
    ("minute", "m"),
    ("minutes", "m"),
    ("hr", "h"),
    ("hrs", "h"),
    ("hour", "h"),
    ("hours", "h"),
    ("day", "d"),
    ("days", "d"),
    ("byte", "B"),
    ("bytes", "B"),
];

fn unknown_unit(symbol: &str, span: Span) -> Diagnostic {
    let suggestion = UNIT_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(symbol))
        .map(|(_, unit)| *unit)
        .or_else(|| {
            units::SUFFIX_UNITS
                .iter()
                .map(|u| u.symbol)
                .find(|s| s.eq_ignore_ascii_case(symbol))
        })
        .or_else(|| did_you_mean(symbol, units::SUFFIX_UNITS.iter().map(|u| u.symbol)));
    let help = match suggestion {
        Some(unit) => format!("did you mean `{unit}`?"),
        None => {
            let all: Vec<String> = units::SUFFIX_UNITS
                .iter()
                .map(|u| format!("`{}`", u.symbol))
                .collect();
            format!("the units are {}", all.join(", "))
        }
    };
    Diagnostic::error(Code::UnknownUnit, format!("unknown unit `{symbol}`"))
        .with_label(span, "not a unit")
        .with_help(help)
}

fn lex_ident(src: &str, start: usize) -> Result<(Tok, usize), Diagnostic> {
    let bytes = src.as_bytes();
    let segment = |mut i: usize| {
        while bytes.get(i).copied().is_some_and(is_name_char) {
            i += 1;
        }
        i
    };
    let mut i = segment(start);
    while bytes.get(i) == Some(&b'.') {
        if bytes.get(i + 1).copied().is_some_and(is_name_start) {
            i = segment(i + 1);
        } else {
            return Err(Diagnostic::error(
                Code::ConditionSyntax,
                format!("expected a name after `{}`", &src[start..=i]),
            )
            .with_label(
                Span::new(i, i + 1),
                "a `.` in a metric name must be followed by a name",
            ));
        }
    }
    let tok = match &src[start..i] {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "true" => Tok::True,
        "false" => Tok::False,
        _ => Tok::Ident,
    };
    Ok((tok, i))
}

fn unexpected(src: &str, i: usize, c: char) -> Diagnostic {
    let span = Span::new(i, i + c.len_utf8());
    let next = src[span.end..].chars().next();
    let shown: String = if c.is_control() {
        c.escape_debug().collect()
    } else {
        c.to_string()
    };
    let diagnostic = Diagnostic::error(Code::ConditionSyntax, format!("unexpected `{shown}`"))
        .with_label(span, "not allowed here");
    let help = match (c, next) {
        ('=', Some('>')) => Some("did you mean `>=`?".to_owned()),
        ('=', Some('<')) => Some("did you mean `<=`?".to_owned()),
        ('=', _) => Some("use `==` to compare values".to_owned()),
        ('&', _) => Some("use `and` (or `&&`)".to_owned()),
        ('|', _) => Some("use `or` (or `||`)".to_owned()),
        ('%', _) => {
            Some("write the unit right after the number, without a space: `90%`".to_owned())
        }
        ('.', Some(d)) if d.is_ascii_digit() => {
            Some("write a digit before the decimal point, e.g. `0.5`".to_owned())
        }
        ('"' | '\'', _) => {
            Some("conditions compare metrics with numbers; there are no strings".to_owned())
        }
        _ => None,
    };
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
