//! The `baseline:` block as written.

use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which earlier runs `baseline(metric)` compares with. On the policy it applies to every gate;
/// on a gate, each field given overrides the policy's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineDecl {
    /// How many of the newest matching runs count (1 to 100; default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Spanned<i64>>,
    /// Which verdicts count: `pass` (the default), `pass_or_warn` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Spanned<Include>>,
    /// Compare with runs on this branch (a merge request with `main`); by default the branch
    /// of the current run, as the host gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<Spanned<String>>,
}

/// Which earlier runs count by their verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Include {
    /// Passing runs only.
    #[default]
    Pass,
    /// Passing runs and runs that warned.
    PassOrWarn,
    /// Every run, failed ones too.
    All,
}

impl Include {
    /// The words for the runs it admits, as explanations use them (`passing runs`).
    #[must_use]
    pub fn adjective(self) -> &'static str {
        match self {
            Include::Pass => "passing",
            Include::PassOrWarn => "passing or warning",
            Include::All => "earlier",
        }
    }
}
