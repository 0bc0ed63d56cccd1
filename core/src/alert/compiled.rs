//! The compiled `alerts` section: conditions compiled to slots, the routing tree flattened with
//! every inherited setting resolved, matchers compiled.

use super::matcher::{Labels, Matcher};
use super::model::{ChannelKind, DelayFrom, OnMissing};
use crate::condition::Program;
use serde::Serialize;

/// The most live alerts (firing, or resolved and still remembered for de-duplication and
/// flapping) the engine keeps; a new alert beyond it is refused with `KIRO-E137`.
pub const MAX_ALERTS: usize = 10_000;
/// The most live groups; a new group beyond it is refused with `KIRO-E137`.
pub const MAX_GROUPS: usize = 10_000;
/// The most silences in force or pending; a new silence beyond it is refused with `KIRO-E137`.
pub const MAX_SILENCES: usize = 1_000;

/// Default `group_wait`, as in Alertmanager.
pub const DEFAULT_GROUP_WAIT_MS: u64 = 30_000;
/// Default `group_interval`, as in Alertmanager.
pub const DEFAULT_GROUP_INTERVAL_MS: u64 = 300_000;
/// Default `repeat_interval`, as in Alertmanager.
pub const DEFAULT_REPEAT_INTERVAL_MS: u64 = 4 * 3_600_000;
/// Default longest silence: 24 hours.
pub const DEFAULT_MAX_SILENCE_MS: u64 = 24 * 3_600_000;

/// A policy's `alerts` section, compiled.
#[derive(Debug)]
pub struct CompiledAlerts {
    pub(crate) rules: Vec<Rule>,
    pub(crate) receivers: Vec<Receiver>,
    /// The routing tree, depth first; the root is 0.
    pub(crate) routes: Vec<Route>,
    pub(crate) inhibit: Vec<Inhibit>,
    pub(crate) max_silence_ms: u64,
    pub(crate) scheduled: Vec<Scheduled>,
    pub(crate) escalation: Option<Escalation>,
    pub(crate) dedup: Option<Limit>,
    pub(crate) flapping: Option<Limit>,
}

impl CompiledAlerts {
    /// The rule names, in policy order.
    #[must_use]
    pub fn rule_names(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.name.as_str()).collect()
    }

    /// The receiver names, in policy order.
    #[must_use]
    pub fn receiver_names(&self) -> Vec<&str> {
        self.receivers.iter().map(|r| r.name.as_str()).collect()
    }
}

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub name: String,
    pub when: Program,
    pub for_ms: u64,
    pub keep_ms: u64,
    /// `alertname`, `severity`, `owner` and the rule's labels.
    pub labels: Labels,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub on_missing: OnMissing,
}

/// A receiver.
#[derive(Debug)]
pub(crate) struct Receiver {
    pub name: String,
    pub channel: ChannelKind,
    pub to: Option<String>,
    pub send_resolved: bool,
}

/// How a route splits alerts into groups.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GroupBy {
    /// `...`: every label.
    All,
    /// These labels (an empty list: one group for the route).
    Labels(Vec<String>),
}

/// A node of the routing tree with its inherited settings resolved.
#[derive(Debug)]
pub(crate) struct Route {
    /// `0`, `0.1`, `0.1.0`: the path from the root.
    pub id: String,
    pub receiver: usize,
    pub matchers: Vec<Matcher>,
    pub continue_matching: bool,
    pub group_by: GroupBy,
    pub group_wait_ms: u64,
    pub group_interval_ms: u64,
    pub repeat_interval_ms: u64,
    pub batching: Option<Batching>,
    pub escalate: bool,
    pub children: Vec<usize>,
}

/// Batching: `size` alerts, or `window_ms` after the first, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Batching {
    pub size: u32,
    pub window_ms: u64,
}

/// A count within a window (de-duplication, flapping).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limit {
    pub count: u32,
    pub window_ms: u64,
}

/// An inhibition rule.
#[derive(Debug)]
pub(crate) struct Inhibit {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

/// A silence declared in the policy.
#[derive(Debug)]
pub(crate) struct Scheduled {
    pub id: String,
    pub matchers: Vec<String>,
    pub starts_ms: u64,
    pub ends_ms: u64,
    pub reason: String,
    pub author: String,
}

/// Escalation, compiled.
#[derive(Debug)]
pub(crate) struct Escalation {
    pub from: DelayFrom,
    pub levels: Vec<Level>,
    pub ack_expiry_ms: Option<u64>,
}

/// One level: when (from the start, whatever `from` says) and whom.
#[derive(Debug)]
pub(crate) struct Level {
    pub after_ms: u64,
    pub targets: Vec<Target>,
}

/// Whom an escalation level notifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "EscalationTarget")]
pub struct Target {
    /// `persona`, `team`, `person` or `channel`.
    pub kind: String,
    /// The name.
    pub name: String,
}
