//! The sentences of a decision: gate reasons, rejection reasons, the summary.

use crate::decision::{CriterionDecision, GateDecision, Outcome, Verdict};
use crate::gate::{GateScore, Reason};
use crate::policy::compiled::{Compiled, GateRule, Scoring};
use crate::units::{Unit, format_in};

fn names(criteria: &[CriterionDecision], outcome: Outcome) -> String {
    criteria
        .iter()
        .filter(|c| c.outcome == outcome)
        .map(|c| format!("`{}`", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn criteria_count(n: usize) -> String {
    count(n, "criterion", "criteria")
}

/// Why a gate has its verdict.
pub(super) fn gate_reason(
    rule: &GateRule,
    criteria: &[CriterionDecision],
    score: &GateScore,
) -> String {
    let total = criteria.len();
    let mut parts = Vec::new();
    match rule.scoring {
        Scoring::Scored { pass, warn } => {
            if score.key_failed > 0 {
                let keys: Vec<String> = criteria
                    .iter()
                    .filter(|c| c.key && c.outcome == Outcome::Fail)
                    .map(|c| format!("`{}`", c.name))
                    .collect();
                parts.push(format!("key criterion {} failed", keys.join(", ")));
            }
            match score.score {
                None => parts.push("no criterion could be decided".into()),
                Some(s) => {
                    let s_text = format_in(s, Unit::PERCENT);
                    let p = format_in(pass, Unit::PERCENT);
                    let w = format_in(warn, Unit::PERCENT);
                    parts.push(if s >= pass {
                        format!("score {s_text} meets the pass threshold {p}")
                    } else if s >= warn {
                        format!("score {s_text} is below the pass threshold {p} but meets the warn threshold {w}")
                    } else {
                        format!("score {s_text} is below the warn threshold {w}")
                    });
                }
            }
        }
        Scoring::Strict => {
            if score.failed > 0 {
                parts.push(format!(
                    "{} of {total} failed: {}",
                    criteria_count(score.failed),
                    names(criteria, Outcome::Fail)
                ));
            }
            if score.warned > 0 {
                parts.push(format!(
                    "{} warned: {}",
                    criteria_count(score.warned),
                    names(criteria, Outcome::Warn)
                ));
            }
            if score.failed == 0 && score.warned == 0 && score.unknown == 0 {
                parts.push(format!("all {} passed", criteria_count(total)));
            }
        }
    }
    if score.unknown > 0 {
        parts.push(format!(
            "{} undecided for missing data: {}",
            criteria_count(score.unknown),
            names(criteria, Outcome::Unknown)
        ));
    }
    parts.join("; ")
}

/// A reason a persona rejected, as a sentence.
pub(super) fn reason(policy: &Compiled, reason: Reason) -> String {
    match reason {
        Reason::GateFailed { gate } => format!("gate `{}` failed", policy.gates[gate].name),
        Reason::KeyFailed { gate, criterion } => format!(
            "key criterion `{}/{}` failed",
            policy.gates[gate].name, policy.gates[gate].criteria[criterion].name
        ),
        Reason::TooManyConditions { count, max } => {
            format!("{count} conditions exceed the limit of {max}")
        }
    }
}

/// The decision in one sentence.
pub(super) fn summary(
    verdict: Verdict,
    gates: &[GateDecision],
    required_rejected: &[&str],
) -> String {
    let with = |v: Verdict| -> Vec<String> {
        gates
            .iter()
            .filter(|g| g.verdict == v)
            .map(|g| format!("`{}`", g.name))
            .collect()
    };
    let mut parts = Vec::new();
    let failed = with(Verdict::Fail);
    let warned = with(Verdict::Warn);
    if !failed.is_empty() {
        parts.push(format!(
            "{} of {} failed ({})",
            failed.len(),
            count(gates.len(), "gate", "gates"),
            failed.join(", ")
        ));
    }
    if !warned.is_empty() {
        parts.push(format!(
            "{} of {} warned ({})",
            warned.len(),
            count(gates.len(), "gate", "gates"),
            warned.join(", ")
        ));
    }
    if !required_rejected.is_empty() {
        let names: Vec<String> = required_rejected.iter().map(|n| format!("`{n}`")).collect();
        let who = if names.len() == 1 {
            "required persona"
        } else {
            "required personas"
        };
        parts.push(format!("{who} {} rejected", names.join(", ")));
    }
    if parts.is_empty() {
        parts.push(format!(
            "all {} passed",
            count(gates.len(), "gate", "gates")
        ));
    }
    format!("{}: {}", verdict.as_str(), parts.join("; "))
}
