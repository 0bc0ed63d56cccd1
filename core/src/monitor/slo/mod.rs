//! Service level objectives: error budgets and the multiwindow, multi-burn-rate alerts of
//! Google's SRE workbook (chapter 5, "Alerting on SLOs").
//!
//! An objective (`objective: 99.9%` over `period: 30d`) leaves an error budget (0.1% of the
//! events). The *burn rate* over a span is the share of bad events in it divided by the
//! budget: at 1 the budget lasts exactly the period. Each alert fires when `share` of the
//! budget would be spent in its long window at the current rate, i.e. when the burn rate over
//! both its long and its short window exceeds `share × period / long` (the short window makes
//! the alert stop soon after the burn does). For 30 days the workbook's three give 14.4 (2% in
//! 1h, 5m short window, page), 6 (5% in 6h / 30m, page) and 1 (10% in 3d / 6h, ticket).
//!
//! Each objective compiles to burn-rate windows (`<name>_burn_<span>`, one per span, the
//! period's included) that conditions read like any window, and a trigger `slo:<name>` with a
//! tier per alert, mildest first, each on the fast track. Every decision reports each
//! objective's error ratio over the period and the share of its budget that remains.
//!
//! Memory: per span, bad and total events in at most 101 buckets (`buckets.rs`), whatever the
//! stream and however long the span.

pub(crate) mod buckets;
pub(crate) mod compile;
pub mod model;

use super::record::{Record, Status};
use crate::units::duration::format_duration;
use crate::units::{Unit, format_in};
use model::Severity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

pub use buckets::BUCKETS_PER_SPAN;
pub use compile::DEFAULT_PERIOD_MS;

/// An objective, compiled.
#[derive(Debug)]
pub(crate) struct Slo {
    pub name: String,
    /// The objective as a ratio (`0.999`).
    pub objective: f64,
    /// `1 - objective`, computed on the decimal as written (`0.001`).
    pub budget: f64,
    pub period_ms: u64,
    pub source: Source,
    /// Every span a burn rate is computed over, ascending: the alerts' windows and the period.
    pub spans: Vec<u64>,
    /// The alerts, mildest first.
    pub alerts: Vec<Alert>,
}

/// Where an objective's events come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Source {
    /// A metric holding the share of bad events: each observation counts as one event of that
    /// badness.
    ErrorRatio(usize),
    /// Counters of good and of all events: their increase between observations.
    Counters { good: usize, total: usize },
}

/// One burn-rate alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Alert {
    /// The share of the budget spent in `long_ms` that alerts.
    pub share: f64,
    pub long_ms: u64,
    pub short_ms: u64,
    pub severity: Severity,
    /// The burn rate both windows must exceed: `share × period / long`.
    pub factor: f64,
    pub action: super::model::Action,
}

/// A burn-rate window: an objective's burn rate over one of its spans, in a condition slot.
#[derive(Debug)]
pub(crate) struct BurnWindow {
    pub name: String,
    /// The objective's index.
    pub slo: usize,
    /// The span's index in the objective's `spans`.
    pub span: usize,
}

/// What a monitor remembers of one objective.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SloState {
    /// The counters' values at the last observation that had both (counter objectives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Counts>,
    /// Per span, in the objective's order.
    pub spans: Vec<buckets::Span>,
}

/// The good and total counters at one observation. Saved as `["good", "total"]` in exact
/// decimal text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Counts {
    pub good: f64,
    pub total: f64,
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (format!("{:?}", self.good), format!("{:?}", self.total)).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Counts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (good, total) = <(String, String)>::deserialize(d)?;
        let read = |t: &str| match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(serde::de::Error::custom(format!(
                "`{t}` is not a finite number"
            ))),
        };
        Ok(Counts {
            good: read(&good)?,
            total: read(&total)?,
        })
    }
}

impl SloState {
    /// The state of an objective that has seen nothing.
    pub(crate) fn new(slo: &Slo) -> Self {
        SloState {
            last: None,
            spans: vec![buckets::Span::default(); slo.spans.len()],
        }
    }

    /// Whether the state has the shape of `slo`.
    pub(crate) fn fits(&self, slo: &Slo) -> bool {
        self.spans.len() == slo.spans.len()
    }

    /// How many buckets the state holds.
    pub(crate) fn buckets(&self) -> usize {
        self.spans.iter().map(|s| s.buckets.len()).sum()
    }
}

/// How far a counter rose from `previous` to `now`; a fall is a reset to zero.
fn increase(previous: f64, now: f64) -> f64 {
    if now >= previous { now - previous } else { now }
}

/// The value of a slot when it holds a value.
fn value(record: &Record, slot: usize) -> Option<f64> {
    (record.status.get(slot) == Some(&Status::Value))
        .then(|| record.values.get(slot).copied())
        .flatten()
}

/// Takes an observation into an objective's buckets.
pub(crate) fn observe(slo: &Slo, state: &mut SloState, record: &Record, at: u64) {
    for (span, &over) in state.spans.iter_mut().zip(&slo.spans) {
        span.evict(over, at);
    }
    let events = match slo.source {
        Source::ErrorRatio(slot) => value(record, slot).map(|r| (r, 1.0)),
        Source::Counters { good, total } => match (value(record, good), value(record, total)) {
            (Some(g), Some(t)) => {
                let now = Counts { good: g, total: t };
                let events = state.last.map(|last| {
                    let total = increase(last.total, now.total);
                    let good = increase(last.good, now.good);
                    ((total - good).clamp(0.0, total), total)
                });
                state.last = Some(now);
                events
            }
            _ => None,
        },
    };
    if let Some((bad, total)) = events {
        for (span, &over) in state.spans.iter_mut().zip(&slo.spans) {
            span.add(over, at, bad, total);
        }
    }
}

