//! Golden files of the risk section's renderings: the dependency graph with a change's blast
//! radius highlighted (DOT, Mermaid), and a risk report as text and Markdown.

use kiro::CompiledPolicy;
use kiro::risk::{human, markdown, picture};

fn policy(file: &str) -> CompiledPolicy {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/risk")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("the example policy");
    CompiledPolicy::from_text(&text, None).expect("a valid policy")
}

#[test]
fn blast_radius_pictures() {
    let policy = policy("services.yaml");
    let graph = policy.risk().and_then(|r| r.graph()).expect("a graph");
    let blast = policy
        .blast_radius(&["auth".to_owned()])
        .expect("known components");
    insta::assert_snapshot!("blast_auth_dot", picture::dot(graph, Some(&blast)));
    insta::assert_snapshot!("blast_auth_mermaid", picture::mermaid(graph, Some(&blast)));
    insta::assert_snapshot!("graph_dot", picture::dot(graph, None));
}

#[test]
fn crisis_prevention_report() {
    let policy = policy("policy.yaml");
    let metrics = serde_json::json!({
        "memory_pressure": 81, "chunk_failure_rate": 1, "critical_vulns": 2
    });
    let reports = policy
        .score_risk_value(&metrics, None, None)
        .expect("valid metrics");
    insta::assert_snapshot!("crisis_human", human(&reports));
    insta::assert_snapshot!("crisis_markdown", markdown(&reports));
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/risk")
        .join(name);
    std::fs::read_to_string(&path).expect("a fixture")
}

/// The golden model file: fitting the fixture data gives it byte for byte, and it scores the
/// fixture change as recorded.
#[test]
fn golden_model_file_and_scores() {
    use kiro::risk::fit::{ChangeData, DefectModel, fit};
    let model = fit(&fixture("changes.csv"), false).expect("a model");
    assert!(
        model.to_json() == fixture("model.json"),
        "tests/fixtures/risk/model.json is not what `kiro risk fit` writes; refit it with\n  \
         kiro risk fit tests/fixtures/risk/changes.csv --out tests/fixtures/risk/model.json"
    );
    let read = DefectModel::from_json(&fixture("model.json")).expect("a valid model file");
    let change: serde_json::Value = serde_json::from_str(&fixture("change.json")).expect("json");
    let scores = read
        .score(&ChangeData::from_json(&change).expect("a change"))
        .expect("scored");
    insta::assert_json_snapshot!("golden_scores", scores);
}
