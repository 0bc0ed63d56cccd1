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
//!   canonical JSON (same keys, same order, absent optional keys stay absent). What it costs is
//!   mostly making Python objects, so it reuses the immutable ones a decision repeats from one
//!   call to the next (one cache, `OUTPUT`, taken once per call): `str` objects by content
//!   (field names by the address of serde's `&'static str`) and floats by their bits. A struct
//!   with more than five fields (a criterion, a gate) starts as a copy of a template dict for
//!   that struct and first value (already sized, keys in place, the values it first had),
//!   and only the fields whose value differs from the template's are made and stored.
//! - **In** (metrics): [`metrics_to_json`] walks the Python object into a `serde_json::Value`
//!   and the binding calls `CompiledPolicy::check_value`, the entry point the Node and
//!   WebAssembly bindings use too, so flattening of nested mappings, unit strings and every
//!   message about the values come from the core. Only what JSON cannot hold is rejected here:
//!   NaN and infinities, non-string keys and Python types that are not data. What such a
//!   value becomes, and its message, is the core's rule (`kiro::api::convert::MetricPath`).
//!   Key text is cached by `str` object (`KEYS`): under the stable ABI, reading a `str` goes
//!   through a new `bytes` object.
//! - **Batches**: columns are read through the buffer protocol via `memoryview` (no NumPy
//!   dependency, and it works under the `abi3-py39` stable ABI, where pyo3's `PyBuffer` is not
//!   available before Python 3.11); a `float64` array is copied as bytes in 64 KiB slices
//!   (no large `bytes` object per call). Any other iterable is read item by item into the
//!   core's `ColumnBuilder`; the core's `Batch::from_columns` checks the columns.

use crate::error::raise;
use kiro::api::convert::{MetricPath, format_option};
use kiro::{
    Batch, BatchColumn, BatchResult, BoundaryError, CheckError, Code, ColumnBuilder, Format,
    Selection,
};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView, PySlice,
    PyString, PyTuple,
};
use serde::ser::{self, Serialize, Serializer};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

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
    // Taken once per call; busy only when Python code run by the walk (a mapping's `items`,
    // a number's `__float__`) converts metrics itself, which then reads its keys afresh.
    let mut keys = match KEYS.try_lock() {
        Ok(cache) => Some(cache),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    };
    to_json(metrics, &mut MetricPath::new(), &mut keys)
}

/// The text of metric names already read, by `str` object: a program passes the same key
/// objects (literals, or the keys of a dict it fills again) from one call to the next, and
/// reading a key's text under the stable ABI goes through a new `bytes` object. The cache holds
/// a reference to each key it keeps, so an address it holds cannot be reused by another
/// object. One entry per slot; a new key replaces the one in its slot.
static KEYS: Mutex<KeyCache> = Mutex::new(KeyCache { slots: Vec::new() });

/// How many keys [`KEYS`] holds (a power of two).
const KEY_SLOTS: usize = 64;

struct KeyCache {
    /// Empty until first used, then [`KEY_SLOTS`] long.
    slots: Vec<Option<(Py<PyString>, String)>>,
}

impl KeyCache {
    /// The text of `key`.
    fn text(&mut self, key: &Bound<'_, PyString>) -> PyResult<String> {
        if self.slots.is_empty() {
            self.slots.resize_with(KEY_SLOTS, || None);
        }
        let index = slot_of(key.as_ptr() as u64, KEY_SLOTS - 1);
        if let Some(Some((cached, text))) = self.slots.get(index)
            && cached.as_ptr() == key.as_ptr()
        {
            return Ok(text.clone());
        }
        let text = key.to_cow()?.into_owned();
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some((key.clone().unbind(), text.clone()));
        }
        Ok(text)
    }
}

/// The key cache for one walk (`None`: read every key afresh).
type Keys = Option<MutexGuard<'static, KeyCache>>;

fn to_json(obj: &Bound<'_, PyAny>, at: &mut MetricPath, keys: &mut Keys) -> PyResult<Value> {
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
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            entry(&mut map, &key, &value, at, keys)?;
        }
        return Ok(Value::Object(map));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            entry(&mut map, &key, &value, at, keys)?;
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
    keys: &mut Keys,
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
    let key = match keys.as_deref_mut() {
        Some(cache) => cache.text(key)?,
        None => key.to_cow()?.into_owned(),
    };
    let value = at.enter(&key, |at| to_json(value, at, keys))?;
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
        return Ok(BatchColumn::Numbers(f64_buffer(view)?, None));
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

