//! Conversion between JavaScript values and kiro's data: the one file that knows both sides.
//!
//! - **Out**: a decision (and a plan) is the core's canonical JSON handed to the engine's
//!   `JSON.parse` (one call instead of one per property); diagnostics and the schema go through
//!   `serde-wasm-bindgen` in its JSON-compatible mode. Either way the result equals `JSON.parse`
//!   of the canonical JSON.
//! - **In**: metrics are walked into a `serde_json::Value` here (`serde-wasm-bindgen` would
//!   silently turn `NaN` into `null`, which means "no data") and handed to
//!   `CompiledPolicy::check_value`, the entry point every binding uses, so flattening, unit
//!   strings and messages about values come from the core. Only what JSON cannot hold is
//!   rejected here: `NaN`, infinities, functions, symbols, bigints, dates. `undefined` is no
//!   data, like `null`. What such a value becomes, and its message, is the core's rule
//!   (`kiro::api::convert::MetricPath`).
//! - **Batches**: `Float64Array` columns are copied out of JavaScript memory in one call; other
//!   typed arrays via a `Float64Array` of them; plain arrays item by item into the core's
//!   `ColumnBuilder`; the core's `Batch::from_columns` checks the columns.
//! - **Runs** (`PipelineRun`): steps and results out as their JSON through `JSON.parse`, like
//!   decisions; what an action returned is read as `check` reads metrics, then by the core's
//!   `kiro::api::convert::attempt_report`.

use crate::error::Failure;
use js_sys::{Array, BigInt64Array, BigUint64Array, Float64Array, Object, Reflect, Uint8Array};
use kiro::api::convert::{HostError, MetricPath};
use kiro::pipeline::{HostStep, RunOptions, RunResult, StageReport};
use kiro::{
    Batch, BatchColumn, BatchResult, CheckError, Code, ColumnBuilder, Diagnostic, ErrorKind,
    MetricsInput, StartRunOptions,
};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

// ---------------------------------------------------------------------------------------------
// Data out

/// Any serde value (a decision, diagnostics, the JSON Schema) as plain JavaScript data equal to
/// `JSON.parse` of its JSON.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(JsValue::from)
}

/// A decision as a plain object: its canonical JSON parsed by `JSON.parse`.
pub fn decision(decision: &kiro::Decision) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&kiro::decision_to_json(decision))
}

/// A pipeline's plan as a plain object, the same way: its canonical JSON parsed by `JSON.parse`.
pub fn plan(plan: &kiro::pipeline::Plan) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&kiro::pipeline::plan_to_json(plan))
}

/// One step of a run (`{requests, events, done}`) as a plain object, through `JSON.parse` of
/// its JSON.
pub fn run_step(step: &HostStep) -> Result<JsValue, JsValue> {
    // INVARIANT: a step holds only strings, integers and booleans, so this cannot fail.
    js_sys::JSON::parse(&serde_json::to_string(step).unwrap_or_default())
}

/// A run's result as a plain object: its canonical JSON parsed by `JSON.parse`.
pub fn run_result(result: &RunResult) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&result.to_json())
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// A host value given as an argument (an options object, a format name) as the JSON value the
/// core decodes (`kiro::api::options`): absent, `undefined` and `null` are `null`; `NaN` and
/// infinities `null`, as in `JSON.stringify`. A walk of its own rather than `serde-wasm-bindgen`'s
/// deserializer, which costs about 10 KB of the gzipped engine for a few small objects.
///
/// # Errors
/// `KIRO-E003` for a value that is not plain data (a function, a symbol, a bigint) or is
/// nested more deeply than the core reads; an exception a getter threw propagates.
pub fn host_value(value: Option<&JsValue>) -> Result<Value, Failure> {
    value.map_or(Ok(Value::Null), |v| plain(v, 0))
}

