//! A serde deserializer over a [`Node`] tree whose errors point at the value at fault.
//!
//! Every error is located at the innermost value being read when it happened: a wrong type at
//! the value, an unknown field at its key, a missing field at the map that lacks it. Messages
//! are in kiro's style and never name Rust types (`expected a whole number from 0 to
//! 4294967295, found a string `x``, not `invalid type: string "x", expected u32`).

use super::spanned::{END, NAME, START, VALUE};
use super::{Node, NodeKind, Spanned, clean_message};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use serde::de::value::{BorrowedStrDeserializer, UsizeDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use std::fmt;

/// Reads `node` into `T`.
pub(super) fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, Diagnostic> {
    try_from_node(node).map_err(|e| *e.diagnostic)
}

/// A shape error and where in the tree it happened.
pub(super) struct Located {
    /// The error, in kiro's words.
    pub diagnostic: Box<Diagnostic>,
    /// The indices (into sequences and maps) from the root to the value at fault; for an
    /// unknown key, to its entry.
    pub path: Vec<usize>,
    /// The value at fault lacks something (a missing field, too few items), rather than
    /// having something wrong.
    pub lacking: bool,
    /// The field it lacks, when that is what is wrong.
    pub missing: Option<&'static str>,
}

/// Reads `node` into `T`, telling where the first error was.
pub(super) fn try_from_node<T: DeserializeOwned>(node: &Node) -> Result<T, Located> {
    T::deserialize(NodeDe(node)).map_err(|e| {
        let mut e = e.at(node);
        let mut path = std::mem::take(&mut e.path);
        path.reverse();
        Located {
            lacking: e.lacking,
            missing: e.missing,
            diagnostic: Box::new(e.into_diagnostic()),
            path,
        }
    })
}

/// What went wrong, and where once known.
#[derive(Debug)]
pub(super) struct Error {
    code: Code,
    message: String,
    help: Option<String>,
    label: String,
    span: Option<Span>,
    /// An untagged enum matched none of its forms; the message is written once the value is
    /// known.
    untagged: bool,
    /// A string was expected and a number or boolean found: once the value is known, the help
    /// shows it quoted.
    wanted_string: bool,
    /// The indices from the value at fault up to the root (innermost first), added as the
    /// error leaves each sequence and map.
    path: Vec<usize>,
    /// A missing field or too few items.
    lacking: bool,
    /// The missing field.
    missing: Option<&'static str>,
}

impl Error {
    fn new(code: Code, message: String, label: impl Into<String>) -> Self {
        Self {
            code,
            message,
            help: None,
            label: label.into(),
            span: None,
            untagged: false,
            wanted_string: false,
            path: Vec::new(),
            lacking: false,
            missing: None,
        }
    }

    /// Records that the error left the item or entry at `index` of a sequence or map.
    fn within(mut self, index: usize) -> Self {
        self.path.push(index);
        self
    }

    fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Locates the error at `node` unless a more precise place is already known.
    fn at(mut self, node: &Node) -> Self {
        if self.span.is_none() {
            self.span = Some(node.span);
            if self.wanted_string && self.help.is_none() {
                let written = match &node.kind {
                    NodeKind::Bool(b) => Some(b.to_string()),
                    NodeKind::Integer(i) => Some(i.to_string()),
                    NodeKind::Float(f) if f.is_finite() => Some(f.to_string()),
                    _ => None,
                };
                self.help = written.map(|w| format!("to make it a string, quote it: `\"{w}\"`"));
            }
            if self.untagged {
                self.untagged = false;
                self.message = format!(
                    "{} is not one of the accepted forms",
                    found(&unexpected(node))
                );
            }
        }
        self
    }

    /// Locates the error at `span` unless a more precise place is already known.
    fn at_span(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    fn into_diagnostic(self) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(self.code, self.message);
        if let Some(span) = self.span {
            diagnostic = diagnostic.with_label(span, self.label);
        }
        match self.help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let message = msg.to_string();
        if message.starts_with("data did not match any variant of untagged enum") {
            let mut error = Error::new(Code::InvalidValue, message, "not accepted here");
            error.untagged = true;
            return error;
        }
        Error::new(Code::InvalidValue, clean_message(&message), "invalid value")
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        let expected = expected(exp);
        let scalar = matches!(
            unexp,
            Unexpected::Bool(_)
                | Unexpected::Signed(_)
                | Unexpected::Unsigned(_)
                | Unexpected::Float(_)
        );
        let mut error = Error::new(
            Code::InvalidValue,
            format!("expected {expected}, found {}", found(&unexp)),
            format!("expected {expected}"),
        );
        error.wanted_string = scalar && expected == "a string";
        error
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        let expected = expected(exp);
        let items = if len == 1 { "item" } else { "items" };
        let mut error = Error::new(
            Code::InvalidValue,
            format!("expected {expected}, found {len} {items}"),
            format!("expected {expected}"),
        );
        error.lacking = true;
        error
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let help = match did_you_mean(variant, expected.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("expected {}", one_of(expected)),
        };
        Error::new(
            Code::InvalidValue,
            format!("unknown value `{variant}`"),
            "not an allowed value",
        )
        .with_help(Some(help))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let help = match did_you_mean(field, expected.iter().copied()) {
            Some(close) => Some(format!("did you mean `{close}`?")),
            None if expected.is_empty() => Some("no fields are allowed here".to_owned()),
            None => Some(format!("the fields here are {}", list(expected))),
        };
        Error::new(
            Code::UnknownField,
            format!("unknown field `{field}`"),
            "unknown field",
        )
        .with_help(help)
    }

    fn missing_field(field: &'static str) -> Self {
        let mut error = Error::new(
            Code::InvalidValue,
            format!("missing field `{field}`"),
            format!("`{field}` is missing here"),
        );
        error.lacking = true;
        error.missing = Some(field);
        error
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::new(
            Code::DuplicateName,
            format!("duplicate field `{field}`"),
            "written twice",
        )
    }
}

/// `` `a`, `b` and `c` ``.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `` one of `a`, `b` or `c` `` (or just `` `a` ``).
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "nothing".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("one of {} or {last}", rest.join(", ")),
    }
}

