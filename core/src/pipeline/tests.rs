//! Tests of pipelines: validation, planning, renderings and the run's state machine on
//! virtual time.

#![allow(clippy::panic, reason = "a test fails by panicking")]

mod execution;
mod fake;
mod host;
mod planning;
mod rendering;
mod replay;
