//! The compiled monitor: windows and triggers with their conditions compiled to slots.
//!
//! A trigger's condition reads a record of slots: the policy's metrics first (their slots as
//! in the policy), then one slot per window, in name order, then one per burn-rate window of
//! the objectives, in their order.

use super::model::{Action, MissingRule, OnTimeout};
use crate::condition::Program;
use crate::metrics::table::MetricTable;
use crate::units::Unit;

/// The most observations one window holds; denser observations are refused
/// ([`crate::Code::WindowTooDense`]), so a monitor's memory is bounded whatever the stream.
pub const MAX_WINDOW_SAMPLES: usize = 100_000;

/// The default `consecutive_error_limit`, as in Argo Rollouts.
pub const DEFAULT_CONSECUTIVE_ERROR_LIMIT: u32 = 4;

/// A policy's triggers and windows, compiled.
#[derive(Debug)]
pub struct CompiledMonitor {
    /// How many metric slots come before the window slots.
    pub(crate) metrics: usize,
    pub(crate) windows: Vec<Window>,
    /// The service level objectives.
    pub(crate) slos: Vec<super::slo::Slo>,
    /// The objectives' burn-rate windows, in slot order after the windows.
    pub(crate) burns: Vec<super::slo::BurnWindow>,
    /// The canary judges, whose scores are slots after the burn-rate windows.
    pub(crate) judges: Vec<super::judge::Judge>,
    /// The triggers as written, then those the objectives and the judges generate.
    pub(crate) triggers: Vec<Trigger>,
}

impl CompiledMonitor {
    /// The trigger names, in policy order.
    #[must_use]
    pub fn trigger_names(&self) -> Vec<&str> {
        self.triggers.iter().map(|t| t.name.as_str()).collect()
    }

    /// The window names, in slot (name) order.
    #[must_use]
    pub fn window_names(&self) -> Vec<&str> {
        self.windows.iter().map(|w| w.name.as_str()).collect()
    }

    /// The longest window, in milliseconds (0 without windows): the longest span kept as
    /// samples. Objectives keep their spans in buckets instead (see [`super::slo`]).
    #[must_use]
    pub fn longest_window_ms(&self) -> u64 {
        self.windows.iter().map(|w| w.over_ms).max().unwrap_or(0)
    }

    /// How many slots follow the metrics': windows and burn-rate windows.
    pub(crate) fn derived_slots(&self) -> usize {
        self.windows.len() + self.burns.len() + self.judges.len()
    }

    /// The judge whose score is in `slot`, when it is one, with its index.
    pub(crate) fn judge_at(&self, slot: usize) -> Option<(usize, &super::judge::Judge)> {
        slot.checked_sub(self.metrics + self.windows.len() + self.burns.len())
            .and_then(|i| self.judges.get(i).map(|j| (i, j)))
    }

    /// The burn-rate window in `slot`, when it is one.
    pub(crate) fn burn_at(&self, slot: usize) -> Option<&super::slo::BurnWindow> {
        slot.checked_sub(self.metrics + self.windows.len())
            .and_then(|i| self.burns.get(i))
    }

    /// The name of what `slot` holds: a metric, a window, a burn-rate window or a judge.
    pub(crate) fn slot_name(&self, metrics: &MetricTable, slot: usize) -> String {
        match slot.checked_sub(self.metrics) {
            Some(w) => match self.windows.get(w) {
                Some(w) => w.name.clone(),
                None => match self.burn_at(slot) {
                    Some(b) => b.name.clone(),
                    None => self
                        .judge_at(slot)
                        .map_or_else(String::new, |(_, j)| j.name.clone()),
                },
            },
            None => metrics.name(slot).to_owned(),
        }
    }

    /// The unit of what `slot` holds (a judge's score is a percentage).
    pub(crate) fn slot_unit(&self, metrics: &MetricTable, slot: usize) -> Unit {
        match slot.checked_sub(self.metrics) {
            Some(w) => match self.windows.get(w) {
                Some(w) => w.unit,
                None if self.judge_at(slot).is_some() => Unit::PERCENT,
                None => Unit::NONE,
            },
            None => metrics.get(slot).map_or(Unit::NONE, |m| m.unit),
        }
    }

