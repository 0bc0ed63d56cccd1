//! The condition language: parse, print, re-parse, compile and evaluate arbitrary text.
//!
//! Checks, for any input:
//! - `parse` never panics; error labels lie inside the text, on character boundaries;
//! - a parsed condition prints to canonical text that re-parses to the same tree (ignoring
//!   spans), and printing that tree again gives the same text;
//! - compiling against a fixed metric table (and against a table that declares every name the
//!   condition uses) never panics, and the printed text compiles exactly when the original does;
//! - a compiled program evaluates without panicking on fixed records (including NaN = no data,
//!   zeros, huge and tiny values), gives the same results as the program compiled from the
//!   printed text, `explain` agrees with `eval`, and the columnar evaluator agrees record by
//!   record (`COLUMN_ERROR` exactly where `eval` fails).

#![no_main]

mod common;

use kiro::Code;
use kiro::condition::{
    self, COLUMN_ERROR, Expr, MAX_SOURCE_LEN, MetricInfo, Program, compile_condition, compile_expr,
};
use kiro::tri::Tri;
use kiro::units::{Dimension, declared_unit};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The fixed table: names used by the seeds, one or more of every dimension.
const FIXED: &[(&str, &str)] = &[
    ("n", "count"),
    ("coverage", "%"),
    ("error_rate", "%"),
    ("p95_latency", "ms"),
    ("bundle_size", "KB"),
    ("mem", "MiB"),
    ("critical_vulns", "count"),
    ("tests.e2e_green", "bool"),
    ("tests.failed", "count"),
    ("tests.total", "count"),
    ("share", "ratio"),
    ("uptime", "h"),
];

/// Units given, by name hash, to names the fixed table does not declare.
const EXTRA_UNITS: &[&str] = &["count", "%", "ms", "KB", "bool", "ratio", "s", "B"];

type Table = BTreeMap<String, MetricInfo>;

fn unit_info(slot: usize, unit: &str) -> MetricInfo {
    let unit = declared_unit(unit).unwrap_or_else(|| panic!("fuzz table unit `{unit}` unknown"));
    MetricInfo { slot, unit }
}

fn fixed_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        FIXED
            .iter()
            .enumerate()
            .map(|(slot, (name, unit))| ((*name).to_owned(), unit_info(slot, unit)))
            .collect()
    })
}

/// The fixed table plus every other metric the condition names.
fn dynamic_table(expr: &Expr) -> Table {
    let mut table = fixed_table().clone();
    for name in expr.metric_names() {
        if table.contains_key(name) {
            continue;
        }
        let hash = name
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        let slot = table.len();
        table.insert(
            name.to_owned(),
            unit_info(slot, EXTRA_UNITS[hash % EXTRA_UNITS.len()]),
        );
    }
    table
}

/// The dimension of every slot of `table`, in slot order.
fn dimensions(table: &Table) -> Vec<Dimension> {
    let mut dims = vec![Dimension::Number; table.len()];
    for info in table.values() {
        dims[info.slot] = info.unit.dimension;
    }
    dims
}

const NUMBERS: &[f64] = &[
    f64::NAN,
    0.0,
    1.0,
    -0.0,
    0.5,
    87.0,
    -3.0,
    1e308,
    -1e308,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    9.007_199_254_740_993e15,
];
const BOOLS: &[f64] = &[f64::NAN, 0.0, 1.0];

/// The fixed records: all no data, all zero / false, all one / true, and four mixes.
fn records(dims: &[Dimension]) -> Vec<Vec<f64>> {
    let fill = |num: f64, b: f64| -> Vec<f64> {
        dims.iter()
            .map(|d| if *d == Dimension::Bool { b } else { num })
            .collect()
    };
    let mix = |shift: usize| -> Vec<f64> {
        dims.iter()
            .enumerate()
            .map(|(i, d)| {
                if *d == Dimension::Bool {
                    BOOLS[(i + shift) % BOOLS.len()]
                } else {
                    NUMBERS[(i * 7 + shift) % NUMBERS.len()]
                }
            })
            .collect()
    };
    vec![
        fill(f64::NAN, f64::NAN),
        fill(0.0, 0.0),
        fill(1.0, 1.0),
        fill(f64::MAX, 1.0),
        mix(1),
        mix(2),
        mix(5),
    ]
}

/// What one record evaluates to: a three-valued result or an error code.
fn outcome(result: &Result<Tri, condition::EvalError>) -> Result<Tri, Code> {
    result.as_ref().map(|t| *t).map_err(|e| e.code)
}

