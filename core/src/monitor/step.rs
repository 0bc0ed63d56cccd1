//! The step function: one event in, the decision out, the state moved on.
//!
//! At every event, approval deadlines that have come are decided first (an approval is
//! accepted strictly before its deadline). An observation then updates the windows, judges
//! each tier's condition, moves its held-for time and counters, and lets the tiers that have
//! met their rule act in order: a tier acts once the tier before it has acted, unless it is
//! on the fast track.

use super::compiled::{CompiledMonitor, OnMissingRule, Tier, TierMode, Trigger, Window};
use super::decision::{Effect, Final, MonitorDecision, Observed, TriggerState};
use super::error::MonitorError;
use super::event::MonitorEvent;
use super::explain::{Seen, View, report, state_of};
use super::model::{Action, MissingRule, OnTimeout};
use super::record::{Record, Status};
use super::state::{MonitorState, Phase, Reason, Sample, TierState};
use super::summary::finish;
use super::window::{Aggregate, aggregate, evict, inside};
use super::{MAX_WINDOW_SAMPLES, end_reason_of};
use crate::diagnostic::{Code, Diagnostic};
use crate::machine::{check_time, invalid, unexpected};
use crate::policy::CompiledPolicy;
use crate::tri::Tri;

/// Takes one event: moves `state` on and returns the decision.
///
/// # Errors
/// A [`MonitorError`], leaving `state` unchanged: [`Code::NoTriggers`] for a policy without
/// triggers; [`Code::TimeWentBackwards`] for an event earlier than the last one;
/// [`Code::DuplicateObservation`] for a second observation at one time;
/// [`Code::UnexpectedEvent`] for an event after the end, or an approval nothing waits for;
/// [`Code::NotAnApprover`]; [`Code::UnknownMetric`] and [`Code::InvalidMetricValue`] for
/// readings; [`Code::WindowTooDense`]; [`Code::InvalidState`] for a state of another shape.
pub fn step(
    state: &mut MonitorState,
    policy: &CompiledPolicy,
    event: &MonitorEvent,
) -> Result<MonitorDecision, MonitorError> {
    Ok(advance(state, policy, event)?.decision())
}

/// One event taken, its decision not yet written: the effects and trigger states at once,
/// the full [`MonitorDecision`] (reports and explanations, most of a step's cost) on demand.
///
/// It borrows the state it moved on, so the decision it writes is always that of this event.
#[derive(Debug)]
pub struct Stepped<'a> {
    state: &'a MonitorState,
    policy: &'a CompiledPolicy,
    monitor: &'a CompiledMonitor,
    event: &'static str,
    at: u64,
    record: Option<Record>,
    seen: Vec<Vec<Option<Seen>>>,
    effects: Vec<Effect>,
    final_verdict: Option<Final>,
}

impl Stepped<'_> {
    /// What the host must do now, in order (the decision's `effects`).
    #[must_use]
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// Every trigger's state, in policy order (the decision's `triggers[].state`).
    pub fn states(&self) -> impl Iterator<Item = TriggerState> + '_ {
        self.state.triggers.iter().map(|t| {
            t.tiers
                .iter()
                .map(|ts| state_of(ts.phase))
                .max()
                .unwrap_or(TriggerState::Ok)
        })
    }

    /// The final verdict, when this event ended the monitor.
    #[must_use]
    pub fn final_verdict(&self) -> Option<&Final> {
        self.final_verdict.as_ref()
    }

    /// The full decision: every trigger's report and explanation.
    #[must_use]
    pub fn decision(self) -> MonitorDecision {
        let view = View {
            monitor: self.monitor,
            policy: self.policy,
            windows: &self.state.windows,
            slos: &self.state.slos,
            judges: &self.state.judges,
            record: self.record.as_ref(),
            at: self.at,
        };
        let triggers = self
            .monitor
            .triggers
            .iter()
            .zip(&self.state.triggers)
            .zip(&self.seen)
            .map(|((t, ts), seen)| report(&view, t, &ts.tiers, seen))
            .collect();
        let slos = self
            .monitor
            .slos
            .iter()
            .zip(&self.state.slos)
            .map(|(slo, ss)| super::slo::report(slo, ss, self.at))
            .collect();
        let judges = self
            .monitor
            .judges
            .iter()
            .zip(&self.state.judges)
            .map(|(j, js)| super::judge::judge(j, js, self.at))
            .collect();
        MonitorDecision {
            at_ms: self.at,
            event: self.event.to_owned(),
            triggers,
            slos,
            judges,
            wake_at_ms: if self.final_verdict.is_some() {
                None
            } else {
                wake_at(self.state)
            },
            effects: self.effects,
            final_verdict: self.final_verdict,
        }
    }
}

