//! Scoring a risk model on one set of metrics: every factor's value, risk, weight and
//! contribution, the level, and the mitigations ranked by the risk each would remove.
//!
//! The arithmetic, written down (see `docs/risk.md`):
//!
//! - each factor's value becomes a risk `t` from 0 to 1 by its transform;
//! - a factor's share is its weight over the total weight of the factors counted;
//! - its exact contribution is `100 × share × t` points; the score is the sum, rounded to a
//!   tenth of a point, and each contribution is rounded to a tenth by the largest-remainder
//!   method so that **the printed contributions add up to the printed score exactly**;
//! - the level is the highest whose threshold the score (in tenths) reaches: a score exactly
//!   at a threshold is in the level that starts there.

use super::compiled::{Factor, MitigationEffect, RiskModel, Source, Transform};
use super::graph::BlastRadius;
use super::model::MissingInput;
use crate::decision::PolicyRef;
use crate::diagnostic::{Code, Diagnostic};
use crate::tri::Tri;
use crate::units::{format_number, write_in};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A risk level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Below the medium threshold.
    Low,
    /// From the medium threshold.
    Medium,
    /// From the high threshold.
    High,
    /// From the critical threshold.
    Critical,
    /// No score: every factor lacked data and was excluded.
    Unknown,
}

impl Level {
    /// The level as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
            Level::Unknown => "unknown",
        }
    }

    /// Reads a level name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Level> {
        [
            Level::Low,
            Level::Medium,
            Level::High,
            Level::Critical,
            Level::Unknown,
        ]
        .into_iter()
        .find(|l| l.as_str() == name)
    }
}

/// One model's score, explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RiskReport {
    /// The model's name.
    pub model: String,
    /// What the model measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy the score was made under.
    pub policy: PolicyRef,
    /// The score from 0 to 100, to a tenth of a point; none when every factor was excluded
    /// for missing data.
    pub score: Option<f64>,
    /// The level the score is in.
    pub level: Level,
    /// Where medium, high and critical start.
    pub thresholds: Thresholds,
    /// The score the model should stay below, and whether it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Every factor, in policy order.
    pub factors: Vec<FactorReport>,
    /// The factors without data, and the rule applied to each.
    pub missing: Vec<MissingReport>,
    /// The mitigations that would lower the score, the most effective first.
    pub mitigations: Vec<MitigationReport>,
    /// The blast radius the model read, when a factor reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blast: Option<BlastRadius>,
    /// What the level asks of the gates, when the model declares `gating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gating: Option<GatingReport>,
}

/// What a risk level asks of the gates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GatingReport {
    /// The level whose rule applies (critical's when the level is unknown).
    pub level: Level,
    /// The gates a change at this level skips.
    pub bypass: Vec<String>,
    /// How many approvals it needs.
    pub approvals: u32,
    /// The personas that must be among the approvers.
    pub approvers: Vec<String>,
}

/// The level thresholds of a model, in points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Thresholds {
    /// Where medium starts.
    pub medium: f64,
    /// Where high starts.
    pub high: f64,
    /// Where critical starts.
    pub critical: f64,
}

/// A model's target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// The score to stay below.
    pub below: f64,
    /// Whether the score is below it (false without a score).
    pub met: bool,
}

/// One factor's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FactorReport {
    /// The factor's name.
    pub name: String,
    /// What the factor measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The expression or condition it reads.
    pub reads: String,
    /// Its value in base units (a condition: 1 true, 0 false); none without data.
    pub value: Option<f64>,
    /// The value as shown (`87.0%`, `true`, `no data`).
    pub shown: String,
    /// The transform, as written (`linear 60%..95%`).
    pub transform: String,
    /// The risk from 0 to 1 the transform gave (1 for missing data under `worst`).
    pub risk: f64,
    /// The factor's weight as declared.
    pub weight: f64,
    /// Its share of the weight counted (0 when excluded).
    pub share: f64,
    /// Its contribution to the score in points, to a tenth; the contributions add up to the
    /// score.
    pub contribution: f64,
    /// The missing-data rule applied, when the factor had no data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingInput>,
    /// One line: value, risk, weight and contribution.
    pub explanation: String,
}

/// A factor without data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MissingReport {
    /// The factor.
    pub factor: String,
    /// The metrics it reads.
    pub metrics: Vec<String>,
    /// The rule applied.
    pub rule: MissingInput,
}

/// A mitigation that applies, with the risk it would remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MitigationReport {
    /// The mitigation's name.
    pub name: String,
    /// The factor it lowers.
    pub factor: String,
    /// What to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The points it would remove from the score, to a tenth.
    pub removes: f64,
    /// The score once it is done, to a tenth.
    pub score_after: f64,
    /// The level once it is done.
    pub level_after: Level,
}

/// Why a model cannot be scored.
pub(crate) struct Refused(pub Vec<Diagnostic>);