/// Evaluates `program` on every record in every way, checking that the ways agree.
fn exercise(program: &Program, records: &[Vec<f64>], what: &str) -> Vec<Result<Tri, Code>> {
    let source = program.source();
    // Too short input is an error, not a panic.
    let short = program.eval(&[]);
    if program.min_slots_len() > 0 {
        assert!(
            short.is_err(),
            "{what}: eval on no slots succeeded: {source:?}"
        );
    }
    let mut results = Vec::with_capacity(records.len());
    for slots in records {
        let result = program.eval(slots);
        if let Err(e) = &result {
            assert!(
                matches!(e.code, Code::DivisionByZero | Code::NonFinite),
                "{what}: unexpected eval error {e:?} for {source:?} on {slots:?}"
            );
            assert!(
                e.span.start <= e.span.end && e.span.end <= source.len(),
                "{what}: eval error span outside the source: {e:?} for {source:?}"
            );
        }
        let explained = program.explain(slots, &|slot| format!("m{slot}"));
        assert_eq!(
            explained.as_ref().map(|(t, _)| *t).map_err(|e| e.code),
            outcome(&result),
            "{what}: explain disagrees with eval for {source:?} on {slots:?}"
        );
        results.push(outcome(&result));
    }
    // Columnar evaluation, one column per slot.
    let width = records.first().map_or(0, Vec::len);
    let columns: Vec<Vec<f64>> = (0..width)
        .map(|slot| records.iter().map(|r| r[slot]).collect())
        .collect();
    let column_refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut out = vec![u8::MAX; records.len()];
    program.eval_columns(&column_refs, &mut out);
    for (i, (code, result)) in out.iter().zip(&results).enumerate() {
        let expected = match result {
            Ok(t) => *t as u8,
            Err(_) => COLUMN_ERROR,
        };
        assert_eq!(
            *code, expected,
            "{what}: eval_columns record {i} gives {code}, eval gives {result:?} for {source:?} \
             on {:?}",
            records[i]
        );
    }
    // Missing columns are reported, not a panic.
    let mut out = vec![0u8; 3];
    let missing = program.try_eval_columns(&[], &mut out);
    if !program.slots().is_empty() {
        assert!(
            missing.is_err(),
            "{what}: missing columns accepted for {source:?}"
        );
    }
    results
}

/// Compiles the original and the printed condition against `table` and checks they behave the
/// same.
fn compile_both(source: &str, expr: &Expr, printed: &str, table: &Table, what: &str) {
    let original = compile_expr(source, expr, table);
    let reprinted = compile_condition(printed, table);
    if let Err(diagnostics) = &original {
        assert!(
            !diagnostics.is_empty(),
            "{what}: compile failed without a diagnostic"
        );
        common::check_labels(what, diagnostics, source, true);
    }
    if let Err(diagnostics) = &reprinted {
        common::check_labels(what, diagnostics, printed, true);
    }
    assert_eq!(
        original.is_ok(),
        reprinted.is_ok(),
        "{what}: {source:?} compiles: {:?}, printed {printed:?} compiles: {:?}",
        original.as_ref().err(),
        reprinted.as_ref().err()
    );
    if let (Ok(a), Ok(b)) = (original, reprinted) {
        let records = records(&dimensions(table));
        let ra = exercise(&a, &records, what);
        let rb = exercise(&b, &records, what);
        assert_eq!(
            ra, rb,
            "{what}: {source:?} and printed {printed:?} evaluate differently"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let source = common::text(data);
    let source: &str = &source;
    let expr = match condition::parse(source) {
        Ok(expr) => expr,
        Err(d) => {
            common::check_labels("parse", &[d], source, true);
            // Still compile: the error must come back the same way, without a panic.
            assert!(compile_condition(source, fixed_table()).is_err());
            return;
        }
    };
    let printed = expr.to_string();
    if printed.len() > MAX_SOURCE_LEN {
        // `&&` prints as ` and `: canonical text may outgrow the length limit.
        return;
    }
    let reparsed = condition::parse(&printed).unwrap_or_else(|d| {
        panic!("{source:?} printed as {printed:?}, which does not parse: {d:?}")
    });
    assert!(
        expr.same_as(&reparsed),
        "{source:?} printed as {printed:?}, which parses to a different tree:\n{expr:?}\n{reparsed:?}"
    );
    assert_eq!(
        reparsed.to_string(),
        printed,
        "printing is not canonical for {source:?}"
    );

    compile_both(source, &expr, &printed, fixed_table(), "fixed table");
    let table = dynamic_table(&expr);
    if table.len() > fixed_table().len() {
        compile_both(source, &expr, &printed, &table, "declared table");
    }
});
