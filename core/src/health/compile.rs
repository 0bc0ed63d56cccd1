//! Validation and compilation of the `health` section: personas declared (E005), metrics
//! declared (E011), conditions compiled by the shared compiler (E010–E015), parts of one shared
//! metric of one unit (E012), weights positive (E031), names unique (E004).

use super::model::HealthDecl;
use super::{CompiledHealth, Item, Panel, Shared};
use crate::condition::{MetricInfo, MetricLookup, compile_written};
use crate::criteria::{Context, undeclared_persona, unique_names};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::document::Spanned;
use crate::metrics::table::MetricTable;
use crate::units::Unit;

/// Metrics, then the shared metrics defined so far.
struct Lookup<'a> {
    metrics: &'a MetricTable,
    shared: Vec<(String, MetricInfo)>,
}

impl MetricLookup for Lookup<'_> {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        self.metrics
            .lookup(name)
            .or_else(|| self.shared.iter().find(|(n, _)| n == name).map(|(_, i)| *i))
    }

    fn names(&self) -> Vec<&str> {
        let mut names = self.metrics.names();
        names.extend(self.shared.iter().map(|(n, _)| n.as_str()));
        names
    }
}

fn unknown(name: &Spanned<String>, lookup: &Lookup<'_>) -> Diagnostic {
    let names = lookup.names();
    let help = did_you_mean(&name.value, names.iter().copied()).map_or_else(
        || "name a declared metric or an earlier shared metric".to_owned(),
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(
        Code::UnknownMetric,
        format!("metric `{}` is not declared", name.value),
    )
    .with_label(name.span, "not a declared metric")
    .with_help(help)
}

/// Compiles `health` against the policy's metrics and personas.
pub(crate) fn compile(
    context: Context<'_>,
    decl: Option<&Spanned<HealthDecl>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledHealth> {
    let decl = decl?;
    let mut found = Vec::new();
    let mut lookup = Lookup {
        metrics: context.metrics,
        shared: Vec::new(),
    };
    let n = context.metrics.slots().len();
    unique_names(
        decl.shared.iter().map(|s| &s.name),
        "shared metric",
        &mut found,
    );
    let mut shared = Vec::new();
    for s in &decl.shared {
        if context.metrics.slot_of(&s.name).is_some() {
            crate::diagnostic::push_error(
                &mut found,
                Code::DuplicateName,
                format!(
                    "shared metric `{}` has the name of a declared metric",
                    s.name.value
                ),
                s.name.span,
                "this name",
            );
        }
        let mut parts = Vec::new();
        let mut unit: Option<Unit> = None;
        for p in &s.average {
            if !(p.weight.value.is_finite() && p.weight.value > 0.0) {
                crate::diagnostic::push_error(
                    &mut found,
                    Code::InvalidSetting,
                    format!("weight `{}` is not a positive number", p.weight.value),
                    p.weight.span,
                    "not positive",
                );
            }
            let Some(info) = lookup.lookup(&p.of) else {
                found.push(unknown(&p.of, &lookup));
                continue;
            };
            match unit {
                Some(u) if u.dimension != info.unit.dimension => {
                    crate::diagnostic::push_error(
                        &mut found,
                        Code::TypeMismatch,
                        format!(
                            "`{}` is {}, unlike the other parts of `{}`",
                            p.of.value,
                            info.unit.dimension.describe(),
                            s.name.value
                        ),
                        p.of.span,
                        "another kind of value",
                    )
                    .help = Some("average values of one kind: all ratios, all durations…".into());
                }
                Some(_) => {}
                None => unit = Some(info.unit),
            }
            parts.push((p.of.value.clone(), info.slot, p.weight.value));
        }
        if s.average.is_empty() {
            crate::diagnostic::push_error(
                &mut found,
                Code::InvalidValue,
                format!("shared metric `{}` averages nothing", s.name.value),
                s.name.span,
                "no parts",
            );
        }
        let info = MetricInfo {
            slot: n + lookup.shared.len(),
            unit: unit.unwrap_or(Unit::NONE),
        };
        lookup.shared.push((s.name.value.clone(), info));
        let target = s
            .target
            .as_ref()
            .and_then(|t| compile_written(context.text, t, &lookup, &mut found).map(|(p, _)| p));
        shared.push(Shared {
            name: s.name.value.clone(),
            parts,
            target,
        });
    }
    let mut panels = Vec::new();
    for p in &decl.panels {
        if !context.personas.contains(&p.persona) {
            found.push(undeclared_persona(
                &p.persona,
                did_you_mean(&p.persona, context.personas.names()),
            ));
        }
        let mut items = Vec::new();
        for m in &p.metrics {
            let Some(info) = lookup.lookup(&m.metric) else {
                found.push(unknown(&m.metric, &lookup));
                continue;
            };
            let mut cond = |c: &Option<Spanned<String>>| {
                c.as_ref().and_then(|c| {
                    compile_written(context.text, c, &lookup, &mut found).map(|(p, _)| p)
                })
            };
            let warning = cond(&m.warning);
            let critical = cond(&m.critical);
            if m.warning.is_none() && m.critical.is_none() {
                crate::diagnostic::push_error(
                    &mut found,
                    Code::InvalidValue,
                    format!(
                        "panel metric `{}` has neither `warning` nor `critical`",
                        m.metric.value
                    ),
                    m.span,
                    "no thresholds",
                );
            }
            items.push(Item {
                metric: m.metric.value.clone(),
                slot: info.slot,
                warning,
                critical,
            });
        }
        panels.push(Panel {
            persona: p.persona.value.clone(),
            items,
        });
    }
    let ok = found.is_empty();
    diagnostics.append(&mut found);
    ok.then_some(CompiledHealth {
        panels,
        shared,
        metrics: n,
    })
}
