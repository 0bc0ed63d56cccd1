//! Quality gates: criterion outcomes, gate scoring and persona sign-off.
//!
//! The rules live here once and serve both the single check (which also writes explanations)
//! and the columnar batch (which only needs verdicts).

mod compile;
mod outcome;
mod scoring;
mod signoff;

pub(crate) use compile::compile;
pub(crate) use outcome::{criterion_outcome, earned};
pub(crate) use scoring::{GateScore, score, score_gate, scored_verdict, strict_severity};
pub(crate) use signoff::{Reason, signoff};
