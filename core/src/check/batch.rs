//! Many records at once: columns in, one verdict code per record out.
//!
//! Conditions are evaluated column-wise (see [`crate::condition::Program::eval_columns`]); the
//! per-record gate and sign-off rules are the same functions the single check uses.

use crate::decision::{Outcome, Signoff, Verdict};
use crate::diagnostic::Diagnostic;
use crate::error::CheckError;
use crate::gate::{Tally, criterion_outcome, signoff, strict_severity};
use crate::metrics::RawValue;
use crate::metrics::bind::convert;
use crate::policy::CompiledPolicy;
use crate::policy::compiled::{Compiled, PersonaRule, Scoring};
use crate::policy::model::MissingRule;
use crate::tri::Tri;
use crate::units::Dimension;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::Selection;

/// A record's verdict code in [`BatchResult::verdicts`]: pass.
pub const CODE_PASS: u8 = 0;
/// A record's verdict code: warn.
pub const CODE_WARN: u8 = 1;
/// A record's verdict code: fail.
pub const CODE_FAIL: u8 = 2;
/// A record's verdict code: a condition could not be computed (division by zero, overflow).
pub const CODE_ERROR: u8 = 3;

#[derive(Debug, Clone)]
enum Values {
    Numbers(Vec<f64>),
    Bools(Vec<bool>),
}

#[derive(Debug, Clone)]
struct Column {
    values: Values,
    present: Option<Vec<bool>>,
}

/// Columnar input: metric name to a column of values, all of one length.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    len: usize,
    columns: BTreeMap<String, Column>,
}

impl Batch {
    /// An empty batch of `len` records.
    #[must_use]
    pub fn new(len: usize) -> Self {
        Self {
            len,
            columns: BTreeMap::new(),
        }
    }

    /// How many records the batch holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch holds no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a numeric column, in the metric's declared unit (as bare numbers in metrics input).
    /// Where `present[i]` is false record `i` has no data for this metric.
    ///
    /// # Errors
    /// [`Code::InvalidBatch`](crate::Code::InvalidBatch) when a length differs from the batch's or the name is repeated.
    pub fn add_numbers(
        &mut self,
        name: &str,
        values: Vec<f64>,
        present: Option<Vec<bool>>,
    ) -> Result<(), CheckError> {
        self.add(name, Values::Numbers(values), present)
    }

    /// A batch of `columns`, as many records as the first column has (none: an empty batch).
    /// Hosts read every column first, then build the batch, so that an unreadable column is
    /// reported before a column of the wrong length.
    ///
    /// # Errors
    /// As [`Batch::add_column`].
    pub fn from_columns(columns: Vec<(String, BatchColumn)>) -> Result<Self, CheckError> {
        let mut batch = Batch::new(columns.first().map_or(0, |(_, c)| c.len()));
        for (name, column) in columns {
            batch.add_column(&name, column)?;
        }
        Ok(batch)
    }

    /// Adds a column of either kind.
    ///
    /// # Errors
    /// As [`Batch::add_numbers`].
    pub fn add_column(&mut self, name: &str, column: BatchColumn) -> Result<(), CheckError> {
        match column {
            BatchColumn::Numbers(values, present) => self.add_numbers(name, values, present),
            BatchColumn::Bools(values, present) => self.add_bools(name, values, present),
        }
    }

    /// Adds a boolean column. Where `present[i]` is false record `i` has no data.
    ///
    /// # Errors
    /// As [`Batch::add_numbers`].
    pub fn add_bools(
        &mut self,
        name: &str,
        values: Vec<bool>,
        present: Option<Vec<bool>>,
    ) -> Result<(), CheckError> {
        self.add(name, Values::Bools(values), present)
    }

    fn add(
        &mut self,
        name: &str,
        values: Values,
        present: Option<Vec<bool>>,
    ) -> Result<(), CheckError> {
        let len = match &values {
            Values::Numbers(v) => v.len(),
            Values::Bools(v) => v.len(),
        };
        let bad = CheckError::invalid_batch;
        if len != self.len {
            return Err(bad(format!(
                "column `{name}` has {len} values but the batch has {} records",
                self.len
            )));
        }
        if let Some(p) = &present
            && p.len() != self.len
        {
            return Err(bad(format!(
                "the presence mask of column `{name}` has {} values but the batch has {} records",
                p.len(),
                self.len
            )));
        }
        if self.columns.contains_key(name) {
            return Err(bad(format!("column `{name}` is given twice")));
        }
        self.columns
            .insert(name.to_owned(), Column { values, present });
        Ok(())
    }
}

