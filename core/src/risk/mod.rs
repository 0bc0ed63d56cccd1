//! Change risk: explained risk scores, and the blast radius of a change over a dependency graph.
//!
//! A policy's `risk` section declares named **risk models** — factors computed from metrics
//! with the condition language (`value: memory.used / memory.total`, `when: critical_vulns >
//! 0`), each turned into a risk from 0 to 1 by a transform (linear between bounds,
//! logarithmic, bands, or the condition itself), weighted, with mitigations — and a
//! **dependency graph** of components.
//!
//! [`CompiledPolicy::score_risk`] scores every model (or one) on a set of metrics: a
//! [`RiskReport`] per model with the score from 0 to 100, the level, each factor's value, risk,
//! weight and contribution (the printed contributions add up to the printed score exactly),
//! the factors without data and the rule applied to each (never silently zero risk), and the
//! mitigations ranked by the points each would remove. [`CompiledPolicy::blast_radius`] gives
//! the components a change can affect, with their distance and the weighted radius, which a
//! factor reads as `blast_radius`; [`picture`] draws it in DOT or Mermaid.
//!
//! [`fit`] holds the defect-risk model fitted on a project's own history (logistic regression
//! on log-transformed change metrics).
//!
//! Semantics: `docs/risk.md`.

mod compile;
mod compiled;
pub mod fit;
mod graph;
pub mod model;
pub mod picture;
mod render;
mod score;

#[cfg(test)]
mod tests;

pub use crate::policy::{Bypass, RiskGatedDecision, ThresholdChange};
pub(crate) use compile::{Names, compile};
pub use compiled::{BLAST_RADIUS, CompiledRisk};
pub use graph::{Affected, BlastRadius, DependencyGraph};
pub use render::{human, markdown};
pub use score::{
    FactorReport, GatingReport, Level, MissingReport, MitigationReport, RiskReport, Target,
    Thresholds,
};

use crate::condition::MetricLookup;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::error::{ErrorKind, diagnostics_error};
use crate::metrics::MetricsInput;
use crate::metrics::bind::bind;
use crate::policy::CompiledPolicy;

diagnostics_error! {
    /// A risk model could not be scored, or a blast radius computed: an unknown model or
    /// component, metrics that do not fit, or missing data under `on_missing: error`.
    RiskError, ErrorKind::Input
}

impl CompiledPolicy {
    /// The policy's `risk` section, compiled, when it has one.
    #[must_use]
    pub fn risk(&self) -> Option<&CompiledRisk> {
        self.inner.risk.as_ref()
    }

    /// Scores the policy's risk models (all, or the one named `model`) on `metrics`, with the
    /// blast radius of a change to `changed` when a factor reads it.
    ///
    /// # Errors
    /// `KIRO-E160` without a `risk` section or for an unknown model; `KIRO-E011` for a metric
    /// in the input the policy does not declare; the metrics' own errors (`KIRO-E022`…);
    /// `KIRO-E166` for an unknown component; `KIRO-E165` for a factor without data under
    /// `on_missing: error`; `KIRO-E016`/`E017` when a factor's value cannot be computed.
    pub fn score_risk(
        &self,
        metrics: &MetricsInput,
        changed: Option<&[String]>,
        model: Option<&str>,
    ) -> Result<Vec<RiskReport>, RiskError> {
        let risk = risk_of(self)?;
        let models: Vec<&compiled::RiskModel> = match model {
            None => risk.models.iter().collect(),
            Some(name) => vec![
                risk.models
                    .iter()
                    .find(|m| m.name == name)
                    .ok_or_else(|| unknown_model(name, &risk.model_names()))?,
            ],
        };
        let table = &self.inner.metrics;
        let unknown: Vec<Diagnostic> = metrics
            .values
            .iter()
            .filter(|(name, _)| table.slot_of(name).is_none())
            .map(|(name, value)| {
                let names = table.names();
                let help = did_you_mean(name, names.iter().copied()).map_or_else(
                    || "declare it under `metrics:`, or leave it out".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                Diagnostic::error(
                    Code::UnknownMetric,
                    format!("metric `{name}` is not declared"),
                )
                .with_label(value.span, "not a declared metric")
                .with_help(help)
                .with_source("metrics")
            })
            .collect();
        if !unknown.is_empty() {
            return Err(RiskError::new(unknown));
        }
        let mut slots = bind(metrics, table)
            .map_err(|e| RiskError::new(crate::error::KiroError::diagnostics(&e).to_vec()))?;
        let needs_blast = models.iter().any(|m| m.reads_blast);
        let blast = match (changed, risk.graph.as_ref()) {
            (Some(changed), Some(graph)) if needs_blast || !changed.is_empty() => {
                Some(graph.blast(changed).map_err(RiskError::new)?)
            }
            (Some(changed), None) if !changed.is_empty() => return Err(no_graph().into()),
            _ => None,
        };
        slots.push(blast.as_ref().map_or(f64::NAN, |b| b.radius));
        let names = |read: &[usize]| -> Vec<String> {
            read.iter()
                .map(|&s| {
                    if s == risk.metric_slots {
                        BLAST_RADIUS.to_owned()
                    } else {
                        table.name(s).to_owned()
                    }
                })
                .collect()
        };
        models
            .into_iter()
            .map(|m| {
                score::score(m, &self.inner.policy, &slots, &names, blast.clone())
                    .map_err(|r| RiskError::new(r.0))
            })
            .collect()
    }

    /// [`CompiledPolicy::score_risk`] with metrics given as a JSON value.
    ///
    /// # Errors
    /// As [`CompiledPolicy::score_risk`], and `KIRO-E021` for input that is not an object.
    pub fn score_risk_value(
        &self,
        metrics: &serde_json::Value,
        changed: Option<&[String]>,
        model: Option<&str>,
    ) -> Result<Vec<RiskReport>, RiskError> {
        let input = MetricsInput::from_json(metrics).map_err(RiskError::from)?;
        self.score_risk(&input, changed, model)
    }

    /// The blast radius of a change to the components `changed`.
    ///
    /// # Errors
    /// `KIRO-E160` without a `risk` section, `KIRO-E169` without a dependency graph,
    /// `KIRO-E166` for an unknown component.
    pub fn blast_radius(&self, changed: &[String]) -> Result<BlastRadius, RiskError> {
        let graph = risk_of(self)?.graph.as_ref().ok_or_else(no_graph)?;
        graph.blast(changed).map_err(RiskError::new)
    }
}

fn risk_of(policy: &CompiledPolicy) -> Result<&CompiledRisk, RiskError> {
    policy.risk().ok_or_else(|| {
        Diagnostic::error(Code::UnknownRiskModel, "the policy has no `risk` section")
            .with_help("add `risk: {models: [...]}` (see docs/risk.md)")
            .into()
    })
}

fn unknown_model(name: &str, names: &[&str]) -> RiskError {
    let help = did_you_mean(name, names.iter().copied()).map_or_else(
        || {
            format!(
                "the models are {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(Code::UnknownRiskModel, format!("no risk model `{name}`"))
        .with_help(help)
        .into()
}

fn no_graph() -> Diagnostic {
    Diagnostic::error(
        Code::NoDependencyGraph,
        "the policy has no dependency graph",
    )
    .with_help("add `risk: {graph: {components: {api: {depends_on: [db]}, db: {}}}}`")
}
