//! The `judges` section as written.

use crate::document::Spanned;
use crate::monitor::model::Action;
use crate::monitor::slo::model::PercentDecl;
use crate::units::DurationDecl;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A canary judge: compares each metric's samples of the new version with the stable one's over
/// a trailing window (Mann-Whitney U), classifies it pass, high, low or no data, and scores
/// the groups, weighted. Conditions read the score (a percentage) by the judge's name; the
/// judge generates a trigger `judge:<name>` that acts below `pass` and below `marginal`.
///
/// A metric `m` is observed as `<canary>.m` and `<baseline>.m` (`canary.latency` and
/// `stable.latency`), both declared under `metrics` with the same unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgeDecl {
    /// The judge's name: one word of letters, digits and `_`, the score's name in conditions.
    pub name: Spanned<String>,
    /// What the judge guards against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The samples compared: each version's observations in `(now - over, now]`.
    pub over: Spanned<DurationDecl>,
    /// The prefix of the new version's metrics (default `canary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<Spanned<String>>,
    /// The prefix of the stable version's metrics (default `stable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Spanned<String>>,
    /// How sure the test must be that the versions differ (default `95%`: a p-value below 5%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Spanned<PercentDecl>>,
    /// Samples each version needs before a metric is judged; fewer is no data (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_samples: Option<Spanned<u32>>,
    /// The score at or above which the canary passes (default `95%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<Spanned<PercentDecl>>,
    /// The score at or above which a canary that does not pass is marginal; below it, it fails
    /// (default `75%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marginal: Option<Spanned<PercentDecl>>,
    /// What a marginal score calls for (default `warn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_marginal: Option<Spanned<Action>>,
    /// What a failing score calls for (default `rollback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_fail: Option<Spanned<Action>>,
    /// Group weights (default 1 for each group the metrics name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, Spanned<f64>>,
    /// The metrics compared.
    pub metrics: Vec<Spanned<JudgedMetricDecl>>,
}

/// One metric a judge compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgedMetricDecl {
    /// The metric's name without the version prefix.
    pub metric: Spanned<String>,
    /// Which difference fails the metric (default `increase`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Spanned<Direction>>,
    /// How far the canary's median may be from the baseline's, relative to it, before a
    /// significant difference counts (default `0%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Spanned<PercentDecl>>,
    /// The group the metric is scored in (default: the metric's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Spanned<String>>,
    /// A critical metric that does not pass (no data included) makes the score 0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
}

/// Which difference between the versions fails a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The canary is higher (latency, errors).
    Increase,
    /// The canary is lower (throughput, success).
    Decrease,
    /// Either.
    Either,
}
