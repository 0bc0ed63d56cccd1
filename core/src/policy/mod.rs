//! Policies: the document model, and its validation and compilation.

mod compile;
pub(crate) mod compiled;
pub(crate) mod metric_table;
pub mod model;

pub use crate::criteria::DEFAULT_MAX_CONDITIONS;
pub use compile::policy_hash;
pub use compiled::CompiledPolicy;

#[cfg(test)]
mod tests;
