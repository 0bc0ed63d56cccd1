//! The operations as calls and answers, for hosts that move data rather than objects (a JSON
//! string over a process boundary, a WebAssembly host that keeps no handle): each has a typed
//! form (a call struct in, a `Result` out), a `_json` form (`serde_json::Value` in and out) and
//! a `_json_str` form (text in and out), in the manner of cedar's `ffi` module. The answer of
//! the JSON forms is `{"ok": true, "value": …}` or `{"ok": false, "error": {kind, code, message,
//! diagnostics}}`; validation answers `{"ok", "diagnostics"}`.
//!
//! Options in a call (`format`, `options`) are host values decoded by [`super::options`], like
//! the ones the bindings pass, so a wrong option gives the same error here as in every host.

use super::host::{HostPolicy, validate_text};
use super::options::{CheckOptions, decode_format, format_schema};
use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic, OffsetUnit};
use crate::error::{BoundaryError, CheckError, ErrorKind};
use crate::gate::{Batch, BatchCounts, ColumnBuilder};
use crate::pipeline::Plan;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A policy to load: its text, its format and the unit offsets in errors are counted in.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
}

impl LoadCall {
    fn load(&self) -> Result<HostPolicy, BoundaryError> {
        load_policy(&self.policy, &self.format, self.offsets)
    }
}

pub(super) fn load_policy(
    text: &str,
    format: &Value,
    unit: OffsetUnit,
) -> Result<HostPolicy, BoundaryError> {
    HostPolicy::load(text, decode_format(format)?, unit)
}

/// What a loaded policy is: its name, hash, metrics and gates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyInfo {
    /// The policy's name.
    pub name: String,
    /// `sha256:` and the hex SHA-256 of the policy's canonical JSON.
    pub hash: String,
    /// The declared metric names, sorted.
    pub metric_names: Vec<String>,
    /// The gate names, in policy order.
    pub gate_names: Vec<String>,
}

/// A check of one set of metrics.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// The metrics: an object of names to values (absent or null: none).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub metrics: Value,
    /// `{gate, kind, strict}`: which gates to evaluate (absent or null: all), and whether
    /// undeclared input names are errors.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(with = "Option<CheckOptions>")]
    pub options: Value,
}

/// A check of many records given as columns.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchCall {
    /// The policy text.
    pub policy: String,
    /// `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
    /// Metric names to columns of numbers, booleans and nulls, all of one length.
    pub columns: Map<String, Value>,
    /// `{gate, kind, strict}`: which gates to evaluate (absent or null: all), and whether
    /// undeclared input names are errors.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(with = "Option<CheckOptions>")]
    pub options: Value,
}

/// The verdicts of a batch check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchVerdicts {
    /// One code per record: 0 pass, 1 warn, 2 fail, 3 error.
    pub verdicts: Vec<u8>,
    /// How many records got each verdict.
    pub counts: BatchCounts,
}

/// An error as the JSON forms answer it: what every binding's exception carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorAnswer {
    /// What went wrong: `policy`, `input`, `evaluation` or `internal`.
    pub kind: ErrorKind,
    /// The code of the first diagnostic.
    pub code: Code,
    /// The first diagnostic, and how many more there are.
    pub message: String,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

impl From<BoundaryError> for ErrorAnswer {
    fn from(error: BoundaryError) -> Self {
        Self {
            kind: error.kind,
            code: error.code(),
            message: error.message,
            diagnostics: error.diagnostics,
        }
    }
}

/// The answer of an operation's JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "{T}Answer")]
pub struct Answer<T> {
    /// Whether the operation succeeded.
    pub ok: bool,
    /// What it gave, when it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<T>,
    /// Why it failed, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorAnswer>,
}

impl<T> From<Result<T, BoundaryError>> for Answer<T> {
    fn from(result: Result<T, BoundaryError>) -> Self {
        match result {
            Ok(value) => Self {
                ok: true,
                value: Some(value),
                error: None,
            },
            Err(error) => Self {
                ok: false,
                value: None,
                error: Some(error.into()),
            },
        }
    }
}

/// The answer of validation: every problem found, none for a valid policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ValidateAnswer {
    /// Whether the policy is valid.
    pub ok: bool,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads a policy and says what it is.
///
/// # Errors
/// A policy error for text that does not compile; an input error for a bad format.
pub fn load(call: &LoadCall) -> Result<PolicyInfo, BoundaryError> {
    let policy = call.load()?;
    let compiled = policy.compiled();
    let owned = |names: Vec<&str>| names.into_iter().map(str::to_owned).collect();
    Ok(PolicyInfo {
        name: compiled.name().to_owned(),
        hash: compiled.hash().to_owned(),
        metric_names: owned(compiled.metric_names()),
        gate_names: owned(compiled.gate_names()),
    })
}

/// Every problem in a policy.
#[must_use]
pub fn validate(call: &LoadCall) -> ValidateAnswer {
    let diagnostics = match decode_format(&call.format) {
        Ok(format) => validate_text(&call.policy, format, call.offsets),
        Err(e) => e.diagnostics,
    };
    ValidateAnswer {
        ok: diagnostics.is_empty(),
        diagnostics,
    }
}

/// Checks one set of metrics.
///
/// # Errors
/// As [`HostPolicy::check`], and a policy error for a policy that does not compile.
pub fn check(call: &CheckCall) -> Result<Decision, BoundaryError> {
    let options = CheckOptions::decode(&call.options)?;
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    let empty = Value::Object(Map::new());
    let metrics = if call.metrics.is_null() {
        &empty
    } else {
        &call.metrics
    };
    policy.check_with(metrics, &options)
}

