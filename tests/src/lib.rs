//! The conformance corpus, read the same way by every runner: each case is a policy, inputs
//! and the expected decision (a subset) or error code. A case with `plan: true` expects the
//! plan of the policy's pipeline (a subset of its JSON) instead of a decision. A case with a
//! `run:` section runs the pipeline with a scripted host on virtual time and expects a subset
//! of the run's result (and, with `expect_events`, its exact events); see
//! `tests/conformance/run/README.md`. The Python, Node and WebAssembly runners implement this
//! same reading in their own test suites.

mod run;

use kiro::document::{Format, Limits};
use kiro::{CompiledPolicy, Decision, KiroError, Selection};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One conformance case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `file.yaml: case name`.
    pub name: String,
    /// The case as written.
    pub spec: Value,
    /// The folder of the case file, for `policy_file` paths.
    pub dir: PathBuf,
}

/// Every case under `root`, sorted by file then position.
///
/// # Errors
/// A message for a case file that cannot be read or is not a `cases:` list.
pub fn load_cases(root: &Path) -> Result<Vec<Case>, String> {
    let mut files = Vec::new();
    collect(root, &mut files).map_err(|e| format!("{}: {e}", root.display()))?;
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let doc: Value = kiro::document::load(&text, Format::Yaml, &Limits::default())
            .map_err(|d| format!("{}: {d}", file.display()))?;
        let list = doc
            .get("cases")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: expected a top-level `cases:` list", file.display()))?;
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for spec in list {
            let name = spec
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)");
            cases.push(Case {
                name: format!("{rel}: {name}"),
                spec: spec.clone(),
                dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
            });
        }
    }
    Ok(cases)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs one case against the engine.
///
/// # Errors
/// A message saying how the engine's answer differs from the expectation.
pub fn run_case(case: &Case) -> Result<(), String> {
    let spec = &case.spec;
    let str_field = |key: &str| spec.get(key).and_then(Value::as_str);
    let policy_text = match (str_field("policy"), str_field("policy_file")) {
        (Some(text), _) => text.to_owned(),
        (None, Some(file)) => std::fs::read_to_string(case.dir.join(file))
            .map_err(|e| format!("cannot read policy_file `{file}`: {e}"))?,
        (None, None) => return Err("the case has neither `policy` nor `policy_file`".into()),
    };
    let format = str_field("format")
        .map(kiro::parse_format)
        .transpose()
        .map_err(|d| d.to_string())?;
    let expected_error = str_field("expect_error");
    if let Some(run_spec) = spec.get("run") {
        let policy = CompiledPolicy::from_text(&policy_text, format)
            .map_err(|e| format!("the policy does not compile: {:?}", errors(&e)))?;
        let outcome = run::run(&policy, run_spec)?;
        return compare_run(spec, outcome);
    }
    // `plan: true`: the expectation is about the pipeline's plan, not a decision.
    let outcome = if spec.get("plan").and_then(Value::as_bool) == Some(true) {
        plan(&policy_text, format)
    } else {
        evaluate(spec, &policy_text, format).and_then(|d| {
            serde_json::to_value(&d).map_err(|e| vec![("json".to_owned(), e.to_string())])
        })
    };
    match (outcome, expected_error) {
        (Ok(actual), None) => {
            let expect = spec
                .get("expect")
                .ok_or("the case has neither `expect` nor `expect_error`")?;
            subset("$", expect, &actual).map_err(|e| format!("{e}\nfull answer: {actual}"))
        }
        (Ok(actual), Some(code)) => Err(format!("expected error {code}, got: {actual}")),
        (Err(errors), Some(code)) if errors.iter().any(|(c, _)| c == code) => {
            expected_message(spec, code, &errors)
        }
        (Err(errors), _) => Err(format!("unexpected error {errors:?}")),
    }
}

/// Checks a run's result, events or error against the case.
fn compare_run(spec: &Value, outcome: run::RunOutcome) -> Result<(), String> {
    match (outcome, spec.get("expect_error").and_then(Value::as_str)) {
        (Ok((result, events)), None) => {
            if let Some(expect) = spec.get("expect") {
                subset("$", expect, &result).map_err(|e| format!("{e}\nfull result: {result}"))?;
            }
            if let Some(expected) = spec.get("expect_events") {
                let expected: Vec<&str> = expected
                    .as_array()
                    .ok_or("`expect_events` is a list")?
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                if expected != events {
                    return Err(format!(
                        "events differ\nexpected: {expected:#?}\ngot: {events:#?}"
                    ));
                }
            }
            Ok(())
        }
        (Ok((result, _)), Some(code)) => Err(format!("expected error {code}, got: {result}")),
        (Err(errors), Some(code)) if errors.iter().any(|(c, _)| c == code) => {
            expected_message(spec, code, &errors)
        }
        (Err(errors), _) => Err(format!("unexpected error {errors:?}")),
    }
}

/// `expect_message`: one of the diagnostics with code `code` has exactly this message.
fn expected_message(spec: &Value, code: &str, errors: &Errors) -> Result<(), String> {
    match spec.get("expect_message").and_then(Value::as_str) {
        Some(message) if !errors.iter().any(|(c, m)| c == code && m == message) => Err(format!(
            "expected {code} with message {message:?}, got {errors:?}"
        )),
        _ => Ok(()),
    }
}

/// The code and message of every diagnostic of an error.
type Errors = Vec<(String, String)>;

fn errors(e: &dyn KiroError) -> Errors {
    e.diagnostics()
        .iter()
        .map(|d| (d.code.to_string(), d.message.clone()))
        .collect()
}

fn plan(policy_text: &str, format: Option<Format>) -> Result<Value, Errors> {
    let policy = CompiledPolicy::from_text(policy_text, format).map_err(|e| errors(&e))?;
    let plan = policy.plan().map_err(|e| errors(&e))?;
    serde_json::to_value(plan).map_err(|e| vec![("json".to_owned(), e.to_string())])
}

fn evaluate(spec: &Value, policy_text: &str, format: Option<Format>) -> Result<Decision, Errors> {
    let one = |d: kiro::Diagnostic| vec![(d.code.to_string(), d.message)];
    let policy = CompiledPolicy::from_text(policy_text, format).map_err(|e| errors(&e))?;
    let kind = spec
        .get("kind")
        .and_then(Value::as_str)
        .map(kiro::parse_kind)
        .transpose()
        .map_err(one)?;
    let selection = Selection {
        gate: spec.get("gate").and_then(Value::as_str).map(str::to_owned),
        kind,
    };
    let result = match spec.get("metrics_text").and_then(Value::as_str) {
        Some(text) => {
            let format = spec
                .get("metrics_format")
                .and_then(Value::as_str)
                .map_or(Ok(Format::Json), kiro::parse_format)
                .map_err(one)?;
            policy.check_text(text, format, &selection)
        }
        None => {
            let metrics = spec
                .get("metrics")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({}));
            policy.check_value(&metrics, &selection)
        }
    };
    result.map_err(|e| errors(&e))
}

/// Whether `expected` is a subset of `actual`: objects key by key, arrays element-wise with
/// equal length, numbers by value, everything else by equality.
///
/// # Errors
/// The path of the first difference and what differs.
pub fn subset(path: &str, expected: &Value, actual: &Value) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let inner = format!("{path}.{key}");
                let got = a
                    .get(key)
                    .ok_or_else(|| format!("{inner}: missing in the decision"))?;
                subset(&inner, value, got)?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}",
                    e.len(),
                    a.len()
                ));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .try_for_each(|(i, (x, y))| subset(&format!("{path}[{i}]"), x, y))
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}
