//! The criteria compiler through the sections that use it: gates and a stage's exit criteria.

#![allow(clippy::panic, reason = "a test fails by panicking")]

use crate::MetricsInput;
use crate::diagnostic::Code;
use crate::error::KiroError;
use crate::policy::CompiledPolicy;

/// One criteria list, written once as a gate and once on a stage.
const CRITERIA: &str = "[{name: cov, pass: coverage >= 90%, warn: coverage >= 80%, weight: 3, key: true, owners: [architect]}, {name: lat, pass: p95 < 500ms, on_missing: inconclusive}]";

fn policy() -> CompiledPolicy {
    let text = format!(
        "name: t
metrics: {{coverage: {{unit: \"%\"}}, p95: {{unit: ms}}}}
personas: [{{name: qa, required: true, max_conditions: 1}}, {{name: architect}}]
gates:
  - {{name: g, kind: custom, owners: [qa], score: {{pass: 90%, warn: 50%}}, criteria: {CRITERIA}}}
pipeline:
  stages:
    - {{name: named, gate: g}}
    - {{name: g, personas: [qa], score: {{pass: 90%, warn: 50%}}, criteria: {CRITERIA}}}
"
    );
    CompiledPolicy::from_text(&text, None)
        .unwrap_or_else(|e| panic!("{:#?}", KiroError::diagnostics(&e)))
}

#[test]
fn criteria_on_a_stage_mean_what_they_mean_in_a_gate() {
    let policy = policy();
    for coverage in [None, Some(50.0), Some(85.0), Some(95.0)] {
        for p95 in [None, Some("300ms"), Some("900ms")] {
            let metrics = serde_json::json!({"coverage": coverage, "p95": p95});
            let input = MetricsInput::from_json(&metrics).unwrap_or_else(|e| panic!("{e:?}"));
            let check = |stage| match policy.check_exit(stage, &input) {
                Some((name, Ok(decision))) => (name.to_owned(), decision),
                _ => panic!("stage {stage} has an exit gate that checks"),
            };
            let (named, by_name) = check(0);
            let (inline, written) = check(1);
            assert_eq!((named.as_str(), inline.as_str()), ("g", "g"));
            assert_eq!(by_name, written, "for {metrics}");
            assert_eq!(written.policy.hash, policy.hash());
        }
    }
}

#[test]
fn a_stage_without_an_exit_gate_is_not_checked() {
    let policy = CompiledPolicy::from_text("name: t\npipeline: {stages: [{name: a}]}\n", None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(policy.check_exit(0, &MetricsInput::default()).is_none());
    assert!(policy.check_exit(1, &MetricsInput::default()).is_none());
}

#[test]
fn each_problem_of_criteria_on_a_stage_is_reported_once() {
    let text = "name: t
metrics: {x: {}}
personas: [{name: qa}]
pipeline:
  stages:
    - {name: a, personas: [qa, ops], score: {pass: 2}, criteria: [{name: c, pass: y > 1, owners: [sec]}, {name: c, pass: x > 1, weight: -1}]}
";
    let Err(e) = CompiledPolicy::from_text(text, None) else {
        panic!("invalid")
    };
    let found: Vec<(Code, &str)> = e
        .diagnostics()
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (Code::UnknownReference, "persona `ops` is not declared"),
            (Code::UnknownReference, "persona `sec` is not declared"),
            (Code::DuplicateName, "criterion `c` is declared twice"),
            (
                Code::InvalidSetting,
                "a score threshold must be a percentage from 0% to 100%"
            ),
            (Code::UnknownMetric, found[4].1),
            (
                Code::InvalidSetting,
                "weight `-1` is not a finite number of at least 0"
            ),
        ]
    );
}
