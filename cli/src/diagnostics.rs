//! Why a command could not finish, and how that is shown: the engine's diagnostics rendered
//! with the source line and a caret under the problem, via `annotate-snippets`.

use annotate_snippets::{
    AnnotationKind, Group, Level, Origin, Renderer, Snippet, normalize_untrusted_str,
};
use kiro::{Diagnostic, Severity};

/// A text diagnostics may point into.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The `source` the engine names in its diagnostics (`policy`, `metrics`, `--metric`).
    pub source: String,
    /// The name shown to the user: the file name, `<stdin>`, `--metric`.
    pub name: String,
    /// The text.
    pub text: String,
}

/// Why a command could not produce a result (exit status 3).
#[derive(Debug, Clone)]
pub enum Failure {
    /// Diagnostics from the engine, with the texts their spans point into.
    Diagnostics {
        /// The problems, in the order found.
        diagnostics: Vec<Diagnostic>,
        /// The texts the diagnostics' `source`s name.
        sources: Vec<SourceFile>,
    },
    /// A problem outside the engine, such as a file that cannot be read or written.
    Io {
        /// What went wrong: lowercase, no trailing period.
        message: String,
    },
}

impl Failure {
    /// A failure from one diagnostic with no source text.
    pub fn diagnostic(diagnostic: Diagnostic) -> Self {
        Failure::Diagnostics {
            diagnostics: vec![diagnostic],
            sources: Vec::new(),
        }
    }

    /// Diagnostics about `source`; diagnostics that name no source are taken to be about it.
    pub fn in_source(diagnostics: &[Diagnostic], source: &SourceFile) -> Self {
        Self::in_sources(diagnostics, std::slice::from_ref(source))
    }

    /// Diagnostics about any of `sources`; diagnostics that name no source and have labels are
    /// taken to be about the first.
    pub fn in_sources(diagnostics: &[Diagnostic], sources: &[SourceFile]) -> Self {
        let diagnostics = diagnostics
            .iter()
            .cloned()
            .map(|mut d| {
                if d.source.is_none()
                    && !d.labels.is_empty()
                    && let Some(first) = sources.first()
                {
                    d.source = Some(first.source.clone());
                }
                d
            })
            .collect();
        Failure::Diagnostics {
            diagnostics,
            sources: sources.to_vec(),
        }
    }

    /// A failure outside the engine.
    pub fn io(message: impl Into<String>) -> Self {
        Failure::Io {
            message: message.into(),
        }
    }
}

/// Renders a failure for standard error, coloured or not.
pub fn render(failure: &Failure, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    match failure {
        Failure::Io { message } => {
            let report = [Group::with_title(
                Level::ERROR.primary_title(message.as_str()),
            )];
            out.push_str(&renderer.render(&report));
            out.push('\n');
        }
        Failure::Diagnostics {
            diagnostics,
            sources,
        } => {
            for (i, diagnostic) in diagnostics.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                let source = diagnostic
                    .source
                    .as_deref()
                    .and_then(|s| sources.iter().find(|f| f.source == s));
                out.push_str(&render_one(&renderer, diagnostic, source));
                out.push('\n');
            }
            if diagnostics.len() > 1 {
                let errors = diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                let (level, summary) = if errors == 0 {
                    (Level::WARNING, format!("{} warnings", diagnostics.len()))
                } else {
                    (
                        Level::ERROR,
                        format!("{} problems found", diagnostics.len()),
                    )
                };
                out.push('\n');
                let report = [Group::with_title(level.primary_title(summary))];
                out.push_str(&renderer.render(&report));
                out.push('\n');
            }
        }
    }
    out
}

fn render_one(renderer: &Renderer, diagnostic: &Diagnostic, source: Option<&SourceFile>) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut group = Group::with_title(
        level
            .primary_title(diagnostic.message.as_str())
            .id(diagnostic.code.as_str()),
    );
    match source {
        Some(file) if !diagnostic.labels.is_empty() => {
            let mut snippet = Snippet::source(file.text.as_str())
                .path(file.name.as_str())
                .fold(true);
            for (i, label) in diagnostic.labels.iter().enumerate() {
                let kind = if i == 0 {
                    AnnotationKind::Primary
                } else {
                    AnnotationKind::Context
                };
                let span = clamp(&file.text, label.start, label.end);
                let annotation = kind.span(span);
                snippet = snippet.annotation(if label.label.is_empty() {
                    annotation
                } else {
                    annotation.label(label.label.as_str())
                });
            }
            group = group.element(snippet);
        }
        Some(file) => {
            group = group.element(Origin::path(file.name.as_str()));
        }
        None => {
            // Spans into a text kiro does not have (e.g. an input given by a binding) are not
            // shown; the source's name still is.
            if let Some(name) = diagnostic.source.as_deref() {
                group = group.element(Origin::path(name));
            }
        }
    }
    if let Some(help) = &diagnostic.help {
        // Help is rendered as given ("trusted"), so control characters are removed here.
        group = group.element(Level::HELP.message(normalize_untrusted_str(help)));
    }
    renderer.render(&[group])
}

/// `start..end` inside `text` and on character boundaries, so that a span from elsewhere can
/// never make the renderer slice outside the text.
fn clamp(text: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests;
