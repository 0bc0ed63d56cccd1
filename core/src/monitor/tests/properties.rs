//! Properties over random event streams.

use super::super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const POLICY: &str = r#"
name: p
metrics:
  error_rate: {unit: "%"}
  latency: {unit: ms}
  requests: {unit: count}
  errors: {unit: count}
  flag: {unit: bool}
personas: [{name: sre}, {name: qa}]
windows:
  err_1m: {avg: error_rate, over: 1m}
  lat_p90: {percentile: 90, of: latency, over: 2m}
  ratio_1m: {ratio: errors, to: requests, over: 1m}
  req_rate: {rate: requests, over: 30s}
triggers:
  - {name: errors, when: err_1m > 1%, for: 30s, action: warn, on_missing: {after: 20s, then: fire}, failure_limit: 10}
  - name: graded
    min_observations: 2
    inconclusive_limit: 50
    tiers:
      - {when: lat_p90 > 300ms, for: 20s, action: warn}
      - {when: lat_p90 > 500ms or req_rate < 1, for: 40s, action: pause}
      - {when: ratio_1m > 5%, action: rollback, mode: manual, approvers: [sre], timeout: 30s, on_timeout: escalate}
  - {name: flag, when: flag, action: pause, mode: immediate, consecutive_error_limit: 3, on_missing: resolve}
"#;

pub(super) fn policy() -> CompiledPolicy {
    CompiledPolicy::from_text(POLICY, None).expect("the property policy compiles")
}

fn reading(lo: f64, hi: f64) -> impl Strategy<Value = Option<Reading>> {
    prop_oneof![
        6 => (lo..hi).prop_map(|v| Some(Reading::Number(v))),
        1 => Just(None),
        1 => Just(Some(Reading::Missing)),
        1 => Just(Some(Reading::nan())),
        1 => Just(Some(Reading::Failed { error: "down".into() })),
    ]
}

fn flag() -> impl Strategy<Value = Option<Reading>> {
    prop_oneof![
        8 => Just(Some(Reading::Bool(false))),
        1 => Just(Some(Reading::Bool(true))),
        1 => Just(Some(Reading::Failed { error: "down".into() })),
    ]
}

