//! The `alerts` section as written: the serde model every format is read into.

use crate::document::Spanned;
use crate::units::DurationDecl;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `alerts` section: rules, receivers, the routing tree, inhibition, silences,
/// escalation, batching, de-duplication and flapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertsDecl {
    /// Alert rules: a condition over the policy's metrics held over time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Spanned<RuleDecl>>,
    /// Where notifications go: each receiver is one channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<Spanned<ReceiverDecl>>,
    /// The routing tree's root: it matches every alert.
    pub route: Spanned<RouteDecl>,
    /// Rules that mute target alerts while a source alert fires.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inhibit_rules: Vec<Spanned<InhibitDecl>>,
    /// Limits on silences, and silences declared in the policy (maintenance windows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silences: Option<Spanned<SilencesDecl>>,
    /// The escalation levels every group follows unless its route says `escalate: false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Spanned<EscalationDecl>>,
    /// `N` similar alerts (same group) in a window become one notification; the default for
    /// every route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batching: Option<Spanned<BatchingDecl>>,
    /// `M` duplicates (same labels) in a window are suppressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup: Option<Spanned<DedupDecl>>,
    /// An alert that fires and resolves more than `changes` times in `window` is flapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flapping: Option<Spanned<FlappingDecl>>,
}

/// An alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDecl {
    /// The rule's name: the alert's `alertname` label.
    pub name: Spanned<String>,
    /// The condition, in the shared condition language: `error_rate > 1%`.
    pub when: Spanned<String>,
    /// How long the condition must hold before the alert fires (default 0s).
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub hold_for: Option<Spanned<DurationDecl>>,
    /// How long the alert keeps firing after the condition stops holding (default 0s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_firing_for: Option<Spanned<DurationDecl>>,
    /// `critical`, `warning` or `info`: the alert's `severity` label.
    pub severity: Spanned<Severity>,
    /// The persona that owns the alert: its `owner` label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Spanned<String>>,
    /// More labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, Spanned<String>>,
    /// A template of one line: `error rate {{ value }} on {{ labels.service }}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Spanned<String>>,
    /// A longer template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Spanned<String>>,
    /// What an observation without data for the condition means (default `hold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_missing: Option<Spanned<OnMissing>>,
}

/// An alert's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Someone must act now.
    Critical,
    /// Someone should look soon.
    Warning,
    /// For the record.
    Info,
}

impl Severity {
    /// As written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What an observation without data for a rule's condition means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnMissing {
    /// Keep the alert as it is: neither advance nor reset `for`.
    Hold,
    /// Count the observation as one where the condition holds.
    Fire,
    /// Count the observation as one where the condition does not hold.
    Resolve,
}

impl OnMissing {
    /// As written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            OnMissing::Hold => "hold",
            OnMissing::Fire => "fire",
            OnMissing::Resolve => "resolve",
        }
    }
}

/// A receiver: one channel notifications are sent to (kiro never sends; the host does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiverDecl {
    /// The receiver's name, which routes name.
    pub name: Spanned<String>,
    /// The kind of channel.
    pub channel: Spanned<ChannelKind>,
    /// Where, as the host understands it (a Slack channel, a PagerDuty service, an address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Whether resolved notifications are sent (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_resolved: Option<bool>,
}

/// The kind of a receiver's channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// Slack (Block Kit).
    Slack,
    /// Microsoft Teams (Adaptive Card).
    Teams,
    /// PagerDuty (Events API v2).
    Pagerduty,
    /// Email.
    Email,
    /// A generic webhook in Alertmanager's webhook format.
    Webhook,
}

/// A node of the routing tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteDecl {
    /// The receiver (inherited from the parent when not given; required on the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<Spanned<String>>,
    /// Matchers an alert must all satisfy: `severity="critical"`, `service=~"api|web"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matchers: Vec<Spanned<String>>,
    /// Whether later siblings are tried after this route matched (default false).
    #[serde(
        rename = "continue",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub continue_matching: bool,
    /// Labels that split alerts into groups; `...` groups by all labels (inherited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<Spanned<String>>>,
    /// How long a new group waits before its first notification (inherited; default 30s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_wait: Option<Spanned<DurationDecl>>,
    /// How long a group waits before notifying about changes (inherited; default 5m).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_interval: Option<Spanned<DurationDecl>>,
    /// How long before a notification is sent again without changes (inherited; default 4h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_interval: Option<Spanned<DurationDecl>>,
    /// Batching for this route's groups (inherited; `false` turns it off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batching: Option<Spanned<BatchingSetting>>,
    /// Whether this route's groups escalate (inherited; default true when the policy has
    /// `escalation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate: Option<bool>,
    /// Child routes, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Spanned<RouteDecl>>,
}

