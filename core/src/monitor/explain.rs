//! Reports and explanations: per trigger and tier, the values and windows seen, the rule
//! applied to missing data, the held-for time, the counters against their limits, and what
//! would change the state.

use super::compiled::{CompiledMonitor, Tier, TierMode, Trigger};
use super::decision::{CounterReport, Observed, TierReport, TriggerReport, TriggerState};
use super::record::{Record, Status};
use super::slo::SloState;
use super::state::{Phase, TierState, WindowState};
use crate::policy::CompiledPolicy;
use crate::units::duration::format_duration;
use crate::units::{Unit, format_in};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What one observation said about one tier.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seen {
    pub observed: Observed,
    /// The missing-data rule applied, in words.
    pub rule: Option<String>,
}

/// The view of everything a report needs at one event.
pub(crate) struct View<'a> {
    pub monitor: &'a CompiledMonitor,
    pub policy: &'a CompiledPolicy,
    pub windows: &'a [WindowState],
    pub slos: &'a [SloState],
    pub judges: &'a [super::judge::JudgeState],
    /// The observation, at an `observe` event.
    pub record: Option<&'a Record>,
    pub at: u64,
}

impl View<'_> {
    fn name(&self, slot: usize) -> String {
        self.monitor.slot_name(&self.policy.inner.metrics, slot)
    }

    fn unit(&self, slot: usize) -> Unit {
        self.monitor.slot_unit(&self.policy.inner.metrics, slot)
    }
}

/// The report of one trigger.
pub(crate) fn report(
    view: &View<'_>,
    trigger: &Trigger,
    tiers: &[TierState],
    seen: &[Option<Seen>],
) -> TriggerReport {
    let reports: Vec<TierReport> = trigger
        .tiers
        .iter()
        .zip(tiers)
        .enumerate()
        .map(|(i, (tier, ts))| {
            tier_report(view, trigger, i, tier, ts, seen.get(i).cloned().flatten())
        })
        .collect();
    // The most advanced tier speaks for the trigger: the strongest of those in the highest
    // state, or the first when all are ok.
    let mut lead = 0;
    for (i, r) in reports.iter().enumerate() {
        if reports.get(lead).is_some_and(|l| {
            r.state > l.state || (r.state == l.state && r.state != TriggerState::Ok)
        }) {
            lead = i;
        }
    }
    let action = tiers.iter().rev().find_map(|ts| match ts.phase {
        Phase::Acted { action, .. } | Phase::AwaitingApproval { action, .. } => Some(action),
        _ => None,
    });
    TriggerReport {
        name: trigger.name.clone(),
        state: reports.get(lead).map_or(TriggerState::Ok, |r| r.state),
        action,
        explanation: reports
            .get(lead)
            .map(|r| r.explanation.clone())
            .unwrap_or_default(),
        tiers: reports,
    }
}

/// The state name of a phase.
pub(crate) fn state_of(phase: Phase) -> TriggerState {
    match phase {
        Phase::Ok => TriggerState::Ok,
        Phase::Pending => TriggerState::Pending,
        Phase::Firing { .. } => TriggerState::Firing,
        Phase::AwaitingApproval { .. } => TriggerState::AwaitingApproval,
        Phase::Acted { .. } => TriggerState::Acted,
    }
}

