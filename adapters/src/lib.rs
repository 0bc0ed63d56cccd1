//! kiro's monitor and the outside world.
//!
//! The core crate `kiro` is pure: its monitor takes observations and answers with decisions.
//! This crate is what stands between it and the metrics teams already have:
//!
//! - [`samples`]: recorded metrics read into observations, each pointing back at the place in
//!   the file it came from: CSV (wide and long), JSON lines, a Prometheus `query_range`
//!   response, and the series notation of `promtool test rules`;
//! - [`prometheus`]: Prometheus' HTTP API — its answers read into readings (pure), and, with
//!   the `http` feature, a blocking client that queries a live server, mapping every failure
//!   to an explicit reading (a source error with its reason, no data, or NaN).
//!
//! - `history` (features `sqlite` and `postgres`): every recorded decision with its inputs and
//!   context, in a SQLite database or on a PostgreSQL server;
//! - `git` (feature `git`): the change metrics of a repository's commits for the defect-risk
//!   model (`kiro risk features`), read with gix.
//!
//! Everything but [`prometheus::client`], `history` and `git` is pure and fuzzed (`fuzz/`).

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

#[cfg(feature = "git")]
pub mod git;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod history;
pub mod prometheus;
pub mod samples;
