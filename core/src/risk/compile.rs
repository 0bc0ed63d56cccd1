//! Validation and compilation of the `risk` section, as part of compiling a policy.
//!
//! Factor values and conditions are compiled by the condition compiler against the policy's
//! metrics (and `blast_radius` when there is a dependency graph); bounds, bands and mitigation
//! targets are read as quantities in the factor's unit and checked against its dimension.
//! Every problem is collected.

use super::compiled::{
    BLAST_RADIUS, CompiledRisk, Factor, Gating, Mitigation, MitigationEffect, RiskModel, Source,
    Transform,
};
use super::graph::DependencyGraph;
use super::model::{
    FactorDecl, GatingDecl, GatingLevelsDecl, LevelsDecl, MissingInput, MitigationDecl,
    QuantityDecl, RangeDecl, RiskDecl, RiskModelDecl,
};
use crate::condition::{MetricInfo, MetricLookup, compile_written, compile_written_number};
use crate::criteria::unique_names;
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::Spanned;
use crate::metrics::table::MetricTable;
use crate::units::{self, Dimension, Unit};

/// The default level thresholds, in tenths of a point: medium 25, high 50, critical 75.
pub(crate) const DEFAULT_LEVELS: [u32; 3] = [250, 500, 750];

/// Compiles a policy's `risk` section against its metrics (`text` is the policy's source),
/// adding any problems to `diagnostics`. `None` when the policy has no `risk` section or it
/// has problems.
pub(crate) fn compile(
    text: &str,
    metrics: &MetricTable,
    names: Names<'_>,
    decl: Option<&RiskDecl>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledRisk> {
    let decl = decl?;
    let before = diagnostics.len();
    let graph = decl
        .graph
        .as_ref()
        .and_then(|g| DependencyGraph::compile(g, diagnostics));
    if let Some(g) = &decl.graph
        && metrics.slot_of(BLAST_RADIUS).is_some()
    {
        push_error(
            diagnostics,
            Code::DuplicateName,
            format!("a metric is named `{BLAST_RADIUS}`, which factors read as the blast radius"),
            g.span,
            "this graph gives `blast_radius`",
        )
        .help = Some("rename the metric".into());
    }
    let lookup = Lookup {
        metrics,
        blast: decl.graph.is_some().then(|| MetricInfo {
            slot: metrics.slots().len(),
            unit: Unit::PERCENT,
        }),
    };
    unique_names(
        decl.models.iter().map(|m| &m.name),
        "risk model",
        diagnostics,
    );
    let mut cx = Cx {
        text,
        lookup: &lookup,
        names,
        diagnostics: Vec::new(),
    };
    let models: Vec<RiskModel> = decl.models.iter().filter_map(|m| cx.model(m)).collect();
    diagnostics.append(&mut cx.diagnostics);
    (diagnostics.len() == before).then(|| CompiledRisk {
        models,
        graph,
        metric_slots: metrics.slots().len(),
    })
}

/// The gates and personas of the policy, which risk-based gating names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names<'a> {
    /// The gate names, in policy order.
    pub gates: &'a [&'a str],
    /// The persona names.
    pub personas: &'a [&'a str],
}

/// The metrics, then `blast_radius` when the policy has a dependency graph.
struct Lookup<'a> {
    metrics: &'a MetricTable,
    blast: Option<MetricInfo>,
}

impl MetricLookup for Lookup<'_> {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        self.metrics
            .lookup(name)
            .or_else(|| self.blast.filter(|_| name == BLAST_RADIUS))
    }

    fn names(&self) -> Vec<&str> {
        let mut names = self.metrics.names();
        if self.blast.is_some() {
            names.push(BLAST_RADIUS);
        }
        names
    }
}

