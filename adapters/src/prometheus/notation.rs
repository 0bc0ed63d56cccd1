//! The series notation of `promtool test rules`: a series selector (`up{job="api"}`) and its
//! values (`0+10x100 _ stale`), as Prometheus' own test files write them.
//!
//! Values are separated by spaces:
//!
//! | term | values |
//! |---|---|
//! | `a` | `a` (a number: `1`, `-2.5`, `1e3`, `NaN`, `Inf`, `-Inf`) |
//! | `a+bxn` | `a`, `a+b`, …, `a+n·b`: n+1 values, each the one before plus `b` |
//! | `a-bxn` | `a`, `a-b`, …, `a-n·b` |
//! | `axn` | `a`, n+1 times |
//! | `_` | one missing sample |
//! | `_xn` | n missing samples |
//! | `stale` | a stale marker: the series ends here |
//!
//! Each value is computed from the one before by adding `b`, as promtool does, so the floats
//! are the same. Hexadecimal numbers are not read (promtool refuses them here too: `0x3` is
//! `0` three more times). Native histograms (`{{…}}`) are refused.

use kiro::{Code, Diagnostic, Span};

/// One value of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A sample with this value (may be NaN or infinite).
    Number(f64),
    /// No sample at this step (`_`).
    Missing,
    /// A stale marker (`stale`): the series has ended.
    Stale,
}

/// A diagnostic about the notation at `span` (offsets in the notation's own text).
fn bad(message: impl Into<String>, span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(Code::InputSyntax, message)
        .with_label(span, label)
        .with_help(
            "write values as promtool does: `1 2 3`, `0+10x100`, `5-1x4`, `_`, `_x3`, `stale`",
        )
}

/// Expands `text` into its values, each with the span of the term it came from (offsets in
/// `text`); at most `max` values.
///
/// # Errors
/// [`Code::InputSyntax`] for a term that is not a number, `_`, `stale` or an expansion, and
/// [`Code::TooLarge`] when the values would be more than `max`; each at its term.
pub fn expand(text: &str, max: usize) -> Result<Vec<(Value, Span)>, Diagnostic> {
    let mut out: Vec<(Value, Span)> = Vec::new();
    let mut at = 0;
    for term in text.split([' ', '\t', '\n', '\r']) {
        let span = Span::new(at, at + term.len());
        at += term.len() + 1;
        if term.is_empty() {
            continue;
        }
        if term.starts_with("{{") {
            return Err(bad(
                "native histograms (`{{…}}`) cannot be replayed",
                span,
                "a histogram",
            ));
        }
        let (head, times) = split_times(term);
        let count = match times {
            None => None,
            Some(n) => Some(n.parse::<usize>().map_err(|_| {
                bad(
                    format!("`{term}` repeats too many times"),
                    span,
                    "count too large",
                )
            })?),
        };
        let room = max.saturating_sub(out.len());
        let fits = |n: usize| {
            if n > room {
                Err(Diagnostic::error(
                    Code::TooLarge,
                    format!("the values expand to more than {max} samples"),
                )
                .with_label(span, "too many")
                .with_help("give a shorter series"))
            } else {
                Ok(())
            }
        };
        match (head, count) {
            ("_", None) => {
                fits(1)?;
                out.push((Value::Missing, span));
            }
            ("_", Some(n)) => {
                fits(n)?;
                out.extend(std::iter::repeat_n((Value::Missing, span), n));
            }
            ("stale", None) => {
                fits(1)?;
                out.push((Value::Stale, span));
            }
            (head, None) => {
                fits(1)?;
                out.push((Value::Number(number(head, span)?), span));
            }
            (head, Some(n)) => {
                let total = n.checked_add(1).ok_or_else(|| {
                    bad(
                        format!("`{term}` repeats too many times"),
                        span,
                        "count too large",
                    )
                })?;
                fits(total)?;
                let (start, step) = match split_step(head) {
                    Some((a, sign, b)) => {
                        let b = number(b, span)?;
                        (number(a, span)?, if sign == '-' { -b } else { b })
                    }
                    None => (number(head, span)?, 0.0),
                };
                let mut value = start;
                for _ in 0..total {
                    out.push((Value::Number(value), span));
                    value += step;
                }
            }
        }
    }
    Ok(out)
}

/// Splits `a+bx3` into `a+b` and `3`: a final `x` followed by digits only.
fn split_times(term: &str) -> (&str, Option<&str>) {
    match term.rfind('x') {
        Some(i)
            if i > 0 && i + 1 < term.len() && term[i + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            (&term[..i], Some(&term[i + 1..]))
        }
        _ => (term, None),
    }
}

