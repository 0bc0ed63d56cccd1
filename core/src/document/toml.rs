//! The TOML reader: `toml`'s spanned document tables into a [`Node`] tree.
//!
//! `toml`'s own nesting guard covers arrays and inline tables only (at 80 levels, reported as a
//! syntax error), not dotted keys (`a.b.c = 1`) or table headers (`[a.b.c]`), and a deep tree of
//! tables is also dropped by recursion. So the nesting is measured first, on `toml_parser`'s
//! flat event stream, counting all four; only text within the depth limit is handed to `toml`.

use super::{Format, Limits, Node, NodeKind, Spanned, duplicate_key, syntax, too_deep};
use crate::diagnostic::{Code, Diagnostic, Span};
use ::toml::de::{DeTable, DeValue};
use toml_parser::ErrorSink;
use toml_parser::parser::EventReceiver;

type TomlSpanned<T> = ::toml::Spanned<T>;

/// Reads TOML text (already checked against the size limit).
pub(super) fn parse(text: &str, limits: &Limits) -> Result<Node, Diagnostic> {
    check_depth(text, limits)?;
    match DeTable::parse(text) {
        Ok(table) => {
            let span = Span::new(0, text.len());
            let mut root = table_node(table.get_ref(), span, 1, limits)?;
            root.span = span;
            Ok(root)
        }
        Err(error) => Err(parse_error(text, &error)),
    }
}

fn convert(
    value: &TomlSpanned<DeValue<'_>>,
    depth: usize,
    limits: &Limits,
) -> Result<Node, Diagnostic> {
    let range = value.span();
    let span = Span::new(range.start, range.end);
    let kind = match value.get_ref() {
        DeValue::String(s) => NodeKind::String(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str();
            match i64::from_str_radix(digits, i.radix()) {
                Ok(n) => NodeKind::Integer(n),
                // TOML integers are 64-bit.
                Err(_) => {
                    return Err(syntax(
                        Format::Toml,
                        "the integer does not fit in 64 bits",
                        span,
                    ));
                }
            }
        }
        DeValue::Float(f) => {
            let literal = f.as_str();
            NodeKind::Float(literal.parse().unwrap_or(if literal.contains("inf") {
                if literal.starts_with('-') {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            } else {
                f64::NAN
            }))
        }
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(dt) => NodeKind::String(dt.to_string()),
        DeValue::Array(items) => {
            if depth > limits.max_depth {
                return Err(too_deep(span, limits));
            }
            let items = items
                .iter()
                .map(|item| convert(item, depth + 1, limits))
                .collect::<Result<Vec<_>, _>>()?;
            NodeKind::Seq(items)
        }
        DeValue::Table(table) => return table_node(table, span, depth, limits),
    };
    Ok(Node::new(span, kind))
}

/// A table as a map node, entries in document order.
fn table_node(
    table: &DeTable<'_>,
    span: Span,
    depth: usize,
    limits: &Limits,
) -> Result<Node, Diagnostic> {
    if depth > limits.max_depth {
        return Err(too_deep(span, limits));
    }
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let range = key.span();
        let key = Spanned::new(Span::new(range.start, range.end), key.get_ref().to_string());
        entries.push((key, convert(value, depth + 1, limits)?));
    }
    entries.sort_by_key(|(key, _)| key.span.start);
    // A table opened by a header spans from the header to its last entry.
    let span = entries.iter().fold(span, |span, (key, value)| {
        span.join(key.span).join(value.span)
    });
    Ok(Node::new(span, NodeKind::Map(entries)))
}

/// `toml`'s error as a diagnostic; a duplicate key also points at its first occurrence.
fn parse_error(text: &str, error: &::toml::de::Error) -> Diagnostic {
    let span = error
        .span()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
    if error.message() == "duplicate key" {
        let (key, first) = first_occurrence(text, span);
        return match first {
            Some(first) => duplicate_key(&key, first, span),
            None => Diagnostic::error(Code::DuplicateName, format!("duplicate key `{key}`"))
                .with_label(span, "written again here"),
        };
    }
    syntax(Format::Toml, error.message(), span)
}