/// A route's batching: the settings, or `false` to turn inherited batching off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BatchingSetting {
    /// `false`: no batching on this route and below (`true` is refused).
    Off(bool),
    /// `{size: 5, window: 5m}`.
    On(RouteBatching),
}

/// A route's batching settings (as [`BatchingDecl`]; errors point at the whole setting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteBatching {
    /// How many alerts make a full batch (at least 2).
    pub size: u32,
    /// How long the first alert of a batch waits for the others.
    pub window: DurationDecl,
}

/// Batching: `size` similar alerts (same group) within `window` become one notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchingDecl {
    /// How many alerts make a full batch (at least 2).
    pub size: Spanned<u32>,
    /// How long the first alert of a batch waits for the others.
    pub window: Spanned<DurationDecl>,
}

/// De-duplication: at most `count` duplicates of one alert within `window` are suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupDecl {
    /// How many duplicates are suppressed (at least 1).
    pub count: Spanned<u32>,
    /// The window, counted from the notified occurrence.
    pub window: Spanned<DurationDecl>,
}

/// Flapping: more than `changes` fires and resolves of one alert within `window`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlappingDecl {
    /// How many changes are allowed in the window (at least 2).
    pub changes: Spanned<u32>,
    /// The trailing window.
    pub window: Spanned<DurationDecl>,
}

/// An inhibition rule: while an alert matching `source_matchers` fires, alerts matching
/// `target_matchers` with the same values of the `equal` labels are muted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InhibitDecl {
    /// What a muting alert matches.
    pub source_matchers: Vec<Spanned<String>>,
    /// What a muted alert matches.
    pub target_matchers: Vec<Spanned<String>>,
    /// Labels whose values must be equal in source and target (a missing label is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equal: Vec<String>,
}

/// Silence limits, and silences declared in the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SilencesDecl {
    /// The longest silence that may be created (default 24h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<Spanned<DurationDecl>>,
    /// Silences in force from the start: maintenance windows, known issues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduled: Vec<Spanned<ScheduledSilence>>,
}

/// A silence declared in the policy, from `starts_ms` to `ends_ms` on the host's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledSilence {
    /// The silence's id.
    pub id: Spanned<String>,
    /// What it mutes.
    pub matchers: Vec<Spanned<String>>,
    /// When it starts.
    pub starts_ms: u64,
    /// When it ends.
    pub ends_ms: Spanned<u64>,
    /// Why (required).
    pub reason: Spanned<String>,
    /// Who (required).
    pub author: Spanned<String>,
}

/// Escalation: levels, each after a delay, each notifying its targets, until the group's
/// alerts are acknowledged or resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationDecl {
    /// Whether each level's `after` counts from the group's start (default) or from the level
    /// before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Spanned<DelayFrom>>,
    /// The levels, in order.
    pub levels: Vec<Spanned<LevelDecl>>,
    /// How long an acknowledgement holds when the ack does not say (default: until resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_expiry: Option<Spanned<DurationDecl>>,
}

/// What escalation delays count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DelayFrom {
    /// From the start of the group's escalation: `15m`, `30m`, `60m` are 15, 30 and 60 minutes
    /// after it.
    Start,
    /// From the level before (the first level from the start).
    Previous,
}

/// One escalation level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelDecl {
    /// The delay.
    pub after: Spanned<DurationDecl>,
    /// Who is notified.
    pub notify: Vec<Spanned<TargetDecl>>,
}

/// An escalation target: exactly one of a persona, a team, a person or a channel (receiver).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDecl {
    /// A declared persona.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<Spanned<String>>,
    /// A team, as the host knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Spanned<String>>,
    /// A person, as the host knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Spanned<String>>,
    /// A declared receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Spanned<String>>,
}
