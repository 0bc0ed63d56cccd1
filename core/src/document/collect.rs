//! Every shape error of a document in one run.
//!
//! serde stops at the first error. To find the next, the value at fault is cut out of a copy of
//! the tree (an unknown key with its value, a wrong value with its key, a wrong item from its
//! sequence) and the copy is read again, until it reads. Cutting can only make something
//! *missing*: a field that is missing because it was cut, or too few items in a sequence that
//! was cut from, is a consequence of the cut and is not reported; the map or sequence itself is
//! cut next.
//!
//! What was cut is remembered ([`Cut`]) so that later checks can stay quiet about what they
//! can no longer see (a metric whose declaration was cut is not also "unknown" where it is
//! used).

use super::de::{Located, try_from_node};
use super::{Node, NodeKind};
use crate::diagnostic::{Diagnostic, Span};
use serde::de::DeserializeOwned;

/// The most shape errors reported for one document; past it, the rest go unreported.
pub const MAX_SHAPE_ERRORS: usize = 100;

/// What reading a whole document found.
#[derive(Debug)]
pub struct Collected<T> {
    /// The document read with every value at fault cut out, unless even that did not read.
    pub value: Option<T>,
    /// Every shape error, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// What was cut out to read on.
    pub cut: Cut,
}

/// The parts of a document cut out because they were at fault.
#[derive(Debug, Default)]
pub struct Cut {
    /// Where each cut part was written.
    spans: Vec<Span>,
    /// The names the cut parts declared: a map entry's key, a `name:` field, a string item.
    names: Vec<String>,
    /// The names of what holds a cut part (the metric `lat` when its `unit:` was cut): a
    /// problem found where one of them is used may follow from the cut.
    holders: Vec<String>,
    /// The values that hold a sequence or map that cutting left empty (a gate whose every
    /// criterion was cut): what is said about them may follow from the cut alone.
    emptied: Vec<Span>,
}

impl Cut {
    /// Whether `diagnostic` may be about something that was cut: one of its labels overlaps a
    /// cut part, lies in a value that cutting emptied, or underlines (in `text`, the document)
    /// the name of what held a cut part; or it names (in backticks) something a cut part
    /// declared.
    #[must_use]
    pub fn explains(&self, diagnostic: &Diagnostic, text: &str) -> bool {
        let uses_holder = diagnostic.labels.iter().any(|l| {
            text.get(l.start..l.end)
                .is_some_and(|t| self.holders.iter().any(|h| h == t))
        });
        let overlaps = diagnostic.labels.iter().any(|l| {
            self.spans
                .iter()
                .any(|s| l.start < s.end.max(s.start + 1) && s.start < l.end.max(l.start + 1))
        });
        let within_emptied = diagnostic.labels.first().is_some_and(|l| {
            self.emptied
                .iter()
                .any(|s| s.start <= l.start && l.end <= s.end)
        });
        overlaps
            || within_emptied
            || uses_holder
            || self
                .names
                .iter()
                .any(|n| diagnostic.message.contains(&format!("`{n}`")))
    }

    /// Whether nothing was cut.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn record(&mut self, span: Span, key: Option<&str>, node: &Node) {
        self.spans.push(span);
        self.names.extend(key.map(str::to_owned));
        match &node.kind {
            NodeKind::String(s) => self.names.push(s.clone()),
            NodeKind::Map(_) => {
                if let Some(NodeKind::String(name)) = node.get("name").map(|n| &n.kind) {
                    self.names.push(name.clone());
                }
            }
            _ => {}
        }
    }
}

/// Reads `node` into `T`, collecting every shape error (up to [`MAX_SHAPE_ERRORS`]).
pub fn deserialize_all<T: DeserializeOwned>(node: &Node) -> Collected<T> {
    let mut diagnostics = Vec::new();
    let mut cut = Cut::default();
    // The copy that is cut into, made at the first error: a document without one is not copied.
    let mut copy: Option<Node> = None;
    // The maps and sequences something was cut from, with the key cut from a map.
    let mut cut_from: Vec<(Span, Option<String>)> = Vec::new();
    loop {
        let Located {
            diagnostic,
            path,
            lacking,
            missing,
        } = match try_from_node::<T>(copy.as_ref().unwrap_or(node)) {
            Ok(value) => {
                return Collected {
                    value: Some(value),
                    diagnostics,
                    cut,
                };
            }
            Err(located) => located,
        };
        let tree = copy.get_or_insert_with(|| node.clone());
        let at = node_at(tree, &path).map(|n| n.span);
        let consequence = lacking
            && at.is_some_and(|span| {
                cut_from
                    .iter()
                    .any(|(s, key)| *s == span && (missing.is_none() || key.as_deref() == missing))
            });
        if !consequence {
            diagnostics.push(*diagnostic);
        }
        let Some((parent, index)) = path.split_last().map(|(i, p)| (p, *i)) else {
            break;
        };
        if diagnostics.len() >= MAX_SHAPE_ERRORS {
            break;
        }
        match remove(tree, parent, index, &mut cut) {
            Some(from) => cut_from.push(from),
            None => break,
        }
    }
    Collected {
        value: None,
        diagnostics,
        cut,
    }
}

/// The node at `path` from `root`.
fn node_at<'n>(root: &'n Node, path: &[usize]) -> Option<&'n Node> {
    path.iter().try_fold(root, |node, &i| match &node.kind {
        NodeKind::Seq(items) => items.get(i),
        NodeKind::Map(entries) => entries.get(i).map(|(_, v)| v),
        _ => None,
    })
}

/// Removes item or entry `index` of the collection at `parent`, recording it in `cut`; the
/// collection's span and the key of the entry removed from a map, or `None` when there is
/// nothing there to remove.
fn remove(
    root: &mut Node,
    parent: &[usize],
    index: usize,
    cut: &mut Cut,
) -> Option<(Span, Option<String>)> {
    let mut node = root;
    let mut owner = None;
    for (depth, &i) in parent.iter().enumerate() {
        owner = Some(node.span);
        node = match &mut node.kind {
            NodeKind::Seq(items) => items.get_mut(i)?,
            NodeKind::Map(entries) => {
                let (key, value) = entries.get_mut(i)?;
                // Top-level keys are sections, not names.
                if depth > 0 {
                    cut.holders.push(key.value.clone());
                }
                value
            }
            _ => return None,
        };
        if let Some(NodeKind::String(name)) = node.get("name").map(|n| &n.kind) {
            cut.holders.push(name.clone());
        }
    }
    let span = node.span;
    let removed_key = match &mut node.kind {
        NodeKind::Seq(items) if index < items.len() => {
            let item = items.remove(index);
            cut.record(item.span, None, &item);
            None
        }
        NodeKind::Map(entries) if index < entries.len() => {
            let (key, value) = entries.remove(index);
            let whole = Span::new(key.span.start, value.span.end.max(key.span.end));
            cut.record(whole, Some(&key.value), &value);
            Some(key.value)
        }
        _ => return None,
    };
    let empty = match &node.kind {
        NodeKind::Seq(items) => items.is_empty(),
        NodeKind::Map(entries) => entries.is_empty(),
        _ => false,
    };
    // An emptied top-level section (`personas: []`) says nothing about the rest.
    if let (true, Some(owner), true) = (empty, owner, parent.len() > 1) {
        cut.emptied.push(owner);
    }
    Some((span, removed_key))
}
