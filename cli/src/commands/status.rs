//! `kiro status POLICY --metrics FILE`: the unified dashboard — persona panels, shared
//! metrics and, with `--samples`, the alerts active at the moment and each metric's history —
//! on a terminal, as Markdown, as a self-contained HTML page, or as JSON.

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, ValueEnum};
use kiro::alert::AlertEvent;
use kiro::health::HealthStatus;
use kiro::render::{StatusFormat, render_status, status_units};
use kiro::{Format, KiroError, MetricsInput};
use kiro_adapters::samples;
use std::io::IsTerminal;
use std::path::PathBuf;

/// `kiro status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The policy file with a `health` section (and `alerts`, for the active alerts).
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The current metric values (JSON, YAML or TOML, as for `kiro check`).
    #[arg(long, value_name = "FILE")]
    pub metrics: PathBuf,

    /// A history of observations (the samples formats of `kiro alerts replay`): the alert
    /// rules run over it up to the moment, and each metric is charted over it.
    #[arg(long, value_name = "FILE")]
    pub samples: Option<PathBuf>,

    /// The moment shown: RFC 3339 (`2026-12-02T16:30:00Z`) or milliseconds since the epoch.
    /// Default: the last sample's time. No clock is read.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// How to show the dashboard.
    #[arg(long, value_enum, default_value_t = StatusOutput::Human)]
    pub format: StatusOutput,

    /// Exit with status 2 when the worst panel is `warning`.
    #[arg(long)]
    pub fail_on_warn: bool,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour the terminal report and diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the dashboard to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro status` shows the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusOutput {
    /// A terminal report.
    Human,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// A self-contained HTML page with gauges and, with `--samples`, line charts.
    Html,
    /// The status report as JSON.
    Json,
}

impl StatusOutput {
    fn format(self) -> StatusFormat {
        match self {
            StatusOutput::Human => StatusFormat::Human,
            StatusOutput::Markdown => StatusFormat::Markdown,
            StatusOutput::Html => StatusFormat::Html,
            StatusOutput::Json => StatusFormat::Json,
        }
    }
}

/// Runs `kiro status`.
///
/// # Errors
/// A [`Failure`] when a file cannot be read, the policy has no `health`, or the metrics or
/// samples do not fit the policy.
pub fn run(args: &StatusArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let policy = &loaded.policy;
    let metrics_file = io::read_input(&args.metrics, InputKind::Metrics)?;
    let format = io::format_by_extension(&args.metrics).unwrap_or(Format::Json);
    let input = MetricsInput::parse(&metrics_file.text, format)
        .map_err(|d| Failure::in_source(&[d], &metrics_file))?;
    let mut sources: Vec<SourceFile> = vec![loaded.file.clone(), metrics_file];
    let history = match &args.samples {
        None => Vec::new(),
        Some(path) => {
            let file = io::read_input(path, InputKind::Samples)?;
            sources.push(file.clone());
            let extension = path.extension().and_then(|e| e.to_str());
            let read = samples::read(
                &file.text,
                samples::Format::detect(extension, &file.text),
                &policy.metric_names(),
            )
            .map_err(|d| Failure::in_sources(&d, &sources))?;
            read.iter()
                .map(|s| {
                    super::alerts::observe(s)
                        .map_err(|d| Failure::in_sources(&[s.locate(&d)], &sources))
                })
                .collect::<Result<Vec<AlertEvent>, _>>()?
        }
    };
    let at = args
        .at
        .as_deref()
        .map(|text| {
            kiro::release::parse_time(text).ok_or_else(|| {
                Failure::io(format!(
                    "`{text}` is not a time: write RFC 3339 (`2026-12-02T16:30:00Z`) or milliseconds since the epoch"
                ))
            })
        })
        .transpose()?;
    let report = kiro::status::status(policy, &input, &history, at)
        .map_err(|e| Failure::in_sources(e.diagnostics(), &sources))?;
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let text = render_status(
        &report,
        args.format.format(),
        &status_units(policy),
        args.format == StatusOutput::Human && args.color.enabled(to_terminal),
    );
    let code = match report.status {
        HealthStatus::Critical => exit::FAIL,
        HealthStatus::Warning if args.fail_on_warn => exit::WARN_FAILED,
        _ => exit::PASS,
    };
    Ok(Outcome {
        report: text,
        output: args.output.clone(),
        code,
    })
}
