//! The host-driven run: requests out, completions and time in, on a scripted host.

use crate::decision::Verdict;
use crate::diagnostic::Code;
use crate::error::KiroError;
use crate::metrics::MetricsInput;
use crate::pipeline::{
    HostRequest, HostRun, HostStep, RunOptions, RunResult, StageOutcome, StageReport,
};
use crate::policy::CompiledPolicy;
use serde_json::json;

fn compile(pipeline: &str) -> CompiledPolicy {
    let text = format!(
        "name: t
metrics: {{coverage: {{unit: \"%\"}}}}
gates:
  - {{name: tests, kind: pre-merge, criteria: [{{name: cov, pass: coverage >= 90%}}]}}
pipeline:
{pipeline}"
    );
    CompiledPolicy::from_text(&text, None)
        .unwrap_or_else(|e| panic!("{:#?}", KiroError::diagnostics(&e)))
}

fn new_run(pipeline: &str, actions: &[&str], options: RunOptions) -> HostRun {
    HostRun::new(&compile(pipeline), actions, options).unwrap_or_else(|e| panic!("{e}"))
}

fn metrics(value: serde_json::Value) -> MetricsInput {
    MetricsInput::from_json(&value).unwrap_or_else(|d| panic!("{}", d.message))
}

/// The `(id, stage, attempt)` of each start in a step.
fn starts(step: &HostStep) -> Vec<(u64, String, u32)> {
    step.requests
        .iter()
        .filter_map(|r| match r {
            HostRequest::Start { id, stage, attempt } => Some((*id, stage.clone(), *attempt)),
            _ => None,
        })
        .collect()
}

fn result(run: &HostRun) -> RunResult {
    run.result()
        .cloned()
        .unwrap_or_else(|| panic!("the run is not over"))
}

#[test]
fn stages_run_in_order_and_exit_gates_check_what_the_host_reported() {
    let mut run = new_run(
        "  stages:\n    - {name: build}\n    - {name: test, needs: [build], gate: tests}\n",
        &["build", "test"],
        RunOptions::default(),
    );
    let step = run.step(0.0);
    assert_eq!(starts(&step), [(1, "build".to_owned(), 1)]);
    assert!(!step.done);
    let kinds: Vec<&str> = step.events.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["queued", "queued", "started"]);

    run.complete(1, StageReport::success(MetricsInput::default()));
    let step = run.step(1500.0);
    assert_eq!(starts(&step), [(2, "test".to_owned(), 1)]);

    run.complete(2, StageReport::success(metrics(json!({"coverage": 95}))));
    let step = run.step(4000.0);
    assert!(step.done);
    assert!(step.requests.is_empty());
    let result = result(&run);
    assert_eq!(result.verdict, Verdict::Pass);
    assert_eq!(result.duration_ms, 4000);
    let test = result.stage("test").unwrap_or_else(|| panic!("no test"));
    assert_eq!(test.started_at_ms, Some(1500));
    assert_eq!(test.duration_ms, Some(2500));
    assert_eq!(
        test.gate.as_ref().map(|d| d.verdict),
        Some(Verdict::Pass),
        "the exit gate is checked on the reported metrics"
    );
}

#[test]
fn a_failing_exit_gate_fails_the_stage() {
    let mut run = new_run(
        "  stages:\n    - {name: test, gate: tests}\n",
        &["test"],
        RunOptions::default(),
    );
    run.step(0.0);
    run.complete(1, StageReport::success(metrics(json!({"coverage": 50}))));
    assert!(run.step(1.0).done);
    let result = result(&run);
    assert_eq!(result.verdict, Verdict::Fail);
    assert_eq!(result.stages[0].outcome, StageOutcome::Failed);
}

#[test]
fn a_stage_without_an_action_succeeds_at_once() {
    let mut run = new_run(
        "  stages:\n    - {name: build}\n    - {name: test, needs: [build]}\n",
        &["test"],
        RunOptions::default(),
    );
    let step = run.step(0.0);
    assert_eq!(starts(&step), [(1, "test".to_owned(), 1)]);
    run.complete(1, StageReport::success(MetricsInput::default()));
    assert!(run.step(0.0).done);
    assert_eq!(result(&run).verdict, Verdict::Pass);
}

#[test]
fn a_timeout_sets_a_timer_and_cancels_the_attempt_when_it_is_due() {
    let mut run = new_run(
        "  stages:\n    - {name: build, timeout: 2s}\n",
        &["build"],
        RunOptions::default(),
    );
    let step = run.step(0.0);
    assert_eq!(
        step.requests,
        [
            HostRequest::Start {
                id: 1,
                stage: "build".to_owned(),
                attempt: 1
            },
            HostRequest::SetTimer { id: 2, ms: 2000 },
        ]
    );
    assert!(run.step(1999.0).requests.is_empty(), "not due yet");
    let step = run.step(2000.0);
    assert!(step.done);
    assert_eq!(step.requests, [HostRequest::Cancel { id: 1 }]);
    let result = result(&run);
    assert_eq!(result.stages[0].outcome, StageOutcome::TimedOut);
    // A late report of the cancelled attempt changes nothing.
    run.complete(1, StageReport::success(MetricsInput::default()));
    assert!(run.step(3000.0).done);
}

#[test]
fn an_attempt_that_ends_in_time_clears_its_timer() {
    let mut run = new_run(
        "  stages:\n    - {name: build, timeout: 2s}\n",
        &["build"],
        RunOptions::default(),
    );
    run.step(0.0);
    run.complete(1, StageReport::success(MetricsInput::default()));
    let step = run.step(500.0);
    assert!(step.done);
    assert_eq!(step.requests, [HostRequest::ClearTimer { id: 2 }]);
}

#[test]
fn a_host_that_fires_timers_itself_drives_retries_with_backoff() {
    let mut run = new_run(
        "  stages:\n    - {name: build, retries: 2, backoff: 1s}\n",
        &["build"],
        RunOptions::default(),
    );
    run.step(0.0);
    run.complete(1, StageReport::failure("exit status 1"));
    let step = run.step(10.0);
    assert_eq!(step.requests, [HostRequest::SetTimer { id: 2, ms: 1000 }]);
    run.fire(2);
    let step = run.step(10.0);
    assert_eq!(starts(&step), [(3, "build".to_owned(), 2)]);
    run.complete(3, StageReport::failure("exit status 1"));
    let step = run.step(20.0);
    assert_eq!(
        step.requests,
        [HostRequest::SetTimer { id: 4, ms: 2000 }],
        "the backoff doubles"
    );
    run.fire(4);
    let step = run.step(20.0);
    assert_eq!(starts(&step), [(5, "build".to_owned(), 3)]);
    run.complete(5, StageReport::success(MetricsInput::default()));
    assert!(run.step(30.0).done);
    let result = result(&run);
    assert_eq!(result.verdict, Verdict::Pass);
    assert_eq!(result.stages[0].attempts.len(), 3);
}

#[test]
fn fail_fast_cancels_the_running_attempts() {
    let mut run = new_run(
        "  stages:\n    - {name: build}\n    - {name: lint}\n    - {name: test, needs: [build]}\n",
        &["build", "lint", "test"],
        RunOptions::default(),
    );
    let step = run.step(0.0);
    assert_eq!(
        starts(&step),
        [(1, "build".to_owned(), 1), (2, "lint".to_owned(), 1)]
    );
    run.complete(2, StageReport::failure("lint errors"));
    let step = run.step(100.0);
    assert!(step.done);
    assert_eq!(step.requests, [HostRequest::Cancel { id: 1 }]);
    let outcomes: Vec<StageOutcome> = result(&run).stages.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [
            StageOutcome::Cancelled,
            StageOutcome::Failed,
            StageOutcome::Skipped
        ]
    );
}

#[test]
fn max_parallel_holds_starts_back() {
    let mut run = new_run(
        "  stages:\n    - {name: build}\n    - {name: lint}\n    - {name: test}\n",
        &["build", "lint", "test"],
        RunOptions {
            max_parallel: Some(1),
            fail_fast: None,
        },
    );
    let mut order = Vec::new();
    let mut now = 0.0;
    loop {
        let step = run.step(now);
        let started = starts(&step);
        assert!(started.len() <= 1, "{started:?}");
        for (id, stage, _) in started {
            order.push(stage);
            run.complete(id, StageReport::success(MetricsInput::default()));
        }
        if step.done {
            break;
        }
        now += 1.0;
    }
    assert_eq!(order, ["build", "lint", "test"]);
}

#[test]
fn interrupting_cancels_what_runs_and_skips_the_rest() {
    let mut run = new_run(
        "  stages:\n    - {name: build, timeout: 1h}\n    - {name: test, needs: [build]}\n",
        &["build", "test"],
        RunOptions::default(),
    );
    run.step(0.0);
    run.interrupt();
    let step = run.step(5.0);
    assert!(step.done);
    assert_eq!(
        step.requests,
        [
            HostRequest::Cancel { id: 1 },
            HostRequest::ClearTimer { id: 2 }
        ]
    );
    let result = result(&run);
    assert!(result.interrupted);
    assert_eq!(result.verdict, Verdict::Fail);
    assert_eq!(result.stages[1].outcome, StageOutcome::Skipped);
}

#[test]
fn a_run_interrupted_before_its_first_step_starts_nothing() {
    let mut run = new_run(
        "  stages:\n    - {name: build}\n",
        &["build"],
        RunOptions::default(),
    );
    run.interrupt();
    let step = run.step(0.0);
    assert!(step.done);
    assert!(step.requests.is_empty(), "{:?}", step.requests);
    let result = result(&run);
    assert!(result.interrupted);
    assert_eq!(result.stages[0].outcome, StageOutcome::Skipped);
}

#[test]
fn an_action_for_no_stage_is_an_error_with_a_suggestion() {
    let policy = compile("  stages:\n    - {name: build}\n    - {name: test}\n");
    let error = HostRun::new(&policy, &["biuld", "test", "deploy"], RunOptions::default())
        .err()
        .unwrap_or_else(|| panic!("accepted unknown actions"));
    let diagnostics = error.diagnostics();
    assert_eq!(diagnostics.len(), 2);
    assert!(diagnostics.iter().all(|d| d.code == Code::UnknownReference));
    assert_eq!(
        diagnostics[0].help.as_deref(),
        Some("did you mean `build`?")
    );
    assert!(diagnostics[1].message.contains("`deploy`"));
}

#[test]
fn a_policy_without_a_pipeline_cannot_run() {
    let policy = CompiledPolicy::from_text("name: t\n", None).unwrap_or_else(|e| panic!("{e}"));
    let error = HostRun::new(&policy, &[], RunOptions::default())
        .err()
        .unwrap_or_else(|| panic!("ran without a pipeline"));
    assert_eq!(error.diagnostics()[0].code, Code::NoPipeline);
}

#[test]
fn steps_serialize_for_hosts_that_move_json() {
    let mut run = new_run(
        "  stages:\n    - {name: build, timeout: 2s}\n",
        &["build"],
        RunOptions::default(),
    );
    let step = serde_json::to_value(run.step(0.0)).unwrap_or_default();
    assert_eq!(
        step["requests"],
        json!([
            {"type": "start", "id": 1, "stage": "build", "attempt": 1},
            {"type": "set_timer", "id": 2, "ms": 2000},
        ])
    );
    assert_eq!(step["done"], json!(false));
    assert_eq!(step["events"][0]["event"], json!("queued"));
}

#[test]
fn a_snapshot_restores_to_a_run_that_goes_on_as_if_never_stopped() {
    let pipeline =
        "  stages:\n    - {name: build, timeout: 2s}\n    - {name: test, needs: [build]}\n";
    let mut run = new_run(pipeline, &["build", "test"], RunOptions::default());
    run.step(100.0);
    let saved = run.snapshot().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        saved.starts_with(r#"{"format":1,"kind":"pipeline-run","policy":""#),
        "{saved}"
    );
    let mut restored =
        HostRun::restore(&compile(pipeline), &saved).unwrap_or_else(|e| panic!("{e}"));
    for run in [&mut run, &mut restored] {
        run.complete(1, StageReport::success(MetricsInput::default()));
        let step = run.step(600.0);
        assert_eq!(
            step.requests,
            [
                HostRequest::ClearTimer { id: 2 },
                HostRequest::Start {
                    id: 3,
                    stage: "test".to_owned(),
                    attempt: 1
                }
            ]
        );
        run.complete(3, StageReport::success(MetricsInput::default()));
        assert!(run.step(700.0).done);
    }
    assert_eq!(run.result(), restored.result());
    assert_eq!(result(&run).duration_ms, 600);
}

#[test]
fn a_snapshot_under_a_changed_policy_is_refused() {
    let mut run = new_run(
        "  stages:\n    - {name: build}\n",
        &["build"],
        RunOptions::default(),
    );
    assert_eq!(
        run.snapshot().err().map(|e| e.code()),
        Some(Code::InvalidState),
        "nothing to save before the first step"
    );
    run.step(0.0);
    let saved = run.snapshot().unwrap_or_else(|e| panic!("{e}"));
    let changed = compile("  stages:\n    - {name: build, timeout: 1m}\n");
    let error = HostRun::restore(&changed, &saved)
        .err()
        .unwrap_or_else(|| panic!("restored under a changed policy"));
    assert_eq!(error.code(), Code::StatePolicyMismatch);
    let original = compile("  stages:\n    - {name: build}\n");
    assert_eq!(
        error.diagnostics()[0].message,
        format!(
            "this state belongs to policy {}, not {}",
            original.hash(),
            changed.hash()
        )
    );
}

#[test]
fn the_machine_refuses_time_going_back_and_events_it_cannot_take() {
    use crate::pipeline::{RunEvent, RunState, step};
    let policy = compile("  stages:\n    - {name: build}\n");
    let mut state = RunState::new();
    let code = |state: &mut RunState, event| {
        step(state, &policy, event)
            .err()
            .map(|e| e.code())
            .unwrap_or_else(|| panic!("accepted"))
    };
    assert_eq!(
        code(&mut state, RunEvent::Tick { at_ms: 5 }),
        Code::UnexpectedEvent,
        "a tick before the start"
    );
    let start = RunEvent::Start {
        at_ms: 1000,
        actions: vec!["build".to_owned()],
        options: RunOptions::default(),
    };
    step(&mut state, &policy, start.clone()).unwrap_or_else(|e| panic!("{e}"));
    step(&mut state, &policy, RunEvent::Tick { at_ms: 1000 }).unwrap_or_else(|e| panic!("{e}"));
    let before = state.clone();
    assert_eq!(
        code(&mut state, RunEvent::Tick { at_ms: 999 }),
        Code::TimeWentBackwards
    );
    assert_eq!(code(&mut state, start), Code::UnexpectedEvent);
    let report = StageReport::success(MetricsInput::default());
    let unknown = RunEvent::Completed {
        at_ms: 1001,
        id: 9,
        report: report.clone(),
    };
    assert_eq!(code(&mut state, unknown), Code::UnexpectedEvent);
    assert_eq!(
        code(&mut state, RunEvent::TimerFired { at_ms: 1001, id: 1 }),
        Code::UnexpectedEvent
    );
    assert_eq!(state, before, "a refused event changes nothing");
    let done = RunEvent::Completed {
        at_ms: 1001,
        id: 1,
        report,
    };
    step(&mut state, &policy, done).unwrap_or_else(|e| panic!("{e}"));
    step(&mut state, &policy, RunEvent::Tick { at_ms: 1002 }).unwrap_or_else(|e| panic!("{e}"));
    assert!(state.finished());
    assert_eq!(
        code(&mut state, RunEvent::Interrupt { at_ms: 1003 }),
        Code::UnexpectedEvent,
        "after the end"
    );
}

#[test]
fn a_replayed_log_gives_the_same_run() {
    let pipeline = "  stages:\n    - {name: build, retries: 1, backoff: 1s}\n    - {name: test, needs: [build]}\n";
    let mut run = new_run(pipeline, &["build"], RunOptions::default());
    run.step(0.0);
    run.complete(1, StageReport::failure("exit status 1"));
    run.step(10.0);
    run.step(1010.0);
    run.complete(3, StageReport::success(metrics(json!({"coverage": 91}))));
    assert!(run.step(1500.0).done);
    let log = run.log_json().unwrap_or_else(|e| panic!("{e}"));
    let replayed = HostRun::replay(&compile(pipeline), &log).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.snapshot().ok(), run.snapshot().ok());
    assert_eq!(replayed.result(), run.result());
    assert_eq!(
        HostRun::replay(&compile(pipeline), "[{\"type\":\"tick\"}]")
            .err()
            .map(|e| e.code()),
        Some(Code::InvalidState)
    );
}

#[test]
fn a_report_saves_its_numbers_and_spans_bit_for_bit() {
    let mut metrics =
        metrics(json!({"coverage": 0.1 + 0.2, "p95": "420ms", "flaky": true, "gone": null}));
    if let Some(v) = metrics.values.get_mut("coverage") {
        v.span = crate::diagnostic::Span::new(3, 9);
    }
    let report = StageReport {
        success: true,
        metrics,
        detail: Some("ok".to_owned()),
        exit_code: None,
    };
    let text = serde_json::to_string(&report).unwrap_or_default();
    assert_eq!(
        text,
        r#"{"success":true,"metrics":{"flaky":true,"gone":null,"p95":"420ms"},"numbers":{"coverage":"0.30000000000000004"},"spans":{"coverage":[3,9]},"detail":"ok"}"#
    );
    let back: StageReport = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, report);
    for bad in [
        r#"{"success":true,"numbers":{"a":"x"}}"#,
        r#"{"success":true,"metrics":{"a":1}}"#,
        r#"{"success":true,"metrics":{"a":null},"numbers":{"a":"1"}}"#,
    ] {
        assert!(serde_json::from_str::<StageReport>(bad).is_err(), "{bad}");
    }
}