/// One column as a host read it, before it joins a [`Batch`]: its values, and where records
/// have data (`None`: every record does).
#[derive(Debug, Clone, PartialEq)]
pub enum BatchColumn {
    /// Numbers, in the metric's declared unit.
    Numbers(Vec<f64>, Option<Vec<bool>>),
    /// Booleans.
    Bools(Vec<bool>, Option<Vec<bool>>),
}

impl BatchColumn {
    /// How many records the column holds.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            BatchColumn::Numbers(v, _) => v.len(),
            BatchColumn::Bools(v, _) => v.len(),
        }
    }

    /// Whether the column holds no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A [`BatchColumn`] read one item at a time, as hosts read a list or an array: numbers or
/// booleans (not both in one column), and items without data (`null`, `None`).
#[derive(Debug, Clone)]
pub struct ColumnBuilder<'a> {
    name: &'a str,
    numbers: Vec<f64>,
    bools: Vec<bool>,
    present: Vec<bool>,
    is_bool: Option<bool>,
}

impl<'a> ColumnBuilder<'a> {
    /// An empty column `name`, with room for `capacity` items.
    #[must_use]
    pub fn new(name: &'a str, capacity: usize) -> Self {
        Self {
            name,
            numbers: Vec::with_capacity(capacity),
            bools: Vec::new(),
            present: Vec::with_capacity(capacity),
            is_bool: None,
        }
    }

    /// How many items have been read.
    #[must_use]
    pub fn len(&self) -> usize {
        self.present.len()
    }

    /// Whether no item has been read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// The next item has no data.
    pub fn push_missing(&mut self) {
        self.present.push(false);
        self.numbers.push(0.0);
        self.bools.push(false);
    }

    /// The next item is a number.
    ///
    /// # Errors
    /// [`Code::InvalidBatch`](crate::Code::InvalidBatch) when the column already holds booleans.
    pub fn push_number(&mut self, value: f64) -> Result<(), CheckError> {
        self.kind(false)?;
        self.present.push(true);
        self.numbers.push(value);
        self.bools.push(false);
        Ok(())
    }

    /// The next item is a boolean.
    ///
    /// # Errors
    /// [`Code::InvalidBatch`](crate::Code::InvalidBatch) when the column already holds numbers.
    pub fn push_bool(&mut self, value: bool) -> Result<(), CheckError> {
        self.kind(true)?;
        self.present.push(true);
        self.numbers.push(0.0);
        self.bools.push(value);
        Ok(())
    }

    fn kind(&mut self, is_bool: bool) -> Result<(), CheckError> {
        if *self.is_bool.get_or_insert(is_bool) == is_bool {
            return Ok(());
        }
        Err(CheckError::invalid_batch(format!(
            "column `{}` mixes numbers and booleans (item {})",
            self.name,
            self.present.len()
        )))
    }

    /// The column read: booleans if its items were booleans, else numbers (also when it has
    /// no data at all); no presence mask when every item had data.
    #[must_use]
    pub fn finish(self) -> BatchColumn {
        let present = if self.present.iter().all(|&p| p) {
            None
        } else {
            Some(self.present)
        };
        if self.is_bool == Some(true) {
            BatchColumn::Bools(self.bools, present)
        } else {
            BatchColumn::Numbers(self.numbers, present)
        }
    }
}

/// How many records got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCounts {
    /// Records that passed.
    pub pass: usize,
    /// Records that warned.
    pub warn: usize,
    /// Records that failed.
    pub fail: usize,
    /// Records on which a condition could not be computed.
    pub error: usize,
}

/// One verdict code per record, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    /// Per record: [`CODE_PASS`], [`CODE_WARN`], [`CODE_FAIL`] or [`CODE_ERROR`].
    pub verdicts: Vec<u8>,
    /// How many records got each code.
    pub counts: BatchCounts,
}

