//! Conversion between JavaScript values and kiro's data: the one file that knows both sides.
//!
//! - **Out**: a decision (and a plan) is the core's canonical JSON handed to the engine's own
//!   `JSON.parse` (one call; measured about 14 µs per `check` against 24 µs when every property
//!   is created through Node-API). Diagnostics and the schema go through napi's serde support
//!   (`Env::to_js_value`). Either way the result equals `JSON.parse` of the canonical JSON.
//! - **In**: metrics are walked into a `serde_json::Value` here (not with napi's own
//!   `serde_json::Value` conversion, which turns `NaN` into a generic error and has no kiro
//!   codes) and handed to `CompiledPolicy::check_value`, the entry point every binding uses, so
//!   flattening, unit strings and messages about values come from the core. Values are told
//!   apart by one rule shared with the WebAssembly binding ([`Kind`]): only plain objects (tag
//!   `Object`) are read, by their own enumerable keys; a `Promise`, a `Map`, a typed array, a
//!   boxed `Number`, a `Date`, a function, a symbol, a bigint is an error naming its type.
//!   `undefined` is no data, like `null`. What such a value becomes, and its message, is the
//!   core's rule (`kiro::api::convert::MetricPath`).
//! - **Arguments**: options are walked the same way ([`host_value`]); a text, number or
//!   string-array argument of the wrong type is `KIRO-E003` naming it
//!   (`kiro::api::convert::argument_error`), never napi's own `StringExpected`.
//! - **Batches**: typed arrays are read directly from their memory; plain arrays item by item
//!   into the core's `ColumnBuilder`; the core's `Batch::from_columns` checks the columns.
//! - **Runs** (`PipelineRun`): steps and results out as their JSON through `JSON.parse`, like
//!   decisions; what an action returned is read as `check` reads metrics, then by the core's
//!   `kiro::api::convert::attempt_report`.

#![forbid(unsafe_code)]

use crate::error::{is_napi_failure, napi_failure};
use crate::{BatchCounts, BatchResult};
use kiro::api::convert::{HostError, MetricPath, argument_error, not_plain_data, with_article};
use kiro::pipeline::{HostStep, RunOptions, RunResult, StageReport};
use kiro::{
    Batch, BatchColumn, BoundaryError, CheckError, ColumnBuilder, MetricsInput, StartRunOptions,
    catch_panic,
};
use napi::bindgen_prelude::{
    Array, ArrayBuffer, FromNapiValue, Function, JsObjectValue, JsValue, KeyCollectionMode,
    KeyConversion, KeyFilter, Object, TypedArray, TypedArrayType, Uint8Array, Unknown,
};
use napi::{Env, ValueType};
use serde_json::{Map, Value};
use std::cell::OnceCell;

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

/// Any answer of the core (a report, a plan, a decision of a state machine) as a plain object,
/// through `JSON.parse` of its JSON, as decisions are.
pub fn answer<'env, T: serde::Serialize + ?Sized>(
    env: &'env Env,
    value: &T,
) -> napi::Result<Unknown<'env>> {
    // INVARIANT: answers hold only finite floats and string-keyed maps, so this cannot fail.
    json_parse(env, serde_json::to_string(value).unwrap_or_default())
}

/// A value's JSON text as a plain object, by the engine's own `JSON.parse`.
pub fn json_parse(env: &Env, text: String) -> napi::Result<Unknown<'_>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'_>> = json.get_named_property("parse")?;
    parse.call(text)
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// A host value given as an argument (an options object, a format name) as the JSON value the
/// core decodes (`kiro::api::options`): absent, `undefined` and `null` are `null`; `NaN` and
/// infinities `null`, as in `JSON.stringify`; only a plain object's own enumerable keys are
/// read. Walked here, as in the WebAssembly binding, so that a value that is not plain data
/// (a function, a symbol, a bigint, a `Map`, a `Promise`) is the same coded error in both.
///
/// # Errors
/// `KIRO-E003` (`kiro::api::convert::not_plain_data`) for a value that is not plain data or is
/// nested more deeply than the core reads; an exception a getter threw propagates.
pub fn host_value(value: Option<&Unknown<'_>>) -> Result<Value, BoundaryError> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let env = Env::from_raw(value.value().env);
    caught(|| plain(&Classifier::new(&env), value, 0))
}

