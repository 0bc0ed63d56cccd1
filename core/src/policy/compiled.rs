//! The compiled form of a policy: names resolved, units checked, conditions compiled to slots.

use super::metric_table::MetricTable;
use crate::condition::Program;
use crate::policy::model::{GateKind, MissingRule};
use std::sync::Arc;

/// A validated, compiled policy. Immutable and cheap to clone and share across threads.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub(crate) inner: Arc<Compiled>,
}

/// What a compiled policy holds.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub name: String,
    pub hash: String,
    pub metrics: MetricTable,
    pub personas: Vec<PersonaRule>,
    pub gates: Vec<GateRule>,
    /// The pipeline, when the policy has one.
    pub pipeline: Option<crate::pipeline::CompiledPipeline>,
}

/// A persona, with what it owns resolved to indices.
#[derive(Debug)]
pub(crate) struct PersonaRule {
    pub name: String,
    pub required: bool,
    pub max_conditions: usize,
    /// Gates the persona owns outright.
    pub gates: Vec<usize>,
    /// `(gate, criterion)` pairs the persona owns by name, beyond its gates.
    pub criteria: Vec<(usize, usize)>,
}

impl PersonaRule {
    /// Whether the persona owns criterion `c` of gate `g`.
    pub fn owns_criterion(&self, g: usize, c: usize) -> bool {
        self.gates.contains(&g) || self.criteria.contains(&(g, c))
    }

    /// Whether the persona owns anything in gate `g`.
    pub fn touches_gate(&self, g: usize) -> bool {
        self.gates.contains(&g) || self.criteria.iter().any(|&(gi, _)| gi == g)
    }
}

/// How a gate turns criterion outcomes into a verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scoring {
    Strict,
    Scored { pass: f64, warn: f64 },
}

/// A compiled gate.
#[derive(Debug)]
pub(crate) struct GateRule {
    pub name: String,
    pub kind: GateKind,
    pub owners: Vec<String>,
    pub scoring: Scoring,
    pub criteria: Vec<CriterionRule>,
}

/// A compiled criterion.
#[derive(Debug)]
pub(crate) struct CriterionRule {
    pub name: String,
    pub pass: Program,
    /// Byte offset of the pass condition in the policy text.
    pub pass_offset: usize,
    pub warn: Option<(Program, usize)>,
    pub weight: f64,
    pub key: bool,
    pub on_missing: MissingRule,
    /// Slots read by either condition, in order of first use.
    pub slots: Vec<usize>,
}

impl CompiledPolicy {
    /// The policy's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    #[must_use]
    pub fn hash(&self) -> &str {
        &self.inner.hash
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
        self.inner.gates.iter().map(|g| g.name.as_str()).collect()
    }

    /// The persona names, in policy order.
    #[must_use]
    pub fn persona_names(&self) -> Vec<&str> {
        self.inner
            .personas
            .iter()
            .map(|p| p.name.as_str())
            .collect()
    }
}