/// Checks many records given as columns.
///
/// # Errors
/// As [`HostPolicy::check_batch`], an input error for columns that are not a batch, and a
/// policy error for a policy that does not compile.
pub fn check_batch(call: &BatchCall) -> Result<BatchVerdicts, BoundaryError> {
    let policy = load_policy(&call.policy, &call.format, call.offsets)?;
    let batch = batch_of(&call.columns)?;
    let result = policy.check_batch(&batch, &call.options)?;
    Ok(BatchVerdicts {
        verdicts: result.verdicts,
        counts: result.counts,
    })
}

/// The plan of a policy's pipeline.
///
/// # Errors
/// As [`HostPolicy::plan`], and a policy error for a policy that does not compile.
pub fn plan(call: &LoadCall) -> Result<Plan, BoundaryError> {
    call.load()?.plan().cloned()
}

/// JSON columns as a batch: each an array of numbers, booleans and nulls.
fn batch_of(columns: &Map<String, Value>) -> Result<Batch, BoundaryError> {
    let mut read = Vec::with_capacity(columns.len());
    for (name, values) in columns {
        let Value::Array(values) = values else {
            return Err(
                CheckError::invalid_batch(format!("column `{name}` is not an array")).into(),
            );
        };
        let mut column = ColumnBuilder::new(name, values.len());
        for (i, value) in values.iter().enumerate() {
            match value {
                Value::Null => column.push_missing(),
                Value::Bool(b) => column.push_bool(*b)?,
                Value::Number(n) => column.push_number(n.as_f64().unwrap_or(f64::NAN))?,
                _ => {
                    return Err(CheckError::invalid_batch(format!(
                        "column `{name}` item {i} is not a number, boolean or null"
                    ))
                    .into());
                }
            }
        }
        read.push((name.clone(), column.finish()));
    }
    Ok(Batch::from_columns(read)?)
}

/// The call in `value`, or the input error a malformed call is (`KIRO-E003`, source
/// `request`).
fn call_of<C: DeserializeOwned>(value: Value) -> Result<C, BoundaryError> {
    serde_json::from_value(value).map_err(|e| {
        BoundaryError::new(
            ErrorKind::Input,
            Diagnostic::error(Code::InvalidValue, format!("invalid request: {e}"))
                .with_source("request"),
        )
    })
}

fn to_json<T: Serialize>(value: &T) -> Value {
    // INVARIANT: answers hold only strings, finite numbers and string-keyed maps.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

pub(super) fn answer<C: DeserializeOwned, T: Serialize>(
    value: Value,
    operation: impl FnOnce(&C) -> Result<T, BoundaryError>,
) -> Value {
    to_json(&Answer::from(
        call_of(value).and_then(|call| operation(&call)),
    ))
}

pub(super) fn text_form(text: &str, json_form: impl FnOnce(Value) -> Value) -> String {
    let value = match serde_json::from_str(text) {
        Ok(value) => json_form(value),
        Err(e) => to_json(&Answer::<()>::from(Err(BoundaryError::new(
            ErrorKind::Input,
            Diagnostic::error(Code::InvalidValue, format!("invalid request: {e}"))
                .with_source("request"),
        )))),
    };
    value.to_string()
}

/// [`load`] on a JSON call ([`LoadCall`]), answering an [`Answer`] of [`PolicyInfo`].
#[must_use]
pub fn load_json(call: Value) -> Value {
    answer(call, load)
}

/// [`load_json`] on JSON text.
#[must_use]
pub fn load_json_str(call: &str) -> String {
    text_form(call, load_json)
}

/// [`validate`] on a JSON call ([`LoadCall`]), answering a [`ValidateAnswer`].
#[must_use]
pub fn validate_json(call: Value) -> Value {
    match call_of::<LoadCall>(call) {
        Ok(call) => to_json(&validate(&call)),
        Err(e) => to_json(&ValidateAnswer {
            ok: false,
            diagnostics: e.diagnostics,
        }),
    }
}

/// [`validate_json`] on JSON text.
#[must_use]
pub fn validate_json_str(call: &str) -> String {
    match serde_json::from_str(call) {
        Ok(value) => validate_json(value).to_string(),
        Err(e) => to_json(&ValidateAnswer {
            ok: false,
            diagnostics: vec![
                Diagnostic::error(Code::InvalidValue, format!("invalid request: {e}"))
                    .with_source("request"),
            ],
        })
        .to_string(),
    }
}

/// [`check`] on a JSON call ([`CheckCall`]), answering an [`Answer`] of a [`Decision`].
#[must_use]
pub fn check_json(call: Value) -> Value {
    answer(call, check)
}

/// [`check_json`] on JSON text.
#[must_use]
pub fn check_json_str(call: &str) -> String {
    text_form(call, check_json)
}

/// [`check_batch`] on a JSON call ([`BatchCall`]), answering an [`Answer`] of a
/// [`BatchVerdicts`].
#[must_use]
pub fn check_batch_json(call: Value) -> Value {
    answer(call, check_batch)
}

/// [`check_batch_json`] on JSON text.
#[must_use]
pub fn check_batch_json_str(call: &str) -> String {
    text_form(call, check_batch_json)
}

/// [`plan`] on a JSON call ([`LoadCall`]), answering an [`Answer`] of a [`Plan`].
#[must_use]
pub fn plan_json(call: Value) -> Value {
    answer(call, plan)
}

/// [`plan_json`] on JSON text.
#[must_use]
pub fn plan_json_str(call: &str) -> String {
    text_form(call, plan_json)
}

#[cfg(test)]
mod tests;
