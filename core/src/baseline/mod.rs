//! Relative criteria: which earlier runs a `baseline(metric)` compares with, and its value.
//!
//! The core never queries a history: the host gives the earlier runs ([`EarlierRun`], from
//! its store or a file) and the current branch. A policy's `baseline:` block ([`BaselineDecl`],
//! also on a gate, overriding it field by field) says which of them count, the way Keptn's
//! `compare_with` does: the newest `last` runs of the same policy on a branch whose verdict
//! the `include` rule admits. Each `baseline(metric, aggregate)` is then the aggregate of the
//! metric over those runs ([`crate::condition::Aggregate::of`]); with no usable run it has no
//! data, and the criterion's `on_missing` rule decides, which its explanation says.
//!
//! The values are placed in extra metric slots after the declared ones (seven per metric and
//! per rule: see [`compute`]), so the condition programs read them like any metric.

mod history;
mod model;
mod select;
#[cfg(test)]
mod tests;

pub use history::{EarlierRun, MAX_RUNS, decode_history};
pub use model::{BaselineDecl, Include};
pub use select::BaselineQuery;
pub(crate) use select::{BaselineRule, Baselines, compute};