/// Takes one event like [`step`], without writing the decision yet: the state moves on, and
/// the returned [`Stepped`] gives the effects and trigger states, and the decision if asked.
///
/// # Errors
/// As [`step`].
pub fn advance<'a>(
    state: &'a mut MonitorState,
    policy: &'a CompiledPolicy,
    event: &MonitorEvent,
) -> Result<Stepped<'a>, MonitorError> {
    let monitor = super::monitor_of(policy)?;
    if !state.fits(monitor) {
        return Err(invalid("the state does not have the shape of this policy's triggers").into());
    }
    let at = event.at_ms();
    if let Some(end) = &state.ended {
        return Err(unexpected(format!(
            "the monitor ended at {} ms; no event is taken after its end",
            end.at_ms
        ))
        .into());
    }
    if let Some(last) = state.last_ms {
        check_time(last, at)?;
    }
    // Validate everything before changing anything.
    let mut record = match event {
        MonitorEvent::Observe { values, .. } => {
            if state.last_observation_ms == Some(at) {
                return Err(Diagnostic::error(
                    Code::DuplicateObservation,
                    format!("a second observation at {at} ms"),
                )
                .with_help("give each observation its own time, or merge the values into one")
                .with_source("event")
                .into());
            }
            let table = &policy.inner.metrics;
            let record =
                Record::read(table, monitor.derived_slots(), values).map_err(MonitorError::new)?;
            check_density(monitor, state, &record, at)?;
            Some(record)
        }
        MonitorEvent::Approve {
            trigger, persona, ..
        }
        | MonitorEvent::Reject {
            trigger, persona, ..
        } => {
            check_approval(monitor, state, trigger, persona, at)?;
            None
        }
        _ => None,
    };

    let mut effects = Vec::new();
    state.last_ms = Some(at);
    deadlines(monitor, state, at, &mut effects);
    let mut seen: Vec<Vec<Option<Seen>>> = monitor
        .triggers
        .iter()
        .map(|t| vec![None; t.tiers.len()])
        .collect();
    match event {
        MonitorEvent::Observe { .. } => {
            if let Some(record) = record.as_mut() {
                state.last_observation_ms = Some(at);
                update_windows(monitor, state, record, at);
                for (ti, trigger) in monitor.triggers.iter().enumerate() {
                    if let Some(ts) = state.triggers.get_mut(ti)
                        && let Some(seen) = seen.get_mut(ti)
                    {
                        observe(trigger, &mut ts.tiers, record, at, seen, &mut effects);
                    }
                }
            }
        }
        MonitorEvent::Approve {
            trigger,
            who,
            persona,
            ..
        } => decide_approval(
            monitor,
            state,
            trigger,
            at,
            Some((who, persona)),
            &mut effects,
        ),
        MonitorEvent::Reject { trigger, .. } => {
            decide_approval(monitor, state, trigger, at, None, &mut effects);
        }
        MonitorEvent::Tick { .. } | MonitorEvent::Abort { .. } | MonitorEvent::End { .. } => {}
    }
    let end = match event {
        MonitorEvent::Abort { reason, .. } => {
            Some((super::decision::EndReason::Abort, reason.clone()))
        }
        MonitorEvent::End { .. } => Some((super::decision::EndReason::End, None)),
        _ => end_reason_of(&effects).map(|r| (r, None)),
    };
    let final_verdict = end.map(|(reason, detail)| finish(monitor, state, reason, detail, at));
    state.ended.clone_from(&final_verdict);
    Ok(Stepped {
        state,
        policy,
        monitor,
        event: event.name(),
        at,
        record,
        seen,
        effects,
        final_verdict,
    })
}