/// Doubles per slice of a buffer copied at a time: 64 KiB, small enough that the allocator
/// serves each slice's `bytes` from memory it already has. One `tobytes` of a whole column of
/// 100,000 doubles allocates 800 KB fresh from the system each time, and faulting those pages
/// in costs several times the copy itself.
const SLICE: usize = 8192;

/// The values of a one-dimensional buffer of native doubles, copied slice by slice.
fn f64_buffer(view: &Bound<'_, PyMemoryView>) -> PyResult<Vec<f64>> {
    let len = view.len()?;
    let mut values = Vec::with_capacity(len);
    let mut start = 0;
    while start < len {
        let end = len.min(start + SLICE);
        let slice = PySlice::new(view.py(), start.try_into()?, end.try_into()?, 1);
        let bytes = view.get_item(slice)?.call_method0("tobytes")?;
        values.extend(
            bytes
                .cast::<PyBytes>()?
                .as_bytes()
                .chunks_exact(8)
                .map(|c| f64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])),
        );
        start = end;
    }
    Ok(values)
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
    // The cache is taken once per call; when it is busy (a finalizer run in the middle of a
    // conversion converting something else), this conversion makes its objects afresh.
    let cache = match OUTPUT.try_lock() {
        Ok(cache) => Some(cache),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    };
    let cache = RefCell::new(cache);
    value
        .serialize(PySer { py, cache: &cache })
        .map_err(|e| e.0)
}

/// Python objects of the output already made, to hand out again. A decision repeats field
/// names, enum values, policy, gate, criterion and metric names, conditions, most sentences,
/// weights and scores from one `check` to the next; handing out the same immutable object
/// again costs a lookup, where making one costs an allocation (and for a `str` a UTF-8 check;
/// a `str` used as a key also keeps its hash). Sharing immutable objects between results is
/// invisible to Python code. Strings and floats: one entry per slot, a new one replaces the
/// one in its slot (a string used since it was stored gets a second chance). Templates: see
/// [`StructShape`].
static OUTPUT: Mutex<OutputCache> = Mutex::new(OutputCache {
    slots: Vec::new(),
    names: Vec::new(),
    names_used: 0,
    shapes: HashMap::with_hasher(BuildHasherDefault::new()),
    floats: Vec::new(),
});

/// How many strings [`OUTPUT`] holds (a power of two).
const STRING_SLOTS: usize = 2048;
/// The longest string [`OUTPUT`] holds, in bytes.
const STRING_MAX: usize = 128;

struct OutputCache {
    /// Strings by content. Empty until first used, then [`STRING_SLOTS`] long.
    slots: Vec<StringSlot>,
    /// The names serde passes as `&'static str` (struct fields, enum variants), by address and
    /// length: the same literal every time, so no need to compare their text. An open-addressed
    /// table (linear probing, at most half full); there are as many as the types have fields.
    names: Vec<Option<(usize, usize, Py<PyString>)>>,
    /// How many entries of `names` are taken.
    names_used: usize,
    /// Templates of the structs with more fields than an empty dict has room for; emptied when
    /// it reaches [`MAX_SHAPES`] (templates of objects no longer in use pile up slowly).
    shapes: HashMap<ShapeId, StructShape, BuildHasherDefault<WordHasher>>,
    /// Floats by their bits: weights, earned weights and scores repeat from one decision to
    /// the next. Empty until first used, then [`FLOAT_SLOTS`] long.
    floats: Vec<Option<(u64, Py<PyFloat>)>>,
}

/// How many floats [`OutputCache`] holds (a power of two).
const FLOAT_SLOTS: usize = 64;

/// The template of a struct's dict: its keys in order, with values. A dict filled one key at
/// a time grows (and rehashes) past five keys; a copy of the template already has the room and
/// the keys, and filling it replaces only the values that differ.
struct StructShape {
    template: Py<PyDict>,
    fields: Arc<[TemplateField]>,
}

