//! `kiro test [PATH...]`: runs policy test files (`*.kiro-test.yaml`) the way `opa test` and
//! `conftest verify` do. This command only finds the files, reads them and the policies they
//! name, and renders; reading a test file, running its cases and comparing are the core's
//! (`kiro::policytest`). Exit 0 when every case passed, 1 when one failed, 3 when a test file
//! or the policy it names is invalid, or there is no test file.

use super::{LoadedPolicy, Outcome, load_policy};
use crate::args::ColorChoice;
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, ValueEnum};
use kiro::policytest::{PolicyTestFile, PolicyTestReport};
use kiro::render::{TestFileResults, policy_tests_human, policy_tests_json, policy_tests_junit};
use kiro::{Code, Diagnostic, KiroError};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

/// What a policy test file's name ends with.
pub const SUFFIX: &str = ".kiro-test.yaml";

/// `kiro test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files, or folders to search (recursively) for `*.kiro-test.yaml`. Default: the
    /// current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The output: `human` (a line per case, a diff per failure), `json` or `junit`.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = TestFormat::Human)]
    pub format: TestFormat,

    /// Write the results to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// When to colour the output and diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// The output formats of `kiro test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// A line per case and a diff per failed case, then a summary.
    Human,
    /// Every result as JSON.
    Json,
    /// JUnit XML: a suite per test file, a test case per case.
    Junit,
}

/// Runs `kiro test`.
///
/// # Errors
/// A [`Failure`] (exit 3) when there is no test file, a test file cannot be read or run, or the
/// policy it names is invalid.
pub fn run(args: &TestArgs) -> Result<Outcome, Failure> {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for root in &roots {
        find(root, &mut files)?;
    }
    if files.is_empty() {
        let shown: Vec<String> = roots.iter().map(|p| io::display_name(p)).collect();
        return Err(Failure::diagnostic(
            Diagnostic::error(
                Code::NoPolicyTests,
                format!("no policy test files in `{}`", shown.join("`, `")),
            )
            .with_help(format!(
                "name test files `*{SUFFIX}` and put them beside the policies they test"
            )),
        ));
    }
    let mut reports: Vec<(String, PolicyTestReport)> = Vec::with_capacity(files.len());
    for path in &files {
        reports.push((io::display_name(path), test_file(path)?));
    }
    let results: Vec<TestFileResults<'_>> = reports
        .iter()
        .map(|(file, report)| TestFileResults { file, report })
        .collect();
    let color = args.output.is_none() && args.color.enabled(std::io::stdout().is_terminal());
    let report = match args.format {
        TestFormat::Human => policy_tests_human(&results, color),
        TestFormat::Json => policy_tests_json(&results),
        TestFormat::Junit => policy_tests_junit(&results),
    };
    let failed = reports.iter().any(|(_, r)| r.failed > 0);
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: if failed { exit::FAIL } else { exit::PASS },
    })
}

/// The test files at `path`: the file itself, or every `*.kiro-test.yaml` under a folder
/// (hidden folders, `target` and `node_modules` skipped), sorted.
fn find(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    if !io::is_stdin(path) && !path.exists() {
        return Err(Failure::diagnostic(
            Diagnostic::error(
                Code::NoPolicyTests,
                format!(
                    "`{}` is neither a test file nor a folder",
                    io::display_name(path)
                ),
            )
            .with_help(format!(
                "give test files (`*{SUFFIX}`) or folders that hold them"
            )),
        ));
    }
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Failure::io(format!(
            "cannot read folder `{}`: {}",
            io::display_name(path),
            io::io_message(&e)
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                find(&p, out)?;
            }
        } else if name.ends_with(SUFFIX) {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads, checks and runs one test file against the policy it names.
fn test_file(path: &Path) -> Result<PolicyTestReport, Failure> {
    let file: SourceFile = io::read_input(path, InputKind::Test)?;
    let test = PolicyTestFile::parse(&file.text)
        .map_err(|e| Failure::in_source(e.diagnostics(), &file))?;
    let policy_path = path.parent().unwrap_or(Path::new(".")).join(test.policy());
    let LoadedPolicy { policy, .. } = load_policy(&policy_path, None)?;
    test.run(&policy)
        .map_err(|e| Failure::in_source(e.diagnostics(), &file))
}
