//! One event through the alert engine.
//!
//! The step works on the state in place and keeps an undo record of every entry it changes (as
//! it was before), so a refused event (time going backwards, an ack for no live alert, a
//! refused silence, a limit exceeded) leaves the state as it was, without copying it.
//!
//! Order within a step: timers due at or before the event's time run first, in time order (at
//! one time: silences, acknowledgement expiries, flapping ends, external alerts' ends, then
//! group ticks in key order, then escalations); then the event; then timers due at its time
//! that the event set (a `group_wait` of 0).

use super::AlertError;
use super::compiled::{
    CompiledAlerts, GroupBy, Limit, MAX_ALERTS, MAX_GROUPS, MAX_SILENCES, Route,
};
use super::decision::{
    Accounted, AlertDecision, Effect, Live, Mute, Notification, NotifiedAlert, NotifyReason, Status,
};
use super::event::{AlertEvent, ExternalStatus, Reading};
use super::matcher::{Labels, Matcher, all_match};
use super::model::{DelayFrom, OnMissing};
use super::silence::{Silence, Spec};
use super::state::{Ack, Alert, AlertState, Escalating, Group, Hold, Origin};
use crate::condition::MetricLookup;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::machine::check_time;
use crate::metrics::RawValue;
use crate::policy::CompiledPolicy;
use crate::tri::Tri;
use std::collections::{BTreeMap, BTreeSet};

/// The most timer rounds one step runs: far more than any policy needs, a guard against a
/// timer that would not move on.
const MAX_ROUNDS: usize = 1_000_000;

/// Takes one event: the decision, with every effect and its reason.
///
/// # Errors
/// `KIRO-E138` for a policy without `alerts`; `KIRO-E042` for time going backwards;
/// `KIRO-E011`/`E022` for an observation naming an unknown metric or a value of the wrong
/// unit; `KIRO-E130` for an unreadable matcher; `KIRO-E133` for a refused silence;
/// `KIRO-E136` for an ack or expiry of an unknown alert or silence; `KIRO-E137` beyond the
/// memory bounds. The state is unchanged on error.
pub fn step(
    state: &mut AlertState,
    policy: &CompiledPolicy,
    event: &AlertEvent,
) -> Result<AlertDecision, AlertError> {
    let alerts = super::alerts_of(policy)?;
    if !state.fits(alerts) {
        return Err(crate::machine::invalid(
            "the state does not have the shape of this policy's alerts",
        )
        .into());
    }
    let at = event.at_ms();
    if let Some(last) = state.last_ms {
        check_time(last, at)?;
    }
    // In debug builds (the tests), a copy to check the undo record against.
    #[cfg(debug_assertions)]
    let before = state.clone();
    let mut cx = Step {
        policy,
        alerts,
        state,
        effects: Vec::new(),
        undo: Undo::default(),
        dirty: false,
    };
    let taken = cx.take(event, at);
    let Step {
        state,
        undo,
        effects,
        ..
    } = cx;
    if let Err(e) = taken {
        undo.rollback(state);
        #[cfg(debug_assertions)]
        debug_assert!(*state == before, "a refused event changed the alert state");
        return Err(e);
    }
    state.last_ms = Some(at);
    let wake_at_ms = next_due(alerts, state);
    let live = Live {
        alerts: state.alerts.len(),
        groups: state.groups.len(),
        silences: state.silences.len(),
    };
    Ok(AlertDecision {
        at_ms: at,
        event: event.name().to_owned(),
        effects,
        wake_at_ms,
        live,
    })
}

fn check_limits(state: &AlertState) -> Result<(), AlertError> {
    for (n, max, what) in [
        (state.alerts.len(), MAX_ALERTS, "live alerts"),
        (state.groups.len(), MAX_GROUPS, "live groups"),
        (state.silences.len(), MAX_SILENCES, "silences"),
    ] {
        if n > max {
            return Err(Diagnostic::error(
                Code::AlertLimit,
                format!("the event would make the engine hold {n} {what}, more than its limit of {max}"),
            )
            .with_help("resolve or expire some first; the limits keep the engine's memory bounded (docs/alerts.md)")
            .with_source("event")
            .into());
        }
    }
    Ok(())
}

fn event_error(code: Code, message: String, help: &str) -> AlertError {
    Diagnostic::error(code, message)
        .with_help(help)
        .with_source("event")
        .into()
}

/// The id of an alert: its labels as `name=value` joined by `,`, values quoted when they hold
/// `,`, `=`, `"`, `\`, spaces or nothing.
#[must_use]
pub fn alert_id(labels: &Labels) -> String {
    let mut out = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        if v.is_empty() || v.contains([',', '=', '"', '\\', ' ']) {
            out.push_str(&format!("{v:?}"));
        } else {
            out.push_str(v);
        }
    }
    out
}

/// The earliest timer of the state, if any.
pub(crate) fn next_due(alerts: &CompiledAlerts, state: &AlertState) -> Option<u64> {
    let mut due: Option<u64> = None;
    let mut at = |t: u64| due = Some(due.map_or(t, |d| d.min(t)));
    for s in state.silences.values() {
        at(if s.active { s.ends_ms } else { s.starts_ms });
    }
    for a in state.alerts.values() {
        if a.firing {
            if let Some(until) = a.ack.as_ref().and_then(|k| k.until_ms) {
                at(until);
            }
            if let Some(end) = a.ends_ms {
                at(end);
            }
        }
        if a.flapping
            && let (Some(last), Some(f)) = (a.changes.back(), alerts.flapping)
        {
            at(last.saturating_add(f.window_ms));
        }
    }
    for g in state.groups.values() {
        at(g.next_tick_ms);
        if let Some(b) = g.batch_due_ms {
            at(b);
        }
        if let Some(d) = escalation_due(alerts, state, g) {
            at(d);
        }
    }
    due
}