struct Cx<'a> {
    text: &'a str,
    lookup: &'a Lookup<'a>,
    names: Names<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        push_error(&mut self.diagnostics, code, message, span, label)
    }

    fn model(&mut self, decl: &Spanned<RiskModelDecl>) -> Option<RiskModel> {
        let before = self.diagnostics.len();
        let m = &decl.value;
        if m.factors.is_empty() {
            self.error(
                Code::InvalidFactor,
                format!("risk model `{}` has no factors", m.name.value),
                m.name.span,
                "no factors",
            )
            .help = Some("list its `factors:`, each with a `value` or a `when`".into());
        }
        unique_names(
            m.factors.iter().map(|f| &f.name),
            "risk factor",
            &mut self.diagnostics,
        );
        let levels = m.levels.as_ref().map_or(DEFAULT_LEVELS, |l| self.levels(l));
        let target = m.target.as_ref().map(|t| self.points(t, "target"));
        let rule = m
            .on_missing
            .as_ref()
            .map_or(MissingInput::Worst, |r| r.value);
        let factors: Vec<Factor> = m
            .factors
            .iter()
            .filter_map(|f| self.factor(f, rule))
            .collect();
        let total: f64 = factors.iter().map(|f| f.weight).sum();
        if !total.is_finite() {
            self.error(
                Code::InvalidRiskWeight,
                format!(
                    "the weights of risk model `{}` add up to more than a number can hold",
                    m.name.value
                ),
                m.name.span,
                "this model",
            )
            .help = Some("weights are relative: divide them all by the same number".into());
        }
        let reads_blast = self.lookup.blast.is_some_and(|b| {
            factors.iter().any(|f| match &f.source {
                Source::Number(p) | Source::Condition(p) => p.slots().contains(&b.slot),
            })
        });
        let gating = m.gating.as_ref().map(|g| self.gating(g));
        (self.diagnostics.len() == before).then(|| RiskModel {
            name: m.name.value.clone(),
            description: m.description.clone(),
            levels,
            target,
            factors,
            reads_blast,
            gating,
        })
    }

    /// A score in points from 0 to 100 with at most one decimal, in tenths.
    fn points(&mut self, value: &Spanned<f64>, what: &str) -> u32 {
        let tenths = value.value * 10.0;
        let rounded = tenths.round();
        if !(0.0..=1000.0).contains(&tenths) || (tenths - rounded).abs() > 1e-6 {
            self.error(
                Code::InvalidLevels,
                format!("the {what} `{}` is not a score from 0 to 100", value.value),
                value.span,
                "scores run from 0 to 100 in steps of 0.1",
            );
            return 0;
        }
        // INVARIANT: 0 <= rounded <= 1000.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked to lie in 0..=1000 just above"
        )]
        let tenths = rounded as u32;
        tenths
    }

    fn gating(&mut self, decl: &Spanned<GatingLevelsDecl>) -> [Gating; 4] {
        let g = &decl.value;
        let levels = [
            ("low", g.low.as_ref()),
            ("medium", g.medium.as_ref()),
            ("high", g.high.as_ref()),
            ("critical", g.critical.as_ref()),
        ];
        levels.map(|(level, d)| d.map_or_else(Gating::default, |d| self.gating_level(level, d)))
    }

    fn gating_level(&mut self, level: &str, decl: &Spanned<GatingDecl>) -> Gating {
        let d = &decl.value;
        for gate in &d.bypass {
            if matches!(level, "high" | "critical") {
                self.error(
                    Code::InvalidRiskGating,
                    format!(
                        "a change at {level} risk cannot bypass gate `{}`",
                        gate.value
                    ),
                    gate.span,
                    "bypass at low or medium risk only",
                );
            } else if !self.names.gates.contains(&gate.as_str()) {
                let help = did_you_mean(&gate.value, self.names.gates.iter().copied()).map_or_else(
                    || "name a gate of the policy's `gates`".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                self.error(
                    Code::InvalidRiskGating,
                    format!("there is no gate `{}` to bypass", gate.value),
                    gate.span,
                    "not a gate",
                )
                .help = Some(help);
            }
        }
        for persona in &d.approvers {
            if !self.names.personas.contains(&persona.as_str()) {
                let help = did_you_mean(&persona.value, self.names.personas.iter().copied())
                    .map_or_else(
                        || "declare it under `personas:`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    );
                self.error(
                    Code::InvalidRiskGating,
                    format!("persona `{}` is not declared", persona.value),
                    persona.span,
                    "not a persona",
                )
                .help = Some(help);
            }
        }
        let named = u32::try_from(d.approvers.len()).unwrap_or(u32::MAX);
        let approvals = d.approvals.as_ref().map_or(named, |a| a.value);
        if let Some(a) = &d.approvals
            && a.value < named
        {
            self.error(
                Code::InvalidRiskGating,
                format!(
                    "{} approvals cannot include the {named} named approvers",
                    a.value
                ),
                a.span,
                "fewer than the approvers named",
            );
        }
        Gating {
            bypass: d.bypass.iter().map(|g| g.value.clone()).collect(),
            approvals,
            approvers: d.approvers.iter().map(|p| p.value.clone()).collect(),
        }
    }

    fn levels(&mut self, decl: &Spanned<LevelsDecl>) -> [u32; 3] {
        let l = &decl.value;
        let medium = self.points(&l.medium, "medium threshold");
        let high = self.points(&l.high, "high threshold");
        let critical = self.points(&l.critical, "critical threshold");
        if !(0 < medium && medium < high && high < critical) {
            self.error(
                Code::InvalidLevels,
                format!(
                    "level thresholds must rise: medium {} < high {} < critical {}",
                    l.medium.value, l.high.value, l.critical.value
                ),
                decl.span,
                "not ascending",
            )
            .help = Some("e.g. `levels: {medium: 25, high: 50, critical: 75}`".into());
        }
        [medium, high, critical]
    }

    fn factor(&mut self, decl: &Spanned<FactorDecl>, rule: MissingInput) -> Option<Factor> {
        let before = self.diagnostics.len();
        let f = &decl.value;
        let name = f.name.value.as_str();
        let weight = match &f.weight {
            None => 1.0,
            Some(w) if w.value.is_finite() && w.value > 0.0 => w.value,
            Some(w) => {
                self.error(
                    Code::InvalidRiskWeight,
                    format!("factor `{name}` has weight `{}`", w.value),
                    w.span,
                    "not a finite number above 0",
                )
                .help = Some(
                    "a weight is a positive number; remove a factor that should not count".into(),
                );
                1.0
            }
        };
        let transforms: Vec<(&str, Span)> = [
            f.linear.as_ref().map(|t| ("linear", t.span)),
            f.log.as_ref().map(|t| ("log", t.span)),
            f.bands.first().map(|b| ("bands", b.span)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let [_, (second, span), ..] = transforms.as_slice() {
            self.error(
                Code::InvalidFactor,
                format!("factor `{name}` has more than one transform"),
                *span,
                &format!("a second transform, `{second}`"),
            )
            .help = Some("give one of `linear`, `log` or `bands`".into());
        }
        let (source, unit, transform) = match (&f.value, &f.when) {
            (Some(value), None) => {
                let (program, unit, _) =
                    compile_written_number(self.text, value, self.lookup, &mut self.diagnostics)?;
                let transform = self.transform(f, unit)?;
                (Source::Number(program), unit, transform)
            }
            (None, Some(when)) => {
                let (program, _) =
                    compile_written(self.text, when, self.lookup, &mut self.diagnostics)?;
                if let Some((t, span)) = transforms.first() {
                    self.error(
                        Code::InvalidFactor,
                        format!("factor `{name}` is a condition, which needs no `{t}`"),
                        *span,
                        "a condition is full risk when it holds",
                    )
                    .help = Some("remove it, or give a numeric `value` instead of `when`".into());
                }
                (Source::Condition(program), Unit::BOOL, Transform::Boolean)
            }
            (Some(value), Some(_)) => {
                self.error(
                    Code::InvalidFactor,
                    format!("factor `{name}` has both `value` and `when`"),
                    value.span,
                    "one or the other",
                );
                return None;
            }
            (None, None) => {
                self.error(
                    Code::InvalidFactor,
                    format!("factor `{name}` has neither `value` nor `when`"),
                    f.name.span,
                    "this factor",
                )
                .help = Some(
                    "give `value: <expression>` with a transform, or `when: <condition>`".into(),
                );
                return None;
            }
        };
        let mitigations: Vec<Mitigation> = f
            .mitigations
            .iter()
            .filter_map(|m| self.mitigation(m, unit))
            .collect();
        unique_names(
            f.mitigations.iter().map(|m| &m.name),
            "mitigation",
            &mut self.diagnostics,
        );
        (self.diagnostics.len() == before).then(|| Factor {
            name: name.to_owned(),
            description: f.description.clone(),
            source,
            unit,
            transform,
            weight,
            on_missing: f.on_missing.as_ref().map_or(rule, |r| r.value),
            mitigations,
            span: decl.span,
        })
    }

    fn transform(&mut self, f: &FactorDecl, unit: Unit) -> Option<Transform> {
        let name = f.name.value.as_str();
        if let Some(range) = &f.linear {
            let (from, to) = self.range(range, unit)?;
            if from == to {
                self.error(
                    Code::InvalidTransform,
                    format!("factor `{name}`: `linear` from and to are the same"),
                    range.span,
                    "an empty range",
                );
                return None;
            }
            return Some(Transform::Linear { from, to });
        }
        if let Some(range) = &f.log {
            let (from, to) = self.range(range, unit)?;
            if from <= 0.0 || to <= 0.0 || from == to {
                self.error(
                    Code::InvalidTransform,
                    format!("factor `{name}`: `log` needs two different bounds above 0"),
                    range.span,
                    "not two positive bounds",
                )
                .help = Some("use `linear` for a range that includes 0".into());
                return None;
            }
            return Some(Transform::Log { from, to });
        }
        if !f.bands.is_empty() {
            let mut bands: Vec<(f64, f64)> = Vec::with_capacity(f.bands.len());
            for band in &f.bands {
                let from = self.quantity(&band.from, unit, "band start")?;
                let risk = self.fraction(&band.risk, "band risk", Code::InvalidTransform)?;
                if let Some(&(last, _)) = bands.last()
                    && from <= last
                {
                    self.error(
                        Code::InvalidTransform,
                        format!("factor `{name}`: bands must start at rising values"),
                        band.from.span,
                        "not above the band before",
                    );
                    return None;
                }
                bands.push((from, risk));
            }
            return Some(Transform::Bands(bands));
        }
        if unit.dimension == Dimension::Ratio {
            return Some(Transform::Direct);
        }
        self.error(
            Code::InvalidFactor,
            format!(
                "factor `{name}` is {}, which needs a transform",
                unit.dimension.describe()
            ),
            f.value.as_ref().map_or(f.name.span, |v| v.span),
            "no transform",
        )
        .help = Some(
            "give `linear: {from, to}`, `log: {from, to}` or `bands: [{from, risk}]` (a percentage may go without: it is the risk)".into(),
        );
        None
    }

    fn range(&mut self, range: &Spanned<RangeDecl>, unit: Unit) -> Option<(f64, f64)> {
        let from = self.quantity(&range.from, unit, "from");
        let to = self.quantity(&range.to, unit, "to");
        Some((from?, to?))
    }

    /// A value in the factor's unit, in base units; `E012` when its unit does not fit.
    fn quantity(&mut self, q: &Spanned<QuantityDecl>, unit: Unit, what: &str) -> Option<f64> {
        let text = match &q.value {
            QuantityDecl::Text(t) => t.clone(),
            QuantityDecl::Number(n) if n.is_finite() => n.to_string(),
            QuantityDecl::Number(_) | QuantityDecl::Bool(_) => {
                self.error(
                    Code::InvalidValue,
                    format!("`{what}` is not a finite number"),
                    q.span,
                    "not a number",
                );
                return None;
            }
        };
        let bare = if unit.dimension == Dimension::Bool {
            Unit::NONE
        } else {
            unit
        };
        match units::parse_quantity_in(&text, bare) {
            Ok(found) if found.unit.dimension == unit.dimension => Some(found.value),
            Ok(found) => {
                self.error(
                    Code::TypeMismatch,
                    format!(
                        "`{what}` is {}, but the factor's value is {}",
                        found.unit.dimension.describe(),
                        unit.dimension.describe()
                    ),
                    q.span,
                    "another dimension",
                )
                .help = Some(format!(
                    "write it in {}",
                    match unit.symbol {
                        "" => "plain numbers".to_owned(),
                        s => format!("`{s}` or another unit of the same dimension"),
                    }
                ));
                None
            }
            Err(e) => {
                let why = match e {
                    units::QuantityError::UnknownUnit(u) => {
                        return {
                            self.error(
                                Code::UnknownUnit,
                                format!("unknown unit `{u}` in `{what}`"),
                                q.span,
                                "unknown unit",
                            );
                            None
                        };
                    }
                    units::QuantityError::NotANumber => "not a number",
                    units::QuantityError::NotFinite => "not a finite number",
                };
                self.error(
                    Code::InvalidValue,
                    format!("`{what}` is {why}: `{text}`"),
                    q.span,
                    why,
                );
                None
            }
        }
    }

    /// A share from 0 to 1, written `60%` or `0.6`.
    fn fraction(&mut self, q: &Spanned<QuantityDecl>, what: &str, code: Code) -> Option<f64> {
        let value = match &q.value {
            QuantityDecl::Number(n) => Some(*n),
            QuantityDecl::Text(t) => match units::parse_quantity(t) {
                Ok(found)
                    if matches!(found.unit.dimension, Dimension::Ratio | Dimension::Number) =>
                {
                    Some(found.value)
                }
                _ => None,
            },
            QuantityDecl::Bool(_) => None,
        };
        match value {
            Some(v) if (0.0..=1.0).contains(&v) => Some(v),
            _ => {
                self.error(
                    code,
                    format!("the {what} is not a share from 0% to 100%"),
                    q.span,
                    "not from 0% to 100%",
                )
                .help = Some("write a percentage (`60%`) or a fraction (`0.6`)".into());
                None
            }
        }
    }

    fn mitigation(&mut self, decl: &Spanned<MitigationDecl>, unit: Unit) -> Option<Mitigation> {
        let m = &decl.value;
        let effect = match (&m.reduce, &m.to) {
            (Some(reduce), None) => {
                let share = self.fraction(reduce, "reduction", Code::InvalidMitigation)?;
                if share == 0.0 {
                    self.error(
                        Code::InvalidMitigation,
                        format!("mitigation `{}` reduces nothing", m.name.value),
                        reduce.span,
                        "0%",
                    );
                    return None;
                }
                MitigationEffect::Reduce(share)
            }
            (None, Some(to)) => {
                if unit.dimension == Dimension::Bool {
                    let QuantityDecl::Bool(b) = to.value else {
                        self.error(
                            Code::InvalidMitigation,
                            format!(
                                "mitigation `{}` of a condition sets it `true` or `false`",
                                m.name.value
                            ),
                            to.span,
                            "not true or false",
                        );
                        return None;
                    };
                    MitigationEffect::To(if b { 1.0 } else { 0.0 })
                } else {
                    MitigationEffect::To(self.quantity(to, unit, "to")?)
                }
            }
            _ => {
                self.error(
                    Code::InvalidMitigation,
                    format!(
                        "mitigation `{}` needs exactly one of `reduce` and `to`",
                        m.name.value
                    ),
                    m.name.span,
                    "this mitigation",
                )
                .help = Some(
                    "`reduce: 50%` removes a share of the factor's risk; `to: <value>` sets its value".into(),
                );
                return None;
            }
        };
        Some(Mitigation {
            name: m.name.value.clone(),
            description: m.description.clone(),
            effect,
        })
    }
}
