//! `kiro check`: metrics against a policy's gates, a report, and an exit status by verdict.

use super::{Outcome, load_policy};
use crate::args::{CheckArgs, OutputFormat};
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io::{self, InputKind};
use kiro::render::{HumanOptions, human, junit, markdown};
use kiro::{CheckError, Diagnostic, Format, KiroError, MetricsInput, Selection, Verdict};
use std::io::IsTerminal;

/// Runs `kiro check`.
///
/// # Errors
/// A [`Failure`] when the policy, the metrics, an override or the selection cannot be used.
pub fn run(args: &CheckArgs) -> Result<Outcome, Failure> {
    if io::is_stdin(&args.policy) && args.metrics.as_deref().is_some_and(io::is_stdin) {
        return Err(Failure::io(
            "the policy and the metrics cannot both be read from standard input",
        ));
    }
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let policy = &loaded.policy;

    let kind = args
        .kind
        .as_deref()
        .map(kiro::parse_kind)
        .transpose()
        .map_err(Failure::diagnostic)?;
    let selection = Selection {
        gate: args.gate.clone(),
        kind,
        strict: args.strict,
    };

    let (mut input, metrics_file) = match &args.metrics {
        None => (MetricsInput::default(), None),
        Some(path) => {
            let file = io::read_input(path, InputKind::Metrics)?;
            let format = io::format_by_extension(path).unwrap_or(Format::Json);
            let input = MetricsInput::parse(&file.text, format)
                .map_err(|d| Failure::in_source(&[d], &file))?;
            (input, Some(file))
        }
    };
    super::evidence::apply(&args.evidence, policy, &mut input)?;
    for arg in &args.metrics_overrides {
        apply_override(policy, &mut input, arg)?;
    }

    let branch = super::baseline::current_branch(&args.history);
    let runs = super::baseline::earlier_runs(&args.history, policy, branch.as_deref())?;
    let checked = match &runs {
        Some(runs) => policy.check_with_history(&input, &selection, runs, branch.as_deref()),
        None => policy.check(&input, &selection),
    };
    let decision = checked.map_err(|e| {
        let mut sources = loaded.sources();
        sources.extend(metrics_file.clone());
        check_failure(loaded.policy.remap(e.diagnostics().to_vec()), &sources)
    })?;
    if !decision.warnings.is_empty() {
        warn_undeclared(policy, &input, metrics_file.as_ref(), args);
    }
    let provenance = serde_json::json!({
        "metrics_file": args.metrics.as_ref().map(|p| p.display().to_string()),
        "overrides": args.metrics_overrides,
        "reports": args.evidence.patterns().into_iter().map(|(kind, pattern)| {
            serde_json::json!({"kind": kind.as_str(), "path": pattern})
        }).collect::<Vec<_>>(),
    });
    super::history::record(&args.history, &decision, &input, provenance)?;

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let report = render(
        args.format,
        &decision,
        &loaded,
        args.color.enabled(to_terminal),
    );
    for extra in &args.reports {
        io::write_report(
            &extra.path,
            &render(extra.format, &decision, &loaded, false),
            extra.append,
        )?;
    }
    let code = match decision.verdict {
        Verdict::Pass => exit::PASS,
        Verdict::Warn if args.fail_on_warn => exit::WARN_FAILED,
        Verdict::Warn => exit::PASS,
        Verdict::Fail => exit::FAIL,
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code,
    })
}

/// The decision in `format`.
fn render(
    format: OutputFormat,
    decision: &kiro::Decision,
    loaded: &super::LoadedPolicy,
    color: bool,
) -> String {
    match format {
        OutputFormat::Json => {
            let mut json = kiro::decision_to_json(decision);
            json.push('\n');
            json
        }
        OutputFormat::Junit => junit(decision, &loaded.units()),
        OutputFormat::Markdown => markdown(decision, &loaded.units()),
        OutputFormat::Human => human(
            decision,
            &HumanOptions {
                color,
                units: loaded.units(),
            },
        ),
    }
}

/// Writes the names of the metrics input the policy does not declare to standard error, as
/// warnings pointing into the metrics file, with did-you-mean.
fn warn_undeclared(
    policy: &kiro::CompiledPolicy,
    input: &MetricsInput,
    file: Option<&SourceFile>,
    args: &CheckArgs,
) {
    let warnings = Failure::Diagnostics {
        diagnostics: policy.undeclared_inputs(input),
        sources: file.into_iter().cloned().collect(),
    };
    let color = args.color.enabled(std::io::stderr().is_terminal());
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        crate::diagnostics::render(&warnings, color).as_bytes(),
    );
}

/// Applies `--metric NAME=VALUE`. The value is first checked on its own against the policy,
/// so that a name the policy does not declare (with did-you-mean) or a value that does not fit
/// its metric is reported against the argument it came from.
fn apply_override(
    policy: &kiro::CompiledPolicy,
    input: &mut MetricsInput,
    arg: &str,
) -> Result<(), Failure> {
    let source = SourceFile {
        source: kiro::metrics::input::OVERRIDE_SOURCE.to_owned(),
        name: kiro::metrics::input::OVERRIDE_SOURCE.to_owned(),
        text: arg.to_owned(),
    };
    let mut alone = MetricsInput::default();
    alone
        .set_override(arg)
        .map_err(|d| Failure::in_source(&[d], &source))?;
    let strict = Selection {
        strict: true,
        ..Selection::all()
    };
    if let Err(CheckError::Input(diagnostics)) = policy.check(&alone, &strict) {
        let value_errors: Vec<kiro::Diagnostic> = diagnostics
            .into_iter()
            .filter(|d| {
                matches!(
                    d.code,
                    kiro::Code::InvalidMetricValue | kiro::Code::UnknownMetric
                )
            })
            .map(|d| kiro::Diagnostic {
                source: Some(source.source.clone()),
                ..d
            })
            .collect();
        if !value_errors.is_empty() {
            return Err(Failure::in_source(&value_errors, &source));
        }
    }
    input
        .set_override(arg)
        .map_err(|d| Failure::in_source(&[d], &source))
}

fn check_failure(diagnostics: Vec<Diagnostic>, sources: &[SourceFile]) -> Failure {
    // Selection problems name no source and have no place in any text.
    Failure::Diagnostics {
        diagnostics,
        sources: sources.to_vec(),
    }
}
