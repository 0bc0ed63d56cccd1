//! The rollback monitor: observations of 20 metrics through a policy of 10 triggers
//! (`kiro_benches::monitor`), replayed from a new state: one day with the full decision at
//! every observation (`step`), one day and 30 days with the effects only (`advance`, the
//! decision not written). `benches/monitor_pandas.py` implements the same triggers with pandas;
//! the bin `monitor-vs-pandas` times both turn about.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiro::CompiledPolicy;
use kiro::monitor::{MonitorState, advance, step};
use kiro_benches::monitor::{MONITOR_POLICY, THIRTY_DAYS, events};
use std::hint::black_box;

fn monitor(c: &mut Criterion) {
    let policy = CompiledPolicy::from_text(MONITOR_POLICY, None).expect("compiles");
    let mut group = c.benchmark_group("monitor");
    let day = events(THIRTY_DAYS / 30);
    group.throughput(Throughput::Elements(day.len() as u64));
    group.bench_function("step_1d", |b| {
        b.iter(|| {
            let mut state = MonitorState::new(&policy).expect("has triggers");
            for event in &day {
                black_box(step(&mut state, &policy, event).expect("steps"));
            }
            state
        });
    });
    let month = events(THIRTY_DAYS);
    for (id, events) in [("advance_1d", &day), ("advance_30d", &month)] {
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_function(id, |b| {
            b.iter(|| {
                let mut state = MonitorState::new(&policy).expect("has triggers");
                let mut acts = 0;
                for event in events {
                    acts += advance(&mut state, &policy, event)
                        .expect("steps")
                        .effects()
                        .len();
                }
                (state, acts)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, monitor);
criterion_main!(benches);