/// What a template is for: a struct (the address and length of its name, and how many fields
/// serde said it serializes) and a hash of its first value (0 when that is not a scalar). Keyed
/// by its first value, each criterion or gate of a policy (by name) has a template of its own,
/// holding the values it repeats: its name, its condition, its weight. (Two first values with
/// the same hash share a template: the first field then differs from the template's, and is
/// stored like any other.)
type ShapeId = (usize, usize, usize, u64);

/// A copy of a struct's template, and the template's fields.
type Shaped<'py> = (Bound<'py, PyDict>, Arc<[TemplateField]>);

/// One field of a struct template.
struct TemplateField {
    /// The address and length of the `&'static str` serde passes as the field's name.
    name: (usize, usize),
    key: Py<PyString>,
    /// The template's value, when it is a scalar: a new value equal to it needs neither a
    /// Python object nor a store. The dict holds its Python form (`None` for `Scalar::Other`).
    value: Scalar,
}

/// A scalar value as serde gives it, to compare a new value with a template's without making
/// a Python object; `Other` for anything else (never equal).
#[derive(Debug, PartialEq)]
enum Scalar {
    None,
    Bool(bool),
    /// A float, by its bits.
    Float(u64),
    Str(String),
    /// An enum variant without data: the address and length of its `&'static str` name.
    Variant(usize, usize),
    Other,
}

/// A scalar as serde passes it, borrowed.
enum ScalarRef<'a> {
    None,
    Bool(bool),
    Float(u64),
    Str(&'a str),
    Variant(usize, usize),
}

impl ScalarRef<'_> {
    fn is(&self, scalar: &Scalar) -> bool {
        match (self, scalar) {
            (ScalarRef::None, Scalar::None) => true,
            (ScalarRef::Bool(a), Scalar::Bool(b)) => a == b,
            (ScalarRef::Float(a), Scalar::Float(b)) => a == b,
            (ScalarRef::Str(a), Scalar::Str(b)) => *a == b,
            (ScalarRef::Variant(a, n), Scalar::Variant(b, m)) => (a, n) == (b, m),
            _ => false,
        }
    }

    fn to_owned(&self) -> Scalar {
        match *self {
            ScalarRef::None => Scalar::None,
            ScalarRef::Bool(b) => Scalar::Bool(b),
            ScalarRef::Float(f) => Scalar::Float(f),
            ScalarRef::Str(s) => Scalar::Str(s.to_owned()),
            ScalarRef::Variant(a, n) => Scalar::Variant(a, n),
        }
    }

    /// A hash of the value, to find a template by its first value (0: none).
    fn hash(&self) -> u64 {
        match *self {
            ScalarRef::None => 1,
            ScalarRef::Bool(b) => 2 + u64::from(b),
            ScalarRef::Float(f) => f.rotate_left(7) ^ 4,
            ScalarRef::Str(s) => hash(s.as_bytes()),
            ScalarRef::Variant(a, _) => a as u64,
        }
    }
}

