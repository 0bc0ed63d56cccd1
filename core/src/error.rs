//! One error type per operation. Each carries the diagnostics every host shows.
//!
//! Outcomes (a failed gate) are data in the decision, never errors: these are for input that
//! cannot be evaluated at all.

use crate::diagnostic::{Code, Diagnostic};
use std::fmt;

/// What went wrong, for hosts that map errors to exception classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

fn write_summary(f: &mut fmt::Formatter<'_>, diagnostics: &[Diagnostic]) -> fmt::Result {
    match diagnostics {
        [] => f.write_str("unknown error"),
        [one] => write!(f, "{one}"),
        [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
    }
}

/// The policy could not be read, validated or compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyError {
    diagnostics: Vec<Diagnostic>,
}

impl PolicyError {
    /// An error with these diagnostics (an empty list becomes an internal error).
    #[must_use]
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Self {
            diagnostics: non_empty(diagnostics),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, &self.diagnostics)
    }
}

impl std::error::Error for PolicyError {}

impl KiroError for PolicyError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Policy
    }
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
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

fn non_empty(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.is_empty() {
        diagnostics.push(Diagnostic::error(
            Code::Internal,
            "an error without a diagnostic",
        ));
    }
    diagnostics
}
