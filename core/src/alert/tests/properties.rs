//! Properties over random event streams: no alert is lost, replay equals live, memory is
//! bounded.

#![allow(clippy::panic, reason = "a test fails by panicking")]
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use super::super::*;
use crate::policy::CompiledPolicy;
use proptest::prelude::*;
use std::collections::BTreeMap;

const POLICY: &str = r#"
name: p
metrics:
  error_rate: {unit: "%"}
alerts:
  rules:
    - {name: Errors, when: error_rate > 1%, for: 30s, keep_firing_for: 20s, severity: critical, labels: {service: api}}
  receivers:
    - {name: default, channel: webhook}
    - {name: pager, channel: pagerduty}
    - {name: chat, channel: slack}
  batching: {size: 3, window: 2m}
  dedup: {count: 2, window: 3m}
  flapping: {changes: 4, window: 5m}
  route:
    receiver: default
    group_by: [alertname]
    group_wait: 10s
    group_interval: 1m
    repeat_interval: 10m
    batching: false
    routes:
      - {matchers: ['severity="critical"'], receiver: pager, continue: true, group_wait: 0s}
      - {matchers: ['service=~"api|web"'], receiver: chat, group_by: [service], batching: {size: 2, window: 1m}}
  inhibit_rules:
    - {source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [service]}
  escalation:
    ack_expiry: 5m
    levels:
      - {after: 2m, notify: [{team: leads}]}
      - {after: 4m, notify: [{person: em}]}
"#;

fn policy() -> CompiledPolicy {
    CompiledPolicy::from_text(POLICY, None).unwrap_or_else(|e| panic!("{e}"))
}

fn labels(name: u8, service: u8, severity: u8) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    l.insert("alertname".into(), format!("A{name}"));
    l.insert(
        "service".into(),
        ["api", "web", "db"][usize::from(service % 3)].into(),
    );
    l.insert(
        "severity".into(),
        ["critical", "warning"][usize::from(severity % 2)].into(),
    );
    l
}

#[derive(Debug, Clone)]
enum Op {
    Fire(u8, u8, u8),
    Resolve(u8, u8, u8),
    Observe(u8),
    Tick,
    Ack(u8, u8, u8),
    Silence(u8),
    Expire(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3, 0u8..3, 0u8..2).prop_map(|(a, b, c)| Op::Fire(a, b, c)),
        3 => (0u8..3, 0u8..3, 0u8..2).prop_map(|(a, b, c)| Op::Resolve(a, b, c)),
        2 => (0u8..4).prop_map(Op::Observe),
        3 => Just(Op::Tick),
        1 => (0u8..3, 0u8..3, 0u8..2).prop_map(|(a, b, c)| Op::Ack(a, b, c)),
        1 => (0u8..3).prop_map(Op::Silence),
        1 => (0u8..3).prop_map(Op::Expire),
    ]
}

/// Events from ops, with gaps of 0 to 90 s, then everything resolved and a long quiet tail.
fn events(ops: &[(Op, u64)]) -> Vec<AlertEvent> {
    let mut at = 0;
    let mut out = Vec::new();
    for (op, gap) in ops {
        at += gap;
        let ext = |l, status| ExternalAlert {
            labels: l,
            annotations: BTreeMap::new(),
            status,
            ends_ms: None,
            starts_at: None,
            ends_at: None,
            generator_url: None,
            fingerprint: None,
        };
        out.push(match op {
            Op::Fire(a, b, c) => AlertEvent::External {
                at_ms: at,
                alerts: vec![ext(labels(*a, *b, *c), None)],
            },
            Op::Resolve(a, b, c) => AlertEvent::External {
                at_ms: at,
                alerts: vec![ext(labels(*a, *b, *c), Some(ExternalStatus::Resolved))],
            },
            Op::Observe(v) => AlertEvent::Observe {
                at_ms: at,
                values: [("error_rate".to_owned(), Reading::Number(f64::from(*v)))].into(),
            },
            Op::Tick => AlertEvent::Tick { at_ms: at },
            Op::Ack(a, b, c) => AlertEvent::Ack {
                at_ms: at,
                by: "x".into(),
                alerts: vec![alert_id(&labels(*a, *b, *c))],
                matchers: vec![],
                expires_ms: None,
            },
            Op::Silence(s) => AlertEvent::Silence {
                at_ms: at,
                id: format!("s{s}"),
                matchers: vec![format!("alertname=\"A{s}\"")],
                starts_ms: None,
                ends_ms: Some(at + 120_000),
                until_resolved: false,
                reason: "r".into(),
                author: "a".into(),
            },
            Op::Expire(s) => AlertEvent::ExpireSilence {
                at_ms: at,
                id: format!("s{s}"),
            },
        });
    }
    // The end: every alert resolves, the rule's metric clears, time runs out every timer.
    let mut all = Vec::new();
    for a in 0..3 {
        for b in 0..3 {
            for c in 0..2 {
                all.push(ExternalAlert {
                    labels: labels(a, b, c),
                    annotations: BTreeMap::new(),
                    status: Some(ExternalStatus::Resolved),
                    ends_ms: None,
                    starts_at: None,
                    ends_at: None,
                    generator_url: None,
                    fingerprint: None,
                });
            }
        }
    }
    at += 1;
    out.push(AlertEvent::External {
        at_ms: at,
        alerts: all,
    });
    for _ in 0..3 {
        at += 30_000;
        out.push(AlertEvent::Observe {
            at_ms: at,
            values: [("error_rate".to_owned(), Reading::Number(0.0))].into(),
        });
    }
    for _ in 0..30 {
        at += 60_000;
        out.push(AlertEvent::Tick { at_ms: at });
    }
    out
}

