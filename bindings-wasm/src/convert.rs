//! Conversion between JavaScript values and kiro's data: the one file that knows both sides.
//!
//! - **Out**: a decision (and a plan) is the core's canonical JSON handed to the engine's
//!   `JSON.parse` (one call instead of one per property); diagnostics and the schema go through
//!   `serde-wasm-bindgen` in its JSON-compatible mode. Either way the result equals `JSON.parse`
//!   of the canonical JSON.
//! - **In**: metrics are walked into a `serde_json::Value` here (`serde-wasm-bindgen` would
//!   silently turn `NaN` into `null`, which means "no data") and handed to
//!   `CompiledPolicy::check_value`, the entry point every binding uses, so flattening, unit
//!   strings and messages about values come from the core. Values are told apart by one rule
//!   shared with the Node.js binding ([`Kind`]): only plain objects (tag `Object`) are read, by
//!   their own enumerable keys; a `Promise`, a `Map`, a typed array, a boxed `Number`, a
//!   `Date`, a function, a symbol, a bigint is an error naming its type. `undefined` is no
//!   data, like `null`. What such a value becomes, and its message, is the core's rule
//!   (`kiro::api::convert::MetricPath`).
//! - **Arguments**: every argument is a `JsValue` checked here ([`text_argument`] and its
//!   siblings: `KIRO-E003` naming it), never wasm-bindgen's `&str` glue, which reads a number
//!   as a string's length and traps. What can throw in JavaScript (a getter, a Proxy trap) is
//!   imported with `catch`.
//! - **Batches**: `Float64Array` columns are copied out of JavaScript memory in one call; other
//!   typed arrays via a `Float64Array` of them; plain arrays item by item into the core's
//!   `ColumnBuilder`; the core's `Batch::from_columns` checks the columns.
//! - **Runs** (`PipelineRun`): steps and results out as their JSON through `JSON.parse`, like
//!   decisions; what an action returned is read as `check` reads metrics, then by the core's
//!   `kiro::api::convert::attempt_report`.

