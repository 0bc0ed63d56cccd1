//! JUnit XML, the report format every CI system shows as tests: of a decision (a suite per
//! gate) and of a pipeline run (a case per stage), escaped alike.

use super::xml::{attr, text};
use super::{MetricUnits, mode_text, score_text, signoff_text, values_text};
use crate::decision::{CriterionDecision, Decision, GateDecision, Outcome, Signoff};
use crate::pipeline::{RunResult, StageOutcome};
use crate::units::duration::format_elapsed;
use std::fmt::Write as _;

/// Renders a decision as JUnit XML: one `<testsuite>` per gate and one `<testcase>` per
/// criterion. A failed criterion has a `<failure>`, an undecided one (`unknown`) is
/// `<skipped>`, and a warning passes with a note in `<system-out>`. Persona sign-offs form a
/// last suite, `personas`, where a rejection is a failure. The output is deterministic: no
/// timestamps, durations or host names. Values are shown in `units`.
#[must_use]
pub fn junit(decision: &Decision, units: &MetricUnits) -> String {
    let mut suites = String::new();
    let mut totals = Counts::default();
    let policy = &decision.policy.name;
    for gate in &decision.gates {
        let counts = gate_suite(&mut suites, policy, gate, units);
        totals.add(counts);
    }
    if !decision.personas.is_empty() {
        let counts = persona_suite(&mut suites, decision);
        totals.add(counts);
    }
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        attr(&format!("kiro: {policy}")),
        totals.tests,
        totals.failures,
        totals.skipped
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.skipped += other.skipped;
    }
}

fn gate_suite(out: &mut String, policy: &str, gate: &GateDecision, units: &MetricUnits) -> Counts {
    let counts = Counts {
        tests: gate.criteria.len(),
        failures: count(&gate.criteria, Outcome::Fail),
        skipped: count(&gate.criteria, Outcome::Unknown),
    };
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        attr(&gate.name),
        counts.tests,
        counts.failures,
        counts.skipped
    );
    out.push_str("    <properties>\n");
    property(out, "kind", gate.kind.as_str());
    property(out, "verdict", gate.verdict.as_str());
    property(out, "mode", &mode_text(gate));
    if let Some(score) = score_text(gate) {
        property(out, "score", &score);
    }
    property(out, "reason", &gate.reason);
    if !gate.owners.is_empty() {
        property(out, "owners", &gate.owners.join(", "));
    }
    out.push_str("    </properties>\n");
    let classname = format!("{policy}.{}", gate.name);
    for criterion in &gate.criteria {
        criterion_case(out, &classname, criterion, units);
    }
    out.push_str("  </testsuite>\n");
    counts
}

/// The scored criteria with `outcome` (an informational criterion is never a failure or a
/// skip).
fn count(criteria: &[CriterionDecision], outcome: Outcome) -> usize {
    criteria
        .iter()
        .filter(|c| c.outcome == outcome && !c.informational)
        .count()
}

fn property(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(
        out,
        "      <property name=\"{}\" value=\"{}\"/>",
        attr(name),
        attr(value)
    );
}

/// The detail of a criterion: its conditions, values and missing-data rule.
fn detail(criterion: &CriterionDecision, units: &MetricUnits) -> String {
    let mut lines = vec![format!("pass: {}", criterion.condition)];
    if let Some(warn) = &criterion.warn_condition {
        lines.push(format!("warn: {warn}"));
    }
    let values = values_text(criterion, units);
    if !values.is_empty() {
        lines.push(format!("values: {}", values.join(", ")));
    }
    if let Some(rule) = criterion.missing_rule_applied {
        lines.push(format!("on_missing: {}", rule.as_str()));
    }
    lines.join("\n")
}

fn criterion_case(
    out: &mut String,
    classname: &str,
    criterion: &CriterionDecision,
    units: &MetricUnits,
) {
    let open = format!(
        "    <testcase name=\"{}\" classname=\"{}\"",
        attr(&criterion.name),
        attr(classname)
    );
    let message = attr(&criterion.explanation);
    let body = text(&detail(criterion, units));
    if criterion.informational {
        // Evaluated and explained, never counted: a passing case with a note.
        let _ = writeln!(
            out,
            "{open}>\n      <system-out>informational, not scored: {}: {}\n{body}</system-out>\n    </testcase>",
            criterion.outcome.as_str(),
            text(&criterion.explanation)
        );
        return;
    }
    let _ = match criterion.outcome {
        Outcome::Pass => writeln!(out, "{open}/>"),
        Outcome::Warn => writeln!(
            out,
            "{open}>\n      <system-out>warn: {}\n{body}</system-out>\n    </testcase>",
            text(&criterion.explanation)
        ),
        Outcome::Fail => writeln!(
            out,
            "{open}>\n      <failure message=\"{message}\" type=\"fail\">{body}</failure>\n    </testcase>"
        ),
        Outcome::Unknown => writeln!(
            out,
            "{open}>\n      <skipped message=\"{message}\"/>\n      <system-out>{body}</system-out>\n    </testcase>"
        ),
    };
}

