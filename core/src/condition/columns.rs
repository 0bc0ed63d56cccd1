//! Columnar evaluation of a batch of records.
//!
//! The batch is cut into chunks of [`CHUNK`] records. Within a chunk the program is evaluated
//! node by node, each node a tight loop over plain slices that the compiler vectorises:
//! numbers as `f64` lanes (NaN = no data) with a parallel error-flag lane where the subtree can
//! fail, truth values as `u8` lanes (0 false, 1 unknown, 2 true, 3 error). `and` / `or`
//! accumulate in place into their output lanes, and a metric-versus-constant leaf under them is
//! fused into the accumulation, so `a >= 1 and b < 2` reads each column once and writes the
//! output once. Scratch buffers come from a small pool allocated on first use in each call.
//!
//! The results equal [`Program::eval`] record by record (see the module `eval` for how errors
//! combine with `and` / `or`).

use super::ast::{ArithOp, CmpOp};
use super::eval::{nan_max, nan_min, test};
use super::program::{BoolNode, COLUMN_ERROR, EQUAL, GREATER, LESS, NumNode, Program};
use crate::diagnostic::{Code, Diagnostic, Span};

/// Records per chunk.
const CHUNK: usize = 1024;

/// Combine modes for truth lanes: overwrite, Kleene and/or without errors, and with errors.
const STORE: u8 = 0;
const AND: u8 = 1;
const OR: u8 = 2;
const AND_ERR: u8 = 3;
const OR_ERR: u8 = 4;

/// `acc` combined with `t` under mode `M`. With errors (3) possible, `and` is false if either
/// is false, else an error if either is, else the minimum; `or` dually.
#[inline(always)]
fn combine<const M: u8>(acc: u8, t: u8) -> u8 {
    match M {
        STORE => t,
        AND => acc.min(t),
        OR => acc.max(t),
        AND_ERR => {
            let lo = acc.min(t);
            let hi = acc.max(t);
            if lo == 0 {
                0
            } else if hi == COLUMN_ERROR {
                COLUMN_ERROR
            } else {
                lo
            }
        }
        _ => {
            if acc == 2 || t == 2 {
                2
            } else {
                acc.max(t)
            }
        }
    }
}

/// The truth lane for a comparison: `holds` must already be false when a value is NaN.
#[inline(always)]
fn tri(holds: bool, unknown: bool) -> u8 {
    u8::from(holds) * 2 + u8::from(unknown)
}

/// Lanes per inner block. Loops over fixed-size blocks of mixed `f64` / `u8` lanes vectorise
/// (the compiler unrolls and packs them); the same loops over whole slices do not.
const BLOCK: usize = 16;

/// Runs `lane(out, x)` over paired lanes of `out` and `col` in vectorisable blocks.
#[inline(always)]
fn for_lanes<T: Copy>(out: &mut [u8], col: &[T], lane: impl Fn(&mut u8, T)) {
    let mut outs = out.chunks_exact_mut(BLOCK);
    let mut cols = col.chunks_exact(BLOCK);
    for (o, c) in (&mut outs).zip(&mut cols) {
        let (Ok(o), Ok(c)) = (<&mut [u8; BLOCK]>::try_from(o), <&[T; BLOCK]>::try_from(c)) else {
            continue;
        };
        for j in 0..BLOCK {
            lane(&mut o[j], c[j]);
        }
    }
    for (o, &c) in outs.into_remainder().iter_mut().zip(cols.remainder()) {
        lane(o, c);
    }
}

/// A metric-versus-constant (or boolean metric) leaf, combined into `out` under mode `M`.
// Kept out of line: small functions are where the compiler vectorises the blocks.
#[inline(never)]
fn leaf<const M: u8>(col: &[f64], out: &mut [u8], holds: impl Fn(f64) -> bool) {
    for_lanes(out, col, |o, x| {
        *o = combine::<M>(*o, tri(holds(x), x.is_nan()))
    });
}

/// A metric-versus-constant (or boolean metric) leaf, folded into `acc` through `table`:
/// `acc = max(acc, table[truth])`.
// Kept out of line: small functions are where the compiler vectorises the blocks.
#[inline(never)]
fn leaf_fold(col: &[f64], acc: &mut [u8], table: [u8; 4], holds: impl Fn(f64) -> bool) {
    let [if_false, if_unknown, if_true, _] = table;
    // `holds` is false where `x` is NaN, so at most one mask is set: selects by masks and
    // exclusive or, which vectorise where a branch or a table load would not.
    let (to_true, to_unknown) = (if_true ^ if_false, if_unknown ^ if_false);
    for_lanes(acc, col, |a, x| {
        let true_mask = 0u8.wrapping_sub(u8::from(holds(x)));
        let unknown_mask = 0u8.wrapping_sub(u8::from(x.is_nan()));
        let t = if_false ^ (true_mask & to_true) ^ (unknown_mask & to_unknown);
        *a = (*a).max(t);
    });
}

