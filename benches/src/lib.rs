//! Shared fixtures for the kiro benchmarks: the conditions under test and their equivalents in
//! the baseline engines, the policy of the batch gate, a deterministic generator of columnar
//! records, and the random DAG of the pipeline benchmarks ([`pipeline`]).
//!
//! Every engine sees the same values. kiro reads metrics in base units (ratios as fractions,
//! durations in milliseconds), so the CEL and evalexpr expressions and the hand-written closure
//! are written against base units too: `coverage >= 90%` becomes `coverage >= 0.9`. All values
//! are doubles in every engine, so no engine pays for integer/float promotion.

use kiro::condition::MetricInfo;
use kiro::units::Unit;
use std::collections::BTreeMap;

pub mod monitor;
pub mod pipeline;
pub mod turnabout;

/// The single comparison, in kiro's condition language.
pub const SINGLE: &str = "coverage >= 90%";

/// The five-criterion gate, in kiro's condition language.
pub const GATE: &str = "coverage >= 90% and critical_vulns == 0 and high_vulns <= 2 \
                        and p95_latency < 500ms and error_rate < 1%";

/// [`SINGLE`] in CEL and in evalexpr (the two accept the same text here).
pub const SINGLE_BASELINE: &str = "coverage >= 0.9";

/// [`GATE`] in CEL and in evalexpr (the two accept the same text here).
pub const GATE_BASELINE: &str = "coverage >= 0.9 && critical_vulns == 0.0 && high_vulns <= 2.0 \
                                 && p95_latency < 500.0 && error_rate < 0.01";

/// The metrics the conditions read, in slot order, with their declared units.
pub const METRICS: [(&str, Unit); 5] = [
    ("coverage", Unit::PERCENT),
    ("critical_vulns", Unit::NONE),
    ("high_vulns", Unit::NONE),
    ("p95_latency", Unit::MS),
    ("error_rate", Unit::PERCENT),
];

/// A policy with one strict gate whose five criteria are the five comparisons of [`GATE`].
pub const GATE_POLICY: &str = r#"version: 1
name: bench
metrics:
  coverage: { unit: "%" }
  critical_vulns: { unit: count }
  high_vulns: { unit: count }
  p95_latency: { unit: ms }
  error_rate: { unit: "%" }
gates:
  - name: release
    kind: pre-deploy
    criteria:
      - { name: coverage, pass: coverage >= 90% }
      - { name: critical-vulns, pass: critical_vulns == 0 }
      - { name: high-vulns, pass: high_vulns <= 2 }
      - { name: p95-latency, pass: p95_latency < 500ms }
      - { name: error-rate, pass: error_rate < 1% }
"#;

/// The policy of the kova example (three gates, five personas).
pub const KOVA_POLICY: &str = include_str!("../../examples/kova/kiro.yaml");

/// Metrics for the kova example that fail it, with explanations to write.
pub const KOVA_FAIL_METRICS: &str = include_str!("../../examples/kova/metrics/fail.json");

/// The metric table the conditions compile against: [`METRICS`] with slots `0..5`.
#[must_use]
pub fn lookup() -> BTreeMap<String, MetricInfo> {
    METRICS
        .iter()
        .enumerate()
        .map(|(slot, &(name, unit))| (name.to_owned(), MetricInfo { slot, unit }))
        .collect()
}

/// One record in base units, in slot order, that passes the gate.
pub const PASSING: [f64; 5] = [0.93, 0.0, 1.0, 420.0, 0.004];

/// The hand-written ceiling: [`GATE`] as plain Rust over base-unit values.
#[inline(always)]
#[must_use]
pub fn gate_by_hand(coverage: f64, critical: f64, high: f64, p95: f64, errors: f64) -> bool {
    coverage >= 0.9 && critical == 0.0 && high <= 2.0 && p95 < 500.0 && errors < 0.01
}

/// [`gate_by_hand`] without short-circuiting (`&` instead of `&&`): no data-dependent branch,
/// so a loop over columns compiles to straight-line (vectorisable) code. The faster of the two
/// closures is the ceiling the batch is measured against.
#[inline(always)]
#[must_use]
pub fn gate_by_hand_branchless(
    coverage: f64,
    critical: f64,
    high: f64,
    p95: f64,
    errors: f64,
) -> bool {
    (coverage >= 0.9) & (critical == 0.0) & (high <= 2.0) & (p95 < 500.0) & (errors < 0.01)
}

