//! `kiro schedule POLICY --releases FILE`: conflicts among planned releases (the same service
//! into the same environment at once, a dependency not there yet, a release planned into a
//! closed window) and the earliest conflict-free start of each.
//!
//! Exit statuses: 0 no conflict, 1 conflicts found, 3 an error.

use super::{Outcome, load_policy};
use crate::args::PolicyFormat;
use crate::diagnostics::Failure;
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, ValueEnum};
use kiro::KiroError;
use kiro::release::conflicts::SchedulePlan;
use kiro::release::format_instant;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `kiro schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The policy file (YAML, JSON or TOML).
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,
    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,
    /// The planned releases: JSON `{"releases": [{service, environment, version, start,
    /// duration, needs}], "deployed": [{service, environment, version}]}`.
    #[arg(long, value_name = "FILE")]
    pub releases: PathBuf,
    /// How to show the report.
    #[arg(long, value_enum, default_value_t = ScheduleFormat::Human)]
    pub format: ScheduleFormat,
}

/// How `kiro schedule` shows its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleFormat {
    /// One line per release with a conflict, and its suggested start.
    Human,
    /// The report's JSON.
    Json,
}

/// Runs `kiro schedule`.
///
/// # Errors
/// A [`Failure`] for a policy or a releases file that cannot be used.
pub fn run(args: &ScheduleArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let file = io::read_input(&args.releases, InputKind::Samples)?;
    let plan: SchedulePlan = serde_json::from_str(&file.text)
        .map_err(|e| Failure::io(format!("the releases file is not a schedule: {e}")))?;
    let report = loaded
        .policy
        .schedule(&plan)
        .map_err(|e| Failure::in_sources(e.diagnostics(), &[]))?;
    let text = match args.format {
        ScheduleFormat::Json => {
            let mut t = serde_json::to_string_pretty(&report).unwrap_or_default();
            t.push('\n');
            t
        }
        ScheduleFormat::Human => {
            let mut t = format!(
                "{} of {} releases conflict\n",
                report.conflicted,
                report.releases.len()
            );
            for r in report.releases.iter().filter(|r| !r.conflicts.is_empty()) {
                let _ = writeln!(t, "\n{} at {}", r.id, format_instant(r.start_ms));
                for c in &r.conflicts {
                    let _ = writeln!(t, "  {}: {}", c.kind, c.reason);
                }
                let _ = writeln!(
                    t,
                    "  suggested start: {}",
                    r.suggested_start_ms
                        .map_or_else(|| "none found".to_owned(), format_instant)
                );
            }
            t
        }
    };
    Ok(Outcome {
        report: text,
        output: None,
        code: if report.conflicted == 0 {
            exit::PASS
        } else {
            exit::FAIL
        },
    })
}
