//! Validation and compilation: from the document model to a [`CompiledPolicy`].
//!
//! Every problem found is collected, so one run reports them all.

use super::compiled::{Compiled, CompiledPolicy, CriterionRule, GateRule, PersonaRule, Scoring};
use super::metric_table::MetricTable;
use super::model::{CriterionDecl, GateDecl, MissingRule, Policy, Threshold};
use crate::condition::{Program, compile_condition};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::document::{self, Format, Limits, Spanned};
use crate::error::PolicyError;
use crate::units::{self, Dimension};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The default number of conditions a persona's approval may carry.
pub const DEFAULT_MAX_CONDITIONS: usize = 2;

impl CompiledPolicy {
    /// Reads, validates and compiles a policy. `format` `None` detects it from the text.
    ///
    /// # Errors
    /// A [`PolicyError`] with every problem found, each with a code and a span into `text`.
    pub fn from_text(text: &str, format: Option<Format>) -> Result<CompiledPolicy, PolicyError> {
        let format = format.unwrap_or_else(|| Format::detect(text));
        let policy: Policy = document::load(text, format, &Limits::default())
            .map_err(|d| PolicyError::new(vec![d.with_source("policy")]))?;
        Self::from_model(&policy, text)
    }

    /// Validates and compiles an already-read policy. `text` is the source the model's spans
    /// point into (empty when there is none).
    ///
    /// # Errors
    /// A [`PolicyError`] with every problem found.
    pub fn from_model(policy: &Policy, text: &str) -> Result<CompiledPolicy, PolicyError> {
        let mut cx = Compiler {
            text,
            diagnostics: Vec::new(),
        };
        let compiled = cx.policy(policy);
        if cx.diagnostics.is_empty() {
            Ok(CompiledPolicy {
                inner: Arc::new(compiled),
            })
        } else {
            Err(PolicyError::new(
                cx.diagnostics
                    .into_iter()
                    .map(|d| d.with_source("policy"))
                    .collect(),
            ))
        }
    }
}

