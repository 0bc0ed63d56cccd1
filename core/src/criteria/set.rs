//! A compiled gate set: gates with their criteria compiled to programs over metric slots, and
//! what each persona owns in them.

use crate::condition::Program;
use crate::criteria::model::{GateKind, MissingRule};

/// Compiled gates, and each persona of the policy with what it owns among them.
#[derive(Debug, Default)]
pub(crate) struct GateSet {
    pub gates: Vec<GateRule>,
    /// Every persona of the policy, in policy order (one that owns nothing here owns nothing).
    pub personas: Vec<PersonaRule>,
}

impl GateSet {
    /// The index of the gate named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.gates.iter().position(|g| g.name == name)
    }
}

/// A persona, with what it owns in one gate set resolved to indices.
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
    /// Evaluated and explained, never scored (`informational: true`).
    pub informational: bool,
    pub on_missing: MissingRule,
    /// Slots read by either condition, in order of first use.
    pub slots: Vec<usize>,
}
