//! Reading YAML, JSON and TOML text into a tree that remembers where every value was written.
//!
//! [`parse`] reads text into a [`Node`] tree whose every value and every map key carries the
//! byte [`Span`] it was written at; [`deserialize`] reads a tree into any serde type (with
//! [`Spanned`] fields receiving their spans), and [`load`] does both.
//!
//! The readers never panic and never recurse on the input's nesting: the text size is checked
//! first ([`Limits::max_bytes`]), nesting deeper than [`Limits::max_depth`] is rejected while
//! reading, and the tree is only ever as deep as that limit.
//!
//! YAML anchors and aliases are supported: an alias is replaced by a copy of the anchored value
//! (the copy's outermost value points at the alias, the values inside it at the anchor). To
//! guard against "billion laughs" input, aliases may copy at most [`MAX_ALIAS_NODES`] values in
//! all, and an alias may not make the tree deeper than the depth limit.

mod builder;
mod collect;
mod de;
mod json;
mod scalar;
mod spanned;
mod toml;
mod yaml;

#[cfg(test)]
mod tests;

pub use collect::{Collected, Cut, MAX_SHAPE_ERRORS, deserialize_all};
pub use spanned::Spanned;

pub(crate) use scalar::resolve_plain;

use crate::diagnostic::{Code, Diagnostic, Span};
use serde::de::DeserializeOwned;
use std::fmt;

/// How many values YAML aliases may copy into one document, in all.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A text format kiro reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// YAML 1.2.
    Yaml,
    /// JSON (RFC 8259, strict: no comments, no trailing commas).
    Json,
    /// TOML 1.0.
    Toml,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = &[Format::Yaml, Format::Json, Format::Toml];

    /// The format a file extension (without the dot, any case) stands for: `yaml`, `yml`,
    /// `json` or `toml`.
    #[must_use]
    pub fn from_extension(ext: &str) -> Option<Format> {
        let ext = ext.trim_start_matches('.');
        if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") {
            Some(Format::Yaml)
        } else if ext.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else if ext.eq_ignore_ascii_case("toml") {
            Some(Format::Toml)
        } else {
            None
        }
    }

    /// The format named `name` (`yaml`, `json` or `toml`, any case).
    #[must_use]
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Guesses the format of `text`: JSON if it starts with `{` or `[` (unless the first line is
    /// a TOML table header such as `[gates]`), TOML if a `key = value` line or a table header
    /// comes before any YAML-looking line, YAML otherwise.
    #[must_use]
    pub fn detect(text: &str) -> Format {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            return Format::Json;
        }
        if trimmed.starts_with('[') {
            let first_line = trimmed.lines().next().unwrap_or("");
            return if is_toml_header(first_line) {
                Format::Toml
            } else {
                Format::Json
            };
        }
        for line in text.lines().take(200) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line == "---" || line.starts_with("--- ") || line.starts_with("%") {
                return Format::Yaml;
            }
            if line.starts_with("- ") || line == "-" {
                return Format::Yaml;
            }
            if is_toml_header(line) || is_toml_key_value(line) {
                return Format::Toml;
            }
            if line.contains(": ") || line.ends_with(':') {
                return Format::Yaml;
            }
        }
        Format::Yaml
    }

    /// The format's name: `yaml`, `json` or `toml`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Toml => "toml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[name]`, `[[name]]`, `[a.b]`, possibly followed by a comment.
fn is_toml_header(line: &str) -> bool {
    let line = line.trim();
    let inner = line.trim_start_matches('[').trim_start();
    let Some(first) = inner.chars().next() else {
        return false;
    };
    // A quoted first key (`["a"]`) is left to JSON.
    if !(first.is_ascii_alphabetic() || first == '_') {
        return false;
    }
    // `[true]`, `[null, 1]` and the like are JSON arrays.
    let word: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if matches!(word.as_str(), "true" | "false" | "null") {
        return false;
    }
    let body = line.split(" #").next().unwrap_or(line).trim_end();
    body.ends_with(']') && !body.contains(',')
}

/// `key = value`, `dotted.key = value`, `"quoted" = value`.
fn is_toml_key_value(line: &str) -> bool {
    let Some((key, _)) = line.split_once('=') else {
        return false;
    };
    let key = key.trim();
    let quoted = |q: char| key.len() >= 2 && key.starts_with(q) && key.ends_with(q);
    !key.is_empty()
        && !key.contains(':')
        && (quoted('"')
            || quoted('\'')
            || key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ')))
}

/// A value read from a document, with the byte span it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value was written (for collections: from the opening to the closing bracket,
    /// or from the first to the last entry of a YAML block collection).
    pub span: Span,
    /// The value.
    pub kind: NodeKind,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number that fits 64 bits.
    Integer(i64),
    /// Any other number (may be infinite or NaN in YAML and TOML).
    Float(f64),
    /// A string (TOML datetimes are read as their text).
    String(String),
    /// A sequence (array).
    Seq(Vec<Node>),
    /// A map (object, table), in document order, keys unique.
    Map(Vec<(Spanned<String>, Node)>),
}

impl Node {
    /// A node of `kind` written at `span`.
    #[must_use]
    pub fn new(span: Span, kind: NodeKind) -> Self {
        Self { span, kind }
    }

