//! Conversion between Python objects and kiro's data: the one file that knows both sides.
//!
//! # Why this conversion, and not `pythonize`
//! The binding uses pyo3 0.30, the current release; `pythonize` does not support it yet, and
//! pyo3 0.29 + `pythonize` would pin the binding to an older pyo3 for one helper. Converting by
//! hand also lets each direction take the fastest route (a `check` on a compiled policy has a
//! budget of 5 µs including conversion):
//!
//! - **Out** (decisions, diagnostics, the JSON Schema): [`to_py`] is a small serde
//!   [`Serializer`] that builds Python objects directly from the core's serde types — no JSON
//!   text and no intermediate `serde_json::Value`. The output equals `json.loads` of the core's
//!   canonical JSON (same keys, same order, absent optional keys stay absent).
//! - **In** (metrics): [`metrics_to_json`] walks the Python object into a `serde_json::Value`
//!   and the binding calls `CompiledPolicy::check_value`, the entry point the Node and
//!   WebAssembly bindings use too, so flattening of nested mappings, unit strings and every
//!   message about the values come from the core. Only what JSON cannot hold is rejected here:
//!   NaN and infinities, non-string keys and Python types that are not data.
//! - **Batches**: columns are read through the buffer protocol via `memoryview` (no NumPy
//!   dependency, and it works under the `abi3-py39` stable ABI, where pyo3's `PyBuffer` is not
//!   available before Python 3.11); a `float64` array is copied once as bytes. Any other
//!   iterable is read item by item.

use crate::error::Failure;
use kiro::document::Limits;
use kiro::{Batch, BatchResult, Code, Diagnostic, ErrorKind, Format, Selection};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView,
    PyString, PyTuple,
};
use serde::ser::{self, Serialize, Serializer};
use serde_json::{Map, Number, Value};
use std::fmt;
use std::path::Path;
use std::sync::Mutex;

// ---------------------------------------------------------------------------------------------
// Arguments

/// The `format` argument (`"yaml"`, `"json"`, `"toml"` or `None` to detect).
pub fn format(name: Option<&str>) -> PyResult<Option<Format>> {
    name.map(kiro::parse_format)
        .transpose()
        .map_err(|d| Failure::new(ErrorKind::Input, d).into())
}

/// The `gate` and `kind` arguments as a selection (both `None`: every gate).
pub fn selection(gate: Option<String>, kind: Option<&str>) -> PyResult<Selection> {
    let kind = kind
        .map(kiro::parse_kind)
        .transpose()
        .map_err(|d| PyErr::from(Failure::new(ErrorKind::Input, d)))?;
    Ok(Selection { gate, kind })
}

/// Reads a policy file: its text, and its format from the extension when not given (`None`
/// when the extension says nothing: the core detects it from the text).
pub fn read_policy(path: &Path, format: Option<Format>) -> PyResult<(String, Option<Format>)> {
    let bytes = std::fs::read(path).map_err(|e| {
        // OSError(errno, strerror, filename) becomes FileNotFoundError and friends.
        PyOSError::new_err((
            e.raw_os_error().unwrap_or(0),
            e.to_string(),
            path.display().to_string(),
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        PyErr::from(Failure::new(
            ErrorKind::Policy,
            Diagnostic::error(Code::Syntax, "the policy is not valid UTF-8")
                .with_label(kiro::Span::new(at, at + 1), "not UTF-8")
                .with_source(path.display().to_string()),
        ))
    })?;
    let format = format.or_else(|| {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
    });
    Ok((text, format))
}

// ---------------------------------------------------------------------------------------------
// Metrics in

/// Python metrics (a mapping of names to numbers, unit strings, booleans, `None` or nested
/// mappings) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut path = String::new();
    to_json(metrics, 0, &mut path)
}

fn to_json(obj: &Bound<'_, PyAny>, depth: usize, path: &mut String) -> PyResult<Value> {
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
        return number(obj.extract::<f64>().unwrap_or(f64::INFINITY), depth, path);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return number(f.value(), depth, path);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    // INVARIANT: the core rejects a collection nested `max_depth` levels deep (E006, with its
    // own message). Stopping here with an empty placeholder at that depth keeps its message
    // and bounds the recursion (a mapping that contains itself ends here too).
    let is_collection = obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.cast::<PyMapping>().is_ok();
    if is_collection && depth >= Limits::default().max_depth {
        return Ok(Value::Object(Map::new()));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            entry(&mut map, &key, &value, depth, path)?;
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        // The core reports lists (E022, or E021 at the top); their items do not matter.
        return Ok(Value::Array(Vec::new()));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            entry(&mut map, &key, &value, depth, path)?;
        }
        return Ok(Value::Object(map));
    }
    // Number-like objects (Decimal, NumPy scalars, Fraction).
    if obj.hasattr("__float__")? || obj.hasattr("__index__")? {
        if let Ok(f) = obj.extract::<f64>() {
            return number(f, depth, path);
        }
    }
    let type_name = obj.get_type().name()?.to_cow()?.into_owned();
    let what = if depth == 0 {
        format!("metrics must be a mapping of names to values, not `{type_name}`")
    } else {
        format!("metric `{path}` has a value of type `{type_name}`")
    };
    let code = if depth == 0 {
        Code::InputNotObject
    } else {
        Code::InvalidMetricValue
    };
    Err(Failure::new(
        ErrorKind::Input,
        Diagnostic::error(code, what)
            .with_help(
                "metric values are numbers, strings with a unit (`\"87%\"`), booleans or None",
            )
            .with_source("metrics"),
    )
    .into())
}

