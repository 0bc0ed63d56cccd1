//! What comes out of a monitor at every event: the decision, as data.

use super::model::Action;
use super::state::Reason;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The monitor's answer to one event: every trigger's state and explanation, what the host
/// must do now, and, once the monitor has ended, the final verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MonitorDecision {
    /// The event's time.
    pub at_ms: u64,
    /// The event's type: `observe`, `tick`, `approve`, `reject`, `abort` or `end`.
    pub event: String,
    /// Every trigger, in policy order (the ones objectives generate last).
    pub triggers: Vec<TriggerReport>,
    /// Every service level objective, with its remaining error budget; only in the decisions
    /// of a policy that declares `slos`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slos: Vec<super::slo::SloReport>,
    /// Every canary judge: its score, verdict, groups and per-metric judgements; only in the
    /// decisions of a policy that declares `judges`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judges: Vec<super::judge::JudgeReport>,
    /// What the host must do now, in order.
    pub effects: Vec<Effect>,
    /// The earliest time at which a tick would change something (an approval deadline).
    pub wake_at_ms: Option<u64>,
    /// The final verdict, at the event that ended the monitor.
    #[serde(rename = "final")]
    pub final_verdict: Option<Final>,
}

/// Where a trigger or a tier stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TriggerState {
    /// The condition does not hold.
    Ok,
    /// The condition holds, not yet long enough (or over missing data held).
    Pending,
    /// The rule is met; a graduated tier waits for the tier before it to act.
    Firing,
    /// The action waits for approval.
    AwaitingApproval,
    /// The action was called for.
    Acted,
}

/// One trigger at one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriggerReport {
    /// The trigger's name.
    pub name: String,
    /// The state of its most advanced tier.
    pub state: TriggerState,
    /// The action the trigger calls for now (acted or awaiting approval), if any.
    pub action: Option<Action>,
    /// The explanation of its most advanced tier.
    pub explanation: String,
    /// Every tier (one for a trigger without `tiers`).
    pub tiers: Vec<TierReport>,
}

/// What an observation said about a tier's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    /// The condition holds.
    Hit,
    /// The condition does not hold.
    Clear,
    /// No data for the condition.
    Missing,
    /// A value the condition needs is NaN.
    Nan,
    /// A source failed (or the condition could not be evaluated).
    Error,
}

/// One tier at one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TierReport {
    /// The tier's condition.
    pub when: String,
    /// The tier's action.
    pub action: Action,
    /// Where the tier stands.
    pub state: TriggerState,
    /// What this event's observation said (none for other events).
    pub observed: Option<Observed>,
    /// The missing-data rule applied to an observation without a decision, and what it did.
    pub rule: Option<String>,
    /// How long the condition has been observed to hold.
    pub held_ms: u64,
    /// How long it must hold (`for`).
    pub for_ms: u64,
    /// Values read by the condition (metrics and windows), in base units.
    pub values: BTreeMap<String, f64>,
    /// Names read without data.
    pub missing: Vec<String>,
    /// Names read as NaN.
    pub nan: Vec<String>,
    /// Names whose source failed, with what it said.
    pub errors: BTreeMap<String, String>,
    /// The counters and their limits.
    pub counters: CounterReport,
    /// Why the tier fired, once it has.
    pub reason: Option<Reason>,
    /// The approval deadline, while awaiting approval.
    pub deadline_ms: Option<u64>,
    /// The tier in words: values, windows, held time, counters against limits, and what
    /// would change its state.
    pub explanation: String,
}

/// A tier's counters beside the trigger's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CounterReport {
    /// Observations taken.
    pub observations: u32,
    /// Observations that decided the condition.
    pub decided: u32,
    /// `min_observations`.
    pub min_observations: u32,
    /// Observations counted as the condition holding.
    pub hits: u32,
    /// `failure_limit` (none: no limit).
    pub failure_limit: Option<u32>,
    /// Observations without data.
    pub missing: u32,
    /// NaN observations.
    pub inconclusive: u32,
    /// `inconclusive_limit` (none: no limit).
    pub inconclusive_limit: Option<u32>,
    /// Source errors.
    pub errors: u32,
    /// Source errors in a row.
    pub consecutive_errors: u32,
    /// `consecutive_error_limit`.
    pub consecutive_error_limit: u32,
}

