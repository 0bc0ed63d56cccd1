//! Gate templates: checked where they are declared, and made into gates where a gate says
//! `use:`, each argument checked as a literal of its parameter's unit before it replaces a
//! `${name}` in the template's text.

use super::files::Item;
use super::model::{TemplateDecl, TemplateUse};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::{self, Node, NodeKind, Spanned};
use crate::units::{Dimension, Unit, declared_unit, declared_unit_names, parse_quantity_in};
use std::collections::BTreeMap;

/// Checks the template `name` declared as `node`: its shape, its parameters' units and
/// defaults, and that its gate has no `name` of its own.
pub(super) fn check(name: &Spanned<String>, node: &Node, diagnostics: &mut Vec<Diagnostic>) {
    let decl: TemplateDecl = match document::deserialize(node) {
        Ok(decl) => decl,
        Err(d) => {
            diagnostics.push(d);
            return;
        }
    };
    for (param, p) in &decl.params {
        let Some(unit) = declared_unit(&p.unit) else {
            let d = push_error(
                diagnostics,
                Code::UnknownUnit,
                format!("unknown unit `{}` for parameter `{param}`", p.unit.value),
                p.unit.span,
                "not a unit",
            );
            if let Some(close) = did_you_mean(&p.unit, declared_unit_names()) {
                d.help = Some(format!("did you mean `{close}`?"));
            }
            continue;
        };
        let default = node
            .get("params")
            .and_then(|ps| ps.get(param))
            .and_then(|p| p.get("default"));
        if let Some(default) = default
            && literal(default, unit).is_none()
        {
            mistyped(diagnostics, &name.value, param, default, unit);
        }
    }
    if let Some((key, _)) = map_entries(node.get("gate"))
        .iter()
        .find(|(k, _)| k.value == "name")
    {
        push_error(
            diagnostics,
            Code::InvalidValue,
            format!("the gate of template `{}` has a `name`", name.value),
            key.span,
            "each use names its gate",
        );
    }
}

/// The gate the template use `entry` makes, its name, and whether it says `override: true`;
/// `None` (with the problems in `diagnostics`) when the template or an argument is at fault.
pub(super) fn instantiate(
    entry: &Node,
    templates: &[Item],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Node, Spanned<String>, bool)> {
    let decl: TemplateUse = document::deserialize(entry)
        .map_err(|d| diagnostics.push(d))
        .ok()?;
    let Some(template) = templates.iter().find(|t| t.name.value == *decl.template) else {
        let d = push_error(
            diagnostics,
            Code::UnknownTemplate,
            format!("unknown template `{}`", decl.template.value),
            decl.template.span,
            "no such template",
        );
        d.help = Some(
            match did_you_mean(&decl.template, templates.iter().map(|t| t.name.as_str())) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "declare it under `templates:`, or import a file that does".to_owned(),
            },
        );
        return None;
    };
    let name = &template.name.value;
    let tdecl: TemplateDecl = document::deserialize(&template.node).ok()?;
    let written = map_entries(entry.get("with"));
    let before = diagnostics.len();
    for (key, _) in written {
        if !tdecl.params.contains_key(&key.value) {
            let d = push_error(
                diagnostics,
                Code::TemplateArgument,
                format!("template `{name}` has no parameter `{}`", key.value),
                key.span,
                "unknown parameter",
            );
            d.help = Some(
                match did_you_mean(&key.value, tdecl.params.keys().map(String::as_str)) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => params_help(&tdecl),
                },
            );
        }
    }
    let mut values: BTreeMap<&str, (Node, String)> = BTreeMap::new();
    for (param, p) in &tdecl.params {
        let Some(unit) = declared_unit(&p.unit) else {
            // Reported where the template is declared.
            return None;
        };
        let given = written
            .iter()
            .find(|(k, _)| k.value == *param)
            .map(|(_, v)| v);
        let default = template
            .node
            .get("params")
            .and_then(|ps| ps.get(param))
            .and_then(|p| p.get("default"));
        let Some(value) = given.or(default) else {
            push_error(
                diagnostics,
                Code::TemplateArgument,
                format!("template `{name}` needs the argument `{param}`"),
                decl.template.span,
                "no value for it",
            )
            .help = Some(format!(
                "add `with: {{{param}: …}}`: {} (`{}`)",
                unit.dimension.describe(),
                p.unit.value
            ));
            continue;
        };
        match literal(value, unit) {
            Some(text) => {
                values.insert(param.as_str(), (value.clone(), text));
            }
            None => mistyped(diagnostics, name, param, value, unit),
        }
    }
    if diagnostics.len() > before {
        return None;
    }
    let mut gate = template.node.get("gate")?.clone();
    if !substitute(&mut gate, &values, name, diagnostics) {
        return None;
    }
    let NodeKind::Map(entries) = &mut gate.kind else {
        return None;
    };
    let name_key = map_entries(Some(entry))
        .iter()
        .find(|(k, _)| k.value == "name")
        .map_or(decl.name.span, |(k, _)| k.span);
    entries.insert(
        0,
        (
            Spanned::new(name_key, "name".to_owned()),
            Node::new(decl.name.span, NodeKind::String(decl.name.value.clone())),
        ),
    );
    Some((gate, decl.name, decl.replaces))
}

