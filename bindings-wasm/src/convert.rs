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
//!   data, like `null`.
//! - **Batches**: `Float64Array` columns are copied out of JavaScript memory in one call; other
//!   typed arrays via a `Float64Array` of them; plain arrays item by item.

use crate::error::Failure;
use js_sys::{Array, BigInt64Array, BigUint64Array, Float64Array, Object, Reflect, Uint8Array};
use kiro::document::Limits;
use kiro::{Batch, BatchResult, Code, Diagnostic, ErrorKind, Format, Selection};
use serde::Serialize;
use serde_json::{Map, Number, Value};
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

// ---------------------------------------------------------------------------------------------
// Arguments

/// The `format` argument (`"yaml"`, `"json"`, `"toml"`; absent to detect).
pub fn format(name: Option<&str>) -> Result<Option<Format>, Failure> {
    name.map(kiro::parse_format)
        .transpose()
        .map_err(|d| Failure::new(ErrorKind::Input, d))
}

/// The `{gate, kind}` options object as a selection (absent: every gate).
pub fn selection(options: Option<&JsValue>) -> Result<Selection, Failure> {
    let Some(options) = options.filter(|o| !o.is_null() && !o.is_undefined()) else {
        return Ok(Selection::default());
    };
    let gate = string_option(options, "gate")?;
    let kind = string_option(options, "kind")?
        .as_deref()
        .map(kiro::parse_kind)
        .transpose()
        .map_err(|d| Failure::new(ErrorKind::Input, d))?;
    Ok(Selection { gate, kind })
}

fn string_option(options: &JsValue, name: &str) -> Result<Option<String>, Failure> {
    let value = Reflect::get(options, &name.into()).map_err(|e| Failure::js(&e))?;
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| {
        Failure::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidValue,
                format!("option `{name}` must be a string"),
            ),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Metrics in

/// JavaScript metrics (an object of names to numbers, unit strings, booleans, null/undefined or
/// nested objects) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &JsValue) -> Result<Value, Failure> {
    let mut path = String::new();
    to_json(metrics, 0, &mut path)
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

fn to_json(value: &JsValue, depth: usize, path: &mut String) -> Result<Value, Failure> {
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return number(n, depth, path);
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if value.is_object() && !value.is_instance_of::<js_sys::Date>() {
        // INVARIANT: the core rejects a collection nested `max_depth` levels deep (E006, with
        // its own message). An empty placeholder at that depth keeps its message and bounds
        // the recursion (an object that contains itself ends here too).
        if depth >= Limits::default().max_depth {
            return Ok(Value::Object(Map::new()));
        }
        if Array::is_array(value) {
            // The core reports arrays (E022, or E021 at the top); items do not matter.
            return Ok(Value::Array(Vec::new()));
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
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&key_text);
            let item = to_json(&item, depth + 1, path)?;
            path.truncate(len);
            map.insert(key_text, item);
        }
        return Ok(Value::Object(map));
    }
    let type_name = type_name(value);
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
            .with_help(
                "metric values are numbers, strings with a unit (`\"87%\"`), booleans or null",
            )
            .with_source("metrics"),
    ))
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
pub fn batch(columns: &JsValue) -> Result<Batch, Failure> {
    if !columns.is_object() || Array::is_array(columns) {
        return Err(batch_error(format!(
            "batch columns must be an object of metric names to columns, not a {}",
            type_name(columns)
        )));
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

fn column(name: &str, values: &JsValue) -> Result<Column, Failure> {
    if let Some(array) = values.dyn_ref::<Float64Array>() {
        return Ok(Column::Numbers(array.to_vec(), None));
    }
    if values.is_instance_of::<BigInt64Array>() || values.is_instance_of::<BigUint64Array>() {
        return Err(batch_error(format!(
            "column `{name}` is a bigint typed array; use a Float64Array or an array of numbers"
        )));
    }
    if js_sys::ArrayBuffer::is_view(values) && !values.is_instance_of::<js_sys::DataView>() {
        // Any other typed array: converted by JavaScript itself.
        return Ok(Column::Numbers(Float64Array::new(values).to_vec(), None));
    }
    let Some(array) = values.dyn_ref::<Array>() else {
        return Err(batch_error(format!(
            "column `{name}` is a {}, not an array or typed array",
            type_name(values)
        )));
    };
    let len = array.length();
    let mut numbers: Vec<f64> = Vec::with_capacity(len as usize);
    let mut bools: Vec<bool> = Vec::new();
    let mut present: Vec<bool> = Vec::with_capacity(len as usize);
    let mut is_bool: Option<bool> = None;
    for i in 0..len {
        let item = array.get(i);
        let (number, boolean) = if item.is_null() || item.is_undefined() {
            present.push(false);
            numbers.push(0.0);
            bools.push(false);
            continue;
        } else if let Some(n) = item.as_f64() {
            (n, None)
        } else if let Some(b) = item.as_bool() {
            (0.0, Some(b))
        } else {
            return Err(batch_error(format!(
                "column `{name}` item {i} is a {}; batch values are numbers, booleans or null",
                type_name(&item)
            )));
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
pub fn batch_result(result: &BatchResult) -> Result<JsValue, Failure> {
    let object = Object::new();
    let counts = to_js(&result.counts).map_err(|e| Failure::js(&e))?;
    let verdicts = Uint8Array::from(result.verdicts.as_slice());
    Reflect::set(&object, &"verdicts".into(), &verdicts).map_err(|e| Failure::js(&e))?;
    Reflect::set(&object, &"counts".into(), &counts).map_err(|e| Failure::js(&e))?;
    Ok(object.into())
}
