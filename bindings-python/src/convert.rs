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
//!   NaN and infinities, non-string keys and Python types that are not data. What such a
//!   value becomes, and its message, is the core's rule (`kiro::api::convert::MetricPath`).
//! - **Batches**: columns are read through the buffer protocol via `memoryview` (no NumPy
//!   dependency, and it works under the `abi3-py39` stable ABI, where pyo3's `PyBuffer` is not
//!   available before Python 3.11); a `float64` array is copied once as bytes. Any other
//!   iterable is read item by item into the core's `ColumnBuilder`; the core's
//!   `Batch::from_columns` checks the columns.

use crate::error::raise;
use kiro::api::convert::{MetricPath, format_option};
use kiro::{
    Batch, BatchColumn, BatchResult, BoundaryError, CheckError, Code, ColumnBuilder, Format,
    Selection,
};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView,
    PyString, PyTuple,
};
use serde::ser::{self, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;
use std::path::Path;
use std::sync::Mutex;

// ---------------------------------------------------------------------------------------------
// Arguments

/// The `format` argument (`"yaml"`, `"json"`, `"toml"` or `None` to detect).
pub fn format(name: Option<&str>) -> PyResult<Option<Format>> {
    format_option(name).map_err(raise)
}

/// The `gate` and `kind` arguments as a selection (both `None`: every gate).
pub fn selection(gate: Option<String>, kind: Option<&str>) -> PyResult<Selection> {
    kiro::api::convert::selection(gate, kind).map_err(raise)
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
    kiro::api::convert::policy_file(path, bytes, format).map_err(raise)
}

// ---------------------------------------------------------------------------------------------
// Metrics in

/// Python metrics (a mapping of names to numbers, unit strings, booleans, `None` or nested
/// mappings) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(metrics, &mut MetricPath::new())
}

fn to_json(obj: &Bound<'_, PyAny>, at: &mut MetricPath) -> PyResult<Value> {
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
    if let Ok(f) = obj.cast::<PyFloat>() {
        return at.float(f.value()).map_err(raise);
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
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            entry(&mut map, &key, &value, at)?;
        }
        return Ok(Value::Object(map));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            entry(&mut map, &key, &value, at)?;
        }
        return Ok(Value::Object(map));
    }
    // Number-like objects (Decimal, NumPy scalars, Fraction).
    if obj.hasattr("__float__")? || obj.hasattr("__index__")? {
        if let Ok(f) = obj.extract::<f64>() {
            return at.float(f).map_err(raise);
        }
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

// ---------------------------------------------------------------------------------------------
// Batches in

fn batch_error(message: String) -> PyErr {
    raise(CheckError::invalid_batch(message))
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
    Batch::from_columns(read).map_err(raise)
}

fn column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<BatchColumn> {
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

fn buffer_column(name: &str, view: &Bound<'_, PyMemoryView>) -> PyResult<BatchColumn> {
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
        return Ok(BatchColumn::Numbers(values, None));
    }
    if matches!(format.as_str(), "?" | "@?" | "=?" | "<?") {
        let bytes = view.call_method0("tobytes")?;
        let values = bytes
            .cast::<PyBytes>()?
            .as_bytes()
            .iter()
            .map(|&b| b != 0)
            .collect();
        return Ok(BatchColumn::Bools(values, None));
    }
    // Other element types (integers, float32): as Python numbers.
    sequence_column(name, &view.call_method0("tolist")?)
}

fn sequence_column(name: &str, values: &Bound<'_, PyAny>) -> PyResult<BatchColumn> {
    let Ok(iter) = values.try_iter() else {
        let type_name = values.get_type().name()?.to_cow()?.into_owned();
        return Err(batch_error(format!(
            "column `{name}` is a `{type_name}`, not a sequence of values"
        )));
    };
    let mut column = ColumnBuilder::new(name, 0);
    for (i, item) in iter.enumerate() {
        let item = item?;
        let pushed = if item.is_none() {
            column.push_missing();
            Ok(())
        } else if let Ok(b) = item.cast::<PyBool>() {
            column.push_bool(b.is_true())
        } else if item.is_instance_of::<PyInt>() || item.is_instance_of::<PyFloat>() {
            column.push_number(item.extract::<f64>().unwrap_or(f64::INFINITY))
        } else if !item.is_instance_of::<PyString>()
            && let Ok(f) = item.extract::<f64>()
        {
            column.push_number(f)
        } else {
            let type_name = item.get_type().name()?.to_cow()?.into_owned();
            return Err(batch_error(format!(
                "column `{name}` item {i} is a `{type_name}`; batch values are numbers, booleans \
                 or None"
            )));
        };
        pushed.map_err(raise)?;
    }
    Ok(column.finish())
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
