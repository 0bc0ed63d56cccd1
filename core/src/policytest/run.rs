//! Running a test file's cases: the names it uses checked against the policy
//! (`KIRO-E177`), then each case checked like `kiro check` and its answer compared with what
//! it expects.

use super::read::{Case, ExpectGate, TestFile};
use super::{CaseReport, Mismatch, Name, diagnostic};
use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::document::{Node, NodeKind};
use crate::error::KiroError;
use crate::gate::Selection;
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;

/// Every gate, criterion and metric named in `file` that `policy` does not declare.
pub(super) fn check_references(
    file: &TestFile,
    policy: &CompiledPolicy,
) -> Result<(), Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let gates = policy.gate_names();
    let metrics = policy.metric_names();
    let whole = format!("policy `{}`", policy.name());
    for case in &file.cases {
        if let Some(gate) = &case.gate {
            unknown(&mut diagnostics, gate, "gate", &gates, &whole);
        }
        for expected in &case.expect.gates {
            let Some(criteria) = policy.criterion_names(&expected.name.value) else {
                unknown(
                    &mut diagnostics,
                    &expected.name,
                    "gate",
                    &gates,
                    policy.name(),
                );
                continue;
            };
            let owner = format!("gate `{}`", expected.name.value);
            for (criterion, _) in &expected.criteria {
                unknown(&mut diagnostics, criterion, "criterion", &criteria, &owner);
            }
        }
        // A case that expects an error may give names the policy does not know on purpose
        // (`strict: true` refuses them with `KIRO-E011`).
        if case.expect.error.is_some() {
            continue;
        }
        let mut given = Vec::new();
        if let Some(node) = &case.metrics {
            leaves(node, String::new(), &mut given);
        }
        for o in &case.overrides {
            let name = o.value.split('=').next().unwrap_or_default().trim();
            // A quoted override's span covers its opening quote (escapes aside, the rest
            // follows it byte for byte).
            let quote = usize::from(o.span.end - o.span.start > o.value.len());
            let start = o.span.start + quote + o.value.find(name).unwrap_or(0);
            given.push(Name::new(
                Span::new(start, start + name.len()),
                name.to_owned(),
            ));
        }
        for name in &given {
            if !name.value.is_empty() {
                unknown(&mut diagnostics, name, "metric", &metrics, &whole);
            }
        }
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(diagnostics)
    }
}

/// Reports `name` (a `what` of `owner`, e.g. ``policy `shop` ``) unless it is among `known`.
fn unknown(
    diagnostics: &mut Vec<Diagnostic>,
    name: &Name,
    what: &str,
    known: &[&str],
    owner: &str,
) {
    if known.contains(&name.value.as_str()) {
        return;
    }
    let help = did_you_mean(&name.value, known.iter().copied()).map_or_else(
        || format!("{owner} has: `{}`", known.join("`, `")),
        |s| format!("did you mean `{s}`?"),
    );
    diagnostics.push(
        diagnostic(
            Code::UnknownTestReference,
            format!("{owner} has no {what} `{}`", name.value),
        )
        .with_label(name.span, format!("not a declared {what}"))
        .with_help(help),
    );
}

/// The dotted names of the values under `node` (a metrics map), with the spans of their keys.
fn leaves(node: &Node, prefix: String, out: &mut Vec<Name>) {
    let NodeKind::Map(entries) = &node.kind else {
        return;
    };
    for (key, value) in entries {
        let name = if prefix.is_empty() {
            key.value.clone()
        } else {
            format!("{prefix}.{}", key.value)
        };
        if matches!(value.kind, NodeKind::Map(_)) {
            leaves(value, name, out);
        } else {
            out.push(Name::new(key.span, name));
        }
    }
}

/// What the policy answered for a case.
enum Answer {
    Decision(Decision),
    Error(Diagnostic),
}

impl Answer {
    /// The answer in a line: the decision's summary, or the error's code and message.
    fn line(&self) -> String {
        match self {
            Answer::Decision(d) => d.summary.clone(),
            Answer::Error(e) => format!("{}: {}", e.code.as_str(), e.message),
        }
    }
}

