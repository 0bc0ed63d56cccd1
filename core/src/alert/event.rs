//! What goes into the alert engine: plain data, so that a log of events replays.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Something that happened, at `at_ms` on the host's clock (whole milliseconds since any fixed
/// origin; never earlier than the event before).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertEvent {
    /// Metric values observed at one moment: the rules are evaluated. A declared metric that is
    /// not listed has no data.
    Observe {
        /// When.
        at_ms: u64,
        /// Metric name to reading (a number in the declared unit, a number with a unit, a
        /// boolean, `null` for no data, or `{"error": "…"}` for a source that failed).
        #[serde(default)]
        values: BTreeMap<String, Reading>,
    },
    /// Alerts from outside, in Alertmanager's API or webhook format.
    External {
        /// When.
        at_ms: u64,
        /// The alerts.
        alerts: Vec<ExternalAlert>,
    },
    /// Time passes: timers due by now run.
    Tick {
        /// When.
        at_ms: u64,
    },
    /// A person acknowledges alerts: their groups' escalation stops for them.
    Ack {
        /// When.
        at_ms: u64,
        /// Who (recorded as given).
        by: String,
        /// The alerts, by id (`alertname=HighErrorRate,severity=critical`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        alerts: Vec<String>,
        /// Or every firing alert these matchers select.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        matchers: Vec<String>,
        /// When the acknowledgement expires (default: the policy's `ack_expiry`, else when the
        /// alert resolves).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_ms: Option<u64>,
    },
    /// A silence is created.
    Silence {
        /// When.
        at_ms: u64,
        /// Its id, unique among the silences the engine holds.
        id: String,
        /// What it mutes.
        matchers: Vec<String>,
        /// When it starts (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_ms: Option<u64>,
        /// When it ends; without it, `until_resolved` must be true.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends_ms: Option<u64>,
        /// Ends once the alerts it mutes have resolved (at the latest after the policy's
        /// `max_duration`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        until_resolved: bool,
        /// Why (required).
        #[serde(default)]
        reason: String,
        /// Who (required).
        #[serde(default)]
        author: String,
    },
    /// A silence is ended before its time.
    ExpireSilence {
        /// When.
        at_ms: u64,
        /// The silence.
        id: String,
    },
}

impl AlertEvent {
    /// When it happened.
    #[must_use]
    pub fn at_ms(&self) -> u64 {
        match self {
            AlertEvent::Observe { at_ms, .. }
            | AlertEvent::External { at_ms, .. }
            | AlertEvent::Tick { at_ms }
            | AlertEvent::Ack { at_ms, .. }
            | AlertEvent::Silence { at_ms, .. }
            | AlertEvent::ExpireSilence { at_ms, .. } => *at_ms,
        }
    }

    /// The event's `type`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            AlertEvent::Observe { .. } => "observe",
            AlertEvent::External { .. } => "external",
            AlertEvent::Tick { .. } => "tick",
            AlertEvent::Ack { .. } => "ack",
            AlertEvent::Silence { .. } => "silence",
            AlertEvent::ExpireSilence { .. } => "expire_silence",
        }
    }
}

/// One metric's reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "AlertReading")]
pub enum Reading {
    /// The source failed: `{"error": "timeout"}`.
    Failed {
        /// What the source said.
        error: String,
    },
    /// No data: `null`.
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number in the metric's declared unit.
    Number(f64),
    /// A number with a unit (`"420ms"`), or `"NaN"`.
    Text(String),
}

/// An alert in Alertmanager's API (`POST /api/v2/alerts`) or webhook format. Times are the
/// event's: `startsAt`, `endsAt`, `generatorURL` and `fingerprint` are accepted and ignored,
/// so existing payloads pass as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalAlert {
    /// The alert's labels: its identity.
    pub labels: BTreeMap<String, String>,
    /// Summary, description and the like.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// `firing` (default) or `resolved` (webhook format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ExternalStatus>,
    /// When the alert resolves unless sent again (kiro's extension of the API format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_ms: Option<u64>,
    /// Ignored.
    #[serde(rename = "startsAt", default, skip_serializing)]
    pub starts_at: Option<serde_json::Value>,
    /// Ignored.
    #[serde(rename = "endsAt", default, skip_serializing)]
    pub ends_at: Option<serde_json::Value>,
    /// Ignored.
    #[serde(rename = "generatorURL", default, skip_serializing)]
    pub generator_url: Option<serde_json::Value>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub fingerprint: Option<serde_json::Value>,
}

/// An external alert's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExternalStatus {
    /// Firing.
    Firing,
    /// Resolved.
    Resolved,
}
