//! Arguments that are options (`format`, `gate`, `kind`, `strict`, `max_parallel`, `fail_fast`) as the
//! JSON-like value the core decodes (`kiro::api::options`), so that a wrong one raises the same
//! coded `InputError` (`KIRO-E003`, `KIRO-E007`) with the same message as in Node and
//! WebAssembly, not a `TypeError` of pyo3's own.

use crate::error::raise;
use kiro::api::{CheckOptions, decode_format};
use kiro::{BoundaryError, Code, Diagnostic, ErrorKind, Format};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// The `format` argument, decoded by the core.
pub fn format(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Format>> {
    crate::convert::caught(|| {
        self::value(value)
            .and_then(|v| decode_format(&v))
            .map_err(raise)
    })
}

/// The `gate`, `kind` and `strict` arguments, decoded by the core.
pub fn check_options(
    gate: Option<&Bound<'_, PyAny>>,
    kind: Option<&Bound<'_, PyAny>>,
    strict: Option<&Bound<'_, PyAny>>,
    baseline: Baseline<'_, '_>,
) -> PyResult<CheckOptions> {
    crate::convert::caught(|| {
        object(&[
            ("gate", gate),
            ("kind", kind),
            ("strict", strict),
            ("history", baseline.history),
            ("branch", baseline.branch),
        ])
        .and_then(|o| CheckOptions::decode(&o))
        .map_err(raise)
    })
}

/// The `history=` and `branch=` arguments of a check (docs/baselines.md).
#[derive(Default, Clone, Copy)]
pub struct Baseline<'a, 'py> {
    /// The earlier runs.
    pub history: Option<&'a Bound<'py, PyAny>>,
    /// The current run's branch.
    pub branch: Option<&'a Bound<'py, PyAny>>,
}

/// Keyword arguments as an options object: each `(name, value)`, `None` for not given.
pub fn object(options: &[(&str, Option<&Bound<'_, PyAny>>)]) -> Result<Value, BoundaryError> {
    let mut map = Map::new();
    for (name, value) in options {
        if let Some(value) = value {
            map.insert((*name).to_owned(), to_value(value)?);
        }
    }
    Ok(Value::Object(map))
}

/// One argument (`None`: absent) as a value.
pub fn value(value: Option<&Bound<'_, PyAny>>) -> Result<Value, BoundaryError> {
    value.map_or(Ok(Value::Null), to_value)
}

/// A Python value as JSON: `None`, booleans, integers, floats (a non-finite one is `null`, as
/// JSON has none), strings, lists, tuples and dicts with string keys. Anything else is not an
/// option value: `KIRO-E003` naming its type.
fn to_value(value: &Bound<'_, PyAny>) -> Result<Value, BoundaryError> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
    }
    if (value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>())
        && let Ok(f) = value.extract::<f64>()
    {
        return Ok(Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| not_data(value))?;
        return Ok(Value::String(text.into_owned()));
    }
    if (value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>())
        && let Ok(items) = value.try_iter()
    {
        return items
            .map(|item| item.map_err(|_| not_data(value)).and_then(|i| to_value(&i)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        // A copy: pyo3's iterator over a dict that changes size (a key's `__str__` may change
        // it) panics.
        let snapshot = dict.copy().map_err(|_| not_data(value))?;
        for (key, item) in snapshot.iter() {
            let key = key.cast::<PyString>().map_err(|_| not_data(value))?;
            let key = key.to_cow().map_err(|_| not_data(value))?.into_owned();
            map.insert(key, to_value(&item)?);
        }
        return Ok(Value::Object(map));
    }
    Err(not_data(value))
}

fn not_data(value: &Bound<'_, PyAny>) -> BoundaryError {
    let type_name = value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string());
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(
            Code::InvalidValue,
            format!("an argument has a value of type `{type_name}`, which is not plain data"),
        ),
    )
}
