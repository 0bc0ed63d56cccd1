//! `evidence:` cases: reports (real tools' outputs from `tests/fixtures/evidence/`, or inline
//! text) read and merged, and the policy checked on what they give, as described in
//! `tests/conformance/evidence/README.md`. The answer compared with `expect` is
//! `{"evidence": {reports, metrics}, "decision": …}`.

use super::{Errors, ExpectedError, compare, errors};
use kiro::api::{CheckOptions, HostPolicy};
use kiro::{Format, OffsetUnit};
use serde_json::{Map, Value, json};
use std::path::Path;

/// Runs the `evidence:` section `spec` of a case on the policy `text`; report files are read
/// relative to `dir`.
///
/// # Errors
/// A message saying how the answer differs from the case.
pub(crate) fn run(
    text: &str,
    format: Option<Format>,
    case: &Value,
    spec: &Value,
    dir: &Path,
) -> Result<(), String> {
    let reports = reports(spec, dir)?;
    let expected_error = ExpectedError::of(case)?;
    compare(
        answer(text, format, case, &reports),
        expected_error,
        case,
        text,
    )
}

/// The reports of the case: each `{kind, file, text}`, the text read from `file` (relative to
/// the case file) when the case does not give it.
fn reports(spec: &Value, dir: &Path) -> Result<Value, String> {
    let list = spec.as_array().ok_or("`evidence` is a list of reports")?;
    list.iter()
        .map(|report| {
            let mut report = report
                .as_object()
                .cloned()
                .ok_or("a report is `{kind, file, text}`")?;
            if !report.contains_key("text") {
                let file = report
                    .get("file")
                    .and_then(Value::as_str)
                    .ok_or("a report names its `file`")?;
                let text = std::fs::read_to_string(dir.join(file))
                    .map_err(|e| format!("cannot read report `{file}`: {e}"))?;
                report.insert("text".into(), Value::String(text));
            }
            Ok(Value::Object(report))
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Value::Array)
}

fn answer(
    text: &str,
    format: Option<Format>,
    case: &Value,
    reports: &Value,
) -> Result<Value, Errors> {
    let policy = HostPolicy::load(text, format, OffsetUnit::Utf8).map_err(|e| errors(&e))?;
    let summary =
        kiro::api::evidence::summarize(reports, OffsetUnit::Utf8).map_err(|e| errors(&e))?;
    let options = CheckOptions {
        gate: case.get("gate").and_then(Value::as_str).map(str::to_owned),
        ..CheckOptions::default()
    };
    let metrics = case
        .get("metrics")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let decision = policy
        .check_evidence(reports, &metrics, &options)
        .map_err(|e| errors(&e))?;
    Ok(json!({ "evidence": summary, "decision": decision }))
}