/// The argument `value` as a literal of `unit`'s dimension, written as the condition language
/// reads it (`2000ms`; a number without a unit is in `unit`); `None` when it is not one.
fn literal(value: &Node, unit: Unit) -> Option<String> {
    let text = match &value.kind {
        NodeKind::Bool(b) if unit.dimension == Dimension::Bool => return Some(b.to_string()),
        NodeKind::Integer(i) => i.to_string(),
        NodeKind::Float(f) if f.is_finite() => f.to_string(),
        NodeKind::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    if unit.dimension == Dimension::Bool {
        return None;
    }
    let quantity = parse_quantity_in(&text, unit).ok()?;
    if quantity.unit.dimension != unit.dimension {
        return None;
    }
    let symbol = quantity.unit.symbol;
    let number: String = text
        .strip_suffix(symbol)
        .filter(|_| !symbol.is_empty())
        .unwrap_or(&text)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .collect();
    Some(if number.starts_with('-') {
        format!("({number}{symbol})")
    } else {
        format!("{number}{symbol}")
    })
}

/// Replaces each `${param}` in the strings of `node`: a string that is only `${param}` becomes
/// the argument's value, any other gets the argument's literal in its text. `false` when a
/// string names no parameter (reported).
fn substitute(
    node: &mut Node,
    values: &BTreeMap<&str, (Node, String)>,
    template: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    match &mut node.kind {
        NodeKind::String(s) if s.contains("${") => {
            let whole = s
                .trim()
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .and_then(|name| values.get(name));
            if let Some((value, _)) = whole {
                *node = value.clone();
                return true;
            }
            let mut out = String::with_capacity(s.len());
            let mut rest = s.as_str();
            while let Some(at) = rest.find("${") {
                let (before, after) = rest.split_at(at);
                out.push_str(before);
                let after = after.get(2..).unwrap_or_default();
                let Some((name, tail)) = after.split_once('}') else {
                    unknown_placeholder(diagnostics, template, after, node.span);
                    return false;
                };
                let Some((_, text)) = values.get(name) else {
                    unknown_placeholder(diagnostics, template, name, node.span);
                    return false;
                };
                out.push_str(text);
                rest = tail;
            }
            out.push_str(rest);
            node.kind = NodeKind::String(out);
            true
        }
        NodeKind::Seq(items) => items
            .iter_mut()
            .all(|n| substitute(n, values, template, diagnostics)),
        NodeKind::Map(entries) => entries
            .iter_mut()
            .all(|(_, n)| substitute(n, values, template, diagnostics)),
        _ => true,
    }
}

fn unknown_placeholder(diagnostics: &mut Vec<Diagnostic>, template: &str, name: &str, span: Span) {
    push_error(
        diagnostics,
        Code::TemplateArgument,
        format!("template `{template}` uses `${{{name}}}`, which is not one of its parameters"),
        span,
        "unknown parameter",
    )
    .help = Some("declare it under the template's `params:`".to_owned());
}

fn mistyped(
    diagnostics: &mut Vec<Diagnostic>,
    template: &str,
    param: &str,
    value: &Node,
    unit: Unit,
) {
    let written = match &value.kind {
        NodeKind::String(s) => s.clone(),
        NodeKind::Integer(i) => i.to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Bool(b) => b.to_string(),
        _ => value.describe().to_owned(),
    };
    let unit_name = if unit.symbol.is_empty() {
        unit.dimension.describe().to_owned()
    } else {
        format!("{} (`{}`)", unit.dimension.describe(), unit.symbol)
    };
    push_error(
        diagnostics,
        Code::TemplateArgument,
        format!("argument `{param}` of template `{template}` is `{written}`, not {unit_name}"),
        value.span,
        "wrong unit or type",
    );
}

fn params_help(decl: &TemplateDecl) -> String {
    if decl.params.is_empty() {
        return "the template has no parameters".to_owned();
    }
    let names: Vec<String> = decl.params.keys().map(|k| format!("`{k}`")).collect();
    format!("its parameters are {}", names.join(", "))
}

/// The entries of `node` when it is a map.
fn map_entries(node: Option<&Node>) -> &[(Spanned<String>, Node)] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Map(entries)) => entries,
        _ => &[],
    }
}
