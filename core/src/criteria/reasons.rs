//! The sentences of a decision: gate reasons, rejection reasons, the summary. Each is written
//! into one `String`, part by part.

use super::scoring::GateScore;
use super::signoff::Reason;
use super::{GateRule, GateSet, Scoring};
use crate::decision::{CriterionDecision, GateDecision, Outcome, Verdict};
use crate::units::{Unit, format_in};

/// Appends `; ` unless `out` is empty: parts of a sentence are joined with it.
fn next_part(out: &mut String) {
    if !out.is_empty() {
        out.push_str("; ");
    }
}

/// Appends the names, each in backticks, joined with `, `.
fn quoted<'a>(out: &mut String, names: impl Iterator<Item = &'a str>) {
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
}

/// Appends the names of the scored (not informational) criteria with `outcome`.
fn names(out: &mut String, criteria: &[CriterionDecision], outcome: Outcome) {
    quoted(
        out,
        criteria
            .iter()
            .filter(|c| c.outcome == outcome && !c.informational)
            .map(|c| c.name.as_str()),
    );
}

/// Appends what the informational criteria gave: `2 informational criteria, not scored:
/// `a` failed, `b` unknown` (only those that did not pass are named).
fn informational(out: &mut String, criteria: &[CriterionDecision], n: usize) {
    next_part(out);
    count(out, n, "informational criterion", "informational criteria");
    out.push_str(" not scored");
    let mut first = true;
    for c in criteria
        .iter()
        .filter(|c| c.informational && c.outcome != Outcome::Pass)
    {
        out.push_str(if first { ": `" } else { ", `" });
        first = false;
        out.push_str(&c.name);
        out.push_str("` ");
        out.push_str(match c.outcome {
            Outcome::Fail => "failed",
            Outcome::Warn => "warned",
            Outcome::Unknown | Outcome::Pass => "undecided",
        });
    }
}

/// Appends the decimal digits of `n` (a count: small, so digit by digit beats `fmt`).
fn push_number(out: &mut String, n: usize) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Appends `1 ONE` or `N MANY`.
fn count(out: &mut String, n: usize, one: &str, many: &str) {
    if n == 1 {
        out.push_str("1 ");
        out.push_str(one);
    } else {
        push_number(out, n);
        out.push(' ');
        out.push_str(many);
    }
}

fn criteria_count(out: &mut String, n: usize) {
    count(out, n, "criterion", "criteria");
}

/// Why a gate has its verdict.
pub(super) fn gate_reason(
    rule: &GateRule,
    criteria: &[CriterionDecision],
    score: &GateScore,
) -> String {
    let total = criteria.len() - score.informational;
    let mut out = String::with_capacity(64);
    match rule.scoring {
        Scoring::Scored { pass, warn } => {
            if score.key_failed > 0 {
                out.push_str("key criterion ");
                quoted(
                    &mut out,
                    criteria
                        .iter()
                        .filter(|c| c.key && c.outcome == Outcome::Fail)
                        .map(|c| c.name.as_str()),
                );
                out.push_str(" failed");
            }
            next_part(&mut out);
            match score.score {
                None if total == 0 => out.push_str("no scored criteria"),
                None => out.push_str("no criterion could be decided"),
                Some(s) => {
                    let s_text = format_in(s, Unit::PERCENT);
                    out.push_str("score ");
                    out.push_str(&s_text);
                    if s >= pass {
                        out.push_str(" meets the pass threshold ");
                        out.push_str(&format_in(pass, Unit::PERCENT));
                    } else if s >= warn {
                        out.push_str(" is below the pass threshold ");
                        out.push_str(&format_in(pass, Unit::PERCENT));
                        out.push_str(" but meets the warn threshold ");
                        out.push_str(&format_in(warn, Unit::PERCENT));
                    } else {
                        out.push_str(" is below the warn threshold ");
                        out.push_str(&format_in(warn, Unit::PERCENT));
                    }
                }
            }
        }
        Scoring::Strict => {
            if score.failed > 0 {
                criteria_count(&mut out, score.failed);
                out.push_str(" of ");
                push_number(&mut out, total);
                out.push_str(" failed: ");
                names(&mut out, criteria, Outcome::Fail);
            }
            if score.warned > 0 {
                next_part(&mut out);
                criteria_count(&mut out, score.warned);
                out.push_str(" warned: ");
                names(&mut out, criteria, Outcome::Warn);
            }
            if total == 0 {
                next_part(&mut out);
                out.push_str("no scored criteria");
            } else if score.failed == 0 && score.warned == 0 && score.unknown == 0 {
                next_part(&mut out);
                out.push_str("all ");
                criteria_count(&mut out, total);
                out.push_str(" passed");
            }
        }
    }
    if score.unknown > 0 {
        next_part(&mut out);
        criteria_count(&mut out, score.unknown);
        out.push_str(" undecided for missing data: ");
        names(&mut out, criteria, Outcome::Unknown);
    }
    if score.informational > 0 {
        informational(&mut out, criteria, score.informational);
    }
    out
}

/// A reason a persona rejected, as a sentence.
pub(super) fn reason(set: &GateSet, reason: Reason) -> String {
    match reason {
        Reason::GateFailed { gate } => format!("gate `{}` failed", set.gates[gate].name),
        Reason::KeyFailed { gate, criterion } => format!(
            "key criterion `{}/{}` failed",
            set.gates[gate].name, set.gates[gate].criteria[criterion].name
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
    let mut out = String::with_capacity(48);
    out.push_str(verdict.as_str());
    out.push_str(": ");
    let start = out.len();
    let next_part = |out: &mut String| {
        if out.len() > start {
            out.push_str("; ");
        }
    };
    for (v, what) in [(Verdict::Fail, " failed ("), (Verdict::Warn, " warned (")] {
        let with = || gates.iter().filter(|g| g.verdict == v);
        let n = with().count();
        if n > 0 {
            next_part(&mut out);
            push_number(&mut out, n);
            out.push_str(" of ");
            count(&mut out, gates.len(), "gate", "gates");
            out.push_str(what);
            quoted(&mut out, with().map(|g| g.name.as_str()));
            out.push(')');
        }
    }
    if !required_rejected.is_empty() {
        next_part(&mut out);
        out.push_str(if required_rejected.len() == 1 {
            "required persona "
        } else {
            "required personas "
        });
        quoted(&mut out, required_rejected.iter().copied());
        out.push_str(" rejected");
    }
    if out.len() == start {
        out.push_str("all ");
        count(&mut out, gates.len(), "gate", "gates");
        out.push_str(" passed");
    }
    out
}
