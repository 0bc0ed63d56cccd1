//! The bounded memory of an objective: per span, bad and total events summed in time buckets.
//!
//! A span of `over` milliseconds has buckets `over / 100` wide (at least 1 ms), aligned to
//! multiples of their width. An observation adds to the bucket its time falls in; a bucket
//! counts while its start is inside the span, `(now - over, now]`, so a span holds at most
//! 101 buckets whatever the stream, and an observation counts for between `over - width` and
//! `over` after it was taken. Sums run oldest first, so the same events give the same bits.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How many buckets a span is cut into.
pub const BUCKETS_PER_SPAN: u64 = 100;

/// The width of a bucket of a span of `over_ms`.
#[must_use]
pub(crate) fn width(over_ms: u64) -> u64 {
    (over_ms / BUCKETS_PER_SPAN).max(1)
}

/// Bad and total events in one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bucket {
    pub start_ms: u64,
    pub bad: f64,
    pub total: f64,
}

/// Saved as `[start_ms, "bad", "total"]`: the numbers as exact decimal text (see
/// [`Sample`](crate::monitor::state)).
impl Serialize for Bucket {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            self.start_ms,
            format!("{:?}", self.bad),
            format!("{:?}", self.total),
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Bucket {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (start_ms, bad, total) = <(u64, String, String)>::deserialize(d)?;
        let read = |t: &str| match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(serde::de::Error::custom(format!(
                "`{t}` is not a finite number"
            ))),
        };
        Ok(Bucket {
            start_ms,
            bad: read(&bad)?,
            total: read(&total)?,
        })
    }
}

/// The buckets of one span, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Span {
    pub buckets: VecDeque<Bucket>,
}

/// What a span says at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ratio {
    /// The share of bad events.
    Value(f64),
    /// No bucket in the span.
    NoData,
    /// Buckets without any event (counters that did not move): 0/0.
    Nan,
}

/// Whether a bucket starting at `start_ms` counts in a span of `over_ms` at `now_ms`.
fn inside(start_ms: u64, over_ms: u64, now_ms: u64) -> bool {
    start_ms.saturating_add(over_ms) > now_ms
}

impl Span {
    /// Drops the buckets that have left the span at `now_ms`.
    pub(crate) fn evict(&mut self, over_ms: u64, now_ms: u64) {
        while self
            .buckets
            .front()
            .is_some_and(|b| !inside(b.start_ms, over_ms, now_ms))
        {
            self.buckets.pop_front();
        }
    }

    /// Adds `bad` of `total` events observed at `at_ms` (never earlier than the last).
    pub(crate) fn add(&mut self, over_ms: u64, at_ms: u64, bad: f64, total: f64) {
        let w = width(over_ms);
        let start_ms = at_ms - at_ms % w;
        match self.buckets.back_mut() {
            Some(b) if b.start_ms == start_ms => {
                b.bad += bad;
                b.total += total;
            }
            _ => self.buckets.push_back(Bucket {
                start_ms,
                bad,
                total,
            }),
        }
    }

    /// The share of bad events over the buckets inside the span at `now_ms`.
    pub(crate) fn ratio(&self, over_ms: u64, now_ms: u64) -> (Ratio, usize) {
        let mut n = 0;
        let (mut bad, mut total) = (0.0, 0.0);
        for b in self
            .buckets
            .iter()
            .filter(|b| inside(b.start_ms, over_ms, now_ms))
        {
            n += 1;
            bad += b.bad;
            total += b.total;
        }
        let ratio = if n == 0 {
            Ratio::NoData
        } else {
            let r = bad / total;
            if r.is_finite() {
                Ratio::Value(r)
            } else {
                Ratio::Nan
            }
        };
        (ratio, n)
    }
}

#[cfg(test)]
mod tests {
    use super::{Ratio, Span, width};

    #[test]
    fn a_bucket_counts_while_its_start_is_inside_the_span() {
        let over = 300_000; // 5m: buckets of 3s
        assert_eq!(width(over), 3_000);
        let mut span = Span::default();
        span.add(over, 1_000, 1.0, 1.0); // bucket [0, 3000)
        span.add(over, 2_999, 0.0, 1.0); // the same bucket
        span.add(over, 3_000, 0.0, 2.0); // bucket [3000, 6000)
        assert_eq!(span.buckets.len(), 2);
        assert_eq!(span.ratio(over, 299_999), (Ratio::Value(0.25), 2));
        // At 300000 the first bucket's start is 5m old: it has left, though its observations
        // at 1000 and 2999 are less than 5m old (the edge moves in steps of 1% of the span).
        assert_eq!(span.ratio(over, 300_000), (Ratio::Value(0.0), 1));
        span.evict(over, 303_000);
        assert!(span.buckets.is_empty());
        assert_eq!(span.ratio(over, 303_000), (Ratio::NoData, 0));
    }

    #[test]
    fn events_without_traffic_are_nan_not_zero() {
        let mut span = Span::default();
        span.add(60_000, 0, 0.0, 0.0);
        assert_eq!(span.ratio(60_000, 0), (Ratio::Nan, 1));
    }
}
