//! The five-criterion gate over a columnar batch (100,000 records unless
//! `KIRO_BENCH_RECORDS` says otherwise): kiro's columnar evaluator and full batch check against a
//! hand-written closure over the same columns, and record-by-record loops in kiro,
//! cel-interpreter and evalexpr; and the unit conversion of one chunk of a percent column.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use cel_interpreter::Context as CelContext;
use cel_interpreter::Program as CelProgram;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use evalexpr::{ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node, Value};
use kiro::condition::compile_condition;
use kiro::gate::{CODE_FAIL, CODE_PASS};
use kiro::{CompiledPolicy, Selection};
use kiro_benches::{
    GATE, GATE_BASELINE, GATE_POLICY, METRICS, Records, batch_len, eval_by_hand, gate_by_hand,
    gate_by_hand_branchless, lookup,
};
use std::hint::black_box;

/// The byte a record-by-record loop writes for an evaluation result, as `eval_columns` does.
fn code(result: Option<bool>) -> u8 {
    match result {
        Some(true) => 2,
        Some(false) => 0,
        None => 3,
    }
}

fn columnar(c: &mut Criterion) {
    let n = batch_len();
    let full = Records::generate(n, 42, 0);
    let sparse = Records::generate(n, 42, 5);
    let program = compile_condition(GATE, &lookup()).expect("the gate compiles");
    let policy = CompiledPolicy::from_text(GATE_POLICY, None).expect("the policy compiles");
    let selection = Selection::default();
    let full_batch = full.batch().expect("a valid batch");
    let sparse_batch = sparse.batch().expect("a valid batch");

    // Every engine must agree before anything is timed.
    let mut expected = vec![0u8; n];
    eval_by_hand(full.columns(), &mut expected, gate_by_hand);
    let mut out = vec![0u8; n];
    eval_by_hand(full.columns(), &mut out, gate_by_hand_branchless);
    assert_eq!(out, expected, "the two closures differ");
    program.eval_columns(&full.columns(), &mut out);
    assert_eq!(out, expected, "eval_columns differs from the closure");
    let verdicts = policy
        .check_batch(&full_batch, &selection)
        .expect("checks")
        .verdicts;
    let closure_verdicts: Vec<u8> = expected
        .iter()
        .map(|&t| if t == 2 { CODE_PASS } else { CODE_FAIL })
        .collect();
    assert_eq!(
        verdicts, closure_verdicts,
        "check_batch differs from the closure"
    );

    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("closure", |b| {
        b.iter(|| eval_by_hand(black_box(full.columns()), black_box(&mut out), gate_by_hand));
    });
    group.bench_function("closure_branchless", |b| {
        b.iter(|| {
            eval_by_hand(
                black_box(full.columns()),
                black_box(&mut out),
                gate_by_hand_branchless,
            )
        });
    });
    group.bench_function("kiro_eval_columns", |b| {
        b.iter(|| program.eval_columns(black_box(&full.columns()), black_box(&mut out)));
    });
    group.bench_function("kiro_eval_columns_missing5", |b| {
        b.iter(|| program.eval_columns(black_box(&sparse.columns()), black_box(&mut out)));
    });
    group.bench_function("kiro_eval_rows", |b| {
        b.iter(|| {
            for (i, o) in out.iter_mut().enumerate() {
                *o = code(
                    program
                        .eval(black_box(&full.record(i)))
                        .ok()
                        .map(|t| t == kiro::tri::Tri::True),
                );
            }
        });
    });
    group.bench_function("kiro_check_batch", |b| {
        b.iter(|| {
            policy
                .check_batch(black_box(&full_batch), &selection)
                .expect("checks")
        });
    });
    group.bench_function("kiro_check_batch_missing5", |b| {
        b.iter(|| {
            policy
                .check_batch(black_box(&sparse_batch), &selection)
                .expect("checks")
        });
    });
    group.finish();
}

/// The interpreters, record by record: each record's values are set in the engine's context
/// through its public API, then the expression compiled once is evaluated.
fn interpreters(c: &mut Criterion) {
    let n = batch_len();
    let full = Records::generate(n, 42, 0);
    let mut expected = vec![0u8; n];
    eval_by_hand(full.columns(), &mut expected, gate_by_hand);
    let mut out = vec![0u8; n];

    let cel = CelProgram::compile(GATE_BASELINE).expect("compiles");
    let mut cel_context = CelContext::default();
    let mut run_cel = |out: &mut [u8]| {
        for (i, o) in out.iter_mut().enumerate() {
            for (slot, &(name, _)) in METRICS.iter().enumerate() {
                cel_context.add_variable_from_value(name, full.base[slot][i]);
            }
            *o = code(match cel.execute(&cel_context) {
                Ok(cel_interpreter::Value::Bool(b)) => Some(b),
                _ => None,
            });
        }
    };
    run_cel(&mut out);
    assert_eq!(out, expected, "cel-interpreter differs from the closure");

    let tree: Node<DefaultNumericTypes> =
        evalexpr::build_operator_tree(GATE_BASELINE).expect("compiles");
    let mut evalexpr_context = HashMapContext::<DefaultNumericTypes>::new();
    let mut run_evalexpr = |out: &mut [u8]| {
        for (i, o) in out.iter_mut().enumerate() {
            for (slot, &(name, _)) in METRICS.iter().enumerate() {
                // A fresh key per call: `set_value` takes the name as a `String`.
                let set =
                    evalexpr_context.set_value(name.to_owned(), Value::Float(full.base[slot][i]));
                debug_assert!(set.is_ok());
            }
            *o = code(tree.eval_boolean_with_context(&evalexpr_context).ok());
        }
    };
    run_evalexpr(&mut out);
    assert_eq!(out, expected, "evalexpr differs from the closure");

    let mut group = c.benchmark_group("batch_interpreters");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("cel_rows", |b| b.iter(|| run_cel(black_box(&mut out))));
    group.bench_function("evalexpr_rows", |b| {
        b.iter(|| run_evalexpr(black_box(&mut out)))
    });
    group.finish();
}

/// The unit conversion of one chunk (4,096 values) of the `coverage` column, in percent:
/// the exact column conversion the batch uses, the exact scalar conversion value by value, and
/// the inexact multiplication by `0.01` the batch used before conversions were exact.
fn conversion(c: &mut Criterion) {
    let records = Records::generate(4096, 42, 0);
    let values = &records.declared[0];
    let scale = kiro::units::Unit::PERCENT.scale;
    let mut out = Vec::with_capacity(values.len());
    scale.to_base_column(values, &mut out);
    let scalar: Vec<f64> = values.iter().map(|&x| scale.to_base(x)).collect();
    assert_eq!(
        out, scalar,
        "the column conversion differs from the scalar one"
    );

    let mut group = c.benchmark_group("convert");
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("percent_column", |b| {
        b.iter(|| scale.to_base_column(black_box(values), black_box(&mut out)));
    });
    group.bench_function("percent_scalar", |b| {
        b.iter(|| {
            out.clear();
            out.extend(black_box(values).iter().map(|&x| scale.to_base(x)));
        });
    });
    group.bench_function("percent_multiply_inexact", |b| {
        b.iter(|| {
            out.clear();
            out.extend(black_box(values).iter().map(|&x| x * 0.01));
        });
    });
    group.finish();
}

criterion_group!(benches, columnar, interpreters, conversion);
criterion_main!(benches);
