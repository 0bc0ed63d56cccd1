#![allow(clippy::panic, reason = "tests")]

use super::*;
use crate::diagnostic::Code;
use crate::error::{CheckError, ErrorKind, KiroError};
use crate::gate::Selection;

fn message(error: &CheckError) -> &str {
    &error.diagnostics()[0].message
}

#[test]
fn a_builder_reads_numbers_and_missing_items() {
    let mut column = ColumnBuilder::new("p95", 3);
    assert!(column.is_empty());
    column.push_number(1.5).expect("a number");
    column.push_missing();
    column.push_number(3.0).expect("a number");
    assert_eq!(column.len(), 3);
    assert_eq!(
        column.finish(),
        BatchColumn::Numbers(vec![1.5, 0.0, 3.0], Some(vec![true, false, true]))
    );
}

#[test]
fn a_builder_reads_booleans_without_a_mask_when_all_are_present() {
    let mut column = ColumnBuilder::new("ok", 0);
    column.push_bool(true).expect("a boolean");
    column.push_bool(false).expect("a boolean");
    assert_eq!(column.finish(), BatchColumn::Bools(vec![true, false], None));
}

#[test]
fn a_column_without_data_is_numbers() {
    let mut column = ColumnBuilder::new("c", 2);
    column.push_missing();
    column.push_missing();
    assert_eq!(
        column.finish(),
        BatchColumn::Numbers(vec![0.0, 0.0], Some(vec![false, false]))
    );
    assert_eq!(
        ColumnBuilder::new("c", 0).finish(),
        BatchColumn::Numbers(Vec::new(), None)
    );
}

#[test]
fn a_builder_rejects_numbers_mixed_with_booleans() {
    let mut column = ColumnBuilder::new("c", 3);
    column.push_missing();
    column.push_number(1.0).expect("a number");
    let Err(error) = column.push_bool(true) else {
        panic!("a boolean after a number should fail");
    };
    assert_eq!(error.kind(), ErrorKind::Input);
    assert_eq!(error.code(), Code::InvalidBatch);
    assert_eq!(
        message(&error),
        "column `c` mixes numbers and booleans (item 2)"
    );
    assert_eq!(error.diagnostics()[0].source.as_deref(), Some("metrics"));

    let mut column = ColumnBuilder::new("d", 1);
    column.push_bool(false).expect("a boolean");
    let Err(error) = column.push_number(0.0) else {
        panic!("a number after a boolean should fail");
    };
    assert_eq!(
        message(&error),
        "column `d` mixes numbers and booleans (item 1)"
    );
}

#[test]
fn a_batch_is_as_long_as_its_first_column() {
    let batch = Batch::from_columns(vec![
        ("a".to_owned(), BatchColumn::Numbers(vec![1.0, 2.0], None)),
        (
            "b".to_owned(),
            BatchColumn::Bools(vec![true, false], Some(vec![true, false])),
        ),
    ])
    .expect("a valid batch");
    assert_eq!(batch.len(), 2);
    assert_eq!(batch.columns.len(), 2);
    assert!(Batch::from_columns(Vec::new()).expect("empty").is_empty());
}

#[test]
fn a_batch_rejects_columns_that_do_not_fit() {
    let numbers = |n: usize| BatchColumn::Numbers(vec![0.0; n], None);
    let Err(error) = Batch::from_columns(vec![
        ("a".to_owned(), numbers(2)),
        ("b".to_owned(), numbers(3)),
    ]) else {
        panic!("columns of different lengths should fail");
    };
    assert_eq!(error.code(), Code::InvalidBatch);
    assert_eq!(
        message(&error),
        "column `b` has 3 values but the batch has 2 records"
    );

    let Err(error) = Batch::from_columns(vec![
        ("a".to_owned(), numbers(1)),
        ("a".to_owned(), numbers(1)),
    ]) else {
        panic!("a repeated column should fail");
    };
    assert_eq!(message(&error), "column `a` is given twice");

    let Err(error) = Batch::from_columns(vec![(
        "a".to_owned(),
        BatchColumn::Bools(vec![true], Some(vec![true, true])),
    )]) else {
        panic!("a mask of the wrong length should fail");
    };
    assert_eq!(
        message(&error),
        "the presence mask of column `a` has 2 values but the batch has 1 records"
    );
}