/// Something the host must do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Carry out `action`.
    Act {
        /// The trigger.
        trigger: String,
        /// The tier's index.
        tier: usize,
        /// What to do.
        action: Action,
        /// Why.
        reason: String,
    },
    /// Ask one of `approvers` to approve `action` (or reject it) before `deadline_ms`.
    RequestApproval {
        /// The trigger.
        trigger: String,
        /// The tier's index.
        tier: usize,
        /// What would be done.
        action: Action,
        /// The personas that may approve.
        approvers: Vec<String>,
        /// Approvals are accepted before this time (none: no deadline).
        deadline_ms: Option<u64>,
        /// Why.
        reason: String,
    },
    /// The approval timed out under `on_timeout: escalate`: escalate; the request stands.
    Escalate {
        /// The trigger.
        trigger: String,
        /// The tier's index.
        tier: usize,
        /// What waits for approval.
        action: Action,
        /// The personas that were asked.
        approvers: Vec<String>,
    },
    /// A warning or pause called for earlier is no longer called for: the condition cleared.
    Resolved {
        /// The trigger.
        trigger: String,
        /// The tier's index.
        tier: usize,
        /// The action that no longer applies.
        action: Action,
    },
}

impl Effect {
    /// The trigger the effect is about.
    #[must_use]
    pub fn trigger(&self) -> &str {
        match self {
            Effect::Act { trigger, .. }
            | Effect::RequestApproval { trigger, .. }
            | Effect::Escalate { trigger, .. }
            | Effect::Resolved { trigger, .. } => trigger,
        }
    }

    /// The effect in a few words: `rollback`, `asks sre or devops to approve rollback`,
    /// `escalates rollback`, `warn resolved`.
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            Effect::Act { action, .. } => action.as_str().to_owned(),
            Effect::RequestApproval {
                action, approvers, ..
            } => format!(
                "asks {} to approve {}",
                approvers.join(" or "),
                action.as_str()
            ),
            Effect::Escalate { action, .. } => format!("escalates {}", action.as_str()),
            Effect::Resolved { action, .. } => format!("{} resolved", action.as_str()),
        }
    }
}

/// Why the monitor ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// A rollback was called for.
    Rollback,
    /// A promotion was called for.
    Promote,
    /// The host aborted the analysis.
    Abort,
    /// The analysis reached its planned end.
    End,
}

/// What was seen of one trigger over the whole analysis, worst first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TriggerResult {
    /// The trigger acted at least once.
    Acted,
    /// An action still waited for approval.
    AwaitingApproval,
    /// The condition held at some observations, within the limits: not a success.
    Hits,
    /// Sources failed or gave NaN at some observations, within the limits.
    Errors,
    /// Fewer observations decided the condition than `min_observations`.
    InsufficientData,
    /// Enough observations, all clear, no errors and no NaN.
    Clean,
}

/// The final verdict: what was actually seen, never more favourable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Final {
    /// Why the monitor ended.
    pub reason: EndReason,
    /// The abort's reason, as the host gave it.
    pub detail: Option<String>,
    /// When.
    pub at_ms: u64,
    /// Whether every trigger is `clean`.
    pub healthy: bool,
    /// The worst trigger result.
    pub result: TriggerResult,
    /// Every action called for, in order.
    pub actions: Vec<ActionTaken>,
    /// Per trigger, in policy order.
    pub triggers: Vec<TriggerSummary>,
}

/// One action called for during the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActionTaken {
    /// The trigger.
    pub trigger: String,
    /// The tier's index.
    pub tier: usize,
    /// The action.
    pub action: Action,
}

/// One trigger over the whole analysis: its worst tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriggerSummary {
    /// The trigger's name.
    pub name: String,
    /// What was seen.
    pub result: TriggerResult,
    /// Observations counted as the condition holding (most of any tier).
    pub hits: u32,
    /// Observations that decided the condition (fewest of any tier).
    pub decided: u32,
    /// Observations without data (most of any tier).
    pub missing: u32,
    /// NaN observations (most of any tier).
    pub inconclusive: u32,
    /// Source errors (most of any tier).
    pub errors: u32,
}
