//! Scalars as serde passes them, read without making Python objects: a template's field
//! values are kept as [`Scalar`]s and a new value is compared with them before it is converted.

use super::cache::hash;
use serde::ser::{self, Serialize, Serializer};
use std::fmt;

/// A scalar value as serde gives it, to compare a new value with a template's without making
/// a Python object; `Other` for anything else (never equal).
#[derive(Debug, PartialEq)]
pub(super) enum Scalar {
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
pub(super) enum ScalarRef<'a> {
    None,
    Bool(bool),
    Float(u64),
    Str(&'a str),
    Variant(usize, usize),
}

impl ScalarRef<'_> {
    pub(super) fn is(&self, scalar: &Scalar) -> bool {
        match (self, scalar) {
            (ScalarRef::None, Scalar::None) => true,
            (ScalarRef::Bool(a), Scalar::Bool(b)) => a == b,
            (ScalarRef::Float(a), Scalar::Float(b)) => a == b,
            (ScalarRef::Str(a), Scalar::Str(b)) => *a == b,
            (ScalarRef::Variant(a, n), Scalar::Variant(b, m)) => (a, n) == (b, m),
            _ => false,
        }
    }

    pub(super) fn to_owned(&self) -> Scalar {
        match *self {
            ScalarRef::None => Scalar::None,
            ScalarRef::Bool(b) => Scalar::Bool(b),
            ScalarRef::Float(f) => Scalar::Float(f),
            ScalarRef::Str(s) => Scalar::Str(s.to_owned()),
            ScalarRef::Variant(a, n) => Scalar::Variant(a, n),
        }
    }

    /// A hash of the value, to find a template by its first value (0: none).
    pub(super) fn hash(&self) -> u64 {
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
    pub(super) fn of<T: Serialize + ?Sized>(value: &T) -> Scalar {
        value
            .serialize(ScalarSer(|s: ScalarRef<'_>| s.to_owned()))
            .unwrap_or(Scalar::Other)
    }

    /// Whether `value` is this scalar.
    pub(super) fn is<T: Serialize + ?Sized>(&self, value: &T) -> bool {
        *self != Scalar::Other
            && value
                .serialize(ScalarSer(|s: ScalarRef<'_>| s.is(self)))
                .unwrap_or(false)
    }
}

/// A serializer that reads a scalar and hands it to a function; anything else is an error.
pub(super) struct ScalarSer<F>(pub(super) F);

/// Not a scalar.
#[derive(Debug)]
pub(super) struct NotScalar;

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
