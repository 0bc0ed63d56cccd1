//! The conformance corpus, read the same way by every runner: each case is a policy, inputs
//! and the expected decision (a subset) or error (its code, and optionally its message and
//! the policy text under each of its labels; see `tests/conformance/README.md`). A case with `plan: true` expects the
//! plan of the policy's pipeline (a subset of its JSON) instead of a decision. A case with a
//! `run:` section runs the pipeline with a scripted host on virtual time and expects a subset
//! of the run's result (and, with `expect_events`, its exact events); see
//! `tests/conformance/run/README.md`. A case with a `monitor:` section feeds the policy's
//! triggers a timeline of events and expects a subset of each decision; see
//! `tests/conformance/monitor/README.md`. A case with a `release:` section feeds the policy's
//! environments a timeline of events and expects a subset of each decision; see
//! `tests/conformance/release/README.md`. A case with a `risk:` section scores the policy's risk
//! models or a change's blast radius; see `tests/conformance/risk/README.md`. A case with an
//! `alerts:` section feeds the policy's alert engine a timeline of events
//! (`tests/conformance/alerts/README.md`). The Python, Node
//! and WebAssembly runners implement this same reading in their own test suites.

#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod alerts;
mod baseline;
mod evidence;
mod machine;
mod monitor;
mod release;
mod risk;
mod run;

use kiro::compose::Sources;
use kiro::document::{Format, Limits};
use kiro::{CompiledPolicy, Decision, Diagnostic, KiroError, Selection};
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
    let expected_error = ExpectedError::of(spec)?;
    if let Some(monitor_spec) = spec.get("monitor") {
        return match CompiledPolicy::from_text(&policy_text, format) {
            Ok(policy) => monitor::run(&policy, spec, monitor_spec),
            Err(e) => match &expected_error {
                Some(expected) => expected.check(&errors(&e), &policy_text),
                None => Err(format!("the policy does not compile: {:?}", errors(&e))),
            },
        };
    }
    if let Some(alerts_spec) = spec.get("alerts") {
        return match CompiledPolicy::from_text(&policy_text, format) {
            Ok(policy) => alerts::run(&policy, spec, alerts_spec),
            Err(e) => match &expected_error {
                Some(expected) => expected.check(&errors(&e), &policy_text),
                None => Err(format!("the policy does not compile: {:?}", errors(&e))),
            },
        };
    }
    if let Some(release_spec) = spec.get("release") {
        return match CompiledPolicy::from_text(&policy_text, format) {
            Ok(policy) => release::run(&policy, spec, release_spec),
            Err(e) => match &expected_error {
                Some(expected) => expected.check(&errors(&e), &policy_text),
                None => Err(format!("the policy does not compile: {:?}", errors(&e))),
            },
        };
    }
    if let Some(baseline_spec) = spec.get("baseline") {
        return baseline::run(&policy_text, format, spec, baseline_spec);
    }
    if let Some(evidence_spec) = spec.get("evidence") {
        return evidence::run(&policy_text, format, spec, evidence_spec, &case.dir);
    }
    if let Some(risk_spec) = spec.get("risk") {
        return risk::run(&policy_text, spec, risk_spec, &case.dir);
    }
    if spec.get("health").and_then(Value::as_bool) == Some(true) {
        let policy = CompiledPolicy::from_text(&policy_text, format);
        let report = policy.map_err(|e| errors(&e)).and_then(|policy| {
            let metrics = spec
                .get("metrics")
                .cloned()
                .unwrap_or(Value::Object(Default::default()));
            let input =
                kiro::MetricsInput::from_json(&metrics).map_err(|d| vec![Found::from(&d)])?;
            let report = policy.health_of(&input).map_err(|e| errors(&e))?;
            serde_json::to_value(&report).map_err(|e| json_error(&e))
        });
        return compare(report, expected_error, spec, &policy_text);
    }
    if let Some(run_spec) = spec.get("run") {
        let policy = CompiledPolicy::from_text(&policy_text, format)
            .map_err(|e| format!("the policy does not compile: {:?}", errors(&e)))?;
        let outcome = run::run(&policy, run_spec)?.map_err(|errors| {
            errors
                .into_iter()
                .map(|(code, message)| Found {
                    code,
                    message,
                    source: None,
                    labels: Vec::new(),
                    help: None,
                })
                .collect()
        });
        return compare_run(spec, outcome, expected_error.as_ref(), &policy_text);
    }
    // `plan: true`: the expectation is about the pipeline's plan, not a decision.
    let outcome = if spec.get("plan").and_then(Value::as_bool) == Some(true) {
        plan(&policy_text, format)
    } else {
        evaluate(spec, &policy_text, format)
            .and_then(|d| serde_json::to_value(&d).map_err(|e| json_error(&e)))
    };
    match (outcome, expected_error) {
        (Ok(actual), None) => {
            let expect = spec
                .get("expect")
                .ok_or("the case has neither `expect` nor `expect_error`")?;
            subset("$", expect, &actual).map_err(|e| format!("{e}\nfull answer: {actual}"))
        }
        (Ok(actual), Some(expected)) => {
            Err(format!("expected error {}, got: {actual}", expected.code))
        }
        (Err(errors), Some(expected)) => {
            expected.check_in(&errors, &policy_text, &imports_of(spec))
        }
        (Err(errors), None) => Err(format!("unexpected error {errors:?}")),
    }
}

