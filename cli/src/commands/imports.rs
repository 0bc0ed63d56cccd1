//! The files a policy imports (docs/composition.md), read relative to the policy's folder as
//! the engine names them, until nothing more is missing or readable.

use crate::diagnostics::SourceFile;
use crate::io::{self, InputKind};
use kiro::Format;
use kiro::compose::{Sources, missing_imports};
use std::collections::BTreeSet;
use std::path::Path;

/// Every file the policy `text` at `path` imports, directly or through another import, that
/// can be read; each with its import path as `source`. A file that cannot be read is left
/// out: compiling reports it as not found (`KIRO-E190`).
pub(super) fn read(path: &Path, text: &str, format: Format) -> Vec<SourceFile> {
    let folder = if io::is_stdin(path) {
        Path::new(".")
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let mut sources = Sources::new();
    let mut files = Vec::new();
    let mut tried = BTreeSet::new();
    loop {
        let missing: Vec<String> = missing_imports(text, Some(format), &sources)
            .into_iter()
            .filter(|m| tried.insert(m.clone()))
            .collect();
        if missing.is_empty() {
            return files;
        }
        for import in missing {
            let Ok(file) = io::read_input(&folder.join(&import), InputKind::Policy) else {
                continue;
            };
            sources.insert(import.clone(), file.text.clone());
            files.push(SourceFile {
                source: import,
                ..file
            });
        }
    }
}
