//! Canary judging: the new version's samples against the stable version's, metric by metric,
//! scored in weighted groups (after Kayenta's judge), where no data never counts as a pass.
//!
//! Each metric `m` is observed per version, as `<canary>.m` and `<baseline>.m`. Over the
//! judge's trailing window, a metric is:
//!
//! - `no_data` when either version has fewer than `min_samples` samples;
//! - `high` when the Mann-Whitney U test (`mann_whitney.rs`) says the versions differ (p-value
//!   below `1 - confidence`), the canary ranks higher (`U > n1 n2 / 2`) and its median is above
//!   the baseline's by more than `tolerance` of it; `low` likewise below;
//! - `pass` otherwise, or when the difference is in the direction `fail_on` allows (a faster
//!   canary does not fail a latency judged on `increase`).
//!
//! A group's score is the share of its metrics that pass — **metrics without data count as not
//! passing** (Kayenta leaves them out, so a group whose only data passes, or that has no data
//! at all, can score 100%). The judge's score is the weighted mean of the group scores, 0 when
//! a `critical` metric does not pass; it is *no data* only when no metric has data at all (so a
//! trigger's `on_missing` decides, and a final verdict is never clean). The verdict is `pass` at
//! or above `pass`, `marginal` at or above `marginal`, otherwise `fail`.

pub(crate) mod compile;
pub(crate) mod mann_whitney;
pub mod model;

#[cfg(test)]
mod tests;

use super::record::{Record, Status};
use super::state::{Sample, WindowState};
use crate::units::duration::format_duration;
use crate::units::{Unit, format_in};
use mann_whitney::{mann_whitney, median};
use model::Direction;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// A judge, compiled.
#[derive(Debug)]
pub(crate) struct Judge {
    pub name: String,
    pub over_ms: u64,
    /// `1 - confidence`: the p-value below which the versions differ.
    pub alpha: f64,
    pub min_samples: u32,
    /// The pass and marginal thresholds, as ratios.
    pub pass: f64,
    pub marginal: f64,
    pub metrics: Vec<JudgedMetric>,
    /// Group names and weights, in name order.
    pub groups: Vec<(String, f64)>,
}

/// One metric a judge compares.
#[derive(Debug)]
pub(crate) struct JudgedMetric {
    pub name: String,
    pub canary: usize,
    pub baseline: usize,
    pub unit: Unit,
    pub direction: Direction,
    /// As a ratio of the baseline's median.
    pub tolerance: f64,
    /// The group's index.
    pub group: usize,
    pub critical: bool,
}

/// What a judge remembers: per metric, the canary's and the baseline's samples in its window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JudgeState {
    pub metrics: Vec<[WindowState; 2]>,
}

impl JudgeState {
    pub(crate) fn new(judge: &Judge) -> Self {
        JudgeState {
            metrics: vec![[WindowState::default(), WindowState::default()]; judge.metrics.len()],
        }
    }

    pub(crate) fn fits(&self, judge: &Judge) -> bool {
        self.metrics.len() == judge.metrics.len()
    }

    /// How many samples the judge holds.
    pub(crate) fn samples(&self) -> usize {
        self.metrics.iter().flatten().map(|w| w.samples.len()).sum()
    }
}

fn inside(judge: &Judge, at_ms: u64, now_ms: u64) -> bool {
    at_ms.saturating_add(judge.over_ms) > now_ms
}

/// The samples an observation adds: per metric and version, the value when it has one.
fn added(judge: &Judge, record: &Record) -> Vec<[Option<f64>; 2]> {
    let value = |slot: usize| {
        (record.status.get(slot) == Some(&Status::Value))
            .then(|| record.values.get(slot).copied())
            .flatten()
    };
    judge
        .metrics
        .iter()
        .map(|m| [value(m.canary), value(m.baseline)])
        .collect()
}

/// How many samples each series would hold after the observation at `at`: the most of any.
pub(crate) fn fullest_after(judge: &Judge, state: &JudgeState, record: &Record, at: u64) -> usize {
    state
        .metrics
        .iter()
        .zip(added(judge, record))
        .flat_map(|(series, add)| {
            series.iter().zip(add).map(move |(w, a)| {
                let kept =
                    w.samples.len() - w.samples.partition_point(|s| !inside(judge, s.at_ms, at));
                kept + usize::from(a.is_some())
            })
        })
        .max()
        .unwrap_or(0)
}

