//! What comes out of the alert engine: effects for the host, each with its reason.

use super::compiled::Target;
use super::model::ChannelKind;
pub use super::state::Mute;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The answer to one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertDecision {
    /// The event's time.
    pub at_ms: u64,
    /// The event's `type`.
    pub event: String,
    /// What happened and what the host must do, in order.
    pub effects: Vec<Effect>,
    /// When the host should send a tick at the latest (the next timer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at_ms: Option<u64>,
    /// How much the engine holds after the event.
    pub live: Live,
}

/// How much the engine holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AlertsLive")]
pub struct Live {
    /// Alerts (firing, or resolved and remembered).
    pub alerts: usize,
    /// Groups.
    pub groups: usize,
    /// Silences pending or in force.
    pub silences: usize,
}

/// An alert's status in a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "AlertStatus")]
pub enum Status {
    /// The condition holds, not yet for `for`.
    Pending,
    /// Firing.
    Firing,
    /// Resolved.
    Resolved,
    /// The condition stopped holding before `for`.
    Inactive,
}

/// Why a firing alert is not routed to a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "AlertAccounted")]
pub enum Accounted {
    /// A duplicate (same labels) of an occurrence within the de-duplication window.
    Duplicate {
        /// The occurrence it duplicates.
        of_ms: u64,
        /// Duplicates suppressed in the window so far, this one included.
        count: u32,
    },
    /// The alert is flapping: its fires and resolves are told by one flapping notice.
    Flapping,
    /// It resolved before any notification listed it as firing.
    ResolvedBeforeNotified {
        /// The group.
        group: String,
    },
}

/// Why a notification is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyReason {
    /// The group's first notification (`group_wait` after it formed).
    First,
    /// Alerts joined or resolved (at a `group_interval` tick).
    Update,
    /// Every alert of the group resolved.
    Resolved,
    /// Nothing changed for `repeat_interval`.
    Repeat,
    /// A batch closed: full, or its window ended.
    Batched,
    /// An alert started flapping: one notice instead of fire/resolve pairs.
    Flapping,
}

/// An alert as a notification lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifiedAlert {
    /// The id.
    pub id: String,
    /// `firing` or `resolved`.
    pub status: Status,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its annotations (the rule's rendered summary and description).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// When the occurrence started.
    pub starts_ms: u64,
    /// When it resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_ms: Option<u64>,
}

/// A notification the host should send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AlertNotification")]
pub struct Notification {
    /// When it is due.
    pub at_ms: u64,
    /// The receiver.
    pub receiver: String,
    /// Its kind of channel.
    pub channel: ChannelKind,
    /// Where the receiver sends (as the policy says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The group's key (route and group labels).
    pub group: String,
    /// The route that formed the group.
    pub route: String,
    /// The group's labels (its route's `group_by` values).
    pub group_labels: BTreeMap<String, String>,
    /// Why.
    pub reason: NotifyReason,
    /// The firing alerts, by id.
    pub firing: Vec<String>,
    /// The alerts resolved since the last notification, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<String>,
    /// For a batch: how many alerts joined in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batched: Option<u32>,
    /// Every listed alert in full.
    pub alerts: Vec<NotifiedAlert>,
}

/// What happened, or what the host must do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "AlertEffect")]
pub enum Effect {
    /// An alert changed state.
    Alert {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// Its new status.
        to: Status,
        /// Why.
        reason: String,
    },
    /// A firing alert joined groups: the routes it matched.
    Routed {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// The groups, in route order.
        groups: Vec<String>,
    },
    /// A firing alert is not routed, and why.
    Accounted {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// Why.
        reason: Accounted,
    },
    /// A firing alert is muted from now on: a silence or an inhibition.
    Muted {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// By what.
        by: Mute,
    },
    /// A muted alert is muted no longer.
    Unmuted {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// What muted it.
        was: Mute,
    },
    /// Send a notification.
    Notify(Notification),
    /// A group's escalation reached a level: notify its targets.
    Escalate {
        /// When.
        at_ms: u64,
        /// The group.
        group: String,
        /// The level, from 1.
        level: u32,
        /// Whom to notify.
        targets: Vec<Target>,
        /// The group's firing alerts nobody has acknowledged.
        alerts: Vec<String>,
        /// Why now.
        reason: String,
    },
    /// Alerts were acknowledged.
    Acked {
        /// When.
        at_ms: u64,
        /// By whom.
        by: String,
        /// The alerts.
        alerts: Vec<String>,
        /// Until when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until_ms: Option<u64>,
    },
    /// An acknowledgement expired.
    AckExpired {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// Who had acknowledged it.
        by: String,
    },
    /// A group's escalation stopped: every firing alert is acknowledged.
    EscalationStopped {
        /// When.
        at_ms: u64,
        /// The group.
        group: String,
        /// Why.
        reason: String,
    },
    /// A group's escalation starts over from level 1.
    EscalationRestarted {
        /// When.
        at_ms: u64,
        /// The group.
        group: String,
        /// Why.
        reason: String,
    },
    /// A silence came into force.
    SilenceStarted {
        /// When.
        at_ms: u64,
        /// The silence.
        id: String,
    },
    /// A silence ended.
    SilenceEnded {
        /// When.
        at_ms: u64,
        /// The silence.
        id: String,
        /// Why: `ended`, `expired` (ended early) or `resolved`.
        reason: String,
    },
    /// An alert started or stopped flapping.
    Flapping {
        /// When.
        at_ms: u64,
        /// The alert.
        alert: String,
        /// Whether it starts (else it is stable again).
        started: bool,
        /// Fires and resolves in the window.
        changes: u32,
    },
}
