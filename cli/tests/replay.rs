//! `kiro replay`, run as a user runs it: the decision timeline in each format, the exit status
//! by the strongest action, and bad samples pointed at their line and column.
//!
//! Timelines and diagnostics are compared with committed snapshots in `tests/snapshots/`
//! (`insta`); regenerate them with `INSTA_UPDATE=always cargo test -p kiro-cli` and review.

mod support;

use serde_json::Value;

use support::run::{assert_code, kiro, stderr, stdout};

const KOVA: &str = "examples/kova/triggers.yaml";
const KOVA_CSV: &str = "examples/kova/samples.csv";
const KOVA_JSONL: &str = "examples/kova/samples.jsonl";
const ACTIONS: &str = "cli/tests/fixtures/replay/actions.yaml";

fn fixture(name: &str) -> String {
    format!("cli/tests/fixtures/replay/{name}")
}

#[test]
fn kova_timeline_human() {
    let out = kiro(&["replay", KOVA, "--samples", KOVA_CSV]);
    assert_code(&out, 6);
    insta::assert_snapshot!("replay_kova_human", stdout(&out));
}

#[test]
fn kova_timeline_markdown() {
    let out = kiro(&[
        "replay",
        KOVA,
        "--samples",
        KOVA_CSV,
        "--format",
        "markdown",
    ]);
    assert_code(&out, 6);
    insta::assert_snapshot!("replay_kova_markdown", stdout(&out));
}

/// The picture of a replay, as a golden file; `bindings-wasm/test/picture.test.mjs` opens
/// the same picture in Chromium and measures what it shows.
#[test]
fn kova_picture_svg_and_html() {
    let svg = kiro(&["replay", KOVA, "--samples", KOVA_CSV, "--format", "svg"]);
    assert_code(&svg, 6);
    let svg = stdout(&svg);
    roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    insta::assert_snapshot!("replay_kova_svg", svg);
    let html = kiro(&["replay", KOVA, "--samples", KOVA_CSV, "--format", "html"]);
    assert_code(&html, 6);
    let html = stdout(&html);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(&svg), "the page holds the same picture");
    assert!(
        html.contains("rollback: "),
        "the actions table names the rollback"
    );
}

