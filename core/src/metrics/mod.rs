//! Metric observations: what the caller supplies, read and checked against the policy.

pub mod input;