/// The name of the key written at `dup` and where a key of the same full path (table header,
/// dotted parts, enclosing inline tables) was last written before it.
fn first_occurrence(text: &str, dup: Span) -> (String, Option<Span>) {
    let source = toml_parser::Source::new(text);
    let tokens = source.lex().into_vec();
    let mut paths = KeyPaths {
        text,
        table: Vec::new(),
        header: None,
        key: Vec::new(),
        scopes: Vec::new(),
        pending: None,
        keys: Vec::new(),
    };
    toml_parser::parser::parse_document(&tokens, &mut paths, &mut IgnoreErrors);
    let Some((_, path)) = paths.keys.iter().find(|(span, _)| span.start == dup.start) else {
        let written = text.get(dup.start..dup.end).unwrap_or("");
        return (
            written.trim_matches(|c| c == '"' || c == '\'').to_owned(),
            None,
        );
    };
    let first = paths
        .keys
        .iter()
        .filter(|(span, p)| p == path && span.start < dup.start)
        .map(|(span, _)| *span)
        .max_by_key(|span| span.start);
    (path.last().cloned().unwrap_or_default(), first)
}

/// Records every key with its full path.
struct KeyPaths<'t> {
    text: &'t str,
    /// The path of the last table header.
    table: Vec<String>,
    /// Inside a table header: its parts so far.
    header: Option<Vec<String>>,
    /// The parts of the key being read.
    key: Vec<String>,
    /// The paths of the open inline tables and arrays.
    scopes: Vec<Vec<String>>,
    /// After `=`: the path of the key the value belongs to.
    pending: Option<Vec<String>>,
    keys: Vec<(Span, Vec<String>)>,
}

impl KeyPaths<'_> {
    fn base(&self) -> Vec<String> {
        self.scopes.last().unwrap_or(&self.table).clone()
    }

    fn open(&mut self) -> bool {
        let scope = self.pending.take().unwrap_or_else(|| {
            let mut path = self.base();
            path.push("[]".to_owned());
            path
        });
        self.scopes.push(scope);
        true
    }

    fn close_header(&mut self) {
        if let Some(header) = self.header.take() {
            self.table = header;
            self.scopes.clear();
            self.key.clear();
            self.pending = None;
        }
    }
}

impl EventReceiver for KeyPaths<'_> {
    fn std_table_open(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.header = Some(Vec::new());
    }
    fn array_table_open(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.header = Some(Vec::new());
    }
    fn std_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header();
    }
    fn array_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header();
    }
    fn inline_table_open(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        self.open()
    }
    fn inline_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.scopes.pop();
    }
    fn array_open(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        self.open()
    }
    fn array_close(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.scopes.pop();
    }
    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<toml_parser::decoder::Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        let Some(raw) = self.text.get(span.start()..span.end()) else {
            return;
        };
        let mut name = String::new();
        toml_parser::Raw::new_unchecked(raw, encoding, span)
            .decode_key(&mut name, &mut IgnoreErrors);
        let path = match &mut self.header {
            Some(header) => {
                header.push(name);
                header.clone()
            }
            None => {
                self.key.push(name);
                let mut path = self.base();
                path.extend(self.key.iter().cloned());
                path
            }
        };
        self.keys.push((Span::new(span.start(), span.end()), path));
    }
    fn key_val_sep(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        let mut path = self.base();
        path.append(&mut self.key);
        self.pending = Some(path);
    }
    fn scalar(
        &mut self,
        _span: toml_parser::Span,
        _encoding: Option<toml_parser::decoder::Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        self.pending = None;
    }
}

