//! Metrics in: a Python mapping of metric names to values, read into the JSON value
//! `CompiledPolicy::check_value` takes.
//!
//! A hand-written walk, measured against the JSON route (`json.dumps` in Python, then
//! `serde_json` in Rust): the walk takes 1.7 µs for a five-metric dict including the engine's
//! check, the JSON route 5.5 µs (docs/performance.md). The walk only rejects what JSON cannot
//! hold (NaN and infinities, non-string keys, Python types that are not data); flattening of
//! nested mappings, unit strings and every message about the values come from the core
//! (`kiro::api::convert::MetricPath`), as in the Node and WebAssembly bindings.

use crate::error::raise;
use kiro::api::convert::MetricPath;
use kiro::{BoundaryError, Code};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Value};

/// Python metrics (a mapping of names to numbers, unit strings, booleans, `None` or nested
/// mappings) as a JSON value.
pub fn read(metrics: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(metrics, &mut MetricPath::new())
}

fn to_json(obj: &Bound<'_, PyAny>, at: &mut MetricPath) -> PyResult<Value> {
    // Floats first: the usual metric value.
    if let Ok(f) = obj.cast::<PyFloat>() {
        return at.float(f.value()).map_err(raise);
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // `bool` before `int`: Python's bool is an int.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(n) = i.extract::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = i.extract::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        // Larger than 64 bits: as a float, like JSON numbers (fails beyond ~1.8e308).
        return at
            .float(obj.extract::<f64>().unwrap_or(f64::INFINITY))
            .map_err(raise);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    let is_list = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>();
    let is_collection =
        is_list || obj.is_instance_of::<PyDict>() || obj.cast::<PyMapping>().is_ok();
    // Too deep, or a list: a placeholder the core reports on (E006; E022, or E021 at the top).
    if is_collection && let Some(placeholder) = at.placeholder(is_list) {
        return Ok(placeholder);
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        // A copy: a value's `__float__` (or a key's `__eq__`) may change the dict, and pyo3's
        // iterator over a dict that changed size panics. The copy is the caller's dict as it
        // was; nothing else can reach it.
        let snapshot = dict.copy()?;
        let mut map = Map::new();
        for (key, value) in snapshot.iter() {
            entry(&mut map, &key, &value, at)?;
        }
        return Ok(Value::Object(map));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        // `items()` is a new list: a snapshot, whatever the values' methods do.
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            entry(&mut map, &key, &value, at)?;
        }
        return Ok(Value::Object(map));
    }
    // Number-like objects (Decimal, NumPy scalars, Fraction).
    if (obj.hasattr("__float__")? || obj.hasattr("__index__")?)
        && let Ok(f) = obj.extract::<f64>()
    {
        return at.float(f).map_err(raise);
    }
    let type_name = obj.get_type().name()?.to_cow()?.into_owned();
    let top_level = || format!("metrics must be a mapping of names to values, not `{type_name}`");
    Err(raise(at.type_error(&type_name, top_level, "None")))
}

fn entry(
    map: &mut Map<String, Value>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    at: &mut MetricPath,
) -> PyResult<()> {
    let Ok(key) = key.cast::<PyString>() else {
        let type_name = key.get_type().name()?.to_cow()?.into_owned();
        let within = if at.as_str().is_empty() {
            String::new()
        } else {
            format!(" in `{}`", at.as_str())
        };
        return Err(raise(BoundaryError::input(
            Code::InputNotObject,
            format!("metric names must be strings, not `{type_name}`{within}"),
        )));
    };
    let key = key.to_cow()?.into_owned();
    let value = at.enter(&key, |at| to_json(value, at))?;
    map.insert(key, value);
    Ok(())
}