/// Checks the case's input as `kiro check` would.
fn answer(policy: &CompiledPolicy, case: &Case) -> Answer {
    let metrics = match &case.metrics {
        Some(node) => match crate::document::deserialize::<serde_json::Value>(node) {
            Ok(v) => v,
            Err(e) => return Answer::Error(e),
        },
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    let mut input = match MetricsInput::from_json(&metrics) {
        Ok(input) => input,
        Err(e) => return Answer::Error(e),
    };
    for o in &case.overrides {
        if let Err(e) = input.set_override(&o.value) {
            return Answer::Error(e);
        }
    }
    let selection = Selection {
        gate: case.gate.as_ref().map(|g| g.value.clone()),
        kind: case.kind,
        strict: case.strict,
    };
    match policy.check(&input, &selection) {
        Ok(decision) => Answer::Decision(decision),
        Err(e) => {
            Answer::Error(e.diagnostics().first().cloned().unwrap_or_else(|| {
                Diagnostic::error(Code::Internal, "an error without diagnostics")
            }))
        }
    }
}

/// Runs one case and compares.
pub(super) fn run_case(policy: &CompiledPolicy, case: &Case) -> CaseReport {
    let answer = answer(policy, case);
    let mut mismatches = Vec::new();
    let expect = &case.expect;
    match (&answer, expect.error) {
        (Answer::Error(e), Some(code)) => {
            if e.code != code {
                mismatches.push(mismatch("error", code.as_str(), answer.line(), None));
            }
        }
        (Answer::Decision(d), Some(code)) => {
            mismatches.push(mismatch(
                "error",
                code.as_str(),
                format!("no error: {}", d.summary),
                None,
            ));
        }
        (Answer::Error(_), None) => {
            mismatches.push(mismatch("error", "no error", answer.line(), None));
        }
        (Answer::Decision(d), None) => compare(d, expect.verdict, &expect.gates, &mut mismatches),
    }
    CaseReport {
        name: case.name.value.clone(),
        passed: mismatches.is_empty(),
        got: answer.line(),
        mismatches,
    }
}

/// Compares a decision with the expected verdict and gates.
fn compare(
    decision: &Decision,
    verdict: Option<crate::decision::Verdict>,
    gates: &[ExpectGate],
    out: &mut Vec<Mismatch>,
) {
    if let Some(v) = verdict
        && v != decision.verdict
    {
        out.push(mismatch(
            "verdict",
            v.as_str(),
            decision.verdict.as_str().to_owned(),
            None,
        ));
    }
    for expected in gates {
        let name = &expected.name.value;
        let Some(gate) = decision.gates.iter().find(|g| &g.name == name) else {
            out.push(mismatch(
                &format!("gates.{name}"),
                "evaluated",
                "not selected by this case".to_owned(),
                None,
            ));
            continue;
        };
        if let Some(v) = expected.verdict
            && v != gate.verdict
        {
            out.push(mismatch(
                &format!("gates.{name}.verdict"),
                v.as_str(),
                gate.verdict.as_str().to_owned(),
                Some(gate.reason.clone()),
            ));
        }
        for (criterion, outcome) in &expected.criteria {
            let Some(got) = gate.criteria.iter().find(|c| c.name == criterion.value) else {
                continue;
            };
            if got.outcome != *outcome {
                let mut explanation = got.explanation.clone();
                if got.informational {
                    explanation.push_str(" (informational)");
                }
                out.push(mismatch(
                    &format!("gates.{name}.criteria.{}", criterion.value),
                    outcome.as_str(),
                    got.outcome.as_str().to_owned(),
                    Some(explanation),
                ));
            }
        }
    }
}

fn mismatch(path: &str, expected: &str, got: String, explanation: Option<String>) -> Mismatch {
    Mismatch {
        path: path.to_owned(),
        expected: expected.to_owned(),
        got,
        explanation,
    }
}
