//! The earlier runs `baseline(metric)` compares with: read from the history (`--history DB`)
//! or a JSON file (`--baseline-runs FILE`), and the current branch.

use super::history::RecordArgs;
use crate::diagnostics::Failure;
use crate::io::{self, InputKind};
use kiro::CompiledPolicy;
use kiro::baseline::{EarlierRun, Include, decode_history};
use kiro::{Diagnostic, Verdict};
use kiro_adapters::history::{Context, Filter, History, Location, Store};
use std::collections::BTreeSet;

/// The current run's branch: `--branch`, else the CI's variables.
pub fn current_branch(args: &RecordArgs) -> Option<String> {
    args.branch
        .clone()
        .or_else(|| Context::from_ci(0, |name| std::env::var(name).ok()).branch)
}

/// The earlier runs the flags give (`None` when neither `--history` nor `--baseline-runs`).
///
/// # Errors
/// A [`Failure`] when the file cannot be read or is not a list of runs (`KIRO-E057`), or the
/// history cannot be opened or read.
pub fn earlier_runs(
    args: &RecordArgs,
    policy: &CompiledPolicy,
    branch: Option<&str>,
) -> Result<Option<Vec<EarlierRun>>, Failure> {
    if let Some(path) = &args.baseline_runs {
        let file = io::read_input(path, InputKind::History)?;
        let value: serde_json::Value = serde_json::from_str(&file.text).map_err(|e| {
            Failure::diagnostic(
                Diagnostic::error(
                    kiro::Code::InvalidHistory,
                    format!("`{}` is not JSON: {e}", path.display()),
                )
                .with_source("history"),
            )
        })?;
        let runs = decode_history(&value)
            .map_err(|d| Failure::diagnostic(d.with_help(format!("in `{}`", path.display()))))?;
        return Ok(Some(runs));
    }
    let Some(path) = &args.baseline_history else {
        return Ok(None);
    };
    let location = Location::parse(path);
    if !location.exists() {
        // No history yet: no baseline, and the criteria's `on_missing` decides.
        return Ok(Some(Vec::new()));
    }
    let mut history = History::open(&location).map_err(Failure::diagnostic)?;
    let mut runs = Vec::new();
    let mut seen = BTreeSet::new();
    for query in policy.baseline_queries(branch) {
        let filter = Filter {
            policy: Some(policy.name().to_owned()),
            branch: query.branch.clone(),
            since_ms: None,
            verdicts: match query.include {
                Include::Pass => vec![Verdict::Pass],
                Include::PassOrWarn => vec![Verdict::Pass, Verdict::Warn],
                Include::All => Vec::new(),
            },
            limit: Some(u32::try_from(query.last).unwrap_or(u32::MAX)),
        };
        for record in history.records(&filter).map_err(Failure::diagnostic)? {
            if !seen.insert(record.entry.id) {
                continue;
            }
            runs.push(EarlierRun {
                id: format!("#{}", record.entry.id),
                policy: Some(record.entry.policy.clone()),
                branch: record.entry.context.branch.clone(),
                verdict: record.entry.verdict,
                policy_hash: Some(record.entry.policy_hash.clone()),
                at_ms: record.entry.context.at_ms,
                metrics: record
                    .inputs
                    .get("metrics")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
            });
        }
    }
    Ok(Some(runs))
}
