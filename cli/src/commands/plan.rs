//! `kiro plan`: the plan of a policy's pipeline — parallel waves, the critical path and each
//! stage's slack — as a table, JSON, Graphviz DOT or Mermaid.

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::Failure;
use crate::exit;
use clap::{Args, ValueEnum};
use kiro::KiroError;
use kiro::render::{plan_dot, plan_human, plan_json, plan_mermaid};
use std::io::IsTerminal;
use std::path::PathBuf;

/// `kiro plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The policy file (YAML, JSON or TOML), or `-` for standard input.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// How to show the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT", alias = "format-policy")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour the table and diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the plan to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro plan` shows a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A table per stage, the critical path marked.
    Human,
    /// The plan's JSON.
    Json,
    /// A Graphviz digraph, the critical path in red (`| dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart, the critical path in red.
    Mermaid,
}

/// Runs `kiro plan`.
///
/// # Errors
/// A [`Failure`] when the policy cannot be read, is invalid (cycles, unknown `needs`…) or has
/// no pipeline.
pub fn run(args: &PlanArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let plan = loaded
        .policy
        .plan()
        .map_err(|e| Failure::in_source(e.diagnostics(), &loaded.file))?;
    let report = match args.format {
        PlanFormat::Human => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            plan_human(plan, args.color.enabled(to_terminal))
        }
        PlanFormat::Json => plan_json(plan),
        PlanFormat::Dot => plan_dot(plan),
        PlanFormat::Mermaid => plan_mermaid(plan),
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}
