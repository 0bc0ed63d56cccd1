//! The policy document as written: the serde model every format is read into.
//!
//! Unknown keys are rejected everywhere (`deny_unknown_fields`). Names and conditions keep the
//! span they were written at so that later checks can point into the text. Each part is
//! declared where it is compiled (metrics in `metrics`, personas and criteria in `criteria`,
//! gates in `gate`, the pipeline in `pipeline`, triggers and windows in `monitor`); they are all re-exported here, so the whole
//! document model reads from one place.

pub use crate::baseline::{BaselineDecl, Include};
pub use crate::criteria::model::{CriterionDecl, GateKind, MissingRule, ScoreDecl, Threshold};
pub use crate::criteria::personas::PersonaDecl;
pub use crate::gate::model::GateDecl;
pub use crate::metrics::decl::MetricDecl;
pub use crate::monitor::judge::model::JudgeDecl;
pub use crate::monitor::model::{TriggerDecl, WindowDecl};
pub use crate::monitor::slo::model::SloDecl;
pub use crate::pipeline::model::PipelineDecl;
pub use crate::release::model::{EnvironmentDecl, StrategyDecl};
pub use crate::risk::model::RiskDecl;

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
    #[schemars(range(min = 1, max = 1))]
    pub version: Spanned<u32>,
    /// The policy's name, shown in every decision.
    pub name: Spanned<String>,
    /// What the policy is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The metrics conditions may use, by name, with their units.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": crate::metrics::decl::METRIC_NAME_PATTERN }))]
    pub metrics: BTreeMap<String, Spanned<MetricDecl>>,
    /// The personas that own gates and criteria and sign off.
    #[serde(default)]
    pub personas: Vec<Spanned<PersonaDecl>>,
    /// The quality gates.
    #[serde(default)]
    pub gates: Vec<Spanned<GateDecl>>,
    /// Which earlier runs `baseline(metric)` compares with (docs/baselines.md): the newest
    /// `last` runs of this policy on `branch` whose verdict `include` admits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineDecl>,
    /// The pipeline: stages with dependencies, exit gates, timeouts and retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineDecl>,
    /// Aggregates over trailing windows of observations, which triggers read by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub windows: BTreeMap<String, Spanned<WindowDecl>>,
    /// Rollback triggers: conditions held over time, with the action each calls for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Spanned<TriggerDecl>>,
    /// Service level objectives: each generates burn-rate windows and a trigger that alerts
    /// on the rate at which its error budget burns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slos: Vec<Spanned<SloDecl>>,
    /// Canary judges: each compares the new version's metrics with the stable one's and
    /// generates a trigger on the score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judges: Vec<Spanned<JudgeDecl>>,
    /// The environments a release passes through, in order (or a small graph by `after`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Spanned<EnvironmentDecl>>,
    /// The deployment strategy of every environment that names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Spanned<StrategyDecl>>,
    /// Risk models (weighted factors, levels, mitigations) and the dependency graph a
    /// change's blast radius is computed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskDecl>,
    /// Alerting: rules, receivers, routing, inhibition, silences, escalation, batching,
    /// de-duplication and flapping (docs/alerts.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Spanned<crate::alert::model::AlertsDecl>>,
    /// The unified dashboard's health: persona panels and shared weighted metrics
    /// (docs/health.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Spanned<crate::health::model::HealthDecl>>,
}

fn default_version() -> Spanned<u32> {
    Spanned::new(crate::diagnostic::Span::default(), 1)
}