/// An event without its time: the stream adds increasing gaps.
#[derive(Debug, Clone)]
enum Kind {
    Observe(Vec<(&'static str, Option<Reading>)>),
    Tick,
    Approve(&'static str),
    Reject(&'static str),
}

fn kind(approvals: bool) -> impl Strategy<Value = Kind> {
    let observe = (
        reading(0.0, 3.0),
        reading(50.0, 800.0),
        (0u32..2000).prop_map(|n| Some(Reading::Number(f64::from(n)))),
        (0u32..200).prop_map(|n| Some(Reading::Number(f64::from(n)))),
        flag(),
    )
        .prop_map(|(e, l, r, x, f)| {
            Kind::Observe(vec![
                ("error_rate", e),
                ("latency", l),
                ("requests", r),
                ("errors", x),
                ("flag", f),
            ])
        });
    let persona = prop_oneof![Just("sre"), Just("qa")];
    if approvals {
        prop_oneof![
            8 => observe,
            1 => Just(Kind::Tick),
            1 => persona.clone().prop_map(Kind::Approve),
            1 => persona.prop_map(Kind::Reject),
        ]
        .boxed()
    } else {
        prop_oneof![9 => observe, 1 => Just(Kind::Tick)].boxed()
    }
}

pub(super) fn events(len: usize, approvals: bool) -> impl Strategy<Value = Vec<MonitorEvent>> {
    prop::collection::vec((0u64..20_000, kind(approvals)), 1..len).prop_map(|list| {
        let mut at = 0;
        list.into_iter()
            .map(|(gap, kind)| {
                at += gap;
                match kind {
                    Kind::Observe(values) => MonitorEvent::Observe {
                        at_ms: at,
                        values: values
                            .into_iter()
                            .filter_map(|(n, r)| r.map(|r| (n.to_owned(), r)))
                            .collect::<BTreeMap<_, _>>(),
                    },
                    Kind::Tick => MonitorEvent::Tick { at_ms: at },
                    Kind::Approve(p) => MonitorEvent::Approve {
                        at_ms: at,
                        trigger: "graded".into(),
                        who: "x".into(),
                        persona: p.into(),
                    },
                    Kind::Reject(p) => MonitorEvent::Reject {
                        at_ms: at,
                        trigger: "graded".into(),
                        who: "x".into(),
                        persona: p.into(),
                    },
                }
            })
            .collect()
    })
}

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Live stepping with a save and restore after every event, stepping without ever
    /// stopping, and replaying the accepted events from a new state all give the same
    /// decisions and state, byte for byte; a refused event changes nothing.
    #[test]
    fn replay_and_resume_equal_live_stepping(events in events(120, true)) {
        let p = policy();
        let mut restored = MonitorState::new(&p).expect("a monitor state");
        let mut straight = restored.clone();
        let mut accepted = Vec::new();
        let mut decisions = Vec::new();
        for event in &events {
            let before = restored.save(&p).unwrap_or_default();
            match (step(&mut restored, &p, event), step(&mut straight, &p, event)) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(json(&a), json(&b));
                    decisions.push(json(&a));
                    accepted.push(event.clone());
                    let saved = restored.save(&p).unwrap_or_default();
                    restored = MonitorState::restore(&p, &saved).expect("a monitor state");
                }
                (Err(a), Err(b)) => {
                    prop_assert_eq!(a, b);
                    prop_assert_eq!(restored.save(&p).unwrap_or_default(), before);
                }
                (a, b) => prop_assert!(false, "live and straight disagree: {:?} / {:?}", a.is_ok(), b.is_ok()),
            }
            if restored.is_ended() {
                break;
            }
        }
        let (state, replayed) = replay(&p, &accepted).expect("the accepted events replay");
        prop_assert_eq!(replayed.iter().map(json).collect::<Vec<_>>(), decisions);
        prop_assert_eq!(state.save(&p).unwrap_or_default(), straight.save(&p).unwrap_or_default());
    }

    /// A state saved at any point and restored continues exactly as if never interrupted.
    #[test]
    fn resuming_from_any_snapshot_equals_never_stopping(events in events(80, true), cut in 0usize..80) {
        let p = policy();
        let mut whole = MonitorState::new(&p).expect("a monitor state");
        let mut resumed = whole.clone();
        let cut = cut.min(events.len());
        for event in &events[..cut] {
            let _ = step(&mut resumed, &p, event);
        }
        let saved = resumed.save(&p).unwrap_or_default();
        let mut resumed = MonitorState::restore(&p, &saved).expect("a monitor state");
        let mut tail_whole = Vec::new();
        let mut tail_resumed = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let a = step(&mut whole, &p, event).map(|d| json(&d));
            if i >= cut {
                tail_whole.push(a.map_err(|e| e.to_string()));
                tail_resumed.push(step(&mut resumed, &p, event).map(|d| json(&d)).map_err(|e| e.to_string()));
            }
        }
        prop_assert_eq!(tail_whole, tail_resumed);
        prop_assert_eq!(whole.save(&p).unwrap_or_default(), resumed.save(&p).unwrap_or_default());
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// On long streams the state does not grow with the stream: each window holds at most the
    /// observations of its own span, and the saved state stays within a size fixed by the
    /// policy and the shortest gap between observations.
    #[test]
    fn state_size_is_bounded_by_the_windows(events in events(3000, false)) {
        let p = policy();
        let monitor = p.monitor().expect("triggers");
        // Gaps are at least 1 ms apart between observations (the same time twice is refused),
        // so a window of `over` ms holds at most `over` samples; with the stream's own
        // smallest gap the bound is tighter.
        let mut state = MonitorState::new(&p).expect("a monitor state");
        let mut largest = 0;
        let mut times = Vec::new();
        for event in &events {
            if step(&mut state, &p, event).is_ok() && matches!(event, MonitorEvent::Observe { .. }) {
                times.push(event.at_ms());
            }
            for (w, ws) in monitor.windows.iter().zip(&state.windows) {
                // INVARIANT: every sample is inside its window at the last observation.
                let inside = times.iter().rev().take_while(|&&t| t + w.over_ms > times.last().copied().unwrap_or(0)).count();
                prop_assert!(ws.samples.len() <= inside);
            }
            if times.len() % 50 == 0 {
                largest = largest.max(state.save(&p).unwrap_or_default().len());
            }
        }
        // 4 windows; a sample is at most ~60 bytes of JSON; the rest is fixed per tier.
        let max_in_window: usize = monitor.windows.iter().map(|w| {
            let min_gap = times.windows(2).map(|t| t[1] - t[0]).min().unwrap_or(1).max(1);
            (w.over_ms / min_gap) as usize + 1
        }).sum();
        prop_assert!(largest <= 4096 + 60 * max_in_window, "state of {largest} bytes for {max_in_window} samples");
    }
}
