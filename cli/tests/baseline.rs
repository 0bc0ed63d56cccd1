//! Relative criteria from the command line: `kiro check --baseline-runs FILE` and
//! `kiro check --history DB` (the earlier runs of a real SQLite history).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const POLICY: &str = "cli/tests/fixtures/baseline/kiro.yaml";
const SLOW: &str = "cli/tests/fixtures/baseline/slow.json";
const RUNS: &str = "cli/tests/fixtures/baseline/runs.json";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `kiro` in the workspace root, without the CI's branch variables.
fn kiro(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiro"));
    cmd.args(args).current_dir(root()).stdin(Stdio::null());
    for var in [
        "GITHUB_HEAD_REF",
        "GITHUB_REF_NAME",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_COMMIT_REF_NAME",
        "BRANCH_NAME",
        "BUILDKITE_BRANCH",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("the kiro binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiro-baseline-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

#[test]
fn snapshot_baseline_explanation_from_a_runs_file() {
    let out = kiro(&["check", POLICY, "--metrics", SLOW, "--baseline-runs", RUNS]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("check_baseline_human", stdout(&out));
}

#[test]
fn a_runs_file_that_is_not_a_list_is_a_coded_error() {
    let dir = scratch("bad-runs");
    let file = dir.join("runs.json");
    std::fs::write(&file, r#"{"runs": []}"#).expect("written");
    let out = kiro(&[
        "check",
        POLICY,
        "--metrics",
        SLOW,
        "--baseline-runs",
        file.to_str().expect("UTF-8"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("KIRO-E057"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_history_gives_the_last_passing_runs_of_the_branch() {
    let dir = scratch("history");
    let db = dir.join("history.db");
    let db = db.to_str().expect("UTF-8");
    let metrics = dir.join("m.json");
    let metrics = metrics.to_str().expect("UTF-8");
    // No history yet: no baseline, and `on_missing: pass` decides.
    std::fs::write(metrics, r#"{"p95_latency": 400, "error_rate": 0.2}"#).expect("written");
    let out = kiro(&[
        "check",
        POLICY,
        "--metrics",
        metrics,
        "--history",
        db,
        "--branch",
        "main",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no baseline: no earlier passing run on main"),
        "{}",
        stdout(&out)
    );
    for (latency, branch) in [
        (400, "main"),
        (410, "main"),
        (420, "main"),
        (430, "main"),
        (440, "main"),
        (100, "feature/cart"),
    ] {
        std::fs::write(
            metrics,
            format!(r#"{{"p95_latency": {latency}, "error_rate": 0.2}}"#),
        )
        .expect("written");
        let out = kiro(&[
            "check",
            POLICY,
            "--metrics",
            metrics,
            "--record",
            db,
            "--branch",
            branch,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    // A merge request on feature/cart compared with main (the policy's branch).
    let out = kiro(&[
        "check",
        POLICY,
        "--metrics",
        SLOW,
        "--history",
        db,
        "--branch",
        "feature/cart",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("baseline(p95_latency) 420ms: avg of 5 passing runs on main, #1–#5"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