/// When a group's next escalation level is due: only while some alert of the group's last
/// notification is firing, unmuted and not acknowledged (what was never notified does not
/// escalate).
fn escalation_due(alerts: &CompiledAlerts, state: &AlertState, g: &Group) -> Option<u64> {
    let esc = alerts.escalation.as_ref()?;
    let e = g.escalation.as_ref()?;
    let level = esc.levels.get(e.next as usize)?;
    let waiting = g
        .notified
        .iter()
        .filter_map(|id| state.alerts.get(id))
        .any(|a| active(a) && a.ack.is_none());
    if !waiting {
        return None;
    }
    let from = match esc.from {
        DelayFrom::Start => e.start_ms,
        DelayFrom::Previous => e.last_ms,
    };
    Some(from.saturating_add(level.after_ms))
}

/// Firing, not muted, not held back.
fn active(a: &Alert) -> bool {
    a.firing && a.muted.is_none() && a.hold.is_none()
}

struct Step<'a> {
    policy: &'a CompiledPolicy,
    alerts: &'a CompiledAlerts,
    state: &'a mut AlertState,
    effects: Vec<Effect>,
    /// What the step changed, to put back if the event is refused.
    undo: Undo,
    /// Whether something the mutes depend on (an alert firing or resolving, a silence added,
    /// started or ended) changed since the mutes were last computed. At the start of a step the
    /// mutes are current: every step ends with them computed.
    dirty: bool,
}

/// The entries a step has changed, as they were before it: a refused event puts them back,
/// so the step works in place instead of on a copy of the whole state.
#[derive(Default)]
struct Undo {
    rules: Option<Vec<super::state::RuleState>>,
    alerts: BTreeMap<String, Option<Alert>>,
    groups: BTreeMap<String, Option<Group>>,
    silences: BTreeMap<String, Option<Silence>>,
}

impl Undo {
    fn rollback(self, state: &mut AlertState) {
        if let Some(rules) = self.rules {
            state.rules = rules;
        }
        put_back(&mut state.alerts, self.alerts);
        put_back(&mut state.groups, self.groups);
        put_back(&mut state.silences, self.silences);
    }
}

fn put_back<V>(map: &mut BTreeMap<String, V>, undo: BTreeMap<String, Option<V>>) {
    for (key, old) in undo {
        match old {
            Some(v) => {
                map.insert(key, v);
            }
            None => {
                map.remove(&key);
            }
        }
    }
}

/// Records an entry as it is before its first change in the step.
fn keep<V: Clone>(map: &BTreeMap<String, V>, undo: &mut BTreeMap<String, Option<V>>, key: &str) {
    if !undo.contains_key(key) {
        undo.insert(key.to_owned(), map.get(key).cloned());
    }
}