impl Scalar {
    /// `value` as a scalar.
    fn of<T: Serialize + ?Sized>(value: &T) -> Scalar {
        value
            .serialize(ScalarSer(|s: ScalarRef<'_>| s.to_owned()))
            .unwrap_or(Scalar::Other)
    }

    /// Whether `value` is this scalar.
    fn is<T: Serialize + ?Sized>(&self, value: &T) -> bool {
        *self != Scalar::Other
            && value
                .serialize(ScalarSer(|s: ScalarRef<'_>| s.is(self)))
                .unwrap_or(false)
    }
}

/// The most templates [`OutputCache`] holds.
const MAX_SHAPES: usize = 1024;

/// Structs with more fields than this get a template (an empty dict holds five keys).
const SHAPED_FIELDS: usize = 5;

#[derive(Default)]
struct StringSlot {
    hash: u64,
    text: String,
    string: Option<Py<PyString>>,
    /// Whether the string was handed out again since it was stored or last spared.
    used: bool,
}

impl OutputCache {
    /// Calls `f` with the Python string for `name`, a field or variant name.
    fn with_name<'py, R>(
        &mut self,
        py: Python<'py>,
        name: &'static str,
        f: impl FnOnce(&Bound<'py, PyString>) -> R,
    ) -> R {
        let key = (name.as_ptr() as usize, name.len());
        if self.names_used * 2 >= self.names.len() {
            self.grow_names();
        }
        let mask = self.names.len() - 1;
        let mut i = slot_of(key.0 as u64, mask);
        while let Some(Some((addr, len, _))) = self.names.get(i) {
            if (*addr, *len) == key {
                break;
            }
            i = (i + 1) & mask;
        }
        match self.names.get_mut(i) {
            Some(Some((_, _, string))) => f(string.bind(py)),
            Some(free) => {
                let string = PyString::intern(py, name);
                let result = f(&string);
                *free = Some((key.0, key.1, string.unbind()));
                self.names_used += 1;
                result
            }
            None => f(&PyString::intern(py, name)),
        }
    }

    /// Doubles the table of names (from nothing to 256 entries the first time).
    fn grow_names(&mut self) {
        let old = std::mem::take(&mut self.names);
        self.names.resize_with((old.len() * 2).max(256), || None);
        let mask = self.names.len() - 1;
        for (addr, len, string) in old.into_iter().flatten() {
            let mut i = slot_of(addr as u64, mask);
            while matches!(self.names.get(i), Some(Some(_))) {
                i = (i + 1) & mask;
            }
            if let Some(free) = self.names.get_mut(i) {
                *free = Some((addr, len, string));
            }
        }
    }

    /// A Python string with `text`.
    fn get<'py>(&mut self, py: Python<'py>, text: &str) -> Bound<'py, PyString> {
        if text.len() > STRING_MAX {
            return PyString::new(py, text);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(STRING_SLOTS, StringSlot::default);
        }
        let hash = hash(text.as_bytes());
        // The top bits: the multiplicative hash mixes best there.
        let index = (hash >> (64 - STRING_SLOTS.trailing_zeros())) as usize;
        let Some(slot) = self.slots.get_mut(index) else {
            return PyString::new(py, text);
        };
        if slot.hash == hash
            && slot.text == text
            && let Some(string) = &slot.string
        {
            slot.used = true;
            return string.bind(py).clone();
        }
        let string = PyString::new(py, text);
        // A second chance: a string used since it last had one stays (the names a decision
        // repeats), one that was not (a sentence with this record's values) gives way.
        if std::mem::take(&mut slot.used) {
            return string;
        }
        slot.hash = hash;
        slot.text.clear();
        slot.text.push_str(text);
        slot.string = Some(string.clone().unbind());
        string
    }

    /// A Python float with value `v` (the same object for the same bits).
    fn float<'py>(&mut self, py: Python<'py>, v: f64) -> Bound<'py, PyFloat> {
        if self.floats.is_empty() {
            self.floats.resize_with(FLOAT_SLOTS, || None);
        }
        let bits = v.to_bits();
        let index = slot_of(bits, FLOAT_SLOTS - 1);
        let Some(slot) = self.floats.get_mut(index) else {
            return PyFloat::new(py, v);
        };
        if let Some((cached, float)) = slot
            && *cached == bits
        {
            return float.bind(py).clone();
        }
        let float = PyFloat::new(py, v);
        *slot = Some((bits, float.clone().unbind()));
        float
    }

    /// A copy of template `id`, with its fields; `None` when there is none.
    fn shaped<'py>(&self, py: Python<'py>, id: ShapeId) -> Option<PyResult<Shaped<'py>>> {
        let shape = self.shapes.get(&id)?;
        Some(
            shape
                .template
                .bind(py)
                .copy()
                .map(|dict| (dict, Arc::clone(&shape.fields))),
        )
    }

    /// Keeps template `id` with `fields`, taking the values of scalar fields from `dict`, a
    /// dict just filled with them.
    fn add_shape(
        &mut self,
        py: Python<'_>,
        id: ShapeId,
        fields: Vec<TemplateField>,
        dict: &Bound<'_, PyDict>,
    ) {
        let template = PyDict::new(py);
        for field in &fields {
            let key = field.key.bind(py);
            let value = match field.value {
                Scalar::Other => None,
                _ => dict.get_item(key).ok().flatten(),
            };
            if template.set_item(key, value).is_err() {
                return;
            }
        }
        if self.shapes.len() >= MAX_SHAPES {
            self.shapes.clear();
        }
        self.shapes.insert(
            id,
            StructShape {
                template: template.unbind(),
                fields: fields.into(),
            },
        );
    }
}

