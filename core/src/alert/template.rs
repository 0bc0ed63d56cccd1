//! Summary and description templates (Jinja2, by `minijinja`): checked when the policy compiles,
//! rendered when an alert fires.
//!
//! A template sees `alertname`, `severity`, `owner`, `labels` (the alert's labels, a map) and
//! `metrics` (the readings of the observation that fired it, as the host gave them). Undefined
//! names are errors (minijinja's strict mode), so a template naming an unknown field or label is
//! refused when the policy compiles.

use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

/// Renders `source` with `context`.
///
/// # Errors
/// The template engine's message.
pub(crate) fn render(source: &str, context: &Value) -> Result<String, String> {
    env().render_str(source, context).map_err(|e| {
        let mut text = e.kind().to_string();
        if let Some(detail) = e.detail() {
            text.push_str(": ");
            text.push_str(detail);
        }
        text
    })
}

/// The context of a rule's templates: what [`render`] is given.
pub(crate) fn context(labels: &super::matcher::Labels, metrics: &Value) -> Value {
    let get = |k: &str| labels.get(k).cloned().map_or(Value::Null, Value::String);
    serde_json::json!({
        "alertname": get("alertname"),
        "severity": get("severity"),
        "owner": get("owner"),
        "labels": labels,
        "metrics": metrics,
    })
}
