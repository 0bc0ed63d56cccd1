//! `kiro status`, run as a user runs it, on the kova example (`examples/kova/alerts.yaml`, its
//! health panels and alert rules) with the recorded samples as history. Outputs are compared
//! with committed snapshots (`insta`); regenerate them with
//! `INSTA_UPDATE=always cargo test -p kiro-cli --test status` and review.

mod support;

use serde_json::Value;

use support::run::{assert_code, kiro, stderr, stdout};

const POLICY: &str = "examples/kova/alerts.yaml";
const METRICS: &str = "examples/kova/status-metrics.json";
const SAMPLES: &str = "examples/kova/alerts-samples.csv";
/// A moment when HighErrorRate fires and SlowResponses is pending, and the metrics then.
const AT: &str = "2026-12-02T16:12:00Z";
const INCIDENT: &str = "cli/tests/fixtures/status/incident.json";

fn status(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["status", POLICY, "--metrics", METRICS];
    args.extend_from_slice(extra);
    kiro(&args)
}

/// `kiro status` during the incident, at [`AT`].
fn incident(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "status",
        POLICY,
        "--metrics",
        INCIDENT,
        "--samples",
        SAMPLES,
        "--at",
        AT,
    ];
    args.extend_from_slice(extra);
    kiro(&args)
}

#[test]
fn human_with_history_lists_the_active_alerts() {
    let out = incident(&[]);
    assert_code(&out, 1);
    insta::assert_snapshot!("status_human", stdout(&out));
}

#[test]
fn markdown_with_history() {
    let out = incident(&["--format", "markdown"]);
    assert_code(&out, 1);
    insta::assert_snapshot!("status_markdown", stdout(&out));
}

#[test]
fn html_with_history() {
    let out = incident(&["--format", "html"]);
    assert_code(&out, 1);
    insta::assert_snapshot!("status_html", stdout(&out));
}

#[test]
fn without_history_the_alerts_are_not_evaluated_and_there_is_no_chart() {
    let out = status(&["--format", "html"]);
    assert_code(&out, 0);
    let html = stdout(&out);
    assert!(html.contains("Not evaluated"), "{html}");
    assert!(html.contains("class=\"gauge\"") && !html.contains("class=\"chart\""));
    let out = status(&[]);
    insta::assert_snapshot!("status_human_no_history", stdout(&out));
}

#[test]
fn the_moment_defaults_to_the_last_sample_and_json_is_the_report() {
    let out = status(&["--samples", SAMPLES, "--format", "json"]);
    assert_code(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("the report is JSON");
    // 2026-12-02T16:39:00Z, the last row.
    assert_eq!(report["at_ms"], 1_796_229_540_000_u64);
    assert_eq!(report["status"], "warning");
    assert_eq!(report["alerts"], serde_json::json!([]));
    let history = report["history"].as_array().expect("a history");
    assert_eq!(history[0]["metric"], "error_rate");
    assert_eq!(history[0]["points"].as_array().expect("points").len(), 40);
}

#[test]
fn exit_codes_follow_kiro_check() {
    // The worst panel is `warning` (p95 latency 310ms > 300ms): 0, or 2 with --fail-on-warn.
    assert_code(&status(&[]), 0);
    assert_code(&status(&["--fail-on-warn"]), 2);
    // Critical (error rate 2.4% > 1%): 1.
    let out = incident(&[]);
    assert_code(&out, 1);
    assert!(stdout(&out).contains("CRITICAL"), "{}", stdout(&out));
}

#[test]
fn a_policy_without_health_is_a_coded_error() {
    let out = kiro(&[
        "status",
        "examples/kova/kiro.yaml",
        "--metrics",
        "examples/kova/metrics/pass.json",
    ]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E030"), "{}", stderr(&out));
}

#[test]
fn a_bad_moment_is_an_error() {
    let out = status(&["--at", "yesterday"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("is not a time"), "{}", stderr(&out));
}

#[test]
fn the_page_is_written_with_dash_o() {
    let dir = std::env::temp_dir().join(format!("kiro-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join("status.html");
    let out = incident(&[
        "--format",
        "html",
        "-o",
        path.to_str().expect("a UTF-8 path"),
    ]);
    assert_code(&out, 1);
    let written = std::fs::read_to_string(&path).expect("the page");
    assert!(written.starts_with("<!doctype html>"));
    let _ = std::fs::remove_dir_all(&dir);
}
