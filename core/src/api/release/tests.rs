//! The release at the boundary: JSON in, JSON out, coded errors, snapshot and restore.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use super::{HostRelease, release_json_str, release_plan_json_str};
use crate::policy::CompiledPolicy;
use serde_json::{Value, json};

const POLICY: &str = "name: t\npersonas: [{name: devops}]\nenvironments:\n  - {name: staging, auto_promote: true}\n  - {name: production, approval: {personas: [devops]}}\n";

#[test]
fn a_release_runs_from_json_and_resumes_from_its_snapshot() {
    let policy = CompiledPolicy::from_text(POLICY, None).unwrap();
    let events = [
        json!({"type": "start", "at_ms": 0, "version": "2", "author": "ana"}),
        json!({"type": "deployed", "at_ms": 1, "environment": "staging"}),
    ];
    let (release, decisions) = HostRelease::replay(&policy, &events).unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(
        release.next().unwrap().reason,
        "`production` needs 1 approval(s) by devops (0 given); the author ana cannot approve"
    );
    let mut resumed = HostRelease::restore(&policy, &release.snapshot().unwrap()).unwrap();
    let refused = resumed
        .step_value(&json!({"type": "approve", "at_ms": 2, "environment": "production", "who": "ana", "persona": "devops"}))
        .unwrap_err();
    assert_eq!(refused.code().as_str(), "KIRO-E107");
    let decision = resumed
        .step_value(&json!({"type": "approve", "at_ms": 3, "environment": "production", "who": "ben", "persona": "devops"}))
        .unwrap();
    assert_eq!(decision.instructions[0].name(), "deploy");
    assert!(resumed.log().iter().any(|l| l.kind == "approval"));
}

#[test]
fn the_json_forms_answer_with_data_or_a_coded_error() {
    let call = json!({"policy": POLICY, "events": [{"type": "start", "at_ms": 0, "version": "2"}]});
    let answer: Value = serde_json::from_str(&release_json_str(&call.to_string())).unwrap();
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(
        answer["value"]["decisions"][0]["instructions"][0]["type"],
        json!("deploy")
    );
    let bad = json!({"policy": POLICY, "events": [{"type": "launch", "at_ms": 0}]});
    let answer: Value = serde_json::from_str(&release_json_str(&bad.to_string())).unwrap();
    assert_eq!(answer["error"]["code"], json!("KIRO-E003"), "{answer}");
    let plan = json!({"policy": POLICY, "at_ms": 0});
    let answer: Value = serde_json::from_str(&release_plan_json_str(&plan.to_string())).unwrap();
    assert_eq!(
        answer["value"]["environments"][1]["name"],
        json!("production"),
        "{answer}"
    );
}
