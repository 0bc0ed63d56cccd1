//! Helpers shared by the fuzz targets.

#![allow(dead_code)]

use kiro::Diagnostic;

/// The fuzz input as text. Invalid UTF-8 is replaced (U+FFFD) rather than skipped, so every
/// input exercises the parsers.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Every label of every diagnostic lies inside `text`: `start <= end <= text.len()`, and, when
/// `boundaries` is set, on character boundaries (renderers slice the text at these offsets).
pub fn check_labels(what: &str, diagnostics: &[Diagnostic], text: &str, boundaries: bool) {
    for d in diagnostics {
        for label in &d.labels {
            assert!(
                label.start <= label.end && label.end <= text.len(),
                "{what}: label {}..{} outside the {}-byte text: {d:?}\ntext: {text:?}",
                label.start,
                label.end,
                text.len()
            );
            if boundaries {
                assert!(
                    text.is_char_boundary(label.start) && text.is_char_boundary(label.end),
                    "{what}: label {}..{} not on character boundaries: {d:?}\ntext: {text:?}",
                    label.start,
                    label.end
                );
            }
        }
    }
}
