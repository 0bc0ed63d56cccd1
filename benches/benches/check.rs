//! Whole policies: compiling the kova example from YAML, and one full check of it with the
//! decision, explanations and sign-offs.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use kiro::{CompiledPolicy, Selection};
use kiro_benches::{KOVA_FAIL_METRICS, KOVA_POLICY};
use std::hint::black_box;

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.bench_function("kova_from_text", |b| {
        b.iter(|| CompiledPolicy::from_text(black_box(KOVA_POLICY), None).expect("compiles"));
    });
    let policy = CompiledPolicy::from_text(KOVA_POLICY, None).expect("compiles");
    let metrics: serde_json::Value = serde_json::from_str(KOVA_FAIL_METRICS).expect("valid json");
    let selection = Selection::default();
    group.bench_function("kova_check_value_fail", |b| {
        b.iter(|| {
            policy
                .check_value(black_box(&metrics), &selection)
                .expect("checks")
        });
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
