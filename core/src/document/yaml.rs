//! The YAML reader: `saphyr-parser`'s event stream into a [`Node`] tree.
//!
//! saphyr reports positions as a character index, a line and a column in characters. The
//! reader converts the line and column to a byte offset (the line is exact; a column only
//! affects its own line, where the character index would carry any miscount to the rest of the
//! document). A leading byte order mark is removed before parsing and accounted for.

use super::builder::{Builder, Container};
use super::scalar::resolve_plain;
use super::{
    Format, Limits, MAX_ALIAS_NODES, Node, NodeKind, Spanned, char_span, syntax, too_deep,
};
use crate::diagnostic::{Code, Diagnostic, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};
use std::collections::HashMap;

/// Reads YAML text (already checked against the size limit).
pub(super) fn parse(text: &str, limits: &Limits) -> Result<Node, Diagnostic> {
    let (base, body) = match text.strip_prefix('\u{feff}') {
        Some(body) => ('\u{feff}'.len_utf8(), body),
        None => (0, text),
    };
    let mut reader = Reader {
        text,
        locator: Locator::new(body, base),
        builder: Builder::new(limits),
        anchors: HashMap::new(),
        alias_nodes: 0,
        limits,
    };
    reader.run(body)?;
    let root = reader.builder.finish()?;
    Ok(root.unwrap_or_else(|| Node::new(Span::new(text.len(), text.len()), NodeKind::Null)))
}

/// The error for a YAML merge key (`<<: *defaults`). kiro reads YAML 1.2, which has no merge
/// keys; read as an ordinary key, `<<` would silently become a name of its own (a metric
/// `<<.coverage`, or an unknown field), so it is refused wherever YAML is read.
fn merge_key(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        "invalid yaml: merge keys (`<<`) are not supported",
    )
    .with_label(span, "merge key")
    .with_help("write the keys out in full, or quote `'<<'` if it is meant as a name")
}

/// A value that carries an anchor, kept for its aliases.
struct Anchored {
    node: Node,
    /// The scalar as written, when the value is a scalar (for aliases used as keys).
    raw: Option<String>,
    /// How many levels of collections the value has (0 for a scalar).
    height: usize,
    /// How many values it holds, itself included.
    count: usize,
}

struct Reader<'t, 'l> {
    text: &'t str,
    locator: Locator<'t>,
    builder: Builder<'l>,
    anchors: HashMap<usize, Anchored>,
    alias_nodes: usize,
    limits: &'l Limits,
}

