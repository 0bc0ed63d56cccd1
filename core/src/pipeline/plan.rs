//! The plan of a pipeline: parallel waves, earliest and latest times from the estimates, the
//! critical path and each stage's slack (the critical path method).
//!
//! Everything is in whole milliseconds, and ties are broken by policy order, so the same
//! pipeline always gives the same plan, byte for byte.
//!
//! A plan names every stage several times (in its own entry, in the `needs` of the stages
//! that need it, in its wave, on the critical path), so names are [`Name`]s: copied without
//! allocating (a long name is shared), serialized as plain strings.

use super::graph::{Needs, Order};
use crate::decision::PolicyRef;
use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// The plan of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// The policy the pipeline belongs to.
    pub policy: PolicyRef,
    /// Every stage, in policy order.
    pub stages: Vec<PlannedStage>,
    /// Stages that may run at the same time: wave 0 needs nothing, wave `k` needs something
    /// of wave `k - 1`. Within a wave, in policy order.
    pub waves: Vec<Vec<Name>>,
    /// The longest chain of stages by estimate, first to last.
    pub critical_path: Vec<Name>,
    /// The earliest the whole pipeline can finish, from its estimates.
    pub total_ms: u64,
}

/// One stage in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedStage {
    /// The stage's name.
    pub name: Name,
    /// The stages it needs.
    pub needs: Vec<Name>,
    /// The personas that own it.
    pub personas: Vec<String>,
    /// Its wave (see [`Plan::waves`]).
    pub wave: usize,
    /// Its estimate (0 without one).
    pub estimate_ms: u64,
    /// The earliest it can start: when the last stage it needs finishes.
    pub earliest_start_ms: u64,
    /// The earliest it can finish.
    pub earliest_finish_ms: u64,
    /// The latest it can start without delaying the pipeline.
    pub latest_start_ms: u64,
    /// The latest it can finish without delaying the pipeline.
    pub latest_finish_ms: u64,
    /// How long it can slip without delaying the pipeline.
    pub slack_ms: u64,
    /// Whether it is on [`Plan::critical_path`].
    pub critical: bool,
}

/// A stage name in a plan: a string that is cheap to copy, because a plan mentions each stage
/// several times. Names of up to 22 bytes (most names) are held inline, without an allocation;
/// longer ones are shared (`Arc<str>`), so each is allocated once. A `Name` reads as a `&str`
/// (through `Deref`), compares equal to the same text as a `str`, `&str` or `String`, and
/// serializes as a plain string.
#[derive(Clone, PartialEq, Eq)]
pub struct Name(Repr);

/// The longest name held inline.
const INLINE: usize = 22;

/// Each text has exactly one representation (inline if and only if it fits), so comparing
/// representations compares texts.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// `bytes[..len]` is the text; the rest is zero.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A text longer than [`INLINE`].
    Shared(Arc<str>),
}

impl Name {
    /// The name `text`.
    #[must_use]
    pub fn new(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Self(Repr::Inline { len, bytes })
            }
            _ => Self(Repr::Shared(Arc::from(text))),
        }
    }

    /// The name as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // INVARIANT: the bytes were copied whole from a `str`, so they are UTF-8.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Shared(text) => text,
        }
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Self {
        Self::new(&text)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl Visitor<'_> for NameVisitor {
            type Value = Name;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stage name")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Name, E> {
                Ok(Name::new(text))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

impl JsonSchema for Name {
    fn inline_schema() -> bool {
        String::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        String::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

/// What a plan is made of: the stages as resolved by the compiler.
pub(crate) struct Input<'a> {
    /// The stage names, in policy order.
    pub names: &'a [Name],
    /// Per stage, its personas.
    pub personas: Vec<Vec<String>>,
    /// Per stage, the stages it needs.
    pub needs: &'a Needs,
    /// Per stage, its estimate.
    pub estimates: &'a [u64],
    /// A topological order of the stages.
    pub order: &'a Order,
}

/// Plans a graph already known to be acyclic: waves and earliest times forwards along the
/// order, latest times backwards, then the critical path; plain index arrays throughout.
pub(crate) fn plan(policy: PolicyRef, input: Input<'_>) -> Plan {
    let Input {
        names,
        personas,
        needs,
        estimates,
        order,
    } = input;
    let n = names.len();
    let mut wave = vec![0u32; n];
    let mut start = vec![0u64; n];
    let mut finish = vec![0u64; n];
    for s in order.stages() {
        let (mut w, mut es) = (0, 0);
        for &need in needs.of(s) {
            let need = need as usize;
            w = w.max(wave[need] + 1);
            es = es.max(finish[need]);
        }
        wave[s] = w;
        start[s] = es;
        finish[s] = es.saturating_add(estimates[s]);
    }
    let total = finish.iter().copied().max().unwrap_or(0);

    // Latest times, backwards: a stage must finish before the latest start of what needs it.
    let mut latest_finish = vec![total; n];
    let mut needed = vec![false; n];
    for s in order.stages().rev() {
        let latest_start = latest_finish[s].saturating_sub(estimates[s]);
        for &need in needs.of(s) {
            let need = need as usize;
            latest_finish[need] = latest_finish[need].min(latest_start);
            needed[need] = true;
        }
    }

    // The critical path: from the first stage (in policy order) that finishes last and that
    // nothing needs, back through the first need that finishes exactly when the stage starts.
    let mut critical = vec![false; n];
    let mut path = Vec::new();
    if let Some(last) = (0..n).find(|&s| finish[s] == total && !needed[s]) {
        let mut at = last;
        loop {
            critical[at] = true;
            path.push(at);
            let next = needs
                .of(at)
                .iter()
                .map(|&p| p as usize)
                .filter(|&p| finish[p] == start[at])
                .min();
            match next {
                Some(p) if !critical[p] => at = p,
                _ => break,
            }
        }
        path.reverse();
    }

    let mut sizes = vec![0usize; wave.iter().copied().max().map_or(0, |w| w as usize + 1)];
    for &w in &wave {
        sizes[w as usize] += 1;
    }
    let mut waves: Vec<Vec<Name>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for (name, &w) in names.iter().zip(&wave) {
        waves[w as usize].push(name.clone());
    }
    let stages = personas
        .into_iter()
        .enumerate()
        .map(|(s, personas)| {
            let ls = latest_finish[s].saturating_sub(estimates[s]);
            PlannedStage {
                name: names[s].clone(),
                needs: needs
                    .of(s)
                    .iter()
                    .map(|&p| names[p as usize].clone())
                    .collect(),
                personas,
                wave: wave[s] as usize,
                estimate_ms: estimates[s],
                earliest_start_ms: start[s],
                earliest_finish_ms: finish[s],
                latest_start_ms: ls,
                latest_finish_ms: latest_finish[s],
                slack_ms: ls.saturating_sub(start[s]),
                critical: critical[s],
            }
        })
        .collect();
    Plan {
        policy,
        stages,
        waves,
        critical_path: path.into_iter().map(|s| names[s].clone()).collect(),
        total_ms: total,
    }
}
