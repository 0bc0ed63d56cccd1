//! The `triggers` and `windows` sections as written: the serde model every format is read into.

use crate::document::Spanned;
use crate::units::DurationDecl;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A rollback trigger: a condition held over time, with the action it calls for.
///
/// Either the single-tier form (`when`, `for`, `action`, `mode`…) or `tiers:`, a graduated
/// response (warn, then pause, then roll back); the missing-data rule and the limits apply to
/// every tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerDecl {
    /// The trigger's name, unique in the policy.
    pub name: Spanned<String>,
    /// What the trigger guards against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The condition that calls for the action, e.g. `error_rate > 1%` (single-tier form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Spanned<String>>,
    /// How long the condition must have held, observed, before the trigger fires (default 0s:
    /// the first observation where it holds).
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub hold_for: Option<Spanned<DurationDecl>>,
    /// What the trigger calls for when it fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Spanned<Action>>,
    /// Who carries the action out: `automatic` (default), `manual` or `immediate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Spanned<Mode>>,
    /// The personas that may approve a manual action (any one of them suffices).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<Spanned<String>>,
    /// How long a manual action waits for approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<DurationDecl>>,
    /// What happens when the approval times out (default `hold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<Spanned<OnTimeout>>,
    /// Graduated tiers, mildest first, instead of `when`/`for`/`action`/`mode`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Spanned<TierDecl>>,
    /// What an observation without data for the condition means (default `hold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_missing: Option<Spanned<OnMissing>>,
    /// How many observations where the condition holds are allowed: one more fires the
    /// trigger whatever `for` says (default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_limit: Option<Spanned<u32>>,
    /// How many source errors in a row are allowed: one more fires the trigger (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_error_limit: Option<Spanned<u32>>,
    /// How many inconclusive (NaN) observations are allowed: one more fires the trigger with a
    /// pause at most (default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive_limit: Option<Spanned<u32>>,
    /// How many observations that decide the condition are needed before the condition may
    /// fire the trigger (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub min_observations: Option<Spanned<u32>>,
}

/// One tier of a graduated trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierDecl {
    /// The condition that calls for this tier's action.
    pub when: Spanned<String>,
    /// How long the condition must have held before the tier fires (default 0s).
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub hold_for: Option<Spanned<DurationDecl>>,
    /// What the tier calls for.
    pub action: Spanned<Action>,
    /// Who carries the action out (default `automatic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Spanned<Mode>>,
    /// The personas that may approve a manual action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<Spanned<String>>,
    /// How long a manual action waits for approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<DurationDecl>>,
    /// What happens when the approval times out (default `hold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<Spanned<OnTimeout>>,
    /// A severe tier that acts without waiting for the tiers before it to have acted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fast_track: bool,
}

/// What a trigger calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Tell people; the rollout goes on.
    Warn,
    /// Stop the rollout where it is until the condition clears or someone decides.
    Pause,
    /// Roll the deployment back; ends the monitor.
    Rollback,
    /// Promote: the analysis that gates progress has passed; ends the monitor.
    Promote,
}

impl Action {
    /// The action as written in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Warn => "warn",
            Action::Pause => "pause",
            Action::Rollback => "rollback",
            Action::Promote => "promote",
        }
    }

    /// Whether acting on it ends the monitor.
    #[must_use]
    pub fn ends(self) -> bool {
        matches!(self, Action::Rollback | Action::Promote)
    }
}

/// Who carries a trigger's action out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// kiro calls for the action as soon as the trigger fires.
    Automatic,
    /// The action waits for approval by one of the `approvers`.
    Manual,
    /// kiro calls for the action at the first observation where the condition holds,
    /// ignoring `for`.
    Immediate,
}

/// What happens when a manual action's approval times out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnTimeout {
    /// Carry the action out anyway.
    Act,
    /// Keep waiting for an approval, without a deadline.
    Hold,
    /// Ask for escalation, and keep waiting.
    Escalate,
}

/// What an observation without data for a trigger's condition means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OnMissing {
    /// `hold`, `fire` or `resolve`, from the first missing observation.
    Now(MissingRule),
    /// Hold while data has been missing for less than `after`, then apply `then`.
    After(MissingAfter),
}

/// `{after: 3m, then: fire}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingAfter {
    /// How long data may be missing before `then` applies.
    pub after: DurationDecl,
    /// `fire` or `resolve`.
    pub then: MissingRule,
}

/// What missing data means for a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MissingRule {
    /// Neither advance nor reset the time the condition has held.
    Hold,
    /// Count the observation as one where the condition holds.
    Fire,
    /// Count the observation as one where the condition does not hold.
    Resolve,
}

impl MissingRule {
    /// The rule as written in policies.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MissingRule::Hold => "hold",
            MissingRule::Fire => "fire",
            MissingRule::Resolve => "resolve",
        }
    }
}

/// An aggregate over a trailing window of observations, which conditions read by its name:
/// `{avg: error_rate, over: 5m}`.
///
/// Exactly one function: `avg`, `min`, `max`, `sum`, `count`, `rate` or `increase` of a
/// metric, `percentile: 95` with `of: <metric>`, or `ratio: <counter>` with `to: <counter>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowDecl {
    /// What the window measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The mean of the metric's values in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg: Option<Spanned<String>>,
    /// The smallest value in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Spanned<String>>,
    /// The largest value in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Spanned<String>>,
    /// The sum of the values in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<Spanned<String>>,
    /// How many observations in the window have a value for the metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Spanned<String>>,
    /// The per-second rate of increase of a counter (resets allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Spanned<String>>,
    /// How much a counter increased in the window (resets allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increase: Option<Spanned<String>>,
    /// The percentile (0 to 100) of the metric `of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 100.0))]
    pub percentile: Option<Spanned<f64>>,
    /// The metric of `percentile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<Spanned<String>>,
    /// The increase of this counter divided by the increase of the counter `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Spanned<String>>,
    /// The denominator counter of `ratio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Spanned<String>>,
    /// The window's length: observations in `(now - over, now]` count.
    pub over: Spanned<DurationDecl>,
}
