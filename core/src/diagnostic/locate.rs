//! Label offsets in a host's own units. The core counts bytes of UTF-8; JavaScript strings are
//! indexed by UTF-16 code units and Python strings by code points, so a label over text after
//! `名前` or an emoji starts at a different number in each host. [`Diagnostic::locate`] is the
//! one conversion: every binding calls it at its edge, with the source text and its unit, so
//! that `text.slice(start, end)` (JavaScript) or `text[start:end]` (Python) is the underlined
//! text.

use super::{Diagnostic, Label};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The unit a host counts string offsets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// Bytes of UTF-8: Rust, the CLI, the JSON forms by default.
    #[default]
    Utf8,
    /// UTF-16 code units: JavaScript (Node and WebAssembly).
    Utf16,
    /// Unicode code points: Python.
    CodePoints,
}

impl OffsetUnit {
    /// Whether this is [`OffsetUnit::Utf8`], the default.
    #[must_use]
    pub fn is_utf8(&self) -> bool {
        *self == OffsetUnit::Utf8
    }

    /// How many units `c` takes.
    fn width(self, c: char) -> usize {
        match self {
            OffsetUnit::Utf8 => c.len_utf8(),
            OffsetUnit::Utf16 => c.len_utf16(),
            OffsetUnit::CodePoints => 1,
        }
    }
}

/// Where a byte offset falls: its offset in the host's unit, and its 1-based line and column
/// (the column counted in the same unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    offset: usize,
    line: usize,
    column: usize,
}

/// Every byte offset of `wanted` (sorted, deduplicated) located in `text` in one pass. A byte
/// offset inside a character counts as that character's start; one past the end of the text
/// as its end.
fn places(text: &str, wanted: &[usize], unit: OffsetUnit) -> Vec<(usize, Place)> {
    let mut out = Vec::with_capacity(wanted.len());
    let mut wanted = wanted.iter().copied().peekable();
    let (mut offset, mut line, mut column) = (0, 1, 1);
    for (at, c) in text.char_indices() {
        while let Some(byte) = wanted.next_if(|&b| b < at + c.len_utf8()) {
            out.push((
                byte,
                Place {
                    offset,
                    line,
                    column,
                },
            ));
        }
        offset += unit.width(c);
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += unit.width(c);
        }
    }
    for byte in wanted {
        out.push((
            byte,
            Place {
                offset,
                line,
                column,
            },
        ));
    }
    out
}

impl Diagnostic {
    /// The diagnostic with its labels' byte offsets into `text` turned into offsets in `unit`,
    /// and each label's 1-based `line` and `column` (of its start; the column counted in
    /// `unit`, starting after the last line break) filled in. Labels already located are left
    /// as they are.
    #[must_use]
    pub fn locate(mut self, text: &str, unit: OffsetUnit) -> Self {
        let mut wanted: Vec<usize> = self
            .labels
            .iter()
            .filter(|l| l.line.is_none())
            .flat_map(|l| [l.start, l.end])
            .collect();
        if wanted.is_empty() {
            return self;
        }
        wanted.sort_unstable();
        wanted.dedup();
        let places = places(text, &wanted, unit);
        let find = |byte: usize| {
            places
                .binary_search_by_key(&byte, |(b, _)| *b)
                .ok()
                .and_then(|i| places.get(i))
                .map(|(_, p)| *p)
        };
        for label in self.labels.iter_mut().filter(|l| l.line.is_none()) {
            if let (Some(start), Some(end)) = (find(label.start), find(label.end)) {
                *label = Label {
                    start: start.offset,
                    end: end.offset,
                    line: Some(start.line),
                    column: Some(start.column),
                    label: std::mem::take(&mut label.label),
                };
            }
        }
        self
    }
}

/// Locates every diagnostic whose source is `source` (`policy`, a file name) in `text`, as
/// [`Diagnostic::locate`] does; diagnostics about other inputs are left as they are.
#[must_use]
pub fn locate_all(
    diagnostics: Vec<Diagnostic>,
    source: &str,
    text: &str,
    unit: OffsetUnit,
) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| {
            if d.source.as_deref() == Some(source) {
                d.locate(text, unit)
            } else {
                d
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Span};
    use proptest::prelude::*;

    fn label(text: &str, start: usize, end: usize, unit: OffsetUnit) -> Label {
        let d = Diagnostic::error(Code::Syntax, "x").with_label(Span::new(start, end), "here");
        d.locate(text, unit).labels.remove(0)
    }

    #[test]
    fn offsets_after_non_ascii_text_differ_by_unit() {
        let text = "name: 名前\nx: 😀 é 500KB\n";
        let start = text.find("500KB").expect("in the text");
        let end = start + 5;
        let bytes = label(text, start, end, OffsetUnit::Utf8);
        let utf16 = label(text, start, end, OffsetUnit::Utf16);
        let points = label(text, start, end, OffsetUnit::CodePoints);
        assert_eq!(
            (bytes.start, bytes.line, bytes.column),
            (24, Some(2), Some(12))
        );
        assert_eq!((utf16.start, utf16.end), (17, 22));
        assert_eq!((utf16.line, utf16.column), (Some(2), Some(9)));
        assert_eq!((points.start, points.end), (16, 21));
        assert_eq!((points.line, points.column), (Some(2), Some(8)));
        let chars: Vec<char> = text.chars().collect();
        let underlined: String = chars[points.start..points.end].iter().collect();
        assert_eq!(underlined, "500KB");
    }

    #[test]
    fn an_offset_at_the_end_of_the_text_is_its_end() {
        let text = "a: é";
        let l = label(text, text.len(), text.len() + 3, OffsetUnit::Utf16);
        assert_eq!((l.start, l.end, l.line, l.column), (4, 4, Some(1), Some(5)));
    }

    #[test]
    fn located_labels_stay_as_they_are() {
        let d = Diagnostic::error(Code::Syntax, "x")
            .with_label(Span::new(6, 8), "here")
            .locate("名前: 名前", OffsetUnit::Utf16);
        assert_eq!(d.clone().locate("名前: 名前", OffsetUnit::Utf16), d);
    }

    proptest! {
        #[test]
        fn every_unit_underlines_the_same_text(text in "\\PC{0,40}", a in 0usize..200, b in 0usize..200) {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let start = bounds[a % bounds.len()];
            let end = bounds[b % bounds.len()];
            let (start, end) = (start.min(end), start.max(end));
            let expected = &text[start..end];
            let utf16: Vec<u16> = text.encode_utf16().collect();
            let chars: Vec<char> = text.chars().collect();
            let l = label(&text, start, end, OffsetUnit::Utf16);
            prop_assert_eq!(String::from_utf16_lossy(&utf16[l.start..l.end]), expected);
            let l = label(&text, start, end, OffsetUnit::CodePoints);
            prop_assert_eq!(chars[l.start..l.end].iter().collect::<String>(), expected);
            let before = &text[..start];
            prop_assert_eq!(l.line, Some(before.matches('\n').count() + 1));
            let l = label(&text, start, end, OffsetUnit::Utf8);
            prop_assert_eq!((l.start, l.end), (start, end));
        }
    }
}