/// `table[code]` for a truth lane `code` in `0..4`, as selects on its two bits.
#[inline(always)]
fn pick(code: u8, table: [u8; 4]) -> u8 {
    let odd = code & 1 != 0;
    let low = if odd { table[1] } else { table[0] };
    let high = if odd { table[3] } else { table[2] };
    if code >= 2 { high } else { low }
}

/// Folds truth lanes `ts` into `acc` through `table`: `acc = max(acc, table[t])`.
// Kept out of line: small functions are where the compiler vectorises the blocks.
#[inline(never)]
fn fold_lanes(acc: &mut [u8], ts: &[u8], table: [u8; 4]) {
    for_lanes(acc, ts, |a, t| *a = (*a).max(pick(t, table)));
}

/// Where a leaf's truth lanes go.
trait LeafSink {
    /// Runs the leaf `holds` over `col` into the sink.
    fn leaf(self, col: &[f64], holds: impl Fn(f64) -> bool);
}

/// Combined into the output lanes under mode `M`.
struct Combine<'o, const M: u8>(&'o mut [u8]);

impl<const M: u8> LeafSink for Combine<'_, M> {
    #[inline(always)]
    fn leaf(self, col: &[f64], holds: impl Fn(f64) -> bool) {
        leaf::<M>(col, self.0, holds);
    }
}

/// Folded into an accumulator through a table (see [`Program::fold_columns`]).
struct Fold<'o> {
    acc: &'o mut [u8],
    table: [u8; 4],
}

impl LeafSink for Fold<'_> {
    #[inline(always)]
    fn leaf(self, col: &[f64], holds: impl Fn(f64) -> bool) {
        leaf_fold(col, self.acc, self.table, holds);
    }
}

/// Combines truth lanes `ts` into `out` under mode `M`.
// Kept out of line: small functions are where the compiler vectorises the blocks.
#[inline(never)]
fn combine_lanes<const M: u8>(out: &mut [u8], ts: &[u8]) {
    for_lanes(out, ts, |o, t| *o = combine::<M>(*o, t));
}

/// Runs `lane(out, x, y)` over paired lanes of `out`, `xs` and `ys` in vectorisable blocks.
#[inline(always)]
fn for_lanes2<T: Copy, U: Copy>(out: &mut [u8], xs: &[T], ys: &[U], lane: impl Fn(&mut u8, T, U)) {
    let mut outs = out.chunks_exact_mut(BLOCK);
    let mut xss = xs.chunks_exact(BLOCK);
    let mut yss = ys.chunks_exact(BLOCK);
    for ((o, x), y) in (&mut outs).zip(&mut xss).zip(&mut yss) {
        let (Ok(o), Ok(x), Ok(y)) = (
            <&mut [u8; BLOCK]>::try_from(o),
            <&[T; BLOCK]>::try_from(x),
            <&[U; BLOCK]>::try_from(y),
        ) else {
            continue;
        };
        for j in 0..BLOCK {
            lane(&mut o[j], x[j], y[j]);
        }
    }
    let rest = outs
        .into_remainder()
        .iter_mut()
        .zip(xss.remainder())
        .zip(yss.remainder());
    for ((o, &x), &y) in rest {
        lane(o, x, y);
    }
}

/// A comparison of two numeric lanes with their error flags, written into `out`.
// Kept out of line: small functions are where the compiler vectorises the blocks.
#[inline(never)]
fn compare(
    out: &mut [u8],
    (a, b): (&[f64], &[f64]),
    errors: Option<(&[u8], &[u8])>,
    holds: impl Fn(f64, f64) -> bool,
) {
    for_lanes2(out, a, b, |o, x, y| {
        *o = tri(holds(x, y), x.is_nan() | y.is_nan())
    });
    if let Some((ea, eb)) = errors {
        for_lanes2(out, ea, eb, |o, e, f| {
            *o = if (e | f) != 0 { COLUMN_ERROR } else { *o };
        });
    }
}

