//! A value together with the byte span it was read from.

use crate::diagnostic::Span;
use schemars::JsonSchema;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// The struct name that asks kiro's document deserializer for a span (the same protocol as
/// `toml`'s `serde_spanned`). Any other deserializer reports an error for it.
pub(crate) const NAME: &str = "$__kiro_private_Spanned";
/// Field carrying the first byte.
pub(crate) const START: &str = "$__kiro_private_start";
/// Field carrying one past the last byte.
pub(crate) const END: &str = "$__kiro_private_end";
/// Field carrying the value itself.
pub(crate) const VALUE: &str = "$__kiro_private_value";
/// The three fields, in the order the deserializer supplies them.
pub(crate) const FIELDS: &[&str] = &[START, END, VALUE];

/// A value and where in the source text it was written. Serializes as the bare value, compares
/// and hashes by value only.
#[derive(Clone, Default)]
pub struct Spanned<T> {
    /// Where the value was written.
    pub span: Span,
    /// The value.
    pub value: T,
}

impl<T> Spanned<T> {
    /// Wraps a value read at `span`.
    pub fn new(span: Span, value: T) -> Self {
        Self { span, value }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} @{}..{}",
            self.value, self.span.start, self.span.end
        )
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value read by kiro's document reader")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                expect_key(&mut map, START)?;
                let start: usize = map.next_value()?;
                expect_key(&mut map, END)?;
                let end: usize = map.next_value()?;
                expect_key(&mut map, VALUE)?;
                let value: T = map.next_value()?;
                Ok(Spanned {
                    span: Span::new(start, end),
                    value,
                })
            }
        }

        fn expect_key<'de, A: MapAccess<'de>>(map: &mut A, name: &str) -> Result<(), A::Error> {
            match map.next_key::<String>()? {
                Some(key) if key == name => Ok(()),
                _ => Err(de::Error::custom(
                    "spans are only available from kiro's reader",
                )),
            }
        }

        deserializer.deserialize_struct(NAME, FIELDS, SpannedVisitor(PhantomData))
    }
}
