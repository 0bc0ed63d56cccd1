//! A stage's exit gate, checked on what its attempt reported, with the policy engine itself.

use crate::decision::Decision;
use crate::diagnostic::Diagnostic;
use crate::error::KiroError;
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;

/// What checking a stage's exit gate gave.
pub(super) enum ExitCheck {
    /// The stage has no exit gate.
    None,
    /// The gate's decision.
    Decided {
        gate: String,
        decision: Box<Decision>,
    },
    /// The metrics do not fit the policy (or the gate is missing, a bug), so the gate could
    /// not be checked: the stage fails rather than passing unchecked.
    Unreadable {
        gate: String,
        diagnostics: Vec<Diagnostic>,
    },
}

/// Checks the exit gate of stage `i` of `policy`'s pipeline on `metrics`.
pub(super) fn check_exit(policy: &CompiledPolicy, i: usize, metrics: &MetricsInput) -> ExitCheck {
    match policy.check_exit(i, metrics) {
        None => ExitCheck::None,
        Some((gate, Ok(decision))) => ExitCheck::Decided {
            gate: gate.to_owned(),
            decision: Box::new(decision),
        },
        Some((gate, Err(error))) => ExitCheck::Unreadable {
            gate: gate.to_owned(),
            diagnostics: error.diagnostics().to_vec(),
        },
    }
}
