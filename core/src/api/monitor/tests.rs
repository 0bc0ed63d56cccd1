#![allow(clippy::panic, reason = "tests")]

use super::*;
use serde_json::json;

const POLICY: &str = "name: t\nmetrics: {error_rate: {unit: \"%\"}}\ntriggers:\n  - {name: errors, when: error_rate > 1%, for: 1m, action: rollback}\n";

fn compiled(text: &str) -> CompiledPolicy {
    CompiledPolicy::from_text(text, None).unwrap_or_else(|e| panic!("{e}"))
}

fn observe(at_ms: u64, rate: Value) -> Value {
    json!({"type": "observe", "at_ms": at_ms, "values": {"error_rate": rate}})
}

#[test]
fn a_host_monitor_decides_as_the_core_and_resumes_from_a_snapshot() {
    let policy = compiled(POLICY);
    let events = [
        observe(0, json!(2)),
        observe(30_000, json!("NaN")),
        observe(60_000, json!(3)),
    ];
    let mut host = HostMonitor::start(&policy).expect("a monitor");
    let mut state = MonitorState::new(&policy).expect("a state");
    let mut resumed = HostMonitor::start(&policy).expect("a monitor");
    for event in &events {
        let typed = MonitorEvent::from_json(event).expect("an event");
        let core = crate::monitor::step(&mut state, &policy, &typed).expect("a decision");
        assert_eq!(host.step_value(event).expect("a decision"), core);
        assert_eq!(resumed.step(&typed).expect("a decision"), core);
        resumed =
            HostMonitor::restore(&policy, &resumed.snapshot().expect("saved")).expect("restored");
    }
    assert_eq!(host.is_ended(), state.is_ended());
    assert_eq!(host.snapshot().ok(), resumed.snapshot().ok());
    let (replayed, decisions) = HostMonitor::replay(&policy, &events).expect("replayed");
    assert_eq!(replayed.snapshot().ok(), host.snapshot().ok());
    assert_eq!(decisions.len(), 3);
    assert_eq!(
        decisions[1].triggers[0].tiers[0].observed,
        Some(crate::monitor::Observed::Nan)
    );
}

#[test]
fn refused_events_are_coded_and_change_nothing() {
    let policy = compiled(POLICY);
    let mut host = HostMonitor::start(&policy).expect("a monitor");
    host.step_value(&observe(60_000, json!(0.5)))
        .expect("a decision");
    let before = host.snapshot().expect("saved");
    for (event, code) in [
        (observe(0, json!(2)), Code::TimeWentBackwards),
        (observe(60_000, json!(2)), Code::DuplicateObservation),
        (
            json!({"type": "observe", "at_ms": 70_000, "values": {"eror_rate": 2}}),
            Code::UnknownMetric,
        ),
        (
            json!({"type": "watch", "at_ms": 70_000}),
            Code::InvalidValue,
        ),
        (json!({"type": "tick", "at_ms": -1}), Code::InvalidValue),
        (
            json!({"type": "approve", "at_ms": 70_000, "trigger": "errors", "who": "a", "persona": "p"}),
            Code::UnexpectedEvent,
        ),
    ] {
        let error = host.step_value(&event).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::Input, "{event}");
        assert!(
            error.diagnostics.iter().any(|d| d.code == code),
            "{event}: expected {code:?}, got {error:?}"
        );
        assert_eq!(host.snapshot().ok().as_deref(), Some(before.as_str()));
    }
}

#[test]
fn states_belong_to_their_policy() {
    let policy = compiled(POLICY);
    let other = compiled(&POLICY.replace("for: 1m", "for: 2m"));
    let saved = HostMonitor::start(&policy)
        .and_then(|m| m.snapshot())
        .expect("saved");
    let error = HostMonitor::restore(&other, &saved).expect_err("another policy");
    assert_eq!(error.code(), Code::StatePolicyMismatch);
    let error = HostMonitor::restore(&policy, "{}").expect_err("not a state");
    assert_eq!(error.code(), Code::InvalidState);
    let no_triggers = compiled(
        "name: n\nmetrics: {c: {}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c == 0}]}\n",
    );
    assert_eq!(
        HostMonitor::start(&no_triggers)
            .map(|_| ())
            .expect_err("no triggers")
            .code(),
        Code::NoTriggers
    );
}

#[test]
fn a_replay_names_the_refused_event() {
    let policy = compiled(POLICY);
    let error = HostMonitor::replay(&policy, &[observe(10, json!(1)), observe(5, json!(1))])
        .map(|_| ())
        .expect_err("time went backwards");
    assert_eq!(error.code(), Code::TimeWentBackwards);
    assert!(
        error
            .message
            .starts_with("KIRO-E042: event 1: time went backwards"),
        "{}",
        error.message
    );
}

#[test]
fn host_floats_keep_nan_apart_from_no_data() {
    assert_eq!(reading_number("r", f64::NAN).ok(), Some(json!("NaN")));
    assert_eq!(reading_number("r", 1.5).ok(), Some(json!(1.5)));
    let error = reading_number("r", f64::INFINITY).expect_err("infinite");
    assert_eq!(error.code(), Code::InvalidMetricValue);
    assert_eq!(
        error.diagnostics[0].message,
        "metric `r` is not a finite number"
    );
}

#[test]
fn the_call_forms_agree_and_continue_from_a_state() {
    let events = vec![observe(0, json!(2)), observe(60_000, json!(2))];
    let first = json!({"policy": POLICY, "events": [events[0]]});
    let answer = monitor_json(first.clone());
    assert_eq!(answer["ok"], json!(true));
    assert_eq!(monitor_json_str(&first.to_string()), answer.to_string());
    let state = answer["value"]["state"].clone();
    let next = monitor_json(json!({"policy": POLICY, "state": state, "events": [events[1]]}));
    let whole = monitor_json(json!({"policy": POLICY, "events": events}));
    assert_eq!(next["value"]["state"], whole["value"]["state"]);
    assert_eq!(
        next["value"]["decisions"][0],
        whole["value"]["decisions"][1]
    );
    assert_eq!(
        whole["value"]["decisions"][1]["effects"][0]["action"],
        json!("rollback")
    );

    let refused = monitor_json(json!({"policy": POLICY, "events": [{"type": "tick"}]}));
    assert_eq!(refused["error"]["code"], json!("KIRO-E003"));
    let no_events = monitor_json(json!({"policy": POLICY}));
    assert_eq!(no_events["error"]["code"], json!("KIRO-E003"));
}