    /// Every constant a trigger's tier compares a slot with: the thresholds a picture of a
    /// replay draws, as `(trigger, tier, slot, constant in base units)`.
    pub(crate) fn thresholds(&self) -> Vec<(usize, usize, usize, f64)> {
        let mut out = Vec::new();
        for (t, trigger) in self.triggers.iter().enumerate() {
            for (i, tier) in trigger.tiers.iter().enumerate() {
                out.extend(
                    tier.when
                        .thresholds()
                        .into_iter()
                        .map(|(s, k)| (t, i, s, k)),
                );
            }
        }
        out
    }

    /// A trigger's name and a tier's condition and action.
    pub(crate) fn tier_text(&self, trigger: usize, tier: usize) -> Option<(&str, &str, Action)> {
        let t = self.triggers.get(trigger)?;
        let tier = t.tiers.get(tier)?;
        Some((t.name.as_str(), tier.when.source(), tier.action))
    }

    /// Every trigger as compiled, the generated ones included: what `kiro validate` shows.
    #[must_use]
    pub fn outline(&self) -> Vec<TriggerOutline> {
        self.triggers
            .iter()
            .map(|t| TriggerOutline {
                name: t.name.clone(),
                origin: t.origin.clone(),
                tiers: t
                    .tiers
                    .iter()
                    .map(|tier| TierOutline {
                        when: tier.when.source().to_owned(),
                        for_ms: tier.for_ms,
                        action: tier.action,
                        mode: match tier.mode {
                            TierMode::Automatic => "automatic",
                            TierMode::Immediate => "immediate",
                            TierMode::Manual { .. } => "manual",
                        },
                        fast_track: tier.fast_track,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A compiled trigger, as [`CompiledMonitor::outline`] shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TriggerOutline {
    /// The trigger's name.
    pub name: String,
    /// What generated it (`slo `checkout``); none for a trigger as written.
    pub origin: Option<String>,
    /// Its tiers, mildest first.
    pub tiers: Vec<TierOutline>,
}

/// One tier of a [`TriggerOutline`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TierOutline {
    /// The condition.
    pub when: String,
    /// `for`, in milliseconds.
    pub for_ms: u64,
    /// The action.
    pub action: Action,
    /// `automatic`, `immediate` or `manual`.
    pub mode: &'static str,
    /// Whether it acts without waiting for the tier before it.
    pub fast_track: bool,
}

/// One window: an aggregate of a metric (or two counters) over a trailing time span.
#[derive(Debug)]
pub(crate) struct Window {
    pub name: String,
    pub func: WindowFn,
    /// The metric's slot (the numerator of a ratio).
    pub metric: usize,
    /// The denominator's slot of a ratio.
    pub to: Option<usize>,
    pub over_ms: u64,
    /// The unit of the aggregate.
    pub unit: Unit,
}

/// What a window computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum WindowFn {
    Avg,
    Min,
    Max,
    Sum,
    Count,
    Rate,
    Increase,
    /// The percentile, from 0 to 100.
    Percentile(f64),
    Ratio,
}

impl WindowFn {
    /// The function as written.
    pub fn name(self) -> &'static str {
        match self {
            WindowFn::Avg => "avg",
            WindowFn::Min => "min",
            WindowFn::Max => "max",
            WindowFn::Sum => "sum",
            WindowFn::Count => "count",
            WindowFn::Rate => "rate",
            WindowFn::Increase => "increase",
            WindowFn::Percentile(_) => "percentile",
            WindowFn::Ratio => "ratio",
        }
    }
}

/// A trigger: its tiers (one for the single-tier form), missing-data rule and limits.
#[derive(Debug)]
pub(crate) struct Trigger {
    pub name: String,
    /// What generated the trigger (`slo `checkout``); none for a trigger as written.
    pub origin: Option<String>,
    pub tiers: Vec<Tier>,
    pub on_missing: OnMissingRule,
    pub limits: Limits,
}

/// The missing-data rule of a trigger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum OnMissingRule {
    Now(MissingRule),
    After { after_ms: u64, then: MissingRule },
}

/// The limits of a trigger, applied to each of its tiers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub failure: Option<u32>,
    pub consecutive_errors: u32,
    pub inconclusive: Option<u32>,
    pub min_observations: u32,
}

/// One tier: a condition, how long it must hold, and the action.
#[derive(Debug)]
pub(crate) struct Tier {
    pub when: Program,
    pub for_ms: u64,
    pub action: Action,
    pub mode: TierMode,
    pub fast_track: bool,
}

/// Who carries a tier's action out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TierMode {
    Automatic,
    Immediate,
    Manual {
        approvers: Vec<String>,
        timeout_ms: Option<u64>,
        on_timeout: OnTimeout,
    },
}
