//! A monitor's state: plain data that saves, restores and replays.
//!
//! What it holds is bounded by the policy, not by the stream: per window the samples of its
//! trailing span (at most [`MAX_WINDOW_SAMPLES`](super::MAX_WINDOW_SAMPLES)), and per tier a
//! fixed set of counters and times.

use super::compiled::CompiledMonitor;
use super::decision::Final;
use super::judge::JudgeState;
use super::model::Action;
use super::slo::SloState;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Everything a monitor remembers between events. Saved inside the `machine` envelope, whose
/// fields (`format`, `kind`, `policy`) sit beside these: so no `deny_unknown_fields` here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorState {
    /// The time of the last event taken.
    pub(crate) last_ms: Option<u64>,
    /// The time of the last observation taken.
    pub(crate) last_observation_ms: Option<u64>,
    /// The final verdict, once the monitor has ended.
    pub(crate) ended: Option<Final>,
    /// Per window, in slot order.
    pub(crate) windows: Vec<WindowState>,
    /// Per trigger, in policy order.
    pub(crate) triggers: Vec<TriggerState>,
    /// Per service level objective, in policy order (absent from states of policies without).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) slos: Vec<SloState>,
    /// Per canary judge, in policy order (absent from states of policies without).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) judges: Vec<JudgeState>,
}

/// The samples a window holds, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowState {
    pub samples: VecDeque<Sample>,
}

/// One observation in a window: its time and value (and the denominator of a ratio), in base
/// units. Saved as `[at_ms, "value"]` or `[at_ms, "value", "denominator"]`: the numbers as
/// their shortest exact decimal text, read back by Rust's correctly rounded parser, so that a
/// restored window holds the very same bits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    pub at_ms: u64,
    pub value: f64,
    pub to: Option<f64>,
}

/// A finite `f64` as exact text.
fn exact(x: f64) -> String {
    format!("{x:?}")
}

fn parse_exact<E: serde::de::Error>(text: &str) -> Result<f64, E> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(E::custom(format!("`{text}` is not a finite number"))),
    }
}

impl Serialize for Sample {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to {
            None => (self.at_ms, exact(self.value)).serialize(s),
            Some(to) => (self.at_ms, exact(self.value), exact(to)).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Two(u64, String),
            Three(u64, String, String),
        }
        Ok(match Form::deserialize(d)? {
            Form::Two(at_ms, value) => Sample {
                at_ms,
                value: parse_exact(&value)?,
                to: None,
            },
            Form::Three(at_ms, value, to) => Sample {
                at_ms,
                value: parse_exact(&value)?,
                to: Some(parse_exact(&to)?),
            },
        })
    }
}

/// Per trigger: one state per tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriggerState {
    pub tiers: Vec<TierState>,
}

/// Where one tier stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierState {
    pub phase: Phase,
    /// How long the condition has been observed to hold in the current run.
    pub held_ms: u64,
    /// The time of the previous observation, when it counted as one where the condition held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_hit_ms: Option<u64>,
    /// Since when data has been missing, in the current run of missing observations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_since_ms: Option<u64>,
    pub counters: Counters,
    /// Every action taken, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acted: Vec<Action>,
}

/// A tier's counters, over the whole analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Counters {
    /// Observations taken.
    pub observations: u32,
    /// Observations that decided the condition (true or false).
    pub decided: u32,
    /// Observations that counted as the condition holding (with `on_missing: fire`, missing
    /// ones too).
    pub hits: u32,
    /// Observations without data for the condition.
    pub missing: u32,
    /// Observations where a value read was NaN.
    pub inconclusive: u32,
    /// Observations where a source failed (or the condition could not be evaluated).
    pub errors: u32,
    /// Source errors in a row, up to this observation.
    pub consecutive_errors: u32,
}

/// The phase of a tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Phase {
    /// The condition does not hold.
    #[default]
    Ok,
    /// The condition holds (or holds over missing data), not yet long enough.
    Pending,
    /// The tier's rule is met; it acts once the tier before it has acted.
    Firing { reason: Reason },
    /// The action waits for approval.
    AwaitingApproval {
        action: Action,
        reason: Reason,
        since_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline_ms: Option<u64>,
        /// The deadline passed (`on_timeout: hold` or `escalate`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        timed_out: bool,
    },
    /// The action was called for.
    Acted {
        action: Action,
        reason: Reason,
        at_ms: u64,
    },
}

/// Why a tier fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The condition held for `for` (or at once, for an immediate trigger).
    Held,
    /// More observations where the condition held than `failure_limit` allows.
    FailureLimit,
    /// More source errors in a row than `consecutive_error_limit` allows.
    ErrorLimit,
    /// More inconclusive (NaN) observations than `inconclusive_limit` allows.
    InconclusiveLimit,
}

impl Reason {
    /// The reason in words.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Held => "the condition held",
            Reason::FailureLimit => "the failure limit was exceeded",
            Reason::ErrorLimit => "the consecutive error limit was exceeded",
            Reason::InconclusiveLimit => "the inconclusive limit was exceeded",
        }
    }
}

impl MonitorState {
    /// The state of a monitor that has seen nothing yet.
    pub(crate) fn initial(monitor: &CompiledMonitor) -> Self {
        MonitorState {
            last_ms: None,
            last_observation_ms: None,
            ended: None,
            windows: vec![WindowState::default(); monitor.windows.len()],
            triggers: monitor
                .triggers
                .iter()
                .map(|t| TriggerState {
                    tiers: vec![TierState::default(); t.tiers.len()],
                })
                .collect(),
            slos: monitor.slos.iter().map(SloState::new).collect(),
            judges: monitor.judges.iter().map(JudgeState::new).collect(),
        }
    }

    /// Whether the state has the shape of `monitor` (a restored state whose policy hash
    /// matched always has).
    pub(crate) fn fits(&self, monitor: &CompiledMonitor) -> bool {
        self.windows.len() == monitor.windows.len()
            && self.triggers.len() == monitor.triggers.len()
            && self
                .triggers
                .iter()
                .zip(&monitor.triggers)
                .all(|(s, t)| s.tiers.len() == t.tiers.len())
            && self.slos.len() == monitor.slos.len()
            && self.slos.iter().zip(&monitor.slos).all(|(s, o)| s.fits(o))
            && self.judges.len() == monitor.judges.len()
            && self
                .judges
                .iter()
                .zip(&monitor.judges)
                .all(|(s, j)| s.fits(j))
    }

    /// How many samples the windows and the judges hold: a part of its size that depends on
    /// the stream, bounded by their spans (and [`MAX_WINDOW_SAMPLES`](super::MAX_WINDOW_SAMPLES)
    /// per series).
    #[must_use]
    pub fn window_samples(&self) -> usize {
        self.windows.iter().map(|w| w.samples.len()).sum::<usize>()
            + self.judges.iter().map(JudgeState::samples).sum::<usize>()
    }

    /// How many buckets the objectives' spans hold: at most 101 per span, whatever the stream.
    #[must_use]
    pub fn slo_buckets(&self) -> usize {
        self.slos.iter().map(SloState::buckets).sum()
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort, or the end).
    #[must_use]
    pub fn is_ended(&self) -> bool {
        self.ended.is_some()
    }

    /// The time of the last event taken, if any: the next event may not be earlier.
    #[must_use]
    pub fn last_ms(&self) -> Option<u64> {
        self.last_ms
    }
}
