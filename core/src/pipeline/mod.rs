//! Pipelines: stages with dependencies (a DAG), exit gates, timeouts, retries and fail-fast.
//!
//! A policy's `pipeline` section is validated and compiled with the rest of the policy:
//! [`CompiledPolicy::plan`](crate::CompiledPolicy::plan) gives its [`Plan`] (parallel waves, the critical path, each stage's
//! slack), the renderers in [`render`](crate::render) show it as a table, JSON, Graphviz or Mermaid, and
//! [`run`] runs it as a sans-I/O state machine ([`RunState`], [`RunEvent`] in, [`RunEffect`]
//! out, [`step`]), checking each stage's exit gate with the same engine as `check`.
//!
//! ```
//! use kiro::CompiledPolicy;
//! let policy = CompiledPolicy::from_text(
//!     "name: demo\npipeline:\n  stages:\n    - {name: build, estimate: 10m}\n    - {name: test, needs: [build], estimate: 20m}\n    - {name: lint, estimate: 5m}\n",
//!     None,
//! ).expect("valid policy");
//! let plan = policy.plan().expect("a pipeline");
//! assert_eq!(plan.waves, vec![vec!["build", "lint"], vec!["test"]]);
//! assert_eq!(plan.critical_path, vec!["build", "test"]);
//! assert_eq!(plan.total_ms, 30 * 60_000);
//! ```

mod compile;
mod graph;
pub mod model;
pub mod plan;
pub mod run;

#[cfg(test)]
mod tests;

pub(crate) use compile::compile;
pub use compile::{MAX_RETRIES, plan_pipeline};
pub use plan::{Plan, PlannedStage};
pub use run::{
    Event, HostRequest, HostRun, HostStep, PlanError, RunEffect, RunError, RunEvent, RunOptions,
    RunResult, RunState, StageOutcome, StageReport, replay, step,
};

use crate::criteria::GateSet;
pub use model::ActionFailure;
use std::collections::BTreeMap;

/// A stage as a host sees it: what to run, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The stage's name.
    pub name: String,
    /// What the stage does.
    pub description: Option<String>,
    /// The stages it needs.
    pub needs: Vec<String>,
    /// The personas that own it.
    pub personas: Vec<String>,
    /// The policy gate that is its exit gate, when it names one.
    pub gate: Option<String>,
    /// The shell command to run, if any.
    pub run: Option<String>,
    /// Environment variables for the command.
    pub env: BTreeMap<String, String>,
    /// The directory to run the command in.
    pub workdir: Option<String>,
    /// How long one attempt may take, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// How many times a failed attempt is tried again.
    pub retries: u32,
    /// The wait before the first retry, in milliseconds; it doubles with each retry.
    pub backoff_ms: u64,
    /// Which ends of an attempt are retried (`retry_on`).
    pub retry_on: RetryRule,
    /// What a failed action leads to, once it is not retried.
    pub on_action_failure: ActionFailure,
    /// Whether a failure of this stage lets the pipeline go on.
    pub continue_on_failure: bool,
    /// The stage's estimate, in milliseconds (0 without one).
    pub estimate_ms: u64,
}

/// Which ends of an attempt are tried again, as `retry_on` says (compiled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryRule {
    /// A timed-out attempt is retried.
    pub timeout: bool,
    /// Every failed action is retried, whatever its exit status.
    pub failure: bool,
    /// A failed action is retried when its command exited with one of these statuses.
    pub exit_codes: Vec<i32>,
}

impl RetryRule {
    /// The rule without `retry_on`: timeouts are retried, and failures too unless the exit
    /// gate decides on them (`on_action_failure: gate`, where retrying a deterministic red
    /// test suite would only repeat it).
    #[must_use]
    pub fn default_for(on_action_failure: ActionFailure) -> Self {
        Self {
            timeout: true,
            failure: on_action_failure == ActionFailure::Fail,
            exit_codes: Vec::new(),
        }
    }

    /// Whether a failed action that exited with `exit_code` (none: not a command, or killed
    /// by a signal) is retried.
    #[must_use]
    pub fn retries_failure(&self, exit_code: Option<i32>) -> bool {
        self.failure || exit_code.is_some_and(|c| self.exit_codes.contains(&c))
    }
}

/// A stage's exit gate, resolved (a stage without one passes when its action succeeds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// A gate of the policy: its index among the policy's gates.
    Gate(usize),
    /// The criteria written on the stage: their gate's index in the pipeline's own gate set.
    Inline(usize),
}

/// A validated pipeline and its plan.
#[derive(Debug)]
pub struct CompiledPipeline {
    pub(crate) stages: Vec<Stage>,
    /// Per stage, the indices of the stages it needs.
    pub(crate) needs: Vec<Vec<usize>>,
    /// Per stage, the indices of the stages that need it.
    pub(crate) dependents: Vec<Vec<usize>>,
    /// Per stage, its exit gate, if any.
    pub(crate) exits: Vec<Option<Exit>>,
    /// The exit criteria written on stages, compiled as a gate set of their own (one gate per
    /// such stage, named after it).
    pub(crate) inline: GateSet,
    pub(crate) fail_fast: bool,
    pub(crate) max_parallel: Option<usize>,
    pub(crate) plan: Plan,
}

impl CompiledPipeline {
    /// The stages, in policy order.
    #[must_use]
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The stage named `name`.
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// Whether a failure cancels the running stages and skips the pending ones.
    #[must_use]
    pub fn fail_fast(&self) -> bool {
        self.fail_fast
    }

    /// How many stages may run at once, when limited.
    #[must_use]
    pub fn max_parallel(&self) -> Option<usize> {
        self.max_parallel
    }

    /// The plan.
    #[must_use]
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The exit gate of stage `stage`, if it has one.
    pub(crate) fn exit(&self, stage: usize) -> Option<Exit> {
        self.exits.get(stage).copied().flatten()
    }

    /// The gates of the exit criteria written on stages.
    pub(crate) fn inline(&self) -> &GateSet {
        &self.inline
    }
}

/// A plan's canonical JSON: compact, fields in declaration order.
#[must_use]
pub fn plan_to_json(plan: &Plan) -> String {
    // INVARIANT: a plan holds only strings and integers, so this cannot fail.
    serde_json::to_string(plan).unwrap_or_default()
}
