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
//!   `undefined` is no data, like `null`. What such a value becomes, and its message, is the
//!   core's rule (`kiro::api::convert::MetricPath`).
//! - **Batches**: typed arrays are read directly from their memory; plain arrays item by item
//!   into the core's `ColumnBuilder`; the core's `Batch::from_columns` checks the columns.
//! - **Runs** (`PipelineRun`): steps and results out as their JSON through `JSON.parse`, like
//!   decisions; what an action returned is read as `check` reads metrics, then by the core's
//!   `kiro::api::convert::attempt_report`.

#![forbid(unsafe_code)]

use crate::error::{is_napi_failure, napi_failure};
use crate::{BatchCounts, BatchResult};
use kiro::api::convert::{HostError, MetricPath};
use kiro::pipeline::{HostStep, RunOptions, RunResult, StageReport};
use kiro::{
    Batch, BatchColumn, BoundaryError, CheckError, Code, ColumnBuilder, Diagnostic, ErrorKind,
    MetricsInput, StartRunOptions,
};
use napi::bindgen_prelude::{
    Array, FromNapiValue, Function, JsObjectValue, JsValue, Object, TypedArray, TypedArrayType,
    Uint8Array, Unknown,
};
use napi::{Env, ValueType};
use serde_json::{Map, Value};

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

/// One step of a run (`{requests, events, done}`) as a plain object, through `JSON.parse` of
/// its JSON.
pub fn run_step<'env>(env: &'env Env, step: &HostStep) -> napi::Result<Unknown<'env>> {
    // INVARIANT: a step holds only strings, integers and booleans, so this cannot fail.
    json_parse(env, serde_json::to_string(step).unwrap_or_default())
}

/// A run's result as a plain object: its canonical JSON parsed by `JSON.parse`.
pub fn run_result<'env>(env: &'env Env, result: &RunResult) -> napi::Result<Unknown<'env>> {
    json_parse(env, result.to_json())
}

/// A value's JSON text as a plain object, by the engine's own `JSON.parse`.
pub fn json_parse(env: &Env, text: String) -> napi::Result<Unknown<'_>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'_>> = json.get_named_property("parse")?;
    parse.call(text)
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// A host value given as an argument (an options object, a format name) as JSON, through
/// napi's serde support, for the core to decode (`kiro::api::options`): absent and
/// `undefined` are `null`. A value JSON cannot hold (a function, a symbol) is reported as the
/// argument it is in; `NaN` and infinities become `null`, as in `JSON.stringify`.
///
/// # Errors
/// `KIRO-E003` when napi cannot read the value.
pub fn host_value(value: Option<&Unknown<'_>>) -> Result<Value, BoundaryError> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    if value.get_type().map_err(napi_failure)? == ValueType::Undefined {
        return Ok(Value::Null);
    }
    let env = Env::from_raw(value.value().env);
    env.from_js_value::<Value, _>(*value).map_err(|e| {
        BoundaryError::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidValue,
                format!("the argument is not plain data: {}", e.reason),
            ),
        )
    })
}

/// The `{maxParallel, failFast}` options of `startRun`, decoded by the core.
pub fn run_options(options: Option<&Unknown<'_>>) -> Result<RunOptions, BoundaryError> {
    StartRunOptions::decode(&host_value(options)?).map(StartRunOptions::run_options)
}

// ---------------------------------------------------------------------------------------------
// Metrics in

/// JavaScript metrics (an object of names to numbers, unit strings, booleans, null/undefined or
/// nested objects) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &Unknown<'_>) -> Result<Value, BoundaryError> {
    to_json(metrics, &mut MetricPath::new())
}

/// The report of an attempt whose action returned `metrics`: nothing (absent, `undefined`,
/// `null`) is success without metrics; anything else is read as [`metrics_to_json`] reads
/// `check`'s metrics, and metrics that cannot be read fail the attempt with the problem as its
/// detail (`kiro::api::convert::attempt_report`).
///
/// # Errors
/// Only when reading the value threw in JavaScript (the caller's own getter): that exception
/// propagates, as from `check`.
pub fn attempt_report(metrics: Option<&Unknown<'_>>) -> Result<StageReport, BoundaryError> {
    let none = || StageReport::success(MetricsInput::default());
    let Some(metrics) = metrics else {
        return Ok(none());
    };
    if matches!(
        metrics.get_type().map_err(napi_failure)?,
        ValueType::Undefined | ValueType::Null
    ) {
        return Ok(none());
    }
    match metrics_to_json(metrics) {
        Err(failure) if is_napi_failure(&failure) => Err(failure),
        walked => Ok(kiro::api::convert::attempt_report(walked)),
    }
}

