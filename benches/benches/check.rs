//! Whole policies: compiling the kova example from YAML, and one full check of it with the
//! decision, explanations and sign-offs; one full check of the five-criterion gate (the check
//! `benches/bindings_python.py` times through the Python binding).

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use kiro::{CompiledPolicy, Selection};
use kiro_benches::{GATE_POLICY, KOVA_FAIL_METRICS, KOVA_POLICY};
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
    let gate5 = CompiledPolicy::from_text(GATE_POLICY, None).expect("compiles");
    // Three of the five criteria fail, so three explanations say what would flip them.
    let record = serde_json::json!({
        "coverage": 86.476_655_296_663_25,
        "critical_vulns": 0,
        "high_vulns": 3,
        "p95_latency": 379.902_182_399_624_1,
        "error_rate": 1.018_060_780_091_121_7,
    });
    group.bench_function("gate5_check_value_fail", |b| {
        b.iter(|| {
            gate5
                .check_value(black_box(&record), &selection)
                .expect("checks")
        });
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
