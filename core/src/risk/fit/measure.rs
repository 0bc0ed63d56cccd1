//! How well predicted probabilities rank and fit labelled changes: AUC, Brier, and the
//! effort-aware Recall@20%Effort and Popt with the definitions JITLine uses (effort = `la +
//! ld`; changes inspected in order of probability ÷ effort).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The figures of one model on one set of changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Figures {
    /// Area under the ROC curve (ties count half).
    pub auc: f64,
    /// Share of the defect-inducing changes found by inspecting, in order of probability ÷
    /// effort, the changes that fit in 20% of the total effort.
    pub recall_at_20_effort: f64,
    /// Normalised area under the effort-based cumulative lift chart: 1 is the optimal order,
    /// 0 the worst.
    pub popt: f64,
    /// Mean squared difference between probability and label.
    pub brier: f64,
}

/// The figures of `probabilities` against `labels`, with `effort` per change.
pub(crate) fn figures(probabilities: &[f64], labels: &[bool], effort: &[f64]) -> Figures {
    Figures {
        auc: auc(probabilities, labels),
        recall_at_20_effort: recall_at_effort(probabilities, labels, effort, 0.2),
        popt: popt(probabilities, labels, effort),
        brier: brier(probabilities, labels),
    }
}

/// Rounds a figure to 6 decimals for reports.
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Figures {
    /// Each figure rounded to 6 decimals.
    #[must_use]
    pub fn rounded(&self) -> Figures {
        Figures {
            auc: round6(self.auc),
            recall_at_20_effort: round6(self.recall_at_20_effort),
            popt: round6(self.popt),
            brier: round6(self.brier),
        }
    }
}

/// Mann-Whitney AUC with average ranks for ties.
pub(crate) fn auc(p: &[f64], y: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; p.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && p[order[j + 1]] == p[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1, averaged.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    let positives = y.iter().filter(|&&v| v).count() as f64;
    let negatives = y.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    let sum: f64 = ranks
        .iter()
        .zip(y)
        .filter(|(_, v)| **v)
        .map(|(r, _)| r)
        .sum();
    (sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Mean squared error of the probabilities.
pub(crate) fn brier(p: &[f64], y: &[bool]) -> f64 {
    let n = p.len().max(1) as f64;
    p.iter()
        .zip(y)
        .map(|(p, &y)| {
            let d = p - f64::from(u8::from(y));
            d * d
        })
        .sum::<f64>()
        / n
}

/// The inspection order: probability ÷ effort, highest first (a change of no effort first);
/// ties by higher probability, then by position.
fn inspection_order(p: &[f64], effort: &[f64]) -> Vec<usize> {
    let density = |i: usize| {
        if effort[i] > 0.0 {
            p[i] / effort[i]
        } else {
            f64::INFINITY
        }
    };
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| {
        density(b)
            .total_cmp(&density(a))
            .then(p[b].total_cmp(&p[a]))
            .then(a.cmp(&b))
    });
    order
}

/// Recall of the changes inspected, in inspection order, while the effort spent stays within
/// `share` of the total (JITLine: cumulative effort ≤ 20% of the total).
pub(crate) fn recall_at_effort(p: &[f64], y: &[bool], effort: &[f64], share: f64) -> f64 {
    let total_effort: f64 = effort.iter().sum();
    let positives = y.iter().filter(|&&v| v).count();
    if positives == 0 {
        return f64::NAN;
    }
    let budget = share * total_effort;
    let mut spent = 0.0;
    let mut found = 0usize;
    for i in inspection_order(p, effort) {
        spent += effort[i];
        if spent > budget {
            break;
        }
        found += usize::from(y[i]);
    }
    found as f64 / positives as f64
}

/// Area under the curve of the share of defect-inducing changes found against the share of
/// effort spent, inspecting in `order` (trapezoids from (0, 0)).
fn area(order: &[usize], y: &[bool], effort: &[f64]) -> f64 {
    let total_effort: f64 = effort.iter().sum();
    let positives = y.iter().filter(|&&v| v).count() as f64;
    if total_effort <= 0.0 || positives == 0.0 {
        return 0.0;
    }
    let (mut x0, mut y0, mut area) = (0.0, 0.0, 0.0);
    let (mut spent, mut found) = (0.0, 0.0);
    for &i in order {
        spent += effort[i];
        found += f64::from(u8::from(y[i]));
        let (x1, y1) = (spent / total_effort, found / positives);
        area += (x1 - x0) * (y0 + y1) / 2.0;
        (x0, y0) = (x1, y1);
    }
    area
}

/// Popt = 1 − (Δopt − Δmodel) / (Δopt − Δworst): the model's area against the optimal order
/// (defect-inducing changes first, smallest effort first) and the worst (clean changes first,
/// largest effort first).
pub(crate) fn popt(p: &[f64], y: &[bool], effort: &[f64]) -> f64 {
    let model = area(&inspection_order(p, effort), y, effort);
    let mut optimal: Vec<usize> = (0..y.len()).collect();
    optimal.sort_by(|&a, &b| {
        y[b].cmp(&y[a])
            .then(effort[a].total_cmp(&effort[b]))
            .then(a.cmp(&b))
    });
    let mut worst: Vec<usize> = (0..y.len()).collect();
    worst.sort_by(|&a, &b| {
        y[a].cmp(&y[b])
            .then(effort[b].total_cmp(&effort[a]))
            .then(a.cmp(&b))
    });
    let best = area(&optimal, y, effort);
    let low = area(&worst, y, effort);
    if best - low <= 0.0 {
        return f64::NAN;
    }
    1.0 - (best - model) / (best - low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(auc(&[0.1, 0.9], &[false, true]), 1.0);
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
    }

    #[test]
    fn recall_and_popt_follow_the_inspection_order() {
        let y = [true, false, false, true];
        let effort = [1.0, 1.0, 1.0, 7.0];
        // Inspecting change 0 first costs 10% of the effort and finds half the defects.
        let p = [0.9, 0.1, 0.1, 0.5];
        assert_eq!(recall_at_effort(&p, &y, &effort, 0.2), 0.5);
        let ideal = popt(&[1.0, 0.0, 0.0, 1.0], &y, &effort);
        assert!((ideal - 1.0).abs() < 1e-12, "{ideal}");
    }
}
