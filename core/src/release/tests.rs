//! Properties of releases over random event streams, and the compiled ladders.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use super::*;
use proptest::prelude::*;

/// A policy with a canary ladder whose max weight is also the environment's traffic, and a
/// deny window from 600 000 ms to 1 800 000 ms in production.
fn policy(step_weight: u32, max_weight: u32) -> CompiledPolicy {
    let text = format!(
        r#"
name: p
metrics: {{error_rate: {{unit: "%"}}}}
personas: [{{name: devops}}]
triggers: [{{name: errors, when: error_rate > 1%, action: rollback}}]
environments:
  - name: staging
    auto_promote: true
    strategy: {{canary: {{steps: [{{set_weight: 10%}}, {{pause: 10s}}, {{analysis: [errors]}}, {{set_weight: {max_weight}%}}, {{pause: until_promoted}}], max_weight: {max_weight}%}}}}
    traffic: {max_weight}%
  - name: production
    traffic: {max_weight}%
    strategy: {{canary: {{step_weight: {step_weight}%, max_weight: {max_weight}%, analysis: [errors], interval: 5s}}}}
    windows:
      - {{name: freeze, kind: deny, from: "1970-01-01T00:10:00Z", to: "1970-01-01T00:30:00Z"}}
"#
    );
    CompiledPolicy::from_text(&text, None).unwrap()
}

const DENY: std::ops::Range<u64> = 600_000..1_800_000;

fn event(at_ms: u64, pick: u8, arg: u8) -> ReleaseEvent {
    let env = if arg.is_multiple_of(2) {
        "staging"
    } else {
        "production"
    }
    .to_owned();
    match pick % 9 {
        0 | 1 => ReleaseEvent::Tick { at_ms },
        2 => ReleaseEvent::Analysis {
            at_ms,
            environment: env,
            result: match arg % 4 {
                0 => AnalysisResult::Pass,
                1 => AnalysisResult::Fail,
                2 => AnalysisResult::Inconclusive,
                _ => AnalysisResult::Error,
            },
            detail: None,
        },
        3 => ReleaseEvent::Deployed {
            at_ms,
            environment: env,
        },
        4 => ReleaseEvent::Promote {
            at_ms,
            who: Some("ben".into()),
        },
        5 => ReleaseEvent::PromoteFull {
            at_ms,
            who: "ben".into(),
            reason: None,
        },
        6 => ReleaseEvent::Retry { at_ms, who: None },
        7 => ReleaseEvent::Abort {
            at_ms,
            who: None,
            reason: None,
        },
        // Rare, so that most streams meet the freeze without one.
        _ if arg >= 24 => ReleaseEvent::Tick { at_ms },
        _ => ReleaseEvent::BreakGlass {
            at_ms,
            environment: env,
            who: "ana".into(),
            approver: "cto".into(),
            reason: "hotfix".into(),
        },
    }
}

fn events() -> impl Strategy<Value = Vec<ReleaseEvent>> {
    prop::collection::vec((0u64..40_000, any::<u8>(), any::<u8>()), 1..80).prop_map(|raw| {
        let mut at = 0;
        let mut out = vec![ReleaseEvent::Start {
            at_ms: 0,
            version: "2".into(),
            author: None,
            previous: Some("1".into()),
        }];
        for (dt, pick, arg) in raw {
            at += dt;
            // Deployed is mostly for the environment the release is in: try both.
            out.push(event(at, pick, arg));
        }
        out
    })
}

