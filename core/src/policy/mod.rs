//! Policies: the document model, and its validation and compilation.

mod compile;
pub(crate) mod compiled;
pub(crate) mod metric_table;
pub mod model;

pub(crate) use compile::undeclared_persona;
pub use compile::{DEFAULT_MAX_CONDITIONS, policy_hash};
pub use compiled::CompiledPolicy;

#[cfg(test)]
mod tests;