fn entry(
    map: &mut Map<String, Value>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    depth: usize,
    path: &mut String,
) -> PyResult<()> {
    let Ok(key) = key.cast::<PyString>() else {
        let type_name = key.get_type().name()?.to_cow()?.into_owned();
        let within = if path.is_empty() {
            String::new()
        } else {
            format!(" in `{path}`")
        };
        return Err(Failure::input(
            Code::InputNotObject,
            format!("metric names must be strings, not `{type_name}`{within}"),
        )
        .into());
    };
    let key = key.to_cow()?.into_owned();
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(&key);
    let value = to_json(value, depth + 1, path)?;
    path.truncate(len);
    map.insert(key, value);
    Ok(())
}

fn number(value: f64, depth: usize, path: &str) -> PyResult<Value> {
    match Number::from_f64(value) {
        Some(n) => Ok(Value::Number(n)),
        // At the top level the core reports "not a mapping".
        None if depth == 0 => Ok(Value::Null),
        None => Err(Failure::input(
            Code::InvalidMetricValue,
            format!("metric `{path}` is not a finite number"),
        )
        .into()),
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

fn batch_error(message: String) -> PyErr {
    Failure::input(Code::InvalidBatch, message).into()
}

/// A mapping of metric names to columns (sequences, or any object with the buffer protocol
/// such as `array.array` or a NumPy array) as a core [`Batch`].
pub fn batch(columns: &Bound<'_, PyAny>) -> PyResult<Batch> {
    let Ok(mapping) = columns.cast::<PyMapping>() else {
        let type_name = columns.get_type().name()?.to_cow()?.into_owned();
        return Err(batch_error(format!(
            "batch columns must be a mapping of metric names to columns, not `{type_name}`"
        )));
    };
    let mut read = Vec::new();
    for item in mapping.items()?.iter() {
        let (name, values): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let Ok(name) = name.cast::<PyString>() else {
            return Err(batch_error("batch column names must be strings".to_owned()));
        };
        let name = name.to_cow()?.into_owned();
        let column = column(&name, &values)?;
        read.push((name, column));
    }
    let mut batch = Batch::new(read.first().map_or(0, |(_, c)| c.len()));
    for (name, column) in read {
        let added = match column {
            Column::Numbers(values, present) => batch.add_numbers(&name, values, present),
            Column::Bools(values, present) => batch.add_bools(&name, values, present),
        };
        added.map_err(|e| PyErr::from(Failure::from_kiro(&e)))?;
    }
    Ok(batch)
}

fn column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Column> {
    if values.is_instance_of::<PyString>() {
        return Err(batch_error(format!(
            "column `{name}` is a string, not a sequence of values"
        )));
    }
    let buffer_like = values.is_instance_of::<PyBytes>()
        || values.is_instance_of::<PyByteArray>()
        || values.is_instance_of::<PyMemoryView>()
        || !(values.is_instance_of::<PyList>() || values.is_instance_of::<PyTuple>());
    if buffer_like && let Ok(view) = PyMemoryView::from(values) {
        return buffer_column(name, &view);
    }
    sequence_column(name, values)
}

fn buffer_column(name: &str, view: &Bound<'_, PyMemoryView>) -> PyResult<Column> {
    let ndim: usize = view.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(batch_error(format!(
            "column `{name}` has {ndim} dimensions; a batch column has one"
        )));
    }
    let format: String = view.getattr("format")?.extract()?;
    let native_f64 = matches!(format.as_str(), "d" | "@d" | "=d")
        || (cfg!(target_endian = "little") && format == "<d");
    if native_f64 {
        let bytes = view.call_method0("tobytes")?;
        let bytes = bytes.cast::<PyBytes>()?.as_bytes();
        let values = bytes
            .chunks_exact(8)
            .map(|c| f64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        return Ok(Column::Numbers(values, None));
    }
    if matches!(format.as_str(), "?" | "@?" | "=?" | "<?") {
        let bytes = view.call_method0("tobytes")?;
        let values = bytes
            .cast::<PyBytes>()?
            .as_bytes()
            .iter()
            .map(|&b| b != 0)
            .collect();
        return Ok(Column::Bools(values, None));
    }
    // Other element types (integers, float32): as Python numbers.
    sequence_column(name, &view.call_method0("tolist")?)
}

fn sequence_column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Column> {
    let Ok(iter) = values.try_iter() else {
        let type_name = values.get_type().name()?.to_cow()?.into_owned();
        return Err(batch_error(format!(
            "column `{name}` is a `{type_name}`, not a sequence of values"
        )));
    };
    let mut numbers: Vec<f64> = Vec::new();
    let mut bools: Vec<bool> = Vec::new();
    let mut present: Vec<bool> = Vec::new();
    let mut is_bool: Option<bool> = None;
    for (i, item) in iter.enumerate() {
        let item = item?;
        let value = if item.is_none() {
            None
        } else if let Ok(b) = item.cast::<PyBool>() {
            Some(Err(b.is_true()))
        } else if item.is_instance_of::<PyInt>() || item.is_instance_of::<PyFloat>() {
            Some(Ok(item.extract::<f64>().unwrap_or(f64::INFINITY)))
        } else if !item.is_instance_of::<PyString>()
            && let Ok(f) = item.extract::<f64>()
        {
            Some(Ok(f))
        } else {
            let type_name = item.get_type().name()?.to_cow()?.into_owned();
            return Err(batch_error(format!(
                "column `{name}` item {i} is a `{type_name}`; batch values are numbers, booleans \
                 or None"
            )));
        };
        match value {
            None => {
                present.push(false);
                numbers.push(0.0);
                bools.push(false);
            }
            Some(v) => {
                let this_is_bool = v.is_err();
                if *is_bool.get_or_insert(this_is_bool) != this_is_bool {
                    return Err(batch_error(format!(
                        "column `{name}` mixes numbers and booleans (item {i})"
                    )));
                }
                present.push(true);
                match v {
                    Ok(n) => {
                        numbers.push(n);
                        bools.push(false);
                    }
                    Err(b) => {
                        numbers.push(0.0);
                        bools.push(b);
                    }
                }
            }
        }
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

/// A batch result as `{"verdicts": bytes, "counts": {"pass", "warn", "fail", "error"}}`.
pub fn batch_result<'py>(py: Python<'py>, result: &BatchResult) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    dict.set_item("verdicts", PyBytes::new(py, &result.verdicts))?;
    dict.set_item("counts", to_py(py, &result.counts)?)?;
    Ok(dict.into_any())
}

// ---------------------------------------------------------------------------------------------
// Data out: a serde Serializer producing Python objects

/// Any serde value (a decision, diagnostics, the JSON Schema) as plain Python data: dicts,
/// lists, str, int, float, bool and None.
pub fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    value.serialize(PySer { py }).map_err(|e| e.0)
}

/// Python strings for struct field names, made once. A decision repeats a few dozen field names
/// and every `check` returns all of them; looking one up here is cheaper than building and
/// hashing a new `str` each time. Keyed by the address and length of the `&'static str` serde's
/// derive passes (the same literal every time); unknown names are added, up to a bound.
static FIELD_NAMES: Mutex<Vec<(usize, usize, Py<PyString>)>> = Mutex::new(Vec::new());

fn field_name<'py>(py: Python<'py>, key: &'static str) -> Bound<'py, PyString> {
    let (addr, len) = (key.as_ptr() as usize, key.len());
    let Ok(mut names) = FIELD_NAMES.lock() else {
        return PyString::intern(py, key);
    };
    if let Some((_, _, name)) = names.iter().find(|(a, l, _)| *a == addr && *l == len) {
        return name.bind(py).clone();
    }
    let name = PyString::intern(py, key);
    if names.len() < 512 {
        names.push((addr, len, name.clone().unbind()));
    }
    name
}

/// A serialization error carrying the Python exception.
#[derive(Debug)]
struct SerError(PyErr);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError(PyValueError::new_err(msg.to_string()))
    }
}

