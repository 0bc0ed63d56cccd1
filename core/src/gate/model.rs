//! The `gates` section as written.

use crate::baseline::BaselineDecl;
use crate::criteria::model::{CriterionDecl, GateKind, ScoreDecl};
use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    #[schemars(length(min = 1))]
    pub criteria: Vec<Spanned<CriterionDecl>>,
    /// Which earlier runs `baseline(metric)` in this gate compares with; each field given
    /// overrides the policy's `baseline:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineDecl>,
}
