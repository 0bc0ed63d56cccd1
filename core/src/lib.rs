//! # kiro — release governance as code
//!
//! One engine that decides whether a change may merge, a stage may pass, an environment may be
//! promoted or a deployment must roll back — with the same answer, and the same explanation,
//! from Rust, the `kiro` CLI, Python, Node and WebAssembly.
//!
//! Data flows one way: **text → policy → compiled policy → decisions**. The crate is pure: it
//! does no I/O, reads no clock or environment and starts no threads.

#![forbid(unsafe_code)]

pub mod decision;
pub mod diagnostic;
pub mod document;
pub mod metrics;
pub mod policy;
pub mod tri;
pub mod units;
