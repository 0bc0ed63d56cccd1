//! Health panels and shared metrics: the unified dashboard's view of a set of metrics.
//!
//! Per persona, metrics with `warning` and `critical` conditions (the shared condition
//! language) give a health status — `healthy`, `warning`, `critical`, or `no_data` when a
//! condition cannot be decided — with the issues and warnings that caused it. Shared metrics
//! are weighted averages of metrics or of earlier shared metrics (an overall system health, a
//! crisis prevention index), each with a target condition and explained by its contributions.
//! Pure: one set of metric values in, one [`HealthReport`] out (`docs/health.md`).

mod compile;
pub mod model;

pub(crate) use compile::compile;

use crate::condition::Program;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::CheckError;
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;
use crate::tri::Tri;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The compiled `health` section.
#[derive(Debug)]
pub struct CompiledHealth {
    pub(crate) panels: Vec<Panel>,
    pub(crate) shared: Vec<Shared>,
    /// How many metric slots come before the shared metrics'.
    pub(crate) metrics: usize,
}

#[derive(Debug)]
pub(crate) struct Panel {
    pub persona: String,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub(crate) struct Item {
    pub metric: String,
    pub slot: usize,
    pub warning: Option<Program>,
    pub critical: Option<Program>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub name: String,
    /// (name, slot, weight)
    pub parts: Vec<(String, usize, f64)>,
    pub target: Option<Program>,
}

/// A health status, worst last.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Neither warning nor critical.
    Healthy,
    /// A condition could not be decided (no data), and nothing is worse.
    NoData,
    /// A warning condition holds.
    Warning,
    /// A critical condition holds.
    Critical,
}

/// The health of the dashboard for one set of metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthReport {
    /// Per persona, in policy order.
    pub panels: Vec<PanelReport>,
    /// The shared metrics, in policy order.
    pub shared: Vec<SharedReport>,
}

/// A persona's panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelReport {
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
    /// Every metric.
    pub metrics: Vec<MetricHealth>,
}

/// One metric of a panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricHealth {
    /// The metric.
    pub metric: String,
    /// Its value in base units (`null` without data).
    pub value: Option<f64>,
    /// Its status.
    pub status: HealthStatus,
}

/// A shared metric, explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedReport {
    /// Its name.
    pub name: String,
    /// The weighted average (`null` when a part has no data).
    pub value: Option<f64>,
    /// Whether the target is met (`null` without a target or without data).
    pub target_met: Option<bool>,
    /// The target as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Each part: its value, weight, and what it adds to the average.
    pub contributions: Vec<Contribution>,
}

/// What one part adds to a shared metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    /// The metric or shared metric.
    pub of: String,
    /// Its weight.
    pub weight: f64,
    /// Its value (`null` without data).
    pub value: Option<f64>,
    /// `weight × value / total weight` (`null` without data).
    pub contribution: Option<f64>,
}

fn known(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

impl CompiledHealth {
    /// Evaluates the panels and shared metrics on metric values in slot order (NaN: no data).
    pub(crate) fn evaluate(&self, mut slots: Vec<f64>) -> HealthReport {
        slots.truncate(self.metrics);
        let mut shared = Vec::with_capacity(self.shared.len());
        for s in &self.shared {
            let total: f64 = s.parts.iter().map(|p| p.2).sum();
            // The weighted sum divided once by the total weight.
            let mut sum = Some(0.0);
            let contributions = s
                .parts
                .iter()
                .map(|(name, slot, weight)| {
                    let v = slots.get(*slot).copied().and_then(known);
                    sum = sum.zip(v).map(|(a, v)| a + weight * v);
                    Contribution {
                        of: name.clone(),
                        weight: *weight,
                        value: v,
                        contribution: v.map(|v| weight * v / total),
                    }
                })
                .collect();
            let value = sum.map(|s| s / total);
            slots.push(value.unwrap_or(f64::NAN));
            let target_met = s.target.as_ref().and_then(|t| match t.eval(&slots) {
                Ok(Tri::True) => Some(true),
                Ok(Tri::False) => Some(false),
                _ => None,
            });
            shared.push(SharedReport {
                name: s.name.clone(),
                value,
                target_met,
                target: s.target.as_ref().map(|t| t.source().to_owned()),
                contributions,
            });
        }
        let holds =
            |p: &Option<Program>| p.as_ref().map(|p| p.eval(&slots).unwrap_or(Tri::Unknown));
        let panels = self
            .panels
            .iter()
            .map(|panel| {
                let mut report = PanelReport {
                    persona: panel.persona.clone(),
                    status: HealthStatus::Healthy,
                    issues: Vec::new(),
                    warnings: Vec::new(),
                    no_data: Vec::new(),
                    metrics: Vec::new(),
                };
                for item in &panel.items {
                    let (c, w) = (holds(&item.critical), holds(&item.warning));
                    let status = if c == Some(Tri::True) {
                        report
                            .issues
                            .extend(item.critical.as_ref().map(|p| p.source().to_owned()));
                        HealthStatus::Critical
                    } else if w == Some(Tri::True) {
                        report
                            .warnings
                            .extend(item.warning.as_ref().map(|p| p.source().to_owned()));
                        HealthStatus::Warning
                    } else if c == Some(Tri::Unknown) || w == Some(Tri::Unknown) {
                        report.no_data.push(item.metric.clone());
                        HealthStatus::NoData
                    } else {
                        HealthStatus::Healthy
                    };
                    report.status = report.status.max(status);
                    report.metrics.push(MetricHealth {
                        metric: item.metric.clone(),
                        value: slots.get(item.slot).copied().and_then(known),
                        status,
                    });
                }
                report
            })
            .collect();
        HealthReport { panels, shared }
    }
}

impl CompiledPolicy {
    /// The policy's `health` section, compiled, when it has one.
    #[must_use]
    pub fn health(&self) -> Option<&CompiledHealth> {
        self.inner.health.as_ref()
    }

    /// The dashboard's health for `metrics`: every persona panel and shared metric.
    ///
    /// # Errors
    /// `KIRO-E030` for a policy without `health`; the metrics' errors as for `check`.
    pub fn health_of(&self, metrics: &MetricsInput) -> Result<HealthReport, CheckError> {
        let Some(health) = self.health() else {
            return Err(CheckError::Input(vec![
                Diagnostic::error(Code::EmptySelection, "the policy has no `health` section")
                    .with_help("add `health:` with `panels` and `shared` metrics (docs/health.md)"),
            ]));
        };
        let slots = crate::metrics::bind::bind(metrics, &self.inner.metrics)?;
        Ok(health.evaluate(slots))
    }
}
