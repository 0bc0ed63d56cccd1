//! Whole policies: compiling the kova example from YAML, and one full check of it with the
//! decision, explanations and sign-offs; one full check of the five-criterion gate (the check
//! `benches/bindings_python.py` times through the Python binding); and issue 15's workloads
//! (`w1`, `w2`, `w3`): kiro's verdict path and full decision beside cel-interpreter, cel,
//! evalexpr and a hand-written closure, in the same run.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use evalexpr::{ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node};
use kiro::gate::RecordVerdict;
use kiro::metrics::RawValue;
use kiro::{CompiledPolicy, Selection, Verdict};
use kiro_benches::{
    GATE_BASELINE, GATE_POLICY, KOVA_FAIL_METRICS, KOVA_POLICY, METRICS, Records, batch_len,
    gate_by_hand,
};
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

/// W1 as a policy: one gate, one criterion.
const W1_POLICY: &str = r#"version: 1
name: w1
metrics:
  error_rate: { unit: "%" }
gates:
  - name: release
    kind: pre-deploy
    criteria:
      - { name: error-rate, pass: error_rate > 1% }
"#;

/// W1 in CEL and evalexpr, in base units.
const W1_BASELINE: &str = "error_rate > 0.01";

/// A record of the five-criterion gate in its declared units (the host's natural form).
#[derive(Debug, Clone, Copy)]
struct Rec {
    coverage: f64,
    critical_vulns: f64,
    high_vulns: f64,
    p95_latency: f64,
    error_rate: f64,
}

impl Rec {
    /// The record as kiro's typed record form takes it.
    #[inline]
    fn raw(&self) -> [RawValue; 5] {
        [
            RawValue::Number(self.coverage),
            RawValue::Number(self.critical_vulns),
            RawValue::Number(self.high_vulns),
            RawValue::Number(self.p95_latency),
            RawValue::Number(self.error_rate),
        ]
    }

    /// The record in base units, in slot order.
    #[inline]
    fn base(&self) -> [f64; 5] {
        [
            self.coverage / 100.0,
            self.critical_vulns,
            self.high_vulns,
            self.p95_latency,
            self.error_rate / 100.0,
        ]
    }
}

/// W2's record: passes every criterion, so no engine stops early.
const W2_RECORD: Rec = Rec {
    coverage: 93.4,
    critical_vulns: 0.0,
    high_vulns: 1.0,
    p95_latency: 420.0,
    error_rate: 0.4,
};

/// W1's record: passes.
const W1_ERROR_RATE: f64 = 1.5;

/// A one-record workload: name, kiro policy, CEL/evalexpr text, field names, values in
/// declared units, values in base units.
type Workload<'a> = (&'a str, &'a str, &'a str, Vec<&'a str>, Vec<f64>, Vec<f64>);

fn names() -> Vec<&'static str> {
    METRICS.iter().map(|&(name, _)| name).collect()
}

fn cel_interpreter_context(names: &[&str], values: &[f64]) -> cel_interpreter::Context<'static> {
    let mut context = cel_interpreter::Context::default();
    for (&name, &value) in names.iter().zip(values) {
        context.add_variable_from_value(name, value);
    }
    context
}

fn cel_context(names: &[&str], values: &[f64]) -> cel::Context<'static, 'static> {
    let mut context = cel::Context::default();
    for (&name, &value) in names.iter().zip(values) {
        context.add_variable_from_value(name, value);
    }
    context
}

fn evalexpr_context(names: &[&str], values: &[f64]) -> HashMapContext<DefaultNumericTypes> {
    let mut context = HashMapContext::new();
    for (&name, &value) in names.iter().zip(values) {
        context
            .set_value(name.to_owned(), evalexpr::Value::Float(value))
            .expect("a fresh variable");
    }
    context
}

