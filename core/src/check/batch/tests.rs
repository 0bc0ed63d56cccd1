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
