//! The JSON reading every JSON report shares: serde_json into the few fields kiro needs (the
//! rest is skipped without being kept), with errors placed in the text.
//!
//! serde_json bounds nesting at 128 levels (its recursion limit), which is reported as
//! [`Code::TooLarge`]; a document that ends early is reported as truncated.

use super::place::{at, offset_of};
use crate::diagnostic::{Code, Diagnostic, Span};
use serde::de::DeserializeOwned;

/// Reads `text` as a `T`, naming `what` (`SARIF`, `Lighthouse`) in messages.
///
/// # Errors
/// [`Code::ReportSyntax`] for text that is not JSON or ends early, [`Code::TooLarge`] for
/// nesting over 128 levels, [`Code::ReportInvalidValue`] for JSON whose values do not fit `T`.
pub(super) fn read<T: DeserializeOwned>(
    text: &str,
    file: &str,
    what: &str,
) -> Result<T, Diagnostic> {
    serde_json::from_str(text).map_err(|e| {
        let offset = offset_of(text, e.line(), e.column()).min(text.len());
        let span = Span::new(offset.saturating_sub(1), offset);
        let place = at(text, span.start);
        // serde_json's message without its own ` at line L column C`.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        let (code, message, label) = match e.classify() {
            serde_json::error::Category::Eof => (
                Code::ReportSyntax,
                format!("the {what} report ends early: the file is truncated ({place})"),
                "the text ends here",
            ),
            serde_json::error::Category::Syntax if message.contains("recursion limit") => (
                Code::TooLarge,
                format!("the {what} report nests values more than 128 levels deep ({place})"),
                "too deep",
            ),
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => (
                Code::ReportSyntax,
                format!("the {what} report is not well-formed JSON: {message} ({place})"),
                "here",
            ),
            serde_json::error::Category::Data => (
                Code::ReportInvalidValue,
                format!("the {what} report has an invalid value: {message} ({place})"),
                "here",
            ),
        };
        Diagnostic::error(code, message)
            .with_label(span, label)
            .with_source(file)
    })
}
