//! The compiled `risk` section: factors as programs over metric slots, bounds in base units,
//! levels in tenths of a point, the dependency graph as a petgraph graph.

use super::graph::DependencyGraph;
use super::model::MissingInput;
use crate::condition::Program;
use crate::diagnostic::Span;
use crate::units::Unit;

/// The name a factor's value reads the blast radius by.
pub const BLAST_RADIUS: &str = "blast_radius";

/// The compiled `risk` section.
#[derive(Debug, Clone)]
pub struct CompiledRisk {
    /// The models, in policy order.
    pub(crate) models: Vec<RiskModel>,
    /// The dependency graph, when the policy has one.
    pub(crate) graph: Option<DependencyGraph>,
    /// How many metric slots the policy declares; the blast radius is read from the next one.
    pub(crate) metric_slots: usize,
}

impl CompiledRisk {
    /// The models' names, in policy order.
    #[must_use]
    pub fn model_names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.name.as_str()).collect()
    }

    /// The dependency graph, when the policy has one.
    #[must_use]
    pub fn graph(&self) -> Option<&DependencyGraph> {
        self.graph.as_ref()
    }
}

/// One compiled risk model.
#[derive(Debug, Clone)]
pub(crate) struct RiskModel {
    pub name: String,
    pub description: Option<String>,
    /// Where medium, high and critical start, in tenths of a point.
    pub levels: [u32; 3],
    /// The score the model should stay below, in tenths of a point.
    pub target: Option<u32>,
    pub factors: Vec<Factor>,
    /// Whether a factor reads the blast radius.
    pub reads_blast: bool,
    /// What low, medium, high and critical ask of the gates (`None`: nothing declared).
    pub gating: Option<[Gating; 4]>,
}

/// What one level asks of the gates.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Gating {
    pub bypass: Vec<String>,
    pub approvals: u32,
    pub approvers: Vec<String>,
}

/// One compiled factor.
#[derive(Debug, Clone)]
pub(crate) struct Factor {
    pub name: String,
    pub description: Option<String>,
    pub source: Source,
    /// The unit values are shown in.
    pub unit: Unit,
    pub transform: Transform,
    pub weight: f64,
    pub on_missing: MissingInput,
    pub mitigations: Vec<Mitigation>,
    /// Where the factor is declared, for errors at scoring time.
    pub span: Span,
}

/// Where a factor's value comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A numeric expression.
    Number(Program),
    /// A condition: 1 when it holds, 0 when not, no data when unknown.
    Condition(Program),
}

impl Source {
    /// The text the factor's value is written as.
    pub fn text(&self) -> &str {
        match self {
            Source::Number(p) | Source::Condition(p) => p.source(),
        }
    }
}

/// How a value becomes a risk from 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Transform {
    /// Linear from `from` (0) to `to` (1), clamped; `from > to` decreases.
    Linear { from: f64, to: f64 },
    /// Linear in the logarithm from `from` (0) to `to` (1), clamped; both positive.
    Log { from: f64, to: f64 },
    /// `(from, risk)` ascending by `from`: the risk of the last band whose `from` the value
    /// reaches, 0 below the first.
    Bands(Vec<(f64, f64)>),
    /// 1 when true, 0 when false.
    Boolean,
    /// A percentage taken as the risk itself, clamped to 0..1.
    Direct,
}

impl Transform {
    /// The risk of `value` (finite), from 0 to 1, rounded to 12 decimals so that a value
    /// written as a round share of its range gives that share (`81%` on `60%..95%` is `0.6`,
    /// not `0.6000000000000002`).
    pub fn apply(&self, value: f64) -> f64 {
        (self.raw(value) * 1e12).round() / 1e12
    }

    fn raw(&self, value: f64) -> f64 {
        let clamp = |t: f64| if t.is_nan() { 1.0 } else { t.clamp(0.0, 1.0) };
        match self {
            Transform::Linear { from, to } => {
                // Exactly at a bound is exactly 0 or 1.
                if value == *from {
                    0.0
                } else if value == *to {
                    1.0
                } else {
                    clamp((value - from) / (to - from))
                }
            }
            Transform::Log { from, to } => {
                let increasing = to > from;
                if value <= 0.0 {
                    return if increasing { 0.0 } else { 1.0 };
                }
                if value == *from {
                    0.0
                } else if value == *to {
                    1.0
                } else {
                    clamp((value / from).ln() / (to / from).ln())
                }
            }
            Transform::Bands(bands) => bands
                .iter()
                .take_while(|(from, _)| value >= *from)
                .last()
                .map_or(0.0, |(_, risk)| *risk),
            Transform::Boolean => {
                if value == 0.0 {
                    0.0
                } else {
                    1.0
                }
            }
            Transform::Direct => clamp(value),
        }
    }
}

/// One compiled mitigation.
#[derive(Debug, Clone)]
pub(crate) struct Mitigation {
    pub name: String,
    pub description: Option<String>,
    pub effect: MitigationEffect,
}

/// What a mitigation does to its factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MitigationEffect {
    /// Removes this share of the factor's risk.
    Reduce(f64),
    /// Sets the factor's value (base units) to this.
    To(f64),
}