/// Runs `events`, skipping refused ones (checking that they leave the state unchanged), with a
/// save and restore after every event: the accepted events and their decisions.
fn run(
    policy: &CompiledPolicy,
    events: &[ReleaseEvent],
) -> (Vec<ReleaseEvent>, Vec<ReleaseDecision>, ReleaseState) {
    let mut state = ReleaseState::new(policy).unwrap();
    let mut taken = Vec::new();
    let mut decisions = Vec::new();
    for e in events {
        let before = state.save(policy).unwrap();
        match step(&mut state, policy, e) {
            Ok(d) => {
                taken.push(e.clone());
                decisions.push(d);
                state = ReleaseState::restore(policy, &state.save(policy).unwrap()).unwrap();
            }
            Err(_) => assert_eq!(
                state.save(policy).unwrap(),
                before,
                "a refused event changed the state"
            ),
        }
    }
    (taken, decisions, state)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_release_never_exceeds_its_max_weight(step_weight in 1u32..=100, max_weight in 10u32..=100, events in events()) {
        let policy = policy(step_weight.min(max_weight), max_weight);
        let (_, decisions, _) = run(&policy, &events);
        for d in &decisions {
            for i in &d.instructions {
                if let Instruction::SetWeight { weight, .. } | Instruction::Deploy { weight, .. } = i {
                    prop_assert!(*weight <= max_weight, "{weight}% > max {max_weight}%: {i:?}");
                }
            }
        }
    }

    #[test]
    fn a_release_never_deploys_in_a_deny_window_without_break_glass(events in events()) {
        let policy = policy(20, 50);
        let (taken, decisions, _) = run(&policy, &events);
        let mut glass = false;
        for (e, d) in taken.iter().zip(&decisions) {
            if matches!(e, ReleaseEvent::BreakGlass { environment, .. } if environment == "production") {
                glass = true;
            }
            for i in &d.instructions {
                if let Instruction::Deploy { environment, .. } = i
                    && environment == "production"
                {
                    prop_assert!(glass || !DENY.contains(&d.at_ms), "deployed at {} inside the freeze", d.at_ms);
                }
            }
        }
    }

    #[test]
    fn a_release_never_promotes_past_a_failed_or_inconclusive_analysis(events in events()) {
        let policy = policy(20, 50);
        let (taken, decisions, _) = run(&policy, &events);
        let mut blocked = false;
        for (e, d) in taken.iter().zip(&decisions) {
            if let ReleaseEvent::Analysis { result, .. } = e {
                blocked = *result != AnalysisResult::Pass;
            }
            for i in &d.instructions {
                match i {
                    // A new attempt (after a roll-back and a retry) starts from a deploy.
                    Instruction::Deploy { .. } => blocked = false,
                    Instruction::SetWeight { .. } | Instruction::Promote { .. } | Instruction::Done { .. } => {
                        prop_assert!(!blocked, "{i:?} after a failed or inconclusive analysis");
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn replay_equals_live(events in events()) {
        let policy = policy(20, 50);
        let (taken, decisions, state) = run(&policy, &events);
        let (replayed_state, replayed) = replay(&policy, &taken).unwrap();
        prop_assert_eq!(serde_json::to_string(&replayed).unwrap(), serde_json::to_string(&decisions).unwrap());
        prop_assert_eq!(replayed_state.save(&policy).unwrap(), state.save(&policy).unwrap());
    }
}

#[test]
fn a_ladder_stops_at_its_max_weight() {
    let policy = policy(20, 50);
    let release = policy.release().unwrap();
    let weights: Vec<u32> = release.environments[1]
        .strategy
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::SetWeight { weight } => Some(*weight),
            _ => None,
        })
        .collect();
    assert_eq!(weights, [20, 40, 50]);
}

#[test]
fn times_read_as_rfc3339_or_milliseconds() {
    assert_eq!(parse_time("1000"), Some(1000));
    assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1000));
    assert_eq!(parse_time("yesterday"), None);
}

#[test]
fn the_quick_window_check_agrees_with_the_full_one_across_dst_changes() {
    let policy = CompiledPolicy::from_text(
        r#"
name: w
environments:
  - name: production
    windows:
      - {name: berlin, kind: allow, cron: "30 1 * * *", duration: 90m, tz: Europe/Berlin}
      - {name: york, kind: deny, cron: "0 2 * * 0", duration: 3h, tz: America/New_York}
      - {name: hours, kind: allow, cron: "0 9 * * 1-5", duration: 8h, tz: Europe/Berlin}
"#,
        None,
    )
    .unwrap();
    let windows = &policy.release().unwrap().environments[0].windows;
    // Around the spring and autumn changes of 2026 in both zones, every 7 minutes.
    for (from, to) in [
        (1_772_841_600_000_i64, 1_773_100_800_000_i64),
        (1_774_656_000_000, 1_774_915_200_000),
        (1_792_800_000_000, 1_793_059_200_000),
        (1_793_664_000_000, 1_793_923_200_000),
    ] {
        let mut t = from;
        while t < to {
            for w in windows {
                for at in [t, t + 333, t - 1] {
                    assert_eq!(
                        w.in_force(at),
                        w.in_force_until(at).is_some(),
                        "{} at {at}",
                        w.name
                    );
                }
            }
            t += 7 * 60_000;
        }
    }
}
