//! `risk:` cases: a policy's risk models scored on metrics, or a change's blast radius, as
//! described in `tests/conformance/risk/README.md`.
//!
//! `risk: {metrics, changed, model, check: {}}` checks the gates at the risk `model` gives
//! (risk-based gating); the answer is the risk-gated decision.
//! `risk: {metrics, changed, model}` scores the models; the answer compared with `expect` is an
//! object of reports by model name. `risk: {blast: [a, b]}` computes the blast radius of a
//! change to `a` and `b`; the answer is the blast radius itself. Every case is scored twice and
//! must give the same bytes. `risk: {fit_file, defect_model_file}` fits the defect-risk model on a CSV
//! and answers `{same}` (the model text equals the file's); `risk: {defect_model_file (or defect_model),
//! changes}` scores changes with a model; `risk: {defect_model_file, evaluate_file}` evaluates the
//! model on labelled change data and answers the evaluation.

use super::{Errors, ExpectedError, Found, compare, errors};
use kiro::CompiledPolicy;
use serde_json::{Map, Value};
use std::path::Path;

/// Runs the `risk:` section `spec` of a case on the policy `text`.
///
/// # Errors
/// A message saying how the answer differs from the case.
pub(crate) fn run(text: &str, case: &Value, spec: &Value, dir: &Path) -> Result<(), String> {
    let expected_error = ExpectedError::of(case)?;
    let outcome = answer(text, spec, dir).and_then(|a| {
        let again = answer(text, spec, dir)?;
        if a == again {
            Ok(a)
        } else {
            Err(vec![Found::case(
                "nondeterministic",
                format!("two runs differ: {a} and {again}"),
            )])
        }
    });
    compare(outcome, expected_error, case, text)
}

fn strings(value: Option<&Value>) -> Result<Option<Vec<String>>, Errors> {
    value
        .map(|v| {
            v.as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .ok_or_else(|| vec![Found::case("case", "a list of component names is expected")])
        })
        .transpose()
}

/// The text of the case's `key` (inline) or `key_file` (relative to the case file).
fn text_of(spec: &Value, key: &str, dir: &Path) -> Result<Option<String>, Errors> {
    if let Some(text) = spec.get(key).and_then(Value::as_str) {
        return Ok(Some(text.to_owned()));
    }
    let Some(file) = spec.get(format!("{key}_file")).and_then(Value::as_str) else {
        return Ok(None);
    };
    std::fs::read_to_string(dir.join(file))
        .map(Some)
        .map_err(|e| vec![Found::case("case", format!("cannot read `{file}`: {e}"))])
}

/// A fit, an evaluation or a scoring with the defect-risk model, when the case asks for one.
fn model_answer(spec: &Value, dir: &Path) -> Result<Option<Value>, Errors> {
    let boundary = |e: kiro::BoundaryError| errors(&e);
    if let Some(csv) = text_of(spec, "fit", dir)? {
        let model = kiro::api::risk::fit_model(&csv, false).map_err(boundary)?;
        let same = text_of(spec, "defect_model", dir)?.is_some_and(|m| m == model);
        return Ok(Some(serde_json::json!({ "same": same })));
    }
    let Some(model) = text_of(spec, "defect_model", dir)? else {
        return Ok(None);
    };
    if let Some(csv) = text_of(spec, "evaluate", dir)? {
        let evaluation = kiro::api::risk::evaluate_model(&model, &csv).map_err(boundary)?;
        return Ok(Some(
            serde_json::to_value(evaluation).unwrap_or(Value::Null),
        ));
    }
    let changes = spec.get("changes").cloned().unwrap_or(Value::Null);
    let scores = kiro::api::risk::score_changes(&model, &changes).map_err(boundary)?;
    Ok(Some(serde_json::to_value(scores).unwrap_or(Value::Null)))
}

fn answer(text: &str, spec: &Value, dir: &Path) -> Result<Value, Errors> {
    if let Some(answer) = model_answer(spec, dir)? {
        return Ok(answer);
    }
    let policy = CompiledPolicy::from_text(text, None).map_err(|e| errors(&e))?;
    let json = |v: Result<Value, serde_json::Error>| {
        v.map_err(|e| vec![Found::case("json", e.to_string())])
    };
    if let Some(changed) = strings(spec.get("blast"))? {
        let blast = policy.blast_radius(&changed).map_err(|e| errors(&e))?;
        return json(serde_json::to_value(blast));
    }
    let metrics = spec
        .get("metrics")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let changed = strings(spec.get("changed"))?;
    let model = spec.get("model").and_then(Value::as_str);
    if let Some(check) = spec.get("check") {
        let selection = kiro::Selection {
            gate: check.get("gate").and_then(Value::as_str).map(str::to_owned),
            ..kiro::Selection::all()
        };
        let gated = policy
            .check_at_risk_value(
                &metrics,
                &selection,
                model.unwrap_or_default(),
                changed.as_deref(),
            )
            .map_err(|e| errors(&e))?;
        return json(serde_json::to_value(gated));
    }
    let reports = policy
        .score_risk_value(&metrics, changed.as_deref(), model)
        .map_err(|e| errors(&e))?;
    let mut out = Map::new();
    for r in reports {
        out.insert(r.model.clone(), json(serde_json::to_value(&r))?);
    }
    Ok(Value::Object(out))
}