/// `out = out op b`, flagging division by zero and non-finite results in `err`.
fn apply(op: ArithOp, out: &mut [f64], b: &[f64], err: &mut [u8]) {
    match op {
        ArithOp::Add => arith_lanes(out, b, err, |x, y| (x + y, false)),
        ArithOp::Sub => arith_lanes(out, b, err, |x, y| (x - y, false)),
        ArithOp::Mul => arith_lanes(out, b, err, |x, y| (x * y, false)),
        ArithOp::Div => arith_lanes(out, b, err, |x, y| (x / y, (y == 0.0) & !x.is_nan())),
    }
}

/// One arithmetic lane: `(result, divided by zero)`.
#[inline(always)]
fn arith_lane(o: &mut f64, y: f64, e: &mut u8, f: &impl Fn(f64, f64) -> (f64, bool)) {
    let (r, zero) = f(*o, y);
    *e |= u8::from(zero | r.is_infinite());
    *o = r;
}

/// Runs an arithmetic lane over `out`, `b` and `err` in vectorisable blocks.
// Kept out of line: small functions are where the compiler vectorises the blocks.
#[inline(never)]
fn arith_lanes(out: &mut [f64], b: &[f64], err: &mut [u8], f: impl Fn(f64, f64) -> (f64, bool)) {
    let mut outs = out.chunks_exact_mut(BLOCK);
    let mut bs = b.chunks_exact(BLOCK);
    let mut errs = err.chunks_exact_mut(BLOCK);
    for ((o, y), e) in (&mut outs).zip(&mut bs).zip(&mut errs) {
        let (Ok(o), Ok(y), Ok(e)) = (
            <&mut [f64; BLOCK]>::try_from(o),
            <&[f64; BLOCK]>::try_from(y),
            <&mut [u8; BLOCK]>::try_from(e),
        ) else {
            continue;
        };
        for j in 0..BLOCK {
            arith_lane(&mut o[j], y[j], &mut e[j], &f);
        }
    }
    let rest = outs
        .into_remainder()
        .iter_mut()
        .zip(bs.remainder())
        .zip(errs.into_remainder());
    for ((o, &y), e) in rest {
        arith_lane(o, y, e, &f);
    }
}

/// The columns and the record range of one chunk.
struct Chunk<'a> {
    columns: &'a [&'a [f64]],
    lo: usize,
    hi: usize,
}

impl<'a> Chunk<'a> {
    fn col(&self, slot: u32) -> &'a [f64] {
        self.columns
            .get(slot as usize)
            .and_then(|c| c.get(self.lo..self.hi))
            .unwrap_or(&[])
    }
}

/// Reusable chunk-sized buffers.
#[derive(Default)]
struct Scratch {
    numbers: Vec<Vec<f64>>,
    bytes: Vec<Vec<u8>>,
}

impl Scratch {
    fn numbers(&mut self) -> Vec<f64> {
        self.numbers.pop().unwrap_or_else(|| vec![0.0; CHUNK])
    }

    fn bytes(&mut self) -> Vec<u8> {
        self.bytes.pop().unwrap_or_else(|| vec![0; CHUNK])
    }
}

impl Program {
    /// Evaluates a batch: `columns[slot]` holds the values of the metric in `slot` for every
    /// record (NaN = no data), and `out[i]` receives record `i`'s result as a byte: 0 false,
    /// 1 unknown, 2 true ([`crate::tri::Tri`] as `u8`), or [`COLUMN_ERROR`] when evaluating that
    /// record failed. Each column the program reads must hold at least `out.len()` values;
    /// otherwise every record gets [`COLUMN_ERROR`] (see [`Program::try_eval_columns`]).
    ///
    /// Allocates a few chunk-sized scratch buffers per call, nothing per record.
    pub fn eval_columns(&self, columns: &[&[f64]], out: &mut [u8]) {
        if self.check_columns(columns, out.len()).is_err() {
            out.fill(COLUMN_ERROR);
            return;
        }
        let mut scratch = Scratch::default();
        for (i, lanes) in out.chunks_mut(CHUNK).enumerate() {
            let lo = i * CHUNK;
            let chunk = Chunk {
                columns,
                lo,
                hi: lo + lanes.len(),
            };
            self.col_bool(self.root, &chunk, lanes, &mut scratch);
        }
    }

