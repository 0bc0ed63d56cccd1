//! The JSON reader: a small iterative parser for strict JSON (RFC 8259).
//!
//! Why not a crate: `serde_json` gives no spans for values, and the span-giving parsers
//! (`jsonc-parser` and the like) build their trees by recursion, so 100,000 nested brackets
//! would overflow the stack before a depth limit could stop them. Strict JSON is small enough
//! to read with a loop and an explicit stack ([`Builder`]), which also gives exact byte spans,
//! the depth limit at the bracket that crosses it and kiro-style messages.

use super::builder::{Builder, Container};
use super::{Format, Limits, Node, NodeKind, Spanned, char_span, syntax};
use crate::diagnostic::{Diagnostic, Span};

/// Reads JSON text (already checked against the size limit).
pub(super) fn parse(text: &str, limits: &Limits) -> Result<Node, Diagnostic> {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut parser = JsonParser {
        text,
        bytes: text.as_bytes(),
        pos: start,
        builder: Builder::new(limits),
    };
    parser.run()?;
    let at = char_span(text, parser.pos);
    match parser.builder.finish()? {
        Some(root) => Ok(root),
        None => Err(syntax(
            Format::Json,
            "expected a value, found the end of the text",
            at,
        )),
    }
}

/// What the parser expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value (at the top, after `:` or after `,` in a sequence).
    Value,
    /// A value or `]` (just after `[`).
    ValueOrClose,
    /// A key or `}` (just after `{`).
    KeyOrClose,
    /// A key (after `,` in a map).
    Key,
    /// `,` or the closing bracket of the innermost collection, or the end of the text.
    Next,
}

struct JsonParser<'t, 'l> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    builder: Builder<'l>,
}

impl JsonParser<'_, '_> {
    fn run(&mut self) -> Result<(), Diagnostic> {
        let mut expect = Expect::Value;
        loop {
            self.skip_whitespace();
            let Some(&byte) = self.bytes.get(self.pos) else {
                return match expect {
                    Expect::Next if self.builder.depth() == 0 => Ok(()),
                    Expect::Next | Expect::ValueOrClose | Expect::KeyOrClose | Expect::Key => {
                        Err(self.error("unexpected end of the text; a bracket is not closed"))
                    }
                    Expect::Value => Err(self.error("expected a value, found the end of the text")),
                };
            };
            expect = match expect {
                Expect::Value | Expect::ValueOrClose => {
                    if expect == Expect::ValueOrClose && byte == b']' {
                        self.pos += 1;
                        self.close()?
                    } else {
                        self.value(byte)?
                    }
                }
                Expect::KeyOrClose | Expect::Key => {
                    if expect == Expect::KeyOrClose && byte == b'}' {
                        self.pos += 1;
                        self.close()?
                    } else if byte == b'"' {
                        let (key, span) = self.string()?;
                        self.builder.key(Spanned::new(span, key));
                        self.skip_whitespace();
                        if self.bytes.get(self.pos) != Some(&b':') {
                            return Err(self.unexpected("expected `:` after a key"));
                        }
                        self.pos += 1;
                        Expect::Value
                    } else if expect == Expect::Key && byte == b'}' {
                        return Err(self.error("trailing comma before `}`"));
                    } else {
                        return Err(self.unexpected("expected a key in double quotes"));
                    }
                }
                Expect::Next => {
                    if self.builder.depth() == 0 {
                        return Err(self.unexpected("expected the end of the text after the value"));
                    }
                    let in_map = self.in_map();
                    match byte {
                        b',' => {
                            self.pos += 1;
                            if in_map {
                                Expect::Key
                            } else {
                                self.skip_whitespace();
                                if self.bytes.get(self.pos) == Some(&b']') {
                                    return Err(self.error("trailing comma before `]`"));
                                }
                                Expect::Value
                            }
                        }
                        b'}' if in_map => {
                            self.pos += 1;
                            self.close()?
                        }
                        b']' if !in_map => {
                            self.pos += 1;
                            self.close()?
                        }
                        _ if in_map => return Err(self.unexpected("expected `,` or `}`")),
                        _ => return Err(self.unexpected("expected `,` or `]`")),
                    }
                }
            };
        }
    }