/// Refuses an observation that would overfill a window.
fn check_density(
    monitor: &CompiledMonitor,
    state: &MonitorState,
    record: &Record,
    at: u64,
) -> Result<(), MonitorError> {
    for (w, ws) in monitor.windows.iter().zip(&state.windows) {
        // Samples are in time order: those still inside the window are a suffix.
        let kept = ws.samples.len() - ws.samples.partition_point(|s| !inside(w, s.at_ms, at));
        let added = usize::from(sample_of(w, record, at).is_some());
        if kept + added > MAX_WINDOW_SAMPLES {
            return Err(Diagnostic::error(
                Code::WindowTooDense,
                format!(
                    "window `{}` would hold more than {MAX_WINDOW_SAMPLES} observations",
                    w.name
                ),
            )
            .with_help("observe less often, or use a shorter window")
            .with_source("event")
            .into());
        }
    }
    for (j, js) in monitor.judges.iter().zip(&state.judges) {
        if super::judge::fullest_after(j, js, record, at) > MAX_WINDOW_SAMPLES {
            return Err(Diagnostic::error(
                Code::WindowTooDense,
                format!(
                    "judge `{}` would hold more than {MAX_WINDOW_SAMPLES} observations of a metric",
                    j.name
                ),
            )
            .with_help("observe less often, or give the judge a shorter window")
            .with_source("event")
            .into());
        }
    }
    Ok(())
}

/// The sample an observation adds to a window, if it has the values the window needs.
fn sample_of(w: &Window, record: &Record, at: u64) -> Option<Sample> {
    let value_of = |slot: usize| {
        (record.status.get(slot) == Some(&Status::Value))
            .then(|| record.values.get(slot).copied())
            .flatten()
    };
    let value = value_of(w.metric)?;
    let to = match w.to {
        Some(slot) => Some(value_of(slot)?),
        None => None,
    };
    Some(Sample {
        at_ms: at,
        value,
        to,
    })
}

/// Adds the observation to every window and writes each window's aggregate into its slot.
fn update_windows(
    monitor: &CompiledMonitor,
    state: &mut MonitorState,
    record: &mut Record,
    at: u64,
) {
    for (i, (w, ws)) in monitor.windows.iter().zip(&mut state.windows).enumerate() {
        evict(w, &mut ws.samples, at);
        if let Some(sample) = sample_of(w, record, at) {
            ws.samples.push_back(sample);
        }
        let slot = monitor.metrics + i;
        let (value, status) = match aggregate(w, &ws.samples) {
            Aggregate::Value(v) => (v, Status::Value),
            Aggregate::Nan => (f64::NAN, Status::Nan),
            // No samples: say why, from this observation's reading of the window's metrics.
            Aggregate::NoData => {
                let reading =
                    |slot: Option<usize>| slot.and_then(|s| record.status.get(s).cloned());
                let status = [reading(Some(w.metric)), reading(w.to)]
                    .into_iter()
                    .flatten()
                    .find(|s| matches!(s, Status::Error(_) | Status::Nan))
                    .unwrap_or(Status::Missing);
                (f64::NAN, status)
            }
        };
        if let (Some(v), Some(s)) = (record.values.get_mut(slot), record.status.get_mut(slot)) {
            *v = value;
            *s = status;
        }
    }
    for (slo, ss) in monitor.slos.iter().zip(&mut state.slos) {
        super::slo::observe(slo, ss, record, at);
    }
    let first = monitor.metrics + monitor.windows.len();
    for (i, b) in monitor.burns.iter().enumerate() {
        let (Some(slo), Some(ss)) = (monitor.slos.get(b.slo), state.slos.get(b.slo)) else {
            continue;
        };
        let (value, status) = super::slo::burn(slo, ss, b.span, Some(record), at);
        let slot = first + i;
        if let (Some(v), Some(s)) = (record.values.get_mut(slot), record.status.get_mut(slot)) {
            *v = value;
            *s = status;
        }
    }
    let first = first + monitor.burns.len();
    for (i, (j, js)) in monitor.judges.iter().zip(&mut state.judges).enumerate() {
        super::judge::observe(j, js, record, at);
        let (value, status) = match super::judge::judge(j, js, at).score {
            Some(score) => (score, Status::Value),
            None => (f64::NAN, Status::Missing),
        };
        let slot = first + i;
        if let (Some(v), Some(s)) = (record.values.get_mut(slot), record.status.get_mut(slot)) {
            *v = value;
            *s = status;
        }
    }
}