/// Measures the nesting of the text on `toml_parser`'s events without building anything.
fn check_depth(text: &str, limits: &Limits) -> Result<(), Diagnostic> {
    let source = toml_parser::Source::new(text);
    let tokens = source.lex().into_vec();
    let mut check = DepthCheck {
        max: limits.max_depth,
        table_depth: 1,
        open: Vec::new(),
        header: None,
        key_parts: 0,
        key_start: None,
        pending_value: None,
        too_deep: None,
    };
    toml_parser::parser::parse_document(&tokens, &mut check, &mut IgnoreErrors);
    match check.too_deep {
        Some(span) => Err(too_deep(span, limits)),
        None => Ok(()),
    }
}

/// Syntax errors are reported by `toml` itself afterwards.
struct IgnoreErrors;

impl ErrorSink for IgnoreErrors {
    fn report_error(&mut self, _error: toml_parser::ParseError) {}
}

/// Tracks how deep each table, array and inline table would be (the root table is level 1).
struct DepthCheck {
    max: usize,
    /// Level of the table the current header opened.
    table_depth: usize,
    /// Levels of the open arrays and inline tables.
    open: Vec<usize>,
    /// Inside a table header: the number of key parts so far, whether it is `[[...]]`, start.
    header: Option<(usize, bool, usize)>,
    /// Key parts of the key being read (`a.b.c` has 3).
    key_parts: usize,
    key_start: Option<usize>,
    /// After `=`: the level an array or inline table written next would have.
    pending_value: Option<usize>,
    /// Where the limit was first crossed.
    too_deep: Option<Span>,
}

impl DepthCheck {
    fn container_depth(&self) -> usize {
        self.open.last().copied().unwrap_or(self.table_depth)
    }

    /// Records an array or inline table opening at `span`; returns whether to read into it.
    fn open_collection(&mut self, span: toml_parser::Span) -> bool {
        if self.too_deep.is_some() {
            return false;
        }
        let level = self
            .pending_value
            .take()
            .unwrap_or_else(|| self.container_depth() + 1);
        if level > self.max {
            self.too_deep = Some(Span::new(span.start(), span.end()));
            return false;
        }
        self.open.push(level);
        true
    }

    fn cross(&mut self, level: usize, start: usize, end: usize) {
        if level > self.max && self.too_deep.is_none() {
            self.too_deep = Some(Span::new(start, end));
        }
    }
}

impl EventReceiver for DepthCheck {
    fn std_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.header = Some((0, false, span.start()));
    }
    fn array_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.header = Some((0, true, span.start()));
    }
    fn std_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header(span);
    }
    fn array_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header(span);
    }
    fn inline_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        self.open_collection(span)
    }
    fn inline_table_close(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.open.pop();
    }
    fn array_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) -> bool {
        self.open_collection(span)
    }
    fn array_close(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.open.pop();
    }
    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        _kind: Option<toml_parser::decoder::Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        match &mut self.header {
            Some((parts, array, start)) => {
                *parts += 1;
                let (level, start) = (1 + *parts + usize::from(*array), *start);
                self.cross(level, start, span.end());
            }
            None => {
                self.key_parts += 1;
                self.key_start.get_or_insert(span.start());
                // `a.b.c = ...` creates tables `a` and `b` below the current container.
                let level = self.container_depth() + self.key_parts - 1;
                let start = self.key_start.unwrap_or(span.start());
                self.cross(level, start, span.end());
            }
        }
    }
    fn key_val_sep(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.pending_value = Some(self.container_depth() + self.key_parts);
        self.key_parts = 0;
        self.key_start = None;
    }
    fn scalar(
        &mut self,
        _span: toml_parser::Span,
        _kind: Option<toml_parser::decoder::Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        self.pending_value = None;
    }
}

impl DepthCheck {
    fn close_header(&mut self, span: toml_parser::Span) {
        if let Some((parts, array, start)) = self.header.take() {
            self.table_depth = 1 + parts + usize::from(array);
            self.open.clear();
            self.key_parts = 0;
            self.key_start = None;
            self.pending_value = None;
            self.cross(self.table_depth, start, span.end());
            // A header found too deep while it was read is labelled as a whole.
            if let Some(deep) = self.too_deep.as_mut().filter(|deep| deep.start == start) {
                deep.end = span.end();
            }
        }
    }
}
