//! Pipelines: planning a 100,000-stage random DAG (validation, topological order, waves,
//! earliest/latest times, critical path and slack), the same from YAML text, and the
//! executor's overhead per stage with a runner and a clock that do nothing.
//!
//! The graph is the one `benches/networkx_plan.py` builds with the same xorshift generator, so
//! the two can be compared: `python3 benches/networkx_plan.py` prints networkx's time for a
//! topological sort and the longest path on it.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiro::decision::PolicyRef;
use kiro::document::Spanned;
use kiro::pipeline::model::{DurationDecl, PipelineDecl, StageDecl};
use kiro::pipeline::{Executor, Stage, StageReport, StageRunner, Timer, plan_pipeline};
use kiro::{CompiledPolicy, MetricsInput};
use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Stage `i`'s needs and estimate (seconds), from the generator `benches/networkx_plan.py`
/// shares: up to 3 needs among the 1,000 stages before it, an estimate of 1 to 600 seconds.
fn random_dag(n: usize) -> Vec<(Vec<usize>, u64)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let k = if i == 0 { 0 } else { next() % 4 };
            let mut needs: Vec<usize> = (0..k)
                .map(|_| i - 1 - (next() % (i as u64).min(1_000)) as usize)
                .collect();
            needs.sort_unstable();
            needs.dedup();
            (needs, 1 + next() % 600)
        })
        .collect()
}

fn model(graph: &[(Vec<usize>, u64)]) -> PipelineDecl {
    let spanned = |v: String| Spanned::new(Default::default(), v);
    let stages = graph
        .iter()
        .enumerate()
        .map(|(i, (needs, secs))| {
            Spanned::new(
                Default::default(),
                StageDecl {
                    name: spanned(format!("s{i}")),
                    description: None,
                    needs: needs.iter().map(|j| spanned(format!("s{j}"))).collect(),
                    personas: Vec::new(),
                    gate: None,
                    criteria: None,
                    score: None,
                    timeout: None,
                    retries: None,
                    backoff: None,
                    continue_on_failure: false,
                    estimate: Some(Spanned::new(
                        Default::default(),
                        DurationDecl::Text(format!("{secs}s")),
                    )),
                    run: None,
                    env: Default::default(),
                    workdir: None,
                },
            )
        })
        .collect();
    PipelineDecl {
        description: None,
        fail_fast: None,
        max_parallel: None,
        stages,
    }
}

fn yaml(graph: &[(Vec<usize>, u64)]) -> String {
    let mut text = String::from("name: bench\npipeline:\n  stages:\n");
    for (i, (needs, secs)) in graph.iter().enumerate() {
        let needs: Vec<String> = needs.iter().map(|j| format!("s{j}")).collect();
        text.push_str(&format!(
            "    - {{name: s{i}, needs: [{}], estimate: {secs}s}}\n",
            needs.join(", ")
        ));
    }
    text
}

fn plan(c: &mut Criterion) {
    let graph = random_dag(100_000);
    let decl = model(&graph);
    let reference = PolicyRef {
        name: "bench".into(),
        hash: String::new(),
    };
    let plan = plan_pipeline(reference.clone(), &decl).expect("a DAG");
    println!(
        "100,000-stage DAG: {} edges, {} waves, critical path of {} stages, total {}s",
        graph.iter().map(|(n, _)| n.len()).sum::<usize>(),
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

struct Noop;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

// The traits written out by hand, as `#[async_trait]` expands them: a host needs no macro.
impl StageRunner for Noop {
    fn run<'s, 'st, 'a>(&'s self, _stage: &'st Stage, _attempt: u32) -> Boxed<'a, StageReport>
    where
        's: 'a,
        'st: 'a,
        Self: 'a,
    {
        Box::pin(std::future::ready(StageReport::success(
            MetricsInput::default(),
        )))
    }
}

impl Timer for Noop {
    fn now(&self) -> Duration {
        Duration::ZERO
    }

    fn sleep<'s, 'a>(&'s self, _duration: Duration) -> Boxed<'a, ()>
    where
        's: 'a,
        Self: 'a,
    {
        Box::pin(std::future::ready(()))
    }
}

/// Polls a future whose every part completes without waiting.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn executor(c: &mut Criterion) {
    let graph = random_dag(10_000);
    let text = yaml(&graph);
    let policy = CompiledPolicy::from_text(&text, None).expect("compiles");
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(graph.len() as u64));
    group.bench_function("execute_10k_noop_stages", |b| {
        b.iter(|| {
            let executor = Executor::new(&policy, &Noop, &Noop).expect("a pipeline");
            let result = block_on(executor.run(|event| {
                black_box(event);
            }));
            assert_eq!(result.verdict, kiro::Verdict::Pass);
        });
    });
    group.finish();
}

criterion_group!(benches, plan, executor);
criterion_main!(benches);
