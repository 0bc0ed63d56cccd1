//! The compiled form of a policy: its sections side by side, names resolved, units checked,
//! conditions compiled to slots.

use crate::criteria::{GateSet, evaluate};
use crate::decision::{Decision, PolicyRef};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::CheckError;
use crate::metrics::MetricsInput;
use crate::metrics::bind::bind_for_gates;
use crate::metrics::table::MetricTable;
use crate::pipeline::{CompiledPipeline, Exit, Plan, PlanError};
use std::sync::Arc;

/// A validated, compiled policy. Immutable and cheap to clone and share across threads.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub(crate) inner: Arc<Compiled>,
}

/// What a compiled policy holds.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The policy's name and hash, as decisions name it.
    pub policy: PolicyRef,
    pub metrics: MetricTable,
    /// The baseline rules (`baseline:` of the policy, then of each gate that has one).
    pub baselines: Vec<crate::baseline::BaselineRule>,
    /// The `gates` section.
    pub gates: GateSet,
    /// The `pipeline` section, when the policy has one.
    pub pipeline: Option<CompiledPipeline>,
    /// The `triggers` and `windows` sections, when the policy has triggers.
    pub monitor: Option<crate::monitor::CompiledMonitor>,
    /// The `environments` and `strategy` sections, when the policy has environments.
    pub release: Option<crate::release::CompiledRelease>,
    /// The `risk` section, when the policy has one.
    pub risk: Option<crate::risk::CompiledRisk>,
    /// The gates as each risk level with `thresholds` judges them.
    pub risk_thresholds: Vec<super::risk_thresholds::LevelGates>,
    /// The `alerts` section, when the policy has one.
    pub alerts: Option<crate::alert::CompiledAlerts>,
    /// The `health` section, when the policy has one.
    pub health: Option<crate::health::CompiledHealth>,
    /// Where the imported files' texts lie in the text the policy compiled from.
    pub sources: crate::compose::SourceMap,
}

impl CompiledPolicy {
    /// The policy's name, hash and imported files, as decisions name it.
    #[must_use]
    pub fn reference(&self) -> &PolicyRef {
        &self.inner.policy
    }

    /// Points each diagnostic about the policy text into the imported file it is about (see
    /// [`crate::compose::SourceMap::remap`]); unchanged for a policy without imports.
    #[must_use]
    pub fn remap(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        self.inner.sources.remap_all(diagnostics)
    }

    /// The policy's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.policy.name
    }

    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    #[must_use]
    pub fn hash(&self) -> &str {
        &self.inner.policy.hash
    }

    /// The declared metric names, sorted.
    #[must_use]
    pub fn metric_names(&self) -> Vec<&str> {
        self.inner
            .metrics
            .slots()
            .iter()
            .map(|m| m.name.as_str())
            .collect()
    }

    /// Each declared metric with its unit, sorted by name.
    pub fn metric_units(&self) -> impl Iterator<Item = (&str, crate::units::Unit)> {
        self.inner
            .metrics
            .slots()
            .iter()
            .map(|m| (m.name.as_str(), m.unit))
    }

    /// The gate names, in policy order.
    #[must_use]
    pub fn gate_names(&self) -> Vec<&str> {
        self.inner
            .gates
            .gates
            .iter()
            .map(|g| g.name.as_str())
            .collect()
    }

    /// The criterion names of gate `gate`, in policy order; `None` when there is no such gate.
    #[must_use]
    pub fn criterion_names(&self, gate: &str) -> Option<Vec<&str>> {
        let g = self.inner.gates.index_of(gate)?;
        Some(
            self.inner.gates.gates[g]
                .criteria
                .iter()
                .map(|c| c.name.as_str())
                .collect(),
        )
    }

    /// The persona names, in policy order.
    #[must_use]
    pub fn persona_names(&self) -> Vec<&str> {
        self.inner
            .gates
            .personas
            .iter()
            .map(|p| p.name.as_str())
            .collect()
    }

    /// The policy's pipeline, if it has one.
    #[must_use]
    pub fn pipeline(&self) -> Option<&CompiledPipeline> {
        self.inner.pipeline.as_ref()
    }

    /// The plan of the policy's pipeline: waves, critical path, slack.
    ///
    /// # Errors
    /// [`Code::NoPipeline`](crate::Code::NoPipeline) when the policy has no `pipeline`
    /// section.
    pub fn plan(&self) -> Result<&Plan, PlanError> {
        self.pipeline()
            .map(CompiledPipeline::plan)
            .ok_or_else(PlanError::no_pipeline)
    }

    /// Checks the exit gate of stage `stage` of the policy's pipeline on the metrics the stage
    /// reported: the exit gate's name and the decision, or `None` when the stage has none.
    pub(crate) fn check_exit(
        &self,
        stage: usize,
        metrics: &MetricsInput,
    ) -> Option<(&str, Result<Decision, CheckError>)> {
        let pipeline = self.pipeline()?;
        let (set, gate) = match pipeline.exit(stage)? {
            Exit::Gate(gate) => (&self.inner.gates, gate),
            Exit::Inline(gate) => (pipeline.inline(), gate),
        };
        let Some(rule) = set.gates.get(gate) else {
            // INVARIANT: exits are resolved when the pipeline is compiled; should one point
            // nowhere, the stage fails rather than passing unchecked.
            let missing = Diagnostic::error(Code::Internal, "the stage's exit gate is missing");
            return Some(("", Err(CheckError::Evaluation(vec![missing]))));
        };
        let decision = bind_for_gates(metrics, &self.inner.metrics).and_then(|slots| {
            evaluate(
                set,
                &self.inner.metrics,
                &self.inner.policy,
                &slots,
                &[gate],
            )
        });
        Some((rule.name.as_str(), decision))
    }
}
