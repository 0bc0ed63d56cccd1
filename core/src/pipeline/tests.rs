//! Tests of pipelines: validation, planning, renderings and the executor on a fake clock.

// A test fails by panicking.
#![allow(clippy::panic)]

mod execution;
mod fake;
mod host;
mod planning;
mod rendering;
