//! Composed policies (docs/composition.md) as a user runs them: imported files read relative
//! to the importing file, a template with arguments, an override, the sources in the decision,
//! and an error shown at its line in the imported file. Outputs are compared with committed
//! snapshots (`insta`); regenerate them with `INSTA_UPDATE=always cargo test -p kiro-cli --test
//! compose` and review.

mod support;

use support::run::{assert_code, kiro, stderr, stdout};

const POLICY: &str = "cli/tests/fixtures/compose/kiro.yaml";
const METRICS: &str = "cli/tests/fixtures/compose/metrics.json";

#[test]
fn validate_lists_the_imported_files() {
    let out = kiro(&["validate", POLICY]);
    assert_code(&out, 0);
    insta::assert_snapshot!("compose_validate", stdout(&out));
}

#[test]
fn check_runs_the_composed_gates() {
    let out = kiro(&["check", POLICY, "--metrics", METRICS]);
    assert_code(&out, 1);
    insta::assert_snapshot!("compose_check_human", stdout(&out));
}

#[test]
fn the_decision_records_each_imported_file_and_its_hash() {
    let out = kiro(&["check", POLICY, "--metrics", METRICS, "--format", "json"]);
    assert_code(&out, 1);
    let decision: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("the decision is JSON");
    insta::assert_snapshot!(
        "compose_sources",
        serde_json::to_string_pretty(&decision["policy"]).expect("serializes")
    );
}

#[test]
fn an_error_in_an_imported_file_shows_that_file_and_line() {
    let out = kiro(&["validate", "cli/tests/fixtures/compose/broken/kiro.yaml"]);
    assert_code(&out, 3);
    insta::assert_snapshot!("compose_error_in_import", stderr(&out));
}

#[test]
fn a_bad_template_argument_and_a_missing_import_are_reported_where_written() {
    let out = kiro(&[
        "validate",
        "cli/tests/fixtures/compose/broken/arguments.yaml",
    ]);
    assert_code(&out, 3);
    insta::assert_snapshot!("compose_arguments", stderr(&out));
}

#[test]
fn the_composed_example_passes() {
    let out = kiro(&[
        "check",
        "examples/composed/kiro.yaml",
        "--metrics",
        "examples/composed/metrics.json",
    ]);
    assert_code(&out, 0);
    insta::assert_snapshot!("compose_example", stdout(&out));
}