    /// Folds every record's result into `acc` through `table`: `acc[i]` becomes the larger of
    /// itself and `table[code]`, where `code` is the byte [`Program::eval_columns`] would write
    /// for record `i` (so `table[3]` is taken where evaluating failed, and for every record when
    /// a column is missing or short). A strict gate's verdict is such a fold over its criteria.
    ///
    /// A root that compares one metric with a constant (the common criterion) is evaluated and
    /// folded in one pass over its column, without writing the codes.
    pub(crate) fn fold_columns(&self, columns: &[&[f64]], table: [u8; 4], acc: &mut [u8]) {
        if self.check_columns(columns, acc.len()).is_err() {
            acc.iter_mut().for_each(|a| *a = (*a).max(table[3]));
            return;
        }
        let root = self.bools.get(self.root as usize).copied();
        let mut scratch = Scratch::default();
        let mut codes: Vec<u8> = Vec::new();
        for (i, lanes) in acc.chunks_mut(CHUNK).enumerate() {
            let lo = i * CHUNK;
            let chunk = Chunk {
                columns,
                lo,
                hi: lo + lanes.len(),
            };
            let folded = root.is_some_and(|n| {
                Self::col_leaf(
                    n,
                    &chunk,
                    Fold {
                        acc: &mut *lanes,
                        table,
                    },
                )
            });
            if !folded {
                codes.resize(lanes.len(), 0);
                self.col_bool(self.root, &chunk, &mut codes, &mut scratch);
                fold_lanes(lanes, &codes, table);
            }
        }
    }

    /// [`Program::eval_columns`], reporting missing or short columns instead of marking every
    /// record as failed.
    ///
    /// # Errors
    /// `KIRO-E032` when a column the program reads is absent or shorter than `out`.
    pub fn try_eval_columns(&self, columns: &[&[f64]], out: &mut [u8]) -> Result<(), Diagnostic> {
        self.check_columns(columns, out.len())?;
        self.eval_columns(columns, out);
        Ok(())
    }

    fn check_columns(&self, columns: &[&[f64]], len: usize) -> Result<(), Diagnostic> {
        for &slot in &self.slots {
            let found = columns.get(slot).map(|c| c.len());
            if found.is_none_or(|n| n < len) {
                let message = match found {
                    None => format!("no column for metric slot {slot}"),
                    Some(n) => {
                        format!("the column for metric slot {slot} has {n} values, expected {len}")
                    }
                };
                return Err(Diagnostic::error(Code::InvalidBatch, message)
                    .with_label(Span::new(0, self.source.len()), "in this condition"));
            }
        }
        Ok(())
    }

    fn bool_is_fallible(&self, node: u32) -> bool {
        self.bool_fallible
            .get(node as usize)
            .copied()
            .unwrap_or(false)
    }

