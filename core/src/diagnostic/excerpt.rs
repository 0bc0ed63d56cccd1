//! The source line under a label, with a caret under the label's span: what an exception of a
//! binding shows below `--> policy:3:7`, as the CLI does (`BoundaryError::shown`).

use super::Diagnostic;
use std::fmt::Write as _;

/// The longest part of a line shown, in characters: a longer line (a policy written as one
/// line of JSON) is shown around the label, cut with `…`.
const MAX_WIDTH: usize = 120;
/// How many characters before the label a cut line keeps.
const BEFORE: usize = 40;

/// One line of source text with a span of it marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The 1-based line number.
    pub line: usize,
    /// The line's text (without its line break), or the part of it shown.
    pub text: String,
    /// The characters of `text` before the span.
    pub column: usize,
    /// The span's width in characters (at least 1; up to the end of the line for a span that
    /// goes on).
    pub width: usize,
    /// What the label says.
    pub label: String,
}

impl Excerpt {
    /// The line of `text` under the first label of `diagnostic`, whose offsets are bytes into
    /// `text` (not located yet); `None` without a label, or with offsets that are not in it.
    #[must_use]
    pub fn of(diagnostic: &Diagnostic, text: &str) -> Option<Self> {
        let label = diagnostic.labels.first()?;
        let start = label.start;
        if start > text.len() || !text.is_char_boundary(start) {
            return None;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let end = label.end.clamp(start, line_start + line_text.len());
        let before = text[line_start..start].chars().count();
        let width = text.get(start..end).map_or(0, |s| s.chars().count());
        let chars: Vec<char> = line_text.chars().collect();
        let (shown, column) = if chars.len() <= MAX_WIDTH {
            (line_text.to_owned(), before)
        } else {
            let from = before.saturating_sub(BEFORE);
            let to = (from + MAX_WIDTH).min(chars.len());
            let mut shown = String::new();
            if from > 0 {
                shown.push('…');
            }
            shown.extend(chars.get(from..to).unwrap_or_default());
            if to < chars.len() {
                shown.push('…');
            }
            (shown, before - from + usize::from(from > 0))
        };
        let room = shown.chars().count().saturating_sub(column);
        let line = text.as_bytes()[..line_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Some(Self {
            line,
            text: shown,
            column,
            width: width.min(room).max(1),
            label: label.label.clone(),
        })
    }

    /// The excerpt as the lines shown under `--> source:line:column`, each ending with a line
    /// break: a gutter with the line number, the line, and carets under the span with the
    /// label. A tab before the span stays a tab under it, so the carets line up.
    #[must_use]
    pub fn render(&self) -> String {
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let indent: String = self
            .text
            .chars()
            .take(self.column)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let mut out = String::new();
        let _ = writeln!(out, " {pad} |");
        let _ = writeln!(out, " {number} | {}", self.text);
        let _ = write!(out, " {pad} | {indent}{}", "^".repeat(self.width));
        if !self.label.is_empty() {
            let _ = write!(out, " {}", self.label);
        }
        out.push('\n');
        out
    }
}
