//! The `health` section as written: persona panels and shared metrics.

use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The unified dashboard's health: a panel per persona, and shared weighted metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthDecl {
    /// Per persona, metrics with warning and critical conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<Spanned<PanelDecl>>,
    /// Weighted aggregates of metrics or of earlier shared metrics, each with a target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared: Vec<Spanned<SharedDecl>>,
}

/// A persona's panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelDecl {
    /// The persona (declared under `personas`).
    pub persona: Spanned<String>,
    /// Its metrics.
    pub metrics: Vec<Spanned<PanelMetricDecl>>,
}

/// One metric of a panel: conditions for warning and critical.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelMetricDecl {
    /// A declared metric or a shared metric.
    pub metric: Spanned<String>,
    /// When it is a warning: `error_rate > 0.5%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Spanned<String>>,
    /// When it is critical: `error_rate > 1%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<Spanned<String>>,
}

/// A shared metric: the weighted average of its parts, with a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedDecl {
    /// Its name, which panels, targets and later shared metrics may use.
    pub name: Spanned<String>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The parts, averaged by weight.
    pub average: Vec<Spanned<PartDecl>>,
    /// The condition it should meet: `system_health >= 99%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Spanned<String>>,
}

/// A part of a shared metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartDecl {
    /// A declared metric or an earlier shared metric.
    pub of: Spanned<String>,
    /// Its weight (positive).
    pub weight: Spanned<f64>,
}
