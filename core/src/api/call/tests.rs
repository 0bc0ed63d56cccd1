#![allow(clippy::panic, reason = "tests")]

use super::*;
use serde_json::json;

const POLICY: &str = "name: d\nmetrics: {c: {unit: \"%\"}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c >= 90%}]}\n";

fn answer_of(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

#[test]
fn the_three_forms_agree() {
    let call = CheckCall {
        policy: POLICY.to_owned(),
        format: Value::Null,
        offsets: OffsetUnit::Utf8,
        metrics: json!({"c": 95}),
        options: json!({"kind": "pre-merge"}),
    };
    let typed = check(&call).expect("a decision");
    let as_json = check_json(serde_json::to_value(&call).expect("a call"));
    // Compared as text: serde_json's default float parsing is not correctly rounded.
    assert_eq!(check_json_str(&as_json_text(&call)), as_json.to_string());
    assert_eq!(as_json["ok"], json!(true));
    assert_eq!(
        as_json["value"],
        serde_json::to_value(&typed).expect("JSON")
    );
    assert_eq!(as_json["value"]["verdict"], json!("pass"));
}

fn as_json_text<T: Serialize>(call: &T) -> String {
    serde_json::to_string(call).expect("a call")
}

#[test]
fn bad_arguments_are_coded_input_errors() {
    let bad_format = answer_of(&check_json_str(
        &json!({"policy": POLICY, "format": "ini"}).to_string(),
    ));
    assert_eq!(bad_format["ok"], json!(false));
    assert_eq!(bad_format["error"]["kind"], json!("input"));
    assert_eq!(bad_format["error"]["code"], json!("KIRO-E007"));
    assert_eq!(
        bad_format["error"]["diagnostics"][0]["message"],
        json!("unknown format `ini`")
    );

    // The options are read before the policy is compiled: a bad kind wins over a bad policy.
    let bad_kind = answer_of(&check_json_str(
        &json!({"policy": "name: [", "options": {"kind": "pre-merj"}}).to_string(),
    ));
    assert_eq!(bad_kind["error"]["kind"], json!("input"));
    assert_eq!(bad_kind["error"]["code"], json!("KIRO-E003"));

    let options_not_object = answer_of(&check_json_str(
        &json!({"policy": POLICY, "options": "g"}).to_string(),
    ));
    assert_eq!(
        options_not_object["error"]["message"],
        json!("KIRO-E003: the options must be an object like `{gate, kind, strict}`, not a string")
    );

    let malformed = answer_of(&check_json_str("{"));
    assert_eq!(malformed["error"]["code"], json!("KIRO-E003"));
    assert_eq!(
        malformed["error"]["diagnostics"][0]["source"],
        json!("request")
    );

    let validated = answer_of(&validate_json_str(
        &json!({"policy": POLICY, "format": "ini"}).to_string(),
    ));
    assert_eq!(validated["ok"], json!(false));
    assert_eq!(validated["diagnostics"][0]["code"], json!("KIRO-E007"));
}

#[test]
fn policy_errors_are_located_in_the_units_asked_for() {
    let text = "name: \"名前 😀\"\nmetrics: {c: {unit: \"%\"}}\ngates:\n  - {name: g, kind: pre-merge, criteria: [{name: c, pass: c >= 500KB}]}\n";
    let at = text.find("500KB").expect("in the text");
    for (unit, start) in [
        ("utf8", at),
        ("utf16", text[..at].encode_utf16().count()),
        ("code_points", text[..at].chars().count()),
    ] {
        let validated = validate_json(json!({"policy": text, "offsets": unit}));
        let labels = &validated["diagnostics"][0]["labels"];
        assert!(
            labels
                .as_array()
                .is_some_and(|l| l.iter().any(|l| l["start"] == json!(start))),
            "{unit}: {labels}"
        );
        let checked = check_json(json!({"policy": text, "offsets": unit}));
        assert_eq!(
            checked["error"]["diagnostics"], validated["diagnostics"],
            "{unit}"
        );
    }
}

#[test]
fn load_batch_and_plan() {
    let info = load_json(json!({"policy": POLICY}));
    assert_eq!(info["value"]["gate_names"], json!(["g"]));
    assert_eq!(info["value"]["metric_names"], json!(["c"]));

    let batch = check_batch_json(json!({"policy": POLICY, "columns": {"c": [95, 80, null]}}));
    assert_eq!(batch["value"]["verdicts"], json!([0, 2, 2]));
    assert_eq!(batch["value"]["counts"]["fail"], json!(2));
    let ragged = check_batch_json(json!({"policy": POLICY, "columns": {"c": "95"}}));
    assert_eq!(ragged["error"]["code"], json!("KIRO-E032"));

    let no_pipeline = plan_json(json!({"policy": POLICY}));
    assert_eq!(no_pipeline["ok"], json!(false));
    assert_eq!(no_pipeline["error"]["kind"], json!("input"));
}