#[test]
fn jsonl_is_one_decision_per_line_ending_in_the_final_verdict() {
    let out = kiro(&["replay", KOVA, "--samples", KOVA_CSV, "--format", "jsonl"]);
    assert_code(&out, 6);
    let text = stdout(&out);
    let decisions: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    // Ten observations, the tenth a rollback that ends the monitor; the eleventh sample is not
    // replayed.
    assert_eq!(decisions.len(), 10);
    let times: Vec<u64> = decisions
        .iter()
        .map(|d| d["at_ms"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(
        times.first(),
        Some(&1_796_227_200_000),
        "2026-12-02T16:00:00Z in ms"
    );
    assert!(
        times.windows(2).all(|w| w[1] - w[0] == 60_000),
        "one a minute: {times:?}"
    );
    let last = decisions.last().expect("a decision");
    assert_eq!(last["final"]["reason"], "rollback");
    assert!(decisions[..9].iter().all(|d| d["final"].is_null()));
    // The source error and the NaN of the samples reach the monitor as such.
    assert_eq!(decisions[5]["triggers"][2]["tiers"][0]["observed"], "error");
    assert_eq!(decisions[3]["triggers"][1]["tiers"][0]["observed"], "nan");
    assert_eq!(
        decisions[2]["triggers"][2]["tiers"][0]["observed"],
        "missing"
    );
}

#[test]
fn csv_and_json_lines_of_the_same_samples_replay_alike() {
    let csv = kiro(&["replay", KOVA, "--samples", KOVA_CSV, "--format", "jsonl"]);
    let jsonl = kiro(&["replay", KOVA, "--samples", KOVA_JSONL, "--format", "jsonl"]);
    assert_code(&jsonl, 6);
    assert_eq!(stdout(&csv), stdout(&jsonl));
}

#[test]
fn every_samples_format_of_the_kova_deployment_replays_to_the_same_rollback() {
    let wide = kiro(&["replay", KOVA, "--samples", KOVA_CSV, "--format", "jsonl"]);
    // Long CSV holds exactly the readings of the wide file: the same decisions, byte for byte.
    let long = kiro(&[
        "replay",
        KOVA,
        "--samples",
        "examples/kova/samples-long.csv",
        "--format",
        "jsonl",
    ]);
    assert_code(&long, 6);
    assert_eq!(stdout(&wide), stdout(&long));
    // Prometheus has no source errors in its data and no booleans (0 and 1 read as false and
    // true), and promtool's series start at time 0: the same rollback by the same trigger,
    // nine minutes in.
    for (samples, start_ms) in [
        (
            "examples/kova/samples.query_range.json",
            1_796_227_200_000_u64,
        ),
        ("examples/kova/samples.promtool.yaml", 0),
    ] {
        let out = kiro(&["replay", KOVA, "--samples", samples, "--format", "jsonl"]);
        assert_code(&out, 6);
        let last: Value = stdout(&out)
            .lines()
            .last()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .expect("decisions");
        assert_eq!(last["at_ms"], start_ms + 9 * 60_000, "{samples}");
        assert_eq!(
            last["final"]["actions"],
            serde_json::json!([
                {"trigger": "error-rate", "tier": 0, "action": "rollback"},
                {"trigger": "api-errors", "tier": 0, "action": "warn"}
            ]),
            "{samples}"
        );
    }
}

#[test]
fn exit_status_is_the_strongest_action_called_for() {
    for (samples, expected) in [
        ("healthy.csv", 0),
        ("warn.csv", 4),
        ("warn-long.csv", 4),
        ("pause.csv", 5),
        ("rollback.csv", 6),
        ("rollback.json", 6),
        ("promote.csv", 7),
        ("promote.yaml", 7),
    ] {
        let out = kiro(&["replay", ACTIONS, "--samples", &fixture(samples)]);
        assert_code(&out, expected);
        assert!(stderr(&out).is_empty(), "{samples}: {}", stderr(&out));
    }
}

#[test]
fn bad_samples_are_coded_errors_at_their_line_and_column() {
    for (samples, code) in [
        ("unknown-column.csv", "KIRO-E011"),
        ("backwards.csv", "KIRO-E042"),
        ("duplicate.csv", "KIRO-E050"),
        ("bad-time.csv", "KIRO-E020"),
        ("bad-value.csv", "KIRO-E022"),
        ("ragged.csv", "KIRO-E020"),
        ("unknown-metric.jsonl", "KIRO-E011"),
        ("malformed.jsonl", "KIRO-E020"),
        ("duplicate-long.csv", "KIRO-E004"),
        ("several-series.json", "KIRO-E004"),
        ("instant-vector.json", "KIRO-E020"),
        ("bad-values.yaml", "KIRO-E020"),
        ("unknown-series.yaml", "KIRO-E011"),
    ] {
        let out = kiro(&["replay", ACTIONS, "--samples", &fixture(samples)]);
        assert_code(&out, 3);
        assert!(
            stdout(&out).is_empty(),
            "{samples}: no timeline on an error"
        );
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("error[{code}]")),
            "{samples}: {err}"
        );
        let name = samples.replace(['.', '-'], "_");
        insta::assert_snapshot!(format!("replay_error_{name}"), err);
    }
}

#[test]
fn a_policy_without_triggers_is_refused() {
    let out = kiro(&["replay", "examples/kova/kiro.yaml", "--samples", KOVA_CSV]);
    assert_code(&out, 3);
    assert!(stderr(&out).contains("KIRO-E053"), "{}", stderr(&out));
}
