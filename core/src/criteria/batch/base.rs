//! The batch's columns in base units, one chunk at a time: what the conditions read.
//!
//! A numeric column in a unit whose factor is 1 (ratios, milliseconds, bytes, counts) and
//! without a presence mask is read where it lies; any other column is converted into a
//! chunk-sized buffer by [`Scale::to_base_column`] (exact, a few vector operations per value),
//! absent values then selected out by bit masks. Either way every value is
//! checked to be finite in one branch-free pass, and only a column that fails it goes through
//! the per-value conversion of metrics input, which finds the records whose values do not fit:
//! those records read as no data here and are marked invalid, so that they get their own code
//! while the others are judged.

use super::input::{Batch, Column, Values};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::CheckError;
use crate::metrics::RawValue;
use crate::metrics::bind::metric_value;
use crate::metrics::table::{MetricSlot, MetricTable, ValidRange};
use crate::units::{Dimension, Scale};
use std::ops::Range;

/// Where a slot's values for the current chunk are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// Not read by any selected condition.
    Unused,
    /// In the batch's own column, already in base units.
    Input,
    /// In the slot's buffer.
    Buffer,
    /// Nowhere: the batch has no column for the metric, so no record has data.
    Missing,
}

/// One slot a check reads: its metric and the batch's column for it, if any.
struct Slot<'b> {
    metric: &'b MetricSlot,
    column: Option<&'b Column>,
}

/// The base-unit columns of the slots a check reads, refilled chunk by chunk.
pub(super) struct BaseColumns<'b> {
    slots: Vec<Option<Slot<'b>>>,
    sources: Vec<Source>,
    buffers: Vec<Vec<f64>>,
    /// A chunk of NaN, for metrics the batch has no column for.
    nan: Vec<f64>,
}

impl<'b> BaseColumns<'b> {
    /// Reads the slots in `needed` (indices into `metrics`) from `batch`, in chunks of at most
    /// `chunk` records.
    ///
    /// # Errors
    /// [`CheckError::Input`] ([`Code::InvalidMetricValue`]) for a column of the wrong kind:
    /// numbers for a `bool` metric, or booleans for any other. That is a mistake in the whole
    /// column, not in a record; a value that does not fit is the record's own problem
    /// ([`BaseColumns::load`]).
    pub(super) fn new(
        metrics: &'b MetricTable,
        batch: &'b Batch,
        needed: &[usize],
        chunk: usize,
    ) -> Result<Self, CheckError> {
        let count = metrics.slots().len();
        let mut slots: Vec<Option<Slot<'b>>> = (0..count).map(|_| None).collect();
        for &slot in needed {
            if let (Some(entry), Some(metric)) = (slots.get_mut(slot), metrics.get(slot)) {
                *entry = Some(Slot {
                    metric,
                    column: batch.columns.get(&metric.name),
                });
            }
        }
        for Slot { metric, column } in slots.iter().flatten() {
            let is_bool = metric.unit.dimension == Dimension::Bool;
            let holds = match column.map(|c| &c.values) {
                Some(Values::Numbers(_)) if is_bool => "numbers",
                Some(Values::Bools(_)) if !is_bool => "booleans",
                _ => continue,
            };
            return Err(CheckError::input(
                Diagnostic::error(
                    Code::InvalidMetricValue,
                    format!(
                        "column `{}` holds {holds}, but the metric is declared as {}",
                        metric.name,
                        metric.unit.dimension.describe()
                    ),
                )
                .with_source("metrics"),
            ));
        }
        Ok(Self {
            slots,
            sources: vec![Source::Unused; count],
            buffers: vec![Vec::new(); count],
            nan: vec![f64::NAN; chunk],
        })
    }

    /// Records `range` of every slot, in base units (NaN where there is no data): one slice
    /// per slot, empty for slots no selected condition reads. The records (indices into the
    /// batch) with a value that does not fit its metric are added to `invalid`, in no
    /// particular order and possibly more than once.
    pub(super) fn load(&mut self, range: Range<usize>, invalid: &mut Vec<usize>) -> Vec<&[f64]> {
        for ((slot, source), buffer) in self
            .slots
            .iter()
            .zip(&mut self.sources)
            .zip(&mut self.buffers)
        {
            *source = match slot {
                None => Source::Unused,
                Some(Slot { column: None, .. }) => Source::Missing,
                Some(Slot {
                    metric,
                    column: Some(column),
                }) => {
                    let source = fill(metric, column, range.clone(), buffer, invalid);
                    match metric.range {
                        Some(valid) => clip(column, source, valid, range.clone(), buffer, invalid),
                        None => source,
                    }
                }
            };
        }
        let len = range.len();
        self.slots
            .iter()
            .zip(&self.sources)
            .zip(&self.buffers)
            .map(|((slot, source), buffer)| match (source, slot) {
                (
                    Source::Input,
                    Some(Slot {
                        column: Some(c), ..
                    }),
                ) => match &c.values {
                    Values::Numbers(values) => values.get(range.clone()).unwrap_or(&[]),
                    Values::Bools(_) => &[],
                },
                (Source::Buffer, _) => buffer.as_slice(),
                (Source::Missing, _) => self.nan.get(..len).unwrap_or(&[]),
                _ => &[],
            })
            .collect()
    }
}