use crate::error::Failure;
use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use kiro::api::convert::{HostError, MetricPath, argument_error, not_plain_data, with_article};
use kiro::pipeline::{HostStep, RunOptions, RunResult, StageReport};
use kiro::{
    Batch, BatchColumn, BatchResult, CheckError, ColumnBuilder, MetricsInput, StartRunOptions,
};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::wasm_bindgen;
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
    let kind = kind(value)?;
    match kind {
        Kind::Nothing(_) => return Ok(Value::Null),
        Kind::Bool => return Ok(Value::Bool(value.as_bool().unwrap_or_default())),
        Kind::Number => {
            // Integral numbers as integers, as `JSON.parse` gives them; non-finite ones null.
            let n = value.as_f64().unwrap_or(f64::NAN);
            return Ok(MetricPath::new().json_number(n).unwrap_or(Value::Null));
        }
        Kind::Text => return Ok(Value::String(value.as_string().unwrap_or_default())),
        Kind::Other(name) => return Err(not_plain_data(&name).into()),
        Kind::Array | Kind::Plain => {}
    }
    if depth >= kiro::document::Limits::default().max_depth {
        return Err(not_plain_data("objects nested too deeply").into());
    }
    if kind == Kind::Array {
        return items(value)?
            .iter()
            .map(|item| plain(item, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    let mut map = Map::new();
    for (name, item) in entries(value)? {
        map.insert(name, plain(&item, depth + 1)?);
    }
    Ok(Value::Object(map))
}

/// A string argument (a policy's text, a saved run): `KIRO-E003` naming `argument` for
/// anything else. Checked here, at the edge: wasm-bindgen's own `&str` glue would read a
/// number as a string's length and trap.
pub fn text_argument(value: &JsValue, argument: &str) -> Result<String, Failure> {
    match kind(value)? {
        Kind::Text => Ok(value.as_string().unwrap_or_default()),
        other => Err(argument_error(argument, "a string", &other.name()).into()),
    }
}

/// A number argument (an attempt's id, the time): `KIRO-E003` naming `argument` for anything
/// else.
pub fn number_argument(value: &JsValue, argument: &str) -> Result<f64, Failure> {
    match kind(value)? {
        Kind::Number => Ok(value.as_f64().unwrap_or(f64::NAN)),
        other => Err(argument_error(argument, "a number", &other.name()).into()),
    }
}

/// An argument that is an array of strings (the stages with an action): `KIRO-E003` naming
/// `argument` for anything else.
pub fn strings_argument(value: &JsValue, argument: &str) -> Result<Vec<String>, Failure> {
    let kind = kind(value)?;
    if kind != Kind::Array {
        return Err(argument_error(argument, "an array of strings", &kind.name()).into());
    }
    items(value)?
        .iter()
        .enumerate()
        .map(|(i, item)| match self::kind(item)? {
            Kind::Text => Ok(item.as_string().unwrap_or_default()),
            other => {
                Err(argument_error(&format!("{argument}[{i}]"), "a string", &other.name()).into())
            }
        })
        .collect()
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

// Everything this file asks JavaScript that can throw (a Proxy's trap, a getter) is imported
// with `catch`, so the exception comes back as a value: thrown from inside WebAssembly, it
// would skip the function's epilogue and leak the shadow stack.
#[wasm_bindgen]
extern "C" {
    /// `Object.prototype.toString.call(value)`: `[object Map]`.
    #[wasm_bindgen(js_namespace = ["Object", "prototype", "toString"], js_name = call, catch)]
    fn object_tag(value: &JsValue) -> Result<String, JsValue>;

    /// `Array.isArray(value)` (throws for a revoked Proxy).
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;

    /// `Object.keys(value)`: own enumerable string keys.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn own_keys(value: &JsValue) -> Result<Array, JsValue>;

    /// A `Uint8Array` over a whole buffer.
    #[wasm_bindgen(js_name = Uint8Array)]
    type ByteView;

    /// `new Uint8Array(buffer)`: throws for a detached buffer.
    #[wasm_bindgen(constructor, js_class = Uint8Array, catch)]
    fn new(buffer: &JsValue) -> Result<ByteView, JsValue>;
}

/// What a JavaScript value is, as both JavaScript bindings tell values apart (the Node.js
/// binding's `convert` has the same rule).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `undefined` or `null` (its name).
    Nothing(&'static str),
    Bool,
    Number,
    Text,
    Array,
    /// A plain object: one whose `Object.prototype.toString` tag is `Object` (a literal,
    /// `Object.create(null)`, a class instance). Only its own enumerable string keys are read.
    Plain,
    /// Anything else, by the name messages give its type: `function`, `symbol`, `bigint`, or
    /// a built-in object's tag (`Map`, `Promise`, `Float64Array`, `Number`, `Date`).
    Other(String),
}

impl Kind {
    /// The type's name in messages.
    fn name(&self) -> String {
        match self {
            Kind::Nothing(name) => (*name).to_owned(),
            Kind::Bool => "boolean".to_owned(),
            Kind::Number => "number".to_owned(),
            Kind::Text => "string".to_owned(),
            Kind::Array => "array".to_owned(),
            Kind::Plain => "object".to_owned(),
            Kind::Other(name) => name.clone(),
        }
    }
}

fn kind(value: &JsValue) -> Result<Kind, Failure> {
    Ok(if value.is_undefined() {
        Kind::Nothing("undefined")
    } else if value.is_null() {
        Kind::Nothing("null")
    } else if value.as_bool().is_some() {
        Kind::Bool
    } else if value.as_f64().is_some() {
        Kind::Number
    } else if value.is_string() {
        Kind::Text
    } else if value.is_function() {
        Kind::Other("function".to_owned())
    } else if value.is_symbol() {
        Kind::Other("symbol".to_owned())
    } else if value.is_bigint() {
        Kind::Other("bigint".to_owned())
    } else if is_array(value).map_err(|e| Failure::js(&e))? {
        Kind::Array
    } else {
        let tag = object_tag(value).map_err(|e| Failure::js(&e))?;
        match tag
            .strip_prefix("[object ")
            .and_then(|t| t.strip_suffix(']'))
        {
            Some("Object") => Kind::Plain,
            Some(tag) => Kind::Other(tag.to_owned()),
            None => Kind::Other("object".to_owned()),
        }
    })
}

/// The own enumerable string-keyed entries of a plain object, values read with their getters
/// (an `undefined` value is left out: no data, as if absent).
fn entries(object: &JsValue) -> Result<Vec<(String, JsValue)>, Failure> {
    let keys = own_keys(object).map_err(|e| Failure::js(&e))?;
    let mut entries = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        let item = Reflect::get(object, &key).map_err(|e| Failure::js(&e))?;
        if !item.is_undefined() {
            entries.push((name, item));
        }
    }
    Ok(entries)
}

/// The length of an array.
fn length(array: &JsValue) -> Result<u32, Failure> {
    let length = Reflect::get(array, &"length".into()).map_err(|e| Failure::js(&e))?;
    #[expect(
        clippy::cast_possible_truncation,
        reason = "an array's length is below 2^32"
    )]
    #[expect(clippy::cast_sign_loss, reason = "an array's length is not negative")]
    Ok(length.as_f64().unwrap_or(0.0) as u32)
}

/// Item `i` of an array, read with its getter.
fn item(array: &JsValue, i: u32) -> Result<JsValue, Failure> {
    Reflect::get_u32(array, i).map_err(|e| Failure::js(&e))
}

/// The items of an array (an argument's, not a batch column's: those are read one by one).
fn items(array: &JsValue) -> Result<Vec<JsValue>, Failure> {
    (0..length(array)?).map(|i| item(array, i)).collect()
}

