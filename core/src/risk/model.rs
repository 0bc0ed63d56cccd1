//! The `risk` section as written: named risk models of weighted factors, and the dependency
//! graph a change's blast radius is computed on.

use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `risk` section: risk models and the components' dependency graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskDecl {
    /// The risk models, each scoring a change or a deployment from 0 to 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<Spanned<RiskModelDecl>>,
    /// The services or components and what each depends on, for blast radius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<Spanned<GraphDecl>>,
}

/// One risk model: weighted factors, levels and what missing data means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskModelDecl {
    /// The model's name (`change_risk`, `crisis_prevention`).
    pub name: Spanned<String>,
    /// What the model measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The score (0 to 100) each level starts at; the default is medium 25, high 50,
    /// critical 75. A score exactly at a threshold is in the level it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Spanned<LevelsDecl>>,
    /// The score the model should stay below (the crisis prevention index: `20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Spanned<f64>>,
    /// What a factor without data means (default `worst`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_missing: Option<Spanned<MissingInput>>,
    /// The factors.
    pub factors: Vec<Spanned<FactorDecl>>,
    /// What each level asks of the gates: gates a low-risk change may skip, approvals a risky
    /// one needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gating: Option<Spanned<GatingLevelsDecl>>,
}

/// Risk-based gating, by level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatingLevelsDecl {
    /// At low risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Spanned<GatingDecl>>,
    /// At medium risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Spanned<GatingDecl>>,
    /// At high risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Spanned<GatingDecl>>,
    /// At critical risk (and when the level is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<Spanned<GatingDecl>>,
}

/// What one level asks of the gates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatingDecl {
    /// Gates a change at this level skips (low and medium only); every skip is recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bypass: Vec<Spanned<String>>,
    /// How many approvals the change needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Spanned<u32>>,
    /// Personas that must be among the approvers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<Spanned<String>>,
    /// Criteria judged by other conditions at this level (a stricter profile at high risk);
    /// every replacement is recorded in the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Spanned<ThresholdDecl>>,
}

/// A criterion of a gate judged by other conditions at one risk level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDecl {
    /// The gate.
    pub gate: Spanned<String>,
    /// The criterion of that gate.
    pub criterion: Spanned<String>,
    /// The condition that passes the criterion at this level, instead of the gate's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<Spanned<String>>,
    /// The condition that makes it a warning at this level, instead of the gate's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<Spanned<String>>,
}

/// The scores at which levels start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelsDecl {
    /// Where medium starts.
    pub medium: Spanned<f64>,
    /// Where high starts.
    pub high: Spanned<f64>,
    /// Where critical starts.
    pub critical: Spanned<f64>,
}

/// What a factor without data means. Missing data is never silently zero risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MissingInput {
    /// The factor counts at its full weight, as the worst case (the default: fail closed).
    Worst,
    /// The factor is left out and the other weights are scaled up; the report says how much
    /// weight was left out.
    Exclude,
    /// Scoring is refused (`KIRO-E165`) until the data is there.
    Error,
}

impl MissingInput {
    /// The rule as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MissingInput::Worst => "worst",
            MissingInput::Exclude => "exclude",
            MissingInput::Error => "error",
        }
    }
}

/// One factor: a value computed from metrics, a transform to a risk from 0 to 1, a weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorDecl {
    /// The factor's name, unique in its model.
    pub name: Spanned<String>,
    /// What the factor measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A numeric expression over metrics (`memory.used / memory.total`), or `blast_radius`
    /// (the weighted share of the dependency graph a change can affect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Spanned<String>>,
    /// A condition (`critical_vulns > 0`): a boolean factor, full risk when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Spanned<String>>,
    /// Linear between two bounds: no risk at `from`, full risk at `to` (either order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear: Option<Spanned<RangeDecl>>,
    /// Logarithmic between two positive bounds: each doubling adds the same risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<Spanned<RangeDecl>>,
    /// Steps: from each band's `from` (inclusive) upward, that band's risk; below the first,
    /// none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Spanned<BandDecl>>,
    /// The factor's weight (default 1); contributions are shares of the total weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Spanned<f64>>,
    /// What missing data means for this factor, instead of the model's rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_missing: Option<Spanned<MissingInput>>,
    /// What would lower this factor's risk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<Spanned<MitigationDecl>>,
}

/// Two bounds in the factor's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeDecl {
    /// Where the risk is 0.
    pub from: Spanned<QuantityDecl>,
    /// Where the risk is full.
    pub to: Spanned<QuantityDecl>,
}

/// One band of a banded factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandDecl {
    /// The band starts at this value (inclusive), in the factor's unit.
    pub from: Spanned<QuantityDecl>,
    /// The risk in the band: a percentage (`60%`) or a fraction from 0 to 1.
    pub risk: Spanned<QuantityDecl>,
}

/// A mitigation: what it is, and what it does to its factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MitigationDecl {
    /// The mitigation's name.
    pub name: Spanned<String>,
    /// What to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The share of the factor's risk it removes (`50%`, `100%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce: Option<Spanned<QuantityDecl>>,
    /// The factor's value once it is done, in the factor's unit (`60%`, `false` for a
    /// boolean factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Spanned<QuantityDecl>>,
}

/// A number as written: `"80%"`, `"500ms"`, or a bare number in the factor's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum QuantityDecl {
    /// A boolean (a boolean factor's mitigation target).
    Bool(bool),
    /// A number, in the unit the factor's values are shown in.
    Number(f64),
    /// A number with a unit.
    Text(String),
}

/// The dependency graph: components, their weights, and what each depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphDecl {
    /// The components by name.
    pub components: BTreeMap<String, Spanned<ComponentDecl>>,
}

/// One component of the dependency graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentDecl {
    /// How bad its failure is, from 0 upward (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<Spanned<f64>>,
    /// The share of traffic it serves, or any relative weight from 0 upward (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Spanned<f64>>,
    /// The components it depends on: a change to one of them can break it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Spanned<String>>,
}