/// What serde's `Expected` says, without Rust type names.
fn expected(exp: &dyn Expected) -> String {
    let text = exp.to_string();
    let range = |min: &str, max: &str| format!("a whole number from {min} to {max}");
    match text.as_str() {
        "u8" => range("0", "255"),
        "u16" => range("0", "65535"),
        "u32" => range("0", "4294967295"),
        "u64" | "usize" | "u128" => "a whole number from 0 up".to_owned(),
        "i8" => range("-128", "127"),
        "i16" => range("-32768", "32767"),
        "i32" => range("-2147483648", "2147483647"),
        "i64" | "isize" | "i128" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "unit" => "null".to_owned(),
        "option" => "a value".to_owned(),
        "a borrowed string" | "a string" | "a char" => "a string".to_owned(),
        "a character" => "a single character".to_owned(),
        _ if text.starts_with("struct ") => "a map".to_owned(),
        _ if text.starts_with("tuple") || text.starts_with("an array") => "a sequence".to_owned(),
        _ if text.starts_with("enum ") || text.starts_with("unit variant") => {
            "one of the allowed values".to_owned()
        }
        _ => text,
    }
}

/// What a value is, for "found ..." (with short scalars shown).
fn found(unexp: &Unexpected<'_>) -> String {
    match unexp {
        Unexpected::Bool(b) => format!("a boolean `{b}`"),
        Unexpected::Unsigned(n) => format!("a number `{n}`"),
        Unexpected::Signed(n) => format!("a number `{n}`"),
        Unexpected::Float(f) => format!("a number `{f}`"),
        Unexpected::Char(c) => format!("a string `{c}`"),
        Unexpected::Str(s) if s.len() <= 40 && !s.contains(['\n', '`']) => {
            format!("a string `{s}`")
        }
        Unexpected::Str(_) => "a string".to_owned(),
        Unexpected::Bytes(_) => "bytes".to_owned(),
        Unexpected::Unit | Unexpected::Option => "null".to_owned(),
        Unexpected::Seq => "a sequence".to_owned(),
        Unexpected::Map => "a map".to_owned(),
        Unexpected::Other(other) => (*other).to_owned(),
        _ => "a value".to_owned(),
    }
}

fn unexpected(node: &Node) -> Unexpected<'_> {
    match &node.kind {
        NodeKind::Null => Unexpected::Unit,
        NodeKind::Bool(b) => Unexpected::Bool(*b),
        NodeKind::Integer(i) => Unexpected::Signed(*i),
        NodeKind::Float(f) => Unexpected::Float(*f),
        NodeKind::String(s) => Unexpected::Str(s),
        NodeKind::Seq(_) => Unexpected::Seq,
        NodeKind::Map(_) => Unexpected::Map,
    }
}

/// The help for a value that should have been a map with `fields`: the value as the map it
/// probably meant (`{name: qa}`) when there is a `name` field, or the fields.
fn shape(node: &Node, fields: &[&str]) -> String {
    match &node.kind {
        NodeKind::String(s) if fields.contains(&"name") && s.len() <= 40 && !s.contains('`') => {
            format!("write a map: `{{name: {s}}}`")
        }
        _ if fields.is_empty() => "write a map".to_owned(),
        _ => format!("write a map with the fields {}", list(fields)),
    }
}

/// A wrong-type error at `node`.
fn wrong_type(node: &Node, want: &str) -> Error {
    <Error as de::Error>::invalid_type(unexpected(node), &want).at(node)
}

/// Deserializes one node.
struct NodeDe<'de>(&'de Node);

