//! The `pipeline` section as written: stages, their dependencies, exit gates and actions.

use crate::criteria::model::{CriterionDecl, ScoreDecl};
use crate::document::Spanned;
use crate::units::DurationDecl;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A pipeline: stages that depend on each other (a DAG), each with an optional exit gate.
///
/// The same structure describes a CI pipeline (stages with `run:` commands) and a planning
/// timeline (persona activities with `estimate`s and no action).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineDecl {
    /// What the pipeline does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When a stage fails: cancel the running stages and skip the pending ones (default true).
    /// When false, only the stages that need the failed one are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
    /// How many stages may run at once (default: no limit). A stage waiting to retry keeps its
    /// place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallel: Option<Spanned<u32>>,
    /// The stages, in the order ties are broken in.
    pub stages: Vec<Spanned<StageDecl>>,
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDecl {
    /// The stage's name, unique in the pipeline.
    pub name: Spanned<String>,
    /// What the stage does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The stages that must finish (and pass) before this one starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Spanned<String>>,
    /// The personas that own the stage; they own its inline exit criteria.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<Spanned<String>>,
    /// The exit gate: the name of one of the policy's gates, checked on the stage's metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Spanned<String>>,
    /// The exit gate written inline: criteria as in a gate, checked on the stage's metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Vec<Spanned<CriterionDecl>>>,
    /// Score thresholds of the inline exit criteria (strict without).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreDecl>,
    /// How long one attempt may run: `90s`, `10m`, `1h30m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<DurationDecl>>,
    /// How many times a failed or timed-out attempt is tried again (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<Spanned<u32>>,
    /// The wait before the first retry, doubling with each further retry (default 0s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Spanned<DurationDecl>>,
    /// Which ends of an attempt are retried: `timeout`, `failure` (any failed action), or
    /// `{exit: [75]}` (a command that exits with one of these statuses). Without it, a timeout
    /// and every failure are retried (a timeout only, with `on_action_failure: gate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<Vec<Spanned<RetryOnDecl>>>,
    /// What a failed action (a command exiting non-zero) leads to, once it is not retried:
    /// `fail` the stage (the default), or `gate`: check the exit gate on the metrics the action
    /// reported anyway, and let it decide (a red test suite within a warn band).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_action_failure: Option<Spanned<ActionFailure>>,
    /// A failure of this stage does not fail the pipeline, and the stages that need it run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_on_failure: bool,
    /// How long the stage is expected to take, for the plan: `45m`, `2d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Spanned<DurationDecl>>,
    /// The shell command the host runs for the stage (the `kiro` CLI runs it with `sh -c`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Environment variables for the command.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The directory the command runs in, relative to where the host runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<String>,
}

/// One kind of attempt end that `retry_on` retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RetryOnDecl {
    /// `timeout` or `failure`.
    When(RetryWhen),
    /// `{exit: [75, 143]}`: a command that exits with one of these statuses.
    Exit(RetryExit),
}

/// `timeout` or `failure` in `retry_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryWhen {
    /// An attempt that ran out of time.
    Timeout,
    /// Any failed action, whatever its exit status.
    Failure,
}

/// `{exit: [...]}` in `retry_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryExit {
    /// The exit statuses that are worth another attempt (a transient failure: `75` is
    /// `EX_TEMPFAIL`).
    pub exit: Vec<i32>,
}

/// What a failed action leads to (`on_action_failure`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionFailure {
    /// The stage fails (after its retries).
    #[default]
    Fail,
    /// The exit gate decides, on the metrics the failed action reported.
    Gate,
}
