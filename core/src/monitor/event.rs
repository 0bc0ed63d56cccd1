//! What goes into a monitor: plain data, so that a log of events replays.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Something that happened, at `at_ms` on the host's clock (whole milliseconds since any
/// fixed origin; never earlier than the event before, and no two observations at one time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MonitorEvent {
    /// Metric values observed at one moment. A declared metric that is not listed has no data.
    Observe {
        /// When the values were observed.
        at_ms: u64,
        /// Metric name to reading.
        #[serde(default)]
        values: BTreeMap<String, Reading>,
    },
    /// Time passes without an observation: approval timeouts are decided.
    Tick {
        /// The host's time.
        at_ms: u64,
    },
    /// A person approves the action a manual trigger waits for.
    Approve {
        /// When.
        at_ms: u64,
        /// The trigger.
        trigger: String,
        /// Who approves (recorded as given).
        who: String,
        /// The persona they approve as; must be one of the trigger's approvers.
        persona: String,
    },
    /// A person rejects the action a manual trigger waits for: the trigger starts over.
    Reject {
        /// When.
        at_ms: u64,
        /// The trigger.
        trigger: String,
        /// Who rejects.
        who: String,
        /// The persona they reject as; must be one of the trigger's approvers.
        persona: String,
    },
    /// The analysis is stopped from outside; the final verdict says what was seen.
    Abort {
        /// When.
        at_ms: u64,
        /// Why, as the host tells it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The analysis reaches its planned end; the final verdict says what was seen.
    End {
        /// When.
        at_ms: u64,
    },
}

impl MonitorEvent {
    /// When it happened, on the host's clock.
    #[must_use]
    pub fn at_ms(&self) -> u64 {
        match self {
            MonitorEvent::Observe { at_ms, .. }
            | MonitorEvent::Tick { at_ms }
            | MonitorEvent::Approve { at_ms, .. }
            | MonitorEvent::Reject { at_ms, .. }
            | MonitorEvent::Abort { at_ms, .. }
            | MonitorEvent::End { at_ms } => *at_ms,
        }
    }

    /// The event's name, as in its `type`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            MonitorEvent::Observe { .. } => "observe",
            MonitorEvent::Tick { .. } => "tick",
            MonitorEvent::Approve { .. } => "approve",
            MonitorEvent::Reject { .. } => "reject",
            MonitorEvent::Abort { .. } => "abort",
            MonitorEvent::End { .. } => "end",
        }
    }
}

/// One metric's reading in an observation: a value, no data, NaN, or a source error — four
/// different things, each kept apart in the trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Reading {
    /// The source failed to give a value: `{"error": "timeout"}`.
    Failed {
        /// What the source said.
        error: String,
    },
    /// No data: `null`.
    Missing,
    /// A boolean, for a boolean metric.
    Bool(bool),
    /// A number in the metric's declared unit (`87` for `87%`).
    Number(f64),
    /// A number with a unit (`"420ms"`, `"1.2%"`), or `"NaN"`: the source gave not-a-number
    /// (0/0 with no traffic).
    Text(String),
}

impl Reading {
    /// The reading for a NaN from the source (written `"NaN"`).
    #[must_use]
    pub fn nan() -> Self {
        Reading::Text("NaN".into())
    }
}