impl Reader<'_, '_> {
    fn run(&mut self, body: &str) -> Result<(), Diagnostic> {
        let mut parser = Parser::new_from_str(body);
        let mut documents = 0usize;
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| self.scan_error(&e))?;
            let span = self.span(span);
            match event {
                Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(Diagnostic::error(
                            Code::Syntax,
                            "invalid yaml: expected a single document, found a second one",
                        )
                        .with_label(span, "a second document starts here")
                        .with_help("remove the `---` line or split the documents into files"));
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let span = trim_end(self.text, span);
                    if self.builder.expecting_key() {
                        if style == ScalarStyle::Plain
                            && value == "<<"
                            && tag.as_ref().is_none_or(|t| t.suffix != "str")
                        {
                            return Err(merge_key(span));
                        }
                        let key = value.into_owned();
                        if anchor > 0 {
                            self.register(
                                anchor,
                                Node::new(span, NodeKind::String(key.clone())),
                                Some(key.clone()),
                            );
                        }
                        self.builder.key(Spanned::new(span, key));
                    } else {
                        let is_str_tag = tag
                            .as_ref()
                            .is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
                        let raw = (anchor > 0).then(|| value.to_string());
                        let kind = if style == ScalarStyle::Plain && !is_str_tag {
                            resolve_plain(&value)
                        } else {
                            NodeKind::String(value.into_owned())
                        };
                        let node = Node::new(span, kind);
                        if anchor > 0 {
                            self.register(anchor, node.clone(), raw);
                        }
                        self.builder.value(node)?;
                    }
                }
                Event::SequenceStart(anchor, _) => self.open(Container::Seq, span, anchor)?,
                Event::MappingStart(anchor, _) => self.open(Container::Map, span, anchor)?,
                Event::SequenceEnd | Event::MappingEnd => {
                    // A flow collection's end event covers its closing bracket; a block
                    // collection's is empty and sits at the next token.
                    let end = (span.end > span.start).then_some(span.end);
                    let (node, anchor) = self.builder.close(end)?;
                    if anchor > 0 {
                        self.register(anchor, node.clone(), None);
                    }
                    self.builder.value(node)?;
                }
                Event::Alias(id) => self.alias(id, span)?,
            }
        }
        Ok(())
    }

    fn open(&mut self, container: Container, span: Span, anchor: usize) -> Result<(), Diagnostic> {
        if self.builder.expecting_key() {
            let what = if container == Container::Seq {
                "a sequence"
            } else {
                "a map"
            };
            return Err(Diagnostic::error(
                Code::InvalidValue,
                format!("a map key must be a string, not {what}"),
            )
            .with_label(span, "this key"));
        }
        // Block collections start with an empty span; point at their first character.
        let span = if span.start == span.end {
            char_span(self.text, span.start)
        } else {
            span
        };
        self.builder.open(container, span, anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Diagnostic> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(Diagnostic::error(
                Code::InvalidValue,
                "an alias cannot refer to the value that contains it",
            )
            .with_label(span, "this alias"));
        };
        if self.builder.expecting_key() {
            let Some(raw) = &anchored.raw else {
                return Err(Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "a map key must be a string, not {}",
                        anchored.node.describe()
                    ),
                )
                .with_label(span, "this key"));
            };
            self.builder.key(Spanned::new(span, raw.clone()));
            return Ok(());
        }
        if self.builder.depth() + anchored.height > self.limits.max_depth {
            return Err(too_deep(span, self.limits));
        }
        self.alias_nodes = self.alias_nodes.saturating_add(anchored.count);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(Diagnostic::error(
                Code::TooLarge,
                format!("the document's aliases copy more than {MAX_ALIAS_NODES} values"),
            )
            .with_label(span, "this alias goes over the limit"));
        }
        let mut node = anchored.node.clone();
        node.span = span;
        self.builder.value(node)
    }

    fn register(&mut self, anchor: usize, node: Node, raw: Option<String>) {
        let (height, count) = measure(&node);
        self.anchors.insert(
            anchor,
            Anchored {
                node,
                raw,
                height,
                count,
            },
        );
    }

    fn span(&mut self, span: saphyr_parser::Span) -> Span {
        let start = self.locator.byte(span.start);
        let end = self.locator.byte(span.end);
        Span::new(start, end.max(start))
    }

    fn scan_error(&mut self, error: &ScanError) -> Diagnostic {
        let at = char_span(self.text, self.locator.byte(*error.marker()));
        // saphyr counts flow nesting in a byte and looks ahead of the events, so very deep
        // flow collections stop it before the depth limit is reached.
        if error.info() == "recursion limit exceeded" {
            return too_deep(at, self.limits);
        }
        let diagnostic = syntax(Format::Yaml, error.info(), at);
        match self
            .text
            .get(at.start..)
            .and_then(|rest| rest.chars().next())
        {
            // YAML reserves these at the start of a plain value (`unit: %`).
            Some(c @ ('%' | '@' | '`')) => diagnostic.with_help(format!(
                "a YAML value cannot start with `{c}`; quote it: `\"{c}\"`"
            )),
            _ => diagnostic,
        }
    }
}

/// The collection height and the number of values of a (depth-limited) tree.
fn measure(node: &Node) -> (usize, usize) {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().fold((1, 1), |(h, c), item| {
            let (ih, ic) = measure(item);
            (h.max(ih + 1), c.saturating_add(ic))
        }),
        NodeKind::Map(entries) => entries.iter().fold((1, 1), |(h, c), (_, item)| {
            let (ih, ic) = measure(item);
            (h.max(ih + 1), c.saturating_add(ic))
        }),
        _ => (0, 1),
    }
}

/// `span` without trailing whitespace and line breaks (block scalars end at the next line).
fn trim_end(text: &str, span: Span) -> Span {
    let end = span.end.min(text.len());
    let start = span.start.min(end);
    let trimmed = text.get(start..end).map_or(end, |s| {
        start + s.trim_end_matches([' ', '\t', '\n', '\r']).len()
    });
    Span::new(start, trimmed)
}

/// Converts saphyr's line and column (in characters) to byte offsets.
struct Locator<'t> {
    body: &'t str,
    /// Byte offset of `body` in the original text.
    base: usize,
    /// Byte offset of each line's first character (a line ends at `\n`, `\r\n` or `\r`).
    line_starts: Vec<usize>,
    /// The last conversion, to make walking along one long line linear: line, column, byte.
    cache: (usize, usize, usize),
}

impl<'t> Locator<'t> {
    fn new(body: &'t str, base: usize) -> Self {
        let bytes = body.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 1;
                    line_starts.push(i + 1);
                }
                b'\r' => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Self {
            body,
            base,
            line_starts,
            cache: (0, 0, 0),
        }
    }

    /// The byte offset, in the original text, of a marker.
    fn byte(&mut self, marker: Marker) -> usize {
        let line = marker.line().max(1) - 1;
        let col = marker.col();
        let Some(&line_start) = self.line_starts.get(line) else {
            return self.base + self.body.len();
        };
        let line_end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.body.len());
        let (mut pos, mut at_col) =
            if self.cache.0 == line && self.cache.1 <= col && self.cache.2 >= line_start {
                (self.cache.2, self.cache.1)
            } else {
                (line_start, 0)
            };
        if let Some(rest) = self.body.get(pos..line_end) {
            for c in rest.chars() {
                if at_col >= col {
                    break;
                }
                pos += c.len_utf8();
                at_col += 1;
            }
        }
        self.cache = (line, at_col, pos);
        self.base + pos
    }
}