impl From<PyErr> for SerError {
    fn from(e: PyErr) -> Self {
        SerError(e)
    }
}

#[derive(Clone, Copy)]
struct PySer<'py> {
    py: Python<'py>,
}

struct SeqSer<'py> {
    py: Python<'py>,
    items: Vec<Bound<'py, PyAny>>,
}

struct MapSer<'py> {
    py: Python<'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
}

/// A tuple or struct variant: `{variant: value}`, as serde_json writes it.
struct VariantSer<S> {
    variant: &'static str,
    inner: S,
}

type Res<'py> = Result<Bound<'py, PyAny>, SerError>;

impl<'py> PySer<'py> {
    fn wrap(self, variant: &'static str, value: Bound<'py, PyAny>) -> Res<'py> {
        let dict = PyDict::new(self.py);
        dict.set_item(variant, value)?;
        Ok(dict.into_any())
    }
}

impl<'py> Serializer for PySer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    type SerializeSeq = SeqSer<'py>;
    type SerializeTuple = SeqSer<'py>;
    type SerializeTupleStruct = SeqSer<'py>;
    type SerializeTupleVariant = VariantSer<SeqSer<'py>>;
    type SerializeMap = MapSer<'py>;
    type SerializeStruct = MapSer<'py>;
    type SerializeStructVariant = VariantSer<MapSer<'py>>;

    fn serialize_bool(self, v: bool) -> Res<'py> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Res<'py> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Res<'py> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Res<'py> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Res<'py> {
        let Ok(v) = v.into_pyobject(self.py);
        Ok(v.into_any())
    }
    fn serialize_u8(self, v: u8) -> Res<'py> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Res<'py> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Res<'py> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Res<'py> {
        let Ok(v) = v.into_pyobject(self.py);
        Ok(v.into_any())
    }
    fn serialize_f32(self, v: f32) -> Res<'py> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Res<'py> {
        Ok(PyFloat::new(self.py, v).into_any())
    }
    fn serialize_char(self, v: char) -> Res<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Res<'py> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Res<'py> {
        Ok(PyBytes::new(self.py, v).into_any())
    }
    fn serialize_none(self) -> Res<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Res<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Res<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Res<'py> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Res<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Res<'py> {
        let value = value.serialize(self)?;
        self.wrap(variant, value)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer<'py>, SerError> {
        Ok(SeqSer {
            py: self.py,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'py>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSer<'py>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<SeqSer<'py>>, SerError> {
        Ok(VariantSer {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'py>, SerError> {
        Ok(MapSer {
            py: self.py,
            dict: PyDict::new(self.py),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer<'py>, SerError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<MapSer<'py>>, SerError> {
        Ok(VariantSer {
            variant,
            inner: self.serialize_map(Some(len))?,
        })
    }
}

impl<'py> ser::SerializeSeq for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.items.push(value.serialize(PySer { py: self.py })?);
        Ok(())
    }
    fn end(self) -> Res<'py> {
        Ok(PyList::new(self.py, self.items)?.into_any())
    }
}

impl<'py> ser::SerializeTuple for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Res<'py> {
        ser::SerializeSeq::end(self)
    }
}

impl<'py> ser::SerializeTupleStruct for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Res<'py> {
        ser::SerializeSeq::end(self)
    }
}

impl<'py> ser::SerializeTupleVariant for VariantSer<SeqSer<'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Res<'py> {
        let py = self.inner.py;
        let list = ser::SerializeSeq::end(self.inner)?;
        PySer { py }.wrap(self.variant, list)
    }
}

impl<'py> ser::SerializeMap for MapSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = Some(key.serialize(PySer { py: self.py })?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <SerError as ser::Error>::custom("a map value without a key"))?;
        self.dict
            .set_item(key, value.serialize(PySer { py: self.py })?)?;
        Ok(())
    }
    fn end(self) -> Res<'py> {
        Ok(self.dict.into_any())
    }
}

impl<'py> ser::SerializeStruct for MapSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.dict.set_item(
            field_name(self.py, key),
            value.serialize(PySer { py: self.py })?,
        )?;
        Ok(())
    }
    fn end(self) -> Res<'py> {
        Ok(self.dict.into_any())
    }
}

impl<'py> ser::SerializeStructVariant for VariantSer<MapSer<'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Res<'py> {
        let py = self.inner.py;
        let dict = self.inner.dict.into_any();
        PySer { py }.wrap(self.variant, dict)
    }
}
