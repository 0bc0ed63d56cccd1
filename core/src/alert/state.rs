//! The alert engine's state: plain data that saves, restores and replays.
//!
//! Bounded whatever the stream: at most [`MAX_ALERTS`](super::MAX_ALERTS) live alerts,
//! [`MAX_GROUPS`](super::MAX_GROUPS) groups and [`MAX_SILENCES`](super::MAX_SILENCES)
//! silences (a step that would go beyond is refused with `KIRO-E137`); per alert at most
//! `flapping.changes + 1` change times.

use super::compiled::CompiledAlerts;
use super::matcher::Labels;
use super::silence::Silence;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Everything the alert engine remembers between events. Saved inside the `machine` envelope:
/// no `deny_unknown_fields` here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    /// The time of the last event taken.
    pub(crate) last_ms: Option<u64>,
    /// Per rule, in policy order.
    pub(crate) rules: Vec<RuleState>,
    /// Live alerts by id.
    pub(crate) alerts: BTreeMap<String, Alert>,
    /// Live groups by key.
    pub(crate) groups: BTreeMap<String, Group>,
    /// Silences pending or in force, by id.
    pub(crate) silences: BTreeMap<String, Silence>,
    /// The silences' matchers compiled, kept between steps (not saved; rebuilt when needed).
    #[serde(skip)]
    pub(crate) compiled: SilenceCache,
}

/// Compiled matchers of silences by id, with the text they were compiled from (an id can be
/// used again for another silence once the first has ended): a cache derived from
/// [`AlertState::silences`], so it takes no part in the state's equality and is not saved.
#[derive(Debug, Clone, Default)]
pub(crate) struct SilenceCache(pub BTreeMap<String, (Vec<String>, Vec<super::matcher::Matcher>)>);

impl PartialEq for SilenceCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Where a rule's condition stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleState {
    /// Since when the condition has held (pending or firing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<u64>,
    /// Since when a firing alert's condition has stopped holding (`keep_firing_for`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear_since_ms: Option<u64>,
}

/// Where an alert came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Origin {
    Rule,
    External,
}

/// Why an alert is muted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "AlertMute")]
pub enum Mute {
    /// A silence matches it.
    Silenced {
        /// The silence's id.
        by: String,
    },
    /// A firing alert inhibits it.
    Inhibited {
        /// The inhibiting alert's id.
        by: String,
        /// The inhibition rule, from 1.
        rule: u32,
    },
}

/// Why a firing alert is held back from routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Hold {
    Duplicate,
    Flapping,
}

/// An acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ack {
    pub by: String,
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ms: Option<u64>,
}

/// A live alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Alert {
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    pub origin: Origin,
    pub firing: bool,
    /// The start of the current occurrence (firing), or when it resolved.
    pub since_ms: u64,
    /// When the current occurrence started (kept after it resolves).
    pub started_ms: u64,
    /// An external alert's end, unless sent again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<Mute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<Hold>,
    /// Times of fires and resolves within the flapping window.
    #[serde(default, skip_serializing_if = "VecDeque::is_empty")]
    pub changes: VecDeque<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flapping: bool,
    /// The occurrence the de-duplication window counts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dup_first_ms: Option<u64>,
    /// Duplicates suppressed since it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dup_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<Ack>,
    /// The groups it is a member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The inhibition rules (indices) whose source matchers its labels match: fixed by its
    /// labels and the policy, computed once when it is first seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inhibits: Vec<u32>,
    /// The inhibition rules whose target matchers its labels match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inhibitable: Vec<u32>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A group's escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Escalating {
    pub start_ms: u64,
    /// The next level, from 0.
    pub next: u32,
    /// When the last level was reached (the start before the first).
    pub last_ms: u64,
}

/// A live group: the alerts one route gathers with the same values of its `group_by` labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Group {
    pub route: usize,
    pub labels: Labels,
    pub members: BTreeSet<String>,
    /// The firing alerts of the last notification.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub notified: BTreeSet<String>,
    pub created_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_notify_ms: Option<u64>,
    /// The next tick: `group_wait` after creation, then every `group_interval`.
    pub next_tick_ms: u64,
    /// When the open batch is due (its window's end, or now once it is full).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_due_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalating>,
}

impl AlertState {
    /// The state of an engine that has seen nothing yet: the policy's scheduled silences held.
    pub(crate) fn initial(alerts: &CompiledAlerts) -> Self {
        AlertState {
            last_ms: None,
            rules: vec![RuleState::default(); alerts.rules.len()],
            alerts: BTreeMap::new(),
            groups: BTreeMap::new(),
            silences: alerts
                .scheduled
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        Silence {
                            matchers: s.matchers.clone(),
                            starts_ms: s.starts_ms,
                            ends_ms: s.ends_ms,
                            until_resolved: false,
                            matched: false,
                            active: false,
                            reason: s.reason.clone(),
                            author: s.author.clone(),
                        },
                    )
                })
                .collect(),
            compiled: SilenceCache::default(),
        }
    }

    /// Whether the state has the shape of `alerts`.
    pub(crate) fn fits(&self, alerts: &CompiledAlerts) -> bool {
        self.rules.len() == alerts.rules.len()
            && self.groups.values().all(|g| g.route < alerts.routes.len())
    }

    /// How many alerts the engine holds.
    #[must_use]
    pub fn live_alerts(&self) -> usize {
        self.alerts.len()
    }

    /// How many groups the engine holds.
    #[must_use]
    pub fn live_groups(&self) -> usize {
        self.groups.len()
    }

    /// How many silences the engine holds.
    #[must_use]
    pub fn live_silences(&self) -> usize {
        self.silences.len()
    }

    /// The time of the last event taken.
    #[must_use]
    pub fn last_ms(&self) -> Option<u64> {
        self.last_ms
    }
}
