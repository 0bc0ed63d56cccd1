//! `kiro alerts test` and `kiro alerts replay`, run as a user runs them. Outputs are compared
//! with committed snapshots (`insta`); regenerate them with
//! `INSTA_UPDATE=always cargo test -p kiro-cli --test alerts` and review.

mod support;

use serde_json::Value;

use support::run::{assert_code, kiro, stderr, stdout};

const POLICY: &str = "examples/kova/alerts.yaml";
const TESTS: &str = "examples/kova/alerts.test.yaml";
const SAMPLES: &str = "examples/kova/alerts-samples.csv";

#[test]
fn the_example_tests_pass() {
    let out = kiro(&["alerts", "test", TESTS]);
    assert_code(&out, 0);
    insta::assert_snapshot!("alerts_test_pass", stdout(&out));
}

#[test]
fn a_failing_test_prints_a_diff_and_exits_1() {
    let out = kiro(&[
        "alerts",
        "test",
        TESTS,
        "cli/tests/fixtures/alerts/failing.test.yaml",
    ]);
    assert_code(&out, 1);
    insta::assert_snapshot!("alerts_test_fail", stdout(&out));
}

#[test]
fn a_test_file_without_a_policy_is_a_coded_error() {
    let out = kiro(&[
        "alerts",
        "test",
        "cli/tests/fixtures/alerts/no-policy.test.yaml",
    ]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E139"), "{}", stderr(&out));
}

#[test]
fn replay_human() {
    let out = kiro(&["alerts", "replay", POLICY, "--samples", SAMPLES]);
    assert_code(&out, 0);
    insta::assert_snapshot!("alerts_replay_human", stdout(&out));
}

#[test]
fn replay_markdown() {
    let out = kiro(&[
        "alerts",
        "replay",
        POLICY,
        "--samples",
        SAMPLES,
        "--format",
        "markdown",
    ]);
    assert_code(&out, 0);
    insta::assert_snapshot!("alerts_replay_markdown", stdout(&out));
}

#[test]
fn replay_jsonl_is_one_decision_per_line() {
    let out = kiro(&[
        "alerts",
        "replay",
        POLICY,
        "--samples",
        SAMPLES,
        "--format",
        "jsonl",
    ]);
    assert_code(&out, 0);
    let text = stdout(&out);
    let decisions: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(
        decisions.len() >= 40,
        "one decision per sample, then the ticks with effects"
    );
    let notifications = decisions
        .iter()
        .flat_map(|d| d["effects"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["type"] == "notify")
        .count();
    assert_eq!(notifications, 4);
}

#[test]
fn replay_refuses_samples_of_unknown_metrics_at_their_place() {
    let out = kiro(&[
        "alerts",
        "replay",
        POLICY,
        "--samples",
        "examples/kova/samples.csv",
    ]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E011"), "{}", stderr(&out));
}

#[test]
fn replay_payloads_are_one_rendered_notification_per_line() {
    let out = kiro(&[
        "alerts",
        "replay",
        POLICY,
        "--samples",
        SAMPLES,
        "--format",
        "payloads",
    ]);
    assert_code(&out, 0);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 4);
    let pager = lines
        .iter()
        .find(|l| l["channel"] == "pagerduty")
        .expect("a page");
    assert_eq!(pager["payload"]["event_action"], "trigger");
    assert_eq!(pager["payload"]["routing_key"], "kova-api");
    let slack = lines
        .iter()
        .find(|l| l["channel"] == "slack")
        .expect("a Slack message");
    assert_eq!(slack["payload"]["channel"], "#platform-alerts");
}
