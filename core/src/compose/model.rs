//! The composition keys as written: `imports:` entries, `templates:` and their parameters, and
//! a gate written as a template's use. They are read from the document tree before the
//! policy is (composition removes them), and give the policy's JSON Schema its parts for them.

use crate::document::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One import: a file, and which of its definitions to take. A kind without a list takes
/// every definition of that kind; a list takes only the names in it (`[]`: none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportDecl {
    /// The file, relative to the importing file's folder.
    pub from: Spanned<String>,
    /// The metrics to take (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Spanned<String>>>,
    /// The personas to take (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personas: Option<Vec<Spanned<String>>>,
    /// The gates to take (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gates: Option<Vec<Spanned<String>>>,
    /// The gate templates to take (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<Spanned<String>>>,
}

/// A gate template: a gate without a name, whose strings may use its parameters as
/// `${name}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateDecl {
    /// What gates made from the template check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The parameters, by name.
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<ParamDecl>>,
    /// The gate, as in `gates:` but without `name` (each use names its gate).
    #[schemars(with = "BTreeMap<String, Value>")]
    pub gate: Value,
}

/// A template parameter: its unit, and the value used when a use gives none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamDecl {
    /// The unit of the values the parameter takes (as a metric's `unit`: `ms`, `%`,
    /// `count`, `bool`…); an argument must be a literal of that dimension.
    #[schemars(schema_with = "unit_schema")]
    pub unit: Spanned<String>,
    /// The value when a use gives none; without one the argument is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ParamValue>")]
    pub default: Option<Value>,
    /// What the parameter sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A template argument: a number in the parameter's unit, a quantity with a unit (`2000ms`)
/// or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ParamValue {
    /// A number in the parameter's unit.
    Number(f64),
    /// A quantity with a unit.
    Text(String),
    /// A boolean, for a `bool` parameter.
    Bool(bool),
}

/// A gate made from a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateUse {
    /// The template's name.
    #[serde(rename = "use")]
    pub template: Spanned<String>,
    /// The gate's name.
    pub name: Spanned<String>,
    /// The arguments, by parameter name.
    #[serde(default, rename = "with")]
    #[schemars(with = "BTreeMap<String, ParamValue>")]
    pub args: BTreeMap<String, Spanned<Value>>,
    /// Replaces an imported gate of the same name.
    #[serde(default, rename = "override")]
    pub replaces: bool,
}

/// The schema of a parameter's `unit`: one of the units a metric may declare.
fn unit_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<Value> = crate::units::declared_unit_names()
        .map(Value::from)
        .collect();
    schemars::json_schema!({ "enum": names })
}
