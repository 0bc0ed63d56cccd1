//! Criteria thresholds that depend on a change's risk level: a risk model's `gating.<level>.
//! thresholds` judge named criteria of the policy's gates by other conditions at that level
//! (a stricter profile at high risk). Each level that replaces a criterion gets its own
//! compiled copy of the gates, with the replaced conditions compiled by the one criteria
//! compiler, so a check at risk is the same evaluation over another gate set.

use crate::criteria::{Context, GateSet};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::Spanned;
use crate::gate::model::GateDecl;
use crate::risk::Level;
use crate::risk::model::{GatingDecl, RiskDecl, ThresholdDecl};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A criterion judged by the conditions its change's risk level asks for, instead of its
/// gate's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ThresholdChange {
    /// The gate.
    pub gate: String,
    /// The criterion.
    pub criterion: String,
    /// The risk model that scored the change.
    pub model: String,
    /// The level whose thresholds applied.
    pub level: Level,
    /// The pass condition used, when the level replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// The warn condition used, when the level replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<String>,
}

/// The gates as one level of one risk model judges them.
#[derive(Debug)]
pub(crate) struct LevelGates {
    /// The risk model.
    pub model: String,
    /// The level (low, medium, high or critical).
    pub level: Level,
    /// The policy's gates with the level's conditions in place of the replaced ones.
    pub set: GateSet,
    /// Each replacement, with the index of its gate.
    pub changes: Vec<(usize, ThresholdChange)>,
}

/// The levels in rising order, as `gating` declares them.
fn levels(gating: &crate::risk::model::GatingLevelsDecl) -> [(Level, Option<&GatingDecl>); 4] {
    [
        (Level::Low, gating.low.as_ref().map(|d| &d.value)),
        (Level::Medium, gating.medium.as_ref().map(|d| &d.value)),
        (Level::High, gating.high.as_ref().map(|d| &d.value)),
        (Level::Critical, gating.critical.as_ref().map(|d| &d.value)),
    ]
}

/// Compiles every level's thresholds of every risk model against the policy's `gates`,
/// adding each problem to `diagnostics`.
pub(crate) fn compile(
    cx: Context<'_>,
    gates: &[Spanned<GateDecl>],
    risk: Option<&RiskDecl>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<LevelGates> {
    let mut out = Vec::new();
    let Some(risk) = risk else { return out };
    for model in &risk.models {
        let Some(gating) = &model.gating else {
            continue;
        };
        let levels = levels(&gating.value);
        for (i, &(level, decl)) in levels.iter().enumerate() {
            let Some(decl) = decl.filter(|d| !d.thresholds.is_empty()) else {
                continue;
            };
            let higher = levels.get(i + 1..).unwrap_or_default();
            let before = diagnostics.len();
            let resolved = resolve(gates, decl, level, higher, diagnostics);
            if diagnostics.len() > before {
                continue;
            }
            let set = compile_level(cx, gates, &resolved, diagnostics);
            let changes = resolved
                .iter()
                .map(|r| {
                    let change = ThresholdChange {
                        gate: r.decl.gate.value.clone(),
                        criterion: r.decl.criterion.value.clone(),
                        model: model.name.value.clone(),
                        level,
                        pass: r.decl.pass.as_ref().map(|p| p.value.clone()),
                        warn: r.decl.warn.as_ref().map(|w| w.value.clone()),
                    };
                    (r.gate, change)
                })
                .collect();
            out.push(LevelGates {
                model: model.name.value.clone(),
                level,
                set,
                changes,
            });
        }
    }
    out
}

/// A threshold entry with its gate and criterion found.
struct Resolved<'d> {
    decl: &'d ThresholdDecl,
    gate: usize,
    criterion: usize,
}

