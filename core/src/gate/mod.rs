//! The `gates` section: quality gates as written ([`model`]), compiled by the criteria
//! compiler, and chosen by name or kind ([`Selection`]) for a check on one record or a
//! columnar batch ([`CompiledPolicy::check`](crate::CompiledPolicy::check),
//! [`CompiledPolicy::check_batch`](crate::CompiledPolicy::check_batch), which the policy
//! answers by evaluating the selected gates of its gate set), or only for the verdict and
//! each criterion's outcome, without explanations ([`RecordVerdict`], [`RecordCheck`]: the
//! verdict path, in `verdict.rs`).
//!
//! The rules that score gates and sign off personas are shared with every other section that
//! judges metrics, and live in the criteria layer below.

mod compile;
pub mod model;
mod selection;
mod verdict;

pub use crate::criteria::{
    Batch, BatchColumn, BatchCounts, BatchResult, CODE_ERROR, CODE_FAIL, CODE_PASS, CODE_WARN,
    ColumnBuilder,
};
pub(crate) use compile::compile;
pub use selection::Selection;
pub(crate) use verdict::judge;
pub use verdict::{RecordCheck, RecordVerdict};

#[cfg(test)]
mod tests;
