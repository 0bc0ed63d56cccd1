//! `kiro replay`: runs a policy's rollback triggers over recorded samples and prints the
//! decision timeline; the exit status tells the strongest action called for.

pub mod render;

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::Failure;
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, ValueEnum};
use kiro::KiroError;
use kiro::monitor::model::Action;
use kiro::monitor::{Final, MonitorEvent, MonitorState, step};
use kiro_adapters::samples::{self, Format};
use std::path::PathBuf;

/// `kiro replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The policy file (YAML, JSON or TOML) with `triggers`.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The recorded samples, or `-` for standard input: CSV (wide `time,metric1,…` or long
    /// `time,metric,value`), JSON lines, a Prometheus `query_range` response, or a `promtool
    /// test rules` file's `input_series`.
    #[arg(long, value_name = "FILE")]
    pub samples: PathBuf,

    /// The samples' format, when the extension does not tell (`.csv`; `.jsonl`; `.json` for
    /// a `query_range` response; `.yaml`/`.yml` for promtool).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub samples_format: Option<SamplesFormat>,

    /// How to show the timeline.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Human)]
    pub format: ReplayFormat,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the timeline to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro replay` shows the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// One line per change of a trigger and per action, then the final verdict.
    Human,
    /// Every decision as a line of JSON.
    Jsonl,
    /// A Markdown table, for a CI job summary.
    Markdown,
    /// A picture: every value the triggers read against their thresholds, and when each
    /// trigger was pending, firing or acted (a self-contained SVG).
    Svg,
    /// The picture and the actions in a self-contained HTML page.
    Html,
}

/// How a samples file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplesFormat {
    /// Comma-separated: `time,metric1,metric2` (wide) or `time,metric,value` (long).
    Csv,
    /// One JSON object per line: `{"at_ms": 60000, "values": {"error_rate": 1.2}}`.
    Jsonl,
    /// A Prometheus `query_range` response, or an object of metric names to responses.
    Prometheus,
    /// A `promtool test rules` file (one test) with `input_series`.
    Promtool,
}

impl SamplesFormat {
    fn to_format(self) -> Format {
        match self {
            SamplesFormat::Csv => Format::Csv,
            SamplesFormat::Jsonl => Format::Jsonl,
            SamplesFormat::Prometheus => Format::QueryRange,
            SamplesFormat::Promtool => Format::Promtool,
        }
    }
}

/// Runs `kiro replay`.
///
/// # Errors
/// A [`Failure`] when the policy or the samples cannot be read, the policy has no triggers,
/// or an observation cannot be taken (an unknown metric, a value of the wrong unit, time going
/// backwards, two samples at one time), each pointed at its line and column.
pub fn run(args: &ReplayArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let policy = &loaded.policy;
    let mut state =
        MonitorState::new(policy).map_err(|e| Failure::in_source(e.diagnostics(), &loaded.file))?;
    let file = io::read_input(&args.samples, InputKind::Samples)?;
    let sources = [file.clone(), loaded.file.clone()];
    let format = args.samples_format.map_or_else(
        || {
            let extension = args.samples.extension().and_then(|e| e.to_str());
            Format::detect(extension, &file.text)
        },
        SamplesFormat::to_format,
    );
    let mut samples = samples::read(&file.text, format, &policy.metric_names())
        .map_err(|d| Failure::in_sources(&d, &sources))?;
    if matches!(format, Format::QueryRange | Format::Promtool) {
        samples::booleans(&mut samples, &boolean_metrics(policy));
    }
    let mut decisions = Vec::with_capacity(samples.len() + 1);
    let mut taken = 0;
    for sample in &samples {
        let decision = step(&mut state, policy, &sample.event).map_err(|e| {
            let located: Vec<_> = e.diagnostics().iter().map(|d| sample.locate(d)).collect();
            Failure::in_sources(&located, &sources)
        })?;
        taken += 1;
        let ended = decision.final_verdict.is_some();
        decisions.push(decision);
        if ended {
            break;
        }
    }
    let start_ms = samples.first().map_or(0, |s| s.event.at_ms());
    if decisions.last().is_none_or(|d| d.final_verdict.is_none()) {
        // The recording's end is the analysis' planned end: the final verdict says what was seen.
        let at_ms = samples.last().map_or(0, |s| s.event.at_ms());
        let end = step(&mut state, policy, &MonitorEvent::End { at_ms })
            .map_err(|e| Failure::in_sources(e.diagnostics(), &sources))?;
        decisions.push(end);
    }
    let unreplayed = samples.len() - taken;
    let name = policy.name();
    let report = match args.format {
        ReplayFormat::Human => render::human(name, &decisions, start_ms, unreplayed),
        ReplayFormat::Jsonl => render::jsonl(&decisions),
        ReplayFormat::Markdown => render::markdown(name, &decisions, start_ms, unreplayed),
        ReplayFormat::Svg => kiro::render::replay_svg(policy, &decisions),
        ReplayFormat::Html => kiro::render::replay_html(policy, &decisions),
    };
    let code = decisions
        .last()
        .and_then(|d| d.final_verdict.as_ref())
        .map_or(exit::PASS, exit_code);
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code,
    })
}

/// The policy's boolean metrics.
pub fn boolean_metrics(policy: &kiro::CompiledPolicy) -> Vec<&str> {
    policy
        .metric_units()
        .filter(|(_, unit)| unit.dimension == kiro::units::Dimension::Bool)
        .map(|(name, _)| name)
        .collect()
}

/// The strongest action a replay called for: a rollback, else a promotion (both end the
/// monitor), else the strongest of pause and warn.
pub fn strongest(verdict: &Final) -> Option<Action> {
    let called = |a: Action| verdict.actions.iter().any(|t| t.action == a);
    [
        Action::Rollback,
        Action::Promote,
        Action::Pause,
        Action::Warn,
    ]
    .into_iter()
    .find(|&a| called(a))
}

/// The exit status of a replay: that of its [`strongest`] action, else 0.
pub fn exit_code(verdict: &Final) -> u8 {
    match strongest(verdict) {
        Some(Action::Rollback) => exit::ROLLBACK,
        Some(Action::Promote) => exit::PROMOTE,
        Some(Action::Pause) => exit::PAUSE,
        Some(Action::Warn) => exit::WARN,
        None => exit::PASS,
    }
}