/// Finds the gate and criterion of each of `decl`'s thresholds, reporting names that match
/// nothing, entries that replace nothing, a gate both bypassed and re-judged, a criterion
/// named twice, and a medium or high entry that a higher level does not repeat.
fn resolve<'d>(
    gates: &[Spanned<GateDecl>],
    decl: &'d GatingDecl,
    level: Level,
    higher: &[(Level, Option<&GatingDecl>)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Resolved<'d>> {
    let mut out: Vec<Resolved<'d>> = Vec::new();
    for entry in &decl.thresholds {
        let t = &entry.value;
        let Some(gi) = gates.iter().position(|g| g.name.value == t.gate.value) else {
            let help = did_you_mean(&t.gate.value, gates.iter().map(|g| g.name.as_str()))
                .map_or_else(
                    || "name a gate of the policy's `gates`".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
            push_error(
                diagnostics,
                Code::InvalidRiskGating,
                format!(
                    "there is no gate `{}` to judge by other thresholds",
                    t.gate.value
                ),
                t.gate.span,
                "not a gate",
            )
            .help = Some(help);
            continue;
        };
        let criteria = &gates[gi].criteria;
        let Some(ci) = criteria
            .iter()
            .position(|c| c.name.value == t.criterion.value)
        else {
            let help = did_you_mean(&t.criterion.value, criteria.iter().map(|c| c.name.as_str()))
                .map_or_else(
                    || format!("name a criterion of gate `{}`", t.gate.value),
                    |s| format!("did you mean `{s}`?"),
                );
            push_error(
                diagnostics,
                Code::InvalidRiskGating,
                format!(
                    "gate `{}` has no criterion `{}`",
                    t.gate.value, t.criterion.value
                ),
                t.criterion.span,
                "not a criterion of this gate",
            )
            .help = Some(help);
            continue;
        };
        let name = format!("{}/{}", t.gate.value, t.criterion.value);
        if t.pass.is_none() && t.warn.is_none() {
            push_error(
                diagnostics,
                Code::InvalidRiskGating,
                format!(
                    "the thresholds of `{name}` at {} risk replace nothing",
                    level.as_str()
                ),
                entry.span,
                "neither `pass` nor `warn`",
            )
            .help = Some("give `pass`, `warn` or both".into());
        }
        if decl.bypass.iter().any(|b| b.value == t.gate.value) {
            push_error(
                diagnostics,
                Code::InvalidRiskGating,
                format!(
                    "gate `{}` is bypassed at {} risk, so its thresholds there judge nothing",
                    t.gate.value,
                    level.as_str()
                ),
                t.gate.span,
                "bypassed at this level",
            )
            .help = Some("drop the bypass or these thresholds".into());
        }
        if out.iter().any(|r| r.gate == gi && r.criterion == ci) {
            push_error(
                diagnostics,
                Code::InvalidRiskGating,
                format!("`{name}` has thresholds twice at {} risk", level.as_str()),
                t.criterion.span,
                "named again here",
            );
        }
        if level != Level::Low {
            repeated_above(&name, t, level, higher, entry.span, diagnostics);
        }
        out.push(Resolved {
            decl: t,
            gate: gi,
            criterion: ci,
        });
    }
    out
}

/// Reports a medium or high threshold that a higher level leaves to the gate's own condition:
/// a riskier change would then be judged more leniently than a safer one.
fn repeated_above(
    name: &str,
    t: &ThresholdDecl,
    level: Level,
    higher: &[(Level, Option<&GatingDecl>)],
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let repeats = |d: &GatingDecl| {
        d.thresholds.iter().any(|o| {
            o.value.gate.value == t.gate.value && o.value.criterion.value == t.criterion.value
        })
    };
    for &(above, decl) in higher {
        if decl.is_some_and(repeats) {
            continue;
        }
        push_error(
            diagnostics,
            Code::InvalidRiskGating,
            format!(
                "`{name}` has thresholds at {} risk but not at {} risk",
                level.as_str(),
                above.as_str()
            ),
            span,
            "not repeated at a higher level",
        )
        .help = Some(format!(
            "a change at {} risk would be judged by the gate's own condition: give `{name}` \
             thresholds under `{}: {{thresholds: [...]}}` too",
            above.as_str(),
            above.as_str()
        ));
        return;
    }
}

/// Compiles the policy's gates with `resolved`'s conditions in place, keeping the problems
/// found in those conditions (the rest were reported when the gates themselves compiled).
fn compile_level(
    cx: Context<'_>,
    gates: &[Spanned<GateDecl>],
    resolved: &[Resolved<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> GateSet {
    let mut patched = gates.to_vec();
    let mut spans = Vec::new();
    for r in resolved {
        let criterion = &mut patched[r.gate].value.criteria[r.criterion].value;
        if let Some(pass) = &r.decl.pass {
            criterion.pass = pass.clone();
            spans.push(pass.span);
        }
        if let Some(warn) = &r.decl.warn {
            criterion.warn = Some(warn.clone());
            spans.push(warn.span);
        }
    }
    let mut found = Vec::new();
    let set = crate::gate::compile(cx, &patched, &mut found);
    diagnostics.extend(found.into_iter().filter(|d| {
        d.labels.first().is_some_and(|l| {
            spans
                .iter()
                .any(|s| s.start <= l.start && l.start < s.end.max(s.start + 1))
        })
    }));
    set
}
