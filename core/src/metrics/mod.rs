//! Metrics: the policy's declarations ([`decl`]) compiled to a table of slots, and the
//! observations a caller supplies, read ([`input`]) and bound to those slots in base units.

pub(crate) mod bind;
pub mod decl;
pub mod input;
pub(crate) mod table;
pub mod unknown;

pub use input::{MetricsInput, RawValue};
