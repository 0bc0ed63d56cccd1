//! The Mann-Whitney U test against SciPy's, and its symmetry.
//!
//! The expected values were computed with SciPy 1.17.1:
//! `scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
//! use_continuity=True)`, giving `(statistic, pvalue)`.

use super::mann_whitney::{mann_whitney, median};
use proptest::prelude::*;

/// (x, y, U1, p-value) as SciPy gives them.
const SCIPY: &[(&[f64], &[f64], f64, f64)] = &[
    (
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        &[6.0, 7.0, 8.0, 9.0, 10.0],
        0.0,
        0.012185780355344813,
    ),
    // ties across the samples
    (
        &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0],
        &[2.0, 3.0, 4.0, 4.0, 5.0],
        5.5,
        0.08871369199677616,
    ),
    // every value the same: the samples cannot differ
    (&[1.0, 1.0, 1.0], &[1.0, 1.0], 3.0, 1.0),
    (
        &[12.1, 15.3, 11.8, 14.2, 13.9, 16.0, 12.7],
        &[10.2, 11.1, 12.0, 10.9, 11.5, 13.0],
        38.0,
        0.01841616057630396,
    ),
    // many ties, unequal sizes
    (
        &[0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 8.0],
        &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0],
        72.5,
        0.21540733613425067,
    ),
    // the continuity correction caps the p-value at 1
    (&[5.0], &[5.0, 6.0], 0.5, 1.0),
    (&[3.0, 1.0, 2.0], &[2.0, 2.0, 2.0, 2.0], 6.0, 1.0),
];

#[test]
fn u_and_the_p_value_match_scipy() {
    for &(x, y, u, p) in SCIPY {
        let test = mann_whitney(x, y).expect("two samples");
        assert_eq!(test.u, u, "U of {x:?} vs {y:?}");
        let error = (test.p_value - p).abs() / p;
        assert!(
            error < 1e-12,
            "p of {x:?} vs {y:?}: {} against SciPy's {p}",
            test.p_value
        );
    }
}

#[test]
fn an_empty_sample_is_no_test() {
    assert_eq!(mann_whitney(&[], &[1.0]), None);
    assert_eq!(mann_whitney(&[1.0], &[]), None);
}

#[test]
fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[]), None);
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    // Small integers, so that ties are common.
    prop::collection::vec((0i32..20).prop_map(f64::from), 1..40)
}

proptest! {
    #[test]
    fn u1_plus_u2_is_n1_n2_and_the_p_value_is_symmetric(x in sample(), y in sample()) {
        let a = mann_whitney(&x, &y).expect("two samples");
        let b = mann_whitney(&y, &x).expect("two samples");
        let n1n2 = x.len() as f64 * y.len() as f64;
        prop_assert_eq!(a.u + b.u, n1n2);
        prop_assert_eq!(a.p_value, b.p_value);
        prop_assert!((0.0..=1.0).contains(&a.p_value));
    }

    #[test]
    fn u_counts_the_pairs_where_x_is_larger_ties_one_half(x in sample(), y in sample()) {
        let pairs: f64 = x
            .iter()
            .flat_map(|a| y.iter().map(move |b| match a.total_cmp(b) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            }))
            .sum();
        prop_assert_eq!(mann_whitney(&x, &y).expect("two samples").u, pairs);
    }
}