/// How an observation counts for a tier after the missing-data rule.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Effective {
    Hit,
    Clear,
    Hold,
}

/// Judges every tier of `trigger` on one observation and lets those whose rule is met act.
fn observe(
    trigger: &Trigger,
    tiers: &mut [TierState],
    record: &Record,
    at: u64,
    seen: &mut [Option<Seen>],
    effects: &mut Vec<Effect>,
) {
    for (i, (tier, ts)) in trigger.tiers.iter().zip(tiers.iter_mut()).enumerate() {
        let observed = judge(tier, record);
        let (effective, rule) = apply_missing(trigger.on_missing, observed, ts, at);
        count(ts, observed, effective, at);
        if let Some(action) = transition(trigger, tier, ts, effective) {
            effects.push(Effect::Resolved {
                trigger: trigger.name.clone(),
                tier: i,
                action,
            });
        }
        if let Some(slot) = seen.get_mut(i) {
            *slot = Some(Seen { observed, rule });
        }
    }
    for i in 0..trigger.tiers.len() {
        let Some(Phase::Firing { reason }) = tiers.get(i).map(|t| t.phase) else {
            continue;
        };
        let previous_acted = i == 0
            || tiers
                .get(i - 1)
                .is_some_and(|t| matches!(t.phase, Phase::Acted { .. }));
        let Some(tier) = trigger.tiers.get(i) else {
            continue;
        };
        if (previous_acted || tier.fast_track)
            && let Some(ts) = tiers.get_mut(i)
        {
            act(trigger, i, tier, ts, reason, at, effects);
        }
    }
}

/// What the observation says about a tier's condition.
fn judge(tier: &Tier, record: &Record) -> Observed {
    match tier.when.eval(&record.values) {
        Ok(Tri::True) => Observed::Hit,
        Ok(Tri::False) => Observed::Clear,
        Err(_) => Observed::Error,
        Ok(Tri::Unknown) => {
            let statuses = || {
                tier.when
                    .slots()
                    .iter()
                    .filter_map(|&s| record.status.get(s))
            };
            if statuses().any(|s| matches!(s, Status::Error(_))) {
                Observed::Error
            } else if statuses().any(|s| *s == Status::Nan) {
                Observed::Nan
            } else {
                Observed::Missing
            }
        }
    }
}

