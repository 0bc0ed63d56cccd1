//! The policy JSON Schema (`docs/policy.schema.json`, what editors check as you type) against
//! the engine, on the corpus:
//!
//! - every policy the engine accepts (each corpus case's policy that compiles, and the bundled
//!   examples) is valid under the schema: the schema never flags a policy kiro would run;
//! - of the invalid policies in `tests/conformance/errors/`, the schema flags what it can, and
//!   the snapshot `schema_gaps` lists the rest — what a JSON Schema cannot express (conditions,
//!   names that must exist elsewhere in the document, uniqueness, cycles) or does not yet.

#![allow(clippy::panic, reason = "a test fails by panicking")]

use kiro::document::{self, Format, Limits};
use kiro::{CompiledPolicy, parse_format};
use kiro_tests::{Case, load_cases};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn validator() -> jsonschema::Validator {
    let schema = kiro::api::policy_schema();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("the policy schema: {e}"))
}

/// A case's policy text and format, when it has inline policy text.
fn policy_of(case: &Case) -> Option<(String, Format)> {
    let text = case.spec.get("policy").and_then(Value::as_str)?;
    let format = match case.spec.get("format").and_then(Value::as_str) {
        Some(name) => parse_format(name).ok()?,
        None => Format::detect(text),
    };
    Some((text.to_owned(), format))
}

/// The policy as the JSON value the schema describes, or `None` when it does not parse.
fn instance(text: &str, format: Format) -> Option<Value> {
    let node = document::parse(text, format, &Limits::default()).ok()?;
    document::deserialize::<Value>(&node).ok()
}

/// The schema's complaints about `value`, one line each.
fn complaints(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_accepts_every_policy_the_engine_accepts() {
    let validator = validator();
    let cases = load_cases(&root().join("tests/conformance")).unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for case in &cases {
        let Some((text, format)) = policy_of(case) else {
            continue;
        };
        if CompiledPolicy::from_text(&text, Some(format)).is_err() {
            continue;
        }
        let Some(value) = instance(&text, format) else {
            continue;
        };
        checked += 1;
        let found = complaints(&validator, &value);
        if !found.is_empty() {
            wrong.push(format!("{}: {}", case.name, found.join("; ")));
        }
    }
    for example in ["examples/kova/kiro.yaml", "examples/risk/policy.yaml"] {
        let text = std::fs::read_to_string(root().join(example)).unwrap_or_default();
        let value = instance(&text, Format::Yaml).unwrap_or(Value::Null);
        let found = complaints(&validator, &value);
        if !found.is_empty() {
            wrong.push(format!("{example}: {}", found.join("; ")));
        }
        checked += 1;
    }
    assert!(checked > 300, "only {checked} valid policies found");
    assert!(
        wrong.is_empty(),
        "the schema rejects policies kiro accepts:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn what_the_schema_cannot_catch_is_listed() {
    let validator = validator();
    let cases =
        load_cases(&root().join("tests/conformance/errors")).unwrap_or_else(|e| panic!("{e}"));
    let (mut caught, mut missed) = (0, Vec::new());
    for case in &cases {
        let Some((text, format)) = policy_of(case) else {
            continue;
        };
        // Only policies the engine rejects, and that are well-formed text to begin with.
        let Err(error) = CompiledPolicy::from_text(&text, Some(format)) else {
            continue;
        };
        let Some(value) = instance(&text, format) else {
            continue;
        };
        if complaints(&validator, &value).is_empty() {
            let codes: Vec<String> = kiro::KiroError::diagnostics(&error)
                .iter()
                .map(|d| d.code.to_string())
                .collect();
            missed.push(format!("{} ({})", case.name, codes.join(", ")));
        } else {
            caught += 1;
        }
    }
    let report = format!(
        "the schema flags {caught} of {} invalid policies; it cannot flag these:\n{}\n",
        caught + missed.len(),
        missed.join("\n")
    );
    insta::assert_snapshot!("schema_gaps", report);
}
