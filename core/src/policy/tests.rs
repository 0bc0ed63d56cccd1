use crate::diagnostic::Code;
use crate::error::KiroError;
use crate::policy::CompiledPolicy;

fn errors(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
    match CompiledPolicy::from_text(text, None) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().to_vec(),
    }
}

#[test]
fn condition_errors_point_inside_the_condition() {
    let text = "name: t\nmetrics: {n: {}}\ngates:\n- name: g\n  kind: pre-merge\n  criteria:\n  - {name: c, pass: n > 0 and q}\n";
    let d = errors(text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::UnknownMetric);
    let span = d[0].primary_span().expect("a label");
    assert_eq!(&text[span.start..span.end], "q");
}

#[test]
fn escaped_conditions_point_at_the_whole_string_not_past_the_text() {
    // `\L` is two bytes written and three read: inner offsets cannot be mapped.
    let text = "name: t\nmetrics: {n: {}}\ngates:\n- name: g\n  kind: pre-merge\n  criteria:\n  - {name: c, pass: \"\\L\\L\\L\\L\\L\\L q\"}";
    let d = errors(text);
    assert_eq!(d[0].code, Code::UnknownMetric);
    for label in &d[0].labels {
        assert!(
            label.end <= text.len(),
            "label {label:?} past the end of {} bytes",
            text.len()
        );
        assert!(text[label.start..label.end].contains("\\L"));
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "name: t\nmetrics: {n: {unit: parsecs}}\npersonas: [{name: qa}, {name: qa}]\ngates:\n- name: g\n  kind: pre-merge\n  owners: [ops]\n  score: {pass: 80%, warn: 90%}\n  criteria:\n  - {name: c, pass: m > 0, weight: -1}\n";
    let codes: Vec<Code> = errors(text).iter().map(|d| d.code).collect();
    for code in [
        Code::UnknownUnit,
        Code::DuplicateName,
        Code::UnknownReference,
        Code::InvalidSetting,
        Code::UnknownMetric,
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
}

#[test]
fn the_hash_ignores_formatting_and_format() {
    let yaml = "name: t\nmetrics: {n: {}}\ngates:\n- {name: g, kind: pre-merge, criteria: [{name: c, pass: n > 0}]}\n";
    let json = r#"{"name": "t", "metrics": {"n": {}}, "gates": [{"name": "g", "kind": "pre-merge", "criteria": [{"name": "c", "pass": "n > 0"}]}]}"#;
    let a = CompiledPolicy::from_text(yaml, None).expect("valid");
    let b = CompiledPolicy::from_text(json, None).expect("valid");
    assert_eq!(a.hash(), b.hash());
    assert!(a.hash().starts_with("sha256:") && a.hash().len() == 7 + 64);
}
