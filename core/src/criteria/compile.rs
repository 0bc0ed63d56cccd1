//! The criteria compiler: declarations in, a [`GateSet`] and diagnostics out.
//!
//! Every problem is recorded, never only the first; a criterion whose conditions do not compile
//! is left out of its gate, and its diagnostics make sure the policy is never returned.

use super::model::{CriterionDecl, GateKind, MissingRule, ScoreDecl, Threshold};
use super::personas::Personas;
use super::set::{CriterionRule, GateRule, GateSet, PersonaRule, Scoring};
use crate::condition::compile_written;
use crate::diagnostic::{Code, Diagnostic, Label, Span, did_you_mean};
use crate::document::Spanned;
use crate::metrics::table::MetricTable;
use crate::units::{self, Dimension};
use std::collections::BTreeMap;

/// What criteria are compiled against: the policy's text (for positions), its metrics and its
/// personas.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The policy text the declarations' spans point into (empty when there is none).
    pub text: &'a str,
    pub metrics: &'a MetricTable,
    pub personas: &'a Personas,
}

/// One gate's worth of criteria as a section declares them: a policy gate, or the criteria
/// written on a pipeline stage.
pub(crate) struct GateSource<'d> {
    pub name: &'d Spanned<String>,
    pub kind: GateKind,
    /// The personas that own the whole gate; each is checked to be declared.
    pub owners: Vec<&'d Spanned<String>>,
    pub score: Option<&'d ScoreDecl>,
    pub criteria: &'d [Spanned<CriterionDecl>],
    /// The baseline rule `baseline(metric)` in these criteria uses (0: the policy's).
    pub baseline_rule: usize,
}

/// Compiles `sources` into one gate set (gate `i` is source `i`), adding every problem found to
/// `diagnostics`.
pub(crate) fn compile<'d>(
    cx: Context<'_>,
    sources: impl IntoIterator<Item = GateSource<'d>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> GateSet {
    let mut compiler = Compiler { cx, diagnostics };
    let mut personas: Vec<PersonaRule> = cx
        .personas
        .list()
        .iter()
        .map(|p| PersonaRule {
            name: p.name.clone(),
            required: p.required,
            max_conditions: p.max_conditions,
            gates: Vec::new(),
            criteria: Vec::new(),
        })
        .collect();
    let sources = sources.into_iter();
    let mut gates = Vec::with_capacity(sources.size_hint().0);
    for (gi, source) in sources.enumerate() {
        for owner in &source.owners {
            if let Some(p) = compiler.persona_ref(owner) {
                personas[p].gates.push(gi);
            }
        }
        for (ci, criterion) in source.criteria.iter().enumerate() {
            for owner in &criterion.owners {
                if let Some(p) = compiler.persona_ref(owner)
                    && !personas[p].gates.contains(&gi)
                {
                    personas[p].criteria.push((gi, ci));
                }
            }
        }
        gates.push(compiler.gate(&source));
    }
    GateSet { gates, personas }
}

/// Reports names that are empty or declared twice among `names` (each a `what`).
pub(crate) fn unique_names<'a>(
    names: impl Iterator<Item = &'a Spanned<String>>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for name in names {
        if name.value.trim().is_empty() {
            diagnostics.push(
                Diagnostic::error(Code::InvalidValue, format!("a {what} needs a name"))
                    .with_label(name.span, "empty name"),
            );
        } else if let Some(first) = seen.get(name.value.as_str()) {
            let mut d = Diagnostic::error(
                Code::DuplicateName,
                format!("{what} `{}` is declared twice", name.value),
            )
            .with_label(name.span, "declared again here");
            d.labels.push(Label {
                start: first.start,
                end: first.end,
                line: None,
                column: None,
                label: "first declared here".into(),
            });
            diagnostics.push(d);
        } else {
            seen.insert(&name.value, name.span);
        }
    }
}

