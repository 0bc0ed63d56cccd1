//! `kiro release`: the plan of the kova example in every format (insta snapshots), and a
//! release driven through a state file with the documented exit statuses.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = "examples/kova/release.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn kiro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiro"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn release_plan_human() {
    let out = kiro(&["release", "plan", EXAMPLE, "--at", "2026-12-21T10:00:00Z"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn release_plan_markdown() {
    let out = kiro(&[
        "release",
        "plan",
        EXAMPLE,
        "--at",
        "2026-12-03T18:00:00Z",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn release_plan_mermaid() {
    let out = kiro(&[
        "release",
        "plan",
        EXAMPLE,
        "--at",
        "2026-12-03T10:00:00Z",
        "--format",
        "mermaid",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn release_plan_json_is_the_plan() {
    let out = kiro(&[
        "release",
        "plan",
        EXAMPLE,
        "--at",
        "1796299200000",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        plan["environments"][2]["window_status"]["open"],
        serde_json::json!(true)
    );
}

#[test]
fn a_release_through_a_state_file_with_its_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("release.json");
    let state = state.to_str().unwrap();
    let start = kiro(&[
        "release",
        "start",
        EXAMPLE,
        "--state",
        state,
        "--version",
        "2.4.0",
        "--author",
        "ana",
        "--at",
        "2026-12-03T09:00:00Z",
    ]);
    assert_eq!(start.status.code(), Some(0), "{}", stdout(&start));
    assert!(stdout(&start).contains("entry gate `release-build` of `staging` has no decision yet"));
    let again = kiro(&[
        "release",
        "start",
        EXAMPLE,
        "--state",
        state,
        "--version",
        "2",
    ]);
    assert_eq!(again.status.code(), Some(3));
    let gate = kiro(&[
        "release",
        "record",
        EXAMPLE,
        "--state",
        state,
        "--at",
        "2026-12-03T09:01:00Z",
        r#"{"type": "gate", "environment": "staging", "gate": "release-build", "verdict": "pass"}"#,
    ]);
    assert_eq!(gate.status.code(), Some(0));
    assert!(stdout(&gate).contains("deploy 2.4.0 to staging at 0%"));
    let refused = kiro(&[
        "release",
        "record",
        EXAMPLE,
        "--state",
        state,
        "--at",
        "2026-12-03T09:02:00Z",
        r#"{"type": "deployed", "environment": "stagin"}"#,
    ]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("KIRO-E109"));
    let abort = kiro(&[
        "release",
        "record",
        EXAMPLE,
        "--state",
        state,
        "--at",
        "2026-12-03T09:03:00Z",
        r#"{"type": "abort", "who": "ana", "reason": "wrong build"}"#,
    ]);
    assert_eq!(abort.status.code(), Some(1), "{}", stdout(&abort));
    let status = kiro(&["release", "status", EXAMPLE, "--state", state, "--log"]);
    assert_eq!(status.status.code(), Some(1));
    assert!(stdout(&status).contains("aborted by ana: wrong build"));
}

#[test]
fn replay_prints_every_decision_and_exits_9_on_a_wait_for_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(
        &events,
        "{\"type\": \"start\", \"at_ms\": 0, \"version\": \"2\", \"author\": \"ana\"}\n\
         {\"type\": \"gate\", \"at_ms\": 1, \"environment\": \"staging\", \"gate\": \"release-build\", \"verdict\": \"pass\"}\n\
         {\"type\": \"deployed\", \"at_ms\": 2, \"environment\": \"staging\"}\n",
    )
    .unwrap();
    let out = kiro(&[
        "release",
        "replay",
        EXAMPLE,
        "--events",
        events.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("scale-down delay of 30s"),
        "{}",
        stdout(&out)
    );
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "name: t\npersonas: [{name: devops}]\nenvironments: [{name: production, approval: {personas: [devops]}}]\n",
    )
    .unwrap();
    let out = kiro(&[
        "release",
        "replay",
        policy.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the gate names no environment of this policy"
    );
    std::fs::write(
        &events,
        "[{\"type\": \"start\", \"at_ms\": 0, \"version\": \"2\"}]",
    )
    .unwrap();
    let out = kiro(&[
        "release",
        "replay",
        policy.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(9), "{}", stdout(&out));
}

#[test]
fn schedule_reports_conflicts_and_suggests_slots() {
    let out = kiro(&[
        "schedule",
        EXAMPLE,
        "--releases",
        "examples/kova/releases-planned.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
    let json = kiro(&[
        "schedule",
        EXAMPLE,
        "--releases",
        "examples/kova/releases-planned.json",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["conflicted"], serde_json::json!(3));
    assert_eq!(report["releases"][4]["conflicts"], serde_json::json!([]));
}
