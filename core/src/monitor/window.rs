//! Aggregates over a trailing window of observations.
//!
//! A window of length `over` at time `t` holds the observations in `(t - over, t]` that have a
//! value for its metric (for a ratio, for both counters). Sums run oldest first, so the same
//! samples give the same bits on every target.

use super::compiled::{Window, WindowFn};
use super::state::Sample;
use std::collections::VecDeque;

/// A window's value at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Aggregate {
    /// A value in base units.
    Value(f64),
    /// Too few samples (none; fewer than two for `rate`, `increase` and `ratio`).
    NoData,
    /// Not a number: a ratio whose denominator did not increase, or an overflow.
    Nan,
}

/// Drops the samples that have left the window at `now_ms`.
pub(crate) fn evict(window: &Window, samples: &mut VecDeque<Sample>, now_ms: u64) {
    while samples
        .front()
        .is_some_and(|s| !inside(window, s.at_ms, now_ms))
    {
        samples.pop_front();
    }
}

/// Whether a sample taken at `at_ms` is inside the window at `now_ms`: `now - over < at`.
pub(crate) fn inside(window: &Window, at_ms: u64, now_ms: u64) -> bool {
    at_ms.saturating_add(window.over_ms) > now_ms
}

/// The window's aggregate over `samples`.
pub(crate) fn aggregate(window: &Window, samples: &VecDeque<Sample>) -> Aggregate {
    let n = samples.len();
    let values = || samples.iter().map(|s| s.value);
    let value = match window.func {
        WindowFn::Count => return Aggregate::Value(n as f64),
        _ if n == 0 => return Aggregate::NoData,
        WindowFn::Avg => values().sum::<f64>() / n as f64,
        WindowFn::Sum => values().sum::<f64>(),
        WindowFn::Min => values().fold(f64::INFINITY, f64::min),
        WindowFn::Max => values().fold(f64::NEG_INFINITY, f64::max),
        WindowFn::Percentile(p) => percentile(values().collect(), p),
        WindowFn::Increase | WindowFn::Rate | WindowFn::Ratio if n < 2 => {
            return Aggregate::NoData;
        }
        WindowFn::Increase => increase(values()),
        WindowFn::Rate => {
            let (first, last) = match (samples.front(), samples.back()) {
                (Some(f), Some(l)) => (f.at_ms, l.at_ms),
                _ => return Aggregate::NoData,
            };
            increase(values()) / ((last - first) as f64 / 1000.0)
        }
        WindowFn::Ratio => {
            increase(values()) / increase(samples.iter().map(|s| s.to.unwrap_or(0.0)))
        }
    };
    if value.is_finite() {
        Aggregate::Value(value)
    } else {
        Aggregate::Nan
    }
}

/// How much a counter rose over `values`, oldest first: a fall is a reset to zero, after which
/// the new value is all increase (as Prometheus counts, without extrapolating to the edges).
fn increase(values: impl Iterator<Item = f64>) -> f64 {
    let mut total = 0.0;
    let mut previous: Option<f64> = None;
    for v in values {
        if let Some(p) = previous {
            total += if v >= p { v - p } else { v };
        }
        previous = Some(v);
    }
    total
}

/// The `p`th percentile (0 to 100) with linear interpolation between the closest ranks (the
/// default of NumPy and of Prometheus' `quantile_over_time`). The two ranks are selected, not
/// sorted for: the same values as a sort, in linear time.
pub(super) fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    let last = values.len().saturating_sub(1);
    let rank = p / 100.0 * last as f64;
    let lo = (rank.floor() as usize).min(last);
    let hi = (rank.ceil() as usize).min(last);
    if values.is_empty() {
        return f64::NAN;
    }
    let (_, &mut a, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let b = if hi > lo {
        above.iter().copied().min_by(f64::total_cmp).unwrap_or(a)
    } else {
        a
    };
    a + (b - a) * (rank - lo as f64)
}
