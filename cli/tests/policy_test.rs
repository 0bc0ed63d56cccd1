//! `kiro test` (policy test files) and informational criteria in `kiro check`'s reports, run
//! as a user runs them. Outputs are compared with committed snapshots (`insta`); regenerate
//! them with `INSTA_UPDATE=always cargo test -p kiro-cli --test policy_test` and review.

mod support;

use support::run::{assert_code, kiro, stderr, stdout};

const EXAMPLE_TESTS: &str = "examples/kova/kiro.kiro-test.yaml";
const FIXTURES: &str = "cli/tests/fixtures/policytest";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

#[test]
fn the_bundled_example_tests_pass() {
    let out = kiro(&["test", EXAMPLE_TESTS]);
    assert_code(&out, 0);
    insta::assert_snapshot!("test_example_pass", stdout(&out));
}

#[test]
fn a_folder_is_searched_for_test_files() {
    let out = kiro(&["test", "examples"]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("ok    examples/kova/kiro.kiro-test.yaml: "));
}

#[test]
fn the_example_tests_as_json() {
    let out = kiro(&["test", EXAMPLE_TESTS, "--format", "json"]);
    assert_code(&out, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["failed"], 0);
    assert_eq!(json["files"][0]["policy"], "kova-web");
    insta::assert_snapshot!("test_example_json", stdout(&out));
}

#[test]
fn a_failing_case_prints_a_diff_and_exits_1() {
    let failing = fixture("failing.kiro-test.yaml");
    let out = kiro(&["test", EXAMPLE_TESTS, &failing]);
    assert_code(&out, 1);
    insta::assert_snapshot!("test_fail_human", stdout(&out));
}

#[test]
fn failures_as_junit() {
    let failing = fixture("failing.kiro-test.yaml");
    let out = kiro(&["test", &failing, "--format", "junit"]);
    assert_code(&out, 1);
    insta::assert_snapshot!("test_fail_junit", stdout(&out));
}

#[test]
fn unknown_names_are_kiro_e177_and_exit_3() {
    let out = kiro(&["test", &fixture("unknown.kiro-test.yaml")]);
    assert_code(&out, 3);
    insta::assert_snapshot!("test_unknown_names", stderr(&out));
}

#[test]
fn a_malformed_test_file_is_kiro_e176_and_exits_3() {
    let out = kiro(&["test", &fixture("malformed.kiro-test.yaml")]);
    assert_code(&out, 3);
    insta::assert_snapshot!("test_malformed", stderr(&out));
}

#[test]
fn no_test_files_is_kiro_e178_and_exits_3() {
    let out = kiro(&["test", "docs"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E178"), "{}", stderr(&out));
    let out = kiro(&["test", "no/such/path"]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E178"), "{}", stderr(&out));
}

#[test]
fn informational_criteria_in_every_report() {
    let policy = fixture("informational.yaml");
    let metrics = fixture("informational.metrics.json");
    for format in ["human", "markdown", "junit", "json"] {
        let out = kiro(&["check", &policy, "--metrics", &metrics, "--format", format]);
        // The informational failure and the undecided one change nothing: the gate passes.
        assert_code(&out, 0);
        insta::assert_snapshot!(format!("informational_{format}"), stdout(&out));
    }
}
