//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Release governance as code: check metrics against the quality gates of a policy.
#[derive(Debug, Parser)]
#[command(name = "kiro", version)]
#[command(
    after_help = "Exit status: 0 pass (or warn), 1 fail, 2 warn with --fail-on-warn, \
                        3 the policy or the input could not be evaluated; \
                        kiro replay and kiro watch: 4 warn, 5 pause, 6 rollback, 7 promote; \
                        kiro watch: 8 interrupted."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check metrics against a policy's gates and report the verdict.
    Check(CheckArgs),
    /// Validate a policy and report every problem in it.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the policy format.
    Schema,
    /// Show the plan of the policy's pipeline: waves, critical path, slack.
    Plan(crate::commands::plan::PlanArgs),
    /// Run the policy's pipeline: stages, exit gates, retries, fail-fast.
    Run(crate::commands::run::RunArgs),
    /// Run the policy's rollback triggers over recorded samples and print the decision timeline.
    Replay(crate::commands::replay::ReplayArgs),
    /// Watch a live Prometheus with the policy's rollback triggers, writing every decision.
    Watch(crate::commands::watch::WatchArgs),
    /// Read test, coverage, SARIF and Lighthouse reports and print their metrics as JSON, each
    /// with the reports it came from.
    Evidence(crate::commands::evidence::EvidenceCommandArgs),
    /// Test and replay the policy's alerting: notifications, escalations, acks and silences.
    Alerts(crate::commands::alerts::AlertsArgs),
}

/// `kiro check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy file (YAML, JSON or TOML), or `-` for standard input.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The metrics file (JSON or YAML, by extension; JSON otherwise), or `-` for standard
    /// input. Without it every metric has no data.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,

    /// Set one metric, overriding the metrics file: `coverage=87%`, `tests.e2e_green=true`,
    /// `error_rate=null`. Repeatable.
    #[arg(long = "metric", value_name = "NAME=VALUE")]
    pub metrics_overrides: Vec<String>,

    /// Reports CI already wrote, read into metrics (`--junit`, `--coverage`, `--sarif`,
    /// `--lighthouse`).
    #[command(flatten)]
    pub evidence: crate::commands::evidence::EvidenceArgs,

    /// Evaluate only the gate with this name.
    #[arg(long, value_name = "NAME", conflicts_with = "kind")]
    pub gate: Option<String>,

    /// Evaluate only the gates of this kind: pre-commit, pre-merge, pre-deploy, post-deploy or
    /// custom.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// How to report the decision.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Exit with status 2 when the verdict is warn.
    #[arg(long)]
    pub fail_on_warn: bool,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT", alias = "format-policy")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour the human report and diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `kiro validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The policy file (YAML, JSON or TOML), or `-` for standard input.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT", alias = "format-policy")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// How `kiro check` reports a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable report with a table per gate.
    Human,
    /// The decision's canonical JSON.
    Json,
    /// JUnit XML, one test suite per gate.
    Junit,
    /// Markdown for a CI job summary.
    Markdown,
}

/// A policy format named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl PolicyFormat {
    /// The engine's format.
    pub fn to_format(self) -> kiro::Format {
        match self {
            PolicyFormat::Yaml => kiro::Format::Yaml,
            PolicyFormat::Json => kiro::Format::Json,
            PolicyFormat::Toml => kiro::Format::Toml,
        }
    }
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (`is_terminal`) or is not a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}
