//! The errors of planning and running a pipeline: one type per operation.

use crate::diagnostic::{Code, Diagnostic};
use crate::error::{ErrorKind, diagnostics_error};

/// The error for a policy without a pipeline ([`Code::NoPipeline`]).
pub(crate) fn no_pipeline() -> Diagnostic {
    Diagnostic::error(Code::NoPipeline, "the policy has no pipeline")
        .with_help("add a `pipeline:` section with `stages:`")
}

diagnostics_error! {
    /// A pipeline could not be planned: the policy has none ([`Code::NoPipeline`]).
    PlanError, ErrorKind::Input
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

diagnostics_error! {
    /// A run could not start, take an event, or be restored: the policy has no pipeline
    /// ([`Code::NoPipeline`]), an action names no stage ([`Code::UnknownReference`]), a saved
    /// state cannot be read ([`Code::InvalidState`]) or belongs to another policy
    /// ([`Code::StatePolicyMismatch`]), an event goes back in time ([`Code::TimeWentBackwards`]) or
    /// is one the run cannot take ([`Code::UnexpectedEvent`]).
    RunError, ErrorKind::Input
}