/// Applies the trigger's missing-data rule; NaN and errors always hold. Returns the effective
/// outcome and, for an observation without a decision, the rule applied in words.
fn apply_missing(
    rule: OnMissingRule,
    observed: Observed,
    ts: &mut TierState,
    at: u64,
) -> (Effective, Option<String>) {
    if observed != Observed::Missing {
        ts.missing_since_ms = None;
    }
    let as_rule = |r: MissingRule| match r {
        MissingRule::Hold => Effective::Hold,
        MissingRule::Fire => Effective::Hit,
        MissingRule::Resolve => Effective::Clear,
    };
    match observed {
        Observed::Hit => (Effective::Hit, None),
        Observed::Clear => (Effective::Clear, None),
        Observed::Nan => (Effective::Hold, Some("inconclusive: hold".into())),
        Observed::Error => (Effective::Hold, Some("error: hold".into())),
        Observed::Missing => match rule {
            OnMissingRule::Now(r) => (as_rule(r), Some(format!("on_missing {}", r.as_str()))),
            OnMissingRule::After { after_ms, then } => {
                let since = *ts.missing_since_ms.get_or_insert(at);
                let missing_for = at - since;
                let text = |applied: &str| {
                    Some(format!(
                        "on_missing {} after {}: missing for {}, {applied}",
                        then.as_str(),
                        crate::units::duration::format_duration(after_ms),
                        crate::units::duration::format_duration(missing_for),
                    ))
                };
                if missing_for >= after_ms {
                    (as_rule(then), text(then.as_str()))
                } else {
                    (Effective::Hold, text("hold"))
                }
            }
        },
    }
}

/// Moves the counters and the held-for time.
fn count(ts: &mut TierState, observed: Observed, effective: Effective, at: u64) {
    let c = &mut ts.counters;
    c.observations = c.observations.saturating_add(1);
    match observed {
        Observed::Hit | Observed::Clear => c.decided = c.decided.saturating_add(1),
        Observed::Missing => c.missing = c.missing.saturating_add(1),
        Observed::Nan => c.inconclusive = c.inconclusive.saturating_add(1),
        Observed::Error => c.errors = c.errors.saturating_add(1),
    }
    if observed == Observed::Error {
        c.consecutive_errors = c.consecutive_errors.saturating_add(1);
    } else {
        c.consecutive_errors = 0;
    }
    match effective {
        Effective::Hit => {
            c.hits = c.hits.saturating_add(1);
            if let Some(prev) = ts.prev_hit_ms {
                ts.held_ms = ts.held_ms.saturating_add(at.saturating_sub(prev));
            }
            ts.prev_hit_ms = Some(at);
        }
        Effective::Clear => {
            ts.held_ms = 0;
            ts.prev_hit_ms = None;
        }
        // Neither advances nor resets: the interval into the next hit is not counted.
        Effective::Hold => ts.prev_hit_ms = None,
    }
}

/// Moves a tier's phase after an observation; returns the action that no longer applies when
/// an acted warning or pause clears.
fn transition(
    trigger: &Trigger,
    tier: &Tier,
    ts: &mut TierState,
    effective: Effective,
) -> Option<Action> {
    match ts.phase {
        Phase::Ok | Phase::Pending | Phase::Firing { .. } => {
            match effective {
                Effective::Clear => ts.phase = Phase::Ok,
                Effective::Hit if ts.phase == Phase::Ok => ts.phase = Phase::Pending,
                _ => {}
            }
            if let Some(reason) = fire_reason(trigger, tier, ts, effective) {
                ts.phase = Phase::Firing { reason };
            }
            None
        }
        Phase::AwaitingApproval { .. } => None,
        Phase::Acted { action, .. } => {
            if effective == Effective::Clear && !action.ends() {
                ts.phase = Phase::Ok;
                Some(action)
            } else {
                None
            }
        }
    }
}

/// Whether the tier's rule is met at this observation, and why.
fn fire_reason(
    trigger: &Trigger,
    tier: &Tier,
    ts: &TierState,
    effective: Effective,
) -> Option<Reason> {
    let c = &ts.counters;
    let limits = &trigger.limits;
    if c.consecutive_errors > limits.consecutive_errors {
        return Some(Reason::ErrorLimit);
    }
    if limits.inconclusive.is_some_and(|l| c.inconclusive > l) {
        return Some(Reason::InconclusiveLimit);
    }
    if effective != Effective::Hit || c.decided < limits.min_observations {
        return None;
    }
    if tier.mode == TierMode::Immediate || ts.held_ms >= tier.for_ms {
        return Some(Reason::Held);
    }
    if limits.failure.is_some_and(|l| c.hits > l) {
        return Some(Reason::FailureLimit);
    }
    None
}