impl<'de> NodeDe<'de> {
    fn seq(items: &'de [Node]) -> SeqDe<'de> {
        SeqDe {
            iter: items.iter().enumerate(),
        }
    }

    fn map(entries: &'de [(Spanned<String>, Node)]) -> MapDe<'de> {
        MapDe {
            iter: entries.iter().enumerate(),
            value: None,
        }
    }
}

impl<'de> Deserializer<'de> for NodeDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Bool(b) => visitor.visit_bool(*b),
            NodeKind::Integer(i) => visitor.visit_i64(*i),
            NodeKind::Float(f) => visitor.visit_f64(*f),
            NodeKind::String(s) => visitor.visit_borrowed_str(s),
            NodeKind::Seq(items) => visitor.visit_seq(Self::seq(items)),
            NodeKind::Map(entries) => visitor.visit_map(Self::map(entries)),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match node.kind {
            NodeKind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.kind {
            NodeKind::Null => visitor.visit_unit().map_err(|e: Error| e.at(self.0)),
            _ => Err(wrong_type(self.0, "null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.0;
        visitor.visit_newtype_struct(self).map_err(|e| e.at(node))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.kind {
            NodeKind::Seq(items) => visitor
                .visit_seq(Self::seq(items))
                .map_err(|e| e.at(self.0)),
            _ => Err(wrong_type(self.0, "a sequence")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.kind {
            NodeKind::Map(entries) => visitor
                .visit_map(Self::map(entries))
                .map_err(|e| e.at(self.0)),
            _ => Err(wrong_type(self.0, "a map")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.0;
        if name == NAME {
            return visitor
                .visit_map(SpannedDe { node, step: 0 })
                .map_err(|e| e.at(node));
        }
        match &node.kind {
            NodeKind::Map(_) => self.deserialize_map(visitor),
            _ => Err(wrong_type(node, "a map").with_help(Some(shape(node, fields)))),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::String(s) => visitor.visit_enum(BorrowedStrDeserializer::<Error>::new(s)),
            NodeKind::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                visitor.visit_enum(EnumDe { key, value })
            }
            _ => return Err(wrong_type(node, &one_of(variants))),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf identifier
    }
}

/// The items of a sequence.
struct SeqDe<'de> {
    iter: std::iter::Enumerate<std::slice::Iter<'de, Node>>,
}

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.iter.next() {
            Some((index, item)) => seed
                .deserialize(NodeDe(item))
                .map(Some)
                .map_err(|e| e.within(index)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// The entries of a map.
struct MapDe<'de> {
    iter: std::iter::Enumerate<std::slice::Iter<'de, (Spanned<String>, Node)>>,
    /// The value of the entry whose key was read last, with the entry's index.
    value: Option<(usize, &'de Node)>,
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((index, (key, value))) => {
                self.value = Some((index, value));
                seed.deserialize(KeyDe(key))
                    .map(Some)
                    .map_err(|e| e.within(index))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some((index, value)) => seed.deserialize(NodeDe(value)).map_err(|e| e.within(index)),
            None => Err(Error::new(
                Code::Internal,
                "a map value was read before its key".to_owned(),
                "here",
            )),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// A map key: always a string.
struct KeyDe<'de>(&'de Spanned<String>);

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor
            .visit_borrowed_str(&self.0.value)
            .map_err(|e: Error| e.at_span(self.0.span))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor
            .visit_enum(BorrowedStrDeserializer::<Error>::new(&self.0.value))
            .map_err(|e: Error| e.at_span(self.0.span))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let span = self.0.span;
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.at_span(span))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An enum written as a map with one key: `{variant: value}`.
struct EnumDe<'de> {
    key: &'de Spanned<String>,
    value: &'de Node,
}

impl<'de> EnumAccess<'de> for EnumDe<'de> {
    type Error = Error;
    type Variant = NodeDe<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, NodeDe<'de>), Error> {
        let variant = seed.deserialize(KeyDe(self.key))?;
        Ok((variant, NodeDe(self.value)))
    }
}

impl<'de> VariantAccess<'de> for NodeDe<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0.kind {
            NodeKind::Null => Ok(()),
            _ => Err(wrong_type(self.0, "null")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }
}

/// The [`Spanned`] protocol: the span's start and end, then the value.
struct SpannedDe<'de> {
    node: &'de Node,
    step: u8,
}

impl<'de> MapAccess<'de> for SpannedDe<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let name = match self.step {
            0 => START,
            1 => END,
            2 => VALUE,
            _ => return Ok(None),
        };
        seed.deserialize(BorrowedStrDeserializer::<Error>::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let step = self.step;
        self.step = self.step.saturating_add(1);
        match step {
            0 => seed.deserialize(UsizeDeserializer::<Error>::new(self.node.span.start)),
            1 => seed.deserialize(UsizeDeserializer::<Error>::new(self.node.span.end)),
            _ => seed.deserialize(NodeDe(self.node)),
        }
    }
}
