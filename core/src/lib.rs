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
//!
//! ## The public surface
//!
//! The items re-exported here, and the modules [`api`] (the boundary every host wraps),
//! [`decision`], [`diagnostic`], [`error`], [`machine`], [`pipeline`] and [`render`]. The
//! modules hidden from the documentation (`condition`, `document`, `gate`, `metrics`, `policy`,
//! `tri`, `units`) are public only for the `kiro` CLI, the benches and the fuzz targets, which
//! reach into the engine's layers; they are not a stable API.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
#![forbid(unsafe_code)]
// The core writes nothing to a terminal, and its outputs never depend on hash order.
#![deny(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::iter_over_hash_type
)]

// The modules, bottom to top: shared layers, then the sections of a policy, then what is made
// of their answers and the boundary every host wraps.
//
// Shared layers.
pub mod compose;
#[doc(hidden)]
pub mod condition;
mod criteria;
pub mod diagnostic;
#[doc(hidden)]
pub mod document;
pub mod error;
pub mod evidence;
pub mod machine;
#[doc(hidden)]
pub mod metrics;
#[doc(hidden)]
pub mod tri;
#[doc(hidden)]
pub mod units;
// Sections of a policy (next: rollout, alert, risk), and the policy that assembles them.
#[doc(hidden)]
pub mod alert;
pub mod baseline;
pub mod gate;
pub mod health;
pub mod monitor;
pub mod pipeline;
#[doc(hidden)]
pub mod policy;
pub mod policytest;
pub mod release;
pub mod risk;
// Renderings, and the boundary.
pub mod api;
pub mod render;
pub mod status;

pub use api::{
    CheckOptions, HostPolicy, StartRunOptions, VERSION, decision_to_json, parse_format, parse_kind,
    policy_schema, policy_schema_json,
};
/// The output contract of a check: the decision, every gate's and criterion's trace, the
/// persona sign-offs.
pub use criteria::decision;
pub use decision::{Decision, Outcome, Signoff, Verdict};
pub use diagnostic::{Code, Diagnostic, Label, OffsetUnit, Severity, Span};
pub use document::Format;
pub use error::{
    BoundaryError, CheckError, ErrorKind, KiroError, PolicyError, catch_panic, guard, panic_message,
};
pub use gate::{Batch, BatchColumn, BatchCounts, BatchResult, ColumnBuilder, Selection};
pub use metrics::MetricsInput;
pub use policy::CompiledPolicy;
pub use policy::model::GateKind;
