//! Conditions one record at a time: compiling `coverage >= 90%` and the five-criterion gate,
//! and evaluating them, in kiro, cel-interpreter, evalexpr and hand-written Rust.
//!
//! Each engine evaluates an expression compiled once against a context built once, so no
//! engine re-parses or rebuilds anything per evaluation.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use cel_interpreter::Context as CelContext;
use cel_interpreter::Program as CelProgram;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use evalexpr::{ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node, Value};
use kiro::condition::compile_condition;
use kiro_benches::{
    GATE, GATE_BASELINE, METRICS, PASSING, SINGLE, SINGLE_BASELINE, gate_by_hand, lookup,
};
use std::hint::black_box;

/// The cases: name, kiro condition, CEL/evalexpr expression.
const CASES: [(&str, &str, &str); 2] = [
    ("single", SINGLE, SINGLE_BASELINE),
    ("gate5", GATE, GATE_BASELINE),
];

/// A CEL context holding [`PASSING`].
fn cel_context() -> CelContext<'static> {
    let mut context = CelContext::default();
    for (&(name, _), &value) in METRICS.iter().zip(&PASSING) {
        context.add_variable_from_value(name, value);
    }
    context
}

/// An evalexpr context holding [`PASSING`].
fn evalexpr_context() -> HashMapContext<DefaultNumericTypes> {
    let mut context = HashMapContext::new();
    for (&(name, _), &value) in METRICS.iter().zip(&PASSING) {
        context
            .set_value(name.to_owned(), Value::Float(value))
            .expect("a fresh variable");
    }
    context
}

fn compile(c: &mut Criterion) {
    let metrics = lookup();
    let mut group = c.benchmark_group("compile");
    for (case, condition, baseline) in CASES {
        group.bench_function(BenchmarkId::new("kiro", case), |b| {
            b.iter(|| compile_condition(black_box(condition), &metrics).expect("compiles"));
        });
        group.bench_function(BenchmarkId::new("cel", case), |b| {
            b.iter(|| CelProgram::compile(black_box(baseline)).expect("compiles"));
        });
        group.bench_function(BenchmarkId::new("evalexpr", case), |b| {
            b.iter(|| {
                evalexpr::build_operator_tree::<DefaultNumericTypes>(black_box(baseline))
                    .expect("compiles")
            });
        });
    }
    group.finish();
}

fn eval(c: &mut Criterion) {
    let metrics = lookup();
    let cel = cel_context();
    let evalexpr = evalexpr_context();
    let mut group = c.benchmark_group("eval");
    for (case, condition, baseline) in CASES {
        let program = compile_condition(condition, &metrics).expect("compiles");
        group.bench_function(BenchmarkId::new("kiro", case), |b| {
            b.iter(|| program.eval(black_box(&PASSING)).expect("evaluates"));
        });

        let cel_program = CelProgram::compile(baseline).expect("compiles");
        assert_eq!(
            cel_program.execute(&cel),
            Ok(cel_interpreter::Value::Bool(true))
        );
        group.bench_function(BenchmarkId::new("cel", case), |b| {
            b.iter(|| cel_program.execute(black_box(&cel)).expect("evaluates"));
        });

        let tree: Node<DefaultNumericTypes> =
            evalexpr::build_operator_tree(baseline).expect("compiles");
        assert_eq!(tree.eval_boolean_with_context(&evalexpr), Ok(true));
        group.bench_function(BenchmarkId::new("evalexpr", case), |b| {
            b.iter(|| {
                tree.eval_boolean_with_context(black_box(&evalexpr))
                    .expect("evaluates")
            });
        });

        group.bench_function(BenchmarkId::new("closure", case), |b| match case {
            "single" => b.iter(|| black_box(&PASSING)[0] >= 0.9),
            _ => b.iter(|| {
                let r = black_box(&PASSING);
                gate_by_hand(r[0], r[1], r[2], r[3], r[4])
            }),
        });
    }
    group.finish();
}

criterion_group!(benches, compile, eval);
criterion_main!(benches);