/// The slots an objective reads: why a burn window without buckets has no value.
pub(crate) fn source_slots(slo: &Slo) -> Vec<usize> {
    match slo.source {
        Source::ErrorRatio(slot) => vec![slot],
        Source::Counters { good, total } => vec![good, total],
    }
}

/// A burn window's value at `at`: the burn rate (base units: a plain number), or why there is
/// none (from this observation's readings of the objective's metrics, when it has them).
pub(crate) fn burn(
    slo: &Slo,
    state: &SloState,
    span: usize,
    record: Option<&Record>,
    at: u64,
) -> (f64, Status) {
    let (Some(&over), Some(buckets)) = (slo.spans.get(span), state.spans.get(span)) else {
        return (f64::NAN, Status::Missing);
    };
    match buckets.ratio(over, at).0 {
        buckets::Ratio::Value(r) => {
            let b = r / slo.budget;
            if b.is_finite() {
                (b, Status::Value)
            } else {
                (f64::NAN, Status::Nan)
            }
        }
        buckets::Ratio::Nan => (f64::NAN, Status::Nan),
        buckets::Ratio::NoData => {
            let status = record
                .and_then(|r| {
                    source_slots(slo)
                        .into_iter()
                        .filter_map(|s| r.status.get(s).cloned())
                        .find(|s| matches!(s, Status::Error(_) | Status::Nan))
                })
                .unwrap_or(Status::Missing);
            (f64::NAN, status)
        }
    }
}

/// An objective at one event: its error budget, what is left of it, and the burn rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SloReport {
    /// The objective's name.
    pub name: String,
    /// The generated trigger (`slo:<name>`).
    pub trigger: String,
    /// The objective, as a ratio (`0.999`).
    pub objective: f64,
    /// The period the budget is counted over.
    pub period_ms: u64,
    /// The error budget: the share of bad events allowed (`0.001`).
    pub error_budget: f64,
    /// The share of bad events over the period (the part of it the monitor has seen); none
    /// without data, or when no event happened (counters that did not move).
    pub error_ratio: Option<f64>,
    /// The share of the period's error budget that remains: `1 - error_ratio / error_budget`;
    /// negative once overspent; none when `error_ratio` is none. No data is never a full budget.
    pub budget_remaining: Option<f64>,
    /// The burn rate over each span (`"5m"`, `"1h"`, … and the period); none without data.
    pub burn_rates: BTreeMap<String, Option<f64>>,
    /// The objective in words.
    pub explanation: String,
}

/// The report of one objective at `at`.
pub(crate) fn report(slo: &Slo, state: &SloState, at: u64) -> SloReport {
    let mut burn_rates = BTreeMap::new();
    let mut parts = Vec::new();
    for (i, &over) in slo.spans.iter().enumerate() {
        let (b, status) = burn(slo, state, i, None, at);
        let shown = (status == Status::Value).then_some(b);
        parts.push(format!(
            "{} {}",
            format_duration(over),
            shown.map_or_else(
                || if status == Status::Nan {
                    "NaN".into()
                } else {
                    "no data".into()
                },
                |b| format_in(b, Unit::NONE)
            )
        ));
        burn_rates.insert(format_duration(over), shown);
    }
    let period = slo.spans.iter().position(|&s| s == slo.period_ms);
    let ratio = period
        .and_then(|p| state.spans.get(p))
        .map(|s| s.ratio(slo.period_ms, at).0);
    let error_ratio = match ratio {
        Some(buckets::Ratio::Value(r)) => Some(r),
        _ => None,
    };
    let budget_remaining = error_ratio.map(|r| 1.0 - r / slo.budget);
    let mut explanation = format!(
        "slo {}: objective {} over {}, error budget {}",
        slo.name,
        format_in(slo.objective, Unit::PERCENT),
        format_duration(slo.period_ms),
        format_in(slo.budget, Unit::PERCENT)
    );
    match (error_ratio, budget_remaining) {
        (Some(r), Some(left)) => {
            let _ = write!(
                explanation,
                "; error ratio {} over the period: {} of the budget spent, ",
                format_in(r, Unit::PERCENT),
                format_in(1.0 - left, Unit::PERCENT),
            );
            if left >= 0.0 {
                let _ = write!(explanation, "{} remains", format_in(left, Unit::PERCENT));
            } else {
                explanation.push_str("none remains");
            }
        }
        _ if ratio == Some(buckets::Ratio::Nan) => {
            explanation
                .push_str("; no event over the period (0/0): the budget remaining is unknown");
        }
        _ => explanation.push_str("; no data over the period: the budget remaining is unknown"),
    }
    let _ = write!(explanation, "; burn rates {}", parts.join(", "));
    SloReport {
        name: slo.name.clone(),
        trigger: format!("slo:{}", slo.name),
        objective: slo.objective,
        period_ms: slo.period_ms,
        error_budget: slo.budget,
        error_ratio,
        budget_remaining,
        burn_rates,
        explanation,
    }
}
