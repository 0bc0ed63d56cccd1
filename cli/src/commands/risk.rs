//! `kiro risk`: a policy's risk models scored on metrics (`score`), a change's blast radius
//! over the dependency graph (`blast`), and the defect-risk model fitted on history (`fit`,
//! `evaluate`, `score-model`).

pub mod model;

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::Failure;
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, Subcommand, ValueEnum};
use kiro::risk::{Level, human, markdown, picture};
use kiro::{Format, KiroError, MetricsInput};
use std::path::PathBuf;

/// `kiro risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RiskCommand,
}

/// The `kiro risk` subcommands.
#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Score the policy's risk models on a set of metrics: score, level, every factor's
    /// contribution, missing inputs, mitigations.
    Score(ScoreArgs),
    /// The components a change can affect over the policy's dependency graph, and the
    /// weighted blast radius.
    Blast(BlastArgs),
    /// Check the policy's gates at the risk a model gives the change: the gates its level
    /// bypasses are skipped (and recorded), the approvals it needs are reported.
    Check(CheckArgs),
    /// Compute the change metrics (Kamei et al.) of each commit of a git repository, as CSV
    /// or JSON lines, for `fit` once labels are added.
    Features(FeaturesArgs),
    /// Fit a defect-risk model (logistic regression on log-transformed change metrics) on a
    /// CSV of changes with dates and labels, with a time-ordered validation split.
    Fit(model::FitArgs),
    /// Evaluate a fitted model on a CSV of labelled changes: AUC, Recall@20%Effort, Popt,
    /// Brier, next to the lines-added baseline.
    Evaluate(model::EvaluateArgs),
    /// Score changes with a fitted model: probability, level, each metric's contribution.
    ScoreModel(model::ScoreModelArgs),
}

/// `kiro risk score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The policy file (YAML, JSON or TOML) with a `risk` section.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The metrics file (JSON or YAML, by extension; JSON otherwise), or `-` for standard
    /// input. Without it every metric has no data.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,

    /// The components the change touches, comma-separated, for factors that read
    /// `blast_radius`.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub changed: Option<Vec<String>>,

    /// Score only this model.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// How to report the scores.
    #[arg(long, value_enum, default_value_t = ScoreFormat::Human)]
    pub format: ScoreFormat,

    /// Exit with status 1 when a model's level is this or higher (low, medium, high, critical);
    /// an unknown level counts as critical.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<String>,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro risk score` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreFormat {
    /// One block per model: score, level, a line per factor, mitigations.
    Human,
    /// The reports as a JSON array.
    Json,
    /// Markdown for a CI job summary.
    Markdown,
}

/// `kiro risk check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy file with gates and a risk model with `gating`.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The metrics file (JSON or YAML, by extension), or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,

    /// The risk model whose level chooses the gates.
    #[arg(long, value_name = "NAME")]
    pub model: String,

    /// The components the change touches, comma-separated, for `blast_radius`.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub changed: Option<Vec<String>>,

    /// Check only this gate (before bypasses).
    #[arg(long, value_name = "NAME")]
    pub gate: Option<String>,

    /// How to report: `human` or `json`.
    #[arg(long, value_enum, default_value_t = model::ModelFormat::Human)]
    pub format: model::ModelFormat,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,
}

