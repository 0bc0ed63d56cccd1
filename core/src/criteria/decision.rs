//! The decision: what kiro concluded and why, as one serde type.
//!
//! Its canonical JSON (serde field order, sorted maps, shortest round-trip floats) is the same
//! bytes in every language for the same policy and inputs.

use crate::criteria::model::{GateKind, MissingRule};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Pass, warn or fail.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Everything holds.
    #[default]
    Pass,
    /// Acceptable, with something to look at.
    Warn,
    /// Not acceptable.
    Fail,
}

impl Verdict {
    /// The verdict as written in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

/// The outcome of one criterion after its missing-data rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The pass condition holds.
    Pass,
    /// The pass condition does not hold but the warn condition does.
    Warn,
    /// Neither holds.
    Fail,
    /// Undecidable for missing data, and the rule says `inconclusive`.
    Unknown,
}

impl Outcome {
    /// The outcome as written in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
        }
    }
}

/// A persona's sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signoff {
    /// Everything the persona owns passed.
    Approved,
    /// Approved, subject to the listed conditions.
    ApprovedWithConditions,
    /// Rejected, for the listed reasons.
    Rejected,
}

impl Signoff {
    /// The sign-off as written in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Signoff::Approved => "approved",
            Signoff::ApprovedWithConditions => "approved_with_conditions",
            Signoff::Rejected => "rejected",
        }
    }
}

/// A metric value as seen by a criterion, in base units; `null` when there was no data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SeenValue {
    /// A boolean metric.
    Bool(bool),
    /// A number in base units (ratio, milliseconds, bytes).
    Number(f64),
    /// No data.
    Missing(()),
}

/// The policy a decision was made under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyRef {
    /// The policy's name.
    pub name: String,
    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    pub hash: String,
    /// The imported files the policy was composed from, with the hash of each text (none for
    /// a policy without imports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<crate::compose::SourceRef>,
}

/// Everything kiro concluded for one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    /// The overall verdict: the worst gate verdict, and fail when a required persona rejects.
    pub verdict: Verdict,
    /// One sentence saying why.
    pub summary: String,
    /// The policy evaluated.
    pub policy: PolicyRef,
    /// Each gate evaluated, in policy order.
    pub gates: Vec<GateDecision>,
    /// Each persona that owns something evaluated, in policy order.
    pub personas: Vec<PersonaDecision>,
    /// What in the input was not used: names the policy does not declare (`KIRO-E011`, as
    /// warnings, with did-you-mean). Absent when there is nothing to say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// How a gate turned criteria into a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScoringMode {
    /// Any failure fails, any warning warns.
    Strict,
    /// Earned weight over total weight against thresholds; a failed key criterion fails.
    Scored,
}

/// The decision for one gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GateDecision {
    /// The gate's name.
    pub name: String,
    /// The gate's kind.
    pub kind: GateKind,
    /// Pass, warn or fail.
    pub verdict: Verdict,
    /// Strict or scored.
    pub mode: ScoringMode,
    /// Earned weight over decided weight (0 to 1); `null` when no criterion was decided.
    pub score: Option<f64>,
    /// The pass and warn thresholds of a scored gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    /// Why the gate has its verdict, in one sentence.
    pub reason: String,
    /// The personas owning the gate.
    pub owners: Vec<String>,
    /// Each criterion, in policy order.
    pub criteria: Vec<CriterionDecision>,
}

/// Score thresholds as fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Thresholds {
    /// Pass at or above.
    pub pass: f64,
    /// Warn at or above.
    pub warn: f64,
}

/// The decision for one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CriterionDecision {
    /// The criterion's name.
    pub name: String,
    /// The pass condition as written.
    pub condition: String,
    /// The warn condition as written, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_condition: Option<String>,
    /// Pass, warn, fail, or unknown (only under `on_missing: inconclusive`).
    pub outcome: Outcome,
    /// The metric values the conditions read, in base units; `null` for no data.
    pub values: BTreeMap<String, SeenValue>,
    /// The criterion's weight.
    pub weight: f64,
    /// The weight it earned: all of it for pass, half for warn, none otherwise.
    pub earned: f64,
    /// Whether it is a key criterion.
    pub key: bool,
    /// Whether it is informational: evaluated and explained, but not counted towards the
    /// gate's verdict or score (its weight and earned weight are 0). Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub informational: bool,
    /// The missing-data rule, when it decided the outcome.
    pub missing_rule_applied: Option<MissingRule>,
    /// What was seen and what would flip it.
    pub explanation: String,
    /// Where the baselines the conditions read came from (`avg of 5 passing runs on main,
    /// #812–#816`), or why there is none; absent when they read none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// A persona's sign-off over what it owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonaDecision {
    /// The persona's name.
    pub name: String,
    /// Approved, approved with conditions, or rejected.
    pub signoff: Signoff,
    /// Whether a rejection fails the whole decision.
    pub required: bool,
    /// The conditions of an approval: warnings, non-key failures and undecided criteria.
    pub conditions: Vec<String>,
    /// Why the persona rejected, when it did.
    pub reasons: Vec<String>,
}
