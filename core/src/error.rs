//! One error type per operation. Each carries the diagnostics every host shows.
//!
//! Outcomes (a failed gate) are data in the decision, never errors: these are for input that
//! cannot be evaluated at all.
//!
//! [`BoundaryError`] is what every binding hands its host: any kiro error (or a caught panic)
//! with its kind, message and diagnostics, whatever operation it came from. [`guard`] and
//! [`catch_panic`] are the panic boundary every binding wraps its core calls in.

use crate::diagnostic::{Code, Diagnostic, Excerpt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What went wrong, for hosts that map errors to exception classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The policy text is malformed or invalid.
    Policy,
    /// The metrics input or the gate selection is invalid.
    Input,
    /// A condition could not be evaluated on the given values (division by zero, overflow).
    Evaluation,
    /// A bug in kiro.
    Internal,
}

impl ErrorKind {
    /// The kind as written in JSON responses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Policy => "policy",
            ErrorKind::Input => "input",
            ErrorKind::Evaluation => "evaluation",
            ErrorKind::Internal => "internal",
        }
    }
}

/// What every kiro error offers hosts: a kind, a code and diagnostics.
pub trait KiroError: std::error::Error {
    /// The kind of error.
    fn kind(&self) -> ErrorKind;
    /// The diagnostics, never empty.
    fn diagnostics(&self) -> &[Diagnostic];
    /// The code of the first diagnostic.
    fn code(&self) -> Code {
        self.diagnostics()
            .first()
            .map_or(Code::Internal, |d| d.code)
    }
    /// The source line under the first diagnostic's first label, when it is known (only a
    /// [`BoundaryError`] made with [`BoundaryError::with_excerpt`] knows it).
    fn excerpt(&self) -> Option<&Excerpt> {
        None
    }
}

/// Declares an error type of one operation that is a list of diagnostics (never empty) of one
/// [`ErrorKind`]: its constructor, `From<Diagnostic>`, `Display` (the first diagnostic and how
/// many more), [`KiroError`] and the conversion to [`BoundaryError`].
macro_rules! diagnostics_error {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            diagnostics: Vec<$crate::diagnostic::Diagnostic>,
        }

        impl $name {
            /// An error with these diagnostics (an empty list becomes an internal error).
            #[must_use]
            pub fn new(diagnostics: Vec<$crate::diagnostic::Diagnostic>) -> Self {
                Self {
                    diagnostics: $crate::error::non_empty(diagnostics),
                }
            }
        }

        impl From<$crate::diagnostic::Diagnostic> for $name {
            fn from(diagnostic: $crate::diagnostic::Diagnostic) -> Self {
                Self::new(vec![diagnostic])
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::error::write_summary(f, &self.diagnostics)
            }
        }

        impl std::error::Error for $name {}

        impl $crate::error::KiroError for $name {
            fn kind(&self) -> $crate::error::ErrorKind {
                $kind
            }
            fn diagnostics(&self) -> &[$crate::diagnostic::Diagnostic] {
                &self.diagnostics
            }
        }

        impl From<$name> for $crate::error::BoundaryError {
            fn from(error: $name) -> Self {
                Self::from_kiro(&error)
            }
        }
    };
}
pub(crate) use diagnostics_error;

pub(crate) fn write_summary(f: &mut fmt::Formatter<'_>, diagnostics: &[Diagnostic]) -> fmt::Result {
    match diagnostics {
        [] => f.write_str("unknown error"),
        [one] => write!(f, "{one}"),
        [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
    }
}

diagnostics_error! {
    /// The policy could not be read, validated or compiled.
    PolicyError, ErrorKind::Policy
}

/// A check could not be carried out.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckError {
    /// The metrics input, batch columns or the gate selection are invalid.
    Input(Vec<Diagnostic>),
    /// A condition could not be evaluated on the values given.
    Evaluation(Vec<Diagnostic>),
}

impl CheckError {
    /// An input error from one diagnostic.
    #[must_use]
    pub fn input(diagnostic: Diagnostic) -> Self {
        CheckError::Input(vec![diagnostic])
    }

    /// An input error about batch columns ([`Code::InvalidBatch`], source `metrics`).
    #[must_use]
    pub fn invalid_batch(message: impl Into<String>) -> Self {
        Self::input(Diagnostic::error(Code::InvalidBatch, message).with_source("metrics"))
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, self.diagnostics())
    }
}

impl std::error::Error for CheckError {}

impl KiroError for CheckError {
    fn kind(&self) -> ErrorKind {
        match self {
            CheckError::Input(_) => ErrorKind::Input,
            CheckError::Evaluation(_) => ErrorKind::Evaluation,
        }
    }
    fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            CheckError::Input(d) | CheckError::Evaluation(d) => d,
        }
    }
}

pub(crate) fn non_empty(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.is_empty() {
        diagnostics.push(Diagnostic::error(
            Code::Internal,
            "an error without a diagnostic",
        ));
    }
    diagnostics
}

