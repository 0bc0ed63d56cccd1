//! Pure renderings for people and CI systems, one file per format, each rendering whatever
//! the engine answers in that format:
//!
//! | format | a [`Decision`] | a pipeline's [`Plan`](crate::pipeline::Plan) | a [`RunResult`](crate::pipeline::RunResult) |
//! |---|---|---|---|
//! | terminal | [`human`] | [`plan_human`] | [`run_human`] |
//! | Markdown | [`markdown`](markdown()) | | [`run_markdown`] |
//! | JUnit XML | [`junit`](junit()) | | [`run_junit`] |
//! | pretty JSON | | [`plan_json`] | [`run_json`] |
//! | Graphviz DOT | | [`plan_dot`] | |
//! | Mermaid | | [`plan_mermaid`] | |
//!
//! A monitor's decisions over time draw as a picture: [`replay_svg`] and [`replay_html`]. A
//! decision or run result saved as JSON renders again through [`Saved`]. The unified dashboard
//! ([`StatusReport`](crate::status::StatusReport)) renders through [`render_status`].
//!
//! Every renderer is a pure function to a string: no I/O, no clock, no environment. The same
//! input always renders to the same bytes. XML is escaped in one place (`xml`).
//!
//! Metric values in a decision are held in base units (ratios as fractions, durations in
//! milliseconds, sizes in bytes). Given the policy's [`MetricUnits`], the renderers show them in
//! the declared units (`87.0%`, `420ms`); without, in base units.

mod dot;
mod human;
mod json;
mod junit;
mod markdown;
pub(crate) mod mermaid;
mod policy_test;
mod replay_picture;
mod saved;
mod status;
pub(crate) mod xml;

pub use dot::plan_dot;
pub use human::{HumanOptions, human, plan_human, run_human};
pub use json::{plan_json, run_json};
pub use junit::{junit, run_junit};
pub use markdown::{markdown, run_markdown};
pub use mermaid::plan_mermaid;
pub use policy_test::{TestFileResults, policy_tests_human, policy_tests_json, policy_tests_junit};
pub use replay_picture::{replay_html, replay_svg};
pub use saved::{Saved, SavedFormat};
pub use status::{
    StatusFormat, render_status, status_html, status_human, status_markdown, status_units,
};

use crate::decision::{CriterionDecision, Decision, GateDecision, ScoringMode, SeenValue, Signoff};
use crate::policy::CompiledPolicy;
use crate::units::{Dimension, Unit, format_in, format_number, suffix_unit};
use std::collections::BTreeMap;

/// The unit each metric's values are shown in, by metric name, as the policy declares them.
/// Values of metrics not listed are shown in base units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricUnits {
    units: BTreeMap<String, Unit>,
}

impl MetricUnits {
    /// No units: every value is shown in base units.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The units a compiled policy declares (a metric without a unit is a plain number).
    #[must_use]
    pub fn from_policy(policy: &CompiledPolicy) -> Self {
        let units = policy
            .metric_units()
            .map(|(name, unit)| (name.to_owned(), unit))
            .collect();
        Self { units }
    }

    /// Shows the values of metric `name` in `unit`.
    pub fn insert(&mut self, name: impl Into<String>, unit: Unit) {
        self.units.insert(name.into(), unit);
    }

    /// The unit of metric `name`, if known; a baseline (`baseline(m, p90)`) has its metric's.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Unit> {
        self.units.get(name).copied().or_else(|| {
            let (metric, _) = crate::condition::parse_baseline_name(name)?;
            self.units.get(metric).copied()
        })
    }

    /// A base-unit value of metric `name` as shown: `87.0%` for a `%` metric, `0.87` when the
    /// unit is unknown.
    fn show(&self, name: &str, value: f64) -> String {
        match self.get(name) {
            // Only units written after a number (`%`, `ms`, `KB`); `ratio` and plain numbers
            // are shown as numbers.
            Some(unit)
                if unit.dimension != Dimension::Bool && suffix_unit(unit.symbol).is_some() =>
            {
                format_in(value, unit)
            }
            _ => format_number(value, 0),
        }
    }
}

/// One metric value as shown in a report: `coverage = 87.0%`, `tests.e2e_green = true`,
/// `p95_latency = no data`.
fn value_text(name: &str, value: &SeenValue, units: &MetricUnits) -> String {
    let shown = match value {
        SeenValue::Bool(b) => b.to_string(),
        SeenValue::Number(x) => units.show(name, *x),
        SeenValue::Missing(()) => "no data".to_owned(),
    };
    format!("{name} = {shown}")
}

/// Every value a criterion read, in name order.
fn values_text(criterion: &CriterionDecision, units: &MetricUnits) -> Vec<String> {
    criterion
        .values
        .iter()
        .map(|(name, value)| value_text(name, value, units))
        .collect()
}

/// A score as a percentage: `72.5%`.
fn percent(fraction: f64) -> String {
    format_in(fraction, Unit::PERCENT)
}

/// How a gate is scored: `strict`, or `scored: pass at 90.0%, warn at 75.0%`.
fn mode_text(gate: &GateDecision) -> String {
    match (gate.mode, gate.thresholds) {
        (ScoringMode::Scored, Some(t)) => format!(
            "scored: pass at {}, warn at {}",
            percent(t.pass),
            percent(t.warn)
        ),
        (ScoringMode::Scored, None) => "scored".to_owned(),
        (ScoringMode::Strict, _) => "strict".to_owned(),
    }
}

/// A gate's score: `72.0%`, or `none` when no criterion was decided; `None` for a strict gate.
fn score_text(gate: &GateDecision) -> Option<String> {
    (gate.mode == ScoringMode::Scored)
        .then(|| gate.score.map_or_else(|| "none".to_owned(), percent))
}

/// The criterion's name with its markers: `coverage (key, weight 2)`, `flaky-tests
/// (informational)`.
fn criterion_label(criterion: &CriterionDecision, gate: &GateDecision) -> String {
    let mut marks = Vec::new();
    if criterion.key {
        marks.push("key".to_owned());
    }
    if criterion.informational {
        marks.push("informational".to_owned());
    } else if gate.mode == ScoringMode::Scored {
        marks.push(format!("weight {}", format_number(criterion.weight, 0)));
    }
    if marks.is_empty() {
        criterion.name.clone()
    } else {
        format!("{} ({})", criterion.name, marks.join(", "))
    }
}

/// The summary without its leading `verdict: ` (the renderers show the verdict themselves).
fn summary_text(decision: &Decision) -> &str {
    let summary = decision.summary.as_str();
    summary
        .strip_prefix(decision.verdict.as_str())
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(summary)
}

/// `1 stage`, `3 stages`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `approved with conditions` for `approved_with_conditions`.
fn signoff_text(signoff: Signoff) -> String {
    signoff.as_str().replace('_', " ")
}

#[cfg(test)]
mod tests;