/// W1 and W2: one record. kiro's verdict path and full decision, from the typed record form
/// (values in declared units, converted in the call) and from a JSON value; the peers on a
/// context built once, outside the timing.
fn one_record(c: &mut Criterion) {
    let all = Selection::default();
    let gate_names = names();
    let cases: [Workload<'_>; 2] = [
        (
            "w1",
            W1_POLICY,
            W1_BASELINE,
            vec!["error_rate"],
            vec![W1_ERROR_RATE],
            vec![W1_ERROR_RATE / 100.0],
        ),
        (
            "w2",
            GATE_POLICY,
            GATE_BASELINE,
            gate_names.clone(),
            W2_RECORD
                .raw()
                .iter()
                .map(|r| match r {
                    RawValue::Number(x) => *x,
                    _ => f64::NAN,
                })
                .collect(),
            W2_RECORD.base().to_vec(),
        ),
    ];
    for (workload, policy_text, baseline, fields, declared, base) in cases {
        let mut group = c.benchmark_group(workload);
        let policy = CompiledPolicy::from_text(policy_text, None).expect("compiles");
        let prepared = policy.record_check(&fields, &all).expect("prepares");
        let raw: Vec<RawValue> = declared.iter().map(|&x| RawValue::Number(x)).collect();
        let json = serde_json::Value::Object(
            fields
                .iter()
                .zip(&declared)
                .map(|(&n, &x)| (n.to_owned(), serde_json::json!(x)))
                .collect(),
        );
        let mut out = RecordVerdict::new();
        prepared.verdict_into(&raw, &mut out).expect("judges");
        assert_eq!(out.verdict, Verdict::Pass);
        group.bench_function("kiro_verdict_typed", |b| {
            b.iter(|| {
                prepared
                    .verdict_into(black_box(&raw), &mut out)
                    .expect("judges");
                out.verdict
            });
        });
        group.bench_function("kiro_verdict_value", |b| {
            b.iter(|| {
                policy
                    .verdict_value_into(black_box(&json), &all, &mut out)
                    .expect("judges");
                out.verdict
            });
        });
        group.bench_function("kiro_check_typed", |b| {
            b.iter(|| prepared.check(black_box(&raw)).expect("checks"));
        });
        group.bench_function("kiro_check_value", |b| {
            b.iter(|| policy.check_value(black_box(&json), &all).expect("checks"));
        });

        let program = cel_interpreter::Program::compile(baseline).expect("compiles");
        let context = cel_interpreter_context(&fields, &base);
        assert_eq!(
            program.execute(&context),
            Ok(cel_interpreter::Value::Bool(true))
        );
        group.bench_function("cel_interpreter", |b| {
            b.iter(|| program.execute(black_box(&context)).expect("evaluates"));
        });

        let program = cel::Program::compile(baseline).expect("compiles");
        let context = cel_context(&fields, &base);
        assert_eq!(program.execute(&context).ok(), Some(cel::Value::Bool(true)));
        group.bench_function("cel", |b| {
            b.iter(|| program.execute(black_box(&context)).expect("evaluates"));
        });

        let tree: Node<DefaultNumericTypes> =
            evalexpr::build_operator_tree(baseline).expect("compiles");
        let context = evalexpr_context(&fields, &base);
        assert_eq!(tree.eval_boolean_with_context(&context), Ok(true));
        group.bench_function("evalexpr", |b| {
            b.iter(|| {
                tree.eval_boolean_with_context(black_box(&context))
                    .expect("evaluates")
            });
        });

        group.bench_function("closure", |b| {
            if workload == "w1" {
                b.iter(|| black_box(&base)[0] > 0.01);
            } else {
                b.iter(|| {
                    let r = black_box(&base);
                    gate_by_hand(r[0], r[1], r[2], r[3], r[4])
                });
            }
        });
        group.finish();
    }
}

