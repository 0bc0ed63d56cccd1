//! The XML reading every XML report shares: quick-xml events with their byte spans, nesting
//! bounded, truncation found, and no DTD of the report's own.
//!
//! quick-xml is a pull reader over the text already in memory: it allocates nothing per event,
//! never fetches or expands anything (it knows only the five predefined entities and character
//! references), and builds for `wasm32` with no default features. On top of it this layer
//!
//! - refuses a document type declaration with an internal subset (`<!DOCTYPE x [ ... ]>`), the
//!   only place entities can be declared ([`Code::ReportDtd`]); a declaration that only names an
//!   external DTD (Istanbul's Cobertura reports, JaCoCo's) is read and ignored, never fetched;
//! - bounds the nesting of elements ([`Limits::max_depth`], [`Code::TooLarge`]);
//! - reports a document that ends with elements still open, or before any element, as
//!   truncated ([`Code::ReportSyntax`]).

use super::Limits;
use super::place::at;
use crate::diagnostic::{Code, Diagnostic, Span};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Error, Reader};
use std::borrow::Cow;

/// One event a report reader acts on.
pub(super) enum Xml<'a> {
    /// An element opens (`<x>`), with the span of its start tag.
    Open(BytesStart<'a>, Span),
    /// An element with no content (`<x/>`), with its span.
    Leaf(BytesStart<'a>, Span),
    /// The innermost open element closes.
    Close,
    /// The end of the document, every element closed.
    End,
}

/// A bounded XML event reader over one report.
pub(super) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    file: &'a str,
    /// The spans of the names of the open elements, outermost first.
    open: Vec<Span>,
    max_depth: usize,
    seen_root: bool,
}

impl<'a> XmlReader<'a> {
    /// A reader of `text`, the report `file`.
    pub(super) fn new(text: &'a str, file: &'a str, limits: &Limits) -> Self {
        Self {
            reader: Reader::from_str(text),
            text,
            file,
            open: Vec::new(),
            max_depth: limits.max_depth,
            seen_root: false,
        }
    }

    /// How many elements are open.
    pub(super) fn depth(&self) -> usize {
        self.open.len()
    }

    /// The next element event.
    ///
    /// # Errors
    /// [`Code::ReportSyntax`] for text that is not well-formed or ends early,
    /// [`Code::ReportDtd`] for a DTD with an internal subset, [`Code::TooLarge`] for nesting
    /// deeper than the limit.
    pub(super) fn next(&mut self) -> Result<Xml<'a>, Diagnostic> {
        loop {
            let before = self.position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(error) => return Err(self.syntax(&error)),
            };
            let after = self.position();
            let span = Span::new(before, after);
            match event {
                Event::Start(start) => {
                    self.check_root(span)?;
                    let name_len = start.name().as_ref().len();
                    self.open
                        .push(Span::new(before + 1, (before + 1 + name_len).min(after)));
                    if self.open.len() > self.max_depth {
                        return Err(self.error(
                            Code::TooLarge,
                            format!(
                                "the report nests elements more than {} levels deep",
                                self.max_depth
                            ),
                            span,
                            "too deep",
                        ));
                    }
                    return Ok(Xml::Open(start, span));
                }
                Event::Empty(start) => {
                    self.check_root(span)?;
                    return Ok(Xml::Leaf(start, span));
                }
                Event::End(_) => {
                    self.open.pop();
                    return Ok(Xml::Close);
                }
                Event::DocType(doctype) => {
                    if doctype.as_ref().contains('[') {
                        return Err(self
                            .error(
                                Code::ReportDtd,
                                "the report declares a DTD of its own".to_owned(),
                                span,
                                "internal DTD subset",
                            )
                            .with_help(
                                "kiro never expands entities; remove the `[ ... ]` part of the \
                                 `<!DOCTYPE>` declaration",
                            ));
                    }
                }
                Event::Eof => return self.end(after),
                Event::Text(_)
                | Event::CData(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::GeneralRef(_) => {}
            }
        }
    }

    /// The name of an element as text (names are ASCII in every report format kiro reads).
    pub(super) fn name<'e>(start: &'e BytesStart<'_>) -> &'e [u8] {
        start.local_name().into_inner().as_bytes()
    }

    /// The value of attribute `key` of `start` (predefined entities and character references
    /// resolved), if present.
    ///
    /// # Errors
    /// [`Code::ReportSyntax`] for a malformed attribute or an unknown entity in the value.
    pub(super) fn attr<'e>(
        &self,
        start: &'e BytesStart<'_>,
        span: Span,
        key: &[u8],
    ) -> Result<Option<Cow<'e, str>>, Diagnostic> {
        for attr in start.attributes() {
            let attr = attr.map_err(|e| self.bad_attr(&Error::InvalidAttr(e), span))?;
            if attr.key.local_name().as_ref().as_bytes() == key {
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.bad_attr(&e, span))?;
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// A diagnostic about this report at `span`.
    pub(super) fn error(&self, code: Code, message: String, span: Span, label: &str) -> Diagnostic {
        Diagnostic::error(code, format!("{} ({})", message, at(self.text, span.start)))
            .with_label(span, label)
            .with_source(self.file)
    }

    fn bad_attr(&self, error: &Error, span: Span) -> Diagnostic {
        self.error(
            Code::ReportSyntax,
            format!(
                "a malformed attribute: {}",
                lowercase_first(&error.to_string())
            ),
            span,
            "in this tag",
        )
    }

    fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn check_root(&mut self, span: Span) -> Result<(), Diagnostic> {
        if self.open.is_empty() && self.seen_root {
            return Err(self.error(
                Code::ReportSyntax,
                "the report has a second top-level element".to_owned(),
                span,
                "after the end of the document",
            ));
        }
        self.seen_root = true;
        Ok(())
    }

    fn end(&self, at_end: usize) -> Result<Xml<'a>, Diagnostic> {
        let end = Span::new(at_end, at_end);
        if let Some(innermost) = self.open.last() {
            let name = self.text.get(innermost.start..innermost.end).unwrap_or("?");
            return Err(self
                .error(
                    Code::ReportSyntax,
                    format!("the report ends inside `<{name}>`: the file is truncated"),
                    end,
                    "the text ends here",
                )
                .with_help("the tool that wrote it may have stopped early; run it again"));
        }
        if !self.seen_root {
            return Err(self.error(
                Code::ReportSyntax,
                "the report has no XML element".to_owned(),
                end,
                "the text ends here",
            ));
        }
        Ok(Xml::End)
    }

    fn syntax(&self, error: &Error) -> Diagnostic {
        let offset = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        let offset = offset.min(self.text.len());
        self.error(
            Code::ReportSyntax,
            format!(
                "the report is not well-formed XML: {}",
                lowercase_first(&error.to_string())
            ),
            Span::new(offset, (offset + 1).min(self.text.len())),
            "here",
        )
    }
}

/// `text` with its first letter in lowercase, for messages built from a library's error.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}
