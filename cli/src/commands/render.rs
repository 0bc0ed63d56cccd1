//! `kiro render`: a decision or a run result saved as JSON (`kiro check --format json`, a run's
//! `result.json`), rendered again in another format — for a later CI step, or a report the
//! first run did not ask for.

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, OutputFormat, PolicyFormat, ReportTo, parse_report};
use crate::diagnostics::Failure;
use crate::exit;
use crate::io::{self, InputKind};
use clap::Args;
use kiro::render::{MetricUnits, Saved, SavedFormat};
use kiro::{Code, Diagnostic, Verdict};
use std::io::IsTerminal;
use std::path::PathBuf;

/// `kiro render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The saved decision or run result (JSON), or `-` for standard input.
    #[arg(value_name = "SAVED")]
    pub saved: PathBuf,

    /// How to show it.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// The policy the decision came from, to show values in its declared units (`87.0%`
    /// rather than `0.87`); its hash must be the decision's.
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<PathBuf>,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour the human report.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write it in another format to a file (`FORMAT+=FILE` appends). Repeatable.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report::<OutputFormat>)]
    pub reports: Vec<ReportTo<OutputFormat>>,
}

/// The core's format for `format`.
fn saved_format(format: OutputFormat) -> SavedFormat {
    match format {
        OutputFormat::Human => SavedFormat::Human,
        OutputFormat::Json => SavedFormat::Json,
        OutputFormat::Junit => SavedFormat::Junit,
        OutputFormat::Markdown => SavedFormat::Markdown,
    }
}

/// Runs `kiro render`. The exit status is the saved verdict's, as `kiro check` and `kiro run`
/// would have given it (0 pass or warn, 1 fail).
///
/// # Errors
/// A [`Failure`] when the file cannot be read, is neither a decision nor a run result
/// (`KIRO-E020`), or the policy given is not the one it came from (`KIRO-E003`).
pub fn run(args: &RenderArgs) -> Result<Outcome, Failure> {
    let file = io::read_input(&args.saved, InputKind::Report)?;
    let saved = read(&file.text).map_err(|d| Failure::in_source(&[d], &file))?;
    let units = match &args.policy {
        None => MetricUnits::new(),
        Some(path) => {
            let loaded = load_policy(path, args.policy_format)?;
            if loaded.policy.hash() != saved.policy_hash() {
                return Err(Failure::diagnostic(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "`{}` is not the policy `{}` came from: its hash is {}, the saved one's {}",
                            path.display(),
                            args.saved.display(),
                            loaded.policy.hash(),
                            saved.policy_hash()
                        ),
                    )
                    .with_help("give the policy as it was when the decision was made, or no policy"),
                ));
            }
            loaded.units()
        }
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let report = saved.render(
        saved_format(args.format),
        &units,
        args.color.enabled(to_terminal),
    );
    for extra in &args.reports {
        io::write_report(
            &extra.path,
            &saved.render(saved_format(extra.format), &units, false),
            extra.append,
        )?;
    }
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: match saved.verdict() {
            Verdict::Fail => exit::FAIL,
            Verdict::Pass | Verdict::Warn => exit::PASS,
        },
    })
}

/// A decision or a run result ([`Saved::from_json`]) from the saved file's text.
fn read(text: &str) -> Result<Saved, Diagnostic> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::error(
            Code::InputSyntax,
            format!("the saved file is not JSON: {e}"),
        )
        .with_help("give the output of `kiro check --format json`, or a run's result.json")
    })?;
    Saved::from_json(value)
}