/// W3: W2 over distinct records held as a `Vec` of structs in declared units, counting
/// passes, conversion included: every engine takes each record from the struct.
fn many_records(c: &mut Criterion) {
    let generated = Records::generate(batch_len(), 42, 0);
    let records: Vec<Rec> = (0..generated.len())
        .map(|i| Rec {
            coverage: generated.declared[0][i],
            critical_vulns: generated.declared[1][i],
            high_vulns: generated.declared[2][i],
            p95_latency: generated.declared[3][i],
            error_rate: generated.declared[4][i],
        })
        .collect();
    let expected = records
        .iter()
        .filter(|r| {
            let [a, b, c, d, e] = r.base();
            gate_by_hand(a, b, c, d, e)
        })
        .count();
    let all = Selection::default();
    let fields = names();
    let policy = CompiledPolicy::from_text(GATE_POLICY, None).expect("compiles");
    let prepared = policy.record_check(&fields, &all).expect("prepares");

    let mut out = RecordVerdict::new();
    let mut kiro_verdict = |records: &[Rec]| {
        records
            .iter()
            .filter(|r| {
                prepared.verdict_into(&r.raw(), &mut out).is_ok() && out.verdict == Verdict::Pass
            })
            .count()
    };
    assert_eq!(kiro_verdict(&records), expected);
    let kiro_batch = |records: &[Rec]| {
        let mut batch = kiro::Batch::new(records.len());
        let columns: [fn(&Rec) -> f64; 5] = [
            |r| r.coverage,
            |r| r.critical_vulns,
            |r| r.high_vulns,
            |r| r.p95_latency,
            |r| r.error_rate,
        ];
        for (&name, column) in fields.iter().zip(columns) {
            batch
                .add_numbers(name, records.iter().map(column).collect(), None)
                .expect("a column");
        }
        policy
            .check_batch(&batch, &all)
            .expect("checks")
            .counts
            .pass
    };
    assert_eq!(kiro_batch(&records), expected);

    let program = cel_interpreter::Program::compile(GATE_BASELINE).expect("compiles");
    let mut context = cel_interpreter::Context::default();
    let mut run_cel_interpreter = |records: &[Rec]| {
        records
            .iter()
            .filter(|r| {
                for (&name, value) in fields.iter().zip(r.base()) {
                    context.add_variable_from_value(name, value);
                }
                program.execute(&context) == Ok(cel_interpreter::Value::Bool(true))
            })
            .count()
    };
    assert_eq!(run_cel_interpreter(&records), expected);

    let cel_program = cel::Program::compile(GATE_BASELINE).expect("compiles");
    let mut cel_context = cel::Context::default();
    let mut run_cel = |records: &[Rec]| {
        records
            .iter()
            .filter(|r| {
                for (&name, value) in fields.iter().zip(r.base()) {
                    cel_context.add_variable_from_value(name, value);
                }
                matches!(
                    cel_program.execute(&cel_context),
                    Ok(cel::Value::Bool(true))
                )
            })
            .count()
    };
    assert_eq!(run_cel(&records), expected);

    let tree: Node<DefaultNumericTypes> =
        evalexpr::build_operator_tree(GATE_BASELINE).expect("compiles");
    let mut evalexpr_context = HashMapContext::<DefaultNumericTypes>::new();
    let mut run_evalexpr = |records: &[Rec]| {
        records
            .iter()
            .filter(|r| {
                for (&name, value) in fields.iter().zip(r.base()) {
                    evalexpr_context
                        .set_value(name.to_owned(), evalexpr::Value::Float(value))
                        .expect("a float");
                }
                tree.eval_boolean_with_context(&evalexpr_context) == Ok(true)
            })
            .count()
    };
    assert_eq!(run_evalexpr(&records), expected);

    let closure = |records: &[Rec]| {
        records
            .iter()
            .filter(|r| {
                r.coverage >= 90.0
                    && r.critical_vulns == 0.0
                    && r.high_vulns <= 2.0
                    && r.p95_latency < 500.0
                    && r.error_rate < 1.0
            })
            .count()
    };

    let mut group = c.benchmark_group("w3");
    group.sample_size(10);
    group.bench_function("kiro_verdict_typed", |b| {
        b.iter(|| kiro_verdict(black_box(&records)));
    });
    group.bench_function("kiro_batch_from_records", |b| {
        b.iter(|| kiro_batch(black_box(&records)));
    });
    group.bench_function("cel_interpreter", |b| {
        b.iter(|| run_cel_interpreter(black_box(&records)));
    });
    group.bench_function("cel", |b| b.iter(|| run_cel(black_box(&records))));
    group.bench_function("evalexpr", |b| b.iter(|| run_evalexpr(black_box(&records))));
    group.bench_function("closure", |b| b.iter(|| closure(black_box(&records))));
    group.finish();
}

criterion_group!(benches, check, one_record, many_records);
criterion_main!(benches);