    /// What the value is, for messages: `null`, `a boolean`, `a number`, `a string`,
    /// `a sequence` or `a map`.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        self.kind.describe()
    }

    /// The value under `key`, if this is a map that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.value == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl NodeKind {
    /// What the value is, for messages: `null`, `a boolean`, `a number`, `a string`,
    /// `a sequence` or `a map`.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Integer(_) | NodeKind::Float(_) => "a number",
            NodeKind::String(_) => "a string",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Map(_) => "a map",
        }
    }
}

/// How much input the readers accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest text, in bytes.
    pub max_bytes: usize,
    /// The deepest nesting of sequences and maps (the outermost collection is level 1).
    pub max_depth: usize,
}

impl Default for Limits {
    /// 16 MiB, 64 levels.
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// Reads `text` in `format` into a tree.
///
/// # Errors
/// [`Code::TooLarge`] for text larger than `limits.max_bytes` or nested deeper than
/// `limits.max_depth` (checked before anything deeper is built); [`Code::Syntax`] for text that
/// is not well-formed, with the span of the error; [`Code::DuplicateName`] for a map that has a
/// key twice, labelling both; [`Code::InvalidValue`] for YAML that kiro cannot represent (a
/// sequence or map as a map key, an alias to the value that contains it).
pub fn parse(text: &str, format: Format, limits: &Limits) -> Result<Node, Diagnostic> {
    if text.len() > limits.max_bytes {
        return Err(Diagnostic::error(
            Code::TooLarge,
            format!(
                "the {} text is {} bytes, more than the limit of {} bytes",
                format.as_str(),
                text.len(),
                limits.max_bytes
            ),
        )
        .with_label(Span::new(0, 0), "too large"));
    }
    match format {
        Format::Yaml => yaml::parse(text, limits),
        Format::Json => json::parse(text, limits),
        Format::Toml => toml::parse(text, limits),
    }
}

/// Reads a tree into `T`. Fields of type [`Spanned`] receive the span of their value.
///
/// # Errors
/// A diagnostic with the span of the value at fault: [`Code::UnknownField`] for a key `T` does
/// not have (with a "did you mean" help when one is close), [`Code::InvalidValue`] for a value
/// of the wrong type or out of range, an unknown enum value, or a missing key (labelled at the
/// enclosing map).
pub fn deserialize<T: DeserializeOwned>(node: &Node) -> Result<T, Diagnostic> {
    de::from_node(node)
}

/// Reads `text` in `format` into `T`: [`parse`] then [`deserialize`].
///
/// # Errors
/// As [`parse`] and [`deserialize`].
pub fn load<T: DeserializeOwned>(
    text: &str,
    format: Format,
    limits: &Limits,
) -> Result<T, Diagnostic> {
    let node = parse(text, format, limits)?;
    deserialize(&node)
}

/// The diagnostic for nesting deeper than the limit, at `span`.
fn too_deep(span: Span, limits: &Limits) -> Diagnostic {
    Diagnostic::error(
        Code::TooLarge,
        format!(
            "the document is nested more than {} levels deep",
            limits.max_depth
        ),
    )
    .with_label(span, "too deeply nested")
}

/// The diagnostic for malformed text: `message` from a parser, cleaned up to kiro's style.
fn syntax(format: Format, message: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        format!("invalid {}: {}", format.as_str(), clean_message(message)),
    )
    .with_label(span, "here")
}

/// The diagnostic for a key written twice in one map.
fn duplicate_key(key: &str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::error(Code::DuplicateName, format!("duplicate key `{key}`"))
        .with_label(second, "written again here")
        .with_label(first, "first written here")
}

/// A parser's message in kiro's style: lowercase start, no trailing period, `'x'` quoting
/// turned into backticks.
pub(crate) fn clean_message(message: &str) -> String {
    let message = message.trim().trim_end_matches('.').trim_end();
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        if first {
            first = false;
            // Keep acronyms (`YAML`) as written.
            if c.is_uppercase() && !chars.peek().is_some_and(|n| n.is_uppercase()) {
                out.extend(c.to_lowercase());
                continue;
            }
        }
        out.push(c);
    }
    requote(&out)
}

/// Turns `'x'` (a single quoted character or short token) into `` `x` ``.
fn requote(message: &str) -> String {
    // `` `x' `` (as saphyr writes it) first, then `'x'`.
    quote_pairs(&quote_pairs(message, '`', '\''), '\'', '\'')
}

/// `message` with every short word (at most 8 bytes, no space) written between `open` and
/// `close` written between backticks instead.
fn quote_pairs(message: &str, open: char, close: char) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(open) {
        let after = &rest[at + open.len_utf8()..];
        match after.find([close, '`']) {
            Some(end)
                if end > 0
                    && end <= 8
                    && after[end..].starts_with(close)
                    && !after[..end].contains(' ') =>
            {
                out.push_str(&rest[..at]);
                out.push('`');
                out.push_str(&after[..end]);
                out.push('`');
                rest = &after[end + close.len_utf8()..];
            }
            _ => {
                out.push_str(&rest[..at + open.len_utf8()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The span of the character at byte `pos` of `text` (empty at the end of the text), for
/// pointing at an error position.
fn char_span(text: &str, pos: usize) -> Span {
    let pos = floor_char_boundary(text, pos.min(text.len()));
    let len = text[pos..].chars().next().map_or(0, char::len_utf8);
    Span::new(pos, pos + len)
}

/// The largest char boundary of `text` at or before `pos`.
fn floor_char_boundary(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}