fn persona_suite(out: &mut String, decision: &Decision) -> Counts {
    let personas = &decision.personas;
    let failures = personas
        .iter()
        .filter(|p| p.signoff == Signoff::Rejected)
        .count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"personas\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        personas.len()
    );
    let classname = format!("{}.personas", decision.policy.name);
    for persona in personas {
        let open = format!(
            "    <testcase name=\"{}\" classname=\"{}\"",
            attr(&persona.name),
            attr(&classname)
        );
        let mut lines = Vec::new();
        if persona.required {
            lines.push("required: yes".to_owned());
        }
        lines.extend(persona.reasons.iter().map(|r| format!("reason: {r}")));
        lines.extend(persona.conditions.iter().map(|c| format!("condition: {c}")));
        let body = text(&lines.join("\n"));
        let signoff = signoff_text(persona.signoff);
        let _ = match persona.signoff {
            Signoff::Approved if lines.is_empty() => writeln!(out, "{open}/>"),
            Signoff::Approved | Signoff::ApprovedWithConditions => writeln!(
                out,
                "{open}>\n      <system-out>{signoff}\n{body}</system-out>\n    </testcase>"
            ),
            Signoff::Rejected => writeln!(
                out,
                "{open}>\n      <failure message=\"{}\" type=\"rejected\">{body}</failure>\n    </testcase>",
                attr(&format!("{signoff}: {}", persona.reasons.join("; ")))
            ),
        };
    }
    out.push_str("  </testsuite>\n");
    Counts {
        tests: personas.len(),
        failures,
        skipped: 0,
    }
}

/// The run as JUnit XML: one `<testsuite>` named after the policy's pipeline, one
/// `<testcase>` per stage with its duration. A failed or timed-out stage has a `<failure>`
/// (a failure allowed by `continue_on_failure` passes, with a note), a cancelled or skipped
/// one is `<skipped>`; the exit gate's summary goes to `<system-out>`.
#[must_use]
pub fn run_junit(result: &RunResult) -> String {
    let tests = result.stages.len();
    let failures = result
        .stages
        .iter()
        .filter(|s| {
            matches!(s.outcome, StageOutcome::Failed | StageOutcome::TimedOut) && !s.allowed_failure
        })
        .count();
    let skipped = result
        .stages
        .iter()
        .filter(|s| matches!(s.outcome, StageOutcome::Cancelled | StageOutcome::Skipped))
        .count();
    let name = format!("kiro pipeline: {}", result.policy.name);
    let time = seconds(result.duration_ms);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{n}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time}\">",
        n = attr(&name)
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{n}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time}\">",
        n = attr(&name)
    );
    for stage in &result.stages {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
            attr(&result.policy.name),
            attr(&stage.name),
            seconds(stage.duration_ms.unwrap_or(0))
        );
        let reason = stage.reason.as_deref().unwrap_or("");
        let mut body = String::new();
        match stage.outcome {
            StageOutcome::Failed | StageOutcome::TimedOut if !stage.allowed_failure => {
                let _ = writeln!(
                    body,
                    "      <failure message=\"{}\" type=\"{}\"/>",
                    attr(reason),
                    stage.outcome.as_str()
                );
            }
            StageOutcome::Cancelled | StageOutcome::Skipped => {
                let _ = writeln!(body, "      <skipped message=\"{}\"/>", attr(reason));
            }
            _ => {}
        }
        let mut notes = Vec::new();
        if stage.allowed_failure {
            notes.push(format!("failed with continue_on_failure: {reason}"));
        }
        if stage.attempts.len() > 1 {
            notes.push(format!("{} attempts", stage.attempts.len()));
        }
        if let Some(gate) = &stage.gate {
            notes.push(format!("exit gate: {}", gate.summary));
        }
        if let Some(ms) = stage.duration_ms {
            notes.push(format!("took {}", format_elapsed(ms)));
        }
        if !notes.is_empty() {
            let _ = writeln!(
                body,
                "      <system-out>{}</system-out>",
                text(&notes.join("\n"))
            );
        }
        if body.is_empty() {
            out.push_str("/>\n");
        } else {
            out.push_str(">\n");
            out.push_str(&body);
            out.push_str("    </testcase>\n");
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1_000, ms % 1_000)
}