fn ops() -> impl Strategy<Value = Vec<(Op, u64)>> {
    prop::collection::vec((op(), 0u64..90_000), 1..80)
}

fn mentions(e: &Effect, id: &str) -> bool {
    match e {
        Effect::Notify(n) => n.firing.iter().chain(&n.resolved).any(|x| x == id),
        Effect::Accounted { alert, .. } | Effect::Muted { alert, .. } => alert == id,
        Effect::Flapping { alert, started, .. } => alert == id && *started,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Every alert that fires is routed or accounted for at once; every routing is followed
    /// by a notification listing the alert, a mute, a flapping notice or an account of why not.
    #[test]
    fn no_alert_is_lost(ops in ops()) {
        let p = policy();
        let mut state = AlertState::new(&p).unwrap();
        let mut effects = Vec::new();
        for e in events(&ops) {
            // Refused events (an ack of a resolved alert, an unknown silence) change nothing.
            if let Ok(d) = step(&mut state, &p, &e) {
                effects.extend(d.effects);
            }
        }
        for (i, e) in effects.iter().enumerate() {
            if let Effect::Alert { alert, to: Status::Firing, .. } = e {
                let next = effects.get(i + 1..).unwrap_or_default().iter().find(|x| matches!(x,
                    Effect::Routed { alert: a, .. } | Effect::Accounted { alert: a, .. } if a == alert));
                prop_assert!(next.is_some(), "fired and never routed nor accounted: {alert} at effect {i}");
            }
            if let Effect::Routed { alert, .. } = e {
                let told = effects.get(i..).unwrap_or_default().iter().any(|x| mentions(x, alert));
                prop_assert!(told, "routed and never notified nor accounted: {alert} at effect {i}");
            }
        }
        prop_assert_eq!(state.live_groups(), 0, "everything resolved, yet groups remain");
    }

    /// Live stepping with a save and restore after every event, and replaying the accepted
    /// events from a new state, give the same decisions and state, byte for byte; a refused
    /// event changes nothing.
    #[test]
    fn replay_and_resume_equal_live(ops in ops()) {
        let p = policy();
        let mut live = AlertState::new(&p).unwrap();
        let mut accepted = Vec::new();
        let mut decisions = Vec::new();
        for e in events(&ops) {
            let before = live.save(&p).unwrap();
            match step(&mut live, &p, &e) {
                Ok(d) => {
                    decisions.push(serde_json::to_string(&d).unwrap());
                    accepted.push(e);
                    let saved = live.save(&p).unwrap();
                    live = AlertState::restore(&p, &saved).unwrap();
                }
                Err(_) => prop_assert_eq!(live.save(&p).unwrap(), before),
            }
        }
        let (state, replayed) = replay(&p, &accepted).unwrap();
        let replayed: Vec<String> = replayed.iter().map(|d| serde_json::to_string(d).unwrap()).collect();
        prop_assert_eq!(replayed, decisions);
        prop_assert_eq!(state.save(&p).unwrap(), live.save(&p).unwrap());
    }

    /// Memory is bounded by the label space and the policy, whatever the stream: at most one
    /// alert per label set (18 external, 1 rule), one group per route and group key.
    #[test]
    fn memory_is_bounded(ops in prop::collection::vec((op(), 0u64..90_000), 200..400)) {
        let p = policy();
        let mut state = AlertState::new(&p).unwrap();
        for e in events(&ops) {
            let _ = step(&mut state, &p, &e);
            prop_assert!(state.live_alerts() <= 19);
            prop_assert!(state.live_groups() <= 3 + 6 + 3 + 1);
            prop_assert!(state.live_silences() <= 3);
            prop_assert!(state.alerts.values().all(|a| a.changes.len() <= 5));
        }
    }
}

#[test]
fn more_live_alerts_than_the_limit_are_refused() {
    let p = policy();
    let mut state = AlertState::new(&p).unwrap();
    let alerts = (0..=MAX_ALERTS)
        .map(|i| ExternalAlert {
            labels: [("alertname".to_owned(), format!("X{i}"))].into(),
            annotations: BTreeMap::new(),
            status: None,
            ends_ms: None,
            starts_at: None,
            ends_at: None,
            generator_url: None,
            fingerprint: None,
        })
        .collect();
    let before = state.save(&p).unwrap();
    let e = step(&mut state, &p, &AlertEvent::External { at_ms: 0, alerts }).unwrap_err();
    assert_eq!(crate::KiroError::code(&e), crate::Code::AlertLimit);
    assert_eq!(state.save(&p).unwrap(), before);
}
