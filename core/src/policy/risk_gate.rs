//! Risk-based gating: where the gates and the risk models meet. A change is scored by a risk
//! model; the gates its level lets it skip are left out of the check, each skip recorded with
//! the level that allowed it; the criteria its level judges by other thresholds are judged so,
//! each replacement recorded; the approvals its level asks for are part of the answer.

use super::CompiledPolicy;
use super::risk_thresholds::ThresholdChange;
use crate::criteria::evaluate;
use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::KiroError;
use crate::gate::Selection;
use crate::metrics::MetricsInput;
use crate::metrics::bind::bind_for_gates;
use crate::risk::{Level, RiskError, RiskReport};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A check whose gates depend on a change's risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RiskGatedDecision {
    /// The decision over the gates that were not bypassed.
    pub decision: Decision,
    /// The risk report that chose them.
    pub risk: RiskReport,
    /// Every gate skipped, with the level that allowed it.
    pub bypassed: Vec<Bypass>,
    /// Every criterion of the gates checked that the level judged by its own thresholds.
    pub thresholds: Vec<ThresholdChange>,
    /// How many approvals the change needs at its level.
    pub approvals: u32,
    /// The personas that must be among the approvers.
    pub approvers: Vec<String>,
}

/// A gate a change skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Bypass {
    /// The gate.
    pub gate: String,
    /// The risk model that scored the change.
    pub model: String,
    /// The level that allowed the skip.
    pub level: Level,
    /// The score.
    pub score: Option<f64>,
}

impl CompiledPolicy {
    /// Scores the change with risk model `model`, then checks the selected gates except those
    /// its level bypasses, judging the criteria its level gives `thresholds` by those.
    ///
    /// # Errors
    /// As [`CompiledPolicy::score_risk`] and [`CompiledPolicy::check`]; `KIRO-E173` when the
    /// model declares no `gating`.
    pub fn check_at_risk(
        &self,
        metrics: &MetricsInput,
        selection: &Selection,
        model: &str,
        changed: Option<&[String]>,
    ) -> Result<RiskGatedDecision, RiskError> {
        let risk = self
            .score_risk(metrics, changed, Some(model))?
            .into_iter()
            .next()
            .ok_or_else(|| RiskError::from(Diagnostic::error(Code::Internal, "no report")))?;
        let Some(gating) = risk.gating.clone() else {
            return Err(Diagnostic::error(
                Code::InvalidRiskGating,
                format!("risk model `{model}` declares no `gating`"),
            )
            .with_help("add `gating: {low: {bypass: [...]}, high: {approvals: 2}}` to the model")
            .into());
        };
        let as_risk = |e: &dyn KiroError| RiskError::new(e.diagnostics().to_vec());
        let selected = selection
            .resolve(&self.inner.gates)
            .map_err(|e| as_risk(&e))?;
        let mut bypassed = Vec::new();
        let kept: Vec<usize> = selected
            .into_iter()
            .filter(|&i| {
                let name = self.inner.gates.gates[i].name.as_str();
                let skip = gating.bypass.iter().any(|b| b == name);
                if skip {
                    bypassed.push(Bypass {
                        gate: name.to_owned(),
                        model: risk.model.clone(),
                        level: gating.level,
                        score: risk.score,
                    });
                }
                !skip
            })
            .collect();
        let at_level = self
            .inner
            .risk_thresholds
            .iter()
            .find(|l| l.model == risk.model && l.level == gating.level);
        let thresholds = at_level.map_or_else(Vec::new, |l| {
            l.changes
                .iter()
                .filter(|(g, _)| kept.contains(g))
                .map(|(_, c)| c.clone())
                .collect()
        });
        let slots = bind_for_gates(metrics, &self.inner.metrics).map_err(|e| as_risk(&e))?;
        let decision = evaluate(
            at_level.map_or(&self.inner.gates, |l| &l.set),
            &self.inner.metrics,
            &self.inner.policy,
            &slots,
            &kept,
        )
        .map_err(|e| as_risk(&e))?;
        Ok(RiskGatedDecision {
            decision,
            bypassed,
            thresholds,
            approvals: gating.approvals,
            approvers: gating.approvers,
            risk,
        })
    }

    /// [`CompiledPolicy::check_at_risk`] with metrics given as a JSON value.
    ///
    /// # Errors
    /// As [`CompiledPolicy::check_at_risk`].
    pub fn check_at_risk_value(
        &self,
        metrics: &serde_json::Value,
        selection: &Selection,
        model: &str,
        changed: Option<&[String]>,
    ) -> Result<RiskGatedDecision, RiskError> {
        let input = MetricsInput::from_json(metrics).map_err(RiskError::from)?;
        self.check_at_risk(&input, selection, model, changed)
    }
}