impl Step<'_> {
    fn keep_alert(&mut self, id: &str) {
        keep(&self.state.alerts, &mut self.undo.alerts, id);
    }

    fn keep_group(&mut self, key: &str) {
        keep(&self.state.groups, &mut self.undo.groups, key);
    }

    fn keep_silence(&mut self, id: &str) {
        keep(&self.state.silences, &mut self.undo.silences, id);
    }

    /// The whole event: timers due before it, the event, timers it set, the memory bounds.
    fn take(&mut self, event: &AlertEvent, at: u64) -> Result<(), AlertError> {
        self.run_timers(at)?;
        self.event(event, at)?;
        self.run_timers(at)?;
        self.collect(at);
        check_limits(self.state)
    }

    fn run_timers(&mut self, now: u64) -> Result<(), AlertError> {
        for _ in 0..MAX_ROUNDS {
            let Some(due) = next_due(self.alerts, self.state) else {
                return Ok(());
            };
            if due > now {
                return Ok(());
            }
            self.timers_at(due);
            self.recompute(due);
        }
        Err(Diagnostic::error(Code::Internal, "the alert engine's timers did not settle").into())
    }

    /// Every timer due at `t`.
    fn timers_at(&mut self, t: u64) {
        // Silences.
        let ids: Vec<String> = self
            .state
            .silences
            .iter()
            .filter(|(_, s)| {
                if s.active {
                    s.ends_ms <= t
                } else {
                    s.starts_ms <= t
                }
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.keep_silence(&id);
            self.dirty = true;
            let Some(s) = self.state.silences.get_mut(&id) else {
                continue;
            };
            if !s.active && s.starts_ms <= t {
                s.active = true;
                self.effects.push(Effect::SilenceStarted {
                    at_ms: t,
                    id: id.clone(),
                });
            }
            if let Some(s) = self.state.silences.get(&id)
                && s.active
                && s.ends_ms <= t
            {
                self.state.silences.remove(&id);
                self.effects.push(Effect::SilenceEnded {
                    at_ms: t,
                    id,
                    reason: "ended".into(),
                });
            }
        }
        self.recompute(t);
        // Acknowledgement expiries, flapping ends, external ends.
        // Only the alerts with a timer due take part (acting on one never changes another's).
        let ids: Vec<String> = self
            .state
            .alerts
            .iter()
            .filter(|(_, a)| {
                (a.firing
                    && (a
                        .ack
                        .as_ref()
                        .and_then(|k| k.until_ms)
                        .is_some_and(|u| u <= t)
                        || a.ends_ms.is_some_and(|e| e <= t)))
                    || a.flapping
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            self.keep_alert(id);
            let Some(a) = self.state.alerts.get_mut(id) else {
                continue;
            };
            if a.firing
                && let Some(ack) = a.ack.clone()
                && ack.until_ms.is_some_and(|u| u <= t)
            {
                a.ack = None;
                let groups = a.groups.clone();
                self.effects.push(Effect::AckExpired {
                    at_ms: t,
                    alert: id.clone(),
                    by: ack.by,
                });
                for key in groups {
                    self.restart_escalation(&key, t, "an acknowledgement expired");
                }
            }
        }
        if let Some(flap) = self.alerts.flapping {
            for id in &ids {
                self.keep_alert(id);
                let Some(a) = self.state.alerts.get_mut(id) else {
                    continue;
                };
                if a.flapping
                    && a.changes
                        .back()
                        .is_some_and(|l| l.saturating_add(flap.window_ms) <= t)
                {
                    a.flapping = false;
                    a.changes.clear();
                    let firing = a.firing;
                    if a.hold == Some(Hold::Flapping) {
                        a.hold = None;
                    }
                    self.effects.push(Effect::Flapping {
                        at_ms: t,
                        alert: id.clone(),
                        started: false,
                        changes: 0,
                    });
                    if firing {
                        self.route(id, t);
                    }
                }
            }
        }
        for id in &ids {
            if self
                .state
                .alerts
                .get(id)
                .is_some_and(|a| a.firing && a.ends_ms.is_some_and(|e| e <= t))
            {
                self.resolve(
                    id,
                    t,
                    "its end time passed without the alert being sent again",
                );
            }
        }
        self.recompute(t);
        // Group ticks and batches.
        let keys: Vec<String> = self
            .state
            .groups
            .iter()
            .filter(|(_, g)| g.next_tick_ms <= t || g.batch_due_ms.is_some_and(|b| b <= t))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &keys {
            let due = self
                .state
                .groups
                .get(key)
                .is_some_and(|g| g.next_tick_ms <= t || g.batch_due_ms.is_some_and(|b| b <= t));
            if due {
                self.flush(key, t);
            }
        }
        // Escalations.
        let keys: Vec<String> = self
            .state
            .groups
            .iter()
            .filter(|(_, g)| escalation_due(self.alerts, self.state, g).is_some_and(|d| d <= t))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &keys {
            self.escalate(key, t);
        }
    }

    fn event(&mut self, event: &AlertEvent, at: u64) -> Result<(), AlertError> {
        match event {
            AlertEvent::Tick { .. } => {}
            AlertEvent::Observe { values, .. } => self.observe(values, at)?,
            AlertEvent::External { alerts, .. } => {
                for ext in alerts {
                    let id = alert_id(&ext.labels);
                    let resolved = ext.status == Some(ExternalStatus::Resolved)
                        || ext.ends_ms.is_some_and(|e| e <= at);
                    let live_firing = self.state.alerts.get(&id).is_some_and(|a| a.firing);
                    if resolved {
                        if live_firing {
                            self.resolve(&id, at, "resolved by its source");
                        }
                    } else if live_firing {
                        self.keep_alert(&id);
                        if let Some(a) = self.state.alerts.get_mut(&id) {
                            a.annotations = ext.annotations.clone();
                            a.ends_ms = ext.ends_ms;
                        }
                    } else {
                        self.fire(
                            &id,
                            &ext.labels,
                            ext.annotations.clone(),
                            Origin::External,
                            ext.ends_ms,
                            at,
                            "sent by its source",
                        );
                    }
                }
            }
            AlertEvent::Ack {
                by,
                alerts,
                matchers,
                expires_ms,
                ..
            } => {
                self.ack(by, alerts, matchers, *expires_ms, at)?;
            }
            AlertEvent::Silence {
                id,
                matchers,
                starts_ms,
                ends_ms,
                until_resolved,
                reason,
                author,
                ..
            } => {
                if self.state.silences.contains_key(id) {
                    return Err(event_error(
                        Code::SilenceRefused,
                        format!("a silence `{id}` already exists"),
                        "give each silence its own id, or expire the old one first",
                    ));
                }
                let compiled = matchers
                    .iter()
                    .map(|m| Matcher::parse(m, Span::default()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|d| AlertError::from(d.with_source("event")))?;
                let starts = starts_ms.unwrap_or(at);
                let ends = match (ends_ms, until_resolved) {
                    (Some(e), _) => Some(*e),
                    (None, true) => None,
                    (None, false) => {
                        return Err(event_error(
                            Code::SilenceRefused,
                            format!("the silence `{id}` has no end"),
                            "give `ends_ms`, or `until_resolved: true`",
                        ));
                    }
                };
                Spec {
                    matchers: &compiled,
                    starts_ms: starts,
                    ends_ms: ends,
                    reason,
                    author,
                }
                .check(self.alerts.max_silence_ms)
                .map_err(|d| AlertError::from(d.with_source("event")))?;
                self.keep_silence(id);
                self.dirty = true;
                self.state.silences.insert(
                    id.clone(),
                    Silence {
                        matchers: matchers.clone(),
                        starts_ms: starts,
                        ends_ms: ends
                            .unwrap_or_else(|| starts.saturating_add(self.alerts.max_silence_ms)),
                        until_resolved: *until_resolved && ends.is_none(),
                        matched: false,
                        active: false,
                        reason: reason.clone(),
                        author: author.clone(),
                    },
                );
            }
            AlertEvent::ExpireSilence { id, .. } => {
                self.keep_silence(id);
                self.dirty = true;
                if self.state.silences.remove(id).is_none() {
                    return Err(event_error(
                        Code::UnknownAlert,
                        format!("no silence `{id}` is held"),
                        "expire a silence that was created and has not ended",
                    ));
                }
                self.effects.push(Effect::SilenceEnded {
                    at_ms: at,
                    id: id.clone(),
                    reason: "expired".into(),
                });
            }
        }
        self.recompute(at);
        Ok(())
    }

    fn observe(&mut self, values: &BTreeMap<String, Reading>, at: u64) -> Result<(), AlertError> {
        let table = &self.policy.inner.metrics;
        let mut slots = vec![f64::NAN; table.slots().len()];
        let mut problems = Vec::new();
        let mut shown = serde_json::Map::new();
        for m in table.slots() {
            shown.insert(m.name.clone(), serde_json::Value::Null);
        }
        for (name, reading) in values {
            let Some(slot) = table.slot_of(name) else {
                let help = crate::diagnostic::did_you_mean(name, table.names()).map_or_else(
                    || "observe only the metrics the policy declares".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                problems.push(
                    Diagnostic::error(
                        Code::UnknownMetric,
                        format!(
                            "the observation names `{name}`, which the policy does not declare"
                        ),
                    )
                    .with_help(help)
                    .with_source("event"),
                );
                continue;
            };
            let raw = match reading {
                Reading::Failed { .. } | Reading::Missing => continue,
                Reading::Text(t) if t.trim().eq_ignore_ascii_case("nan") => continue,
                Reading::Number(x) if x.is_nan() => continue,
                Reading::Bool(b) => RawValue::Bool(*b),
                Reading::Number(x) => RawValue::Number(*x),
                Reading::Text(t) => RawValue::Text(t.clone()),
            };
            shown.insert(
                name.clone(),
                serde_json::to_value(reading).unwrap_or_default(),
            );
            let unit = table.get(slot).map_or(crate::units::Unit::NONE, |m| m.unit);
            match crate::metrics::bind::convert(name, &raw, unit) {
                Ok(v) => {
                    if let Some(s) = slots.get_mut(slot) {
                        *s = v;
                    }
                }
                Err(d) => problems.push(d.with_source("event")),
            }
        }
        if !problems.is_empty() {
            return Err(AlertError::new(problems));
        }
        let metrics = serde_json::Value::Object(shown);
        if self.undo.rules.is_none() {
            self.undo.rules = Some(self.state.rules.clone());
        }
        for (i, rule) in self.alerts.rules.iter().enumerate() {
            let tri = rule.when.eval(&slots).unwrap_or(Tri::Unknown);
            let holds = match (tri, rule.on_missing) {
                (Tri::True, _) | (Tri::Unknown, OnMissing::Fire) => Some(true),
                (Tri::False, _) | (Tri::Unknown, OnMissing::Resolve) => Some(false),
                (Tri::Unknown, OnMissing::Hold) => None,
            };
            let missing = tri == Tri::Unknown;
            let id = alert_id(&rule.labels);
            let firing = self.state.alerts.get(&id).is_some_and(|a| a.firing);
            let Some(rs) = self.state.rules.get_mut(i) else {
                continue;
            };
            match holds {
                None => {}
                Some(true) => {
                    rs.clear_since_ms = None;
                    let since = *rs.since_ms.get_or_insert(at);
                    if !firing {
                        if at.saturating_sub(since) >= rule.for_ms {
                            let mut annotations = BTreeMap::new();
                            let context = super::template::context(&rule.labels, &metrics);
                            for (key, template) in [
                                ("summary", &rule.summary),
                                ("description", &rule.description),
                            ] {
                                if let Some(t) = template {
                                    let text =
                                        super::template::render(t, &context).unwrap_or_else(|e| {
                                            format!("(the template did not render: {e})")
                                        });
                                    annotations.insert(key.to_owned(), text);
                                }
                            }
                            let reason = if missing {
                                "no data for the condition, and `on_missing: fire`".to_owned()
                            } else if rule.for_ms > 0 {
                                format!(
                                    "`{}` held for {}",
                                    rule.when.source(),
                                    crate::units::duration::format_duration(rule.for_ms)
                                )
                            } else {
                                format!("`{}` holds", rule.when.source())
                            };
                            self.fire(
                                &id,
                                &rule.labels,
                                annotations,
                                Origin::Rule,
                                None,
                                at,
                                &reason,
                            );
                        } else if since == at {
                            self.effects.push(Effect::Alert {
                                at_ms: at,
                                alert: id,
                                to: Status::Pending,
                                reason: format!(
                                    "`{}` holds; fires after {}",
                                    rule.when.source(),
                                    crate::units::duration::format_duration(rule.for_ms)
                                ),
                            });
                        }
                    }
                }
                Some(false) => {
                    let was_pending = rs.since_ms.is_some() && !firing;
                    rs.since_ms = None;
                    if firing {
                        let clear = *rs.clear_since_ms.get_or_insert(at);
                        if at.saturating_sub(clear) >= rule.keep_ms {
                            rs.clear_since_ms = None;
                            let reason = if missing {
                                "no data for the condition, and `on_missing: resolve`".to_owned()
                            } else if rule.keep_ms > 0 {
                                format!(
                                    "`{}` has not held for {} (`keep_firing_for`)",
                                    rule.when.source(),
                                    crate::units::duration::format_duration(rule.keep_ms)
                                )
                            } else {
                                format!("`{}` no longer holds", rule.when.source())
                            };
                            self.resolve(&id, at, &reason);
                        }
                    } else if was_pending {
                        self.effects.push(Effect::Alert {
                            at_ms: at,
                            alert: id,
                            to: Status::Inactive,
                            reason: format!(
                                "`{}` stopped holding before `for`",
                                rule.when.source()
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// A new occurrence of alert `id`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per origin, all fields needed"
    )]
    fn fire(
        &mut self,
        id: &str,
        labels: &Labels,
        annotations: BTreeMap<String, String>,
        origin: Origin,
        ends_ms: Option<u64>,
        at: u64,
        reason: &str,
    ) {
        self.keep_alert(id);
        self.dirty = true;
        let inhibit = &self.alerts.inhibit;
        let a = self
            .state
            .alerts
            .entry(id.to_owned())
            .or_insert_with(|| Alert {
                labels: labels.clone(),
                annotations: BTreeMap::new(),
                origin,
                firing: false,
                since_ms: at,
                started_ms: at,
                ends_ms: None,
                muted: None,
                hold: None,
                changes: Default::default(),
                flapping: false,
                dup_first_ms: None,
                dup_count: 0,
                ack: None,
                groups: Vec::new(),
                inhibits: rules_matching(inhibit, labels, |r| &r.source),
                inhibitable: rules_matching(inhibit, labels, |r| &r.target),
            });
        a.firing = true;
        a.since_ms = at;
        a.started_ms = at;
        a.annotations = annotations;
        a.ends_ms = ends_ms;
        a.ack = None;
        a.hold = None;
        self.effects.push(Effect::Alert {
            at_ms: at,
            alert: id.to_owned(),
            to: Status::Firing,
            reason: reason.to_owned(),
        });
        if self.flap_change(id, at) {
            return;
        }
        if let Some(Limit { count, window_ms }) = self.alerts.dedup
            && let Some(a) = self.state.alerts.get_mut(id)
        {
            match a.dup_first_ms {
                Some(first) if at.saturating_sub(first) < window_ms && a.dup_count < count => {
                    a.dup_count += 1;
                    a.hold = Some(Hold::Duplicate);
                    let count = a.dup_count;
                    self.effects.push(Effect::Accounted {
                        at_ms: at,
                        alert: id.to_owned(),
                        reason: Accounted::Duplicate {
                            of_ms: first,
                            count,
                        },
                    });
                    return;
                }
                _ => {
                    a.dup_first_ms = Some(at);
                    a.dup_count = 0;
                }
            }
        }
        self.route(id, at);
    }

    /// Records a fire or resolve for flapping; whether the alert is (now) flapping, which
    /// accounts for the change.
    fn flap_change(&mut self, id: &str, at: u64) -> bool {
        let Some(flap) = self.alerts.flapping else {
            return false;
        };
        self.keep_alert(id);
        let Some(a) = self.state.alerts.get_mut(id) else {
            return false;
        };
        while a
            .changes
            .front()
            .is_some_and(|&c| c.saturating_add(flap.window_ms) <= at)
        {
            a.changes.pop_front();
        }
        a.changes.push_back(at);
        while a.changes.len() > flap.count as usize + 1 {
            a.changes.pop_front();
        }
        if a.flapping {
            if a.firing {
                a.hold = Some(Hold::Flapping);
            }
            self.effects.push(Effect::Accounted {
                at_ms: at,
                alert: id.to_owned(),
                reason: Accounted::Flapping,
            });
            return true;
        }
        if a.changes.len() <= flap.count as usize {
            return false;
        }
        a.flapping = true;
        if a.firing {
            a.hold = Some(Hold::Flapping);
        }
        let changes = u32::try_from(a.changes.len()).unwrap_or(u32::MAX);
        let labels = a.labels.clone();
        let groups = std::mem::take(&mut a.groups);
        let notified = self.notified(id);
        for key in &groups {
            self.keep_group(key);
            if let Some(g) = self.state.groups.get_mut(key) {
                g.members.remove(id);
                g.notified.remove(id);
            }
        }
        self.effects.push(Effect::Flapping {
            at_ms: at,
            alert: id.to_owned(),
            started: true,
            changes,
        });
        let (firing, resolved) = if notified.status == Status::Firing {
            (vec![id.to_owned()], Vec::new())
        } else {
            (Vec::new(), vec![id.to_owned()])
        };
        let mut seen = BTreeSet::new();
        for r in self.matching_routes(&labels) {
            let Some(route) = self.alerts.routes.get(r) else {
                continue;
            };
            if !seen.insert(route.receiver) {
                continue;
            }
            let key = group_key(route, &labels);
            self.effects.push(Effect::Notify(self.notification(
                route,
                &key,
                at,
                NotifyReason::Flapping,
                firing.clone(),
                resolved.clone(),
                None,
                &[],
            )));
        }
        self.effects.push(Effect::Accounted {
            at_ms: at,
            alert: id.to_owned(),
            reason: Accounted::Flapping,
        });
        true
    }

    fn resolve(&mut self, id: &str, at: u64, reason: &str) {
        self.keep_alert(id);
        self.dirty = true;
        let Some(a) = self.state.alerts.get_mut(id) else {
            return;
        };
        a.firing = false;
        a.since_ms = at;
        a.ack = None;
        a.ends_ms = None;
        let held = a.hold.take();
        self.effects.push(Effect::Alert {
            at_ms: at,
            alert: id.to_owned(),
            to: Status::Resolved,
            reason: reason.to_owned(),
        });
        if self.flap_change(id, at) {
            return;
        }
        if held == Some(Hold::Duplicate) {
            self.effects.push(Effect::Accounted {
                at_ms: at,
                alert: id.to_owned(),
                reason: Accounted::Duplicate {
                    of_ms: self
                        .state
                        .alerts
                        .get(id)
                        .and_then(|a| a.dup_first_ms)
                        .unwrap_or(at),
                    count: self.state.alerts.get(id).map_or(0, |a| a.dup_count),
                },
            });
        }
    }

    /// The routes an alert matches, in tree order.
    fn matching_routes(&self, labels: &Labels) -> Vec<usize> {
        let mut out = Vec::new();
        walk(&self.alerts.routes, 0, labels, &mut out);
        if out.is_empty() {
            out.push(0);
        }
        out
    }

    /// Puts a firing alert into the groups of the routes it matches.
    fn route(&mut self, id: &str, at: u64) {
        let Some(labels) = self.state.alerts.get(id).map(|a| a.labels.clone()) else {
            return;
        };
        let mut keys = Vec::new();
        for r in self.matching_routes(&labels) {
            let Some(route) = self.alerts.routes.get(r) else {
                continue;
            };
            let key = group_key(route, &labels);
            self.keep_group(&key);
            let g = self
                .state
                .groups
                .entry(key.clone())
                .or_insert_with(|| Group {
                    route: r,
                    labels: group_labels(route, &labels),
                    members: BTreeSet::new(),
                    notified: BTreeSet::new(),
                    created_ms: at,
                    last_notify_ms: None,
                    next_tick_ms: at.saturating_add(route.group_wait_ms),
                    batch_due_ms: None,
                    escalation: None,
                });
            g.members.insert(id.to_owned());
            if let Some(b) = route.batching {
                let due = *g.batch_due_ms.get_or_insert(at.saturating_add(b.window_ms));
                let waiting = g
                    .members
                    .iter()
                    .filter(|m| !g.notified.contains(*m))
                    .count();
                if waiting >= b.size as usize && due > at {
                    g.batch_due_ms = Some(at);
                }
            }
            if route.escalate && self.alerts.escalation.is_some() {
                let restarted = g.escalation.is_some();
                g.escalation = Some(Escalating {
                    start_ms: at,
                    next: 0,
                    last_ms: at,
                });
                if restarted {
                    self.effects.push(Effect::EscalationRestarted {
                        at_ms: at,
                        group: key.clone(),
                        reason: format!("`{id}` joined the group"),
                    });
                }
            }
            keys.push(key);
        }
        self.keep_alert(id);
        if let Some(a) = self.state.alerts.get_mut(id) {
            for k in &keys {
                if !a.groups.contains(k) {
                    a.groups.push(k.clone());
                }
            }
        }
        self.effects.push(Effect::Routed {
            at_ms: at,
            alert: id.to_owned(),
            groups: keys,
        });
    }

    fn notified(&self, id: &str) -> NotifiedAlert {
        match self.state.alerts.get(id) {
            Some(a) => NotifiedAlert {
                id: id.to_owned(),
                status: if a.firing {
                    Status::Firing
                } else {
                    Status::Resolved
                },
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_ms: a.started_ms,
                ends_ms: (!a.firing).then_some(a.since_ms),
            },
            None => NotifiedAlert {
                id: id.to_owned(),
                status: Status::Resolved,
                labels: Labels::new(),
                annotations: BTreeMap::new(),
                starts_ms: 0,
                ends_ms: None,
            },
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a notification has this many parts"
    )]
    fn notification(
        &self,
        route: &Route,
        key: &str,
        at: u64,
        reason: NotifyReason,
        firing: Vec<String>,
        resolved: Vec<String>,
        batched: Option<u32>,
        extra: &[NotifiedAlert],
    ) -> Notification {
        let receiver = self.alerts.receivers.get(route.receiver);
        let mut alerts: Vec<NotifiedAlert> = firing
            .iter()
            .chain(&resolved)
            .map(|id| self.notified(id))
            .collect();
        if alerts.is_empty() {
            alerts.extend(extra.iter().cloned());
        }
        let group_labels = self.state.groups.get(key).map_or_else(
            || {
                let labels = alerts.first().map(|a| a.labels.clone()).unwrap_or_default();
                group_labels(route, &labels)
            },
            |g| g.labels.clone(),
        );
        Notification {
            at_ms: at,
            receiver: receiver.map(|r| r.name.clone()).unwrap_or_default(),
            channel: receiver.map_or(super::model::ChannelKind::Webhook, |r| r.channel),
            to: receiver.and_then(|r| r.to.clone()),
            group: key.to_owned(),
            route: route.id.clone(),
            group_labels,
            reason,
            firing,
            resolved,
            batched,
            alerts,
        }
    }

    /// A group's tick (or its batch falling due).
    fn flush(&mut self, key: &str, t: u64) {
        let Some(g) = self.state.groups.get(key).cloned() else {
            return;
        };
        let Some(route) = self.alerts.routes.get(g.route) else {
            return;
        };
        let send_resolved = self
            .alerts
            .receivers
            .get(route.receiver)
            .is_none_or(|r| r.send_resolved);
        let tick = g.next_tick_ms <= t;
        let batch_due = g.batch_due_ms.is_some_and(|b| b <= t);
        let firing: Vec<String> = g
            .members
            .iter()
            .filter(|id| self.state.alerts.get(*id).is_some_and(active))
            .cloned()
            .collect();
        let new: Vec<String> = firing
            .iter()
            .filter(|id| !g.notified.contains(*id))
            .cloned()
            .collect();
        let held_back = route.batching.is_some() && !new.is_empty() && !batch_due;
        let listed: Vec<String> = if held_back {
            firing
                .iter()
                .filter(|id| g.notified.contains(*id))
                .cloned()
                .collect()
        } else {
            firing.clone()
        };
        let resolved: Vec<String> = g
            .notified
            .iter()
            .filter(|id| self.state.alerts.get(*id).is_none_or(|a| !a.firing))
            .cloned()
            .collect();
        let sent_new = !held_back && !new.is_empty();
        let sent_resolved = send_resolved && !resolved.is_empty();
        let repeat = g
            .last_notify_ms
            .is_some_and(|l| t >= l.saturating_add(route.repeat_interval_ms))
            && !listed.is_empty();
        let mut batched = None;
        let reason = if sent_new && route.batching.is_some() && batch_due {
            batched = Some(u32::try_from(new.len()).unwrap_or(u32::MAX));
            Some(NotifyReason::Batched)
        } else if sent_new && g.last_notify_ms.is_none() {
            Some(NotifyReason::First)
        } else if sent_new || (sent_resolved && !listed.is_empty()) {
            Some(NotifyReason::Update)
        } else if sent_resolved {
            Some(NotifyReason::Resolved)
        } else if tick && repeat {
            Some(NotifyReason::Repeat)
        } else {
            None
        };
        if let Some(reason) = reason {
            let n = self.notification(
                route,
                key,
                t,
                reason,
                listed.clone(),
                if send_resolved {
                    resolved.clone()
                } else {
                    Vec::new()
                },
                batched,
                &[],
            );
            self.effects.push(Effect::Notify(n));
        }
        // Members that resolved leave the group; those never notified are accounted for.
        let gone: Vec<String> = g
            .members
            .iter()
            .filter(|id| self.state.alerts.get(*id).is_none_or(|a| !a.firing))
            .cloned()
            .collect();
        for id in &gone {
            if !g.notified.contains(id) {
                self.effects.push(Effect::Accounted {
                    at_ms: t,
                    alert: id.clone(),
                    reason: Accounted::ResolvedBeforeNotified {
                        group: key.to_owned(),
                    },
                });
            }
            self.keep_alert(id);
            if let Some(a) = self.state.alerts.get_mut(id) {
                a.groups.retain(|k| k != key);
            }
        }
        self.keep_group(key);
        let Some(gm) = self.state.groups.get_mut(key) else {
            return;
        };
        for id in &gone {
            gm.members.remove(id);
        }
        if reason.is_some() {
            gm.notified = listed.into_iter().collect();
            gm.last_notify_ms = Some(t);
        } else {
            gm.notified.retain(|id| !resolved.contains(id));
        }
        if batch_due {
            gm.batch_due_ms = None;
        }
        if tick {
            gm.next_tick_ms = t.saturating_add(route.group_interval_ms);
        }
        if gm.members.is_empty() {
            self.state.groups.remove(key);
        } else if held_back && gm.batch_due_ms.is_none() {
            gm.batch_due_ms = route.batching.map(|b| t.saturating_add(b.window_ms));
        }
    }

    fn escalate(&mut self, key: &str, t: u64) {
        let Some(esc) = self.alerts.escalation.as_ref() else {
            return;
        };
        let Some(g) = self.state.groups.get(key) else {
            return;
        };
        let Some(due) = escalation_due(self.alerts, self.state, g) else {
            return;
        };
        if due > t {
            return;
        }
        let Some(e) = g.escalation.clone() else {
            return;
        };
        let Some(level) = esc.levels.get(e.next as usize) else {
            return;
        };
        let waiting: Vec<String> = g
            .notified
            .iter()
            .filter(|id| {
                self.state
                    .alerts
                    .get(*id)
                    .is_some_and(|a| active(a) && a.ack.is_none())
            })
            .cloned()
            .collect();
        let reason = match esc.from {
            DelayFrom::Start => format!(
                "{} after the group's escalation started, unacknowledged",
                crate::units::duration::format_duration(level.after_ms)
            ),
            DelayFrom::Previous if e.next == 0 => format!(
                "{} after the group's escalation started, unacknowledged",
                crate::units::duration::format_duration(level.after_ms)
            ),
            DelayFrom::Previous => format!(
                "{} after level {}, unacknowledged",
                crate::units::duration::format_duration(level.after_ms),
                e.next
            ),
        };
        self.effects.push(Effect::Escalate {
            at_ms: due,
            group: key.to_owned(),
            level: e.next + 1,
            targets: level.targets.clone(),
            alerts: waiting,
            reason,
        });
        self.keep_group(key);
        if let Some(gm) = self.state.groups.get_mut(key)
            && let Some(em) = gm.escalation.as_mut()
        {
            em.next += 1;
            em.last_ms = due;
        }
    }

    fn restart_escalation(&mut self, key: &str, t: u64, why: &str) {
        if self.alerts.escalation.is_none() {
            return;
        }
        if self
            .state
            .groups
            .get(key)
            .is_none_or(|g| g.escalation.is_none())
        {
            return;
        }
        self.keep_group(key);
        let Some(g) = self.state.groups.get_mut(key) else {
            return;
        };
        g.escalation = Some(Escalating {
            start_ms: t,
            next: 0,
            last_ms: t,
        });
        self.effects.push(Effect::EscalationRestarted {
            at_ms: t,
            group: key.to_owned(),
            reason: why.to_owned(),
        });
    }

    fn ack(
        &mut self,
        by: &str,
        ids: &[String],
        matchers: &[String],
        expires_ms: Option<u64>,
        at: u64,
    ) -> Result<(), AlertError> {
        if ids.is_empty() && matchers.is_empty() {
            return Err(event_error(
                Code::UnknownAlert,
                "the acknowledgement names no alert".into(),
                "give `alerts` (ids) or `matchers`",
            ));
        }
        let mut targets: Vec<String> = Vec::new();
        for id in ids {
            if !self.state.alerts.get(id).is_some_and(|a| a.firing) {
                let help = crate::diagnostic::did_you_mean(
                    id,
                    self.state.alerts.keys().map(String::as_str),
                )
                .map_or_else(
                    || "acknowledge an alert that is firing".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                return Err(event_error(
                    Code::UnknownAlert,
                    format!("no firing alert `{id}` to acknowledge"),
                    &help,
                ));
            }
            targets.push(id.clone());
        }
        if !matchers.is_empty() {
            let compiled = matchers
                .iter()
                .map(|m| Matcher::parse(m, Span::default()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|d| AlertError::from(d.with_source("event")))?;
            let found: Vec<String> = self
                .state
                .alerts
                .iter()
                .filter(|(_, a)| a.firing && all_match(&compiled, &a.labels))
                .map(|(id, _)| id.clone())
                .collect();
            if found.is_empty() {
                return Err(event_error(
                    Code::UnknownAlert,
                    format!(
                        "the matchers {} select no firing alert",
                        matchers
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "acknowledge alerts that are firing",
                ));
            }
            targets.extend(found);
        }
        targets.sort();
        targets.dedup();
        let until = match expires_ms {
            Some(e) if e <= at => {
                return Err(event_error(
                    Code::InvalidValue,
                    format!("the acknowledgement expires ({e} ms) before it is given ({at} ms)"),
                    "give an expiry after the ack's time, or none",
                ));
            }
            Some(e) => Some(e),
            None => self
                .alerts
                .escalation
                .as_ref()
                .and_then(|e| e.ack_expiry_ms)
                .map(|d| at.saturating_add(d)),
        };
        let mut groups = BTreeSet::new();
        for id in &targets {
            self.keep_alert(id);
            if let Some(a) = self.state.alerts.get_mut(id) {
                a.ack = Some(Ack {
                    by: by.to_owned(),
                    at_ms: at,
                    until_ms: until,
                });
                groups.extend(a.groups.iter().cloned());
            }
        }
        self.effects.push(Effect::Acked {
            at_ms: at,
            by: by.to_owned(),
            alerts: targets,
            until_ms: until,
        });
        for key in groups {
            let Some(g) = self.state.groups.get(&key) else {
                continue;
            };
            if g.escalation.is_none() {
                continue;
            }
            let all = g
                .members
                .iter()
                .filter_map(|id| self.state.alerts.get(id))
                .filter(|a| active(a))
                .all(|a| a.ack.is_some());
            if all {
                self.effects.push(Effect::EscalationStopped {
                    at_ms: at,
                    group: key,
                    reason: format!("every firing alert is acknowledged (last by {by})"),
                });
            }
        }
        Ok(())
    }

    /// Mutes (silences, inhibitions) recomputed for every firing alert; until-resolved
    /// silences that mute nothing any more end.
    fn recompute(&mut self, t: u64) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        // The silences in force, their matchers compiled once (cached across steps), and an
        // index of them by one `label="value"` matcher each (a silence with one can only mute
        // an alert with that label and value): an alert checks the silences its labels can
        // meet, not every silence.
        let cache = &mut self.state.compiled.0;
        cache.retain(|id, _| self.state.silences.contains_key(id));
        for (id, s) in &self.state.silences {
            if s.active && cache.get(id).is_none_or(|(text, _)| *text != s.matchers) {
                cache.insert(id.clone(), (s.matchers.clone(), s.compiled()));
            }
        }
        let silences: Vec<(&String, &Vec<Matcher>)> = self
            .state
            .silences
            .iter()
            .filter(|(_, s)| s.active)
            .filter_map(|(id, _)| cache.get(id).map(|(_, m)| (id, m)))
            .collect();
        let mut by_value: BTreeMap<&str, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
        let mut unindexed: Vec<usize> = Vec::new();
        for (i, (_, matchers)) in silences.iter().enumerate() {
            match matchers
                .iter()
                .find(|m| m.op == super::matcher::MatchOp::Eq && !m.value.is_empty())
            {
                Some(m) => by_value
                    .entry(m.name.as_str())
                    .or_default()
                    .entry(m.value.as_str())
                    .or_default()
                    .push(i),
                None => unindexed.push(i),
            }
        }
        let silenced_by = |labels: &Labels| -> Option<usize> {
            let mut candidates = unindexed.clone();
            for (k, v) in labels {
                if let Some(ids) = by_value.get(k.as_str()).and_then(|m| m.get(v.as_str())) {
                    candidates.extend(ids);
                }
            }
            candidates.sort_unstable();
            candidates
                .into_iter()
                .find(|&i| silences.get(i).is_some_and(|(_, m)| all_match(m, labels)))
        };
        let mut muting: BTreeMap<String, usize> = BTreeMap::new();
        // Per inhibition rule, its firing sources by the values of its `equal` labels (ids in
        // order): a target looks its key up instead of scanning every alert.
        let equal_key = |labels: &Labels, equal: &[String]| -> Vec<String> {
            equal
                .iter()
                .map(|l| labels.get(l).cloned().unwrap_or_default())
                .collect()
        };
        let sources: Vec<BTreeMap<Vec<String>, Vec<String>>> = self
            .alerts
            .inhibit
            .iter()
            .zip(0u32..)
            .map(|(rule, index)| {
                let mut by_key: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
                for (id, a) in &self.state.alerts {
                    if a.firing && a.inhibits.contains(&index) {
                        by_key
                            .entry(equal_key(&a.labels, &rule.equal))
                            .or_default()
                            .push(id.clone());
                    }
                }
                by_key
            })
            .collect();
        // What changes, found without cloning every id; applied after, in id order.
        let mut changes: Vec<(String, Option<Mute>)> = Vec::new();
        for (id, a) in &self.state.alerts {
            let mute = if a.firing {
                silenced_by(&a.labels)
                    .and_then(|i| silences.get(i))
                    .map(|(s, _)| Mute::Silenced { by: (*s).clone() })
                    .or_else(|| {
                        self.alerts
                            .inhibit
                            .iter()
                            .zip(&sources)
                            .enumerate()
                            .find_map(|(i, (rule, by_key))| {
                                let index = u32::try_from(i).unwrap_or(u32::MAX);
                                if by_key.is_empty() || !a.inhibitable.contains(&index) {
                                    return None;
                                }
                                by_key
                                    .get(&equal_key(&a.labels, &rule.equal))?
                                    .iter()
                                    .find(|sid| *sid != id)
                                    .map(|sid| Mute::Inhibited {
                                        by: sid.clone(),
                                        rule: u32::try_from(i + 1).unwrap_or(u32::MAX),
                                    })
                            })
                    })
            } else {
                None
            };
            if let Some(Mute::Silenced { by }) = &mute {
                *muting.entry(by.clone()).or_default() += 1;
            }
            if mute != a.muted {
                changes.push((id.clone(), mute));
            }
        }
        for (id, mute) in changes {
            self.keep_alert(&id);
            let Some(am) = self.state.alerts.get_mut(&id) else {
                continue;
            };
            let old = std::mem::replace(&mut am.muted, mute.clone());
            let firing = am.firing;
            if let Some(old) = old
                && firing
            {
                self.effects.push(Effect::Unmuted {
                    at_ms: t,
                    alert: id.clone(),
                    was: old,
                });
            }
            if let Some(by) = mute {
                self.effects.push(Effect::Muted {
                    at_ms: t,
                    alert: id,
                    by,
                });
            }
        }
        // Only the silences that change: one muting for the first time, an until-resolved one
        // that mutes nothing any more.
        let ids: Vec<String> = self
            .state
            .silences
            .iter()
            .filter(|(id, s)| {
                let count = muting.get(*id).copied().unwrap_or(0);
                s.active
                    && ((count > 0 && !s.matched) || (count == 0 && s.until_resolved && s.matched))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            let count = muting.get(&id).copied().unwrap_or(0);
            self.keep_silence(&id);
            let Some(s) = self.state.silences.get_mut(&id) else {
                continue;
            };
            if count > 0 {
                s.matched = true;
            } else if s.until_resolved && s.matched {
                self.state.silences.remove(&id);
                self.effects.push(Effect::SilenceEnded {
                    at_ms: t,
                    id,
                    reason: "resolved".into(),
                });
            }
        }
    }

    /// Forgets resolved alerts that no group holds once the de-duplication and flapping
    /// windows are past.
    fn collect(&mut self, t: u64) {
        let keep = self
            .alerts
            .dedup
            .map_or(0, |d| d.window_ms)
            .max(self.alerts.flapping.map_or(0, |f| f.window_ms));
        let gone: Vec<String> = self
            .state
            .alerts
            .iter()
            .filter(|(_, a)| {
                !(a.firing
                    || !a.groups.is_empty()
                    || a.flapping
                    || t < a.since_ms.saturating_add(keep))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            self.keep_alert(&id);
            self.state.alerts.remove(&id);
        }
    }
}

fn walk(routes: &[Route], at: usize, labels: &Labels, out: &mut Vec<usize>) -> bool {
    let Some(route) = routes.get(at) else {
        return false;
    };
    if !all_match(&route.matchers, labels) {
        return false;
    }
    let mut matched_child = false;
    for &c in &route.children {
        if walk(routes, c, labels, out) {
            matched_child = true;
            if !routes.get(c).is_some_and(|r| r.continue_matching) {
                break;
            }
        }
    }
    if !matched_child {
        out.push(at);
    }
    true
}

fn group_labels(route: &Route, labels: &Labels) -> Labels {
    match &route.group_by {
        GroupBy::All => labels.clone(),
        GroupBy::Labels(names) => names
            .iter()
            .map(|n| (n.clone(), labels.get(n).cloned().unwrap_or_default()))
            .collect(),
    }
}

/// A group's key: the route's id and the group labels, `0.1:{alertname=X}`.
fn group_key(route: &Route, labels: &Labels) -> String {
    format!(
        "{}:{{{}}}",
        route.id,
        alert_id(&group_labels(route, labels))
    )
}

/// The indices of the inhibition rules whose `side` matchers `labels` match.
fn rules_matching(
    rules: &[super::compiled::Inhibit],
    labels: &Labels,
    side: impl Fn(&super::compiled::Inhibit) -> &Vec<Matcher>,
) -> Vec<u32> {
    rules
        .iter()
        .zip(0u32..)
        .filter(|(r, _)| all_match(side(r), labels))
        .map(|(_, i)| i)
        .collect()
}