/// The action a tier calls for when it fires for `reason`: a limit of errors never promotes,
/// and a limit of NaN pauses at most.
fn action_for(tier: &Tier, reason: Reason) -> Action {
    match (reason, tier.action) {
        (Reason::ErrorLimit | Reason::InconclusiveLimit, Action::Promote)
        | (Reason::InconclusiveLimit, Action::Rollback) => Action::Pause,
        (_, action) => action,
    }
}

/// The tier acts: at once, or by asking for approval.
fn act(
    trigger: &Trigger,
    i: usize,
    tier: &Tier,
    ts: &mut TierState,
    reason: Reason,
    at: u64,
    effects: &mut Vec<Effect>,
) {
    let action = action_for(tier, reason);
    match &tier.mode {
        TierMode::Manual {
            approvers,
            timeout_ms,
            ..
        } => {
            let deadline_ms = timeout_ms.map(|t| at.saturating_add(t));
            ts.phase = Phase::AwaitingApproval {
                action,
                reason,
                since_ms: at,
                deadline_ms,
                timed_out: false,
            };
            effects.push(Effect::RequestApproval {
                trigger: trigger.name.clone(),
                tier: i,
                action,
                approvers: approvers.clone(),
                deadline_ms,
                reason: reason.describe().to_owned(),
            });
        }
        TierMode::Automatic | TierMode::Immediate => {
            acted(
                trigger,
                i,
                ts,
                action,
                reason,
                at,
                reason.describe().to_owned(),
                effects,
            );
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site per way of acting; a struct would only rename them"
)]
fn acted(
    trigger: &Trigger,
    i: usize,
    ts: &mut TierState,
    action: Action,
    reason: Reason,
    at: u64,
    why: String,
    effects: &mut Vec<Effect>,
) {
    ts.phase = Phase::Acted {
        action,
        reason,
        at_ms: at,
    };
    if !ts.acted.contains(&action) {
        ts.acted.push(action);
    }
    effects.push(Effect::Act {
        trigger: trigger.name.clone(),
        tier: i,
        action,
        reason: why,
    });
}

/// Decides the approval deadlines that have come by `at`.
fn deadlines(
    monitor: &CompiledMonitor,
    state: &mut MonitorState,
    at: u64,
    effects: &mut Vec<Effect>,
) {
    for (trigger, ts) in monitor.triggers.iter().zip(&mut state.triggers) {
        for (i, (tier, s)) in trigger.tiers.iter().zip(&mut ts.tiers).enumerate() {
            let Phase::AwaitingApproval {
                action,
                reason,
                deadline_ms: Some(deadline),
                timed_out: false,
                since_ms,
            } = s.phase
            else {
                continue;
            };
            if deadline > at {
                continue;
            }
            let TierMode::Manual {
                approvers,
                on_timeout,
                ..
            } = &tier.mode
            else {
                continue;
            };
            match on_timeout {
                OnTimeout::Act => acted(
                    trigger,
                    i,
                    s,
                    action,
                    reason,
                    at,
                    format!("{}; no approval before the deadline", reason.describe()),
                    effects,
                ),
                OnTimeout::Hold | OnTimeout::Escalate => {
                    s.phase = Phase::AwaitingApproval {
                        action,
                        reason,
                        since_ms,
                        deadline_ms: Some(deadline),
                        timed_out: true,
                    };
                    if *on_timeout == OnTimeout::Escalate {
                        effects.push(Effect::Escalate {
                            trigger: trigger.name.clone(),
                            tier: i,
                            action,
                            approvers: approvers.clone(),
                        });
                    }
                }
            }
        }
    }
}

/// The tier of `trigger` an approval or rejection at `at` is for: the strongest one awaiting
/// approval, once the deadlines that have come by `at` are decided (an approval at the
/// deadline of an `on_timeout: act` tier is too late).
fn awaiting(
    monitor: &CompiledMonitor,
    state: &MonitorState,
    trigger: &str,
    at: u64,
) -> Option<(usize, usize)> {
    let ti = monitor.triggers.iter().position(|t| t.name == trigger)?;
    let tiers = monitor.triggers.get(ti)?.tiers.iter();
    let states = &state.triggers.get(ti)?.tiers;
    let open = tiers
        .zip(states)
        .enumerate()
        .rev()
        .find_map(|(i, (tier, s))| {
            let Phase::AwaitingApproval {
                deadline_ms,
                timed_out,
                ..
            } = s.phase
            else {
                return None;
            };
            let acts_at_deadline = matches!(
                tier.mode,
                TierMode::Manual {
                    on_timeout: OnTimeout::Act,
                    ..
                }
            );
            let expired = !timed_out && deadline_ms.is_some_and(|d| d <= at) && acts_at_deadline;
            (!expired).then_some(i)
        })?;
    Some((ti, open))
}

fn check_approval(
    monitor: &CompiledMonitor,
    state: &MonitorState,
    trigger: &str,
    persona: &str,
    at: u64,
) -> Result<(), MonitorError> {
    let Some(t) = monitor.triggers.iter().find(|t| t.name == trigger) else {
        return Err(unexpected(format!("there is no trigger `{trigger}`")).into());
    };
    let Some((_, tier)) = awaiting(monitor, state, trigger, at) else {
        return Err(unexpected(format!(
            "trigger `{trigger}` does not wait for an approval at {at} ms"
        ))
        .into());
    };
    if let Some(Tier {
        mode: TierMode::Manual { approvers, .. },
        ..
    }) = t.tiers.get(tier)
        && !approvers.iter().any(|a| a == persona)
    {
        return Err(Diagnostic::error(
            Code::NotAnApprover,
            format!("persona `{persona}` may not approve trigger `{trigger}`"),
        )
        .with_help(format!("its approvers are {}", list(approvers)))
        .with_source("event")
        .into());
    }
    Ok(())
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Carries out a checked approval (`who` given) or rejection.
fn decide_approval(
    monitor: &CompiledMonitor,
    state: &mut MonitorState,
    trigger: &str,
    at: u64,
    approval: Option<(&String, &String)>,
    effects: &mut Vec<Effect>,
) {
    let Some((ti, i)) = awaiting(monitor, state, trigger, at) else {
        return;
    };
    let (Some(t), Some(ts)) = (
        monitor.triggers.get(ti),
        state.triggers.get_mut(ti).and_then(|x| x.tiers.get_mut(i)),
    ) else {
        return;
    };
    let Phase::AwaitingApproval { action, reason, .. } = ts.phase else {
        return;
    };
    match approval {
        Some((who, persona)) => acted(
            t,
            i,
            ts,
            action,
            reason,
            at,
            format!("{}; approved by {who} ({persona})", reason.describe()),
            effects,
        ),
        None => {
            // Rejected: the tier starts over; its counters stay.
            ts.phase = Phase::Ok;
            ts.held_ms = 0;
            ts.prev_hit_ms = None;
        }
    }
}

/// The earliest approval deadline still to come.
fn wake_at(state: &MonitorState) -> Option<u64> {
    state
        .triggers
        .iter()
        .flat_map(|t| &t.tiers)
        .filter_map(|s| match s.phase {
            Phase::AwaitingApproval {
                deadline_ms: Some(d),
                timed_out: false,
                ..
            } => Some(d),
            _ => None,
        })
        .min()
}
