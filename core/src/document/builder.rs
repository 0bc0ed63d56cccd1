//! Builds a [`Node`] tree from a stream of open / key / value / close steps, with an explicit
//! stack (no recursion), the depth limit and the duplicate-key check. Used by the YAML and JSON
//! readers.

use super::{Limits, Node, NodeKind, Spanned, duplicate_key, too_deep};
use crate::diagnostic::{Code, Diagnostic, Span};

/// The kind of collection being opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Container {
    /// A sequence.
    Seq,
    /// A map.
    Map,
}

/// A collection being read.
struct Frame {
    /// First byte of the collection.
    start: usize,
    /// End of the last thing read into it.
    last_end: usize,
    /// The YAML anchor id of the collection (0 for none).
    anchor: usize,
    /// The entries so far.
    body: Body,
}

enum Body {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Spanned<String>, Node)>,
        key: Option<Spanned<String>>,
    },
}

/// The tree under construction.
pub(super) struct Builder<'l> {
    stack: Vec<Frame>,
    root: Option<Node>,
    limits: &'l Limits,
}

impl<'l> Builder<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Self {
            stack: Vec::new(),
            root: None,
            limits,
        }
    }

    /// How many collections are open.
    pub(super) fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The kind of the innermost open collection.
    pub(super) fn innermost(&self) -> Option<Container> {
        self.stack.last().map(|frame| match frame.body {
            Body::Seq(_) => Container::Seq,
            Body::Map { .. } => Container::Map,
        })
    }

    /// Whether the next item is a key of the innermost open map.
    pub(super) fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { key: None, .. },
                ..
            })
        )
    }

    /// Opens a collection whose opening token is at `open`.
    ///
    /// # Errors
    /// [`Code::TooLarge`] when it would be nested deeper than the limit.
    pub(super) fn open(
        &mut self,
        container: Container,
        open: Span,
        anchor: usize,
    ) -> Result<(), Diagnostic> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(too_deep(open, self.limits));
        }
        let body = match container {
            Container::Seq => Body::Seq(Vec::new()),
            Container::Map => Body::Map {
                entries: Vec::new(),
                key: None,
            },
        };
        self.stack.push(Frame {
            start: open.start,
            last_end: open.end,
            anchor,
            body,
        });
        Ok(())
    }

    /// Sets the key the next value of the innermost map goes under.
    pub(super) fn key(&mut self, key: Spanned<String>) {
        if let Some(frame) = self.stack.last_mut() {
            frame.last_end = frame.last_end.max(key.span.end);
            if let Body::Map { key: slot, .. } = &mut frame.body {
                *slot = Some(key);
            }
        }
    }

    /// Adds a finished value to the innermost collection, or makes it the root.
    ///
    /// # Errors
    /// [`Code::InvalidValue`] when the innermost map expects a key (a YAML collection used as a
    /// key), [`Code::Syntax`] for a second top-level value.
    pub(super) fn value(&mut self, node: Node) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_some() {
                return Err(Diagnostic::error(Code::Syntax, "more than one document")
                    .with_label(node.span, "a second document"));
            }
            self.root = Some(node);
            return Ok(());
        };
        frame.last_end = frame.last_end.max(node.span.end);
        match &mut frame.body {
            Body::Seq(items) => items.push(node),
            Body::Map { entries, key } => match key.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    return Err(Diagnostic::error(
                        Code::InvalidValue,
                        format!("a map key must be a string, not {}", node.describe()),
                    )
                    .with_label(node.span, "this key"));
                }
            },
        }
        Ok(())
    }

    /// Closes the innermost collection and returns it with its anchor id; the caller passes it
    /// on to [`Builder::value`]. `end` is one past the closing token, if there is one (YAML
    /// block collections have none; they end with their last entry).
    ///
    /// # Errors
    /// [`Code::DuplicateName`] for a map with a key twice; [`Code::Internal`] when nothing is
    /// open.
    pub(super) fn close(&mut self, end: Option<usize>) -> Result<(Node, usize), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Err(Diagnostic::error(
                Code::Internal,
                "the document reader closed too often",
            ));
        };
        let end = end.unwrap_or(frame.last_end).max(frame.start);
        let span = Span::new(frame.start, end);
        let kind = match frame.body {
            Body::Seq(items) => NodeKind::Seq(items),
            Body::Map { mut entries, key } => {
                if let Some(key) = key {
                    let at = Span::new(key.span.end, key.span.end);
                    entries.push((key, Node::new(at, NodeKind::Null)));
                }
                check_duplicates(&entries)?;
                NodeKind::Map(entries)
            }
        };
        Ok((Node::new(span, kind), frame.anchor))
    }

    /// The finished tree: `None` when the document was empty.
    ///
    /// # Errors
    /// [`Code::Internal`] when a collection is still open.
    pub(super) fn finish(self) -> Result<Option<Node>, Diagnostic> {
        if self.stack.is_empty() {
            Ok(self.root)
        } else {
            Err(Diagnostic::error(
                Code::Internal,
                "the document reader left a collection open",
            ))
        }
    }
}

/// Reports the first key (in document order of its second occurrence) written twice.
pub(super) fn check_duplicates(entries: &[(Spanned<String>, Node)]) -> Result<(), Diagnostic> {
    if entries.len() < 2 {
        return Ok(());
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].0.value.cmp(&entries[b].0.value).then(a.cmp(&b)));
    let mut worst: Option<(usize, usize)> = None;
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if entries[a].0.value == entries[b].0.value && worst.is_none_or(|(_, w)| b < w) {
            // `a` may itself be a repeat; the first occurrence of the group comes first in
            // `order`, so walk back to it.
            worst = Some((a, b));
        }
    }
    let Some((_, second)) = worst else {
        return Ok(());
    };
    let key = &entries[second].0;
    let first = entries
        .iter()
        .map(|(k, _)| k)
        .find(|k| k.value == key.value)
        .unwrap_or(key);
    Err(duplicate_key(&key.value, first.span, key.span))
}
