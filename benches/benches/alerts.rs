//! The alert engine under a realistic load: 200 alert rules over 20 metrics, a routing tree of
//! 50 routes, 10 inhibition rules, 1,000 label sets of alerts sent from outside (in
//! Alertmanager's format), 100 silences, escalation, batching, de-duplication and flapping, fed
//! 100,000 observation events (every tenth also brings ten outside alerts firing or resolving).
//!
//! - `alerts/step_warm`: 1,000 events stepped from a warm state (every label set seen, every
//!   silence in force): events per second in steady state;
//! - `alerts/replay_100k`: the whole log of 100,000 events replayed from a new engine;
//! - `alerts_silences/N`, `alerts_routes/N`: the same 1,000 warm events with 10, 100 and 1,000
//!   silences, and with 10, 50 and 200 routes: how the cost grows with each.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kiro::CompiledPolicy;
use kiro::alert::{AlertEvent, AlertState, ExternalAlert, ExternalStatus, Reading, replay, step};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;

const METRICS: usize = 20;
const RULES: usize = 200;
const SERVICES: usize = 50;
const LABEL_SETS: usize = 1_000;
const EVENTS: usize = 100_000;
/// Under `cargo test --benches` (no `--bench` argument, debug build) every count is divided by
/// this, so the bench runs once quickly as a test.
const TEST_DIVISOR: usize = 100;
/// Events to warm the engine with before `step_warm` measures.
const WARM: usize = 10_000;
/// Events `step_warm` measures.
const WINDOW: usize = 1_000;
/// The time between two events.
const TICK_MS: u64 = 500;

/// A small deterministic generator (xorshift), so every run sees the same events.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

/// The policy: `routes` leaf routes under the root (one per service, the first of them
/// `continue`), rules on every service, ten inhibition rules, escalation and the rest.
fn policy_text(routes: usize) -> String {
    let mut p = String::from("name: bench\nmetrics:\n");
    for m in 0..METRICS {
        let _ = writeln!(p, "  m{m}: {{unit: \"%\"}}");
    }
    p.push_str("personas: [{name: devops}]\nalerts:\n  rules:\n");
    for r in 0..RULES {
        let severity = if r.is_multiple_of(4) {
            "critical"
        } else {
            "warning"
        };
        let _ = writeln!(
            p,
            "    - {{name: Rule{r}, when: m{} > {}%, for: {}s, severity: {severity}, owner: devops, \
             labels: {{service: svc{}, team: team{}}}, summary: \"m is {{{{ metrics.m{} }}}}\"}}",
            r % METRICS,
            50 + (r / METRICS) * 4,
            (r % 3) * 30,
            r % SERVICES,
            r % 10,
            r % METRICS
        );
    }
    p.push_str(
        "  receivers:\n    - {name: default, channel: webhook}\n    - {name: pager, channel: pagerduty, to: key}\n    - {name: chat, channel: slack, to: \"#ops\"}\n",
    );
    p.push_str(
        "  route:\n    receiver: default\n    group_by: [alertname, service]\n    group_wait: 30s\n    group_interval: 5m\n    repeat_interval: 4h\n    routes:\n",
    );
    for r in 0..routes {
        let receiver = if r.is_multiple_of(5) { "pager" } else { "chat" };
        let extra = if r == 0 {
            ", continue: true, matchers: ['severity=\"critical\"'], escalate: true"
        } else if r.is_multiple_of(7) {
            ", matchers: ['service=~\"svc1.*\"', 'severity!=\"info\"']"
        } else {
            ""
        };
        if extra.contains("matchers") {
            let _ = writeln!(p, "      - {{receiver: {receiver}{extra}}}");
        } else {
            let _ = writeln!(
                p,
                "      - {{receiver: {receiver}, matchers: ['service=\"svc{}\"']}}",
                r % SERVICES
            );
        }
    }
    p.push_str("  inhibit_rules:\n");
    for t in 0..10 {
        let _ = writeln!(
            p,
            "    - {{source_matchers: ['severity=\"critical\"', 'team=\"team{t}\"'], target_matchers: ['severity=\"warning\"', 'team=\"team{t}\"'], equal: [service]}}"
        );
    }
    p.push_str(
        "  escalation:\n    from: start\n    ack_expiry: 1h\n    levels:\n      - {after: 15m, notify: [{team: team-leads}]}\n      - {after: 30m, notify: [{person: engineering-manager}]}\n      - {after: 60m, notify: [{person: vp-engineering}]}\n",
    );
    p.push_str("  batching: {size: 5, window: 5m}\n  dedup: {count: 3, window: 10m}\n  flapping: {changes: 6, window: 1h}\n");
    p
}

fn labels(set: usize) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    l.insert("alertname".to_owned(), format!("Ext{}", set % 100));
    l.insert("service".to_owned(), format!("svc{}", set % SERVICES));
    l.insert("team".to_owned(), format!("team{}", set % 10));
    l.insert("instance".to_owned(), format!("host-{set}"));
    l.insert(
        "severity".to_owned(),
        (if set.is_multiple_of(3) {
            "critical"
        } else {
            "warning"
        })
        .to_owned(),
    );
    l
}

