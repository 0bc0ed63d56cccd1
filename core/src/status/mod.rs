//! The unified dashboard at one moment (`kiro status`): every persona panel with each metric's
//! value against its warning and critical thresholds, the shared metrics with their
//! contributions, the alerts firing or pending, and — when a history of observations is
//! given — each panel metric's values over the window.
//!
//! Made of the engine's answers, decided nowhere else: the panels and shared metrics are
//! [`CompiledPolicy::health_of`]'s, the alerts are the alert engine's (`crate::alert::step`
//! over the history up to the moment, then [`AlertState::active`](crate::alert::AlertState::active)).
//! Pure: the moment is given (`at_ms`) or the history's last time, never a clock.
//! `crate::render::status` draws it on a terminal, as Markdown and as an HTML page.

mod build;

use crate::alert::ActiveAlert;
use crate::health::{HealthStatus, SharedReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The dashboard at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    /// The policy's name.
    pub policy: String,
    /// The policy's hash.
    pub policy_hash: String,
    /// The moment shown (ms on the host's clock): the one asked for, else the history's last
    /// time; `null` without either.
    pub at_ms: Option<u64>,
    /// The worst panel's status (`healthy` without panels).
    pub status: HealthStatus,
    /// Per persona, in policy order.
    pub panels: Vec<PanelStatus>,
    /// The shared metrics, in policy order.
    pub shared: Vec<SharedReport>,
    /// The alerts firing or pending at the moment (firing first), when the policy has alert
    /// rules and a history was given; `null` otherwise.
    pub alerts: Option<Vec<ActiveAlert>>,
    /// Each panel metric's and shared metric's values over the history up to the moment, when
    /// a history was given; `null` otherwise.
    pub history: Option<Vec<MetricHistory>>,
}

/// A persona's panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelStatus {
    /// The persona.
    pub persona: String,
    /// The worst of its metrics.
    pub status: HealthStatus,
    /// The critical conditions that hold, as written.
    pub issues: Vec<String>,
    /// The warning conditions that hold (of metrics not critical).
    pub warnings: Vec<String>,
    /// The metrics whose conditions could not be decided.
    pub no_data: Vec<String>,
    /// Every metric, with its thresholds.
    pub metrics: Vec<GaugeMetric>,
}

/// One metric of a panel, as a gauge shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GaugeMetric {
    /// The metric (or shared metric).
    pub metric: String,
    /// Its value in base units (`null` without data).
    pub value: Option<f64>,
    /// Its status.
    pub status: HealthStatus,
    /// Its warning condition, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<GaugeThreshold>,
    /// Its critical condition, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<GaugeThreshold>,
}

/// A condition of a panel metric, with the constants it compares the metric with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GaugeThreshold {
    /// The condition as written: `error_rate > 1%`.
    pub condition: String,
    /// The constants the condition compares the metric with directly, in base units (empty
    /// when it compares it with something else).
    pub values: Vec<f64>,
}

/// One metric's values over the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricHistory {
    /// The metric (or shared metric).
    pub metric: String,
    /// One point per observation, in time order.
    pub points: Vec<HistoryPoint>,
}

/// A metric's value at one observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryPoint {
    /// When.
    pub at_ms: u64,
    /// The value in base units (`null` without data).
    pub value: Option<f64>,
}

pub use build::status;