fn to_json(value: &JsValue, at: &mut MetricPath) -> Result<Value, Failure> {
    let kind = kind(value)?;
    match kind {
        Kind::Nothing(_) => Ok(Value::Null),
        Kind::Bool => Ok(Value::Bool(value.as_bool().unwrap_or_default())),
        Kind::Number => Ok(at.json_number(value.as_f64().unwrap_or(f64::NAN))?),
        Kind::Text => Ok(Value::String(value.as_string().unwrap_or_default())),
        Kind::Array | Kind::Plain => {
            // Too deep, or an array: a placeholder the core reports on (E006; E022, or E021
            // at the top).
            if let Some(placeholder) = at.placeholder(kind == Kind::Array) {
                return Ok(placeholder);
            }
            let mut map = Map::new();
            for (name, item) in entries(value)? {
                let item = at.enter(&name, |at| to_json(&item, at))?;
                map.insert(name, item);
            }
            Ok(Value::Object(map))
        }
        Kind::Other(type_name) => {
            let top_level = || {
                format!(
                    "metrics must be an object of names to values, not {}",
                    with_article(&type_name)
                )
            };
            Err(at.type_error(&type_name, top_level, "null").into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches in

/// An object of metric names to columns (typed arrays, or arrays of numbers, booleans and
/// nulls) as a core [`Batch`].
pub fn batch(columns: &JsValue) -> Result<Batch, Failure> {
    let kind = kind(columns)?;
    if kind != Kind::Plain {
        return Err(CheckError::invalid_batch(format!(
            "batch columns must be an object of metric names to columns, not {}",
            with_article(&kind.name())
        ))
        .into());
    }
    let mut read = Vec::new();
    for (name, values) in entries(columns)? {
        let column = column(&name, &values)?;
        read.push((name, column));
    }
    Ok(Batch::from_columns(read)?)
}

/// The typed arrays a column can be, as the Node.js binding reads them (from their memory).
const TYPED_COLUMNS: [&str; 9] = [
    "Float64Array",
    "Float32Array",
    "Int32Array",
    "Uint32Array",
    "Int16Array",
    "Uint16Array",
    "Int8Array",
    "Uint8Array",
    "Uint8ClampedArray",
];

fn column(name: &str, values: &JsValue) -> Result<BatchColumn, Failure> {
    let kind = kind(values)?;
    if let Kind::Other(tag) = &kind
        && js_sys::ArrayBuffer::is_view(values)
        && tag != "DataView"
    {
        if !TYPED_COLUMNS.contains(&tag.as_str()) {
            return Err(CheckError::invalid_batch(format!(
                "column `{name}` is {}; use a Float64Array or an array of numbers",
                with_article(tag)
            ))
            .into());
        }
        if is_detached(values)? {
            return Err(CheckError::invalid_batch(format!(
                "column `{name}` is {} whose buffer is detached (it was transferred)",
                with_article(tag)
            ))
            .into());
        }
        let numbers = match values.dyn_ref::<Float64Array>() {
            Some(array) => array.to_vec(),
            // Any other typed array: converted by JavaScript itself.
            None => Float64Array::new(values).to_vec(),
        };
        return Ok(BatchColumn::Numbers(numbers, None));
    }
    if kind != Kind::Array {
        return Err(CheckError::invalid_batch(format!(
            "column `{name}` is {}, not an array or typed array",
            with_article(&kind.name())
        ))
        .into());
    }
    let len = length(values)?;
    let mut column = ColumnBuilder::new(name, len as usize);
    for i in 0..len {
        let item = item(values, i)?;
        match self::kind(&item)? {
            Kind::Nothing(_) => column.push_missing(),
            Kind::Number => column.push_number(item.as_f64().unwrap_or(f64::NAN))?,
            Kind::Bool => column.push_bool(item.as_bool().unwrap_or_default())?,
            other => {
                return Err(CheckError::invalid_batch(format!(
                    "column `{name}` item {i} is {}; batch values are numbers, booleans or null",
                    with_article(&other.name())
                ))
                .into());
            }
        }
    }
    Ok(column.finish())
}

/// Whether the buffer of the typed array `view` is detached (transferred): only an empty view
/// can be, and making a view of a detached buffer throws.
fn is_detached(view: &JsValue) -> Result<bool, Failure> {
    let length = Reflect::get(view, &"length".into()).map_err(|e| Failure::js(&e))?;
    if length.as_f64() != Some(0.0) {
        return Ok(false);
    }
    let buffer = Reflect::get(view, &"buffer".into()).map_err(|e| Failure::js(&e))?;
    Ok(ByteView::new(&buffer).is_err())
}

/// A core batch result as the JavaScript `{verdicts: Uint8Array, counts, warnings?}` object.
pub fn batch_result(result: &BatchResult) -> Result<JsValue, Failure> {
    let object = Object::new();
    let counts = to_js(&result.counts).map_err(|e| Failure::js(&e))?;
    let verdicts = Uint8Array::from(result.verdicts.as_slice());
    Reflect::set(&object, &"verdicts".into(), &verdicts).map_err(|e| Failure::js(&e))?;
    Reflect::set(&object, &"counts".into(), &counts).map_err(|e| Failure::js(&e))?;
    if !result.warnings.is_empty() {
        let warnings = to_js(&result.warnings).map_err(|e| Failure::js(&e))?;
        Reflect::set(&object, &"warnings".into(), &warnings).map_err(|e| Failure::js(&e))?;
    }
    Ok(object.into())
}
