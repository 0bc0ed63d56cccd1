//! `baseline(metric)` and `baseline(metric, p90)`: a metric's value in earlier runs.
//!
//! The parser reads a call of `baseline` into a metric reference with a canonical name
//! (`baseline(p95_latency)` for the average, `baseline(p95_latency, p90)` otherwise), so the
//! rest of the language treats it as a metric of the same type and unit as the one it names.
//! Only a lookup that offers baselines resolves it (gate and stage criteria; elsewhere it is
//! `KIRO-E055`); the values come from earlier runs the host gives, aggregated by
//! [`Aggregate::of`].

/// How the values of a metric in the baseline runs are combined into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Aggregate {
    /// The arithmetic mean (the default).
    Avg,
    /// The middle value; the mean of the two middle values for an even count.
    Median,
    /// The 90th percentile, by nearest rank.
    P90,
    /// The 95th percentile, by nearest rank.
    P95,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The value of the newest run.
    Last,
}

impl Aggregate {
    /// Every aggregate, in the order of their slots.
    pub const ALL: [Aggregate; 7] = [
        Aggregate::Avg,
        Aggregate::Median,
        Aggregate::P90,
        Aggregate::P95,
        Aggregate::Min,
        Aggregate::Max,
        Aggregate::Last,
    ];

    /// The name as written in `baseline(metric, name)`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Avg => "avg",
            Aggregate::Median => "median",
            Aggregate::P90 => "p90",
            Aggregate::P95 => "p95",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::Last => "last",
        }
    }

    /// The aggregate called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Aggregate> {
        Aggregate::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The position of the aggregate in [`Aggregate::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The aggregate of `newest_first` (values of one metric, newest run first; none NaN), or
    /// NaN when there are none. Every aggregate but `last` depends only on the multiset of
    /// values, not on their order: the values are sorted before they are summed.
    #[must_use]
    pub fn of(self, newest_first: &[f64]) -> f64 {
        let Some(&newest) = newest_first.first() else {
            return f64::NAN;
        };
        if self == Aggregate::Last {
            return newest;
        }
        let mut sorted = newest_first.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let at = |i: usize| sorted.get(i).copied().unwrap_or(f64::NAN);
        match self {
            Aggregate::Avg => {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a count of runs, far below 2^52"
                )]
                let count = n as f64;
                sorted.iter().sum::<f64>() / count
            }
            Aggregate::Median if n % 2 == 1 => at(n / 2),
            Aggregate::Median => {
                let (a, b) = (at(n / 2 - 1), at(n / 2));
                a + (b - a) / 2.0
            }
            Aggregate::P90 => at(nearest_rank(90, n)),
            Aggregate::P95 => at(nearest_rank(95, n)),
            Aggregate::Min => at(0),
            Aggregate::Max | Aggregate::Last => at(n - 1),
        }
    }
}

/// The index of the `p`th percentile of `n` sorted values by nearest rank: the smallest value
/// with at least `p`% of the values at or below it (`ceil(p * n / 100)`th, counted from 1).
fn nearest_rank(p: usize, n: usize) -> usize {
    (p * n).div_ceil(100).max(1) - 1
}

/// The canonical metric name of `baseline(metric, aggregate)`.
#[must_use]
pub fn baseline_name(metric: &str, aggregate: Aggregate) -> String {
    match aggregate {
        Aggregate::Avg => format!("baseline({metric})"),
        other => format!("baseline({metric}, {})", other.name()),
    }
}

/// The metric and aggregate of a canonical baseline name, if `name` is one.
#[must_use]
pub fn parse_baseline_name(name: &str) -> Option<(&str, Aggregate)> {
    let inner = name.strip_prefix("baseline(")?.strip_suffix(')')?;
    match inner.split_once(", ") {
        None => Some((inner, Aggregate::Avg)),
        Some((metric, agg)) => Some((metric, Aggregate::from_name(agg)?)),
    }
}
