//! Policies: the whole document model, and its compilation, which only assembles the
//! sections.
//!
//! A policy compiles its metrics ([`metrics`](crate::metrics)) and personas once, then hands
//! each section its part: the gates ([`gate`](crate::gate)) and the pipeline
//! ([`pipeline`](crate::pipeline)), both of whose criteria the one criteria compiler compiles.
//! The result, [`CompiledPolicy`], holds the sections side by side and answers for the places
//! where one section uses another (a pipeline stage's exit gate, risk-based gating).

mod check;
mod compile;
pub(crate) mod compiled;
pub mod model;
mod risk_gate;
mod risk_thresholds;

pub use crate::criteria::DEFAULT_MAX_CONDITIONS;
pub use compile::policy_hash;
pub(crate) use compile::text_hash;
pub use compiled::CompiledPolicy;
pub use risk_gate::{Bypass, RiskGatedDecision};
pub use risk_thresholds::ThresholdChange;

#[cfg(test)]
mod tests;