/// A hasher for machine words (addresses, lengths): FxHash's mixing, with the high half folded
/// into the low one at the end (a table indexes by the low bits, and addresses end in zeros).
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

/// A serializer that reads a scalar and hands it to a function; anything else is an error.
struct ScalarSer<F>(F);

/// Not a scalar.
#[derive(Debug)]
struct NotScalar;

impl fmt::Display for NotScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for NotScalar {}

impl ser::Error for NotScalar {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotScalar
    }
}

impl<R, F: for<'a> FnOnce(ScalarRef<'a>) -> R> Serializer for ScalarSer<F> {
    type Ok = R;
    type Error = NotScalar;
    type SerializeSeq = ser::Impossible<R, NotScalar>;
    type SerializeTuple = ser::Impossible<R, NotScalar>;
    type SerializeTupleStruct = ser::Impossible<R, NotScalar>;
    type SerializeTupleVariant = ser::Impossible<R, NotScalar>;
    type SerializeMap = ser::Impossible<R, NotScalar>;
    type SerializeStruct = ser::Impossible<R, NotScalar>;
    type SerializeStructVariant = ser::Impossible<R, NotScalar>;

    fn serialize_bool(self, v: bool) -> Result<R, NotScalar> {
        Ok((self.0)(ScalarRef::Bool(v)))
    }
    fn serialize_i8(self, _v: i8) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_i16(self, _v: i16) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_i32(self, _v: i32) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_i64(self, _v: i64) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_u8(self, _v: u8) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_u16(self, _v: u16) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_u32(self, _v: u32) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_u64(self, _v: u64) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_f32(self, _v: f32) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_f64(self, v: f64) -> Result<R, NotScalar> {
        Ok((self.0)(ScalarRef::Float(v.to_bits())))
    }
    fn serialize_char(self, _v: char) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_str(self, v: &str) -> Result<R, NotScalar> {
        Ok((self.0)(ScalarRef::Str(v)))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_none(self) -> Result<R, NotScalar> {
        Ok((self.0)(ScalarRef::None))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<R, NotScalar> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<R, NotScalar> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<R, NotScalar> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<R, NotScalar> {
        Ok((self.0)(ScalarRef::Variant(
            variant.as_ptr() as usize,
            variant.len(),
        )))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<R, NotScalar> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<R, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, NotScalar> {
        Err(NotScalar)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, NotScalar> {
        Err(NotScalar)
    }
}

/// The slot for `word` (an address, or a float's bits) in a table `mask + 1` long.
fn slot_of(word: u64, mask: usize) -> usize {
    (word.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & mask
}

/// A fast, non-cryptographic hash of a short string (FxHash's mixing, eight bytes a step).
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    let mut h = step(0, bytes.len() as u64);
    for c in &mut chunks {
        h = step(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    let tail = chunks
        .remainder()
        .iter()
        .enumerate()
        .fold(0, |w, (i, &b)| w | u64::from(b) << (8 * i));
    step(h, tail)
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

/// The output cache for one conversion (`None`: make every object afresh).
type Cache = RefCell<Option<MutexGuard<'static, OutputCache>>>;

#[derive(Clone, Copy)]
struct PySer<'py, 'c> {
    py: Python<'py>,
    cache: &'c Cache,
}

struct SeqSer<'py, 'c> {
    ser: PySer<'py, 'c>,
    items: Vec<Bound<'py, PyAny>>,
}

struct MapSer<'py, 'c> {
    ser: PySer<'py, 'c>,
    /// `None` until the first field says whether a template has the dict.
    dict: Option<Bound<'py, PyDict>>,
    key: Option<Bound<'py, PyAny>>,
    fields: Fields,
}

/// How the dict of a struct is being filled.
enum Fields {
    /// Key by key (and every map).
    Plain,
    /// A struct that may have a template: its name and field count, until its first value.
    Pending { name: (usize, usize), len: usize },
    /// Key by key, noting the fields to make template `id` at the end.
    Recording {
        id: ShapeId,
        fields: Vec<TemplateField>,
    },
    /// The dict is a copy of the template with `fields`; `set` of them have their values. A
    /// field that is not the next one (a struct whose skipped fields vary) goes back to `Plain`.
    Templated {
        fields: Arc<[TemplateField]>,
        set: usize,
    },
}

/// A tuple or struct variant: `{variant: value}`, as serde_json writes it.
struct VariantSer<S> {
    variant: &'static str,
    inner: S,
}

type Res<'py> = Result<Bound<'py, PyAny>, SerError>;

impl<'py> PySer<'py, '_> {
    /// A Python string with `text`, from the cache when it can be.
    fn string(self, text: &str) -> Bound<'py, PyString> {
        match self.cache.borrow_mut().as_deref_mut() {
            Some(cache) => cache.get(self.py, text),
            None => PyString::new(self.py, text),
        }
    }

    /// Calls `f` with the Python string for a field or variant name, from the cache when it
    /// can be.
    fn with_name<R>(self, name: &'static str, f: impl FnOnce(&Bound<'py, PyString>) -> R) -> R {
        match self.cache.borrow_mut().as_deref_mut() {
            Some(cache) => cache.with_name(self.py, name, f),
            None => f(&PyString::intern(self.py, name)),
        }
    }

    /// Sets `dict[name] = value`.
    fn set_named(
        self,
        dict: &Bound<'py, PyDict>,
        name: &'static str,
        value: Bound<'py, PyAny>,
    ) -> PyResult<()> {
        self.with_name(name, |key| dict.set_item(key, value))
    }

    fn wrap(self, variant: &'static str, value: Bound<'py, PyAny>) -> Res<'py> {
        let dict = PyDict::new(self.py);
        self.set_named(&dict, variant, value)?;
        Ok(dict.into_any())
    }
}

impl<'py, 'c> Serializer for PySer<'py, 'c> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    type SerializeSeq = SeqSer<'py, 'c>;
    type SerializeTuple = SeqSer<'py, 'c>;
    type SerializeTupleStruct = SeqSer<'py, 'c>;
    type SerializeTupleVariant = VariantSer<SeqSer<'py, 'c>>;
    type SerializeMap = MapSer<'py, 'c>;
    type SerializeStruct = MapSer<'py, 'c>;
    type SerializeStructVariant = VariantSer<MapSer<'py, 'c>>;

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
        Ok(match self.cache.borrow_mut().as_deref_mut() {
            Some(cache) => cache.float(self.py, v),
            None => PyFloat::new(self.py, v),
        }
        .into_any())
    }
    fn serialize_char(self, v: char) -> Res<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Res<'py> {
        Ok(self.string(v).into_any())
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
        Ok(self.with_name(variant, |name| name.clone()).into_any())
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
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer<'py, 'c>, SerError> {
        Ok(SeqSer {
            ser: self,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'py, 'c>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSer<'py, 'c>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<SeqSer<'py, 'c>>, SerError> {
        Ok(VariantSer {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'py, 'c>, SerError> {
        Ok(MapSer {
            ser: self,
            dict: Some(PyDict::new(self.py)),
            key: None,
            fields: Fields::Plain,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<MapSer<'py, 'c>, SerError> {
        if len <= SHAPED_FIELDS || self.cache.borrow().is_none() {
            return self.serialize_map(Some(len));
        }
        Ok(MapSer {
            ser: self,
            dict: None,
            key: None,
            fields: Fields::Pending {
                name: (name.as_ptr() as usize, name.len()),
                len,
            },
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<MapSer<'py, 'c>>, SerError> {
        Ok(VariantSer {
            variant,
            inner: self.serialize_map(Some(len))?,
        })
    }
}

impl<'py> ser::SerializeSeq for SeqSer<'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.items.push(value.serialize(self.ser)?);
        Ok(())
    }
    fn end(self) -> Res<'py> {
        Ok(PyList::new(self.ser.py, self.items)?.into_any())
    }
}

impl<'py> ser::SerializeTuple for SeqSer<'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Res<'py> {
        ser::SerializeSeq::end(self)
    }
}

impl<'py> ser::SerializeTupleStruct for SeqSer<'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Res<'py> {
        ser::SerializeSeq::end(self)
    }
}

impl<'py> ser::SerializeTupleVariant for VariantSer<SeqSer<'py, '_>> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Res<'py> {
        let ser = self.inner.ser;
        let list = ser::SerializeSeq::end(self.inner)?;
        ser.wrap(self.variant, list)
    }
}

impl<'py> ser::SerializeMap for MapSer<'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = Some(key.serialize(self.ser)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <SerError as ser::Error>::custom("a map value without a key"))?;
        let value = value.serialize(self.ser)?;
        self.dict().set_item(key, value)?;
        Ok(())
    }
    fn end(mut self) -> Res<'py> {
        Ok(self.dict().clone().into_any())
    }
}

impl<'py> MapSer<'py, '_> {
    /// The dict, made empty if there is none yet.
    fn dict(&mut self) -> &Bound<'py, PyDict> {
        let py = self.ser.py;
        self.dict.get_or_insert_with(|| PyDict::new(py))
    }

