//! The composition keys in the policy's JSON Schema: `imports`, `templates`, a gate written
//! as a template's use, and `override` on metrics, personas and gates.

use super::model::{ImportDecl, TemplateDecl, TemplateUse};
use serde_json::{Value, json};

/// Adds the composition keys to the policy schema `schema`.
pub(crate) fn extend(schema: &mut Value) {
    let mut defs = serde_json::Map::new();
    let mut part = |value: Value| {
        let mut value = value;
        if let Some(Value::Object(more)) = value.as_object_mut().and_then(|o| o.remove("$defs")) {
            defs.extend(more);
        }
        if let Some(o) = value.as_object_mut() {
            o.remove("$schema");
        }
        value
    };
    let import = part(serde_json::to_value(schemars::schema_for!(ImportDecl)).unwrap_or_default());
    let template =
        part(serde_json::to_value(schemars::schema_for!(TemplateDecl)).unwrap_or_default());
    let used = part(serde_json::to_value(schemars::schema_for!(TemplateUse)).unwrap_or_default());
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            "imports".to_owned(),
            json!({
                "description": "Files to take metrics, personas, gates and gate templates from (docs/composition.md).",
                "type": "array",
                "items": import,
            }),
        );
        properties.insert(
            "templates".to_owned(),
            json!({
                "description": "Gate templates with parameters, by name (docs/composition.md).",
                "type": "object",
                "additionalProperties": template,
            }),
        );
        if let Some(items) = properties.get_mut("gates").and_then(|g| g.get_mut("items")) {
            let gate = items.take();
            *items = json!({ "anyOf": [gate, used] });
        }
    }
    let overrides = json!({
        "description": "Replaces an imported definition of the same name (docs/composition.md).",
        "type": "boolean",
    });
    if let Some(all) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        for name in ["MetricDecl", "PersonaDecl", "GateDecl"] {
            if let Some(properties) = all
                .get_mut(name)
                .and_then(|d| d.get_mut("properties"))
                .and_then(Value::as_object_mut)
            {
                properties.insert("override".to_owned(), overrides.clone());
            }
        }
        for (name, def) in defs {
            all.entry(name).or_insert(def);
        }
    }
}
