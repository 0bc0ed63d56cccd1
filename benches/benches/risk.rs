//! Change risk: scoring a policy's risk model, fitting the defect-risk model on 20,000
//! changes, and scoring changes with it (the bar: a million a second per core).
//!
//! The data is generated here, deterministically, in the shape of the public JIT data sets;
//! `benches/risk_sklearn.py` times scikit-learn on a data file for comparison.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiro::CompiledPolicy;
use kiro::risk::fit::{DefectModel, fit};
use std::hint::black_box;
use std::time::Duration;

/// `n` synthetic changes with dates and labels.
fn history(n: usize) -> String {
    let mut text =
        String::from("commitdate,ns,nd,nf,entropy,la,ld,lt,fix,ndev,age,nuc,exp,rexp,sexp,bug\n");
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let la = (-60.0 * next().max(1e-9).ln()).floor();
        let ld = (-20.0 * next().max(1e-9).ln()).floor();
        let nf = 1.0 + (next() * 8.0).floor();
        let exp = (-500.0 * next().max(1e-9).ln()).floor();
        let fix = u8::from(next() < 0.3);
        let z = -2.2 + 0.5 * (1.0 + la).ln() + 0.3 * (1.0 + nf).ln() - 0.25 * (1.0 + exp).ln()
            + 0.4 * f64::from(fix);
        let bug = u8::from(next() < 1.0 / (1.0 + (-z).exp()));
        let day = i / 10;
        text.push_str(&format!(
            "{},{},{},{nf},{:.3},{la},{ld},{},{fix},{},{:.1},{},{exp},{:.1},{},{bug}\n",
            1_000_000_000 + day * 86_400 + i % 10,
            1 + i % 3,
            1 + i % 5,
            next() * 3.0,
            (next() * 2000.0).floor(),
            1 + i % 9,
            next() * 300.0,
            1 + i % 4,
            exp * next(),
            (exp * next()).floor(),
        ));
    }
    text
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("risk");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(10);

    let data = history(20_000);
    group.bench_function(
        "fit 20,000 changes (parse, fit, LApredict, evaluate)",
        |b| {
            b.iter(|| fit(black_box(&data), false).expect("a model"));
        },
    );

    let model = DefectModel::from_json(&fit(&data, false).expect("a model").to_json())
        .expect("a model file");
    let scorer = model.scorer();
    let width = model.metrics().len();
    let rows: Vec<Vec<f64>> = (0..1000)
        .map(|i| {
            (0..width)
                .map(|j| ((i * 7 + j * 13) % 200) as f64)
                .collect()
        })
        .collect();
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("score 1,000 changes with the model", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for row in &rows {
                total += scorer.probability(black_box(row));
            }
            total
        });
    });

    let policy = CompiledPolicy::from_text(include_str!("../../examples/risk/policy.yaml"), None)
        .expect("a policy");
    let metrics = serde_json::json!({"memory_pressure": 81, "chunk_failure_rate": 1,
        "perf_regression": 12, "critical_vulns": 2});
    group.throughput(Throughput::Elements(1));
    group.bench_function("score the crisis prevention index (report included)", |b| {
        b.iter(|| {
            policy
                .score_risk_value(black_box(&metrics), None, None)
                .expect("a report")
        });
    });
    group.finish();
}

criterion_group!(risk, benches);
criterion_main!(risk);