/// Takes an observation into the judge's samples.
pub(crate) fn observe(judge: &Judge, state: &mut JudgeState, record: &Record, at: u64) {
    for (series, add) in state.metrics.iter_mut().zip(added(judge, record)) {
        for (w, a) in series.iter_mut().zip(add) {
            while w
                .samples
                .front()
                .is_some_and(|s| !inside(judge, s.at_ms, at))
            {
                w.samples.pop_front();
            }
            if let Some(value) = a {
                w.samples.push_back(Sample {
                    at_ms: at,
                    value,
                    to: None,
                });
            }
        }
    }
}

/// How a metric was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// No difference that fails the metric.
    Pass,
    /// The canary is significantly higher than the baseline, beyond the tolerance.
    High,
    /// The canary is significantly lower than the baseline, beyond the tolerance.
    Low,
    /// Too few samples of either version: never a pass.
    NoData,
}

/// What the judge says of the canary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The score is at or above `pass`.
    Pass,
    /// The score is below `pass`, at or above `marginal`.
    Marginal,
    /// The score is below `marginal`.
    Fail,
    /// No metric has data.
    NoData,
}

/// One metric's judgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricJudgement {
    /// The metric, without the version prefix.
    pub metric: String,
    /// Its group.
    pub group: String,
    /// How it was judged.
    pub classification: Classification,
    /// The canary's samples in the window.
    pub canary_samples: usize,
    /// The baseline's samples in the window.
    pub baseline_samples: usize,
    /// The canary's median, in base units.
    pub canary_median: Option<f64>,
    /// The baseline's median, in base units.
    pub baseline_median: Option<f64>,
    /// The Mann-Whitney U of the canary's sample.
    pub u: Option<f64>,
    /// The two-sided p-value.
    pub p_value: Option<f64>,
    /// The judgement in words.
    pub explanation: String,
}

/// One group's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupScore {
    /// The group.
    pub name: String,
    /// Its weight.
    pub weight: f64,
    /// The share of its metrics that pass (no data counts as not passing).
    pub score: f64,
    /// Metrics that pass.
    pub pass: u32,
    /// Metrics judged high.
    pub high: u32,
    /// Metrics judged low.
    pub low: u32,
    /// Metrics without data.
    pub no_data: u32,
}

/// A judge at one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JudgeReport {
    /// The judge's name (the score's name in conditions).
    pub name: String,
    /// The generated trigger (`judge:<name>`).
    pub trigger: String,
    /// The window compared.
    pub over_ms: u64,
    /// The weighted score, as a ratio; none when no metric has data.
    pub score: Option<f64>,
    /// Pass, marginal, fail or no data.
    pub verdict: Verdict,
    /// Per group, in name order.
    pub groups: Vec<GroupScore>,
    /// Per metric, in declaration order.
    pub metrics: Vec<MetricJudgement>,
    /// The judgement in words.
    pub explanation: String,
}

