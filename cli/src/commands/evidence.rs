//! Evidence on the command line: `--junit`, `--coverage`, `--sarif`, `--lighthouse`, `--vulns`
//! and `--bundle` for
//! `kiro check`, and `kiro evidence` to see the metrics they give and where each came from.
//!
//! Each flag takes a path or a glob (`'reports/*.xml'`, quoted so that kiro expands it, the same
//! on every shell) and may be repeated. Paths are read in the order given, a glob's matches in
//! alphabetical order, and a file matched twice is read once. Every report is read through the
//! CLI's bounded reading (at most 16 MiB, regular files only) and then by the core's pure
//! readers; the merged metrics join the metrics file's, and `--metric` overrides both.

use super::Outcome;
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io::{self, InputKind};
use clap::Args;
use kiro::evidence::{self, Evidence, Kind, Limits};
use kiro::{Code, CompiledPolicy, Diagnostic, MetricsInput};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The report flags.
#[derive(Debug, Clone, Default, Args)]
pub struct EvidenceArgs {
    /// JUnit XML test reports (pytest, Maven Surefire, jest-junit, gotestsum, cargo-nextest):
    /// a path or a quoted glob. Repeatable. Gives `tests.*` metrics (docs/evidence.md).
    #[arg(long, value_name = "PATH|GLOB")]
    pub junit: Vec<String>,

    /// Coverage reports, LCOV, Cobertura XML, JaCoCo XML or Go cover profiles (told apart by
    /// content): a path or a quoted glob. Repeatable. Gives `coverage.*` metrics.
    #[arg(long, value_name = "PATH|GLOB")]
    pub coverage: Vec<String>,

    /// SARIF 2.1.0 logs: a path or a quoted glob. Repeatable. Gives `findings.*` metrics.
    #[arg(long, value_name = "PATH|GLOB")]
    pub sarif: Vec<String>,

    /// Lighthouse JSON reports: a path or a quoted glob. Repeatable. Gives `lighthouse.*`
    /// metrics.
    #[arg(long, value_name = "PATH|GLOB")]
    pub lighthouse: Vec<String>,

    /// Vulnerability reports, npm audit, OSV-Scanner or Trivy JSON (told apart by content): a
    /// path or a quoted glob. Repeatable. Gives `vulns.*` metrics.
    #[arg(long, value_name = "PATH|GLOB")]
    pub vulns: Vec<String>,

    /// webpack stats JSON (`webpack --json`): a path or a quoted glob. Repeatable. Gives
    /// `bundle.*` metrics.
    #[arg(long, value_name = "PATH|GLOB")]
    pub bundle: Vec<String>,
}

/// `kiro evidence`.
#[derive(Debug, Args)]
pub struct EvidenceCommandArgs {
    /// The reports.
    #[command(flatten)]
    pub reports: EvidenceArgs,

    /// Write the metrics to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl EvidenceArgs {
    /// Every report flag given, as (kind, path or pattern), in flag order.
    pub fn patterns(&self) -> Vec<(Kind, &str)> {
        [
            (Kind::Junit, &self.junit),
            (Kind::Coverage, &self.coverage),
            (Kind::Sarif, &self.sarif),
            (Kind::Lighthouse, &self.lighthouse),
            (Kind::Vulns, &self.vulns),
            (Kind::Bundle, &self.bundle),
        ]
        .into_iter()
        .flat_map(|(kind, list)| list.iter().map(move |p| (kind, p.as_str())))
        .collect()
    }
}

/// Runs `kiro evidence`: the merged metrics of the reports, with provenance, as JSON.
///
/// # Errors
/// A [`Failure`] for a report that cannot be found, read or used.
pub fn run(args: &EvidenceCommandArgs) -> Result<Outcome, Failure> {
    let evidence = read_all(&args.reports)?;
    if evidence.is_empty() {
        return Err(Failure::io(
            "no reports given: pass --junit, --coverage, --sarif, --lighthouse, --vulns or --bundle",
        ));
    }
    let mut report = serde_json::to_string_pretty(&evidence.to_json())
        .map_err(|e| Failure::io(format!("cannot write the metrics: {e}")))?;
    report.push('\n');
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

/// Reads the reports of `args` and adds their metrics to `input`.
///
/// # Errors
/// A [`Failure`] for a report that cannot be found, read or used, a metric the metrics file
/// gives too ([`Code::ReportConflict`]), or a value that does not fit its declared metric.
pub fn apply(
    args: &EvidenceArgs,
    policy: &CompiledPolicy,
    input: &mut MetricsInput,
) -> Result<(), Failure> {
    let evidence = read_all(args)?;
    if evidence.is_empty() {
        return Ok(());
    }
    let declared: std::collections::BTreeMap<&str, kiro::units::Unit> =
        policy.metric_units().collect();
    evidence
        .apply(input, |name| declared.get(name).copied())
        .map_err(Failure::diagnostic)
}

/// Reads and merges every report the flags name.
fn read_all(args: &EvidenceArgs) -> Result<Evidence, Failure> {
    let mut evidence = Evidence::new();
    let mut seen = BTreeSet::new();
    for (kind, pattern) in args.patterns() {
        for path in expand(kind, pattern)? {
            if !seen.insert((kind, path.clone())) {
                continue;
            }
            let file = io::read_input(&path, InputKind::Report)?;
            let file = SourceFile {
                source: file.name.clone(),
                ..file
            };
            let report = evidence::read(kind, &file.name, &file.text, &Limits::default())
                .map_err(|d| Failure::in_source(&[d], &file))?;
            evidence
                .add(report)
                .map_err(|d| Failure::in_source(&[d], &file))?;
        }
    }
    Ok(evidence)
}

/// The files `pattern` names: itself when it has no glob characters, else its matches in
/// alphabetical order (at least one).
fn expand(kind: Kind, pattern: &str) -> Result<Vec<PathBuf>, Failure> {
    if !pattern.contains(['*', '?', '[']) {
        return Ok(vec![PathBuf::from(pattern)]);
    }
    let flag = kind.as_str();
    let paths = glob::glob(pattern).map_err(|e| {
        Failure::diagnostic(
            Diagnostic::error(
                Code::ReportNotFound,
                format!("`{pattern}` (--{flag}) is not a valid glob: {}", e.msg),
            )
            .with_help("write e.g. `'reports/**/*.xml'`"),
        )
    })?;
    let mut found = Vec::new();
    for path in paths {
        let path = path.map_err(|e| {
            Failure::io(format!(
                "cannot read `{}` while matching `{pattern}` (--{flag}): {}",
                e.path().display(),
                e.error()
            ))
        })?;
        if path.is_file() {
            found.push(path);
        }
    }
    if found.is_empty() {
        return Err(Failure::diagnostic(
            Diagnostic::error(
                Code::ReportNotFound,
                format!("no file matches `{pattern}` (--{flag})"),
            )
            .with_help("check the path, and that the tool wrote its report before kiro runs"),
        ));
    }
    Ok(found)
}
