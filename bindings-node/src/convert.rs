//! Conversion between JavaScript values and kiro's data: the one file that knows both sides.
//!
//! - **Out**: a decision (and a plan) is the core's canonical JSON handed to the engine's own
//!   `JSON.parse` (one call; measured about 14 µs per `check` against 24 µs when every property
//!   is created through Node-API). Diagnostics and the schema go through napi's serde support
//!   (`Env::to_js_value`). Either way the result equals `JSON.parse` of the canonical JSON.
//! - **In**: metrics are walked into a `serde_json::Value` here (not with napi's own
//!   `serde_json::Value` conversion, which turns `NaN` into a generic error and has no kiro
//!   codes) and handed to `CompiledPolicy::check_value`, the entry point every binding uses, so
//!   flattening, unit strings and messages about values come from the core. Only what JSON
//!   cannot hold is rejected here: `NaN`, infinities, functions, symbols, bigints, dates.
//!   `undefined` is no data, like `null`.
//! - **Batches**: typed arrays are read directly from their memory; plain arrays item by item.

#![forbid(unsafe_code)]

use crate::error::Failure;
use crate::{BatchCounts, BatchResult};
use kiro::document::Limits;
use kiro::{Batch, Code, Diagnostic, ErrorKind, Format, Selection};
use napi::bindgen_prelude::{
    Array, FromNapiValue, Function, JsObjectValue, JsValue, Object, TypedArray, TypedArrayType,
    Uint8Array, Unknown,
};
use napi::{Env, ValueType};
use serde_json::{Map, Number, Value};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Data out

/// A decision as a plain object: its canonical JSON parsed by `JSON.parse`.
pub fn decision<'env>(env: &'env Env, decision: &kiro::Decision) -> napi::Result<Unknown<'env>> {
    json_parse(env, kiro::decision_to_json(decision))
}

/// A pipeline's plan as a plain object, the same way: its canonical JSON parsed by `JSON.parse`.
pub fn plan<'env>(env: &'env Env, plan: &kiro::pipeline::Plan) -> napi::Result<Unknown<'env>> {
    json_parse(env, kiro::pipeline::plan_to_json(plan))
}

fn json_parse(env: &Env, text: String) -> napi::Result<Unknown<'_>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'_>> = json.get_named_property("parse")?;
    parse.call(text)
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// The `format` argument (`"yaml"`, `"json"`, `"toml"`; absent to detect).
pub fn format(name: Option<&str>) -> Result<Option<Format>, Failure> {
    name.map(kiro::parse_format)
        .transpose()
        .map_err(|d| Failure::new(ErrorKind::Input, d))
}

/// The `{gate, kind}` options object as a selection (absent or null: every gate; a null or
/// absent field: no restriction).
pub fn selection(options: Option<&Unknown<'_>>) -> Result<Selection, Failure> {
    let Some(options) = options else {
        return Ok(Selection::default());
    };
    match options.get_type().map_err(|e| napi_failure(&e))? {
        ValueType::Undefined | ValueType::Null => return Ok(Selection::default()),
        ValueType::Object => {}
        _ => {
            return Err(Failure::new(
                ErrorKind::Input,
                Diagnostic::error(
                    Code::InvalidValue,
                    "the options must be an object like `{gate, kind}`",
                ),
            ));
        }
    }
    let object = options.coerce_to_object().map_err(|e| napi_failure(&e))?;
    let gate = string_option(&object, "gate")?;
    let kind = string_option(&object, "kind")?
        .as_deref()
        .map(kiro::parse_kind)
        .transpose()
        .map_err(|d| Failure::new(ErrorKind::Input, d))?;
    Ok(Selection { gate, kind })
}

