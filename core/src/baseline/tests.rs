use crate::condition::{Aggregate, baseline_name, parse_baseline_name};
use proptest::prelude::*;

/// The order-independent definitions, written plainly over a multiset.
fn definition(aggregate: Aggregate, values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match aggregate {
        Aggregate::Min => sorted.iter().copied().fold(f64::INFINITY, f64::min),
        Aggregate::Max => sorted.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        #[expect(clippy::cast_precision_loss, reason = "short test lists")]
        Aggregate::Avg => sorted.iter().sum::<f64>() / n as f64,
        Aggregate::Median => {
            // The value with as many values below as above it (the mean of the two middle
            // values for an even count).
            let below = |x: f64| sorted.iter().filter(|&&v| v < x).count();
            let above = |x: f64| sorted.iter().filter(|&&v| v > x).count();
            if n % 2 == 1 {
                *sorted
                    .iter()
                    .find(|&&x| below(x) <= n / 2 && above(x) <= n / 2)
                    .unwrap_or(&f64::NAN)
            } else {
                let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
                a + (b - a) / 2.0
            }
        }
        // Nearest rank: the smallest value with at least p% of the values at or below it.
        Aggregate::P90 | Aggregate::P95 => {
            let p = if aggregate == Aggregate::P90 { 90 } else { 95 };
            *sorted
                .iter()
                .find(|&&x| sorted.iter().filter(|&&v| v <= x).count() * 100 >= p * n)
                .unwrap_or(&f64::NAN)
        }
        Aggregate::Last => values[0],
    }
}

proptest! {
    #[test]
    fn every_aggregate_is_its_definition_in_any_order(
        values in prop::collection::vec(-1.0e6f64..1.0e6, 1..40),
        rotate in 0usize..40,
    ) {
        for aggregate in Aggregate::ALL {
            let got = aggregate.of(&values);
            prop_assert_eq!(got.to_bits(), definition(aggregate, &values).to_bits(), "{:?}", aggregate);
            if aggregate != Aggregate::Last {
                let mut shuffled = values.clone();
                shuffled.reverse();
                let k = rotate % shuffled.len();
                shuffled.rotate_left(k);
                prop_assert_eq!(aggregate.of(&shuffled).to_bits(), got.to_bits(), "{:?}", aggregate);
            }
        }
    }
}

#[test]
fn no_values_give_no_data() {
    for aggregate in Aggregate::ALL {
        assert!(aggregate.of(&[]).is_nan());
    }
}

#[test]
fn percentiles_by_nearest_rank() {
    let values: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(Aggregate::P90.of(&values), 9.0);
    assert_eq!(Aggregate::P95.of(&values), 10.0);
    assert_eq!(Aggregate::Median.of(&values), 5.5);
    assert_eq!(Aggregate::P90.of(&[7.0]), 7.0);
}

#[test]
fn names_read_back() {
    for aggregate in Aggregate::ALL {
        let name = baseline_name("latency.p95", aggregate);
        assert_eq!(parse_baseline_name(&name), Some(("latency.p95", aggregate)));
    }
    assert_eq!(baseline_name("x", Aggregate::Avg), "baseline(x)");
    assert_eq!(parse_baseline_name("baseline.x"), None);
}