/// The texts of the files the case's policy imports (`imports:`, path to text).
fn imports_of(spec: &Value) -> Sources {
    spec.get("imports")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(path, text)| Some((path.clone(), text.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// What `expect_error` asks for: `KIRO-E0xx`, or `{code, message, underlined, help}`, or a list
/// of them for every diagnostic in order. Some diagnostic of the error must have the code, and,
/// when given, exactly the message, the help and, under its labels in order, exactly the
/// `underlined` policy text. The older `expect_message: …`
/// beside a bare code is read as `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedError {
    /// The code, `KIRO-E0xx`.
    pub code: String,
    /// The diagnostic's message.
    pub message: Option<String>,
    /// The policy text under each of the diagnostic's labels.
    pub underlined: Option<Vec<String>>,
    /// The diagnostic's help.
    pub help: Option<String>,
    /// The text the diagnostic is about (`policy`, an imported file's path), when given.
    pub source: Option<String>,
    /// When `expect_error` is a list: every diagnostic, in order (this error is the first).
    pub every: Vec<ExpectedError>,
}

impl ExpectedError {
    /// The expected error of `spec`, if it expects one.
    ///
    /// # Errors
    /// A message when `expect_error` has neither shape.
    pub fn of(spec: &Value) -> Result<Option<Self>, String> {
        let legacy_message = spec
            .get("expect_message")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match spec.get("expect_error") {
            None => Ok(None),
            Some(Value::Array(items)) => {
                let every = items
                    .iter()
                    .map(|item| {
                        Self::of(&serde_json::json!({ "expect_error": item }))?
                            .ok_or_else(|| "an `expect_error` item is a code or a map".to_owned())
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                let first = every
                    .first()
                    .ok_or("`expect_error` lists at least one error")?;
                Ok(Some(Self {
                    every: every.clone(),
                    ..first.clone()
                }))
            }
            Some(Value::String(code)) => Ok(Some(Self {
                code: code.clone(),
                message: legacy_message,
                underlined: None,
                help: None,
                source: None,
                every: Vec::new(),
            })),
            Some(Value::Object(map)) => {
                let code = map
                    .get("code")
                    .and_then(Value::as_str)
                    .ok_or("`expect_error.code` is a string")?;
                let message = map.get("message").and_then(Value::as_str);
                let underlined = match map.get("underlined") {
                    None => None,
                    Some(Value::Array(items)) => Some(
                        items
                            .iter()
                            .map(|i| i.as_str().map(str::to_owned))
                            .collect::<Option<Vec<_>>>()
                            .ok_or("`expect_error.underlined` is a list of strings")?,
                    ),
                    Some(_) => return Err("`expect_error.underlined` is a list".into()),
                };
                Ok(Some(Self {
                    code: code.to_owned(),
                    message: message.map(str::to_owned).or(legacy_message),
                    underlined,
                    help: map.get("help").and_then(Value::as_str).map(str::to_owned),
                    source: map.get("source").and_then(Value::as_str).map(str::to_owned),
                    every: Vec::new(),
                }))
            }
            Some(other) => Err(format!("`expect_error` is a code or a map, not {other}")),
        }
    }

    /// Passes when some diagnostic in `errors` is what this expects; the underlined text is
    /// `policy_text` sliced at the label offsets (bytes, in Rust).
    ///
    /// # Errors
    /// What was found instead.
    pub fn check(&self, errors: &[Found], policy_text: &str) -> Result<(), String> {
        self.check_in(errors, policy_text, &Sources::new())
    }

    /// [`ExpectedError::check`] for a policy that imports `imports`: a diagnostic about an
    /// imported file (`source: lib/web.yaml`) underlines that file's text.
    ///
    /// # Errors
    /// What was found instead.
    pub fn check_in(
        &self,
        errors: &[Found],
        policy_text: &str,
        imports: &Sources,
    ) -> Result<(), String> {
        if !self.every.is_empty() {
            if errors.len() != self.every.len() {
                return Err(format!(
                    "expected {} errors, got {}: {errors:#?}",
                    self.every.len(),
                    errors.len()
                ));
            }
            for (i, (expected, found)) in self.every.iter().zip(errors).enumerate() {
                expected
                    .check_in(std::slice::from_ref(found), policy_text, imports)
                    .map_err(|e| format!("error {i}: {e}"))?;
            }
            return Ok(());
        }
        let matches = |d: &Found| {
            d.code == self.code
                && self.message.as_ref().is_none_or(|m| *m == d.message)
                && self
                    .help
                    .as_ref()
                    .is_none_or(|h| Some(h) == d.help.as_ref())
                && self
                    .source
                    .as_ref()
                    .is_none_or(|s| Some(s) == d.source.as_ref())
                && self
                    .underlined
                    .as_ref()
                    .is_none_or(|u| d.underlined(policy_text, imports).as_ref() == Some(u))
        };
        if errors.iter().any(matches) {
            return Ok(());
        }
        let found: Vec<String> = errors
            .iter()
            .map(|d| {
                format!(
                    "{} {:?} underlined {:?} help {:?}",
                    d.code,
                    d.message,
                    d.underlined(policy_text, imports),
                    d.help
                )
            })
            .collect();
        Err(format!("expected {self:?}, got {found:#?}"))
    }
}

/// A diagnostic as the runner compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Its code.
    pub code: String,
    /// Its message.
    pub message: String,
    /// What its spans point into (`policy`, `metrics`…).
    pub source: Option<String>,
    /// Its labels' offsets.
    pub labels: Vec<(usize, usize)>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Found {
    /// A problem of the case itself (not a diagnostic of kiro's), under `code`.
    #[must_use]
    pub fn case(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            source: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// The text under each label, or `None` when the diagnostic is about neither the policy
    /// text nor an imported file's (or an offset is not in it).
    fn underlined(&self, policy_text: &str, imports: &Sources) -> Option<Vec<String>> {
        let text = match self.source.as_deref() {
            Some("policy") => policy_text,
            Some(path) => imports.get(path)?,
            None => return None,
        };
        self.labels
            .iter()
            .map(|&(start, end)| text.get(start..end).map(str::to_owned))
            .collect()
    }
}

impl From<&Diagnostic> for Found {
    fn from(d: &Diagnostic) -> Self {
        Self {
            code: d.code.to_string(),
            message: d.message.clone(),
            source: d.source.clone(),
            labels: d.labels.iter().map(|l| (l.start, l.end)).collect(),
            help: d.help.clone(),
        }
    }
}

/// Checks a run's result, events or error against the case.
fn compare_run(
    spec: &Value,
    outcome: Result<(Value, Vec<String>), Errors>,
    expected_error: Option<&ExpectedError>,
    policy_text: &str,
) -> Result<(), String> {
    match (outcome, expected_error) {
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
        (Ok((result, _)), Some(expected)) => {
            Err(format!("expected error {}, got: {result}", expected.code))
        }
        (Err(errors), Some(expected)) => expected.check(&errors, policy_text),
        (Err(errors), None) => Err(format!("unexpected error {errors:?}")),
    }
}

/// Every diagnostic of an error.
type Errors = Vec<Found>;

/// An answer (or its errors) against the case's `expect` (a subset of the answer) or
/// `expect_error`.
///
/// # Errors
/// How the answer differs from the case.
pub(crate) fn compare(
    outcome: Result<Value, Errors>,
    expected_error: Option<ExpectedError>,
    case: &Value,
    policy_text: &str,
) -> Result<(), String> {
    match (outcome, expected_error) {
        (Ok(actual), None) => {
            let expect = case
                .get("expect")
                .ok_or("the case has neither `expect` nor `expect_error`")?;
            subset("$", expect, &actual).map_err(|e| format!("{e}\nfull answer: {actual}"))
        }
        (Ok(actual), Some(expected)) => {
            Err(format!("expected error {}, got: {actual}", expected.code))
        }
        (Err(found), Some(expected)) => expected.check(&found, policy_text),
        (Err(found), None) => Err(format!("unexpected error {found:?}")),
    }
}

fn errors(e: &dyn KiroError) -> Errors {
    e.diagnostics().iter().map(Found::from).collect()
}

fn plan(policy_text: &str, format: Option<Format>) -> Result<Value, Errors> {
    let policy = CompiledPolicy::from_text(policy_text, format).map_err(|e| errors(&e))?;
    let plan = policy.plan().map_err(|e| errors(&e))?;
    serde_json::to_value(plan).map_err(|e| json_error(&e))
}

fn evaluate(spec: &Value, policy_text: &str, format: Option<Format>) -> Result<Decision, Errors> {
    let one = |d: Diagnostic| vec![Found::from(&d)];
    let policy = CompiledPolicy::from_sources(policy_text, format, &imports_of(spec))
        .map_err(|e| errors(&e))?;
    let kind = spec
        .get("kind")
        .and_then(Value::as_str)
        .map(kiro::parse_kind)
        .transpose()
        .map_err(one)?;
    let selection = Selection {
        gate: spec.get("gate").and_then(Value::as_str).map(str::to_owned),
        kind,
        strict: spec.get("strict").and_then(Value::as_bool).unwrap_or(false),
    };
    let result = match spec.get("metrics_text").and_then(Value::as_str) {
        Some(text) => {
            let format = spec
                .get("metrics_format")
                .and_then(Value::as_str)
                .map_or(Ok(Format::Json), kiro::parse_format)
                .map_err(one)?;
            let result = policy.check_text(text, format, &selection);
            // Text that does not parse never reaches either path.
            if let Ok(input) = kiro::MetricsInput::parse(text, format) {
                same_verdict(&result, policy.verdict(&input, &selection))?;
            }
            result
        }
        None => {
            let metrics = spec
                .get("metrics")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({}));
            let result = policy.check_value(&metrics, &selection);
            same_verdict(&result, policy.verdict_value(&metrics, &selection))?;
            result
        }
    };
    result.map_err(|e| errors(&e))
}

/// Whether the verdict path agrees with the full check: the decision's verdict and criterion
/// outcomes, or the same error. A disagreement fails the case whatever it expects.
fn same_verdict(
    full: &Result<Decision, kiro::CheckError>,
    verdict: Result<kiro::gate::RecordVerdict, kiro::CheckError>,
) -> Result<(), Errors> {
    let agrees = match (full, &verdict) {
        (Ok(decision), Ok(fast)) => {
            let outcomes: Vec<kiro::Outcome> = decision
                .gates
                .iter()
                .flat_map(|g| g.criteria.iter().map(|c| c.outcome))
                .collect();
            decision.verdict == fast.verdict && outcomes == fast.criteria
        }
        (Err(a), Err(b)) => a.diagnostics() == b.diagnostics(),
        _ => false,
    };
    if agrees {
        Ok(())
    } else {
        Err(vec![Found::case(
            "verdict-path",
            format!("the verdict path disagrees with check: {verdict:?}"),
        )])
    }
}

/// A decision or plan that does not serialize, as an error the case cannot expect.
fn json_error(e: &serde_json::Error) -> Errors {
    vec![Found::case("json", e.to_string())]
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found() -> Vec<Found> {
        vec![Found {
            code: "KIRO-E012".to_owned(),
            message: "cannot compare".to_owned(),
            source: Some("policy".to_owned()),
            labels: vec![(6, 10)],
            help: None,
        }]
    }

    #[test]
    fn an_expected_error_checks_code_message_and_underlined_text() {
        let text = "name: 名 x";
        let expect = |e: Value| ExpectedError::of(&json!({ "expect_error": e })).expect("a case");
        let ok = expect(
            json!({"code": "KIRO-E012", "message": "cannot compare", "underlined": ["名 "]}),
        );
        assert_eq!(ok.as_ref().map(|e| e.check(&found(), text)), Some(Ok(())));
        for wrong in [
            json!({"code": "KIRO-E011"}),
            json!({"code": "KIRO-E012", "message": "cannot compar"}),
            json!({"code": "KIRO-E012", "underlined": ["名"]}),
            json!({"code": "KIRO-E012", "underlined": []}),
        ] {
            let e = expect(wrong.clone()).expect("an expected error");
            assert!(e.check(&found(), text).is_err(), "{wrong}");
        }
        let bare = expect(json!("KIRO-E012")).expect("an expected error");
        assert_eq!(bare.check(&found(), text), Ok(()));
        let legacy =
            ExpectedError::of(&json!({"expect_error": "KIRO-E012", "expect_message": "x"}));
        let legacy = legacy.expect("a case").expect("an expected error");
        assert_eq!(legacy.message.as_deref(), Some("x"));
    }
}
