//! The personas of a policy as declared, and compiled once to be shared by every gate set.

use super::compile::unique_names;
use crate::diagnostic::Diagnostic;
use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A persona: an owner of concerns that signs off on what it owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaDecl {
    /// `architect`, `devops`, `qa`, `performance`, `security` or any other name.
    pub name: Spanned<String>,
    /// What the persona is responsible for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When true, this persona rejecting fails the whole decision.
    #[serde(default)]
    pub required: bool,
    /// How many conditions an approval may carry before it becomes a rejection (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_conditions: Option<Spanned<u32>>,
}

/// The default number of conditions a persona's approval may carry.
pub const DEFAULT_MAX_CONDITIONS: usize = 2;

/// One declared persona.
#[derive(Debug, Clone)]
pub(crate) struct Persona {
    pub name: String,
    pub required: bool,
    pub max_conditions: usize,
}

/// The declared personas, in policy order, and their indices by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Personas {
    list: Vec<Persona>,
    by_name: BTreeMap<String, usize>,
}

impl Personas {
    /// Reads the declarations, reporting empty and repeated names (the first of a name wins).
    pub fn compile(decls: &[Spanned<PersonaDecl>], diagnostics: &mut Vec<Diagnostic>) -> Self {
        unique_names(decls.iter().map(|p| &p.name), "persona", diagnostics);
        let mut by_name = BTreeMap::new();
        for (i, persona) in decls.iter().enumerate() {
            by_name.entry(persona.name.value.clone()).or_insert(i);
        }
        let list = decls
            .iter()
            .map(|p| Persona {
                name: p.name.value.clone(),
                required: p.required,
                max_conditions: p
                    .max_conditions
                    .as_ref()
                    .map_or(DEFAULT_MAX_CONDITIONS, |m| m.value as usize),
            })
            .collect();
        Self { list, by_name }
    }

    /// Every persona, in policy order.
    pub fn list(&self) -> &[Persona] {
        &self.list
    }

    /// The index of the persona named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Whether a persona is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The declared names, sorted.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}
