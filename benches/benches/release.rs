//! The release: one event through a release with three environments, production a canary of
//! ten steps (five weights, each with an analysis), from a state in the middle of that canary —
//! a tick that changes nothing, and an analysis that passes and sets the next weight — and a
//! whole release replayed from its log.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kiro::CompiledPolicy;
use kiro::release::{AnalysisResult, ReleaseEvent, ReleaseState, replay, step};
use std::hint::black_box;

const POLICY: &str = r#"
name: bench
metrics: {error_rate: {unit: "%"}}
personas: [{name: devops}, {name: qa}]
triggers: [{name: errors, when: error_rate > 1%, action: rollback}]
environments:
  - {name: staging, auto_promote: true, validations: [{persona: qa, checks: [smoke]}]}
  - {name: pre-production, auto_promote: true, traffic: 10%}
  - name: production
    approval: {personas: [devops], expires: 8h}
    windows: [{name: always, kind: allow, cron: "0 0 * * *", duration: 1d, tz: Europe/Berlin}]
    strategy:
      canary:
        steps:
          - {set_weight: 10%}
          - {analysis: [errors]}
          - {set_weight: 20%}
          - {analysis: [errors]}
          - {set_weight: 30%}
          - {analysis: [errors]}
          - {set_weight: 40%}
          - {analysis: [errors]}
          - {set_weight: 50%}
          - {analysis: [errors]}
"#;

fn events() -> Vec<ReleaseEvent> {
    let env = |n: &str| n.to_owned();
    let mut at = 1_796_230_000_000;
    let mut next = || {
        at += 1000;
        at
    };
    let mut out = vec![
        ReleaseEvent::Start {
            at_ms: next(),
            version: "2".into(),
            author: Some("ana".into()),
            previous: Some("1".into()),
        },
        ReleaseEvent::Deployed {
            at_ms: next(),
            environment: env("staging"),
        },
        ReleaseEvent::Validation {
            at_ms: next(),
            environment: env("staging"),
            persona: "qa".into(),
            check: "smoke".into(),
            result: kiro::release::CheckResult::Pass,
            who: None,
        },
        ReleaseEvent::Deployed {
            at_ms: next(),
            environment: env("pre-production"),
        },
        ReleaseEvent::Approve {
            at_ms: next(),
            environment: env("production"),
            who: "ben".into(),
            persona: "devops".into(),
        },
        ReleaseEvent::Deployed {
            at_ms: next(),
            environment: env("production"),
        },
    ];
    for _ in 0..5 {
        out.push(ReleaseEvent::Analysis {
            at_ms: next(),
            environment: env("production"),
            result: AnalysisResult::Pass,
            detail: None,
        });
    }
    out
}

fn release(c: &mut Criterion) {
    let policy = CompiledPolicy::from_text(POLICY, None).expect("compiles");
    let all = events();
    // The state after the second analysis: production at 30%, waiting for the third.
    let (mid, _) = replay(&policy, &all[..8]).expect("replays");
    let at = all[7].at_ms();
    let mut group = c.benchmark_group("release");
    group.throughput(Throughput::Elements(1));
    group.bench_function("tick_mid_canary", |b| {
        b.iter_batched_ref(
            || mid.clone(),
            |state| {
                black_box(
                    step(state, &policy, &ReleaseEvent::Tick { at_ms: at + 500 }).expect("steps"),
                )
            },
            BatchSize::SmallInput,
        );
    });
    let pass = ReleaseEvent::Analysis {
        at_ms: at + 500,
        environment: "production".into(),
        result: AnalysisResult::Pass,
        detail: None,
    };
    group.bench_function("analysis_pass_mid_canary", |b| {
        b.iter_batched_ref(
            || mid.clone(),
            |state| black_box(step(state, &policy, &pass).expect("steps")),
            BatchSize::SmallInput,
        );
    });
    group.throughput(Throughput::Elements(all.len() as u64));
    group.bench_function("whole_release", |b| {
        b.iter(|| {
            let mut state = ReleaseState::new(&policy).expect("has environments");
            for e in &all {
                black_box(step(&mut state, &policy, e).expect("steps"));
            }
            state
        });
    });
    group.finish();
}

const SCHEDULE_POLICY: &str = r#"
name: schedule
environments:
  - {name: dev}
  - {name: staging}
  - name: pre-production
    windows: [{name: weekdays, kind: allow, cron: "0 7 * * 1-5", duration: 12h, tz: America/New_York}]
  - name: production
    windows:
      - {name: business-hours, kind: allow, cron: "0 9 * * 1-5", duration: 8h, tz: Europe/Berlin}
      - {name: year-end-freeze, kind: deny, from: "2026-12-19", to: "2027-01-04", tz: Europe/Berlin}
"#;

/// `n` releases of 500 services over a year from 2026-01-01, each two hours, a fifth needing
/// another service; deterministic (a linear congruential sequence).
fn planned(n: usize) -> kiro::release::conflicts::SchedulePlan {
    use kiro::release::conflicts::{Need, PlannedRelease, SchedulePlan};
    const ENVS: [&str; 4] = ["dev", "staging", "pre-production", "production"];
    let mut x: u64 = 42;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    let year_ms = 365 * 86_400_000;
    let releases = (0..n)
        .map(|i| {
            let service = next() % 500;
            let needs = if i % 5 == 0 {
                vec![Need {
                    service: format!("svc{}", next() % 500),
                    version: format!("1.{}", next() % 20),
                }]
            } else {
                Vec::new()
            };
            PlannedRelease {
                id: None,
                service: format!("svc{service}"),
                environment: ENVS[(next() % 4) as usize].to_owned(),
                version: format!("1.{}", i % 40),
                start: (1_767_225_600_000 + next() % year_ms).to_string(),
                duration: "2h".to_owned(),
                needs,
            }
        })
        .collect();
    SchedulePlan {
        releases,
        deployed: Vec::new(),
    }
}

fn schedule(c: &mut Criterion) {
    let policy = CompiledPolicy::from_text(SCHEDULE_POLICY, None).expect("compiles");
    let mut group = c.benchmark_group("schedule");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let plan = planned(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("releases_{n}"), |b| {
            b.iter(|| black_box(policy.schedule(&plan).expect("checks")));
        });
    }
    group.finish();
}

criterion_group!(benches, release, schedule);
criterion_main!(benches);