/// Runs a walk over host values with panics caught (`KIRO-E099`): a panic must not unwind out
/// of a napi callback, where it would abort the process. The walks hold no panicking code
/// (audited: no indexing out of their own bounds, no `unwrap`); this makes it a guarantee.
fn caught<T>(walk: impl FnOnce() -> Result<T, BoundaryError>) -> Result<T, BoundaryError> {
    catch_panic(walk)?
}

fn plain(js: &Classifier<'_>, value: &Unknown<'_>, depth: usize) -> Result<Value, BoundaryError> {
    let kind = js.kind(value)?;
    match kind {
        Kind::Nothing(_) => return Ok(Value::Null),
        Kind::Bool => return Ok(Value::Bool(read_bool(value)?)),
        Kind::Number => {
            let n = f64::from_unknown(*value).map_err(napi_failure)?;
            // Integral numbers as integers, as `JSON.parse` gives them.
            return Ok(MetricPath::new().json_number(n).unwrap_or(Value::Null));
        }
        Kind::Text => return Ok(Value::String(read_string(value)?)),
        Kind::Other(name) => return Err(not_plain_data(&name)),
        Kind::Array | Kind::Plain => {}
    }
    if depth >= kiro::document::Limits::default().max_depth {
        return Err(not_plain_data("objects nested too deeply"));
    }
    let object = value.coerce_to_object().map_err(napi_failure)?;
    if kind == Kind::Array {
        let len = object.get_array_length().map_err(napi_failure)?;
        return (0..len)
            .map(|i| {
                let item: Unknown<'_> = object.get_element(i).map_err(napi_failure)?;
                plain(js, &item, depth + 1)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    let mut map = Map::new();
    for key in own_keys(&object)? {
        let Some(item) = object.get::<Unknown<'_>>(&key).map_err(napi_failure)? else {
            continue;
        };
        map.insert(key, plain(js, &item, depth + 1)?);
    }
    Ok(Value::Object(map))
}

/// A string argument (a policy's text, a saved run): `KIRO-E003` naming `argument` for
/// anything else.
pub fn text_argument(
    env: &Env,
    value: &Unknown<'_>,
    argument: &str,
) -> Result<String, BoundaryError> {
    match Classifier::new(env).kind(value)? {
        Kind::Text => read_string(value),
        other => Err(argument_error(argument, "a string", &other.name())),
    }
}

/// A number argument (an attempt's id, the time): `KIRO-E003` naming `argument` for anything
/// else.
pub fn number_argument(
    env: &Env,
    value: &Unknown<'_>,
    argument: &str,
) -> Result<f64, BoundaryError> {
    match Classifier::new(env).kind(value)? {
        Kind::Number => f64::from_unknown(*value).map_err(napi_failure),
        other => Err(argument_error(argument, "a number", &other.name())),
    }
}

/// An argument that is an array of strings (the stages with an action): `KIRO-E003` naming
/// `argument` for anything else.
pub fn strings_argument(
    env: &Env,
    value: &Unknown<'_>,
    argument: &str,
) -> Result<Vec<String>, BoundaryError> {
    let js = Classifier::new(env);
    let expected = "an array of strings";
    let kind = js.kind(value)?;
    if kind != Kind::Array {
        return Err(argument_error(argument, expected, &kind.name()));
    }
    let array = value.coerce_to_object().map_err(napi_failure)?;
    let len = array.get_array_length().map_err(napi_failure)?;
    let mut strings = Vec::new();
    for i in 0..len {
        let item: Unknown<'_> = array.get_element(i).map_err(napi_failure)?;
        match js.kind(&item)? {
            Kind::Text => strings.push(read_string(&item)?),
            other => {
                return Err(argument_error(
                    &format!("{argument}[{i}]"),
                    "a string",
                    &other.name(),
                ));
            }
        }
    }
    Ok(strings)
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
    let env = Env::from_raw(metrics.value().env);
    caught(|| to_json(&Classifier::new(&env), metrics, &mut MetricPath::new()))
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

/// What a JavaScript value is, as both JavaScript bindings tell values apart (the WebAssembly
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

/// Tells JavaScript values apart ([`Kind`]) with `Object.prototype.toString`, looked up once,
/// when the first object is met.
struct Classifier<'env> {
    env: &'env Env,
    tag: OnceCell<Function<'env, (), String>>,
}

impl<'env> Classifier<'env> {
    fn new(env: &'env Env) -> Self {
        Self {
            env,
            tag: OnceCell::new(),
        }
    }

    /// `Object.prototype.toString.call(value)`.
    fn tag(&self, value: &Unknown<'_>) -> Result<String, BoundaryError> {
        let tag = match self.tag.get() {
            Some(tag) => tag,
            None => {
                let object: Object<'_> = self
                    .env
                    .get_global()
                    .and_then(|g| g.get_named_property_unchecked("Object"))
                    .map_err(napi_failure)?;
                let prototype: Object<'_> = object
                    .get_named_property_unchecked("prototype")
                    .map_err(napi_failure)?;
                let function = prototype
                    .get_named_property("toString")
                    .map_err(napi_failure)?;
                self.tag.get_or_init(|| function)
            }
        };
        tag.apply(*value, ()).map_err(napi_failure)
    }

    fn kind(&self, value: &Unknown<'_>) -> Result<Kind, BoundaryError> {
        Ok(match value.get_type().map_err(napi_failure)? {
            ValueType::Undefined => Kind::Nothing("undefined"),
            ValueType::Null => Kind::Nothing("null"),
            ValueType::Boolean => Kind::Bool,
            ValueType::Number => Kind::Number,
            ValueType::String => Kind::Text,
            ValueType::Symbol => Kind::Other("symbol".to_owned()),
            ValueType::Function => Kind::Other("function".to_owned()),
            ValueType::Object if value.is_array().map_err(napi_failure)? => Kind::Array,
            ValueType::Object => {
                let tag = self.tag(value)?;
                let tag = tag
                    .strip_prefix("[object ")
                    .and_then(|t| t.strip_suffix(']'))
                    .unwrap_or("object");
                if tag == "Object" {
                    Kind::Plain
                } else {
                    Kind::Other(tag.to_owned())
                }
            }
            _ => Kind::Other("bigint".to_owned()),
        })
    }
}

/// The own enumerable string keys of `object`, as `Object.keys` gives them (never inherited
/// ones: napi's `Object::keys` includes the prototype chain's).
fn own_keys(object: &Object<'_>) -> Result<Vec<String>, BoundaryError> {
    let names = object
        .get_all_property_names(
            KeyCollectionMode::OwnOnly,
            KeyFilter::Enumerable,
            KeyConversion::NumbersToStrings,
        )
        .map_err(napi_failure)?;
    let len = names.get_array_length().map_err(napi_failure)?;
    let mut keys = Vec::with_capacity(len as usize);
    for i in 0..len {
        let name: Unknown<'_> = names.get_element(i).map_err(napi_failure)?;
        if name.get_type().map_err(napi_failure)? == ValueType::String {
            keys.push(read_string(&name)?);
        }
    }
    Ok(keys)
}

fn read_string(value: &Unknown<'_>) -> Result<String, BoundaryError> {
    String::from_unknown(*value).map_err(napi_failure)
}

fn read_bool(value: &Unknown<'_>) -> Result<bool, BoundaryError> {
    bool::from_unknown(*value).map_err(napi_failure)
}

fn to_json(
    js: &Classifier<'_>,
    value: &Unknown<'_>,
    at: &mut MetricPath,
) -> Result<Value, BoundaryError> {
    let kind = js.kind(value)?;
    match kind {
        Kind::Nothing(_) => Ok(Value::Null),
        Kind::Bool => Ok(Value::Bool(read_bool(value)?)),
        Kind::Number => {
            let n = f64::from_unknown(*value).map_err(napi_failure)?;
            Ok(at.json_number(n)?)
        }
        Kind::Text => Ok(Value::String(read_string(value)?)),
        Kind::Array | Kind::Plain => {
            // Too deep, or an array: a placeholder the core reports on (E006; E022, or E021
            // at the top).
            if let Some(placeholder) = at.placeholder(kind == Kind::Array) {
                return Ok(placeholder);
            }
            let object = value.coerce_to_object().map_err(napi_failure)?;
            let mut map = Map::new();
            for key in own_keys(&object)? {
                let Some(item) = object.get::<Unknown<'_>>(&key).map_err(napi_failure)? else {
                    continue; // undefined: no data, as if absent
                };
                let item = at.enter(&key, |at| to_json(js, &item, at))?;
                map.insert(key, item);
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
pub fn batch(columns: &Unknown<'_>) -> Result<Batch, BoundaryError> {
    caught(|| read_batch(columns))
}

fn read_batch(columns: &Unknown<'_>) -> Result<Batch, BoundaryError> {
    let env = Env::from_raw(columns.value().env);
    let js = Classifier::new(&env);
    let kind = js.kind(columns)?;
    if kind != Kind::Plain {
        return Err(CheckError::invalid_batch(format!(
            "batch columns must be an object of metric names to columns, not {}",
            with_article(&kind.name())
        ))
        .into());
    }
    let object = columns.coerce_to_object().map_err(napi_failure)?;
    let mut read = Vec::new();
    for name in own_keys(&object)? {
        let Some(values) = object.get::<Unknown<'_>>(&name).map_err(napi_failure)? else {
            continue;
        };
        let column = column(&js, &name, &values)?;
        read.push((name, column));
    }
    Ok(Batch::from_columns(read)?)
}

fn column(
    js: &Classifier<'_>,
    name: &str,
    values: &Unknown<'_>,
) -> Result<BatchColumn, BoundaryError> {
    let kind = js.kind(values)?;
    if values.is_typedarray().map_err(napi_failure)? {
        let array = TypedArray::from_unknown(*values).map_err(napi_failure)?;
        if is_detached(values, &array)? {
            return Err(CheckError::invalid_batch(format!(
                "column `{name}` is {} whose buffer is detached (it was transferred)",
                with_article(&kind.name())
            ))
            .into());
        }
        return typed_column(name, &kind.name(), &array);
    }
    if kind != Kind::Array {
        return Err(CheckError::invalid_batch(format!(
            "column `{name}` is {}, not an array or typed array",
            with_article(&kind.name())
        ))
        .into());
    }
    let array = Array::from_unknown(*values).map_err(napi_failure)?;
    array_column(js, name, &array)
}

/// Whether the buffer of the typed array `view` is detached (transferred): only an empty view
/// can be. (The `arraybuffer` napi makes of a view is the view itself, so the buffer is read
/// from its `buffer` property.)
fn is_detached(view: &Unknown<'_>, array: &TypedArray<'_>) -> Result<bool, BoundaryError> {
    if !array.arraybuffer.is_empty() {
        return Ok(false);
    }
    let buffer: Unknown<'_> = view
        .coerce_to_object()
        .and_then(|v| v.get_named_property_unchecked("buffer"))
        .map_err(napi_failure)?;
    if !buffer.is_arraybuffer().map_err(napi_failure)? {
        return Ok(false); // a SharedArrayBuffer cannot be detached
    }
    ArrayBuffer::from_unknown(buffer)
        .and_then(|b| b.is_detached())
        .map_err(napi_failure)
}

fn typed_column(
    name: &str,
    type_name: &str,
    array: &TypedArray<'_>,
) -> Result<BatchColumn, BoundaryError> {
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
                "column `{name}` is {}; use a Float64Array or an array of numbers",
                with_article(type_name)
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

fn array_column(
    js: &Classifier<'_>,
    name: &str,
    array: &Array<'_>,
) -> Result<BatchColumn, BoundaryError> {
    let len = array.len();
    let mut column = ColumnBuilder::new(name, len as usize);
    for i in 0..len {
        let Some(item) = array.get::<Unknown<'_>>(i).map_err(napi_failure)? else {
            column.push_missing();
            continue;
        };
        match js.kind(&item)? {
            Kind::Nothing(_) => column.push_missing(),
            Kind::Number => column.push_number(f64::from_unknown(item).map_err(napi_failure)?)?,
            Kind::Bool => column.push_bool(read_bool(&item)?)?,
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

/// A core batch result as the JavaScript `{verdicts: Uint8Array, counts, warnings?}` object.
pub fn batch_result(result: kiro::BatchResult) -> BatchResult {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    BatchResult {
        counts: BatchCounts {
            pass: count(result.counts.pass),
            warn: count(result.counts.warn),
            fail: count(result.counts.fail),
            error: count(result.counts.error),
        },
        warnings: (!result.warnings.is_empty()).then(|| {
            result
                .warnings
                .iter()
                .filter_map(|d| serde_json::to_value(d).ok())
                .collect()
        }),
        verdicts: Uint8Array::new(result.verdicts),
    }
}
