//! Tests of pipelines: validation, planning, renderings and the run's state machine on
//! virtual time.

// A test fails by panicking.
#![allow(clippy::panic)]

mod execution;
mod fake;
mod host;
mod planning;
mod rendering;
mod replay;