/// The `n`th silence: most name an instance, some a service and an alert name by regex.
fn silence(n: usize, at_ms: u64) -> AlertEvent {
    let matchers = if n.is_multiple_of(4) {
        vec![
            format!("service=\"svc{}\"", n % SERVICES),
            format!("alertname=~\"Ext{}.*\"", n % 10),
        ]
    } else {
        vec![format!("instance=\"host-{}\"", n * 10 + 3)]
    };
    AlertEvent::Silence {
        at_ms,
        id: format!("s{n:04}"),
        matchers,
        starts_ms: None,
        ends_ms: Some(at_ms + 23 * 3_600_000),
        until_resolved: false,
        reason: "maintenance".into(),
        author: "ops".into(),
    }
}

/// The log: `silences` silences first, then `events` events, each an observation of every
/// metric (a random walk around the thresholds), every tenth with ten outside alerts.
fn events(silences: usize, events: usize) -> Vec<AlertEvent> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(silences + events + events / 10);
    let mut at = 1_800_000_000_000u64;
    for n in 0..silences {
        out.push(silence(n, at));
    }
    let mut level = [60.0f64; METRICS];
    for i in 0..events {
        at += TICK_MS;
        let mut values = BTreeMap::new();
        for (m, v) in level.iter_mut().enumerate() {
            let step = f64::from(u32::try_from(rng.below(41)).unwrap_or(20)) / 10.0 - 2.0;
            *v = (*v + step).clamp(30.0, 130.0);
            values.insert(format!("m{m}"), Reading::Number(*v / 100.0));
        }
        out.push(AlertEvent::Observe { at_ms: at, values });
        if i.is_multiple_of(10) {
            let alerts = (0..10)
                .map(|_| {
                    let set = rng.below(LABEL_SETS);
                    ExternalAlert {
                        labels: labels(set),
                        annotations: BTreeMap::new(),
                        status: (rng.below(3) == 0).then_some(ExternalStatus::Resolved),
                        ends_ms: None,
                        starts_at: None,
                        ends_at: None,
                        generator_url: None,
                        fingerprint: None,
                    }
                })
                .collect();
            out.push(AlertEvent::External { at_ms: at, alerts });
        }
    }
    out
}

/// The state after the first `warm` events of `log`, and the next `WINDOW` events.
fn warm(policy: &CompiledPolicy, log: &[AlertEvent], warm: usize) -> (AlertState, Vec<AlertEvent>) {
    let (state, _) = replay(policy, &log[..warm]).expect("replays");
    (state, log[warm..warm + scaled(WINDOW)].to_vec())
}

/// `n`, or `n / TEST_DIVISOR` when run as a test.
fn scaled(n: usize) -> usize {
    if std::env::args().any(|a| a == "--bench") {
        n
    } else {
        (n / TEST_DIVISOR).max(1)
    }
}

fn run(state: &mut AlertState, policy: &CompiledPolicy, events: &[AlertEvent]) -> usize {
    let mut effects = 0;
    for e in events {
        effects += step(state, policy, e).expect("steps").effects.len();
    }
    effects
}

fn alerts(c: &mut Criterion) {
    let policy = CompiledPolicy::from_text(&policy_text(SERVICES), None).expect("compiles");
    let mut group = c.benchmark_group("alerts");
    group.sample_size(10);
    group.throughput(Throughput::Elements(WINDOW as u64));
    // Set up on first use, so that a filtered-out bench costs nothing.
    let mut warmed = None;
    group.bench_function("step_warm", |b| {
        let (state, window) = warmed.get_or_insert_with(|| {
            let (state, window) = warm(
                &policy,
                &events(100, scaled(WARM) + scaled(WINDOW)),
                100 + scaled(WARM),
            );
            eprintln!(
                "alerts: warm state holds {} alerts, {} groups, {} silences",
                state.live_alerts(),
                state.live_groups(),
                state.live_silences()
            );
            (state, window)
        });
        b.iter_batched_ref(
            || state.clone(),
            |s| black_box(run(s, &policy, window)),
            BatchSize::LargeInput,
        );
    });
    group.throughput(Throughput::Elements((100 + EVENTS + EVENTS / 10) as u64));
    let mut full = None;
    group.bench_function("replay_100k", |b| {
        let full = full.get_or_insert_with(|| events(100, scaled(EVENTS)));
        b.iter(|| black_box(replay(&policy, full).expect("replays").1.len()));
    });
    group.finish();
}

/// `step_warm` for one policy and number of silences.
fn growth_case(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    routes: usize,
    silences: usize,
    id: usize,
) {
    let policy = CompiledPolicy::from_text(&policy_text(routes), None).expect("compiles");
    let mut warmed = None;
    group.throughput(Throughput::Elements(WINDOW as u64));
    group.bench_function(BenchmarkId::from_parameter(id), |b| {
        let (state, window) = warmed.get_or_insert_with(|| {
            warm(
                &policy,
                &events(silences, scaled(2_000) + scaled(WINDOW)),
                silences + scaled(2_000),
            )
        });
        b.iter_batched_ref(
            || state.clone(),
            |s| black_box(run(s, &policy, window)),
            BatchSize::LargeInput,
        );
    });
}

fn growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("alerts_silences");
    group.sample_size(10);
    for silences in [10, 100, 1_000] {
        growth_case(&mut group, SERVICES, silences, silences);
    }
    group.finish();
    let mut group = c.benchmark_group("alerts_routes");
    group.sample_size(10);
    for routes in [10, 50, 200] {
        growth_case(&mut group, routes, 100, routes);
    }
    group.finish();
}

criterion_group!(benches, alerts, growth);
criterion_main!(benches);
