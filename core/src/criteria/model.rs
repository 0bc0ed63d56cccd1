//! Criteria as written, in a gate, on a pipeline stage or (next) in any section that judges
//! metrics: conditions, weight, key, missing-data rule, score thresholds and the gate kinds.

use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// When in the delivery flow a gate applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GateKind {
    /// Before a commit is made.
    PreCommit,
    /// Before a change merges.
    PreMerge,
    /// Before a deployment starts.
    PreDeploy,
    /// After a deployment, on live signals.
    PostDeploy,
    /// Anything else; selected with `--kind custom`.
    Custom,
}

impl GateKind {
    /// The kind as written in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            GateKind::PreCommit => "pre-commit",
            GateKind::PreMerge => "pre-merge",
            GateKind::PreDeploy => "pre-deploy",
            GateKind::PostDeploy => "post-deploy",
            GateKind::Custom => "custom",
        }
    }

    /// Every kind, in flow order.
    pub const ALL: &'static [GateKind] = &[
        GateKind::PreCommit,
        GateKind::PreMerge,
        GateKind::PreDeploy,
        GateKind::PostDeploy,
        GateKind::Custom,
    ];

    /// The kind written `text`, if it is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<GateKind> {
        GateKind::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

/// Score thresholds of a scored gate, as percentages (`90%`) or fractions (`0.9`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreDecl {
    /// The score at or above which the gate passes.
    pub pass: Spanned<Threshold>,
    /// The score at or above which the gate warns; below it, it fails. Defaults to `pass`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<Spanned<Threshold>>,
}

/// A score threshold: `90%` or `0.9`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Threshold {
    /// A fraction from 0 to 1.
    Fraction(#[schemars(range(min = 0.0, max = 1.0))] f64),
    /// A percentage such as `90%`, from `0%` to `100%` (or a fraction written as a string).
    Percent(
        #[schemars(regex(
            pattern = r"^\s*(?:(?:100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]+)?)\s*%|0(?:\.[0-9]+)?|1(?:\.0+)?)\s*$"
        ))]
        String,
    ),
}

/// One criterion of a gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDecl {
    /// The criterion's name, unique in its gate.
    pub name: Spanned<String>,
    /// What the criterion checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The condition that passes the criterion, e.g. `coverage >= 90%`.
    pub pass: Spanned<String>,
    /// When `pass` does not hold: the condition that makes it a warning instead of a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<Spanned<String>>,
    /// The criterion's weight in a scored gate (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub weight: Option<Spanned<f64>>,
    /// A key criterion that fails fails its gate whatever the score.
    #[serde(default)]
    pub key: bool,
    /// An informational criterion is evaluated and explained but never scored: its outcome
    /// does not count towards its gate's verdict or score, nor towards any persona's
    /// sign-off. It cannot be `key` or carry a `weight`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub informational: bool,
    /// What a condition that cannot be decided for missing data means (default `fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "criterion_missing_schema")]
    pub on_missing: Option<Spanned<MissingRule>>,
    /// Personas that own this criterion besides the gate's owners.
    #[serde(default)]
    pub owners: Vec<Spanned<String>>,
}

/// The schema of a criterion's `on_missing`: every rule but `hold`, which is for rollback
/// triggers.
fn criterion_missing_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let rules: Vec<serde_json::Value> = [
        MissingRule::Fail,
        MissingRule::Pass,
        MissingRule::Warn,
        MissingRule::Inconclusive,
    ]
    .iter()
    .map(|r| serde_json::Value::from(r.as_str()))
    .chain([serde_json::Value::Null])
    .collect();
    schemars::json_schema!({ "enum": rules })
}

/// What an undecidable condition (missing data) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MissingRule {
    /// Treat it as failed (the default for gates: fail closed).
    Fail,
    /// Treat it as passed.
    Pass,
    /// Treat it as a warning.
    Warn,
    /// Leave it undecided: the criterion is `unknown`, scores nothing and caps the gate at warn.
    Inconclusive,
    /// Keep the current state (rollback triggers only).
    Hold,
}

impl MissingRule {
    /// The rule as written in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MissingRule::Fail => "fail",
            MissingRule::Pass => "pass",
            MissingRule::Warn => "warn",
            MissingRule::Inconclusive => "inconclusive",
            MissingRule::Hold => "hold",
        }
    }
}
