//! Many records at once: columns in, one verdict code per record out.
//!
//! The batch runs chunk by chunk ([`CHUNK`] records, every buffer reused), each chunk as a few
//! passes over columns, with every decision about rules taken once per call ([`rules`]):
//!
//! - the metric columns in base units ([`base`]): read in place, or multiplied once;
//! - per criterion, the condition codes of
//!   [`Program::eval_columns`](crate::condition::Program::eval_columns) turned into outcome
//!   bytes by tables worked out from the single check's rule ([`outcome`]);
//! - a strict gate's verdict is the worst severity over its criteria, and the record's code the
//!   worst over its gates: verdict codes are ordered (pass < warn < fail < error), so a strict
//!   criterion folds into the record codes with a byte maximum, in the same pass as its
//!   evaluation when it has no warn condition
//!   ([`Program::fold_columns`](crate::condition::Program::fold_columns));
//! - a scored gate from per-record sums of weights ([`scored`]);
//! - required personas from per-record counts of conditions ([`signoff`]).

mod base;
mod input;
mod lookup;
mod personas;
mod rules;
mod scored;

pub use input::{Batch, BatchColumn, ColumnBuilder};

use super::GateSet;
use crate::error::CheckError;
use crate::metrics::table::MetricTable;
use base::BaseColumns;
use rules::BatchRules;
use serde::{Deserialize, Serialize};

/// A record's verdict code in [`BatchResult::verdicts`]: pass.
pub const CODE_PASS: u8 = 0;
/// A record's verdict code: warn.
pub const CODE_WARN: u8 = 1;
/// A record's verdict code: fail.
pub const CODE_FAIL: u8 = 2;
/// A record's verdict code: the record could not be judged. One of its values does not fit its
/// metric (NaN, an infinity, a number for a `bool` metric or the reverse), or a condition could
/// not be computed on its values (division by zero, overflow). The single check reports the
/// same record as an error (`KIRO-E022`, `KIRO-E016`, `KIRO-E017`); the batch judges the other
/// records all the same.
pub const CODE_ERROR: u8 = 3;

/// Records per chunk: the chunk's columns, condition codes and sums stay in cache.
const CHUNK: usize = 4096;

/// How many records got each verdict.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct BatchCounts {
    /// Records that passed.
    pub pass: usize,
    /// Records that warned.
    pub warn: usize,
    /// Records that failed.
    pub fail: usize,
    /// Records that could not be judged: a value that does not fit its metric, or a condition that could not be computed.
    pub error: usize,
}

/// One verdict code per record, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    /// Per record: [`CODE_PASS`], [`CODE_WARN`], [`CODE_FAIL`] or [`CODE_ERROR`].
    pub verdicts: Vec<u8>,
    /// How many records got each code.
    pub counts: BatchCounts,
    /// Columns the policy does not declare (`KIRO-E011` warnings, with did-you-mean).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

/// Evaluates gates `selected` of `set` on every record of `batch` (columns by metric name,
/// bound through `metrics`); each record's code equals the verdict the single check gives for
/// that record's values, and [`CODE_ERROR`] where the single check gives an error (a value that
/// does not fit its metric, a condition that cannot be computed).
///
/// # Errors
/// [`CheckError::Input`] for a column of the wrong kind (numbers for a `bool` metric, or
/// booleans for another).
pub(crate) fn evaluate_batch(
    set: &GateSet,
    metrics: &MetricTable,
    batch: &Batch,
    selected: &[usize],
) -> Result<BatchResult, CheckError> {
    let rules = BatchRules::new(set, selected);
    let chunk = batch.len.clamp(1, CHUNK);
    let mut base = BaseColumns::new(metrics, batch, &rules.slots, chunk)?;
    let mut lanes = rules.lanes(chunk);
    let mut verdicts = vec![CODE_PASS; batch.len];
    let mut invalid = Vec::new();
    for (i, out) in verdicts.chunks_mut(CHUNK).enumerate() {
        let start = i * CHUNK;
        invalid.clear();
        let columns = base.load(start..start + out.len(), &mut invalid);
        rules.run(&columns, out, &mut lanes);
        for &record in &invalid {
            if let Some(code) = out.get_mut(record - start) {
                *code = CODE_ERROR;
            }
        }
    }
    let counts = BatchCounts::of(&verdicts);
    Ok(BatchResult {
        verdicts,
        counts,
        warnings: Vec::new(),
    })
}

impl BatchCounts {
    /// How many of `verdicts` have each code.
    fn of(verdicts: &[u8]) -> Self {
        let [pass, warn, fail, error] = count_codes(verdicts);
        Self {
            pass,
            warn,
            fail,
            error,
        }
    }
}

/// How many of `codes` (each in `0..4`) are 0, 1, 2 and 3. Eight codes at a time as the bytes
/// of one `u64`: a code's two bits select its counter, and each counter adds one per byte lane
/// for up to 255 words before its lanes are summed (so no lane overflows). Branch-free on
/// 64-bit integers, so it is quick both where the compiler vectorises and in WebAssembly,
/// where it does not.
fn count_codes(codes: &[u8]) -> [usize; 4] {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut counts = [0usize; 4];
    let lanes = |word: u64| -> usize { word.to_le_bytes().iter().map(|&b| usize::from(b)).sum() };
    let mut runs = codes.chunks_exact(8 * 255);
    let mut tally = |run: &[u8]| {
        let (mut ones, mut twos, mut threes) = (0u64, 0u64, 0u64);
        for word in run.chunks_exact(8) {
            let w = <[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes);
            let (low, high) = (w & ONES, (w >> 1) & ONES);
            ones += low & !high;
            twos += high & !low;
            threes += low & high;
        }
        let (ones, twos, threes) = (lanes(ones), lanes(twos), lanes(threes));
        counts[0] += run.len() - ones - twos - threes;
        counts[1] += ones;
        counts[2] += twos;
        counts[3] += threes;
    };
    for run in &mut runs {
        tally(run);
    }
    let rest = runs.remainder();
    let words = rest.len() / 8 * 8;
    tally(&rest[..words]);
    for &code in &rest[words..] {
        counts[usize::from(code & 3)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests;