/// One factor's evaluation before the weights are shared.
struct Evaluated {
    value: Option<f64>,
    /// The risk, or `None` when excluded.
    risk: Option<f64>,
    missing: Option<MissingInput>,
}

/// Scores `model` on `slots` (the policy's metric slots, then the blast radius).
pub(crate) fn score(
    model: &RiskModel,
    policy: &PolicyRef,
    slots: &[f64],
    metric_names: &dyn Fn(&[usize]) -> Vec<String>,
    blast: Option<BlastRadius>,
) -> Result<RiskReport, Refused> {
    let mut evaluated = Vec::with_capacity(model.factors.len());
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    for f in &model.factors {
        let value = match &f.source {
            Source::Number(p) => p.eval_number(slots).map(|v| (!v.is_nan()).then_some(v)),
            Source::Condition(p) => p.eval(slots).map(|t| match t {
                Tri::True => Some(1.0),
                Tri::False => Some(0.0),
                Tri::Unknown => None,
            }),
        };
        let value = match value {
            Ok(v) => v,
            Err(e) => {
                errors.push(
                    Diagnostic::error(e.code, format!("factor `{}`: {}", f.name, e.message))
                        .with_label(f.span, "this factor")
                        .with_source("policy"),
                );
                continue;
            }
        };
        let e = match value {
            Some(v) => Evaluated {
                value: Some(v),
                risk: Some(f.transform.apply(v)),
                missing: None,
            },
            None => {
                let reads = match &f.source {
                    Source::Number(p) | Source::Condition(p) => metric_names(p.slots()),
                };
                if f.on_missing == MissingInput::Error {
                    errors.push(
                        Diagnostic::error(
                            Code::MissingRiskInput,
                            format!(
                                "factor `{}` of risk model `{}` has no data ({})",
                                f.name,
                                model.name,
                                reads
                                    .iter()
                                    .map(|m| format!("`{m}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                        .with_label(f.span, "`on_missing: error`")
                        .with_source("policy")
                        .with_help(
                            "give the metrics it reads, or choose `on_missing: worst` or `exclude`",
                        ),
                    );
                    continue;
                }
                missing.push(MissingReport {
                    factor: f.name.clone(),
                    metrics: reads,
                    rule: f.on_missing,
                });
                Evaluated {
                    value: None,
                    risk: (f.on_missing == MissingInput::Worst).then_some(1.0),
                    missing: Some(f.on_missing),
                }
            }
        };
        evaluated.push(e);
    }
    if !errors.is_empty() {
        return Err(Refused(errors));
    }
    let total: f64 = model
        .factors
        .iter()
        .zip(&evaluated)
        .filter(|(_, e)| e.risk.is_some())
        .map(|(f, _)| f.weight)
        .sum();
    let exact: Vec<f64> = model
        .factors
        .iter()
        .zip(&evaluated)
        .map(|(f, e)| match e.risk {
            Some(t) if total > 0.0 => tidy(1000.0 * f.weight / total * t),
            _ => 0.0,
        })
        .collect();
    let tenths = largest_remainder(&exact);
    let score_tenths: u32 = tenths.iter().sum();
    let scored = total > 0.0;
    let level = if scored {
        level_of(score_tenths, model.levels)
    } else {
        Level::Unknown
    };
    let factors = model
        .factors
        .iter()
        .zip(&evaluated)
        .zip(&tenths)
        .map(|((f, e), &c)| factor_report(f, e, total, c))
        .collect();
    let raw_score = exact.iter().fold(0.0, |total, c| total + c); // from +0: no terms is 0, not -0
    let mut mitigations = Vec::new();
    if scored {
        for (i, (f, e)) in model.factors.iter().zip(&evaluated).enumerate() {
            let Some(t) = e.risk else { continue };
            for m in &f.mitigations {
                let after = match m.effect {
                    MitigationEffect::Reduce(share) => t * (1.0 - share),
                    MitigationEffect::To(v) => f.transform.apply(v),
                };
                let removed = tidy(1000.0 * f.weight / total * (t - after));
                if removed <= 0.0 {
                    continue;
                }
                let after_tenths = round_tenths(raw_score - removed);
                let removes = score_tenths.saturating_sub(after_tenths);
                mitigations.push((
                    i,
                    MitigationReport {
                        name: m.name.clone(),
                        factor: f.name.clone(),
                        description: m.description.clone(),
                        removes: f64::from(removes) / 10.0,
                        score_after: f64::from(after_tenths) / 10.0,
                        level_after: level_of(after_tenths, model.levels),
                    },
                    removed,
                ));
            }
        }
    }
    // The most risk removed first; ties in policy order.
    mitigations.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let points = |t: u32| f64::from(t) / 10.0;
    Ok(RiskReport {
        model: model.name.clone(),
        description: model.description.clone(),
        policy: policy.clone(),
        score: scored.then(|| points(score_tenths)),
        level,
        thresholds: Thresholds {
            medium: points(model.levels[0]),
            high: points(model.levels[1]),
            critical: points(model.levels[2]),
        },
        target: model.target.map(|t| Target {
            below: points(t),
            met: scored && score_tenths < t,
        }),
        factors,
        missing,
        mitigations: mitigations.into_iter().map(|(_, m, _)| m).collect(),
        blast: if model.reads_blast { blast } else { None },
        gating: model.gating.as_ref().map(|rules| {
            let (at, rule) = match level {
                Level::Low => (Level::Low, &rules[0]),
                Level::Medium => (Level::Medium, &rules[1]),
                Level::High => (Level::High, &rules[2]),
                Level::Critical | Level::Unknown => (Level::Critical, &rules[3]),
            };
            GatingReport {
                level: at,
                bypass: rule.bypass.clone(),
                approvals: rule.approvals,
                approvers: rule.approvers.clone(),
            }
        }),
    })
}

/// Rounds away the last binary digits of a sum of products (`29.999999999999996` → `30`), so
/// that an exact contribution is not split by noise.
fn tidy(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `x` tenths rounded half up to a whole number of tenths, within 0..=1000.
fn round_tenths(x: f64) -> u32 {
    // INVARIANT: contributions lie in 0..=1000 tenths.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=1000 first"
    )]
    let t = (x + 0.5).floor().clamp(0.0, 1000.0) as u32;
    t
}

/// Rounds each of `exact` (tenths) to a whole number of tenths so that they add up to their
/// sum rounded: each is rounded down, and the units left go to the largest remainders (ties to
/// the earlier factor).
fn largest_remainder(exact: &[f64]) -> Vec<u32> {
    let mut out: Vec<u32> = exact.iter().map(|&x| round_tenths(x - 0.5)).collect();
    let target = round_tenths(exact.iter().sum());
    let have: u32 = out.iter().sum();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    let remainder = |i: usize| exact[i] - f64::from(out[i]);
    order.sort_by(|&a, &b| remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b)));
    for &i in order.iter().take(target.saturating_sub(have) as usize) {
        out[i] += 1;
    }
    out
}

/// The level of a score in tenths: the highest threshold it reaches.
fn level_of(tenths: u32, levels: [u32; 3]) -> Level {
    if tenths >= levels[2] {
        Level::Critical
    } else if tenths >= levels[1] {
        Level::High
    } else if tenths >= levels[0] {
        Level::Medium
    } else {
        Level::Low
    }
}

fn factor_report(f: &Factor, e: &Evaluated, total: f64, tenths: u32) -> FactorReport {
    let mut shown = String::new();
    match e.value {
        Some(v) => write_in(&mut shown, v, f.unit),
        None => shown.push_str("no data"),
    }
    let share = match e.risk {
        Some(_) if total > 0.0 => f.weight / total,
        _ => 0.0,
    };
    let transform = describe(&f.transform, f.unit);
    let contribution = f64::from(tenths) / 10.0;
    let explanation = match (e.risk, e.missing) {
        (None, _) => format!("{} no data: excluded (on_missing: exclude)", f.name),
        (Some(t), Some(rule)) => format!(
            "{} no data: risk {} (on_missing: {}) × weight {} = {} points",
            f.name,
            format_number(t, 2),
            rule.as_str(),
            format_number(share * 100.0, 1) + "%",
            format_number(contribution, 1)
        ),
        (Some(t), None) => format!(
            "{} {} → risk {} ({}) × weight {} = {} points",
            f.name,
            shown,
            format_number(t, 2),
            transform,
            format_number(share * 100.0, 1) + "%",
            format_number(contribution, 1)
        ),
    };
    FactorReport {
        name: f.name.clone(),
        description: f.description.clone(),
        reads: f.source.text().to_owned(),
        value: e.value,
        shown,
        transform,
        risk: e.risk.unwrap_or(0.0),
        weight: f.weight,
        share,
        contribution,
        missing: e.missing,
        explanation,
    }
}

/// A transform as written: `linear 60%..95%`, `log 0.1%..10%`, `bands 5%:30% 10%:60%`.
fn describe(t: &Transform, unit: crate::units::Unit) -> String {
    let q = |v: f64| {
        let mut s = String::new();
        write_in(&mut s, v, unit);
        s
    };
    match t {
        Transform::Linear { from, to } => format!("linear {}..{}", q(*from), q(*to)),
        Transform::Log { from, to } => format!("log {}..{}", q(*from), q(*to)),
        Transform::Bands(bands) => {
            let parts: Vec<String> = bands
                .iter()
                .map(|(from, risk)| format!(">={}:{}%", q(*from), format_number(risk * 100.0, 0)))
                .collect();
            format!("bands {}", parts.join(" "))
        }
        Transform::Boolean => "condition".to_owned(),
        Transform::Direct => "the value itself".to_owned(),
    }
}