impl CompiledPolicy {
    /// Checks every record of a columnar batch; each record's code equals the verdict
    /// [`CompiledPolicy::check`] gives for that record's values.
    ///
    /// # Errors
    /// [`CheckError::Input`] for a selection that matches nothing or a value that does not fit
    /// its metric (the message names the record).
    pub fn check_batch(
        &self,
        batch: &Batch,
        selection: &Selection,
    ) -> Result<BatchResult, CheckError> {
        let selected = selection.resolve(self)?;
        let policy: &Compiled = &self.inner;
        let n = batch.len;
        let mut needed: Vec<usize> = Vec::new();
        for &g in &selected {
            for criterion in &policy.gates[g].criteria {
                for &slot in &criterion.slots {
                    if !needed.contains(&slot) {
                        needed.push(slot);
                    }
                }
            }
        }
        let personas: Vec<&PersonaRule> = policy
            .personas
            .iter()
            .filter(|p| p.required && selected.iter().any(|&g| p.touches_gate(g)))
            .collect();
        // Chunk by chunk, criterion by criterion, with the outcome and scoring rules of a single
        // check: buffers sized to a chunk and reused, so the work stays in cache.
        let chunk = n.clamp(1, CHUNK);
        let mut columns: Vec<Vec<f64>> = vec![Vec::new(); policy.metrics.slots().len()];
        let mut pass = vec![0u8; chunk];
        let mut warn = vec![0u8; chunk];
        let mut tallies = vec![Tally::default(); chunk];
        let mut worst = vec![Verdict::Pass; n];
        let mut errored = vec![false; n];
        // Kept for every record only when a required persona's sign-off needs them.
        let mut kept_outcomes: Vec<Vec<Vec<Outcome>>> = selected
            .iter()
            .map(|&g| {
                let len = if personas.is_empty() { 0 } else { n };
                vec![vec![Outcome::Pass; len]; policy.gates[g].criteria.len()]
            })
            .collect();
        let mut kept_verdicts: Vec<Vec<Verdict>> =
            vec![vec![Verdict::Pass; if personas.is_empty() { 0 } else { n }]; selected.len()];
        let mut start = 0;
        while start < n {
            let len = chunk.min(n - start);
            for &slot in &needed {
                fill_base_column(policy, slot, batch, start, len, &mut columns[slot])?;
            }
            let column_refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            let (pass, warn) = (&mut pass[..len], &mut warn[..len]);
            let worst = &mut worst[start..start + len];
            let errored = &mut errored[start..start + len];
            for (i, &g) in selected.iter().enumerate() {
                let gate = &policy.gates[g];
                // A strict gate's verdict is the worst criterion severity: with no persona to
                // sign off, it folds straight into each record's verdict, without a tally.
                let fold_strict = gate.scoring == Scoring::Strict && personas.is_empty();
                let tallies = &mut tallies[..len];
                tallies.fill(Tally::default());
                for (c, criterion) in gate.criteria.iter().enumerate() {
                    criterion.pass.eval_columns(&column_refs, pass);
                    let has_warn = criterion.warn.as_ref().is_some_and(|(program, _)| {
                        program.eval_columns(&column_refs, warn);
                        true
                    });
                    let table = OutcomeTable::new(criterion.on_missing);
                    let kept = kept_outcomes[i][c].get_mut(start..start + len);
                    for r in 0..len {
                        let p = pass[r];
                        let w = if has_warn { warn[r] } else { NO_WARN };
                        errored[r] |= p == CODE_ERROR || (p == Tri::False as u8 && w == CODE_ERROR);
                        let outcome = table.get(p, w);
                        if fold_strict {
                            worst[r] = worst[r].max(strict_severity(outcome));
                        } else {
                            tallies[r].add(criterion, outcome);
                        }
                    }
                    if let Some(kept) = kept {
                        for (r, slot) in kept.iter_mut().enumerate() {
                            *slot = table.get(pass[r], if has_warn { warn[r] } else { NO_WARN });
                        }
                    }
                }
                if !fold_strict {
                    for (r, tally) in tallies.iter().enumerate() {
                        let verdict = tally.finish(gate.scoring).verdict;
                        worst[r] = worst[r].max(verdict);
                        if let Some(kept) = kept_verdicts[i].get_mut(start + r) {
                            *kept = verdict;
                        }
                    }
                }
            }
            start += len;
        }
        // Required personas, per record, only when there are any.
        if !personas.is_empty() {
            let mut outcomes: Vec<Vec<Outcome>> = selected
                .iter()
                .map(|&g| vec![Outcome::Pass; policy.gates[g].criteria.len()])
                .collect();
            let mut gate_verdicts = vec![Verdict::Pass; selected.len()];
            for r in 0..n {
                for (i, gate) in kept_outcomes.iter().enumerate() {
                    for (c, column) in gate.iter().enumerate() {
                        outcomes[i][c] = column[r];
                    }
                    gate_verdicts[i] = kept_verdicts[i][r];
                }
                let rejected = personas.iter().any(|persona| {
                    signoff(
                        persona,
                        &policy.gates,
                        &selected,
                        &outcomes,
                        &gate_verdicts,
                        |_, _| {},
                        |_| {},
                    ) == Some(Signoff::Rejected)
                });
                if rejected {
                    worst[r] = Verdict::Fail;
                }
            }
        }
        let mut counts = BatchCounts::default();
        let verdicts: Vec<u8> = worst
            .iter()
            .zip(&errored)
            .map(|(verdict, &errored)| {
                if errored {
                    counts.error += 1;
                    return CODE_ERROR;
                }
                match verdict {
                    Verdict::Pass => {
                        counts.pass += 1;
                        CODE_PASS
                    }
                    Verdict::Warn => {
                        counts.warn += 1;
                        CODE_WARN
                    }
                    Verdict::Fail => {
                        counts.fail += 1;
                        CODE_FAIL
                    }
                }
            })
            .collect();
        Ok(BatchResult { verdicts, counts })
    }
}