    /// Picks the dict once the first value of a struct that may have a template is known: a
    /// copy of the template for this struct and first value, or an empty dict filled while
    /// recording one.
    fn start<T: Serialize + ?Sized>(&mut self, first: &T) -> PyResult<()> {
        let Fields::Pending { name, len } = self.fields else {
            return Ok(());
        };
        let first = first
            .serialize(ScalarSer(|s: ScalarRef<'_>| s.hash()))
            .unwrap_or(0);
        let id = (name.0, name.1, len, first);
        let shaped = match self.ser.cache.borrow().as_deref() {
            Some(cache) => cache.shaped(self.ser.py, id).transpose()?,
            None => None,
        };
        self.fields = match shaped {
            Some((dict, fields)) => {
                self.dict = Some(dict);
                Fields::Templated { fields, set: 0 }
            }
            None => Fields::Recording {
                id,
                fields: Vec::with_capacity(len),
            },
        };
        Ok(())
    }

    /// Leaves the template: the dict becomes a new one holding the keys set so far, in order.
    fn unshape(&mut self) -> PyResult<()> {
        if let Fields::Templated { fields, set } = &self.fields {
            let py = self.ser.py;
            let dict = PyDict::new(py);
            if let Some(copy) = &self.dict {
                for field in fields.iter().take(*set) {
                    let key = field.key.bind(py);
                    if let Some(value) = copy.get_item(key)? {
                        dict.set_item(key, value)?;
                    }
                }
            }
            self.dict = Some(dict);
            self.fields = Fields::Plain;
        }
        Ok(())
    }
}

impl<'py> ser::SerializeStruct for MapSer<'py, '_> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.start(value)?;
        let name = (key.as_ptr() as usize, key.len());
        if let Fields::Templated { fields, set } = &mut self.fields {
            match fields.get(*set) {
                Some(field) if field.name == name => {
                    *set += 1;
                    if !field.value.is(value)
                        && let Some(dict) = &self.dict
                    {
                        let key = field.key.bind(self.ser.py);
                        dict.set_item(key, value.serialize(self.ser)?)?;
                    }
                    return Ok(());
                }
                _ => self.unshape()?,
            }
        }
        let ser = self.ser;
        let py = ser.py;
        let object = value.serialize(ser)?;
        let dict = self.dict.get_or_insert_with(|| PyDict::new(py));
        match &mut self.fields {
            Fields::Recording { fields, .. } => ser.with_name(key, |key| {
                fields.push(TemplateField {
                    name,
                    key: key.clone().unbind(),
                    value: Scalar::of(value),
                });
                dict.set_item(key, object)
            })?,
            _ => ser.set_named(dict, key, object)?,
        }
        Ok(())
    }
    fn end(mut self) -> Res<'py> {
        match std::mem::replace(&mut self.fields, Fields::Plain) {
            Fields::Templated { fields, set } if set < fields.len() => {
                self.fields = Fields::Templated { fields, set };
                self.unshape()?;
            }
            Fields::Recording { id, fields } if fields.len() == id.2 => {
                let dict = self.dict().clone();
                if let Some(cache) = self.ser.cache.borrow_mut().as_deref_mut() {
                    cache.add_shape(self.ser.py, id, fields, &dict);
                }
            }
            _ => {}
        }
        Ok(self.dict().clone().into_any())
    }
}

impl<'py> ser::SerializeStructVariant for VariantSer<MapSer<'py, '_>> {
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
        let ser = self.inner.ser;
        let dict = ser::SerializeStruct::end(self.inner)?;
        ser.wrap(self.variant, dict)
    }
}