/// The canonical hash of a policy model: `sha256:` + hex of its canonical JSON.
#[must_use]
pub fn policy_hash(policy: &Policy) -> String {
    // INVARIANT: the model serializes without error (no maps with non-string keys, no
    // non-finite floats reach here because validation rejects them before hashing matters).
    let json = serde_json::to_vec(policy).unwrap_or_default();
    let digest = Sha256::digest(&json);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

struct Compiler<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Compiler<'_> {
    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(code, message).with_label(span, label));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn policy(&mut self, policy: &Policy) -> Compiled {
        if *policy.version != 1 {
            self.error(
                Code::InvalidValue,
                format!("unsupported policy version `{}`", *policy.version),
                policy.version.span,
                "only version 1 exists",
            );
        }
        let metrics = self.metrics(policy);
        let persona_index = self.persona_names(policy);
        self.unique_names(policy.gates.iter().map(|g| &g.name), "gate");
        let mut gates = Vec::with_capacity(policy.gates.len());
        let mut personas: Vec<PersonaRule> = policy
            .personas
            .iter()
            .map(|p| PersonaRule {
                name: p.name.value.clone(),
                required: p.required,
                max_conditions: p
                    .max_conditions
                    .as_ref()
                    .map_or(DEFAULT_MAX_CONDITIONS, |m| m.value as usize),
                gates: Vec::new(),
                criteria: Vec::new(),
            })
            .collect();
        for (gi, gate) in policy.gates.iter().enumerate() {
            for owner in &gate.owners {
                if let Some(p) = self.persona_ref(owner, &persona_index) {
                    personas[p].gates.push(gi);
                }
            }
            for (ci, criterion) in gate.criteria.iter().enumerate() {
                for owner in &criterion.owners {
                    if let Some(p) = self.persona_ref(owner, &persona_index)
                        && !personas[p].gates.contains(&gi)
                    {
                        personas[p].criteria.push((gi, ci));
                    }
                }
            }
            gates.push(self.gate(gate, &metrics));
        }
        let pipeline = crate::pipeline::compile(policy, self.text, &mut self.diagnostics);
        Compiled {
            name: policy.name.value.clone(),
            hash: policy_hash(policy),
            metrics,
            personas,
            gates,
            pipeline,
        }
    }

    fn metrics(&mut self, policy: &Policy) -> MetricTable {
        let mut table = MetricTable::default();
        for (name, decl) in &policy.metrics {
            if !valid_metric_name(name) {
                self.error(
                    Code::InvalidValue,
                    format!("`{name}` is not a valid metric name"),
                    decl.span,
                    "declared here",
                )
                .help =
                    Some("metric names are words of letters, digits and `_`, joined by `.`".into());
            }
            let unit = match &decl.unit {
                None => units::Unit::NONE,
                Some(unit) => match units::declared_unit(&unit.value) {
                    Some(u) => u,
                    None => {
                        let help = did_you_mean(&unit.value, units::declared_unit_names()).map_or_else(
                            || {
                                "units are `%`, `ratio`, `ms`, `s`, `m`, `h`, `d`, `B`, `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `count` and `bool`".to_owned()
                            },
                            |s| format!("did you mean `{s}`?"),
                        );
                        self.error(
                            Code::UnknownUnit,
                            format!("unknown unit `{}` for metric `{name}`", unit.value),
                            unit.span,
                            "unknown unit",
                        )
                        .help = Some(help);
                        units::Unit::NONE
                    }
                },
            };
            table.declare(name, unit);
        }
        table
    }

    fn persona_names(&mut self, policy: &Policy) -> BTreeMap<String, usize> {
        self.unique_names(policy.personas.iter().map(|p| &p.name), "persona");
        let mut index = BTreeMap::new();
        for (i, persona) in policy.personas.iter().enumerate() {
            index.entry(persona.name.value.clone()).or_insert(i);
        }
        index
    }

    fn persona_ref(
        &mut self,
        owner: &Spanned<String>,
        index: &BTreeMap<String, usize>,
    ) -> Option<usize> {
        if let Some(&i) = index.get(&owner.value) {
            return Some(i);
        }
        let suggestion = did_you_mean(&owner.value, index.keys().map(String::as_str));
        self.diagnostics.push(undeclared_persona(owner, suggestion));
        None
    }

    fn unique_names<'a>(&mut self, names: impl Iterator<Item = &'a Spanned<String>>, what: &str) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for name in names {
            if name.value.trim().is_empty() {
                self.error(
                    Code::InvalidValue,
                    format!("a {what} needs a name"),
                    name.span,
                    "empty name",
                );
            } else if let Some(first) = seen.get(name.value.as_str()) {
                let first = *first;
                let d = self.error(
                    Code::DuplicateName,
                    format!("{what} `{}` is declared twice", name.value),
                    name.span,
                    "declared again here",
                );
                d.labels.push(crate::diagnostic::Label {
                    start: first.start,
                    end: first.end,
                    label: "first declared here".into(),
                });
            } else {
                seen.insert(&name.value, name.span);
            }
        }
    }

    fn gate(&mut self, gate: &Spanned<GateDecl>, metrics: &MetricTable) -> GateRule {
        if gate.criteria.is_empty() {
            self.error(
                Code::InvalidValue,
                format!("gate `{}` has no criteria", gate.name.value),
                gate.name.span,
                "this gate",
            )
            .help = Some("add at least one criterion under `criteria:`".into());
        }
        self.unique_names(gate.criteria.iter().map(|c| &c.name), "criterion");
        let scoring = match &gate.score {
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
        let criteria = gate
            .criteria
            .iter()
            .filter_map(|c| self.criterion(c, metrics))
            .collect();
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

    fn criterion(
        &mut self,
        criterion: &Spanned<CriterionDecl>,
        metrics: &MetricTable,
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
        let pass = self.condition(&criterion.pass, metrics);
        let warn = match &criterion.warn {
            Some(w) => Some(self.condition(w, metrics)?),
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
            weight,
            key: criterion.key,
            on_missing,
            slots,
        })
    }

    /// Compiles one condition; on error records its diagnostics, pointed into the policy text.
    fn condition(
        &mut self,
        source: &Spanned<String>,
        metrics: &MetricTable,
    ) -> Option<(Program, usize)> {
        let offset = locate(self.text, source);
        match compile_condition(&source.value, metrics) {
            Ok(program) => Some((program, offset.unwrap_or(source.span.start))),
            Err(diagnostics) => {
                self.diagnostics
                    .extend(diagnostics.into_iter().map(|d| match offset {
                        Some(offset) => d.shifted(offset),
                        None => d.relabelled(source.span),
                    }));
                None
            }
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

/// Where in the policy text the condition's own characters start, when they are written there
/// as they read (plain, or quoted without escapes); `None` when escapes make the written text
/// differ, so positions inside the condition cannot be mapped.
fn locate(text: &str, source: &Spanned<String>) -> Option<usize> {
    let span = source.span;
    text.get(span.start..span.end)
        .and_then(|written| written.find(source.value.as_str()))
        .map(|i| span.start + i)
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