    fn num_is_fallible(&self, node: u32) -> bool {
        self.num_fallible
            .get(node as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Runs a leaf node into `sink`; false if `node` is not such a leaf.
    #[inline(always)]
    fn col_leaf(node: BoolNode, chunk: &Chunk<'_>, sink: impl LeafSink) -> bool {
        match node {
            BoolNode::Test { slot, mask, k } => {
                let col = chunk.col(slot);
                const LE: u8 = LESS | EQUAL;
                const GE: u8 = GREATER | EQUAL;
                const NE: u8 = LESS | GREATER;
                match mask {
                    LESS => sink.leaf(col, |x| x < k),
                    LE => sink.leaf(col, |x| x <= k),
                    GREATER => sink.leaf(col, |x| x > k),
                    GE => sink.leaf(col, |x| x >= k),
                    EQUAL => sink.leaf(col, |x| x == k),
                    NE => sink.leaf(col, |x| (x < k) | (x > k)),
                    _ => sink.leaf(col, |x| test(x, mask, k)),
                }
            }
            BoolNode::Slot(s) => sink.leaf(chunk.col(s), |x| (x < 0.0) | (x > 0.0)),
            _ => return false,
        }
        true
    }

    /// Writes the truth lanes of boolean node `node` into `out`.
    fn col_bool(&self, node: u32, chunk: &Chunk<'_>, out: &mut [u8], scratch: &mut Scratch) {
        let Some(&n) = self.bools.get(node as usize) else {
            out.fill(1);
            return;
        };
        if Self::col_leaf(n, chunk, Combine::<STORE>(&mut *out)) {
            return;
        }
        match n {
            BoolNode::Const(t) => out.fill(t as u8),
            BoolNode::Not(child) => {
                self.col_bool(child, chunk, out, scratch);
                if self.bool_is_fallible(child) {
                    out.iter_mut().for_each(|o| {
                        *o = if *o == COLUMN_ERROR {
                            COLUMN_ERROR
                        } else {
                            2 - *o
                        }
                    });
                } else {
                    out.iter_mut().for_each(|o| *o = 2 - *o);
                }
            }
            BoolNode::And { start, len } => {
                let args = Self::args(&self.bool_args, start, len);
                if self.bool_is_fallible(node) {
                    self.col_logic::<AND_ERR>(args, chunk, out, scratch);
                } else {
                    self.col_logic::<AND>(args, chunk, out, scratch);
                }
            }
            BoolNode::Or { start, len } => {
                let args = Self::args(&self.bool_args, start, len);
                if self.bool_is_fallible(node) {
                    self.col_logic::<OR_ERR>(args, chunk, out, scratch);
                } else {
                    self.col_logic::<OR>(args, chunk, out, scratch);
                }
            }
            BoolNode::Cmp { op, a, b } => self.col_cmp(op, a, b, chunk, out, scratch),
            BoolNode::BoolCmp { ne, a, b } => {
                self.col_bool(a, chunk, out, scratch);
                let mut other = scratch.bytes();
                let ys = &mut other[..out.len()];
                self.col_bool(b, chunk, ys, scratch);
                for_lanes(out, ys, |o, y| {
                    let x = *o;
                    *o = if x == COLUMN_ERROR || y == COLUMN_ERROR {
                        COLUMN_ERROR
                    } else if x == 1 || y == 1 {
                        1
                    } else {
                        u8::from((x == y) != ne) * 2
                    };
                });
                scratch.bytes.push(other);
            }
            BoolNode::Present(a) => {
                let mut values = scratch.numbers();
                let mut errors = scratch.bytes();
                let (vs, es) = (&mut values[..out.len()], &mut errors[..out.len()]);
                self.col_num(a, chunk, vs, es, scratch);
                if !self.num_is_fallible(a) {
                    es.fill(0);
                }
                for ((o, &v), &e) in out.iter_mut().zip(vs.iter()).zip(es.iter()) {
                    *o = if e != 0 {
                        COLUMN_ERROR
                    } else {
                        u8::from(!v.is_nan()) * 2
                    };
                }
                scratch.numbers.push(values);
                scratch.bytes.push(errors);
            }
            BoolNode::PresentBool(a) => {
                self.col_bool(a, chunk, out, scratch);
                out.iter_mut().for_each(|o| {
                    *o = match *o {
                        COLUMN_ERROR => COLUMN_ERROR,
                        1 => 0,
                        _ => 2,
                    }
                });
            }
            // Leaves were handled above.
            BoolNode::Slot(_) | BoolNode::Test { .. } => {}
        }
    }

    /// `and` / `or` of `args` (mode `M`), accumulated in `out`.
    fn col_logic<const M: u8>(
        &self,
        args: &[u32],
        chunk: &Chunk<'_>,
        out: &mut [u8],
        scratch: &mut Scratch,
    ) {
        let Some((&first, rest)) = args.split_first() else {
            out.fill(if M == AND || M == AND_ERR { 2 } else { 0 });
            return;
        };
        self.col_bool(first, chunk, out, scratch);
        for &child in rest {
            let Some(&n) = self.bools.get(child as usize) else {
                continue;
            };
            if Self::col_leaf(n, chunk, Combine::<M>(&mut *out)) {
                continue;
            }
            let mut buffer = scratch.bytes();
            let lanes = &mut buffer[..out.len()];
            self.col_bool(child, chunk, lanes, scratch);
            combine_lanes::<M>(out, lanes);
            scratch.bytes.push(buffer);
        }
    }

    fn col_cmp(
        &self,
        op: CmpOp,
        a: u32,
        b: u32,
        chunk: &Chunk<'_>,
        out: &mut [u8],
        scratch: &mut Scratch,
    ) {
        let n = out.len();
        let (mut va, mut vb) = (scratch.numbers(), scratch.numbers());
        let (mut ea, mut eb) = (scratch.bytes(), scratch.bytes());
        let (xs, ys) = (&mut va[..n], &mut vb[..n]);
        let (exs, eys) = (&mut ea[..n], &mut eb[..n]);
        self.col_num(a, chunk, xs, exs, scratch);
        self.col_num(b, chunk, ys, eys, scratch);
        let (fa, fb) = (self.num_is_fallible(a), self.num_is_fallible(b));
        if fa != fb {
            // Only one side can fail: the other side's flags are all clear.
            if fa { eys.fill(0) } else { exs.fill(0) }
        }
        let values = (&*xs, &*ys);
        let errors = (fa || fb).then_some((&*exs, &*eys));
        match op {
            CmpOp::Lt => compare(out, values, errors, |x, y| x < y),
            CmpOp::Le => compare(out, values, errors, |x, y| x <= y),
            CmpOp::Gt => compare(out, values, errors, |x, y| x > y),
            CmpOp::Ge => compare(out, values, errors, |x, y| x >= y),
            CmpOp::Eq => compare(out, values, errors, |x, y| x == y),
            CmpOp::Ne => compare(out, values, errors, |x, y| (x < y) | (x > y)),
        }
        scratch.numbers.push(va);
        scratch.numbers.push(vb);
        scratch.bytes.push(ea);
        scratch.bytes.push(eb);
    }

    /// Writes the values of numeric node `node` into `out`; when the node can fail, also writes
    /// every lane of `err` (1 = failed). `err` is untouched for nodes that cannot fail.
    fn col_num(
        &self,
        node: u32,
        chunk: &Chunk<'_>,
        out: &mut [f64],
        err: &mut [u8],
        scratch: &mut Scratch,
    ) {
        let Some(&n) = self.nums.get(node as usize) else {
            out.fill(f64::NAN);
            return;
        };
        let fallible = self.num_is_fallible(node);
        match n {
            NumNode::Const(k) => out.fill(k),
            NumNode::Slot(s) => out.iter_mut().zip(chunk.col(s)).for_each(|(o, &x)| *o = x),
            NumNode::Neg(a) => {
                self.col_num(a, chunk, out, err, scratch);
                out.iter_mut().for_each(|o| *o = -*o);
            }
            NumNode::Abs(a) => {
                self.col_num(a, chunk, out, err, scratch);
                out.iter_mut().for_each(|o| *o = o.abs());
            }
            NumNode::Bin { op, a, b, .. } => {
                self.col_num(a, chunk, out, err, scratch);
                if !self.num_is_fallible(a) {
                    err.fill(0);
                }
                self.col_step(op, b, chunk, out, err, scratch);
            }
            NumNode::Chain { first, start, len } => {
                self.col_num(first, chunk, out, err, scratch);
                if !self.num_is_fallible(first) {
                    err.fill(0);
                }
                for step in self.chain_steps(start, len) {
                    self.col_step(step.op, step.operand, chunk, out, err, scratch);
                }
            }
            NumNode::Min { start, len } | NumNode::Max { start, len } => {
                let is_min = matches!(n, NumNode::Min { .. });
                let args = Self::args(&self.num_args, start, len);
                let Some((&first, rest)) = args.split_first() else {
                    out.fill(f64::NAN);
                    return;
                };
                self.col_num(first, chunk, out, err, scratch);
                if fallible && !self.num_is_fallible(first) {
                    err.fill(0);
                }
                let mut values = scratch.numbers();
                let mut errors = scratch.bytes();
                let (vs, es) = (&mut values[..out.len()], &mut errors[..out.len()]);
                for &child in rest {
                    self.col_num(child, chunk, vs, es, scratch);
                    if is_min {
                        out.iter_mut()
                            .zip(vs.iter())
                            .for_each(|(o, &y)| *o = nan_min(*o, y));
                    } else {
                        out.iter_mut()
                            .zip(vs.iter())
                            .for_each(|(o, &y)| *o = nan_max(*o, y));
                    }
                    if self.num_is_fallible(child) {
                        err.iter_mut().zip(es.iter()).for_each(|(e, &f)| *e |= f);
                    }
                }
                scratch.numbers.push(values);
                scratch.bytes.push(errors);
            }
        }
    }

    /// `out = out op operand`, with `err` already holding the errors of `out`.
    fn col_step(
        &self,
        op: ArithOp,
        operand: u32,
        chunk: &Chunk<'_>,
        out: &mut [f64],
        err: &mut [u8],
        scratch: &mut Scratch,
    ) {
        let mut values = scratch.numbers();
        let mut errors = scratch.bytes();
        let (vs, es) = (&mut values[..out.len()], &mut errors[..out.len()]);
        self.col_num(operand, chunk, vs, es, scratch);
        if self.num_is_fallible(operand) {
            err.iter_mut().zip(es.iter()).for_each(|(e, &f)| *e |= f);
        }
        apply(op, out, vs, err);
        scratch.numbers.push(values);
        scratch.bytes.push(errors);
    }
}
