//! The run's state machine on virtual time: every time below is exact.

use super::fake::{Step, fail, ok, reporting, simulate};
use crate::decision::Verdict;
use crate::pipeline::{Event, HostRun, RunOptions, RunResult, StageOutcome};
use crate::policy::CompiledPolicy;

fn compile(pipeline: &str) -> CompiledPolicy {
    let text = format!(
        "name: t
metrics: {{coverage: {{unit: \"%\"}}, p95: {{unit: ms}}}}
personas: [{{name: qa}}]
gates:
  - {{name: tests, kind: pre-merge, criteria: [{{name: cov, pass: coverage >= 90%, warn: coverage >= 80%}}]}}
pipeline:
{pipeline}"
    );
    CompiledPolicy::from_text(&text, None)
        .unwrap_or_else(|e| panic!("{:#?}", crate::error::KiroError::diagnostics(&e)))
}

struct Outcome {
    result: RunResult,
    events: Vec<Event>,
    dropped: Vec<String>,
    max_running: usize,
    starts: Vec<(String, u32, u64)>,
}

fn run_with(
    pipeline: &str,
    scripts: &[(&str, Vec<Step>)],
    options: RunOptions,
    cancel_at: Option<u64>,
) -> Outcome {
    let policy = compile(pipeline);
    let out = simulate(&policy, scripts, options, cancel_at);
    Outcome {
        result: out.result,
        events: out.events,
        dropped: out.dropped,
        max_running: out.max_running,
        starts: out.starts,
    }
}

fn run(pipeline: &str, scripts: &[(&str, Vec<Step>)]) -> Outcome {
    run_with(pipeline, scripts, RunOptions::default(), None)
}

/// Events as `time kind stage`, without queued ones.
fn trace(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind() != "queued")
        .map(|e| format!("{} {} {}", e.at_ms() / 1000, e.kind(), e.stage()))
        .collect()
}

fn outcomes(result: &RunResult) -> Vec<(&str, StageOutcome)> {
    result
        .stages
        .iter()
        .map(|s| (s.name.as_str(), s.outcome))
        .collect()
}

const DIAMOND: &str = "  stages:
    - {name: build}
    - {name: unit, needs: [build]}
    - {name: e2e, needs: [build]}
    - {name: package, needs: [unit, e2e]}
";

#[test]
fn needs_order_the_stages_and_independent_ones_run_together() {
    let out = run(
        DIAMOND,
        &[
            ("build", vec![ok(2)]),
            ("unit", vec![ok(3)]),
            ("e2e", vec![ok(5)]),
            ("package", vec![ok(1)]),
        ],
    );
    assert_eq!(out.result.verdict, Verdict::Pass);
    assert_eq!(out.result.summary, "pass: all 4 stages passed");
    assert_eq!(
        trace(&out.events),
        vec![
            "0 started build",
            "2 passed build",
            "2 started unit",
            "2 started e2e",
            "5 passed unit",
            "7 passed e2e",
            "7 started package",
            "8 passed package"
        ]
    );
    assert_eq!(out.result.duration_ms, 8_000);
    assert_eq!(
        out.events
            .iter()
            .take(4)
            .map(Event::kind)
            .collect::<Vec<_>>(),
        vec!["queued"; 4]
    );
    let e2e = out
        .result
        .stage("e2e")
        .map(|s| (s.started_at_ms, s.duration_ms));
    assert_eq!(e2e, Some((Some(2_000), Some(5_000))));
}

#[test]
fn fail_fast_cancels_running_stages_and_skips_pending_ones() {
    let pipeline = "  stages:
    - {name: lint}
    - {name: build}
    - {name: test, needs: [lint]}
    - {name: package, needs: [build, test]}
";
    let out = run(
        pipeline,
        &[("lint", vec![fail(1)]), ("build", vec![ok(10)])],
    );
    assert_eq!(out.result.verdict, Verdict::Fail);
    assert_eq!(
        outcomes(&out.result),
        vec![
            ("lint", StageOutcome::Failed),
            ("build", StageOutcome::Cancelled),
            ("test", StageOutcome::Skipped),
            ("package", StageOutcome::Skipped)
        ]
    );
    assert_eq!(
        out.dropped,
        vec!["build"],
        "the runner's future was dropped"
    );
    let build = out.result.stage("build").and_then(|s| s.reason.clone());
    assert_eq!(
        build.as_deref(),
        Some("stage `lint` failed and fail_fast is on")
    );
    assert_eq!(
        trace(&out.events),
        vec![
            "0 started lint",
            "0 started build",
            "1 failed lint",
            "1 cancelled build",
            "1 skipped test",
            "1 skipped package"
        ]
    );
    let attempts = out
        .result
        .stage("build")
        .map(|s| s.attempts.clone())
        .unwrap_or_default();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].duration_ms, 1_000);
    assert_eq!(
        out.result.summary,
        "fail: 1 stage failed (`lint`); 1 stage cancelled; 2 stages skipped"
    );
}

#[test]
fn without_fail_fast_only_dependents_are_skipped() {
    let pipeline = "  fail_fast: false
  stages:
    - {name: lint}
    - {name: build}
    - {name: test, needs: [lint]}
    - {name: report, needs: [test]}
";
    let out = run(
        pipeline,
        &[("lint", vec![fail(1)]), ("build", vec![ok(10)])],
    );
    assert_eq!(
        outcomes(&out.result),
        vec![
            ("lint", StageOutcome::Failed),
            ("build", StageOutcome::Passed),
            ("test", StageOutcome::Skipped),
            ("report", StageOutcome::Skipped)
        ]
    );
    let reasons: Vec<Option<String>> = out.result.stages.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(reasons[2].as_deref(), Some("needs `lint`, which failed"));
    assert_eq!(
        reasons[3].as_deref(),
        Some("needs `test`, which was skipped")
    );
    assert!(out.dropped.is_empty());
    assert_eq!(out.result.verdict, Verdict::Fail);
    assert_eq!(out.result.duration_ms, 10_000);
}

#[test]
fn the_run_options_override_fail_fast() {
    let pipeline = "  stages:\n    - {name: a}\n    - {name: b}\n";
    let options = RunOptions {
        fail_fast: Some(false),
        ..RunOptions::default()
    };
    let out = run_with(
        pipeline,
        &[("a", vec![fail(1)]), ("b", vec![ok(3)])],
        options,
        None,
    );
    assert_eq!(
        outcomes(&out.result),
        vec![("a", StageOutcome::Failed), ("b", StageOutcome::Passed)]
    );
}

#[test]
fn retries_wait_a_doubling_backoff() {
    let pipeline = "  stages:\n    - {name: flaky, retries: 3, backoff: 10s}\n    - {name: after, needs: [flaky]}\n";
    let out = run(pipeline, &[("flaky", vec![fail(1), fail(1), ok(1)])]);
    assert_eq!(
        trace(&out.events),
        vec![
            "0 started flaky",
            "1 retried flaky",
            "11 started flaky",
            "12 retried flaky",
            "32 started flaky",
            "33 passed flaky",
            "33 started after",
            "33 passed after"
        ]
    );
    let backoffs: Vec<u64> = out
        .events
        .iter()
        .filter_map(|e| {
            if let Event::Retried { backoff_ms, .. } = e {
                Some(*backoff_ms)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(backoffs, vec![10_000, 20_000]);
    let flaky = out.result.stage("flaky").cloned();
    let flaky = flaky.unwrap_or_else(|| panic!("flaky"));
    assert_eq!(
        flaky
            .attempts
            .iter()
            .map(|a| a.started_at_ms)
            .collect::<Vec<_>>(),
        vec![0, 11_000, 32_000]
    );
    assert_eq!(flaky.duration_ms, Some(33_000));
    assert_eq!(out.result.verdict, Verdict::Pass);
}

#[test]
fn retries_run_out() {
    let out = run(
        "  stages:\n    - {name: a, retries: 1}\n",
        &[("a", vec![fail(1)])],
    );
    let a = out
        .result
        .stage("a")
        .cloned()
        .unwrap_or_else(|| panic!("a"));
    assert_eq!(a.outcome, StageOutcome::Failed);
    assert_eq!(
        a.reason.as_deref(),
        Some("exit status 1 (after 2 attempts)")
    );
    assert_eq!(a.attempts.len(), 2);
}

#[test]
fn a_timeout_stops_the_attempt_and_counts_as_a_failure() {
    let pipeline = "  stages:\n    - {name: slow, timeout: 2s, retries: 1}\n";
    let out = run(pipeline, &[("slow", vec![ok(10), ok(1)])]);
    assert_eq!(
        trace(&out.events),
        vec![
            "0 started slow",
            "2 timed_out slow",
            "2 retried slow",
            "2 started slow",
            "3 passed slow"
        ]
    );
    assert_eq!(out.dropped, vec!["slow"]);
    let out = run(
        "  stages:\n    - {name: slow, timeout: 2s}\n",
        &[("slow", vec![ok(10)])],
    );
    let slow = out
        .result
        .stage("slow")
        .cloned()
        .unwrap_or_else(|| panic!("slow"));
    assert_eq!(slow.outcome, StageOutcome::TimedOut);
    assert_eq!(slow.reason.as_deref(), Some("timed out after 2s"));
    assert_eq!(out.result.summary, "fail: 1 stage timed out (`slow`)");
}

#[test]
fn continue_on_failure_lets_dependents_run_and_warns() {
    let pipeline = "  stages:\n    - {name: audit, continue_on_failure: true}\n    - {name: deploy, needs: [audit]}\n";
    let out = run(pipeline, &[("audit", vec![fail(1)])]);
    assert_eq!(
        outcomes(&out.result),
        vec![
            ("audit", StageOutcome::Failed),
            ("deploy", StageOutcome::Passed)
        ]
    );
    assert!(out.result.stages[0].allowed_failure);
    assert_eq!(out.result.verdict, Verdict::Warn);
    assert_eq!(
        out.result.summary,
        "warn: 1 stage failed with continue_on_failure (`audit`)"
    );
    assert!(
        matches!(&out.events[3], Event::Failed { allowed: true, .. }),
        "{:?}",
        out.events
    );
}

#[test]
fn max_parallel_is_never_exceeded() {
    let pipeline = "  max_parallel: 2
  stages:
    - {name: a}
    - {name: b}
    - {name: c}
    - {name: d}
    - {name: e}
";
    let scripts: Vec<(&str, Vec<Step>)> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| (*n, vec![ok(3)]))
        .collect();
    let out = run(pipeline, &scripts);
    assert_eq!(out.max_running, 2);
    assert_eq!(out.result.duration_ms, 9_000);
    let starts: Vec<(String, u64)> = out
        .starts
        .iter()
        .map(|(n, _, t)| (n.clone(), *t / 1000))
        .collect();
    let expected: Vec<(String, u64)> = [("a", 0), ("b", 0), ("c", 3), ("d", 3), ("e", 6)]
        .iter()
        .map(|(n, t)| ((*n).to_owned(), *t))
        .collect();
    assert_eq!(starts, expected);
    let options = RunOptions {
        max_parallel: Some(1),
        ..RunOptions::default()
    };
    let out = run_with(pipeline, &scripts, options, None);
    assert_eq!((out.max_running, out.result.duration_ms), (1, 15_000));
}

#[test]
fn exit_gates_decide_the_stage() {
    let pipeline = "  stages:
    - {name: unit, gate: tests}
    - name: perf
      personas: [qa]
      criteria: [{name: latency, pass: p95 < 500ms}]
    - {name: warned, gate: tests}
";
    let out = run_with(
        pipeline,
        &[
            (
                "unit",
                vec![reporting(1, serde_json::json!({"coverage": 95}))],
            ),
            (
                "perf",
                vec![reporting(2, serde_json::json!({"p95": "620ms"}))],
            ),
            (
                "warned",
                vec![reporting(1, serde_json::json!({"coverage": 85}))],
            ),
        ],
        RunOptions {
            fail_fast: Some(false),
            ..RunOptions::default()
        },
        None,
    );
    let unit = out
        .result
        .stage("unit")
        .cloned()
        .unwrap_or_else(|| panic!("unit"));
    assert_eq!(unit.outcome, StageOutcome::Passed);
    assert_eq!(unit.gate.as_ref().map(|g| g.verdict), Some(Verdict::Pass));
    let perf = out
        .result
        .stage("perf")
        .cloned()
        .unwrap_or_else(|| panic!("perf"));
    assert_eq!(perf.outcome, StageOutcome::Failed);
    assert_eq!(
        perf.attempts[0].outcome,
        crate::pipeline::run::AttemptOutcome::Succeeded
    );
    let gate = perf.gate.unwrap_or_else(|| panic!("a decision"));
    assert_eq!(gate.gates[0].name, "perf");
    assert_eq!(
        gate.gates[0].criteria[0].explanation,
        "p95 620ms >= 500ms (needs -120ms)"
    );
    assert_eq!(
        gate.policy.hash, out.result.policy.hash,
        "decisions name the real policy"
    );
    assert_eq!(gate.personas[0].name, "qa");
    assert_eq!(
        perf.reason.as_deref(),
        Some("exit gate `perf` failed: 1 criterion of 1 failed: `latency`")
    );
    let warned = out
        .result
        .stage("warned")
        .map(|s| (s.outcome, s.gate.as_ref().map(|g| g.verdict)));
    assert_eq!(warned, Some((StageOutcome::Passed, Some(Verdict::Warn))));
    let passed = out
        .events
        .iter()
        .find(|e| e.stage() == "warned" && e.kind() == "passed");
    assert!(
        matches!(
            passed,
            Some(Event::Passed {
                verdict: Some(Verdict::Warn),
                ..
            })
        ),
        "{passed:?}"
    );
}

#[test]
fn metrics_that_do_not_fit_fail_the_stage_with_diagnostics() {
    let out = run(
        "  stages:\n    - {name: unit, gate: tests}\n",
        &[(
            "unit",
            vec![reporting(1, serde_json::json!({"coverage": "5ms"}))],
        )],
    );
    let unit = out
        .result
        .stage("unit")
        .cloned()
        .unwrap_or_else(|| panic!("unit"));
    assert_eq!(unit.outcome, StageOutcome::Failed);
    assert_eq!(unit.diagnostics[0].code, crate::Code::InvalidMetricValue);
    assert!(
        unit.reason
            .as_deref()
            .is_some_and(|r| r.starts_with("exit gate `tests` could not be checked: "))
    );
}

#[test]
fn a_gate_without_data_fails_closed() {
    let out = run("  stages:\n    - {name: unit, gate: tests}\n", &[]);
    assert_eq!(outcomes(&out.result), vec![("unit", StageOutcome::Failed)]);
}

#[test]
fn interruption_cancels_running_and_skips_pending() {
    let out = run_with(
        DIAMOND,
        &[
            ("build", vec![ok(2)]),
            ("unit", vec![ok(1)]),
            ("e2e", vec![ok(10)]),
        ],
        RunOptions::default(),
        Some(5),
    );
    assert!(out.result.interrupted);
    assert_eq!(out.result.verdict, Verdict::Fail);
    assert_eq!(
        outcomes(&out.result),
        vec![
            ("build", StageOutcome::Passed),
            ("unit", StageOutcome::Passed),
            ("e2e", StageOutcome::Cancelled),
            ("package", StageOutcome::Skipped)
        ]
    );
    assert_eq!(
        out.result.stages[2].reason.as_deref(),
        Some("the run was interrupted")
    );
    assert_eq!(out.result.duration_ms, 5_000);
    assert_eq!(out.dropped, vec!["e2e"]);
    assert_eq!(
        out.result.summary,
        "fail: the run was interrupted; 1 stage cancelled; 1 stage skipped"
    );
}

#[test]
fn runs_are_deterministic() {
    let scripts = [
        ("build", vec![ok(2)]),
        ("unit", vec![fail(3)]),
        ("e2e", vec![ok(3)]),
    ];
    let a = run(DIAMOND, &scripts);
    let b = run(DIAMOND, &scripts);
    assert_eq!(a.events, b.events);
    assert_eq!(a.result.to_json(), b.result.to_json());
    // Simultaneous results are handled in policy order.
    assert_eq!(
        trace(&a.events)[2..],
        [
            "2 started unit",
            "2 started e2e",
            "5 failed unit",
            "5 passed e2e",
            "5 skipped package"
        ]
    );
}

#[test]
fn no_pipeline_no_run() {
    let policy = CompiledPolicy::from_text("name: t\n", None).unwrap_or_else(|e| panic!("{e}"));
    assert!(HostRun::new(&policy, &[], RunOptions::default()).is_err());
}

#[test]
fn results_serialize() {
    let out = run(DIAMOND, &[("unit", vec![fail(1)])]);
    let json: serde_json::Value = serde_json::from_str(&out.result.to_json()).unwrap_or_default();
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["stages"][1]["outcome"], "failed");
    assert_eq!(json["stages"][1]["attempts"][0]["outcome"], "failed");
    let event = serde_json::to_value(&out.events[4]).unwrap_or_default();
    assert_eq!(event["event"], "started");
}
