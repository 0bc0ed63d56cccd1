//! Pipelines: planning a 100,000-stage random DAG (validation, topological order, waves,
//! earliest/latest times, critical path and slack), the same from YAML text, and the run's
//! overhead per stage: the state machine stepping a pipeline whose stages have no action (each
//! passes at once), so only the run's own bookkeeping is measured.
//!
//! The graph ([`kiro_benches::pipeline::random_dag`]) is the one `benches/networkx_plan.py`
//! builds with the same xorshift generator, so the two can be compared:
//! `cargo run --release -p kiro-benches --bin plan-vs-networkx` times both in the same run and
//! prints the ratio.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiro::CompiledPolicy;
use kiro::pipeline::{RunEffect, RunEvent, RunOptions, RunState, plan_pipeline, step};
use kiro_benches::pipeline::{STAGES, edges, pipeline, random_dag, reference, yaml};
use std::hint::black_box;

fn plan(c: &mut Criterion) {
    let graph = random_dag(STAGES);
    let decl = pipeline(&graph);
    let reference = reference();
    let plan = plan_pipeline(reference.clone(), &decl).expect("a DAG");
    println!(
        "100,000-stage DAG: {} edges, {} waves, critical path of {} stages, total {}s",
        edges(&graph),
        plan.waves.len(),
        plan.critical_path.len(),
        plan.total_ms / 1_000
    );
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(graph.len() as u64));
    group.bench_function("plan_100k_stages", |b| {
        b.iter(|| plan_pipeline(reference.clone(), black_box(&decl)).expect("a DAG"));
    });
    let text = yaml(&graph);
    group.bench_function("compile_100k_stages_from_yaml", |b| {
        b.iter(|| CompiledPolicy::from_text(black_box(&text), None).expect("compiles"));
    });
    group.finish();
}

fn run(c: &mut Criterion) {
    let graph = random_dag(10_000);
    let text = yaml(&graph);
    let policy = CompiledPolicy::from_text(&text, None).expect("compiles");
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(graph.len() as u64));
    group.bench_function("execute_10k_noop_stages", |b| {
        b.iter(|| {
            let mut state = RunState::new();
            let start = RunEvent::Start {
                at_ms: 0,
                actions: Vec::new(),
                options: RunOptions::default(),
            };
            black_box(step(&mut state, &policy, start).expect("starts"));
            let effects = step(&mut state, &policy, RunEvent::Tick { at_ms: 0 }).expect("runs");
            let verdict = match effects.last() {
                Some(RunEffect::Finished { result }) => Some(result.verdict),
                _ => None,
            };
            assert_eq!(
                verdict,
                Some(kiro::Verdict::Pass),
                "the run finished and passed"
            );
            black_box(effects);
        });
    });
    group.finish();
}

criterion_group!(benches, plan, run);
criterion_main!(benches);