/// `kiro risk features`.
#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// The repository (the folder that holds `.git`).
    #[arg(long, value_name = "PATH")]
    pub repo: PathBuf,

    /// The commits: `A..B` (reachable from B, not from A), or one revision and its history
    /// (default `HEAD`).
    #[arg(long, value_name = "RANGE")]
    pub rev: Option<String>,

    /// How to write the metrics.
    #[arg(long, value_enum, default_value_t = FeaturesFormat::Csv)]
    pub format: FeaturesFormat,

    /// Add a `bug` label (0/1) computed by this heuristic, for `kiro risk fit`.
    #[arg(long, value_enum, value_name = "HEURISTIC")]
    pub label: Option<FeaturesLabel>,

    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro risk features` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeaturesFormat {
    /// CSV with a header.
    Csv,
    /// One JSON object per commit.
    Jsonl,
}

/// How `kiro risk features` labels commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeaturesLabel {
    /// SZZ (B-SZZ): the commits that last touched the lines later fix commits deleted or
    /// changed are 1, the others 0. A heuristic, not ground truth (docs/risk.md).
    Szz,
}

/// `kiro risk blast`.
#[derive(Debug, Args)]
pub struct BlastArgs {
    /// The policy file with a `risk.graph`.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The components the change touches, comma-separated.
    #[arg(long, value_name = "A,B", value_delimiter = ',', required = true)]
    pub changed: Vec<String>,

    /// How to show the blast radius.
    #[arg(long, value_enum, default_value_t = BlastFormat::Human)]
    pub format: BlastFormat,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the output to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro risk blast` shows the blast radius.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BlastFormat {
    /// A line per affected component.
    Human,
    /// The blast radius as JSON.
    Json,
    /// Graphviz DOT of the whole graph, the affected set highlighted.
    Dot,
    /// A Mermaid flowchart of the whole graph, the affected set highlighted.
    Mermaid,
}

impl RiskArgs {
    /// When to colour diagnostics.
    pub fn color(&self) -> ColorChoice {
        match &self.command {
            RiskCommand::Score(a) => a.color,
            RiskCommand::Blast(a) => a.color,
            _ => ColorChoice::Auto,
        }
    }
}

/// Runs `kiro risk`.
///
/// # Errors
/// A [`Failure`] when an input cannot be read or used.
pub fn run(args: &RiskArgs) -> Result<Outcome, Failure> {
    match &args.command {
        RiskCommand::Score(a) => score(a),
        RiskCommand::Blast(a) => blast(a),
        RiskCommand::Check(a) => check(a),
        RiskCommand::Features(a) => features(a),
        RiskCommand::Fit(a) => model::fit(a),
        RiskCommand::Evaluate(a) => model::evaluate(a),
        RiskCommand::ScoreModel(a) => model::score_model(a),
    }
}

fn score(args: &ScoreArgs) -> Result<Outcome, Failure> {
    if io::is_stdin(&args.policy) && args.metrics.as_deref().is_some_and(io::is_stdin) {
        return Err(Failure::io(
            "the policy and the metrics cannot both be read from standard input",
        ));
    }
    let fail_on = args
        .fail_on
        .as_deref()
        .map(|l| {
            Level::parse(l)
                .filter(|l| *l != Level::Unknown)
                .ok_or_else(|| {
                    Failure::io(format!(
                        "`--fail-on {l}`: the levels are low, medium, high and critical"
                    ))
                })
        })
        .transpose()?;
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let (input, metrics_file) = match &args.metrics {
        None => (MetricsInput::default(), None),
        Some(path) => {
            let file = io::read_input(path, InputKind::Metrics)?;
            let format = io::format_by_extension(path).unwrap_or(Format::Json);
            let input = MetricsInput::parse(&file.text, format)
                .map_err(|d| Failure::in_source(&[d], &file))?;
            (input, Some(file))
        }
    };
    let reports = loaded
        .policy
        .score_risk(&input, args.changed.as_deref(), args.model.as_deref())
        .map_err(|e| {
            let mut sources = vec![loaded.file.clone()];
            sources.extend(metrics_file.clone());
            Failure::in_sources(e.diagnostics(), &sources)
        })?;
    let report = match args.format {
        ScoreFormat::Human => human(&reports),
        ScoreFormat::Markdown => markdown(&reports),
        ScoreFormat::Json => json_line(&reports)?,
    };
    let failed = fail_on.is_some_and(|at| {
        reports.iter().any(|r| {
            let level = if r.level == Level::Unknown {
                Level::Critical
            } else {
                r.level
            };
            level >= at
        })
    });
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: if failed { exit::FAIL } else { exit::PASS },
    })
}

