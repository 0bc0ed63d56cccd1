//! The earlier runs a host gives.

use crate::decision::Verdict;
use crate::diagnostic::{Code, Diagnostic};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most earlier runs one check reads (`KIRO-E059` beyond): a host gives the newest ones
/// of its store, never the whole store.
pub const MAX_RUNS: usize = 10_000;

/// One earlier run, as the history store keeps it or a host writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EarlierRun {
    /// How the run is named in explanations (`#812`).
    pub id: String,
    /// The policy's name; a run of another policy never counts. Runs without one count for
    /// any policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The branch the run checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The run's verdict.
    pub verdict: Verdict,
    /// The hash of the policy the run was checked under (`sha256:…`); a different hash from
    /// the current policy's is shown in explanations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_hash: Option<String>,
    /// When it ran, in milliseconds since the Unix epoch: newest first is by this time, then
    /// by position in the list (later is newer).
    pub at_ms: u64,
    /// The metrics as the run was given them: numbers in the metric's unit, strings with a
    /// unit (`"420ms"`), booleans, `null` for no data; nested objects for dotted names.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub metrics: Value,
}

/// Reads a list of earlier runs from a JSON value.
///
/// # Errors
/// `KIRO-E057` for a value that is not a list of runs, naming the place (`/3/verdict`);
/// `KIRO-E059` for more than [`MAX_RUNS`] runs.
pub fn decode_history(value: &Value) -> Result<Vec<EarlierRun>, Diagnostic> {
    let Some(items) = value.as_array() else {
        return Err(Diagnostic::error(
            Code::InvalidHistory,
            "the history must be a list of earlier runs",
        )
        .with_help(HELP));
    };
    if items.len() > MAX_RUNS {
        return Err(Diagnostic::error(
            Code::HistoryTooLong,
            format!(
                "the history holds {} runs; kiro reads at most {MAX_RUNS} in one check",
                items.len()
            ),
        )
        .with_help("give the newest runs only: a baseline reads at most `last: 100` of them"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            EarlierRun::deserialize(item).map_err(|e| {
                Diagnostic::error(
                    Code::InvalidHistory,
                    format!("earlier run at `/{i}` is not a run: {e}"),
                )
                .with_help(HELP)
            })
        })
        .collect()
}

const HELP: &str = "each run is `{id, verdict, at_ms, metrics}` with optional `policy`, `branch` \
                    and `policy_hash`";