/// Records `range` of `column` for `metric`: read in place ([`Source::Input`]) or converted
/// into `out` ([`Source::Buffer`]); records whose value does not fit are added to `invalid`.
fn fill(
    metric: &MetricSlot,
    column: &Column,
    range: Range<usize>,
    out: &mut Vec<f64>,
    invalid: &mut Vec<usize>,
) -> Source {
    let present = column.present.as_ref().map(|p| &p[range.clone()]);
    let is_bool = metric.unit.dimension == Dimension::Bool;
    let fits = match (&column.values, is_bool, present) {
        (Values::Numbers(values), false, None) => {
            let values = &values[range.clone()];
            let scale = metric.unit.scale;
            if scale == Scale::ONE {
                // x * 1 is x: nothing to convert.
                if all_finite(values) {
                    return Source::Input;
                }
                false
            } else {
                // Converted exactly on the fast path, every value is finite.
                scale.to_base_column(values, out) || all_finite(out)
            }
        }
        (Values::Numbers(values), false, Some(present)) => {
            convert_masked(&values[range.clone()], present, metric.unit.scale, out)
        }
        (Values::Bools(values), true, present) => {
            let values = &values[range.clone()];
            let one = |b: bool| if b { 1.0 } else { 0.0 };
            out.clear();
            match present {
                None => out.extend(values.iter().map(|&b| one(b))),
                Some(present) => out.extend(
                    values
                        .iter()
                        .zip(present)
                        .map(|(&b, &p)| if p { one(b) } else { f64::NAN }),
                ),
            }
            true
        }
        _ => false,
    };
    if fits {
        return Source::Buffer;
    }
    // Something does not fit: the conversion of metrics input finds which records.
    out.clear();
    for i in range {
        if column.present.as_ref().is_some_and(|p| !p[i]) {
            out.push(f64::NAN);
            continue;
        }
        let raw = match &column.values {
            Values::Numbers(v) => RawValue::Number(v[i]),
            Values::Bools(v) => RawValue::Bool(v[i]),
        };
        let value = metric_value(metric, &raw).unwrap_or_else(|_| {
            invalid.push(i);
            f64::NAN
        });
        out.push(value);
    }
    Source::Buffer
}

/// Applies `valid`, a metric's range, to the chunk [`fill`] gave (records `range`, in the
/// batch's column for [`Source::Input`], else in `out`): a value outside becomes no data and
/// its record is added to `invalid`. One branch-free pass finds whether any value is outside;
/// only then is the chunk copied (when read in place) and the values replaced.
fn clip(
    column: &Column,
    source: Source,
    valid: ValidRange,
    range: Range<usize>,
    out: &mut Vec<f64>,
    invalid: &mut Vec<usize>,
) -> Source {
    let outside = |x: f64| x < valid.min || x > valid.max;
    let values: &[f64] = match (source, &column.values) {
        (Source::Input, Values::Numbers(values)) => values.get(range.clone()).unwrap_or(&[]),
        (Source::Buffer, _) => out.as_slice(),
        _ => return source,
    };
    if !values.iter().fold(false, |any, &x| any | outside(x)) {
        return source;
    }
    if source == Source::Input {
        let copy = values.to_vec();
        *out = copy;
    }
    for (i, x) in out.iter_mut().enumerate() {
        if outside(*x) {
            *x = f64::NAN;
            invalid.push(range.start + i);
        }
    }
    Source::Buffer
}

/// Lanes per block of [`convert_masked`]: fixed-size blocks of mixed `f64` and `bool` lanes
/// vectorise where the same loop over whole slices does not.
const BLOCK: usize = 8;

/// `out[i] = scale.to_base(values[i])` where `present[i]`, NaN where not; whether every present
/// value is finite. Converts the whole column ([`Scale::to_base_column`]), then selects on bit
/// masks, with the finiteness check of [`all_finite`] on the present values (an absent value
/// adds 0).
fn convert_masked(values: &[f64], present: &[bool], scale: Scale, out: &mut Vec<f64>) -> bool {
    // Absent values are converted too (they are usually 0), then masked.
    scale.to_base_column(values, out);
    let nan = f64::NAN.to_bits();
    let lane = |keep: bool, o: &mut f64, sum: &mut f64| {
        // All ones where the value is present: selects on the bits, without a branch.
        let mask = 0u64.wrapping_sub(u64::from(keep));
        let y = *o;
        *sum += f64::from_bits((y * 0.0).to_bits() & mask);
        *o = f64::from_bits((y.to_bits() & mask) | (nan & !mask));
    };
    let mut sums = [0.0f64; BLOCK];
    let mut outs = out.chunks_exact_mut(BLOCK);
    let mut keeps = present.chunks_exact(BLOCK);
    for (o, k) in (&mut outs).zip(&mut keeps) {
        let (Ok(o), Ok(k)) = (
            <&mut [f64; BLOCK]>::try_from(o),
            <&[bool; BLOCK]>::try_from(k),
        ) else {
            continue;
        };
        for j in 0..BLOCK {
            lane(k[j], &mut o[j], &mut sums[j]);
        }
    }
    let mut rest = 0.0;
    for (o, &k) in outs.into_remainder().iter_mut().zip(keeps.remainder()) {
        lane(k, o, &mut rest);
    }
    !(sums.iter().sum::<f64>() + rest).is_nan()
}

/// Whether every value is finite. `x * 0` is 0 for a finite `x` and NaN otherwise, and NaN
/// stays NaN through additions: two operations a value, in four independent sums written out
/// (so that they stay in registers, or in vector lanes, however the target unrolls).
fn all_finite(values: &[f64]) -> bool {
    let (mut s0, mut s1, mut s2, mut s3) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut blocks = values.chunks_exact(4);
    for block in &mut blocks {
        if let &[a, b, c, d] = block {
            s0 += a * 0.0;
            s1 += b * 0.0;
            s2 += c * 0.0;
            s3 += d * 0.0;
        }
    }
    let rest = blocks.remainder().iter().fold(0.0, |s, &x| s + x * 0.0);
    !(s0 + s1 + s2 + s3 + rest).is_nan()
}
