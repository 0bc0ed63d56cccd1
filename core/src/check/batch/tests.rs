#![allow(clippy::panic, reason = "tests")]

use super::*;
use crate::diagnostic::Code;
use crate::error::{ErrorKind, KiroError};

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

/// Every record's batch code equals the verdict of a single check on that record: strict and
/// scored gates, warn conditions, each missing-data rule, key criteria, a required persona,
/// booleans, missing values and a runtime division by zero.
#[test]
fn batch_verdicts_equal_single_checks() {
    use crate::{CompiledPolicy, MetricsInput, Selection, Verdict};
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
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // More than two chunks of the batch loop, so chunk boundaries are crossed.
    let n = 9_000;
    let mut cols: Vec<(Vec<f64>, Vec<bool>)> = vec![(Vec::new(), Vec::new()); 5];
    for _ in 0..n {
        for (c, (values, present)) in cols.iter_mut().enumerate() {
            let r = next();
            present.push(r % 7 != 0);
            #[expect(clippy::cast_precision_loss, reason = "small test values")]
            values.push(match c {
                0 => 70.0 + (r % 30) as f64,
                1 | 4 => (r % 3) as f64,
                2 => (r % 1000) as f64,
                _ => (r % 2) as f64,
            });
        }
    }
    let names = ["cov", "vulns", "lat", "ok", "total"];
    let mut batch = Batch::new(n);
    for (name, (values, present)) in names.iter().zip(&cols) {
        if *name == "ok" {
            let bools = values.iter().map(|&v| v != 0.0).collect();
            batch
                .add_bools(name, bools, Some(present.clone()))
                .unwrap_or_else(|e| unreachable!("{e}"));
        } else {
            batch
                .add_numbers(name, values.clone(), Some(present.clone()))
                .unwrap_or_else(|e| unreachable!("{e}"));
        }
    }
    let result = policy
        .check_batch(&batch, &Selection::all())
        .unwrap_or_else(|e| unreachable!("{e}"));
    let mut seen = [0usize; 4];
    for r in 0..n {
        let mut object = serde_json::Map::new();
        for (name, (values, present)) in names.iter().zip(&cols) {
            let value = match (present[r], *name) {
                (false, _) => serde_json::Value::Null,
                (true, "ok") => serde_json::Value::Bool(values[r] != 0.0),
                (true, _) => serde_json::json!(values[r]),
            };
            object.insert((*name).to_owned(), value);
        }
        let input = MetricsInput::from_json(&serde_json::Value::Object(object))
            .unwrap_or_else(|d| unreachable!("{d}"));
        let expected = match policy.check(&input, &Selection::all()) {
            Ok(d) if d.verdict == Verdict::Pass => CODE_PASS,
            Ok(d) if d.verdict == Verdict::Warn => CODE_WARN,
            Ok(_) => CODE_FAIL,
            Err(_) => CODE_ERROR,
        };
        assert_eq!(result.verdicts[r], expected, "record {r}");
        seen[usize::from(expected)] += 1;
    }
    // The data reaches every verdict, so the agreement means something.
    assert!(seen.iter().all(|&k| k > 0), "{seen:?}");
}
