//! The process-wide cache of Python objects the serializer hands out again.
//!
//! # Why keys by address are safe here
//! Strings and floats are found by content (text, bits). Two tables are keyed by an address:
//! field and variant names by the address and length of the `&'static str` serde passes, and
//! struct templates ([`ShapeId`]) by the address and length of the struct's `&'static str`
//! name. Both are addresses of `'static` data in the module's binary: it is never freed, so an
//! address can never come to mean other text (and the length is part of the key). No entry is
//! keyed by the address of a Python object or of heap memory. Every Python object the cache
//! holds is immutable (`str`, `float`, and dicts it only ever copies) and owned by the cache
//! (`Py<…>`), so it stays alive while it is cached. The cache is taken with `try_lock` once per
//! conversion: when a finalizer run in the middle of a conversion converts something else, that
//! conversion makes its objects afresh. pyo3 refuses to import the module into a second
//! interpreter, so its objects never cross interpreters.

use super::scalar::Scalar;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyString};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

/// Python objects of the output already made, to hand out again. A decision repeats field
/// names, enum values, policy, gate, criterion and metric names, conditions, most sentences,
/// weights and scores from one `check` to the next; handing out the same immutable object
/// again costs a lookup, where making one costs an allocation (and for a `str` a UTF-8 check;
/// a `str` used as a key also keeps its hash). Sharing immutable objects between results is
/// invisible to Python code. Strings and floats: one entry per slot, a new one replaces the
/// one in its slot (a string used since it was stored gets a second chance). Templates: see
/// [`StructShape`].
pub(super) static OUTPUT: Mutex<OutputCache> = Mutex::new(OutputCache {
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

pub(super) struct OutputCache {
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
pub(super) type ShapeId = (usize, usize, usize, u64);

/// A copy of a struct's template, and the template's fields.
pub(super) type Shaped<'py> = (Bound<'py, PyDict>, Arc<[TemplateField]>);

/// One field of a struct template.
pub(super) struct TemplateField {
    /// The address and length of the `&'static str` serde passes as the field's name.
    pub(super) name: (usize, usize),
    pub(super) key: Py<PyString>,
    /// The template's value, when it is a scalar: a new value equal to it needs neither a
    /// Python object nor a store. The dict holds its Python form (`None` for `Scalar::Other`).
    pub(super) value: Scalar,
}

/// The most templates [`OutputCache`] holds.
const MAX_SHAPES: usize = 1024;

/// Structs with more fields than this get a template (an empty dict holds five keys).
pub(super) const SHAPED_FIELDS: usize = 5;

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
    pub(super) fn with_name<'py, R>(
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
    pub(super) fn get<'py>(&mut self, py: Python<'py>, text: &str) -> Bound<'py, PyString> {
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
    pub(super) fn float<'py>(&mut self, py: Python<'py>, v: f64) -> Bound<'py, PyFloat> {
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
    pub(super) fn shaped<'py>(
        &self,
        py: Python<'py>,
        id: ShapeId,
    ) -> Option<PyResult<Shaped<'py>>> {
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
    pub(super) fn add_shape(
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

/// The slot for `word` (an address, or a float's bits) in a table `mask + 1` long.
fn slot_of(word: u64, mask: usize) -> usize {
    (word.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & mask
}

/// A fast, non-cryptographic hash of a short string (FxHash's mixing, eight bytes a step).
pub(super) fn hash(bytes: &[u8]) -> u64 {
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
