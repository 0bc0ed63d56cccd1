//! The error of a monitor operation: the event, the saved state or the policy cannot be used.

use crate::diagnostic::{Code, Diagnostic};
use crate::error::{ErrorKind, KiroError};
use std::fmt;

/// A monitor could not take an event, start, save or restore. Outcomes (a rollback) are data
/// in the decision; this is for input that cannot be used at all. The state is unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorError {
    diagnostics: Vec<Diagnostic>,
}

impl MonitorError {
    /// An error with these diagnostics (an empty list becomes an internal error).
    #[must_use]
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        if diagnostics.is_empty() {
            diagnostics.push(Diagnostic::error(
                Code::Internal,
                "an error without a diagnostic",
            ));
        }
        Self { diagnostics }
    }
}

impl From<Diagnostic> for MonitorError {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::new(vec![diagnostic])
    }
}

impl fmt::Display for MonitorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.as_slice() {
            [] => f.write_str("unknown error"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
        }
    }
}

impl std::error::Error for MonitorError {}

impl KiroError for MonitorError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Input
    }
    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}
