//! `kiro risk`, run as a user runs it: reports, pictures, exit statuses and diagnostics,
//! compared with committed snapshots (`INSTA_UPDATE=always cargo test -p kiro-cli --test risk`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn kiro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiro"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("the kiro binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn score_human_and_markdown() {
    let args = [
        "risk",
        "score",
        "examples/risk/policy.yaml",
        "--metrics",
        "examples/risk/metrics.json",
    ];
    let out = kiro(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("risk_score_human", stdout(&out));
    let out = kiro(&[&args[..], &["--format", "markdown"]].concat());
    insta::assert_snapshot!("risk_score_markdown", stdout(&out));
    let out = kiro(&[&args[..], &["--fail-on", "high"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let out = kiro(&[&args[..], &["--fail-on", "critical"]].concat());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn score_json_is_the_reports() {
    let out = kiro(&[
        "risk",
        "score",
        "examples/risk/policy.yaml",
        "--metrics",
        "examples/risk/metrics.json",
        "--format",
        "json",
    ]);
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(reports[0]["score"], 67.5);
    assert_eq!(reports[0]["level"], "high");
}

#[test]
fn blast_pictures() {
    for format in ["human", "dot", "mermaid"] {
        let out = kiro(&[
            "risk",
            "blast",
            "examples/risk/services.yaml",
            "--changed",
            "auth",
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        insta::assert_snapshot!(format!("risk_blast_{format}"), stdout(&out));
    }
}

#[test]
fn an_unknown_component_is_a_coded_error() {
    let out = kiro(&[
        "risk",
        "blast",
        "examples/risk/services.yaml",
        "--changed",
        "atuh",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!("risk_blast_unknown", stderr(&out));
}

#[test]
fn a_unit_mismatch_in_a_bound_points_at_it() {
    let dir = std::env::temp_dir().join(format!("kiro-risk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let policy = dir.join("policy.yaml");
    std::fs::write(
        &policy,
        "name: t\nmetrics: {p95: {unit: ms}}\nrisk:\n  models:\n    - name: m\n      factors: [{name: latency, value: p95, linear: {from: 200ms, to: 5MB}}]\n",
    )
    .expect("written");
    let out = kiro(&[
        "risk",
        "score",
        policy.to_str().expect("utf-8"),
        "--color",
        "never",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3));
    let text = stderr(&out);
    assert!(
        text.contains("error[KIRO-E012]: `to` is a size, but the factor's value is a duration"),
        "{text}"
    );
    assert!(text.contains("5MB"), "{text}");
}

#[test]
fn fit_writes_the_golden_model_and_scores_with_it() {
    let dir = std::env::temp_dir().join(format!("kiro-risk-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let model = dir.join("model.json");
    let out = kiro(&[
        "risk",
        "fit",
        "tests/fixtures/risk/changes.csv",
        "--out",
        model.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&model).expect("the model");
    let golden = std::fs::read_to_string(root().join("tests/fixtures/risk/model.json"))
        .expect("the golden model");
    assert!(written == golden, "the CLI wrote another model file");
    insta::assert_snapshot!("risk_fit_summary", stdout(&out));
    let out = kiro(&[
        "risk",
        "score-model",
        "tests/fixtures/risk/model.json",
        "tests/fixtures/risk/change.json",
    ]);
    insta::assert_snapshot!("risk_score_model", stdout(&out));
    std::fs::write(
        &model,
        written.replacen("\"lambda\": 1.0", "\"lambda\": 3.0", 1),
    )
    .expect("tampered");
    let out = kiro(&[
        "risk",
        "evaluate",
        model.to_str().expect("utf-8"),
        "tests/fixtures/risk/changes.csv",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("KIRO-E172"), "{}", stderr(&out));
}
