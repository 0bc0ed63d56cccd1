//! Batches: columns of arbitrary numbers (every bit pattern: NaN, infinities, values far out of
//! a metric's range) checked at once, against the single check of each record.
//!
//! Checks, for any input:
//! - `check_batch` never fails for a batch whose columns have the right kinds: a record with a
//!   value that does not fit its metric is that record's problem;
//! - each record's code is the single check's verdict for the same values, and the error code
//!   (3) exactly where the single check of that record is an error.

#![no_main]

use kiro::document::Spanned;
use kiro::metrics::RawValue;
use kiro::{Batch, CompiledPolicy, Format, MetricsInput, Selection, Span, Verdict};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Metrics of every kind of conversion and range: a ratio read in place (range 0% to 100%),
/// a percentage converted (same range), seconds converted with a declared range, a count
/// without a range; a division that can fail.
fn policy() -> &'static CompiledPolicy {
    static POLICY: OnceLock<CompiledPolicy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = r#"
name: batch
metrics:
  frac: {unit: ratio}
  pct: {unit: "%"}
  secs: {unit: s, range: [0, "1h"]}
  n: {}
gates:
  - name: strict
    kind: pre-merge
    criteria:
      - {name: a, pass: frac >= 90% and pct < 50%, warn: frac >= 50%, on_missing: warn}
      - {name: b, pass: secs < 2s or n / (n - 10) > 100%, on_missing: inconclusive}
  - name: scored
    kind: pre-merge
    score: {pass: 80%, warn: 50%}
    criteria:
      - {name: c, pass: n > 10, weight: 3}
      - {name: d, pass: pct > frac, key: true}
"#;
        CompiledPolicy::from_text(text, Some(Format::Yaml))
            .unwrap_or_else(|e| panic!("the batch policy does not compile: {e}"))
    })
}

const NAMES: [&str; 4] = ["frac", "pct", "secs", "n"];

fuzz_target!(|data: &[u8]| {
    let values: Vec<f64> = data
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    let len = values.len() / NAMES.len();
    let mut batch = Batch::new(len);
    for (k, name) in NAMES.iter().enumerate() {
        let column: Vec<f64> = (0..len).map(|i| values[i * NAMES.len() + k]).collect();
        batch
            .add_numbers(name, column, None)
            .unwrap_or_else(|e| panic!("a column of the batch's length: {e}"));
    }
    let selection = Selection::all();
    let result = policy()
        .check_batch(&batch, &selection)
        .unwrap_or_else(|e| panic!("a batch of the right kinds failed as a whole: {e}"));
    assert_eq!(result.verdicts.len(), len);
    for i in 0..len {
        let mut input = MetricsInput::default();
        for (k, name) in NAMES.iter().enumerate() {
            input.values.insert(
                (*name).to_owned(),
                Spanned::new(Span::default(), RawValue::Number(values[i * NAMES.len() + k])),
            );
        }
        let expected = match policy().check(&input, &selection) {
            Ok(decision) => match decision.verdict {
                Verdict::Pass => 0,
                Verdict::Warn => 1,
                Verdict::Fail => 2,
            },
            Err(_) => 3,
        };
        assert_eq!(
            result.verdicts[i], expected,
            "record {i}: {:?}",
            &values[i * NAMES.len()..(i + 1) * NAMES.len()]
        );
    }
});