fn tier_report(
    view: &View<'_>,
    trigger: &Trigger,
    index: usize,
    tier: &Tier,
    ts: &TierState,
    seen: Option<Seen>,
) -> TierReport {
    let mut values = BTreeMap::new();
    let (mut missing, mut nan, mut errors) = (Vec::new(), Vec::new(), BTreeMap::new());
    let mut out = String::new();
    if let (Some(record), Some(seen)) = (view.record, &seen) {
        for &slot in tier.when.slots() {
            let name = view.name(slot);
            match record.status.get(slot) {
                Some(Status::Value) => {
                    values.insert(name, record.values.get(slot).copied().unwrap_or(f64::NAN));
                }
                Some(Status::Nan) => nan.push(name),
                Some(Status::Error(e)) => {
                    errors.insert(name, e.clone());
                }
                Some(Status::Missing) | None => missing.push(name),
            }
        }
        observation(view, tier, record, seen, &missing, &nan, &errors, &mut out);
        windows(view, tier, record, &mut out);
    }
    let limits = &trigger.limits;
    let c = &ts.counters;
    sep(&mut out);
    match tier.mode {
        TierMode::Immediate => out.push_str("immediate"),
        _ => {
            let _ = write!(
                out,
                "held {} of {}",
                format_duration(ts.held_ms),
                format_duration(tier.for_ms)
            );
        }
    }
    let limit = |l: Option<u32>| l.map_or_else(|| "no limit".to_owned(), |l| format!("limit {l}"));
    let _ = write!(
        out,
        "; decided {} (min {}), hits {} ({}), errors in a row {} of {}, NaN {} ({}), missing {}",
        c.decided,
        limits.min_observations,
        c.hits,
        limit(limits.failure),
        c.consecutive_errors,
        limits.consecutive_errors,
        c.inconclusive,
        limit(limits.inconclusive),
        c.missing
    );
    sep(&mut out);
    what_next(view, trigger, index, tier, ts, &mut out);
    let (reason, deadline_ms) = match ts.phase {
        Phase::Firing { reason } | Phase::Acted { reason, .. } => (Some(reason), None),
        Phase::AwaitingApproval {
            reason,
            deadline_ms,
            ..
        } => (Some(reason), deadline_ms),
        Phase::Ok | Phase::Pending => (None, None),
    };
    TierReport {
        when: tier.when.source().to_owned(),
        action: tier.action,
        state: state_of(ts.phase),
        observed: seen.as_ref().map(|s| s.observed),
        rule: seen.and_then(|s| s.rule),
        held_ms: ts.held_ms,
        for_ms: tier.for_ms,
        values,
        missing,
        nan,
        errors,
        counters: CounterReport {
            observations: c.observations,
            decided: c.decided,
            min_observations: limits.min_observations,
            hits: c.hits,
            failure_limit: limits.failure,
            missing: c.missing,
            inconclusive: c.inconclusive,
            inconclusive_limit: limits.inconclusive,
            errors: c.errors,
            consecutive_errors: c.consecutive_errors,
            consecutive_error_limit: limits.consecutive_errors,
        },
        reason,
        deadline_ms,
        explanation: out,
    }
}

fn sep(out: &mut String) {
    if !out.is_empty() {
        out.push_str("; ");
    }
}

/// What the observation said: the condition's own explanation, or why it could not decide.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one observation, each used once"
)]
fn observation(
    view: &View<'_>,
    tier: &Tier,
    record: &Record,
    seen: &Seen,
    missing: &[String],
    nan: &[String],
    errors: &BTreeMap<String, String>,
    out: &mut String,
) {
    match seen.observed {
        Observed::Hit | Observed::Clear => explain(view, tier, record, out),
        Observed::Error if errors.is_empty() => explain(view, tier, record, out),
        _ => {
            let mut parts = Vec::new();
            for (name, e) in errors {
                parts.push(format!("source error for {name}: {e}"));
            }
            for name in nan {
                parts.push(format!("{name} is NaN"));
            }
            if !missing.is_empty() {
                parts.push(format!("no data for {}", missing.join(", ")));
            }
            out.push_str(&parts.join("; "));
        }
    }
    if let Some(rule) = &seen.rule {
        let _ = write!(out, " ({rule})");
    }
}

/// The condition's own explanation (which comparisons decided it), or why it failed.
fn explain(view: &View<'_>, tier: &Tier, record: &Record, out: &mut String) {
    match tier.when.explain(&record.values, &|slot| view.name(slot)) {
        Ok((_, text)) => out.push_str(&text),
        Err(e) => {
            let _ = write!(out, "the condition cannot be evaluated: {e}");
        }
    }
}

