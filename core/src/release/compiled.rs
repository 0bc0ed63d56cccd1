//! The compiled form of a policy's environments: names resolved, weights checked, windows
//! parsed, a walk order fixed.

use super::schedule::Window;
use serde::Serialize;

/// A policy's environments, compiled: the order a release walks them in, and each one's rules.
#[derive(Debug, Clone)]
pub struct CompiledRelease {
    /// The environments, in the order a release walks them (a stable topological order).
    pub(crate) environments: Vec<Environment>,
}

/// One environment, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Environment {
    pub name: String,
    pub after: Vec<String>,
    pub gates: Vec<String>,
    pub validations: Vec<Validation>,
    pub soak_ms: u64,
    pub auto_promote: bool,
    /// Percent, 0 to 100.
    pub traffic: u32,
    pub approval: Option<Approval>,
    pub strategy: Strategy,
    pub windows: Vec<Window>,
    pub stop_at_next_step: bool,
}

/// A persona's checks.
#[derive(Debug, Clone)]
pub(crate) struct Validation {
    pub persona: String,
    pub checks: Vec<String>,
    pub required: bool,
}

/// What an environment's approval needs.
#[derive(Debug, Clone)]
pub(crate) struct Approval {
    pub personas: Vec<String>,
    pub count: u32,
    pub separation_of_duties: bool,
    pub expires_ms: Option<u64>,
}

/// A strategy, as the steps a release takes in the environment.
#[derive(Debug, Clone)]
pub(crate) struct Strategy {
    pub kind: StrategyKind,
    pub max_weight: u32,
    pub steps: Vec<Step>,
    /// Rolling: the limits, as written, for the reasons.
    pub limits: Option<String>,
}

/// The kind of a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyKind {
    /// Deploy at the environment's traffic weight, nothing more.
    Direct,
    /// Weights in steps, with pauses and analyses.
    Canary,
    /// A new stack, analysed, switched over, the old one scaled down.
    BlueGreen,
    /// Instances replaced in batches.
    Rolling,
}

impl StrategyKind {
    /// As written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::Direct => "direct",
            StrategyKind::Canary => "canary",
            StrategyKind::BlueGreen => "blue-green",
            StrategyKind::Rolling => "rolling",
        }
    }
}

/// One step of a strategy, after the initial deploy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Step {
    /// Move traffic (canary) or instances (rolling batch) to `weight` percent.
    SetWeight {
        /// Percent, 0 to the strategy's max weight.
        weight: u32,
    },
    /// Wait this long.
    Pause {
        /// Milliseconds.
        duration_ms: u64,
    },
    /// Wait for a human's `promote`.
    PauseUntilPromoted,
    /// Run an analysis over these triggers and wait for its result.
    Analysis {
        /// Trigger names.
        triggers: Vec<String>,
        /// `pre-promotion`, `post-promotion` or `step`.
        phase: &'static str,
    },
    /// Blue-green: switch traffic to the new stack (at once, or after a delay).
    Switch {
        /// The switch happens this long after the step starts without a `promote`; `None`
        /// waits for one.
        auto_after_ms: Option<u64>,
    },
    /// Blue-green: scale the old stack down this long after the switch.
    ScaleDown {
        /// Milliseconds.
        delay_ms: u64,
    },
}

impl Step {
    /// The step in a few words.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Step::SetWeight { weight } => format!("set weight {weight}%"),
            Step::Pause { duration_ms } => {
                format!(
                    "pause {}",
                    crate::units::duration::format_duration(*duration_ms)
                )
            }
            Step::PauseUntilPromoted => "pause until promoted".to_owned(),
            Step::Analysis { triggers, phase } => {
                format!("{phase} analysis [{}]", triggers.join(", "))
            }
            Step::Switch {
                auto_after_ms: None,
            } => "switch traffic on promote".to_owned(),
            Step::Switch {
                auto_after_ms: Some(ms),
            } => format!(
                "switch traffic after {}",
                crate::units::duration::format_duration(*ms)
            ),
            Step::ScaleDown { delay_ms } => format!(
                "scale old stack down after {}",
                crate::units::duration::format_duration(*delay_ms)
            ),
        }
    }
}

impl CompiledRelease {
    /// The environment names in walk order.
    #[must_use]
    pub fn environment_names(&self) -> Vec<&str> {
        self.environments.iter().map(|e| e.name.as_str()).collect()
    }
}
