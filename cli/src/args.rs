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
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing the arguments would buy nothing"
)]
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
    /// Read test, coverage, SARIF, Lighthouse, vulnerability and bundle reports and print their
    /// metrics as JSON, each with the reports it came from.
    Evidence(crate::commands::evidence::EvidenceCommandArgs),
    /// Render a saved decision or run result (JSON) again, in another format.
    Render(crate::commands::render::RenderArgs),
    /// Read the history of recorded decisions (`kiro check --record DB`).
    History(crate::commands::history::HistoryArgs),
    /// Plan a release through the policy's environments, or drive one with its state in a file.
    Release(crate::commands::release::ReleaseArgs),
    /// Check planned releases for conflicts and suggest the earliest conflict-free start of each.
    Schedule(crate::commands::schedule::ScheduleArgs),
    /// Change risk: score the policy's risk models, a change's blast radius, and a defect-risk
    /// model fitted on history.
    Risk(crate::commands::risk::RiskArgs),
    /// Test and replay the policy's alerting: notifications, escalations, acks and silences.
    Alerts(crate::commands::alerts::AlertsArgs),
    /// Run policy test files (`*.kiro-test.yaml`): inputs and the verdicts, outcomes or error
    /// codes the policy must give for them.
    Test(crate::commands::test::TestArgs),
    /// The unified dashboard: persona panels, shared metrics and active alerts, on a terminal,
    /// as Markdown or as an HTML page with gauges and charts.
    Status(crate::commands::status::StatusArgs),
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
    /// `--lighthouse`, `--vulns`, `--bundle`).
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

    /// Refuse metrics the policy does not declare (`KIRO-E011`, exit 3) instead of warning
    /// about them on standard error.
    #[arg(long)]
    pub strict: bool,

    /// Recording the decision in a history.
    #[command(flatten)]
    pub history: crate::commands::history::RecordArgs,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT", alias = "format-policy")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour the human report and diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the report in another format to a file: `junit=kiro.xml` (replaces the
    /// file), `markdown+=summary.md` (appends, as for `$GITHUB_STEP_SUMMARY`). Repeatable.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report::<OutputFormat>)]
    pub reports: Vec<ReportTo<OutputFormat>>,
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

/// A further report in format `F`, written to a file: `FORMAT=FILE` or, to append,
/// `FORMAT+=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTo<F> {
    /// The format.
    pub format: F,
    /// The file.
    pub path: PathBuf,
    /// Whether to append to the file rather than replace it.
    pub append: bool,
}

/// Reads `FORMAT=FILE` or `FORMAT+=FILE`.
///
/// # Errors
/// A message for clap when there is no `=`, no file, or the format is not one of `F`'s.
pub fn parse_report<F: ValueEnum>(text: &str) -> Result<ReportTo<F>, String> {
    let Some((format, path)) = text.split_once('=') else {
        return Err("expected FORMAT=FILE (or FORMAT+=FILE to append)".to_owned());
    };
    let (format, append) = match format.strip_suffix('+') {
        Some(format) => (format, true),
        None => (format, false),
    };
    if path.is_empty() {
        return Err(format!("no file after `{format}=`"));
    }
    let format = F::from_str(format, true).map_err(|_| {
        let names: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!(
            "unknown format `{format}`; the formats are {}",
            names.join(", ")
        )
    })?;
    Ok(ReportTo {
        format,
        path: PathBuf::from(path),
        append,
    })
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
