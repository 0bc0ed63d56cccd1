//! Metric observations: what the caller supplies, read and checked against the policy.

pub(crate) mod bind;
pub mod input;

pub use input::{MetricsInput, RawValue};