/// The diagnostic for a persona named in `owners` or a stage's `personas` but not declared.
pub(crate) fn undeclared_persona(name: &Spanned<String>, suggestion: Option<&str>) -> Diagnostic {
    let help = suggestion.map_or_else(
        || format!("declare it under `personas:` (`- name: {}`)", name.value),
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(
        Code::UnknownReference,
        format!("persona `{}` is not declared", name.value),
    )
    .with_label(name.span, "not a declared persona")
    .with_help(help)
}

struct Compiler<'c, 'a> {
    cx: Context<'a>,
    diagnostics: &'c mut Vec<Diagnostic>,
}

impl Compiler<'_, '_> {
    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        crate::diagnostic::push_error(self.diagnostics, code, message, span, label)
    }

    fn persona_ref(&mut self, owner: &Spanned<String>) -> Option<usize> {
        if let Some(i) = self.cx.personas.index_of(&owner.value) {
            return Some(i);
        }
        let suggestion = did_you_mean(&owner.value, self.cx.personas.names());
        self.diagnostics.push(undeclared_persona(owner, suggestion));
        None
    }

    fn gate(&mut self, gate: &GateSource<'_>) -> GateRule {
        if gate.criteria.is_empty() {
            self.error(
                Code::InvalidValue,
                format!("gate `{}` has no criteria", gate.name.value),
                gate.name.span,
                "this gate",
            )
            .help = Some("add at least one criterion under `criteria:`".into());
        }
        unique_names(
            gate.criteria.iter().map(|c| &c.name),
            "criterion",
            self.diagnostics,
        );
        let scoring = match gate.score {
            None => Scoring::Strict,
            Some(score) => {
                let pass = self.threshold(&score.pass);
                let warn = score.warn.as_ref().map_or(pass, |w| self.threshold(w));
                if warn > pass
                    && let Some(w) = &score.warn
                {
                    self.error(
                        Code::InvalidSetting,
                        "the warn threshold is above the pass threshold",
                        w.span,
                        "must be at most the pass threshold",
                    );
                }
                Scoring::Scored { pass, warn }
            }
        };
        // A criterion whose conditions do not compile is dropped: its diagnostics are recorded,
        // so this policy is never returned.
        // Exactly as many as declared (a criterion that does not compile leaves its place
        // unused, and the policy is not returned): a filtered collect would start at four
        // criteria of several hundred bytes each and double from there, so a policy of many
        // one-criterion gates would hold four times what it needs.
        let mut criteria: Vec<CriterionRule> = Vec::with_capacity(gate.criteria.len());
        criteria.extend(
            gate.criteria
                .iter()
                .filter_map(|c| self.criterion(c, gate.baseline_rule)),
        );
        // Each weight is finite; their sum must be too, or a score would be infinity over
        // infinity. Any part of a finite sum of non-negative numbers is finite, so every
        // earned and decided weight of this gate is then finite as well.
        if !criteria.iter().map(|c| c.weight).sum::<f64>().is_finite() {
            self.error(
                Code::InvalidSetting,
                format!(
                    "the weights of gate `{}` add up to more than the largest number",
                    gate.name.value
                ),
                gate.name.span,
                "weights too large",
            )
            .help = Some("use smaller weights: only their proportions matter".into());
        }
        GateRule {
            name: gate.name.value.clone(),
            kind: gate.kind,
            owners: gate.owners.iter().map(|o| o.value.clone()).collect(),
            scoring,
            criteria,
        }
    }

    fn threshold(&mut self, threshold: &Spanned<Threshold>) -> f64 {
        let value = match &threshold.value {
            Threshold::Fraction(f) => Some(*f),
            Threshold::Percent(text) => match units::parse_quantity(text) {
                Ok(q) if q.unit.dimension == Dimension::Ratio || q.unit.symbol.is_empty() => {
                    Some(q.value)
                }
                _ => None,
            },
        };
        match value {
            Some(v) if (0.0..=1.0).contains(&v) => v,
            _ => {
                self.error(
                    Code::InvalidSetting,
                    "a score threshold must be a percentage from 0% to 100%",
                    threshold.span,
                    "not a percentage from 0% to 100%",
                )
                .help = Some("write it as `90%` or `0.9`".into());
                0.0
            }
        }
    }

    /// Reports the settings an informational criterion cannot have: it is never scored, so
    /// neither `key` nor `weight` means anything for it.
    fn informational(&mut self, criterion: &Spanned<CriterionDecl>) {
        let name = &criterion.name.value;
        if criterion.key {
            self.error(
                Code::InformationalScored,
                format!("informational criterion `{name}` cannot be a key criterion"),
                criterion.name.span,
                "informational and key",
            )
            .help = Some(
                "an informational criterion never changes the verdict: drop `key: true` or \
                 `informational: true`"
                    .into(),
            );
        }
        if let Some(w) = &criterion.weight {
            self.error(
                Code::InformationalScored,
                format!("informational criterion `{name}` cannot have a weight"),
                w.span,
                "not scored, so not weighed",
            )
            .help = Some(
                "an informational criterion is not scored: drop `weight` or \
                 `informational: true`"
                    .into(),
            );
        }
    }

    fn criterion(
        &mut self,
        criterion: &Spanned<CriterionDecl>,
        baseline_rule: usize,
    ) -> Option<CriterionRule> {
        let weight = match &criterion.weight {
            None => 1.0,
            Some(w) if w.value.is_finite() && w.value >= 0.0 => w.value,
            Some(w) => {
                self.error(
                    Code::InvalidSetting,
                    format!("weight `{}` is not a finite number of at least 0", w.value),
                    w.span,
                    "invalid weight",
                );
                1.0
            }
        };
        if criterion.informational {
            self.informational(criterion);
        }
        let on_missing = match &criterion.on_missing {
            None => MissingRule::Fail,
            Some(rule) if rule.value == MissingRule::Hold => {
                self.error(
                    Code::InvalidValue,
                    "`on_missing: hold` applies to rollback triggers, not to gate criteria",
                    rule.span,
                    "not valid for a criterion",
                )
                .help = Some("use `fail`, `pass`, `warn` or `inconclusive`".into());
                MissingRule::Fail
            }
            Some(rule) => rule.value,
        };
        let lookup = self.cx.metrics.with_baselines(baseline_rule);
        let pass = compile_written(self.cx.text, &criterion.pass, &lookup, self.diagnostics);
        let warn = match &criterion.warn {
            Some(w) => Some(compile_written(self.cx.text, w, &lookup, self.diagnostics)?),
            None => None,
        };
        let (pass, pass_offset) = pass?;
        let mut slots: Vec<usize> = pass.slots().to_vec();
        if let Some((w, _)) = &warn {
            for &s in w.slots() {
                if !slots.contains(&s) {
                    slots.push(s);
                }
            }
        }
        Some(CriterionRule {
            name: criterion.name.value.clone(),
            pass,
            pass_offset,
            warn,
            // An informational criterion weighs nothing: it is never scored.
            weight: if criterion.informational { 0.0 } else { weight },
            key: criterion.key,
            informational: criterion.informational,
            on_missing,
            slots,
        })
    }
}
