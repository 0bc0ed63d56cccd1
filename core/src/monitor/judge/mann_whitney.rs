//! The Mann-Whitney U test (Wilcoxon rank-sum test) of two independent samples.
//!
//! Two-sided, with the normal approximation, the tie correction and the continuity correction:
//! the p-value is exactly what `scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
//! method="asymptotic", use_continuity=True)` computes (`U1` is the statistic of `x`; the
//! p-value uses `max(U1, U2)`):
//!
//! ```text
//! U1 = R1 - n1 (n1 + 1) / 2          R1: the sum of x's ranks, ties given their average rank
//! U2 = n1 n2 - U1
//! s  = sqrt(n1 n2 / 12 × ((n + 1) - Σ(t³ - t) / (n (n - 1))))   t: the size of each tie group
//! z  = (max(U1, U2) - n1 n2 / 2 - 0.5) / s
//! p  = min(1, 2 Φ(-z))               Φ: the standard normal distribution, as Cephes' `ndtr`
//! ```
//!
//! When every value is the same (`s = 0`) the samples cannot differ: `p = 1`.

/// The result of the test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MannWhitney {
    /// `U1`, the statistic of the first sample: how many pairs (x, y) have x > y, ties counting
    /// one half.
    pub u: f64,
    /// The two-sided p-value.
    pub p_value: f64,
}

/// Tests `x` against `y`; `None` when either is empty.
pub(crate) fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut r1 = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < all.len() {
        let value = all.get(i).map_or(0.0, |a| a.0);
        let j = all
            .get(i..)
            .map_or(0, |rest| rest.iter().take_while(|a| a.0 == value).count());
        let t = j as f64;
        // Ranks i + 1 ..= i + j, each given their average.
        let rank = i as f64 + (t + 1.0) / 2.0;
        r1 += rank
            * all
                .get(i..i + j)
                .map_or(0, |group| group.iter().filter(|a| a.1).count()) as f64;
        tie_term += t * t * t - t;
        i += j.max(1);
    }
    let u1 = r1 - n1 * (n1 + 1.0) / 2.0;
    let u2 = n1 * n2 - u1;
    let n = n1 + n2;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    let p_value = if variance > 0.0 {
        let z = (u1.max(u2) - n1 * n2 / 2.0 - 0.5) / variance.sqrt();
        (2.0 * normal_cdf(-z)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Some(MannWhitney { u: u1, p_value })
}

/// Φ(a), the standard normal distribution function, computed as Cephes' `ndtr` (which SciPy
/// uses) computes it: from `erf` near the centre and `erfc` in the tails.
fn normal_cdf(a: f64) -> f64 {
    let x = a * std::f64::consts::FRAC_1_SQRT_2;
    if x.abs() < std::f64::consts::FRAC_1_SQRT_2 {
        0.5 + 0.5 * libm::erf(x)
    } else {
        let y = 0.5 * libm::erfc(x.abs());
        if x > 0.0 { 1.0 - y } else { y }
    }
}

/// The median (the mean of the two middle values of an even count); `None` when empty.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    match v.len() {
        0 => None,
        n if n % 2 == 1 => v.get(mid).copied(),
        _ => Some((v.get(mid - 1)? + v.get(mid)?) / 2.0),
    }
}
