//! The subcommands. Each returns what to print and the exit status, or a [`Failure`].

pub mod alerts;
pub mod baseline;
pub mod check;
pub(crate) mod console;
pub mod evidence;
pub mod history;
pub mod plan;
pub mod release;
pub mod render;
pub mod replay;
pub mod risk;
pub mod run;
pub mod schedule;
pub mod schema;
pub(crate) mod stages;
pub mod test;
pub mod validate;
pub mod watch;

use crate::args::PolicyFormat;
use crate::diagnostics::{Failure, SourceFile};
use crate::io::{self, InputKind};
use kiro::render::MetricUnits;
use kiro::{CompiledPolicy, Format, KiroError};
use std::path::{Path, PathBuf};

/// What a command produced: a report and the exit status.
#[derive(Debug)]
pub struct Outcome {
    /// The report for standard output (or `output`).
    pub report: String,
    /// Where to write the report instead of standard output.
    pub output: Option<PathBuf>,
    /// The exit status (see [`crate::exit`]).
    pub code: u8,
}

/// A policy read and compiled.
pub struct LoadedPolicy {
    /// The compiled policy.
    pub policy: CompiledPolicy,
    /// Its text, for diagnostics.
    pub file: SourceFile,
}

impl LoadedPolicy {
    /// The units the policy declares, to show values in.
    pub fn units(&self) -> MetricUnits {
        MetricUnits::from_policy(&self.policy)
    }
}

/// Reads and compiles the policy at `path`. The format is the one given, else the one the
/// extension tells, else detected from the text.
///
/// # Errors
/// A [`Failure`] when the file cannot be read or the policy is invalid.
pub fn load_policy(path: &Path, format: Option<PolicyFormat>) -> Result<LoadedPolicy, Failure> {
    let file = io::read_input(path, InputKind::Policy)?;
    let format = format
        .map(PolicyFormat::to_format)
        .or_else(|| io::format_by_extension(path))
        .unwrap_or_else(|| Format::detect(&file.text));
    match CompiledPolicy::from_text(&file.text, Some(format)) {
        Ok(policy) => Ok(LoadedPolicy { policy, file }),
        Err(e) => Err(Failure::in_source(e.diagnostics(), &file)),
    }
}