fn plain(value: &JsValue, depth: usize) -> Result<Value, Failure> {
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        // Integral numbers as integers, as napi's conversion and `JSON.parse` give them.
        if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            #[expect(clippy::cast_possible_truncation, reason = "integral and below 2^53")]
            return Ok(Value::Number((n as i64).into()));
        }
        return Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number));
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    let not_plain = |what: &str| -> Failure {
        kiro::BoundaryError::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidValue,
                format!("the argument is not plain data: it holds {what}"),
            ),
        )
        .into()
    };
    if depth >= kiro::document::Limits::default().max_depth {
        return Err(not_plain("objects nested too deeply"));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        return array
            .iter()
            .map(|item| plain(&item, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if value.is_object() {
        let mut map = Map::new();
        for key in Object::keys(value.unchecked_ref::<Object>()) {
            let Some(name) = key.as_string() else {
                continue;
            };
            let item = Reflect::get(value, &key).map_err(|e| Failure::js(&e))?;
            if !item.is_undefined() {
                map.insert(name, plain(&item, depth + 1)?);
            }
        }
        return Ok(Value::Object(map));
    }
    Err(not_plain(&format!(
        "a {}",
        value.js_typeof().as_string().unwrap_or_default()
    )))
}

/// The `{maxParallel, failFast}` options of `startRun`, decoded by the core.
pub fn run_options(options: Option<&JsValue>) -> Result<RunOptions, Failure> {
    Ok(StartRunOptions::decode(&host_value(options)?).map(StartRunOptions::run_options)?)
}

// ---------------------------------------------------------------------------------------------
// Metrics in

/// JavaScript metrics (an object of names to numbers, unit strings, booleans, null/undefined or
/// nested objects) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &JsValue) -> Result<Value, Failure> {
    to_json(metrics, &mut MetricPath::new())
}

/// The report of an attempt whose action returned `metrics`: nothing (`undefined`, `null`) is
/// success without metrics; anything else is read as [`metrics_to_json`] reads `check`'s
/// metrics, and metrics that cannot be read fail the attempt with the problem as its detail
/// (`kiro::api::convert::attempt_report`).
///
/// # Errors
/// Only when reading the value threw in JavaScript (the caller's own getter): that exception
/// propagates, as from `check`.
pub fn attempt_report(metrics: &JsValue) -> Result<StageReport, Failure> {
    if metrics.is_null() || metrics.is_undefined() {
        return Ok(StageReport::success(MetricsInput::default()));
    }
    let walked = match metrics_to_json(metrics) {
        Ok(value) => Ok(value),
        Err(failure) => Err(failure.into_boundary()?),
    };
    Ok(kiro::api::convert::attempt_report(walked))
}

/// The report of an attempt that failed with `detail`: a string is the detail itself; anything
/// else is what the action threw, a host error (`kiro::api::convert::HostError`) named by the
/// thrown `Error`'s `name` and `message`, or the thrown value as a string.
pub fn failure_report(detail: &JsValue) -> StageReport {
    if let Some(text) = detail.as_string() {
        return StageReport::failure(text);
    }
    let text = |name: &str| {
        Reflect::get(detail, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    if detail.is_object()
        && let Some(message) = text("message")
    {
        return HostError::new(text("name").unwrap_or_default(), message).report();
    }
    let shown = js_sys::JSON::stringify(detail)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "undefined".to_owned());
    HostError::new("", shown).report()
}

fn type_name(value: &JsValue) -> String {
    if Array::is_array(value) {
        "array".to_owned()
    } else if value.is_instance_of::<js_sys::Date>() {
        "Date".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

fn to_json(value: &JsValue, at: &mut MetricPath) -> Result<Value, Failure> {
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return Ok(at.json_number(n)?);
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if value.is_object() && !value.is_instance_of::<js_sys::Date>() {
        // Too deep, or an array: a placeholder the core reports on (E006; E022, or E021 at
        // the top).
        if let Some(placeholder) = at.placeholder(Array::is_array(value)) {
            return Ok(placeholder);
        }
        let mut map = Map::new();
        for key in Object::keys(value.unchecked_ref::<Object>()) {
            let Some(key_text) = key.as_string() else {
                continue;
            };
            let item = Reflect::get(value, &key).map_err(|e| Failure::js(&e))?;
            if item.is_undefined() {
                continue; // no data, as if absent
            }
            let item = at.enter(&key_text, |at| to_json(&item, at))?;
            map.insert(key_text, item);
        }
        return Ok(Value::Object(map));
    }
    let type_name = type_name(value);
    let top_level = || format!("metrics must be an object of names to values, not a {type_name}");
    Err(at.type_error(&type_name, top_level, "null").into())
}

// ---------------------------------------------------------------------------------------------
// Batches in

/// An object of metric names to columns (typed arrays, or arrays of numbers, booleans and
/// nulls) as a core [`Batch`].
pub fn batch(columns: &JsValue) -> Result<Batch, Failure> {
    if !columns.is_object() || Array::is_array(columns) {
        return Err(CheckError::invalid_batch(format!(
            "batch columns must be an object of metric names to columns, not a {}",
            type_name(columns)
        ))
        .into());
    }
    let mut read = Vec::new();
    for key in Object::keys(columns.unchecked_ref::<Object>()) {
        let Some(name) = key.as_string() else {
            continue;
        };
        let values = Reflect::get(columns, &key).map_err(|e| Failure::js(&e))?;
        if values.is_undefined() {
            continue;
        }
        let column = column(&name, &values)?;
        read.push((name, column));
    }
    Ok(Batch::from_columns(read)?)
}

fn column(name: &str, values: &JsValue) -> Result<BatchColumn, Failure> {
    if let Some(array) = values.dyn_ref::<Float64Array>() {
        return Ok(BatchColumn::Numbers(array.to_vec(), None));
    }
    if values.is_instance_of::<BigInt64Array>() || values.is_instance_of::<BigUint64Array>() {
        return Err(CheckError::invalid_batch(format!(
            "column `{name}` is a bigint typed array; use a Float64Array or an array of numbers"
        ))
        .into());
    }
    if js_sys::ArrayBuffer::is_view(values) && !values.is_instance_of::<js_sys::DataView>() {
        // Any other typed array: converted by JavaScript itself.
        return Ok(BatchColumn::Numbers(
            Float64Array::new(values).to_vec(),
            None,
        ));
    }
    let Some(array) = values.dyn_ref::<Array>() else {
        return Err(CheckError::invalid_batch(format!(
            "column `{name}` is a {}, not an array or typed array",
            type_name(values)
        ))
        .into());
    };
    let len = array.length();
    let mut column = ColumnBuilder::new(name, len as usize);
    for i in 0..len {
        let item = array.get(i);
        if item.is_null() || item.is_undefined() {
            column.push_missing();
        } else if let Some(n) = item.as_f64() {
            column.push_number(n)?;
        } else if let Some(b) = item.as_bool() {
            column.push_bool(b)?;
        } else {
            return Err(CheckError::invalid_batch(format!(
                "column `{name}` item {i} is a {}; batch values are numbers, booleans or null",
                type_name(&item)
            ))
            .into());
        }
    }
    Ok(column.finish())
}

/// A core batch result as the JavaScript `{verdicts: Uint8Array, counts}` object.
pub fn batch_result(result: &BatchResult) -> Result<JsValue, Failure> {
    let object = Object::new();
    let counts = to_js(&result.counts).map_err(|e| Failure::js(&e))?;
    let verdicts = Uint8Array::from(result.verdicts.as_slice());
    Reflect::set(&object, &"verdicts".into(), &verdicts).map_err(|e| Failure::js(&e))?;
    Reflect::set(&object, &"counts".into(), &counts).map_err(|e| Failure::js(&e))?;
    Ok(object.into())
}
