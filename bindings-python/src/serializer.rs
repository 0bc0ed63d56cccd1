//! Data out: a serde [`Serializer`] that builds Python objects (dicts, lists, str, int, float,
//! bool, None) directly from the core's serde types, with no JSON text in between.
//!
//! Its output equals `json.loads` of the core's canonical JSON of the same value: same keys in
//! the same order, absent optional keys stay absent, the same types.
//! `tests/test_serializer.py` pins that over every value the conformance corpus produces.
//!
//! # Why a serializer, and not JSON text parsed into Python objects
//! Measured on the `check()` benchmark (docs/performance.md, "The Python conversion"): parsing
//! the canonical JSON with `jiter` (pydantic's parser, string cache on) costs about 2.6 times
//! as much as this serializer, `orjson.loads` 2.1–2.3 times, the standard library's
//! `json.loads` about 4 times. What costs is making Python objects; this serializer reuses the
//! immutable ones a decision repeats from one call to the next ([`cache`]), and without that
//! cache it is no faster than `jiter`. (`jiter`'s Python feature also needs the stable ABI of
//! Python 3.10: it does not build for the binding's `abi3-py39`.)

mod cache;
mod scalar;

use cache::{OUTPUT, OutputCache, SHAPED_FIELDS, ShapeId, TemplateField};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString};
use scalar::{Scalar, ScalarRef, ScalarSer};
use serde::ser::{self, Serialize, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, MutexGuard, TryLockError};

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