/// The report of an attempt that failed with `detail`: a string is the detail itself; anything
/// else is what the action threw, a host error (`kiro::api::convert::HostError`) named by the
/// thrown `Error`'s `name` and `message`, or the thrown value as a string.
pub fn failure_report(detail: &Unknown<'_>) -> Result<StageReport, BoundaryError> {
    if detail.get_type().map_err(napi_failure)? == ValueType::String {
        return Ok(StageReport::failure(
            String::from_unknown(*detail).map_err(napi_failure)?,
        ));
    }
    let text = |value: Option<Unknown<'_>>| -> Option<String> {
        let value = value?;
        (value.get_type().ok()? == ValueType::String)
            .then(|| String::from_unknown(value).ok())
            .flatten()
    };
    if detail.get_type().map_err(napi_failure)? == ValueType::Object {
        let object = detail.coerce_to_object().map_err(napi_failure)?;
        let message = text(object.get::<Unknown<'_>>("message").ok().flatten());
        if let Some(message) = message {
            let name = text(object.get::<Unknown<'_>>("name").ok().flatten()).unwrap_or_default();
            return Ok(HostError::new(name, message).report());
        }
    }
    let shown = detail
        .coerce_to_string()
        .and_then(|s| s.into_utf8())
        .and_then(|s| s.into_owned())
        .unwrap_or_else(|_| "a value that cannot be shown".to_owned());
    Ok(HostError::new("", shown).report())
}

fn type_name(value: &Unknown<'_>) -> Result<&'static str, BoundaryError> {
    let kind = value.get_type().map_err(napi_failure)?;
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

fn to_json(value: &Unknown<'_>, at: &mut MetricPath) -> Result<Value, BoundaryError> {
    match value.get_type().map_err(napi_failure)? {
        ValueType::Undefined | ValueType::Null => Ok(Value::Null),
        ValueType::Boolean => Ok(Value::Bool(
            bool::from_unknown(*value).map_err(napi_failure)?,
        )),
        ValueType::Number => {
            let n = f64::from_unknown(*value).map_err(napi_failure)?;
            Ok(at.json_number(n)?)
        }
        ValueType::String => Ok(Value::String(
            String::from_unknown(*value).map_err(napi_failure)?,
        )),
        ValueType::Object if !value.is_date().unwrap_or(false) => {
            // Too deep, or an array: a placeholder the core reports on (E006; E022, or E021
            // at the top).
            if let Some(placeholder) = at.placeholder(value.is_array().map_err(napi_failure)?) {
                return Ok(placeholder);
            }
            let object = value.coerce_to_object().map_err(napi_failure)?;
            let mut map = Map::new();
            for key in Object::keys(&object).map_err(napi_failure)? {
                let Some(item) = object.get::<Unknown<'_>>(&key).map_err(napi_failure)? else {
                    continue; // undefined: no data, as if absent
                };
                let item = at.enter(&key, |at| to_json(&item, at))?;
                map.insert(key, item);
            }
            Ok(Value::Object(map))
        }
        _ => {
            let type_name = type_name(value)?;
            let top_level =
                || format!("metrics must be an object of names to values, not a {type_name}");
            Err(at.type_error(type_name, top_level, "null").into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches in

/// An object of metric names to columns (typed arrays, or arrays of numbers, booleans and
/// nulls) as a core [`Batch`].
pub fn batch(columns: &Unknown<'_>) -> Result<Batch, BoundaryError> {
    let is_object = columns.get_type().map_err(napi_failure)? == ValueType::Object
        && !columns.is_array().map_err(napi_failure)?;
    if !is_object {
        let type_name = type_name(columns)?;
        return Err(CheckError::invalid_batch(format!(
            "batch columns must be an object of metric names to columns, not a {type_name}"
        ))
        .into());
    }
    let object = columns.coerce_to_object().map_err(napi_failure)?;
    let mut read = Vec::new();
    for name in Object::keys(&object).map_err(napi_failure)? {
        let Some(values) = object.get::<Unknown<'_>>(&name).map_err(napi_failure)? else {
            continue;
        };
        let column = column(&name, &values)?;
        read.push((name, column));
    }
    Ok(Batch::from_columns(read)?)
}

fn column(name: &str, values: &Unknown<'_>) -> Result<BatchColumn, BoundaryError> {
    if values.is_typedarray().map_err(napi_failure)? {
        let array = TypedArray::from_unknown(*values).map_err(napi_failure)?;
        return typed_column(name, &array);
    }
    if !values.is_array().map_err(napi_failure)? {
        let type_name = type_name(values)?;
        return Err(CheckError::invalid_batch(format!(
            "column `{name}` is a {type_name}, not an array or typed array"
        ))
        .into());
    }
    let array = Array::from_unknown(*values).map_err(napi_failure)?;
    array_column(name, &array)
}

fn typed_column(name: &str, array: &TypedArray<'_>) -> Result<BatchColumn, BoundaryError> {
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
            return Err(CheckError::invalid_batch(format!(
                "column `{name}` is a bigint typed array; use a Float64Array or an array of numbers"
            ))
            .into());
        }
    };
    Ok(BatchColumn::Numbers(values, None))
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

fn array_column(name: &str, array: &Array<'_>) -> Result<BatchColumn, BoundaryError> {
    let len = array.len();
    let mut column = ColumnBuilder::new(name, len as usize);
    for i in 0..len {
        let item = array.get::<Unknown<'_>>(i).map_err(napi_failure)?;
        let kind = match &item {
            Some(item) => item.get_type().map_err(napi_failure)?,
            None => ValueType::Undefined,
        };
        match (kind, &item) {
            (ValueType::Undefined | ValueType::Null, _) | (_, None) => column.push_missing(),
            (ValueType::Number, Some(item)) => {
                column.push_number(f64::from_unknown(*item).map_err(napi_failure)?)?;
            }
            (ValueType::Boolean, Some(item)) => {
                column.push_bool(bool::from_unknown(*item).map_err(napi_failure)?)?;
            }
            (_, Some(item)) => {
                let type_name = type_name(item)?;
                return Err(CheckError::invalid_batch(format!(
                    "column `{name}` item {i} is a {type_name}; batch values are numbers, booleans or null"
                ))
                .into());
            }
        }
    }
    Ok(column.finish())
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
