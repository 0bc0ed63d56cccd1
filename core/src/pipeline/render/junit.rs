//! JUnit XML of a run: one test case per stage.

use super::human::elapsed;
use crate::pipeline::{RunResult, StageOutcome};
use crate::render::xml::{attr, text};
use std::fmt::Write as _;

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
            notes.push(format!("took {}", elapsed(ms)));
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