/// Splits `a+b` (or `a-b`) at the sign that is neither leading nor an exponent's.
fn split_step(head: &str) -> Option<(&str, char, &str)> {
    let bytes = head.as_bytes();
    (1..bytes.len()).find_map(|i| {
        let c = bytes[i];
        let after_exponent = i >= 2
            && matches!(bytes[i - 1], b'e' | b'E')
            && (bytes[i - 2].is_ascii_digit() || bytes[i - 2] == b'.');
        ((c == b'+' || c == b'-') && !after_exponent)
            .then(|| (&head[..i], char::from(c), &head[i + 1..]))
    })
}

/// A number as promtool reads it: decimal (with an exponent), `NaN`, `Inf`, with a sign.
fn number(text: &str, span: Span) -> Result<f64, Diagnostic> {
    let digits = text.trim_start_matches(['+', '-']);
    let plain = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    let special = digits.eq_ignore_ascii_case("inf") || digits.eq_ignore_ascii_case("nan");
    if !(plain || special) || text.len() - digits.len() > 1 {
        return Err(bad(
            format!("`{text}` is not a number"),
            span,
            "not a number",
        ));
    }
    text.parse::<f64>()
        .map_err(|_| bad(format!("`{text}` is not a number"), span, "not a number"))
}

/// A series selector: `name`, `name{label="value", …}` or `{__name__="name", …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The metric name.
    pub name: String,
    /// The other labels, in the order written.
    pub labels: Vec<(String, String)>,
}

/// Reads a series selector as promtool's `series:` writes it.
///
/// # Errors
/// [`Code::InputSyntax`] at the place that does not read (offsets in `text`).
pub fn selector(text: &str) -> Result<Selector, Diagnostic> {
    let help = "write a series as promtool does: `http_requests_total{job=\"api\"}`";
    let err = |message: String, at: usize, end: usize, label: &str| {
        Diagnostic::error(Code::InputSyntax, message)
            .with_label(Span::new(at, end), label)
            .with_help(help)
    };
    let name_end = text
        .char_indices()
        .find(|&(i, c)| !is_name_char(c, i == 0, true))
        .map_or(text.len(), |(i, _)| i);
    let mut name = text[..name_end].to_owned();
    let rest = &text[name_end..];
    let mut labels = Vec::new();
    if !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('{') else {
            return Err(err(
                format!("`{text}` is not a series"),
                name_end,
                text.len(),
                "expected `{` or the end",
            ));
        };
        let at = name_end + 1;
        let mut chars = inner.char_indices().peekable();
        let mut closed = false;
        loop {
            while chars.next_if(|&(_, c)| c == ' ' || c == ',').is_some() {}
            let Some(&(i, c)) = chars.peek() else { break };
            if c == '}' {
                chars.next();
                closed = true;
                if let Some(&(j, _)) = chars.peek() {
                    return Err(err(
                        "text after the series' `}`".to_owned(),
                        at + j,
                        text.len(),
                        "unexpected",
                    ));
                }
                break;
            }
            let start = i;
            let mut key = String::new();
            while let Some((_, c)) = chars.next_if(|&(j, c)| is_name_char(c, j == start, false)) {
                key.push(c);
            }
            while chars.next_if(|&(_, c)| c == ' ').is_some() {}
            if key.is_empty() || chars.next_if(|&(_, c)| c == '=').is_none() {
                let here = chars.peek().map_or(inner.len(), |&(j, _)| j);
                return Err(err(
                    "a label is `name=\"value\"`".to_owned(),
                    at + start,
                    at + here.max(start),
                    "not a label",
                ));
            }
            while chars.next_if(|&(_, c)| c == ' ').is_some() {}
            let quote = match chars.next() {
                Some((_, q @ ('"' | '\''))) => q,
                other => {
                    let j = other.map_or(inner.len(), |(j, _)| j);
                    return Err(err(
                        format!("the value of label `{key}` is not quoted"),
                        at + j,
                        at + j,
                        "expected `\"`",
                    ));
                }
            };
            let mut value = String::new();
            let mut ended = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, e)) => value.push(e),
                        None => break,
                    },
                    c if c == quote => {
                        ended = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !ended {
                return Err(err(
                    format!("the value of label `{key}` is not closed"),
                    at + start,
                    text.len(),
                    "unclosed quote",
                ));
            }
            if key == "__name__" {
                name = value;
            } else {
                labels.push((key, value));
            }
        }
        if !closed {
            return Err(err(
                "the series' `{` is not closed".to_owned(),
                name_end,
                text.len(),
                "unclosed `{`",
            ));
        }
    }
    if name.is_empty() {
        return Err(err(
            format!("`{text}` names no metric"),
            0,
            text.len(),
            "no metric name",
        ));
    }
    Ok(Selector { name, labels })
}

/// Whether `c` may be in a metric name (`colon`) or label name at this place.
fn is_name_char(c: char, first: bool, colon: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (colon && c == ':') || (!first && c.is_ascii_digit())
}