/// Any kiro error on its way out to a host: the kind, message and diagnostics every binding's
/// exception carries, whatever operation failed. It holds no host objects, so it can cross
/// threads (Python's `detach`).
///
/// Bindings make one with [`guard`] or [`catch_panic`] around a core call, or with the
/// constructors below for an argument they cannot convert, and only map it to their host's
/// exception.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryError {
    /// What went wrong; hosts choose an exception class by it.
    pub kind: ErrorKind,
    /// The first diagnostic's code and message, and how many more there are (exceptions show
    /// [`BoundaryError::shown`]).
    pub message: String,
    /// The diagnostics (never empty: [`KiroError`] promises as much).
    pub diagnostics: Vec<Diagnostic>,
    /// The source line under the first diagnostic's first label, when the text it points into
    /// is known (the policy's: [`BoundaryError::with_excerpt`]).
    pub excerpt: Option<Box<Excerpt>>,
}

impl BoundaryError {
    /// What an exception shows: [`BoundaryError::message`], then where the first diagnostic
    /// is (`--> policy:3:7`, once its labels are located), the source line with a caret under
    /// the label (when the text is known: [`BoundaryError::excerpt`]), and its help.
    #[must_use]
    pub fn shown(&self) -> String {
        let mut out = self.message.clone();
        if let Some(first) = self.diagnostics.first() {
            let place = first.labels.first().and_then(|l| l.line.zip(l.column));
            if let Some((line, column)) = place {
                let source = first.source.as_deref().unwrap_or("input");
                out.push_str(&format!("\n  --> {source}:{line}:{column}"));
                if let Some(excerpt) = &self.excerpt {
                    out.push('\n');
                    out.push_str(excerpt.render().trim_end_matches('\n'));
                }
            }
            if let Some(help) = &first.help {
                out.push_str(&format!("\n  = help: {help}"));
            }
        }
        out
    }

    /// The boundary form of a kiro error: its kind, message, diagnostics and excerpt.
    #[must_use]
    pub fn from_kiro<E: KiroError + ?Sized>(error: &E) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
            diagnostics: error.diagnostics().to_vec(),
            excerpt: error.excerpt().cloned().map(Box::new),
        }
    }

    /// The error with the excerpt of `text` under its first diagnostic's first label, when
    /// that diagnostic is about `source` (`policy`) and its labels are not located yet (their
    /// offsets are still bytes into `text`). Call it before locating the labels.
    #[must_use]
    pub fn with_excerpt(mut self, source: &str, text: &str) -> Self {
        if let Some(first) = self.diagnostics.first()
            && first.source.as_deref() == Some(source)
            && first.labels.first().is_some_and(|l| l.line.is_none())
        {
            self.excerpt = Excerpt::of(first, text).map(Box::new);
        }
        self
    }

    /// An error of `kind` with one diagnostic.
    #[must_use]
    pub fn new(kind: ErrorKind, diagnostic: Diagnostic) -> Self {
        Self {
            kind,
            message: diagnostic.to_string(),
            diagnostics: vec![diagnostic],
            excerpt: None,
        }
    }

    /// An input error with one diagnostic about the metrics (source `metrics`).
    #[must_use]
    pub fn input(code: Code, message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Input,
            Diagnostic::error(code, message).with_source("metrics"),
        )
    }

    /// A bug in kiro ([`Code::Internal`], `KIRO-E099`): `internal error: {what}`, with a help
    /// line asking for a report.
    #[must_use]
    pub fn internal(what: &str) -> Self {
        Self::new(
            ErrorKind::Internal,
            Diagnostic::error(Code::Internal, format!("internal error: {what}"))
                .with_help("this is a bug in kiro; please report it with the input that caused it"),
        )
    }

    /// The error a caught panic becomes: [`BoundaryError::internal`] with the panic's message
    /// (see [`panic_message`]).
    #[must_use]
    pub fn from_panic(payload: &(dyn Any + Send)) -> Self {
        Self::internal(&panic_message(payload))
    }

    /// The code of the first diagnostic.
    #[must_use]
    pub fn code(&self) -> Code {
        self.diagnostics.first().map_or(Code::Internal, |d| d.code)
    }
}

impl fmt::Display for BoundaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BoundaryError {}

impl KiroError for BoundaryError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    fn excerpt(&self) -> Option<&Excerpt> {
        self.excerpt.as_deref()
    }
}

impl From<CheckError> for BoundaryError {
    fn from(error: CheckError) -> Self {
        Self::from_kiro(&error)
    }
}

/// The message of a panic payload: the `&str` or `String` given to `panic!`, else `a panic
/// without a message`.
#[must_use]
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `f`, turning a panic into a `KIRO-E099` [`BoundaryError`] so that it never unwinds
/// into a host. Where panics abort (`wasm32-unknown-unknown` on stable Rust) nothing can be
/// caught and this only runs `f`.
///
/// # Errors
/// [`BoundaryError::from_panic`] when `f` panics.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, BoundaryError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| BoundaryError::from_panic(payload.as_ref()))
}

/// Runs a core call that may fail, turning both its error and a panic into a
/// [`BoundaryError`].
///
/// # Errors
/// The call's error ([`BoundaryError::from_kiro`]), or a panic as in [`catch_panic`].
pub fn guard<T, E: KiroError>(f: impl FnOnce() -> Result<T, E>) -> Result<T, BoundaryError> {
    catch_panic(f)?.map_err(|e| BoundaryError::from_kiro(&e))
}

#[cfg(test)]
mod tests;
