//! Label matchers, as Alertmanager writes them: `name="value"`, `name!="value"`,
//! `name=~"regex"`, `name!~"regex"` (quotes optional). Regular expressions are anchored at
//! both ends; a label the alert does not have matches as the empty string.

use crate::diagnostic::{Code, Diagnostic, Span};
use regex::Regex;
use std::collections::BTreeMap;

/// An alert's labels.
pub type Labels = BTreeMap<String, String>;

/// How a matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    Re,
    /// `!~`
    NotRe,
}

impl MatchOp {
    fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        }
    }
}

/// One compiled matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The label.
    pub name: String,
    /// The comparison.
    pub op: MatchOp,
    /// The value or the regular expression as written.
    pub value: String,
    regex: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op.as_str(), self.value)
    }
}

/// The longest regular expression a matcher may hold, in bytes.
const MAX_REGEX_LEN: usize = 1000;

impl Matcher {
    /// Reads a matcher written `name op value`.
    ///
    /// # Errors
    /// [`Code::InvalidMatcher`] labelled at `span` for text that is not a matcher or holds an
    /// invalid regular expression.
    pub fn parse(text: &str, span: Span) -> Result<Matcher, Diagnostic> {
        let bad = |why: &str| {
            Diagnostic::error(Code::InvalidMatcher, format!("`{text}` is not a matcher: {why}"))
                .with_label(span, "this matcher")
                .with_help("write `label=\"value\"`, `label!=\"value\"`, `label=~\"regex\"` or `label!~\"regex\"`")
        };
        let t = text.trim();
        let Some(at) = t.find(['=', '!']) else {
            return Err(bad("no operator"));
        };
        let name = t.get(..at).unwrap_or_default().trim();
        let rest = t.get(at..).unwrap_or_default();
        let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
            (MatchOp::Re, v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            (MatchOp::NotRe, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (MatchOp::Ne, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (MatchOp::Eq, v)
        } else {
            return Err(bad("no operator"));
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(bad(
                "the label name must be letters, digits, `_`, `.` or `-`",
            ));
        }
        let value = value.trim();
        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
            None => value.to_owned(),
        };
        Matcher::new(name, op, &value).map_err(|why| bad(&why))
    }

    /// A matcher from its parts.
    ///
    /// # Errors
    /// Why a regular expression is invalid.
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Matcher, String> {
        let regex = match op {
            MatchOp::Re | MatchOp::NotRe => {
                if value.len() > MAX_REGEX_LEN {
                    return Err(format!(
                        "the regular expression is longer than {MAX_REGEX_LEN} bytes"
                    ));
                }
                Some(
                    regex::RegexBuilder::new(&format!("^(?:{value})$"))
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| format!("invalid regular expression: {e}"))?,
                )
            }
            MatchOp::Eq | MatchOp::Ne => None,
        };
        Ok(Matcher {
            name: name.to_owned(),
            op,
            value: value.to_owned(),
            regex,
        })
    }

    /// Whether the value `v` (the empty string for a missing label) matches.
    #[must_use]
    pub fn matches_value(&self, v: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Eq, _) => v == self.value,
            (MatchOp::Ne, _) => v != self.value,
            (MatchOp::Re, Some(r)) => r.is_match(v),
            (MatchOp::NotRe, Some(r)) => !r.is_match(v),
            // INVARIANT: regex matchers always hold their regex.
            (MatchOp::Re | MatchOp::NotRe, None) => false,
        }
    }

    /// Whether the labels match.
    #[must_use]
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }
}

/// Whether every matcher matches.
#[must_use]
pub fn all_match(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

/// Whether some alert could satisfy both lists: a conservative test that only rules out
/// direct contradictions (`a="x"` with `a="y"`, `a!="x"`, or a regex `x` does not match).
#[must_use]
pub fn could_overlap(a: &[Matcher], b: &[Matcher]) -> bool {
    let all: Vec<&Matcher> = a.iter().chain(b).collect();
    for m in &all {
        if m.op != MatchOp::Eq {
            continue;
        }
        if all
            .iter()
            .filter(|o| o.name == m.name)
            .any(|o| !o.matches_value(&m.value))
        {
            return false;
        }
    }
    true
}

/// The canonical text of labels: `{a="1", b="2"}` — an alert's id.
#[must_use]
pub fn labels_text(labels: &Labels) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push('=');
        out.push_str(&format!("{v:?}"));
    }
    out.push('}');
    out
}
