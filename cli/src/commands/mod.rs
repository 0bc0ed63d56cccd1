//! The subcommands. Each returns what to print and the exit status, or a [`Failure`].

pub mod alerts;
pub mod baseline;
pub mod check;
pub(crate) mod console;
pub mod evidence;
pub mod history;
mod imports;
pub mod plan;
pub mod release;
pub mod render;
pub mod replay;
pub mod risk;
pub mod run;
pub mod schedule;
pub mod schema;
pub(crate) mod stages;
pub mod status;
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
    /// The files it imports (docs/composition.md), each under its import path as `source`.
    pub imports: Vec<SourceFile>,
}

impl LoadedPolicy {
    /// The units the policy declares, to show values in.
    pub fn units(&self) -> MetricUnits {
        MetricUnits::from_policy(&self.policy)
    }

    /// The policy's text and the texts of the files it imports, for diagnostics.
    pub fn sources(&self) -> Vec<SourceFile> {
        let mut all = vec![self.file.clone()];
        all.extend(self.imports.iter().cloned());
        all
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
    let imports = imports::read(path, &file.text, format);
    let sources: kiro::compose::Sources = imports
        .iter()
        .map(|f| (f.source.clone(), f.text.clone()))
        .collect();
    match CompiledPolicy::from_sources(&file.text, Some(format), &sources) {
        Ok(policy) => Ok(LoadedPolicy {
            policy,
            file,
            imports,
        }),
        Err(e) => {
            let mut all = vec![file];
            all.extend(imports);
            Err(Failure::in_sources(e.diagnostics(), &all))
        }
    }
}
