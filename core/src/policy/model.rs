//! The policy document as written: the serde model every format is read into.
//!
//! Unknown keys are rejected everywhere (`deny_unknown_fields`). Names and conditions keep the
//! span they were written at so that later checks can point into the text.

use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A kiro policy: metric declarations, personas and quality gates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "kiro policy")]
pub struct Policy {
    /// The JSON Schema this document follows, for editors; ignored by kiro.
    #[serde(rename = "$schema", default, skip_serializing)]
    pub schema: Option<String>,
    /// The policy format version; only `1` exists.
    #[serde(default = "default_version")]
    pub version: Spanned<u32>,
    /// The policy's name, shown in every decision.
    pub name: Spanned<String>,
    /// What the policy is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The metrics conditions may use, by name, with their units.
    #[serde(default)]
    pub metrics: BTreeMap<String, Spanned<MetricDecl>>,
    /// The personas that own gates and criteria and sign off.
    #[serde(default)]
    pub personas: Vec<Spanned<PersonaDecl>>,
    /// The quality gates.
    #[serde(default)]
    pub gates: Vec<Spanned<GateDecl>>,
    /// The pipeline: stages with dependencies, exit gates, timeouts and retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<crate::pipeline::model::PipelineDecl>,
}

fn default_version() -> Spanned<u32> {
    Spanned::new(crate::diagnostic::Span::default(), 1)
}

/// A metric conditions may refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricDecl {
    /// The unit values are read and shown in: `%`, `ratio`, `ms`, `s`, `m`, `h`, `d`, `B`,
    /// `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `count` (a plain number, the default) or `bool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Spanned<String>>,
    /// What the metric measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A persona: an owner of concerns that signs off on what it owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaDecl {
    /// `architect`, `devops`, `qa`, `performance`, `security` or any other name.
    pub name: Spanned<String>,
    /// What the persona is responsible for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When true, this persona rejecting fails the whole decision.
    #[serde(default)]
    pub required: bool,
    /// How many conditions an approval may carry before it becomes a rejection (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_conditions: Option<Spanned<u32>>,
}

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

/// A quality gate: criteria scored into pass, warn or fail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateDecl {
    /// The gate's name, unique in the policy.
    pub name: Spanned<String>,
    /// When the gate applies.
    pub kind: GateKind,
    /// What the gate protects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The personas that own the gate and sign off on it.
    #[serde(default)]
    pub owners: Vec<Spanned<String>>,
    /// Scored mode: pass and warn thresholds on earned weight / total weight. Without it the
    /// gate is strict: any failed criterion fails it, any warning warns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreDecl>,
    /// The criteria, evaluated in order.
    pub criteria: Vec<Spanned<CriterionDecl>>,
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
    Fraction(f64),
    /// A percentage such as `90%`.
    Percent(String),
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
    pub weight: Option<Spanned<f64>>,
    /// A key criterion that fails fails its gate whatever the score.
    #[serde(default)]
    pub key: bool,
    /// What a condition that cannot be decided for missing data means (default `fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_missing: Option<Spanned<MissingRule>>,
    /// Personas that own this criterion besides the gate's owners.
    #[serde(default)]
    pub owners: Vec<Spanned<String>>,
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