fn string_option(object: &Object<'_>, name: &str) -> Result<Option<String>, Failure> {
    let Some(value) = object
        .get::<Unknown<'_>>(name)
        .map_err(|e| napi_failure(&e))?
    else {
        return Ok(None);
    };
    match value.get_type().map_err(|e| napi_failure(&e))? {
        ValueType::Null | ValueType::Undefined => Ok(None),
        ValueType::String => Ok(Some(
            String::from_unknown(value).map_err(|e| napi_failure(&e))?,
        )),
        _ => Err(Failure::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidValue,
                format!("option `{name}` must be a string"),
            ),
        )),
    }
}

/// The format of a policy file: the one given, else from the extension, else `None` (the core
/// detects it from the text).
pub fn path_format(path: &Path, format: Option<Format>) -> Option<Format> {
    format.or_else(|| {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
    })
}

/// A policy file's bytes as text; not UTF-8 is a policy syntax error.
pub fn policy_text(path: &Path, bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Failure::new(
            ErrorKind::Policy,
            Diagnostic::error(Code::Syntax, "the policy is not valid UTF-8")
                .with_label(kiro::Span::new(at, at + 1), "not UTF-8")
                .with_source(path.display().to_string()),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Metrics in

fn napi_failure(error: &napi::Error) -> Failure {
    Failure::napi(error)
}

/// JavaScript metrics (an object of names to numbers, unit strings, booleans, null/undefined or
/// nested objects) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &Unknown<'_>) -> Result<Value, Failure> {
    let mut path = String::new();
    to_json(metrics, 0, &mut path)
}

fn type_name(value: &Unknown<'_>) -> Result<&'static str, Failure> {
    let kind = value.get_type().map_err(|e| napi_failure(&e))?;
    Ok(match kind {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "boolean",
        ValueType::Number => "number",
        ValueType::String => "string",
        ValueType::Symbol => "symbol",
        ValueType::Function => "function",
        ValueType::Object if value.is_array().unwrap_or(false) => "array",
        ValueType::Object if value.is_date().unwrap_or(false) => "Date",
        ValueType::Object => "object",
        _ => "bigint",
    })
}

fn to_json(value: &Unknown<'_>, depth: usize, path: &mut String) -> Result<Value, Failure> {
    let kind = value.get_type().map_err(|e| napi_failure(&e))?;
    match kind {
        ValueType::Undefined | ValueType::Null => Ok(Value::Null),
        ValueType::Boolean => Ok(Value::Bool(
            bool::from_unknown(*value).map_err(|e| napi_failure(&e))?,
        )),
        ValueType::Number => {
            let n = f64::from_unknown(*value).map_err(|e| napi_failure(&e))?;
            number(n, depth, path)
        }
        ValueType::String => {
            let s = String::from_unknown(*value).map_err(|e| napi_failure(&e))?;
            Ok(Value::String(s))
        }
        ValueType::Object if !value.is_date().unwrap_or(false) => {
            // INVARIANT: the core rejects a collection nested `max_depth` levels deep (E006,
            // with its own message). An empty placeholder at that depth keeps its message and
            // bounds the recursion (an object that contains itself ends here too).
            if depth >= Limits::default().max_depth {
                return Ok(Value::Object(Map::new()));
            }
            if value.is_array().map_err(|e| napi_failure(&e))? {
                // The core reports arrays (E022, or E021 at the top); items do not matter.
                return Ok(Value::Array(Vec::new()));
            }
            let object = value.coerce_to_object().map_err(|e| napi_failure(&e))?;
            let mut map = Map::new();
            for key in Object::keys(&object).map_err(|e| napi_failure(&e))? {
                let Some(item) = object
                    .get::<Unknown<'_>>(&key)
                    .map_err(|e| napi_failure(&e))?
                else {
                    continue; // undefined: no data, as if absent
                };
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key);
                let item = to_json(&item, depth + 1, path)?;
                path.truncate(len);
                map.insert(key, item);
            }
            Ok(Value::Object(map))
        }
        _ => {
            let type_name = type_name(value)?;
            let (code, what) = if depth == 0 {
                (
                    Code::InputNotObject,
                    format!("metrics must be an object of names to values, not a {type_name}"),
                )
            } else {
                (
                    Code::InvalidMetricValue,
                    format!("metric `{path}` has a value of type `{type_name}`"),
                )
            };
            Err(Failure::new(
                ErrorKind::Input,
                Diagnostic::error(code, what)
                    .with_help("metric values are numbers, strings with a unit (`\"87%\"`), booleans or null")
                    .with_source("metrics"),
            ))
        }
    }
}

fn number(value: f64, depth: usize, path: &str) -> Result<Value, Failure> {
    // Integral numbers stay integers, as `JSON.parse` would give them to the core.
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        #[expect(clippy::cast_possible_truncation, reason = "integral and below 2^53")]
        return Ok(Value::Number((value as i64).into()));
    }
    match Number::from_f64(value) {
        Some(n) => Ok(Value::Number(n)),
        // At the top level the core reports "not an object".
        None if depth == 0 => Ok(Value::Null),
        None => Err(Failure::input(
            Code::InvalidMetricValue,
            format!("metric `{path}` is not a finite number"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Batches in

enum Column {
    Numbers(Vec<f64>, Option<Vec<bool>>),
    Bools(Vec<bool>, Option<Vec<bool>>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Numbers(v, _) => v.len(),
            Column::Bools(v, _) => v.len(),
        }
    }
}

fn batch_error(message: String) -> Failure {
    Failure::input(Code::InvalidBatch, message)
}

/// An object of metric names to columns (typed arrays, or arrays of numbers, booleans and
/// nulls) as a core [`Batch`].
pub fn batch(columns: &Unknown<'_>) -> Result<Batch, Failure> {
    let is_object = columns.get_type().map_err(|e| napi_failure(&e))? == ValueType::Object
        && !columns.is_array().map_err(|e| napi_failure(&e))?;
    if !is_object {
        let type_name = type_name(columns)?;
        return Err(batch_error(format!(
            "batch columns must be an object of metric names to columns, not a {type_name}"
        )));
    }
    let object = columns.coerce_to_object().map_err(|e| napi_failure(&e))?;
    let mut read = Vec::new();
    for name in Object::keys(&object).map_err(|e| napi_failure(&e))? {
        let Some(values) = object
            .get::<Unknown<'_>>(&name)
            .map_err(|e| napi_failure(&e))?
        else {
            continue;
        };
        let column = column(&name, &values)?;
        read.push((name, column));
    }
    let mut batch = Batch::new(read.first().map_or(0, |(_, c)| c.len()));
    for (name, column) in read {
        let added = match column {
            Column::Numbers(values, present) => batch.add_numbers(&name, values, present),
            Column::Bools(values, present) => batch.add_bools(&name, values, present),
        };
        added.map_err(|e| Failure::from_kiro(&e))?;
    }
    Ok(batch)
}

fn column(name: &str, values: &Unknown<'_>) -> Result<Column, Failure> {
    if values.is_typedarray().map_err(|e| napi_failure(&e))? {
        let array = TypedArray::from_unknown(*values).map_err(|e| napi_failure(&e))?;
        return typed_column(name, &array);
    }
    if !values.is_array().map_err(|e| napi_failure(&e))? {
        let type_name = type_name(values)?;
        return Err(batch_error(format!(
            "column `{name}` is a {type_name}, not an array or typed array"
        )));
    }
    let array = Array::from_unknown(*values).map_err(|e| napi_failure(&e))?;
    array_column(name, &array)
}

fn typed_column(name: &str, array: &TypedArray<'_>) -> Result<Column, Failure> {
    let bytes: &[u8] = &array.arraybuffer;
    let values: Vec<f64> = match array.typed_array_type {
        TypedArrayType::Float64 => bytes
            .chunks_exact(8)
            .map(|c| f64::from_ne_bytes(eight(c)))
            .collect(),
        TypedArrayType::Float32 => bytes
            .chunks_exact(4)
            .map(|c| f32::from_ne_bytes(four(c)).into())
            .collect(),
        TypedArrayType::Int32 => bytes
            .chunks_exact(4)
            .map(|c| i32::from_ne_bytes(four(c)).into())
            .collect(),
        TypedArrayType::Uint32 => bytes
            .chunks_exact(4)
            .map(|c| u32::from_ne_bytes(four(c)).into())
            .collect(),
        TypedArrayType::Int16 => bytes
            .chunks_exact(2)
            .map(|c| i16::from_ne_bytes([c[0], c[1]]).into())
            .collect(),
        TypedArrayType::Uint16 => bytes
            .chunks_exact(2)
            .map(|c| u16::from_ne_bytes([c[0], c[1]]).into())
            .collect(),
        TypedArrayType::Int8 => bytes
            .iter()
            .map(|&b| f64::from(i8::from_ne_bytes([b])))
            .collect(),
        TypedArrayType::Uint8 | TypedArrayType::Uint8Clamped => {
            bytes.iter().map(|&b| f64::from(b)).collect()
        }
        _ => {
            return Err(batch_error(format!(
                "column `{name}` is a bigint typed array; use a Float64Array or an array of numbers"
            )));
        }
    };
    Ok(Column::Numbers(values, None))
}

fn eight(c: &[u8]) -> [u8; 8] {
    let mut out = [0; 8];
    out.copy_from_slice(c);
    out
}

fn four(c: &[u8]) -> [u8; 4] {
    let mut out = [0; 4];
    out.copy_from_slice(c);
    out
}

fn array_column(name: &str, array: &Array<'_>) -> Result<Column, Failure> {
    let len = array.len();
    let mut numbers: Vec<f64> = Vec::with_capacity(len as usize);
    let mut bools: Vec<bool> = Vec::new();
    let mut present: Vec<bool> = Vec::with_capacity(len as usize);
    let mut is_bool: Option<bool> = None;
    for i in 0..len {
        let item = array.get::<Unknown<'_>>(i).map_err(|e| napi_failure(&e))?;
        let kind = match &item {
            Some(item) => item.get_type().map_err(|e| napi_failure(&e))?,
            None => ValueType::Undefined,
        };
        let (number, boolean) = match (kind, &item) {
            (ValueType::Undefined | ValueType::Null, _) | (_, None) => {
                present.push(false);
                numbers.push(0.0);
                bools.push(false);
                continue;
            }
            (ValueType::Number, Some(item)) => (
                f64::from_unknown(*item).map_err(|e| napi_failure(&e))?,
                None,
            ),
            (ValueType::Boolean, Some(item)) => (
                0.0,
                Some(bool::from_unknown(*item).map_err(|e| napi_failure(&e))?),
            ),
            (_, Some(item)) => {
                let type_name = type_name(item)?;
                return Err(batch_error(format!(
                    "column `{name}` item {i} is a {type_name}; batch values are numbers, booleans or null"
                )));
            }
        };
        let this_is_bool = boolean.is_some();
        if *is_bool.get_or_insert(this_is_bool) != this_is_bool {
            return Err(batch_error(format!(
                "column `{name}` mixes numbers and booleans (item {i})"
            )));
        }
        present.push(true);
        numbers.push(number);
        bools.push(boolean.unwrap_or(false));
    }
    let present = if present.iter().all(|&p| p) {
        None
    } else {
        Some(present)
    };
    Ok(if is_bool == Some(true) {
        Column::Bools(bools, present)
    } else {
        Column::Numbers(numbers, present)
    })
}

/// A core batch result as the JavaScript `{verdicts: Uint8Array, counts}` object.
pub fn batch_result(result: kiro::BatchResult) -> BatchResult {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    BatchResult {
        counts: BatchCounts {
            pass: count(result.counts.pass),
            warn: count(result.counts.warn),
            fail: count(result.counts.fail),
            error: count(result.counts.error),
        },
        verdicts: Uint8Array::new(result.verdicts),
    }
}
