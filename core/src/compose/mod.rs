//! Policy composition: a policy imports metrics, personas, gates and gate templates from
//! other files (docs/composition.md).
//!
//! The core never reads a file. The host gives the texts of the imported files as
//! [`Sources`], a map from each file's path (relative to the main policy's folder, `/`
//! separated, as [`missing_imports`] names them) to its text. Composition works on the
//! documents' trees: each imported text is appended to the main text (after a newline) and
//! its spans shifted there, so the policy compiles as one text; a [`SourceMap`] then points
//! every diagnostic back into the file it is about, with `source` set to that file's path.

mod files;
mod map;
pub mod model;
mod path;
pub(crate) mod schema;
mod template;

pub use map::SourceMap;

use crate::diagnostic::Diagnostic;
use crate::document::{Format, Node};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The texts of imported files, by path relative to the main policy's folder (`lib/web.yaml`,
/// `../shared/web.yaml`): the paths [`missing_imports`] names.
pub type Sources = BTreeMap<String, String>;

/// An imported file a policy was composed from: its path and the hash of its text. Decisions
/// list them (`policy.sources`), so a changed library shows in every decision made with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceRef {
    /// The file's path, relative to the main policy's folder.
    pub path: String,
    /// `sha256:` and the hex SHA-256 of the file's text.
    pub hash: String,
}

/// A policy document with its imports resolved and its templates instantiated.
#[derive(Debug)]
pub(crate) struct Composed {
    /// The composed document, spans into `text`.
    pub node: Node,
    /// The main text, then each imported text after a newline.
    pub text: String,
    /// Where each imported text lies in `text`.
    pub map: SourceMap,
    /// Every imported file, sorted by path.
    pub sources: Vec<SourceRef>,
}

/// Whether the policy `node` composes anything: it has `imports` or `templates`, a gate built
/// from a template (`use`), or a definition that says it overrides (`override`, which is an
/// error without an import to override). A policy that does not is compiled as read, without a
/// composed copy of its tree (which would double the memory a large policy takes to compile).
pub(crate) fn composes(node: &Node) -> bool {
    use crate::document::NodeKind;
    let items = |key: &str| -> Vec<&Node> {
        match node.get(key).map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items.iter().collect(),
            Some(NodeKind::Map(entries)) => entries.iter().map(|(_, v)| v).collect(),
            _ => Vec::new(),
        }
    };
    let marked = |key: &str, marks: &[&str]| {
        items(key)
            .into_iter()
            .any(|item| marks.iter().any(|m| item.get(m).is_some()))
    };
    node.get("imports").is_some()
        || node.get("templates").is_some()
        || marked("gates", &["use", "override"])
        || marked("metrics", &["override"])
        || marked("personas", &["override"])
}

/// Composes the main policy `node` (read from `text`) with the imported `sources`.
///
/// # Errors
/// Every composition problem (a missing import, a cycle, a conflict, a template or argument
/// at fault, an imported file that does not read), each pointed into its own file.
pub(crate) fn compose(
    text: &str,
    node: &Node,
    sources: &Sources,
) -> Result<Composed, Vec<Diagnostic>> {
    let mut composer = files::Composer::new(text, sources);
    let node = composer.main(node);
    let files::Composer {
        text,
        map,
        diagnostics,
        loaded,
        ..
    } = composer;
    if !diagnostics.is_empty() {
        return Err(diagnostics.into_iter().map(|d| map.remap(d)).collect());
    }
    let sources = loaded
        .iter()
        .map(|(path, text)| SourceRef {
            path: path.clone(),
            hash: crate::policy::text_hash(text.as_bytes()),
        })
        .collect();
    Ok(Composed {
        node,
        text,
        map,
        sources,
    })
}

/// The imported paths the policy `text` needs that `sources` does not hold yet, through every
/// import of the files it does hold: a host calls this, reads those files (relative to the
/// main policy's folder), and calls it again until nothing more is missing or readable. A file
/// that cannot be read is simply left out; compiling then reports it (`KIRO-E190`).
#[must_use]
pub fn missing_imports(text: &str, format: Option<Format>, sources: &Sources) -> Vec<String> {
    let format = format.unwrap_or_else(|| Format::detect(text));
    let Ok(node) = crate::document::parse(text, format, &crate::document::Limits::default()) else {
        return Vec::new();
    };
    let mut composer = files::Composer::new(text, sources);
    composer.main(&node);
    composer.missing
}

#[cfg(test)]
mod tests;