    /// Whether the innermost open collection is a map.
    fn in_map(&self) -> bool {
        self.builder.innermost() == Some(Container::Map)
    }

    /// Reads a value starting with `byte`; returns what comes after it.
    fn value(&mut self, byte: u8) -> Result<Expect, Diagnostic> {
        let start = self.pos;
        match byte {
            b'{' => {
                self.builder
                    .open(Container::Map, Span::new(start, start + 1), 0)?;
                self.pos += 1;
                return Ok(Expect::KeyOrClose);
            }
            b'[' => {
                self.builder
                    .open(Container::Seq, Span::new(start, start + 1), 0)?;
                self.pos += 1;
                return Ok(Expect::ValueOrClose);
            }
            b'"' => {
                let (value, span) = self.string()?;
                self.builder
                    .value(Node::new(span, NodeKind::String(value)))?;
            }
            b't' => self.literal("true", NodeKind::Bool(true))?,
            b'f' => self.literal("false", NodeKind::Bool(false))?,
            b'n' => self.literal("null", NodeKind::Null)?,
            b'-' | b'0'..=b'9' => {
                let node = self.number()?;
                self.builder.value(node)?;
            }
            _ => return Err(self.unexpected("expected a value")),
        }
        Ok(Expect::Next)
    }

    fn close(&mut self) -> Result<Expect, Diagnostic> {
        let (node, _) = self.builder.close(Some(self.pos))?;
        self.builder.value(node)?;
        Ok(Expect::Next)
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> Result<(), Diagnostic> {
        let start = self.pos;
        if self.bytes[start..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            if self
                .bytes
                .get(self.pos)
                .is_some_and(|b| b.is_ascii_alphanumeric())
            {
                return Err(self.bad_word(start));
            }
            self.builder
                .value(Node::new(Span::new(start, self.pos), kind))
        } else {
            Err(self.bad_word(start))
        }
    }

    /// An error for an unquoted word that is not `true`, `false` or `null`.
    fn bad_word(&self, start: usize) -> Diagnostic {
        let len = self.bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
            .max(1);
        let end = start + len;
        let word = self.text.get(start..end).unwrap_or("");
        syntax(
            Format::Json,
            &format!("expected a value, found `{word}`"),
            Span::new(start, end),
        )
        .with_help("strings are written in double quotes")
    }

    /// Reads a number: `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        let mut i = start;
        if self.bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_digits = self.digits_at(i);
        if int_digits == 0 {
            self.pos = i;
            return Err(self.unexpected("expected a digit"));
        }
        if int_digits > 1 && self.bytes[i] == b'0' {
            self.pos = i;
            return Err(self.error("a number must not start with `0`"));
        }
        i += int_digits;
        let mut integer = true;
        if self.bytes.get(i) == Some(&b'.') {
            integer = false;
            i += 1;
            let frac = self.digits_at(i);
            if frac == 0 {
                self.pos = i;
                return Err(self.unexpected("expected a digit after `.`"));
            }
            i += frac;
        }
        if matches!(self.bytes.get(i), Some(b'e' | b'E')) {
            integer = false;
            i += 1;
            if matches!(self.bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp = self.digits_at(i);
            if exp == 0 {
                self.pos = i;
                return Err(self.unexpected("expected a digit in the exponent"));
            }
            i += exp;
        }
        self.pos = i;
        let span = Span::new(start, i);
        let literal = self.text.get(start..i).unwrap_or("0");
        let kind = match (integer, literal.parse::<i64>()) {
            (true, Ok(n)) => NodeKind::Integer(n),
            // The grammar above is a subset of what `f64::from_str` accepts.
            _ => match literal.parse::<f64>() {
                Ok(x) if x.is_finite() => NodeKind::Float(x),
                // As serde_json: a number too large for a double is an error, not infinity.
                _ => return Err(syntax(Format::Json, "number out of range", span)),
            },
        };
        Ok(Node::new(span, kind))
    }

    fn digits_at(&self, at: usize) -> usize {
        self.bytes.get(at..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    }

    /// Reads a string starting at the `"` at `self.pos`; returns it and its span (quotes
    /// included).
    fn string(&mut self) -> Result<(String, Span), Diagnostic> {
        let start = self.pos;
        let mut i = start + 1;
        let mut out = String::new();
        let mut run = i;
        loop {
            let Some(&byte) = self.bytes.get(i) else {
                self.pos = i;
                return Err(syntax(
                    Format::Json,
                    "a string is not closed",
                    Span::new(start, start + 1),
                ));
            };
            match byte {
                b'"' => {
                    out.push_str(&self.text[run..i]);
                    self.pos = i + 1;
                    return Ok((out, Span::new(start, i + 1)));
                }
                b'\\' => {
                    out.push_str(&self.text[run..i]);
                    let escape_start = i;
                    i += 1;
                    let Some(&kind) = self.bytes.get(i) else {
                        continue;
                    };
                    i += 1;
                    match kind {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let (c, next) = self.unicode_escape(escape_start)?;
                            out.push(c);
                            i = next;
                        }
                        _ => {
                            let end = char_span(self.text, i - 1).end;
                            let found = self.text.get(escape_start..end).unwrap_or("\\");
                            return Err(syntax(
                                Format::Json,
                                &format!("invalid escape `{found}` in a string"),
                                Span::new(escape_start, end),
                            ));
                        }
                    }
                    run = i;
                }
                0x00..=0x1f => {
                    return Err(syntax(
                        Format::Json,
                        "a control character in a string must be escaped",
                        Span::new(i, i + 1),
                    )
                    .with_help("write `\\n` for a line break and `\\t` for a tab"));
                }
                _ => i += 1,
            }
        }
    }

    /// Reads `\uXXXX` (and the low half of a surrogate pair) starting at the backslash at
    /// `at`; returns the character and the position after the escape.
    fn unicode_escape(&self, at: usize) -> Result<(char, usize), Diagnostic> {
        let high = self.hex4(at)?;
        if !(0xD800..0xE000).contains(&high) {
            // INVARIANT: not a surrogate, so a valid scalar value.
            return Ok((char::from_u32(high).unwrap_or('\u{fffd}'), at + 6));
        }
        let bad = || {
            syntax(
                Format::Json,
                "a `\\u` escape is half of a surrogate pair without the other half",
                Span::new(at, at + 6),
            )
        };
        if high >= 0xDC00 || self.bytes.get(at + 6..at + 8) != Some(b"\\u".as_slice()) {
            return Err(bad());
        }
        let low = self.hex4(at + 6)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(bad());
        }
        let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        Ok((char::from_u32(c).unwrap_or('\u{fffd}'), at + 12))
    }

