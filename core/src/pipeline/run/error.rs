//! The errors of planning and running a pipeline: one type per operation.

use crate::diagnostic::{Code, Diagnostic};
use crate::error::{BoundaryError, ErrorKind, KiroError};
use std::fmt;

fn write_summary(f: &mut fmt::Formatter<'_>, diagnostics: &[Diagnostic]) -> fmt::Result {
    match diagnostics {
        [] => f.write_str("unknown error"),
        [one] => write!(f, "{one}"),
        [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
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

/// The error for a policy without a pipeline ([`Code::NoPipeline`]).
pub(crate) fn no_pipeline() -> Diagnostic {
    Diagnostic::error(Code::NoPipeline, "the policy has no pipeline")
        .with_help("add a `pipeline:` section with `stages:`")
}

/// A pipeline could not be planned: the policy has none ([`Code::NoPipeline`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    diagnostics: Vec<Diagnostic>,
}

impl PlanError {
    /// The error for a policy without a pipeline.
    #[must_use]
    pub fn no_pipeline() -> Self {
        Self {
            diagnostics: vec![no_pipeline()],
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, &self.diagnostics)
    }
}

impl std::error::Error for PlanError {}

impl KiroError for PlanError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Input
    }
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// A run could not start, take an event, or be restored: the policy has no pipeline
/// ([`Code::NoPipeline`]), an action names no stage ([`Code::UnknownReference`]), a saved
/// state cannot be read ([`Code::InvalidState`]) or belongs to another policy
/// ([`Code::StatePolicyMismatch`]), an event goes back in time ([`Code::TimeWentBackwards`]) or
/// is one the run cannot take ([`Code::UnexpectedEvent`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    diagnostics: Vec<Diagnostic>,
}

impl RunError {
    /// An error with these diagnostics (an empty list becomes an internal error).
    #[must_use]
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Self {
            diagnostics: non_empty(diagnostics),
        }
    }
}

impl From<Diagnostic> for RunError {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::new(vec![diagnostic])
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, &self.diagnostics)
    }
}

impl std::error::Error for RunError {}

impl KiroError for RunError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Input
    }
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl From<PlanError> for BoundaryError {
    fn from(error: PlanError) -> Self {
        Self::from_kiro(&error)
    }
}

impl From<RunError> for BoundaryError {
    fn from(error: RunError) -> Self {
        Self::from_kiro(&error)
    }
}
