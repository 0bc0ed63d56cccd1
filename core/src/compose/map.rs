//! Where each imported text lies in the composed text, and diagnostics pointed back into the
//! file they are about.

use crate::diagnostic::Diagnostic;

/// The source of diagnostics about the main policy text.
const POLICY: &str = "policy";

/// Where each imported file's text lies in the composed text (the main text first, then each
/// imported text after a newline).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Each imported file: its path, and where its text starts and ends in the composed text.
    files: Vec<(String, usize, usize)>,
}

impl SourceMap {
    /// Records that the text of `path` lies at `start..end`.
    pub(super) fn push(&mut self, path: &str, start: usize, end: usize) {
        self.files.push((path.to_owned(), start, end));
    }

    /// Whether the policy imported nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `diagnostic`, when it is about the composed policy text and its first label lies in an
    /// imported file's text, pointed into that file: `source` is the file's path, labels are
    /// offsets into its text, and labels in other files are left out. Others are unchanged.
    #[must_use]
    pub fn remap(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        if self.files.is_empty() || !matches!(diagnostic.source.as_deref(), None | Some(POLICY)) {
            return diagnostic;
        }
        let Some(first) = diagnostic.labels.first().map(|l| l.start) else {
            return diagnostic;
        };
        let main_end = self
            .files
            .first()
            .map_or(usize::MAX, |f| f.1.saturating_sub(1));
        let (source, start, end) = self
            .files
            .iter()
            .find(|(_, start, end)| (*start..=*end).contains(&first))
            .map_or((POLICY, 0, main_end), |(path, start, end)| {
                (path.as_str(), *start, *end)
            });
        diagnostic
            .labels
            .retain(|l| l.start >= start && l.end <= end);
        for label in &mut diagnostic.labels {
            label.start -= start;
            label.end -= start;
        }
        diagnostic.source = Some(source.to_owned());
        diagnostic
    }

    /// [`SourceMap::remap`] over every diagnostic.
    #[must_use]
    pub fn remap_all(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics.into_iter().map(|d| self.remap(d)).collect()
    }
}