/// Records per chunk: the chunk's columns, condition codes and tallies stay in cache.
const CHUNK: usize = 4096;

/// The warn code of a criterion without a warn condition.
const NO_WARN: u8 = 4;

/// A criterion's outcome for every pair of condition codes, worked out once by
/// [`criterion_outcome`] so that the per-record loop only looks it up.
struct OutcomeTable([[Outcome; 5]; 4]);

impl OutcomeTable {
    fn new(rule: MissingRule) -> Self {
        let mut table = [[Outcome::Fail; 5]; 4];
        for (p, row) in (0u8..).zip(table.iter_mut()) {
            for (w, cell) in (0u8..).zip(row.iter_mut()) {
                // Codes 3 (error) mark the record as errored; its outcome is never used.
                if p == CODE_ERROR {
                    continue;
                }
                let warn = (p == Tri::False as u8 && w < CODE_ERROR).then(|| Tri::from_u8(w));
                *cell = criterion_outcome(Tri::from_u8(p), warn, rule).0;
            }
        }
        Self(table)
    }

    /// The outcome for pass code `p` and warn code `w` ([`NO_WARN`] when there is none).
    #[inline]
    fn get(&self, p: u8, w: u8) -> Outcome {
        self.0
            .get(usize::from(p))
            .and_then(|row| row.get(usize::from(w)))
            .copied()
            .unwrap_or(Outcome::Fail)
    }
}

/// Records `start..start + len` of the column for `slot`, in base units (NaN where there is
/// no data), into `out`.
fn fill_base_column(
    policy: &Compiled,
    slot: usize,
    batch: &Batch,
    start: usize,
    len: usize,
    out: &mut Vec<f64>,
) -> Result<(), CheckError> {
    out.clear();
    let range = start..start + len;
    let column = policy
        .metrics
        .get(slot)
        .and_then(|m| Some((m, batch.columns.get(&m.name)?)));
    let Some((metric, column)) = column else {
        out.resize(len, f64::NAN);
        return Ok(());
    };
    let present = column.present.as_ref().map(|p| &p[range.clone()]);
    // The common case, numbers of a numeric metric, in one pass; anything else (and every
    // error, for its message) through the same conversion as metrics input.
    if let Values::Numbers(values) = &column.values
        && metric.unit.dimension != Dimension::Bool
    {
        let factor = metric.unit.factor;
        let values = &values[range.clone()];
        match present {
            None => out.extend(values.iter().map(|v| v * factor)),
            Some(present) => out.extend(
                values
                    .iter()
                    .zip(present)
                    .map(|(v, &p)| if p { v * factor } else { f64::NAN }),
            ),
        }
        let absent = |i: usize| present.is_some_and(|p| !p[i]);
        if out
            .iter()
            .enumerate()
            .all(|(i, v)| v.is_finite() || absent(i))
        {
            return Ok(());
        }
        out.clear();
    }
    for i in range {
        if column.present.as_ref().is_some_and(|p| !p[i]) {
            out.push(f64::NAN);
            continue;
        }
        let raw = match &column.values {
            Values::Numbers(v) => RawValue::Number(v[i]),
            Values::Bools(v) => RawValue::Bool(v[i]),
        };
        let value = convert(&metric.name, &raw, metric.unit).map_err(|d| {
            let message = format!("record {i}: {}", d.message);
            CheckError::input(Diagnostic { message, ..d }.with_source("metrics"))
        })?;
        out.push(value);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
