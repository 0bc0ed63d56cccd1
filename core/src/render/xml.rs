//! XML escaping for every JUnit rendering, decisions and runs alike.
//!
//! Written here rather than taken from an XML crate: escaping the five markup characters is the
//! easy part (and all `quick-xml`'s `escape` does); what a JUnit report needs besides is that
//! characters XML 1.0 forbids become U+FFFD instead of making the file unreadable, and that
//! line breaks and tabs in attribute values survive a parser's normalization. The tests read
//! the output back with a conforming parser (`roxmltree`).

/// Whether XML 1.0 allows `c` in a document at all.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Character data: markup characters escaped, a carriage return kept as a character reference
/// (a parser would turn a written one into a line feed), characters XML forbids replaced by
/// U+FFFD.
#[must_use]
pub(crate) fn text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// An attribute value in double quotes: as [`text`], plus both quotes, and tabs and line
/// breaks kept as character references (a parser would otherwise turn them into spaces).
#[must_use]
pub(crate) fn attr(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, reason = "a test fails by panicking")]

    use super::{attr, text};
    use proptest::prelude::*;

    /// `input` as a conforming parser reads it back from an attribute and from text content.
    fn read_back(input: &str) -> (String, String) {
        let xml = format!("<a v=\"{}\">{}</a>", attr(input), text(input));
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml:?}"));
        let root = doc.root_element();
        let value = root.attribute("v").unwrap_or_default().to_owned();
        (value, root.text().unwrap_or_default().to_owned())
    }

    /// What survives: everything but the characters XML forbids, which become U+FFFD.
    fn kept(input: &str) -> String {
        input
            .chars()
            .map(|c| if super::allowed(c) { c } else { '\u{FFFD}' })
            .collect()
    }

    #[test]
    fn markup_whitespace_and_forbidden_characters() {
        let input = "a\"b'<&>\u{1}\t\r\n\u{FFFE}é";
        assert_eq!(
            attr(input),
            "a&quot;b&apos;&lt;&amp;&gt;\u{FFFD}&#9;&#13;&#10;\u{FFFD}é"
        );
        assert_eq!(text(input), "a\"b'&lt;&amp;&gt;\u{FFFD}\t&#13;\n\u{FFFD}é");
        let kept = kept(input);
        assert_eq!(read_back(input), (kept.clone(), kept));
    }

    proptest! {
        #[test]
        fn a_parser_reads_back_what_was_written(input in any::<String>()) {
            let kept = kept(&input);
            prop_assert_eq!(read_back(&input), (kept.clone(), kept));
        }
    }
}