    /// The four hex digits after the `\u` at `at`.
    fn hex4(&self, at: usize) -> Result<u32, Diagnostic> {
        let digits = self
            .bytes
            .get(at + 2..at + 6)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit));
        let Some(digits) = digits else {
            let end = char_span(self.text, (at + 2).min(self.text.len())).end;
            return Err(syntax(
                Format::Json,
                "a `\\u` escape needs four hexadecimal digits",
                Span::new(at, end),
            ));
        };
        Ok(digits
            .iter()
            .fold(0, |acc, d| acc * 16 + u32::from(hex_value(*d))))
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// A syntax error at the current position.
    fn error(&self, message: &str) -> Diagnostic {
        syntax(Format::Json, message, char_span(self.text, self.pos))
    }

    /// A syntax error at the current position, naming what was found there.
    fn unexpected(&self, expected: &str) -> Diagnostic {
        let span = char_span(self.text, self.pos);
        let found = match self.text.get(span.start..span.end) {
            None | Some("") => "the end of the text".to_owned(),
            Some(c) if c.chars().all(char::is_control) => format!("`{}`", c.escape_debug()),
            Some(c) => format!("`{c}`"),
        };
        let help = match found.as_str() {
            "`'`" => Some("strings are written in double quotes"),
            "`/`" | "`#`" => Some("JSON has no comments"),
            _ => None,
        };
        let diagnostic = syntax(Format::Json, &format!("{expected}, found {found}"), span);
        match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}