/// Judges the samples inside the window at `at`.
pub(crate) fn judge(judge: &Judge, state: &JudgeState, at: u64) -> JudgeReport {
    let mut metrics = Vec::with_capacity(judge.metrics.len());
    let mut groups: Vec<GroupScore> = judge
        .groups
        .iter()
        .map(|(name, weight)| GroupScore {
            name: name.clone(),
            weight: *weight,
            score: 0.0,
            pass: 0,
            high: 0,
            low: 0,
            no_data: 0,
        })
        .collect();
    let mut critical_failed = None;
    for (m, series) in judge.metrics.iter().zip(&state.metrics) {
        let values = |w: &WindowState| -> Vec<f64> {
            w.samples
                .iter()
                .filter(|s| inside(judge, s.at_ms, at))
                .map(|s| s.value)
                .collect()
        };
        let (c, b) = (values(&series[0]), values(&series[1]));
        let j = metric(judge, m, &c, &b);
        if let Some(g) = groups.get_mut(m.group) {
            match j.classification {
                Classification::Pass => g.pass += 1,
                Classification::High => g.high += 1,
                Classification::Low => g.low += 1,
                Classification::NoData => g.no_data += 1,
            }
        }
        if m.critical && j.classification != Classification::Pass && critical_failed.is_none() {
            critical_failed = Some(m.name.clone());
        }
        metrics.push(j);
    }
    let mut weighted = 0.0;
    let mut weights = 0.0;
    for g in &mut groups {
        let n = g.pass + g.high + g.low + g.no_data;
        g.score = if n == 0 {
            0.0
        } else {
            f64::from(g.pass) / f64::from(n)
        };
        weighted += g.weight * g.score;
        weights += g.weight;
    }
    let any_data = metrics
        .iter()
        .any(|m| m.classification != Classification::NoData);
    let score = any_data.then(|| {
        if critical_failed.is_some() || weights <= 0.0 {
            0.0
        } else {
            weighted / weights
        }
    });
    let verdict = match score {
        None => Verdict::NoData,
        Some(s) if s >= judge.pass => Verdict::Pass,
        Some(s) if s >= judge.marginal => Verdict::Marginal,
        Some(_) => Verdict::Fail,
    };
    let mut explanation = format!(
        "judge {} over {}: ",
        judge.name,
        format_duration(judge.over_ms)
    );
    match score {
        None => explanation.push_str("no metric has data: no score"),
        Some(s) => {
            let _ = write!(
                explanation,
                "score {} ({}; pass at {}, marginal at {})",
                format_in(s, Unit::PERCENT),
                match verdict {
                    Verdict::Pass => "pass",
                    Verdict::Marginal => "marginal",
                    Verdict::Fail | Verdict::NoData => "fail",
                },
                format_in(judge.pass, Unit::PERCENT),
                format_in(judge.marginal, Unit::PERCENT)
            );
        }
    }
    if let (Some(name), Some(_)) = (&critical_failed, score) {
        let _ = write!(
            explanation,
            "; critical metric {name} did not pass: score 0"
        );
    }
    for g in &groups {
        let _ = write!(
            explanation,
            "; group {} {} (weight {}): {} pass, {} high, {} low, {} no data",
            g.name,
            format_in(g.score, Unit::PERCENT),
            format_in(g.weight, Unit::NONE),
            g.pass,
            g.high,
            g.low,
            g.no_data
        );
    }
    JudgeReport {
        name: judge.name.clone(),
        trigger: format!("judge:{}", judge.name),
        over_ms: judge.over_ms,
        score,
        verdict,
        groups,
        metrics,
        explanation,
    }
}

/// Judges one metric on the canary's samples `c` and the baseline's `b`.
fn metric(judge: &Judge, m: &JudgedMetric, c: &[f64], b: &[f64]) -> MetricJudgement {
    let group = judge
        .groups
        .get(m.group)
        .map_or_else(String::new, |g| g.0.clone());
    let min = usize::try_from(judge.min_samples).unwrap_or(usize::MAX);
    let (cm, bm) = (median(c), median(b));
    let mut out = MetricJudgement {
        metric: m.name.clone(),
        group,
        classification: Classification::NoData,
        canary_samples: c.len(),
        baseline_samples: b.len(),
        canary_median: cm,
        baseline_median: bm,
        u: None,
        p_value: None,
        explanation: String::new(),
    };
    let test = (c.len() >= min && b.len() >= min)
        .then(|| mann_whitney(c, b))
        .flatten();
    let (Some(test), Some(cm), Some(bm)) = (test, cm, bm) else {
        out.explanation = format!(
            "{}: no data ({} canary and {} baseline samples, {} each needed): not a pass",
            m.name,
            c.len(),
            b.len(),
            judge.min_samples
        );
        return out;
    };
    let half = c.len() as f64 * b.len() as f64 / 2.0;
    let significant = test.p_value < judge.alpha;
    let margin = m.tolerance * bm.abs();
    let high = significant && test.u > half && cm > bm + margin;
    let low = significant && test.u < half && cm < bm - margin;
    out.classification = match m.direction {
        Direction::Increase | Direction::Either if high => Classification::High,
        Direction::Decrease | Direction::Either if low => Classification::Low,
        _ => Classification::Pass,
    };
    out.u = Some(test.u);
    out.p_value = Some(test.p_value);
    let word = match out.classification {
        Classification::Pass => "pass",
        Classification::High => "high",
        Classification::Low => "low",
        Classification::NoData => "no data",
    };
    out.explanation = format!(
        "{}: {word}: canary median {} vs baseline {} (tolerance {}), U {} of {}, p {} ({} {})",
        m.name,
        format_in(cm, m.unit),
        format_in(bm, m.unit),
        format_in(m.tolerance, Unit::PERCENT),
        format_in(test.u, Unit::NONE),
        format_in(half * 2.0, Unit::NONE),
        format_in(test.p_value, Unit::NONE),
        if significant { "below" } else { "not below" },
        format_in(judge.alpha, Unit::NONE),
    );
    out
}
