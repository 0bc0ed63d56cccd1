//! The one boundary every host wraps: typed entry points, and a JSON-string form of each for
//! hosts that only move text. Bindings convert and map errors; they hold no engine logic, and
//! the conversion rules they share are in [`convert`].

pub mod convert;

use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Format;
use crate::error::{ErrorKind, KiroError};
use crate::policy::CompiledPolicy;
use crate::policy::model::{GateKind, Policy};
use serde::Deserialize;
use serde_json::{Value, json};

/// The engine's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every problem in a policy text; empty when it is valid.
#[must_use]
pub fn validate(text: &str, format: Option<Format>) -> Vec<Diagnostic> {
    match CompiledPolicy::from_text(text, format) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().to_vec(),
    }
}

/// The JSON Schema of the policy format.
#[must_use]
pub fn policy_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or(Value::Null)
}

/// The JSON Schema of the policy format, pretty-printed with a trailing newline (the form
/// committed as `docs/policy.schema.json`).
#[must_use]
pub fn policy_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&policy_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// A decision's canonical JSON: compact, fields in declaration order, maps sorted.
#[must_use]
pub fn decision_to_json(decision: &Decision) -> String {
    // INVARIANT: decisions hold only finite floats and string-keyed maps, so this cannot fail.
    serde_json::to_string(decision).unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    policy: String,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    metrics: Value,
    #[serde(default)]
    gate: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateRequest {
    policy: String,
    #[serde(default)]
    format: Option<String>,
}

fn error_response(kind: ErrorKind, diagnostics: &[Diagnostic]) -> Value {
    let code = diagnostics.first().map_or(Code::Internal, |d| d.code);
    json!({
        "ok": false,
        "error": { "kind": kind.as_str(), "code": code.as_str(), "diagnostics": diagnostics },
    })
}

fn request_error(message: String) -> Value {
    error_response(
        ErrorKind::Input,
        &[Diagnostic::error(Code::InvalidValue, message).with_source("request")],
    )
}

/// Parses a format name (`yaml`, `json`, `toml`).
///
/// # Errors
/// [`Code::UnsupportedFormat`] for any other name.
pub fn parse_format(name: &str) -> Result<Format, Diagnostic> {
    Format::parse(name).ok_or_else(|| {
        Diagnostic::error(Code::UnsupportedFormat, format!("unknown format `{name}`"))
            .with_help("the formats are `yaml`, `json` and `toml`")
    })
}

/// Parses a gate kind name (`pre-merge`…).
///
/// # Errors
/// [`Code::InvalidValue`] for a name that is not a kind.
pub fn parse_kind(name: &str) -> Result<GateKind, Diagnostic> {
    GateKind::parse(name).ok_or_else(|| {
        let kinds = GateKind::ALL.iter().map(|k| k.as_str());
        let help = crate::diagnostic::did_you_mean(name, kinds).map_or_else(
            || {
                "the kinds are `pre-commit`, `pre-merge`, `pre-deploy`, `post-deploy` and `custom`"
                    .to_owned()
            },
            |s| format!("did you mean `{s}`?"),
        );
        Diagnostic::error(Code::InvalidValue, format!("unknown gate kind `{name}`")).with_help(help)
    })
}

/// The JSON form of a check. Request: `{"policy": text, "format": "yaml"|null, "metrics":
/// {…}, "gate": name|null, "kind": kind|null}`. Response: `{"ok": true, "decision": {…}}` or
/// `{"ok": false, "error": {"kind", "code", "diagnostics"}}`.
#[must_use]
pub fn check_json_str(request: &str) -> String {
    let response = match serde_json::from_str::<CheckRequest>(request) {
        Err(e) => request_error(format!("invalid request: {e}")),
        Ok(req) => check_request(&req),
    };
    response.to_string()
}

fn check_request(req: &CheckRequest) -> Value {
    let format = match convert::format_option(req.format.as_deref()) {
        Ok(f) => f,
        Err(e) => return error_response(e.kind, &e.diagnostics),
    };
    let selection = match convert::selection(req.gate.clone(), req.kind.as_deref()) {
        Ok(s) => s,
        Err(e) => return error_response(e.kind, &e.diagnostics),
    };
    let policy = match CompiledPolicy::from_text(&req.policy, format) {
        Ok(p) => p,
        Err(e) => return error_response(e.kind(), e.diagnostics()),
    };
    let metrics = if req.metrics.is_null() {
        json!({})
    } else {
        req.metrics.clone()
    };
    match policy.check_value(&metrics, &selection) {
        Ok(decision) => json!({ "ok": true, "decision": decision }),
        Err(e) => error_response(e.kind(), e.diagnostics()),
    }
}

/// The JSON form of validation. Request: `{"policy": text, "format": "yaml"|null}`.
/// Response: `{"ok": bool, "diagnostics": […]}`.
#[must_use]
pub fn validate_json_str(request: &str) -> String {
    let response = match serde_json::from_str::<ValidateRequest>(request) {
        Err(e) => request_error(format!("invalid request: {e}")),
        Ok(req) => match convert::format_option(req.format.as_deref()) {
            Err(e) => json!({ "ok": false, "diagnostics": e.diagnostics }),
            Ok(format) => {
                let diagnostics = validate(&req.policy, format);
                json!({ "ok": diagnostics.is_empty(), "diagnostics": diagnostics })
            }
        },
    };
    response.to_string()
}
