//! # kiro — release governance as code
//!
//! One engine that decides whether a change may merge, a stage may pass, an environment may be
//! promoted or a deployment must roll back — with the same answer, and the same explanation,
//! from Rust, the `kiro` CLI, Python, Node and WebAssembly.
//!
//! Data flows one way: **text → policy → compiled policy → decisions**. The crate is pure: it
//! does no I/O, reads no clock or environment and starts no threads.
//!
//! ```
//! use kiro::{CompiledPolicy, Selection};
//! let policy = CompiledPolicy::from_text(
//!     "name: demo\nmetrics: {coverage: {unit: \"%\"}}\ngates:\n  - name: tests\n    kind: pre-merge\n    criteria:\n      - {name: coverage, pass: coverage >= 90%}\n",
//!     None,
//! ).expect("valid policy");
//! let decision = policy
//!     .check_value(&serde_json::json!({"coverage": 87}), &Selection::all())
//!     .expect("valid metrics");
//! assert_eq!(decision.verdict, kiro::Verdict::Fail);
//! assert_eq!(
//!     decision.gates[0].criteria[0].explanation,
//!     "coverage 87.0% < 90% (needs +3.0 points)"
//! );
//! ```

#![forbid(unsafe_code)]

pub mod api;
pub mod check;
pub mod condition;
mod criteria;
pub mod decision;
pub mod diagnostic;
pub mod document;
pub mod error;
mod gate;
pub mod metrics;
pub mod pipeline;
pub mod policy;
pub mod render;
pub mod tri;
pub mod units;

pub use api::{
    VERSION, check_json_str, decision_to_json, parse_format, parse_kind, policy_schema,
    policy_schema_json, validate, validate_json_str,
};
pub use check::{Batch, BatchColumn, BatchCounts, BatchResult, ColumnBuilder, Selection};
pub use decision::{Decision, Outcome, Signoff, Verdict};
pub use diagnostic::{Code, Diagnostic, Label, Severity, Span};
pub use document::Format;
pub use error::{
    BoundaryError, CheckError, ErrorKind, KiroError, PolicyError, catch_panic, guard, panic_message,
};
pub use metrics::MetricsInput;
pub use policy::CompiledPolicy;
pub use policy::model::GateKind;
