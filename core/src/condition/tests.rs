//! Tests of the condition language.

use super::*;
use crate::diagnostic::{Diagnostic, Span};
use crate::tri::Tri;
use crate::units::{Dimension, Unit, suffix_unit};
use std::collections::BTreeMap;

mod columnar;
mod errors;
mod evaluation;
mod explanations;
mod parsing;
mod properties;

/// The metrics the tests declare: name, slot, unit.
pub(super) fn metric_list() -> Vec<(&'static str, usize, Unit)> {
    let unit = |s: &str| suffix_unit(s).expect("known unit");
    vec![
        ("coverage", 0, Unit::PERCENT),
        ("error_rate", 1, Unit::PERCENT),
        ("p95_latency", 2, Unit::MS),
        ("bundle_size", 3, unit("KB")),
        ("critical_vulns", 4, Unit::NONE),
        ("high_vulns", 5, Unit::NONE),
        ("tests.e2e_green", 6, Unit::BOOL),
        ("tests.failed", 7, Unit::NONE),
        ("tests.total", 8, Unit::NONE),
        ("startup", 9, unit("s")),
        ("flag", 10, Unit::BOOL),
        (
            "fraction",
            11,
            Unit {
                symbol: "ratio",
                dimension: Dimension::Ratio,
                scale: crate::units::Scale::ONE,
            },
        ),
    ]
}

pub(super) const SLOTS: usize = 12;

pub(super) fn metrics() -> BTreeMap<String, MetricInfo> {
    metric_list()
        .into_iter()
        .map(|(name, slot, unit)| (name.to_owned(), MetricInfo { slot, unit }))
        .collect()
}

pub(super) fn name_of(slot: usize) -> String {
    metric_list()
        .into_iter()
        .find(|(_, s, _)| *s == slot)
        .map_or_else(|| format!("slot{slot}"), |(n, _, _)| n.to_owned())
}

pub(super) fn compile(source: &str) -> Program {
    match compile_condition(source, &metrics()) {
        Ok(program) => program,
        Err(errors) => {
            let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
            let short: String = source.chars().take(120).collect();
            unreachable!("`{short}` should compile: {shown:?}")
        }
    }
}

/// The diagnostics of a condition that must not compile.
pub(super) fn errors(source: &str) -> Vec<Diagnostic> {
    match compile_condition(source, &metrics()) {
        Ok(_) => unreachable!("`{source}` should not compile"),
        Err(errors) => errors,
    }
}

/// The one diagnostic of a condition that must not compile.
pub(super) fn error(source: &str) -> Diagnostic {
    let mut all = errors(source);
    assert_eq!(all.len(), 1, "`{source}`: {all:?}");
    all.remove(0)
}

/// Slot values with the named metrics set and the rest missing (NaN).
pub(super) fn values(set: &[(&str, f64)]) -> Vec<f64> {
    let table = metrics();
    let mut slots = vec![f64::NAN; SLOTS];
    for (name, value) in set {
        slots[table[*name].slot] = *value;
    }
    slots
}

pub(super) fn eval(source: &str, set: &[(&str, f64)]) -> Result<Tri, EvalError> {
    compile(source).eval(&values(set))
}

pub(super) fn tri(source: &str, set: &[(&str, f64)]) -> Tri {
    match eval(source, set) {
        Ok(t) => t,
        Err(e) => unreachable!("`{source}` failed: {e}"),
    }
}

pub(super) fn explain(source: &str, set: &[(&str, f64)]) -> (Tri, String) {
    match compile(source).explain(&values(set), &name_of) {
        Ok(r) => r,
        Err(e) => unreachable!("`{source}` failed: {e}"),
    }
}

/// The text a span covers.
pub(super) fn spanned(source: &str, span: Span) -> &str {
    &source[span.start..span.end]
}

/// The texts of a diagnostic's labels.
pub(super) fn label_texts<'a>(source: &'a str, d: &Diagnostic) -> Vec<&'a str> {
    d.labels.iter().map(|l| &source[l.start..l.end]).collect()
}

/// Evaluates record by record and as columns, asserting they agree; and that folding the
/// columns through a table ([`Program::fold_columns`]) agrees with folding the records' results.
pub(super) fn assert_columns_agree(program: &Program, records: &[Vec<f64>]) {
    let columns: Vec<Vec<f64>> = (0..SLOTS)
        .map(|s| records.iter().map(|r| r[s]).collect())
        .collect();
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut out = vec![9u8; records.len()];
    program.eval_columns(&refs, &mut out);
    let tables = [[0, 1, 2, 3], [2, 6, 0, 9], [5, 5, 5, 5]];
    let start = |i: usize| (i % 7) as u8;
    let mut folds: Vec<Vec<u8>> = tables
        .iter()
        .map(|&table| {
            let mut acc: Vec<u8> = (0..records.len()).map(start).collect();
            program.fold_columns(&refs, table, &mut acc);
            acc
        })
        .collect();
    for (i, record) in records.iter().enumerate() {
        let expected = match program.eval(record) {
            Ok(t) => t as u8,
            Err(_) => COLUMN_ERROR,
        };
        assert_eq!(
            out[i],
            expected,
            "`{}` record {i}: {record:?}",
            program.source()
        );
        for (table, fold) in tables.iter().zip(&mut folds) {
            assert_eq!(
                fold[i],
                start(i).max(table[usize::from(expected)]),
                "`{}` folded through {table:?}, record {i}: {record:?}",
                program.source()
            );
        }
    }
}

#[test]
fn a_baseline_call_prints_back_and_keeps_its_metric_type() {
    let expr =
        parse("p95 <= 110% * baseline( p95 , avg ) and p95 < baseline(p95, p90)").expect("parses");
    assert_eq!(
        expr.to_string(),
        "p95 <= 110% * baseline(p95) and p95 < baseline(p95, p90)"
    );
    assert_eq!(parse(&expr.to_string()).map(|e| e.same_as(&expr)), Ok(true));
    let ms = suffix_unit("ms").expect("ms");
    let metrics: BTreeMap<String, MetricInfo> = [
        ("p95", MetricInfo { slot: 0, unit: ms }),
        ("baseline(p95)", MetricInfo { slot: 1, unit: ms }),
        ("baseline(p95, p90)", MetricInfo { slot: 2, unit: ms }),
    ]
    .into_iter()
    .map(|(n, i)| (n.to_owned(), i))
    .collect();
    let program = compile_condition(&expr.to_string(), &metrics).expect("compiles");
    assert_eq!(program.eval(&[480.0, 420.0, 500.0]), Ok(Tri::False));
}
