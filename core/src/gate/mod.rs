//! The `gates` section: quality gates as written ([`model`]), compiled by the criteria
//! compiler, chosen by name or kind ([`Selection`]) and checked on one record or a columnar
//! batch ([`CompiledPolicy::check`](crate::CompiledPolicy::check),
//! [`CompiledPolicy::check_batch`](crate::CompiledPolicy::check_batch)).
//!
//! The rules that score gates and sign off personas are shared with every other section that
//! judges metrics, and live in the criteria layer below.

mod check;
mod compile;
pub mod model;
mod selection;

pub use crate::criteria::{
    Batch, BatchColumn, BatchCounts, BatchResult, CODE_ERROR, CODE_FAIL, CODE_PASS, CODE_WARN,
    ColumnBuilder,
};
pub(crate) use compile::compile;
pub use selection::Selection;
