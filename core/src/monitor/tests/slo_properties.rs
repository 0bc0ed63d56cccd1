//! Properties of objectives and judges over random event streams: replay and resuming equal
//! live stepping, and the state stays within its bound on long streams with long spans.

use super::super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const POLICY: &str = r#"
name: p
metrics:
  error_rate: {unit: "%"}
  ok_total: {unit: count}
  requests_total: {unit: count}
  canary.latency: {unit: ms}
  stable.latency: {unit: ms}
slos:
  - {name: web, objective: 99.5%, error_ratio: error_rate, page: pause}
  - {name: api, objective: 99%, period: 7d, good: ok_total, total: requests_total, page: pause, ticket: warn,
     burn_rates: [{budget: 5%, long: 6h, short: 30m, severity: page}, {budget: 10%, long: 1d, short: 2h, severity: ticket}]}
judges:
  - {name: canary_score, over: 10m, min_samples: 3, on_fail: pause, metrics: [{metric: latency, tolerance: 5%}]}
triggers:
  - {name: half-budget, when: web_burn_30d > 0.5, action: warn}
"#;

fn policy() -> CompiledPolicy {
    CompiledPolicy::from_text(POLICY, None).expect("the property policy compiles")
}

fn reading(lo: f64, hi: f64) -> impl Strategy<Value = Option<Reading>> {
    prop_oneof![
        6 => (lo..hi).prop_map(|v| Some(Reading::Number(v))),
        1 => Just(None),
        1 => Just(Some(Reading::nan())),
        1 => Just(Some(Reading::Failed { error: "down".into() })),
    ]
}

/// One observation without its time: the error ratio, how much the counters rise (or a
/// reset), and both versions' latencies.
type Observation = (
    Option<Reading>,
    u32,
    u32,
    bool,
    Option<Reading>,
    Option<Reading>,
);

fn observation() -> impl Strategy<Value = Observation> {
    (
        reading(0.0, 5.0),
        0u32..1000,
        0u32..50,
        prop::bool::weighted(0.02),
        reading(50.0, 300.0),
        reading(50.0, 300.0),
    )
}

/// A stream of observations and ticks, `max_gap` ms apart at most.
fn events(len: usize, max_gap: u64) -> impl Strategy<Value = Vec<MonitorEvent>> {
    prop::collection::vec(
        (1..max_gap, prop::bool::weighted(0.1), observation()),
        1..len,
    )
    .prop_map(|list| {
        let (mut at, mut ok, mut total) = (0u64, 0u64, 0u64);
        list.into_iter()
            .map(|(gap, tick, (e, requests, bad, reset, c, s))| {
                at += gap;
                if tick {
                    return MonitorEvent::Tick { at_ms: at };
                }
                if reset {
                    (ok, total) = (0, 0);
                }
                total += u64::from(requests);
                ok += u64::from(requests.saturating_sub(bad));
                let mut values = BTreeMap::new();
                let mut put = |name: &str, r: Option<Reading>| {
                    if let Some(r) = r {
                        values.insert(name.to_owned(), r);
                    }
                };
                put("error_rate", e);
                put("ok_total", Some(Reading::Number(ok as f64)));
                put("requests_total", Some(Reading::Number(total as f64)));
                put("canary.latency", c);
                put("stable.latency", s);
                MonitorEvent::Observe { at_ms: at, values }
            })
            .collect()
    })
}

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// With objectives and a judge, live stepping with a save and restore after every event,
    /// stepping without stopping, and replaying give the same bytes.
    #[test]
    fn replay_and_resume_equal_live_stepping_with_slos_and_judges(events in events(150, 1_800_000)) {
        let p = policy();
        let mut restored = MonitorState::new(&p).expect("a monitor state");
        let mut straight = restored.clone();
        let mut accepted = Vec::new();
        let mut decisions = Vec::new();
        for event in &events {
            match (step(&mut restored, &p, event), step(&mut straight, &p, event)) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(json(&a), json(&b));
                    decisions.push(json(&a));
                    accepted.push(event.clone());
                    let saved = restored.save(&p).unwrap_or_default();
                    restored = MonitorState::restore(&p, &saved).expect("a monitor state");
                    prop_assert_eq!(restored.save(&p).unwrap_or_default(), saved);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
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
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Months of observations: every span of every objective keeps at most 101 buckets, and
    /// the saved state stays under a size fixed by the policy. (The judge's 10m window is the
    /// only part that depends on the stream's density: at these gaps, 1 ms to 1 h, it holds
    /// far fewer than the 600 samples per series allowed for below.)
    #[test]
    fn objectives_keep_at_most_101_buckets_per_span(events in events(4000, 3_600_000)) {
        let p = policy();
        let monitor = p.monitor().expect("triggers");
        let spans: usize = monitor.slos.iter().map(|s| s.spans.len()).sum();
        let mut state = MonitorState::new(&p).expect("a monitor state");
        let mut largest = 0;
        for (i, event) in events.iter().enumerate() {
            let _ = step(&mut state, &p, event);
            for (slo, ss) in monitor.slos.iter().zip(&state.slos) {
                for (&over, span) in slo.spans.iter().zip(&ss.spans) {
                    prop_assert!(span.buckets.len() as u64 <= slo::BUCKETS_PER_SPAN + 1, "{} buckets over {over} ms", span.buckets.len());
                }
            }
            prop_assert!(state.slo_buckets() <= spans * 101);
            if i % 100 == 0 {
                largest = largest.max(state.save(&p).unwrap_or_default().len());
            }
        }
        // A bucket is at most ~70 bytes of JSON, a judge sample ~30; the tiers are a fixed part.
        let bound = 8192 + spans * 101 * 70 + 2 * 600 * 30;
        prop_assert!(largest <= bound, "state of {largest} bytes, bound {bound}");
    }
}