/// How many records the batch benches use: 100,000, or `KIRO_BENCH_RECORDS` when set. Builds
/// without optimisation (`cargo test --benches`, where criterion runs each bench once) use
/// 2,000 so that the test run stays fast.
#[must_use]
pub fn batch_len() -> usize {
    let default = if cfg!(debug_assertions) {
        2_000
    } else {
        100_000
    };
    std::env::var("KIRO_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A xorshift64* generator: deterministic, and enough for benchmark data.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a non-zero seed (zero is replaced by a fixed constant).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A pseudo-random integer in `0..n` (`n > 0`; the slight modulo bias does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next_u64() >> 11) % n.max(1)
    }
}

/// Records as columns, in the units they are declared in and in base units.
#[derive(Debug, Clone)]
pub struct Records {
    /// Values as a metrics file would give them (`coverage` 93.4 meaning 93.4%), in slot
    /// order; NaN where a record has no data.
    pub declared: [Vec<f64>; 5],
    /// The same values in base units (`coverage` 0.934): what [`kiro::condition::Program`]
    /// reads, and what the baselines read.
    pub base: [Vec<f64>; 5],
}

impl Records {
    /// `len` records from `seed`; each value is missing with probability `missing_percent`%.
    ///
    /// Every criterion passes on roughly 70–95% of the records, so about a quarter of the
    /// records pass the whole gate and short-circuiting engines see varied paths.
    #[must_use]
    pub fn generate(len: usize, seed: u64, missing_percent: u64) -> Self {
        let mut rng = XorShift::new(seed);
        let mut declared: [Vec<f64>; 5] = Default::default();
        for column in &mut declared {
            column.reserve_exact(len);
        }
        for _ in 0..len {
            // Values on decimal grids, so the unit conversion never lands on a threshold.
            let row = [
                (860 + rng.below(141)) as f64 / 10.0, // coverage: 86.0% ..= 100.0%
                if rng.below(20) == 0 {
                    1.0 + rng.below(3) as f64
                } else {
                    0.0
                }, // critical
                rng.below(4) as f64,                  // high_vulns: 0 ..= 3
                (300 + rng.below(280)) as f64,        // p95_latency: 300 ..= 579 ms
                rng.below(130) as f64 / 100.0,        // error_rate: 0.00% ..= 1.29%
            ];
            for (column, value) in declared.iter_mut().zip(row) {
                let missing = missing_percent > 0 && rng.below(100) < missing_percent;
                column.push(if missing { f64::NAN } else { value });
            }
        }
        let base = std::array::from_fn(|slot| {
            let unit = METRICS[slot].1;
            declared[slot].iter().map(|&v| unit.to_base(v)).collect()
        });
        Self { declared, base }
    }

    /// How many records there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.base[0].len()
    }

    /// Whether there are no records.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The base-unit columns as slices, in slot order: the input of
    /// [`kiro::condition::Program::eval_columns`].
    #[must_use]
    pub fn columns(&self) -> [&[f64]; 5] {
        std::array::from_fn(|slot| self.base[slot].as_slice())
    }

    /// Record `i` in base units, in slot order.
    #[must_use]
    pub fn record(&self, i: usize) -> [f64; 5] {
        std::array::from_fn(|slot| self.base[slot][i])
    }

    /// The records as a [`kiro::Batch`] for [`GATE_POLICY`]: declared units, with a presence
    /// mask on the columns that have missing values.
    ///
    /// # Errors
    /// When kiro rejects a column (it should not).
    pub fn batch(&self) -> Result<kiro::Batch, kiro::CheckError> {
        let mut batch = kiro::Batch::new(self.len());
        for (column, &(name, _)) in self.declared.iter().zip(&METRICS) {
            let present = column
                .iter()
                .any(|v| v.is_nan())
                .then(|| column.iter().map(|v| !v.is_nan()).collect());
            let values = column
                .iter()
                .map(|&v| if v.is_nan() { 0.0 } else { v })
                .collect();
            batch.add_numbers(name, values, present)?;
        }
        Ok(batch)
    }
}

/// The hand-written loop over columns: writes the byte
/// [`kiro::condition::Program::eval_columns`] writes (2 for true, 0 for false) using `gate`
/// ([`gate_by_hand`] or [`gate_by_hand_branchless`]) for each record.
#[inline(always)]
pub fn eval_by_hand(
    columns: [&[f64]; 5],
    out: &mut [u8],
    gate: impl Fn(f64, f64, f64, f64, f64) -> bool,
) {
    let [coverage, critical, high, p95, errors] = columns;
    let rows = coverage.iter().zip(critical).zip(high).zip(p95).zip(errors);
    for (o, ((((&c, &k), &h), &p), &e)) in out.iter_mut().zip(rows) {
        *o = u8::from(gate(c, k, h, p, e)) * 2;
    }
}

#[cfg(test)]
mod tests;
