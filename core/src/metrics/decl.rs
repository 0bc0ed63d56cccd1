//! The `metrics` section as written, and its compilation into the table of metric slots.

use super::table::MetricTable;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::document::Spanned;
use crate::units::{self, Unit};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A metric conditions may refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricDecl {
    /// The unit values are read and shown in: `%`, `ratio`, `ms`, `s`, `m`, `h`, `d`, `B`,
    /// `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `count` (a plain number, the default) or `bool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Spanned<String>>,
    /// What the metric measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl MetricTable {
    /// Reads the `metrics` declarations, reporting invalid names and unknown units (a metric
    /// with an unknown unit is declared as a plain number, so conditions still compile).
    pub(crate) fn compile(
        decls: &BTreeMap<String, Spanned<MetricDecl>>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> MetricTable {
        let mut table = MetricTable::default();
        for (name, decl) in decls {
            if !valid_metric_name(name) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{name}` is not a valid metric name"),
                    )
                    .with_label(decl.span, "declared here")
                    .with_help("metric names are words of letters, digits and `_`, joined by `.`"),
                );
            }
            let unit = match &decl.unit {
                None => Unit::NONE,
                Some(unit) => match units::declared_unit(&unit.value) {
                    Some(u) => u,
                    None => {
                        let help = did_you_mean(&unit.value, units::declared_unit_names()).map_or_else(
                            || {
                                "units are `%`, `ratio`, `ms`, `s`, `m`, `h`, `d`, `B`, `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `count` and `bool`".to_owned()
                            },
                            |s| format!("did you mean `{s}`?"),
                        );
                        diagnostics.push(
                            Diagnostic::error(
                                Code::UnknownUnit,
                                format!("unknown unit `{}` for metric `{name}`", unit.value),
                            )
                            .with_label(unit.span, "unknown unit")
                            .with_help(help),
                        );
                        Unit::NONE
                    }
                },
            };
            table.declare(name, unit);
        }
        table
    }
}

fn valid_metric_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !matches!(part, "and" | "or" | "not" | "true" | "false")
        })
}
