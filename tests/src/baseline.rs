//! `baseline:` cases: the policy checked with earlier runs as input, as described in
//! `tests/conformance/baseline/README.md`. The section is `{history: [...], branch}`; both go
//! to `check` as the options of the same names, so the case reads exactly as a host calls it.
//! The verdict path is run on the same input too and must agree.

use super::{Errors, ExpectedError, compare, errors, same_verdict};
use kiro::api::HostPolicy;
use kiro::document::Format;
use kiro::{KiroError, OffsetUnit};
use serde_json::{Map, Value};

/// Runs the `baseline:` section `spec` of a case on the policy `text`.
///
/// # Errors
/// A message saying how the answer differs from the case.
pub(crate) fn run(
    text: &str,
    format: Option<Format>,
    case: &Value,
    spec: &Value,
) -> Result<(), String> {
    let expected_error = ExpectedError::of(case)?;
    compare(answer(text, format, case, spec), expected_error, case, text)
}

fn answer(text: &str, format: Option<Format>, case: &Value, spec: &Value) -> Result<Value, Errors> {
    let policy = HostPolicy::load(text, format, OffsetUnit::Utf8).map_err(|e| errors(&e))?;
    let mut options = Map::new();
    for key in ["history", "branch"] {
        if let Some(v) = spec.get(key) {
            options.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(gate) = case.get("gate") {
        options.insert("gate".to_owned(), gate.clone());
    }
    let options = Value::Object(options);
    let metrics = case
        .get("metrics")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let full = policy.check(&metrics, &options);
    let fast = policy.verdict_value(&metrics, &options);
    let input = |e: kiro::BoundaryError| kiro::CheckError::Input(e.diagnostics().to_vec());
    same_verdict(&full.clone().map_err(input), fast.map_err(input))?;
    let decision = full.map_err(|e| errors(&e))?;
    serde_json::to_value(&decision).map_err(|e| super::json_error(&e))
}