/// The windows the condition reads: function, metric, span, samples and value.
fn windows(view: &View<'_>, tier: &Tier, record: &Record, out: &mut String) {
    for &slot in tier.when.slots() {
        let Some(w) = slot.checked_sub(view.monitor.metrics) else {
            continue;
        };
        if let Some(burn) = view.monitor.burn_at(slot) {
            burn_window(view, burn, record, slot, out);
            continue;
        }
        if let Some((i, judge)) = view.monitor.judge_at(slot)
            && let Some(js) = view.judges.get(i)
        {
            sep(out);
            out.push_str(&super::judge::judge(judge, js, view.at).explanation);
            continue;
        }
        let (Some(window), Some(ws)) = (view.monitor.windows.get(w), view.windows.get(w)) else {
            continue;
        };
        sep(out);
        let of = view.name(window.metric);
        let _ = write!(out, "{} is the {} of {of}", window.name, window.func.name());
        if let super::compiled::WindowFn::Percentile(p) = window.func {
            let _ = write!(out, " ({p})");
        }
        if let Some(to) = window.to {
            let _ = write!(out, " to {}", view.name(to));
        }
        let n = ws.samples.len();
        let _ = write!(
            out,
            " over {} ({n} sample{})",
            format_duration(window.over_ms),
            if n == 1 { "" } else { "s" }
        );
        let value = record.values.get(slot).copied().unwrap_or(f64::NAN);
        if value.is_finite() {
            let _ = write!(out, " = {}", format_in(value, view.unit(slot)));
        }
    }
}

/// A burn-rate window the condition reads: objective, span, buckets and value.
fn burn_window(
    view: &View<'_>,
    burn: &super::slo::BurnWindow,
    record: &Record,
    slot: usize,
    out: &mut String,
) {
    let (Some(slo), Some(ss)) = (view.monitor.slos.get(burn.slo), view.slos.get(burn.slo)) else {
        return;
    };
    let (Some(&over), Some(span)) = (slo.spans.get(burn.span), ss.spans.get(burn.span)) else {
        return;
    };
    sep(out);
    let n = span.ratio(over, view.at).1;
    let _ = write!(
        out,
        "{} is the burn rate of slo {} over {} ({n} bucket{})",
        burn.name,
        slo.name,
        format_duration(over),
        if n == 1 { "" } else { "s" }
    );
    let value = record.values.get(slot).copied().unwrap_or(f64::NAN);
    if value.is_finite() {
        let _ = write!(out, " = {}", format_in(value, Unit::NONE));
    }
}

/// What would change the tier's state.
fn what_next(
    view: &View<'_>,
    trigger: &Trigger,
    index: usize,
    tier: &Tier,
    ts: &TierState,
    out: &mut String,
) {
    let when = tier.when.source();
    let action = tier.action.as_str();
    match ts.phase {
        Phase::Ok => match tier.mode {
            _ if tier.for_ms == 0 || tier.mode == TierMode::Immediate => {
                let _ = write!(
                    out,
                    "calls for {action} at the first observation where `{when}` holds"
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "calls for {action} when `{when}` has held for {}",
                    format_duration(tier.for_ms)
                );
            }
        },
        Phase::Pending => {
            let _ = write!(out, "clears when `{when}` no longer holds");
            let min = trigger.limits.min_observations;
            if ts.counters.decided < min {
                let plural = if min == 1 { "" } else { "s" };
                let _ = write!(out, "; fires only after {min} decided observation{plural}");
            }
        }
        Phase::Firing { reason } => {
            let _ = write!(
                out,
                "{}: calls for {action} once tier {} has acted",
                reason.describe(),
                index.saturating_sub(1)
            );
        }
        Phase::AwaitingApproval {
            action,
            reason,
            deadline_ms,
            timed_out,
            ..
        } => {
            let approvers = match &tier.mode {
                TierMode::Manual { approvers, .. } => approvers.join(" or "),
                _ => String::new(),
            };
            let _ = write!(
                out,
                "{}: {} awaits approval by {approvers}",
                reason.describe(),
                action.as_str()
            );
            match deadline_ms {
                Some(d) if timed_out => {
                    let _ = write!(out, "; the deadline passed at {d} ms");
                }
                Some(d) => {
                    let _ = write!(
                        out,
                        " before {d} ms ({} left)",
                        format_duration(d.saturating_sub(view.at))
                    );
                }
                None => {}
            }
        }
        Phase::Acted {
            action,
            reason,
            at_ms,
        } => {
            let _ = write!(
                out,
                "called for {} at {at_ms} ms: {}",
                action.as_str(),
                reason.describe()
            );
            if !action.ends() {
                let _ = write!(out, "; clears when `{when}` no longer holds");
            }
        }
    }
}
