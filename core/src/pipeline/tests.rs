//! Tests of pipelines: validation, planning, renderings and the executor on a fake clock.

// A test fails by panicking.
#![allow(clippy::panic)]

mod execution;
mod fake;
mod planning;
mod rendering;