fn features(args: &FeaturesArgs) -> Result<Outcome, Failure> {
    let labels = match args.label {
        None => kiro_adapters::git::Labels::None,
        Some(FeaturesLabel::Szz) => kiro_adapters::git::Labels::Szz,
    };
    let rows = kiro_adapters::git::features(&args.repo, args.rev.as_deref(), labels)
        .map_err(Failure::diagnostic)?;
    let report = match args.format {
        FeaturesFormat::Csv => kiro_adapters::git::to_csv(&rows),
        FeaturesFormat::Jsonl => {
            let mut out = String::new();
            for r in &rows {
                out.push_str(&json_line(r)?);
            }
            out
        }
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

fn read_metrics(
    path: Option<&std::path::Path>,
) -> Result<(MetricsInput, Option<crate::diagnostics::SourceFile>), Failure> {
    match path {
        None => Ok((MetricsInput::default(), None)),
        Some(path) => {
            let file = io::read_input(path, InputKind::Metrics)?;
            let format = io::format_by_extension(path).unwrap_or(Format::Json);
            let input = MetricsInput::parse(&file.text, format)
                .map_err(|d| Failure::in_source(&[d], &file))?;
            Ok((input, Some(file)))
        }
    }
}

fn check(args: &CheckArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let (input, metrics_file) = read_metrics(args.metrics.as_deref())?;
    let selection = kiro::Selection {
        gate: args.gate.clone(),
        ..kiro::Selection::all()
    };
    let gated = loaded
        .policy
        .check_at_risk(&input, &selection, &args.model, args.changed.as_deref())
        .map_err(|e| {
            let mut sources = vec![loaded.file.clone()];
            sources.extend(metrics_file.clone());
            Failure::in_sources(e.diagnostics(), &sources)
        })?;
    let report = match args.format {
        model::ModelFormat::Json => json_line(&gated)?,
        model::ModelFormat::Human => {
            let mut out = human(std::slice::from_ref(&gated.risk));
            for b in &gated.bypassed {
                out.push_str(&format!(
                    "bypassed gate {} at {} risk\n",
                    b.gate,
                    b.level.as_str()
                ));
            }
            for t in &gated.thresholds {
                let conditions: Vec<String> = [("pass", &t.pass), ("warn", &t.warn)]
                    .iter()
                    .filter_map(|(k, c)| c.as_ref().map(|c| format!("{k} `{c}`")))
                    .collect();
                out.push_str(&format!(
                    "judged {}/{} at {} risk by {}\n",
                    t.gate,
                    t.criterion,
                    t.level.as_str(),
                    conditions.join(", ")
                ));
            }
            if gated.approvals > 0 {
                out.push_str(&format!("needs {} approvals", gated.approvals));
                if !gated.approvers.is_empty() {
                    out.push_str(&format!(", including {}", gated.approvers.join(", ")));
                }
                out.push('\n');
            }
            out.push('\n');
            out.push_str(&kiro::render::human(
                &gated.decision,
                &kiro::render::HumanOptions {
                    color: false,
                    units: loaded.units(),
                },
            ));
            out
        }
    };
    let code = match gated.decision.verdict {
        kiro::Verdict::Fail => exit::FAIL,
        _ => exit::PASS,
    };
    Ok(Outcome {
        report,
        output: None,
        code,
    })
}

fn blast(args: &BlastArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let fail = |e: &dyn KiroError| Failure::in_source(e.diagnostics(), &loaded.file);
    let blast = loaded
        .policy
        .blast_radius(&args.changed)
        .map_err(|e| fail(&e))?;
    let graph = loaded.policy.risk().and_then(|r| r.graph());
    let report = match (args.format, graph) {
        (BlastFormat::Json, _) => json_line(&blast)?,
        (BlastFormat::Dot, Some(g)) => picture::dot(g, Some(&blast)),
        (BlastFormat::Mermaid, Some(g)) => picture::mermaid(g, Some(&blast)),
        _ => {
            let mut out = format!(
                "blast radius of {}: {:.1}% of the weight ({} of {} components)\n",
                blast.changed.join(", "),
                blast.radius * 100.0,
                blast.affected.len(),
                blast.components
            );
            for a in &blast.affected {
                let via = a
                    .via
                    .as_ref()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  {} {}{via} (criticality {}, traffic {})\n",
                    a.distance, a.component, a.criticality, a.traffic
                ));
            }
            for c in &blast.cycles {
                out.push_str(&format!("  cycle: {}\n", c.join(" ⇄ ")));
            }
            out
        }
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

/// `value` as one line of JSON.
pub(crate) fn json_line<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    let mut text =
        serde_json::to_string(value).map_err(|e| Failure::io(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}