/// A column of test data: its metric, its values (booleans as 0 and 1) and, if it has one,
/// its presence mask.
struct TestColumn {
    name: &'static str,
    values: Vec<f64>,
    present: Option<Vec<bool>>,
    is_bool: bool,
}

/// `n` records of random test data for the metrics `names`, with a presence mask where
/// `masked` (about one value in seven missing). The values sit around the thresholds of the
/// test policies: `cov` 70–99, `vulns` and `total` 0–2 (so `vulns / total` can divide by
/// zero), `lat` 0–999, `ok` a boolean.
fn random_columns(n: usize, names: &[&'static str], masked: bool) -> Vec<TestColumn> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut columns: Vec<TestColumn> = names
        .iter()
        .map(|&name| TestColumn {
            name,
            values: Vec::with_capacity(n),
            present: masked.then(Vec::new),
            is_bool: name == "ok",
        })
        .collect();
    for _ in 0..n {
        for column in &mut columns {
            let r = next();
            if let Some(present) = &mut column.present {
                present.push(r % 7 != 0);
            }
            #[expect(clippy::cast_precision_loss, reason = "small test values")]
            column.values.push(match column.name {
                "cov" => 70.0 + (r % 30) as f64,
                "vulns" | "total" => (r % 3) as f64,
                "lat" => (r % 1000) as f64,
                _ => (r % 2) as f64,
            });
        }
    }
    columns
}

/// Checks `columns` as a batch and record by record, asserting that every record's batch code
/// equals the verdict of its single check; returns how many records got each code.
fn assert_batch_agrees(
    policy: &crate::CompiledPolicy,
    selection: &Selection,
    columns: &[TestColumn],
) -> [usize; 4] {
    use crate::{MetricsInput, Verdict};
    let n = columns.first().map_or(0, |c| c.values.len());
    let mut batch = Batch::new(n);
    for column in columns {
        let added = if column.is_bool {
            let bools = column.values.iter().map(|&v| v != 0.0).collect();
            batch.add_bools(column.name, bools, column.present.clone())
        } else {
            batch.add_numbers(column.name, column.values.clone(), column.present.clone())
        };
        added.unwrap_or_else(|e| unreachable!("{e}"));
    }
    let result = policy
        .check_batch(&batch, selection)
        .unwrap_or_else(|e| unreachable!("{e}"));
    let mut seen = [0usize; 4];
    for r in 0..n {
        let mut object = serde_json::Map::new();
        for column in columns {
            let present = column.present.as_ref().is_none_or(|p| p[r]);
            let value = match (present, column.is_bool) {
                (false, _) => serde_json::Value::Null,
                (true, true) => serde_json::Value::Bool(column.values[r] != 0.0),
                (true, false) => serde_json::json!(column.values[r]),
            };
            object.insert(column.name.to_owned(), value);
        }
        let input = MetricsInput::from_json(&serde_json::Value::Object(object))
            .unwrap_or_else(|d| unreachable!("{d}"));
        let expected = match policy.check(&input, selection) {
            Ok(d) if d.verdict == Verdict::Pass => CODE_PASS,
            Ok(d) if d.verdict == Verdict::Warn => CODE_WARN,
            Ok(_) => CODE_FAIL,
            Err(_) => CODE_ERROR,
        };
        assert_eq!(result.verdicts[r], expected, "record {r}");
        seen[usize::from(expected)] += 1;
    }
    let counts = [
        result.counts.pass,
        result.counts.warn,
        result.counts.fail,
        result.counts.error,
    ];
    assert_eq!(counts, seen);
    seen
}

/// More than two chunks of the batch loop, so chunk boundaries are crossed.
const RECORDS: usize = 9_000;

/// Every record's batch code equals the verdict of a single check on that record: strict and
/// scored gates, warn conditions, each missing-data rule, key criteria, a required persona,
/// booleans, missing values and a runtime division by zero.
#[test]
fn batch_verdicts_equal_single_checks() {
    use crate::CompiledPolicy;
    let policy = CompiledPolicy::from_text(
        r#"
name: agree
metrics:
  cov: {unit: "%"}
  vulns: {}
  lat: {unit: ms}
  ok: {unit: bool}
  total: {}
personas:
  - {name: qa, required: true, max_conditions: 1}
  - {name: sec}
gates:
  - name: strict
    kind: pre-merge
    owners: [sec]
    criteria:
      - {name: cov, pass: cov >= 90%, warn: cov >= 80%, on_missing: warn}
      - {name: vulns, pass: vulns == 0, key: true, owners: [qa]}
      - {name: ok, pass: ok, on_missing: inconclusive}
  - name: scored
    kind: pre-deploy
    owners: [qa]
    score: {pass: 90%, warn: 60%}
    criteria:
      - {name: lat, pass: lat < 500ms, warn: lat < 800ms, weight: 2, on_missing: pass}
      - {name: ratio, pass: vulns / total < 10%, on_missing: inconclusive}
      - {name: vulns, pass: vulns <= 1, key: true}
"#,
        None,
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    let columns = random_columns(RECORDS, &["cov", "vulns", "lat", "ok", "total"], true);
    let seen = assert_batch_agrees(&policy, &Selection::all(), &columns);
    // The data reaches every verdict, so the agreement means something.
    assert!(seen.iter().all(|&k| k > 0), "{seen:?}");
}

/// The same agreement with informational criteria: in strict and scored gates (beside scored
/// criteria, with warn conditions and each missing-data rule, owned by a required persona that
/// accepts no conditions), in a scored gate and a strict gate of only informational criteria,
/// and with a division that can fail in an informational criterion (an error all the same).
#[test]
fn batch_verdicts_equal_single_checks_with_informational_criteria() {
    use crate::CompiledPolicy;
    let policy = CompiledPolicy::from_text(
        r#"
name: informational
metrics:
  cov: {unit: "%"}
  vulns: {}
  lat: {unit: ms}
  ok: {unit: bool}
  total: {}
personas:
  - {name: qa, required: true, max_conditions: 0}
gates:
  - name: strict
    kind: pre-merge
    owners: [qa]
    criteria:
      - {name: cov, pass: cov >= 75%, on_missing: pass}
      - {name: info-cov, pass: cov >= 95%, warn: cov >= 90%, informational: true}
      - {name: info-ok, pass: ok, on_missing: inconclusive, informational: true}
  - name: scored
    kind: pre-deploy
    score: {pass: 90%, warn: 50%}
    criteria:
      - {name: lat, pass: lat < 800ms, warn: lat < 900ms, on_missing: warn}
      - {name: info-lat, pass: lat < 100ms, on_missing: inconclusive, informational: true}
      - {name: info-ratio, pass: vulns / total < 10%, on_missing: pass, informational: true}
  - name: only-info-scored
    kind: custom
    score: {pass: 90%}
    criteria:
      - {name: info, pass: lat < 10ms, warn: lat < 20ms, informational: true}
  - name: only-info-strict
    kind: custom
    criteria:
      - {name: info, pass: vulns == 0, on_missing: inconclusive, informational: true}
"#,
        None,
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    let columns = random_columns(RECORDS, &["cov", "vulns", "lat", "ok", "total"], true);
    let seen = assert_batch_agrees(&policy, &Selection::all(), &columns);
    assert!(seen.iter().all(|&k| k > 0), "{seen:?}");
    for gate in ["only-info-scored", "only-info-strict"] {
        let selection = Selection {
            gate: Some(gate.to_owned()),
            ..Selection::all()
        };
        let seen = assert_batch_agrees(&policy, &selection, &columns);
        // Only informational criteria: every record passes, or errs on a division by zero.
        assert_eq!(seen[1] + seen[2], 0, "{gate}: {seen:?}");
        assert!(seen[0] > 0, "{gate}: {seen:?}");
    }
}

/// The same agreement on the paths a batch takes when nothing needs more than severities:
/// strict gates without a persona, criteria evaluated and folded in one pass (single
/// comparisons, `and` of comparisons, a division that can fail), columns read in place (no
/// mask, unit factor 1) or converted (a percentage), a metric without a column; and, with
/// every gate selected, a required persona that owns a whole strict gate.
#[test]
fn batch_verdicts_equal_single_checks_on_the_fast_paths() {
    use crate::CompiledPolicy;
    let policy = CompiledPolicy::from_text(
        r#"
name: fast
metrics:
  cov: {unit: "%"}
  vulns: {}
  lat: {unit: ms}
  total: {}
  absent: {}
personas:
  - {name: ops, required: true, max_conditions: 0}
gates:
  - name: plain
    kind: pre-merge
    criteria:
      - {name: cov, pass: cov >= 90%}
      - {name: both, pass: cov >= 75% and lat < 900ms}
      - {name: ratio, pass: vulns / total < 60%}
      - {name: absent, pass: absent > 1, on_missing: pass}
      - {name: lat, pass: lat < 500ms, warn: lat < 800ms}
  - name: owned
    kind: pre-deploy
    owners: [ops]
    criteria:
      - {name: lat, pass: lat < 900ms, warn: lat < 950ms}
      - {name: vulns, pass: vulns <= 1}
"#,
        None,
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    let columns = random_columns(RECORDS, &["cov", "vulns", "lat", "total"], false);
    let plain = Selection {
        gate: Some("plain".to_owned()),
        ..Selection::all()
    };
    for selection in [plain, Selection::all()] {
        let seen = assert_batch_agrees(&policy, &selection, &columns);
        assert!(seen.iter().all(|&k| k > 0), "{selection:?}: {seen:?}");
    }
}

#[test]
fn a_record_whose_value_does_not_fit_gets_its_own_code() {
    use crate::CompiledPolicy;
    let policy = CompiledPolicy::from_text(
        r#"
name: p
metrics: {lat: {unit: ms}, cov: {unit: "%"}, s: {unit: s}}
gates:
  - name: g
    kind: pre-merge
    criteria:
      - {name: c, pass: lat < 500ms and cov > 50% and s < 1s, on_missing: pass}
"#,
        None,
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    // `lat` is read in place, `cov` and `s` are converted (scale 0.01, 1000): every path.
    for (name, bad) in [
        ("lat", f64::INFINITY),
        ("lat", f64::NAN),
        ("cov", f64::NEG_INFINITY),
        ("cov", f64::NAN),
        ("s", f64::NAN),
        ("s", 1e308),
    ] {
        let good = if name == "cov" { 60.0 } else { 0.1 };
        let mut values = vec![good; 5000];
        values[4321] = bad;
        values[7] = bad;
        let mut batch = Batch::new(5000);
        batch
            .add_numbers(name, values, None)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let result = policy
            .check_batch(&batch, &Selection::all())
            .unwrap_or_else(|e| unreachable!("{name} = {bad}: {e}"));
        assert_eq!(result.verdicts[4321], CODE_ERROR, "{name} = {bad}");
        assert_eq!(result.verdicts[7], CODE_ERROR, "{name} = {bad}");
        assert_eq!(
            result.counts,
            BatchCounts {
                pass: 4998,
                warn: 0,
                fail: 0,
                error: 2
            },
            "{name} = {bad}"
        );
        // The single check of the same record is an error too (JSON holds finite numbers).
        if bad.is_finite() {
            let single = policy.check_value(&serde_json::json!({ name: bad }), &Selection::all());
            assert_eq!(
                single.map_err(|e| e.code()).err(),
                Some(Code::InvalidMetricValue)
            );
        }
    }
    // A column of the wrong kind is a mistake in the whole column.
    let mut batch = Batch::new(2);
    batch
        .add_column("lat", BatchColumn::Bools(vec![true, false], None))
        .unwrap_or_else(|e| unreachable!("{e}"));
    let error = policy
        .check_batch(&batch, &Selection::all())
        .err()
        .unwrap_or_else(|| unreachable!("booleans for a duration"));
    assert_eq!(error.code(), Code::InvalidMetricValue);
    assert_eq!(
        message(&error),
        "column `lat` holds booleans, but the metric is declared as a duration"
    );
    // Behind a presence mask, an absent value is not read, whatever it holds; a present one is.
    let mut present = vec![true; 5000];
    present[100] = false;
    for name in ["lat", "cov"] {
        let mut values = vec![if name == "cov" { 60.0 } else { 0.1 }; 5000];
        values[100] = f64::NAN;
        values[4321] = f64::INFINITY;
        let mut batch = Batch::new(5000);
        batch
            .add_numbers(name, values.clone(), Some(present.clone()))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let result = policy
            .check_batch(&batch, &Selection::all())
            .unwrap_or_else(|e| unreachable!("{name}: {e}"));
        assert_eq!(result.verdicts[4321], CODE_ERROR, "{name}");
        assert_eq!(result.verdicts[100], CODE_PASS, "{name}");
        assert_eq!(result.counts.error, 1, "{name}");
    }
}

#[test]
fn codes_are_counted_in_words_and_the_rest() {
    let mut seed: u64 = 7;
    for len in [0, 1, 7, 8, 9, 2039, 2040, 2041, 5000] {
        let codes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 4) as u8
            })
            .collect();
        let mut expected = [0usize; 4];
        for &c in &codes {
            expected[usize::from(c)] += 1;
        }
        assert_eq!(count_codes(&codes), expected, "{len} codes");
    }
}

#[test]
fn a_record_outside_its_metric_range_gets_its_own_code() {
    use crate::CompiledPolicy;
    let policy = CompiledPolicy::from_text(
        r#"
name: p
metrics: {frac: {unit: ratio}, pct: {unit: "%"}, lat: {unit: ms, range: [0, 1000]}}
gates:
  - name: g
    kind: pre-merge
    criteria:
      - {name: c, pass: frac >= 90% and pct >= 90% and lat < 500ms, on_missing: pass}
"#,
        None,
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    // `frac` and `lat` are read in place, `pct` is converted; with and without a mask.
    for (name, good, bad) in [
        ("frac", 0.95, 87.0),
        ("frac", 0.95, -0.1),
        ("pct", 95.0, 101.0),
        ("pct", 95.0, -1.0),
        ("lat", 100.0, 1000.5),
    ] {
        for masked in [false, true] {
            let mut values = vec![good; 5000];
            values[4321] = bad;
            values[0] = bad;
            let present = masked.then(|| {
                let mut p = vec![true; 5000];
                p[0] = false;
                p
            });
            let mut batch = Batch::new(5000);
            batch
                .add_numbers(name, values, present)
                .unwrap_or_else(|e| unreachable!("{e}"));
            let result = policy
                .check_batch(&batch, &Selection::all())
                .unwrap_or_else(|e| unreachable!("{name} = {bad}: {e}"));
            let errors = if masked { 1 } else { 2 };
            assert_eq!(result.verdicts[4321], CODE_ERROR, "{name} = {bad}");
            assert_eq!(
                (result.counts.pass, result.counts.error),
                (5000 - errors, errors),
                "{name} = {bad}, masked: {masked}"
            );
            // The single check agrees.
            let single = policy
                .check_value(&serde_json::json!({ name: bad }), &Selection::all())
                .map_err(|e| e.code());
            assert_eq!(
                single.err(),
                Some(Code::InvalidMetricValue),
                "{name} = {bad}"
            );
        }
    }
}

#[test]
fn undeclared_columns_are_warnings_or_with_strict_an_error() {
    let policy = crate::CompiledPolicy::from_text(
        "name: t\nmetrics: {coverage: {unit: \"%\"}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: coverage >= 90%}]}\n",
        None,
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    let mut batch = Batch::new(2);
    batch
        .add_numbers("coverage", vec![95.0, 80.0], None)
        .unwrap_or_else(|e| unreachable!("{e}"));
    batch
        .add_numbers("coverag", vec![1.0, 2.0], None)
        .unwrap_or_else(|e| unreachable!("{e}"));
    let result = policy
        .check_batch(&batch, &Selection::all())
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(result.verdicts, vec![CODE_PASS, CODE_FAIL]);
    assert_eq!(result.warnings.len(), 1);
    let w = &result.warnings[0];
    assert_eq!(
        (w.code, w.severity, w.source.as_deref()),
        (Code::UnknownMetric, crate::Severity::Warning, Some("batch"))
    );
    assert_eq!(w.help.as_deref(), Some("did you mean `coverage`?"));
    let strict = Selection {
        strict: true,
        ..Selection::all()
    };
    match policy.check_batch(&batch, &strict) {
        Err(CheckError::Input(d)) => assert_eq!(d[0].code, Code::UnknownMetric),
        other => unreachable!("{other:?}"),
    }
}
