//! Validation and compilation of the `pipeline` section, as part of compiling a policy.
//!
//! Problems are collected, never the first only: duplicate stages (E004), `needs`, personas
//! and gates that name nothing (E005, with "did you mean"), cycles with their path (E008),
//! durations that do not read (E003) and settings out of range (E031). Exit criteria written on
//! a stage are compiled by the criteria compiler, as the gates of the pipeline's own gate set.

use super::graph::{Needs, Order, index, topological_order};
use super::model::{ActionFailure, PipelineDecl, RetryOnDecl, RetryWhen, StageDecl};
use super::plan::{Input, Name, Plan, plan};
use super::{CompiledPipeline, Exit, RetryRule, Stage};
use crate::criteria::model::GateKind;
use crate::criteria::{self, Context, GateSet, GateSource, Personas, undeclared_persona};
use crate::decision::PolicyRef;
use crate::diagnostic::{Code, Diagnostic, Label, Span, did_you_mean};
use crate::document::Spanned;
use crate::units::DurationDecl;
use crate::units::duration::duration_ms;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

/// The most retries a stage may ask for.
pub const MAX_RETRIES: u32 = 100;
/// Suggestions ("did you mean") are looked for among at most this many names.
const SUGGEST_AMONG: usize = 10_000;
/// A cycle is labelled at most at this many `needs` entries.
const MAX_CYCLE_LABELS: usize = 50;

/// Compiles a policy's `pipeline` section against its metrics and personas (`cx`) and its
/// gates (`gates`, for exit gates named), adding any problems to `diagnostics`. Returns `None`
/// when it has problems.
pub(crate) fn compile(
    decl: &PipelineDecl,
    cx: Context<'_>,
    gates: &GateSet,
    policy: &PolicyRef,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledPipeline> {
    let mut pcx = Cx::default();
    let structure = pcx.structure(decl, |_| {});
    let mut exits = Vec::with_capacity(decl.stages.len());
    let mut stages = Vec::with_capacity(decl.stages.len());
    let mut inline = Vec::new();
    for (stage, &unique) in decl.stages.iter().zip(&structure.unique) {
        for persona in &stage.personas {
            if !cx.personas.contains(persona.as_str()) {
                pcx.unknown_persona(persona, cx.personas);
            }
        }
        let exit = pcx.exit(stage, unique, gates, cx.personas, &mut inline);
        pcx.gate_decides(
            stage,
            exit.is_some() || stage.gate.is_some() || stage.criteria.is_some(),
        );
        exits.push(exit);
        stages.push(pcx.stage(stage));
    }
    let max_parallel = decl.max_parallel.as_ref().and_then(|m| {
        if m.value == 0 {
            pcx.error(
                Code::InvalidSetting,
                "`max_parallel` must be at least 1",
                m.span,
                "0 stages at once never runs",
            );
            None
        } else {
            Some(m.value as usize)
        }
    });
    diagnostics.append(&mut pcx.diagnostics);
    let inline = criteria::compile(cx, inline, diagnostics);
    let order = structure.order.as_ref()?;
    if !diagnostics.is_empty() {
        return None;
    }
    let plan = plan_of(policy, &stages, &structure, order);
    let needs = structure.needs.to_lists();
    let dependents = dependents(&needs);
    Some(CompiledPipeline {
        stages,
        needs,
        dependents,
        exits,
        inline,
        fail_fast: decl.fail_fast.unwrap_or(true),
        max_parallel,
        plan,
    })
}

/// Plans a pipeline on its own, checking only its structure: names, `needs`, cycles and
/// estimates (not gates or personas, which need the rest of the policy).
///
/// # Errors
/// The problems found, with spans into the text the model was read from.
pub fn plan_pipeline(policy: PolicyRef, decl: &PipelineDecl) -> Result<Plan, Vec<Diagnostic>> {
    let mut cx = Cx::default();
    // The estimates' problems come after the structure's, as when compiling a policy.
    let mut later = Cx::default();
    let n = decl.stages.len();
    let (mut personas, mut estimates) = (Vec::with_capacity(n), Vec::with_capacity(n));
    // One pass over the (large) stage declarations.
    let structure = cx.structure(decl, |stage| {
        personas.push(stage.personas.iter().map(|p| p.value.clone()).collect());
        estimates.push(
            later
                .duration(stage.estimate.as_ref(), "estimate")
                .unwrap_or(0),
        );
    });
    cx.diagnostics.append(&mut later.diagnostics);
    match &structure.order {
        Some(order) if cx.diagnostics.is_empty() => Ok(plan(
            policy,
            Input {
                names: &structure.names,
                personas,
                needs: &structure.needs,
                estimates: &estimates,
                order,
            },
        )),
        _ => Err(cx.diagnostics),
    }
}

fn plan_of(policy: &PolicyRef, stages: &[Stage], structure: &Structure, order: &Order) -> Plan {
    let estimates: Vec<u64> = stages.iter().map(|s| s.estimate_ms).collect();
    plan(
        policy.clone(),
        Input {
            names: &structure.names,
            personas: stages.iter().map(|s| s.personas.clone()).collect(),
            needs: &structure.needs,
            estimates: &estimates,
            order,
        },
    )
}

fn dependents(needs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); needs.len()];
    for (stage, list) in needs.iter().enumerate() {
        for &need in list {
            out[need].push(stage);
        }
    }
    out
}

/// The graph part of a pipeline.
struct Structure {
    /// The stage names, in policy order (made while each name is at hand).
    names: Vec<Name>,
    /// Per stage, the stages it needs (resolved names only, no repeats).
    needs: Needs,
    /// A topological order, when the graph has no cycle.
    order: Option<Order>,
    /// Per stage, whether its name is its own (not empty, not a repeat).
    unique: Vec<bool>,
}

/// Resolves `needs` names to stage indices.
struct Resolver<'d> {
    /// The stages by name (the first stage of each name).
    index: FxHashMap<&'d str, u32>,
    /// Per stage, the number of the last list that named it, to spot repeats in one list.
    marks: Vec<u32>,
    /// The number of the list being resolved.
    mark: u32,
    /// The list being resolved.
    list: Vec<u32>,
    /// The problems found in `needs`, by stage, to report in policy order.
    problems: Vec<(usize, Diagnostic)>,
}

impl Resolver<'_> {
    /// Resolves the `needs` of stage `i` into `self.list`, noting repeats. A name that is not
    /// a stage is handed to `unknown`: with no diagnostic back, the stage is left for later
    /// (its name may be declared further down) and `false` returned, with nothing recorded.
    fn link(
        &mut self,
        i: usize,
        stage: &StageDecl,
        mut unknown: impl FnMut(&Spanned<String>) -> Option<Diagnostic>,
    ) -> bool {
        self.mark += 1;
        self.list.clear();
        let before = self.problems.len();
        for need in &stage.needs {
            match self.index.get(need.as_str()) {
                Some(&j) if self.marks[j as usize] == self.mark => {
                    let d = Diagnostic::error(
                        Code::DuplicateName,
                        format!("stage `{}` needs `{}` twice", stage.name.value, need.value),
                    )
                    .with_label(need.span, "named again here");
                    self.problems.push((i, d));
                }
                Some(&j) => {
                    self.marks[j as usize] = self.mark;
                    self.list.push(j);
                }
                None => match unknown(need) {
                    Some(d) => self.problems.push((i, d)),
                    None => {
                        self.problems.truncate(before);
                        return false;
                    }
                },
            }
        }
        true
    }
}

#[derive(Default)]
struct Cx {
    diagnostics: Vec<Diagnostic>,
    suggestions: usize,
}

impl Cx {
    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        crate::diagnostic::push_error(&mut self.diagnostics, code, message, span, label)
    }

    /// "did you mean" among `candidates`, for the first few hundred misses only: a policy
    /// with thousands of misspellings must not take quadratic time.
    fn suggest<'a>(
        &mut self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        count: usize,
    ) -> Option<&'a str> {
        if count > SUGGEST_AMONG || self.suggestions >= 200 {
            return None;
        }
        self.suggestions += 1;
        did_you_mean(word, candidates)
    }

    /// Names, `needs` and order, in one pass over the stages (calling `each` on each) when
    /// every stage needs only stages declared before it; the stages that name a later stage
    /// are resolved after the pass. Problems are reported in policy order: names first, then
    /// `needs`, then cycles.
    fn structure<'d>(
        &mut self,
        decl: &'d PipelineDecl,
        mut each: impl FnMut(&'d Spanned<StageDecl>),
    ) -> Structure {
        let n = decl.stages.len();
        let mut names = Vec::with_capacity(n);
        let mut unique = vec![false; n];
        let mut needs = Needs::with_capacity(n, 2 * n);
        let mut resolver = Resolver {
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            marks: vec![0; n],
            mark: 0,
            list: Vec::new(),
            problems: Vec::new(),
        };
        let mut later = Vec::new();
        for (i, stage) in decl.stages.iter().enumerate() {
            each(stage);
            let name = &stage.name;
            names.push(Name::new(name.as_str()));
            needs.push_stage();
            if name.chars().all(char::is_whitespace) {
                self.error(
                    Code::InvalidValue,
                    "a stage needs a name",
                    name.span,
                    "empty name",
                );
            } else {
                match resolver.index.entry(name.as_str()) {
                    Entry::Occupied(first) => {
                        let first_span = decl.stages[*first.get() as usize].name.span;
                        let d = self.error(
                            Code::DuplicateName,
                            format!("stage `{}` is declared twice", name.value),
                            name.span,
                            "declared again here",
                        );
                        d.labels.push(Label {
                            start: first_span.start,
                            end: first_span.end,
                            line: None,
                            column: None,
                            label: "first declared here".into(),
                        });
                    }
                    Entry::Vacant(entry) => {
                        entry.insert(index(i));
                        unique[i] = true;
                    }
                }
            }
            if resolver.link(i, stage, |_| None) {
                needs.set(i, &resolver.list);
            } else {
                later.push(i);
            }
        }
        let known = resolver.index.len();
        for i in later {
            let stage = &decl.stages[i];
            let candidates = || {
                names
                    .iter()
                    .zip(&unique)
                    .filter_map(|(name, &own)| own.then_some(name.as_str()))
            };
            resolver.link(i, stage, |need| {
                Some(self.unknown_need(stage, need, candidates(), known))
            });
            needs.set(i, &resolver.list);
        }
        let mut problems = resolver.problems;
        problems.sort_by_key(|&(stage, _)| stage);
        self.diagnostics
            .extend(problems.into_iter().map(|(_, d)| d));
        let order = match topological_order(&needs) {
            Ok(order) => Some(order),
            Err(cycles) => {
                for cycle in cycles {
                    self.cycle(decl, &cycle);
                }
                None
            }
        };
        Structure {
            names,
            needs,
            order,
            unique,
        }
    }

    /// The problem of a `needs` entry that names no stage, with a suggestion among the
    /// `count` stage names `candidates`.
    fn unknown_need<'a>(
        &mut self,
        stage: &StageDecl,
        need: &Spanned<String>,
        candidates: impl IntoIterator<Item = &'a str>,
        count: usize,
    ) -> Diagnostic {
        let help = self.suggest(&need.value, candidates, count).map_or_else(
            || "`needs` names other stages of the pipeline".to_owned(),
            |s| format!("did you mean `{s}`?"),
        );
        let mut d = Diagnostic::error(
            Code::UnknownReference,
            format!(
                "stage `{}` needs `{}`, which is not a stage",
                stage.name.value, need.value
            ),
        )
        .with_label(need.span, "not a stage");
        d.help = Some(help);
        d
    }

    /// One cycle, `a -> b -> c -> a` (each stage needs the one before it), labelled at each
    /// `needs` entry that closes a link. A long cycle is shown by its ends, with at most
    /// [`MAX_CYCLE_LABELS`] labels.
    fn cycle(&mut self, decl: &PipelineDecl, cycle: &[usize]) {
        let name = |i: usize| decl.stages[i].name.value.as_str();
        let mut path: Vec<&str> = cycle.iter().map(|&i| name(i)).collect();
        path.push(name(cycle[0]));
        let text = if path.len() > 12 {
            format!(
                "{} -> ... -> {}` ({} stages)",
                path[..8].join(" -> "),
                path[path.len() - 3..].join(" -> "),
                cycle.len()
            )
        } else {
            format!("{}`", path.join(" -> "))
        };
        let mut d = Diagnostic::error(
            Code::Cycle,
            format!("the stages depend on each other in a cycle: `{text}"),
        )
        .with_help("remove one of these `needs` to break the cycle");
        for (k, &from) in cycle.iter().enumerate().take(MAX_CYCLE_LABELS) {
            let to = cycle[(k + 1) % cycle.len()];
            let stage = &decl.stages[to];
            let span = stage
                .needs
                .iter()
                .find(|n| n.value == name(from))
                .map_or(stage.name.span, |n| n.span);
            d = d.with_label(span, format!("`{}` needs `{}`", name(to), name(from)));
        }
        self.diagnostics.push(d);
    }

    fn unknown_persona(&mut self, persona: &Spanned<String>, known: &Personas) {
        let suggestion = self.suggest(&persona.value, known.names(), known.names().len());
        self.diagnostics
            .push(undeclared_persona(persona, suggestion));
    }

    /// The stage's exit: a gate of `gates` by name, or its own criteria, added to `inline` as
    /// a gate named after the stage and owned by its (declared) personas. `unique` says whether
    /// the stage's name is its own: a repeated name gets no exit, its problem being reported.
    fn exit<'d>(
        &mut self,
        stage: &'d Spanned<StageDecl>,
        unique: bool,
        gates: &GateSet,
        personas: &Personas,
        inline: &mut Vec<GateSource<'d>>,
    ) -> Option<Exit> {
        match (&stage.gate, &stage.criteria) {
            (Some(gate), Some(_)) => {
                self.error(
                    Code::InvalidValue,
                    format!(
                        "stage `{}` has both `gate` and `criteria`",
                        stage.name.value
                    ),
                    gate.span,
                    "an exit gate by name",
                )
                .help = Some(
                    "name a policy gate with `gate`, or write the criteria inline, not both".into(),
                );
                None
            }
            (Some(gate), None) => {
                if let Some(index) = gates.index_of(gate.as_str()) {
                    Some(Exit::Gate(index))
                } else {
                    let names = gates.gates.iter().map(|g| g.name.as_str());
                    let help = self
                        .suggest(&gate.value, names, gates.gates.len())
                        .map_or_else(
                            || "`gate` names one of the policy's `gates`".to_owned(),
                            |s| format!("did you mean `{s}`?"),
                        );
                    self.error(
                        Code::UnknownReference,
                        format!("there is no gate `{}`", gate.value),
                        gate.span,
                        "not a gate of this policy",
                    )
                    .help = Some(help);
                    None
                }
            }
            (None, Some(criteria)) if criteria.is_empty() => {
                self.error(
                    Code::InvalidValue,
                    format!("stage `{}` has an empty `criteria` list", stage.name.value),
                    stage.name.span,
                    "this stage",
                )
                .help = Some("add a criterion, or remove `criteria`".into());
                None
            }
            (None, Some(_)) if !unique => None,
            (None, Some(criteria)) => {
                inline.push(GateSource {
                    name: &stage.name,
                    kind: GateKind::Custom,
                    owners: stage
                        .personas
                        .iter()
                        .filter(|p| personas.contains(p.as_str()))
                        .collect(),
                    score: stage.score.as_ref(),
                    criteria,
                    baseline_rule: 0,
                });
                Some(Exit::Inline(inline.len() - 1))
            }
            (None, None) => {
                if stage.score.is_some() {
                    self.error(
                        Code::InvalidValue,
                        format!("stage `{}` has `score` but no `criteria`", stage.name.value),
                        stage.name.span,
                        "this stage",
                    );
                }
                None
            }
        }
    }

    /// Checks that a stage whose exit gate decides on a failed action has an exit gate
    /// (`has_exit`: it names one or writes criteria, even ones with problems of their own).
    fn gate_decides(&mut self, stage: &StageDecl, has_exit: bool) {
        if let Some(on) = &stage.on_action_failure
            && on.value == ActionFailure::Gate
            && !has_exit
        {
            self.error(
                Code::InvalidSetting,
                format!(
                    "stage `{}` lets its exit gate decide on a failure, but has no exit gate",
                    stage.name.value
                ),
                on.span,
                "no exit gate to decide",
            )
            .help =
                Some("give the stage a `gate` or `criteria`, or remove `on_action_failure`".into());
        }
    }

    fn duration(&mut self, value: Option<&Spanned<DurationDecl>>, what: &str) -> Option<u64> {
        duration_ms(value?, what)
            .map_err(|d| self.diagnostics.push(d))
            .ok()
    }

    fn stage(&mut self, stage: &Spanned<StageDecl>) -> Stage {
        let timeout = self.duration(stage.timeout.as_ref(), "timeout");
        if let (Some(0), Some(t)) = (timeout, &stage.timeout) {
            self.error(
                Code::InvalidSetting,
                "`timeout` must be more than 0",
                t.span,
                "a stage needs some time",
            );
        }
        let retries = match &stage.retries {
            Some(r) if r.value > MAX_RETRIES => {
                self.error(
                    Code::InvalidSetting,
                    format!("`retries` may be at most {MAX_RETRIES}"),
                    r.span,
                    "too many retries",
                );
                0
            }
            Some(r) => r.value,
            None => 0,
        };
        Stage {
            name: stage.name.value.clone(),
            description: stage.description.clone(),
            needs: stage.needs.iter().map(|n| n.value.clone()).collect(),
            personas: stage.personas.iter().map(|p| p.value.clone()).collect(),
            gate: stage.gate.as_ref().map(|g| g.value.clone()),
            run: stage.run.clone(),
            env: stage.env.clone(),
            workdir: stage.workdir.clone(),
            timeout_ms: timeout.filter(|&t| t > 0),
            retries,
            backoff_ms: self
                .duration(stage.backoff.as_ref(), "backoff")
                .unwrap_or(0),
            retry_on: retry_rule(stage),
            on_action_failure: stage
                .on_action_failure
                .as_ref()
                .map_or(ActionFailure::Fail, |o| o.value),
            continue_on_failure: stage.continue_on_failure,
            estimate_ms: self
                .duration(stage.estimate.as_ref(), "estimate")
                .unwrap_or(0),
        }
    }
}

/// The stage's `retry_on`, compiled (the default rule without one).
fn retry_rule(stage: &StageDecl) -> RetryRule {
    let on_failure = stage
        .on_action_failure
        .as_ref()
        .map_or(ActionFailure::Fail, |o| o.value);
    let Some(list) = &stage.retry_on else {
        return RetryRule::default_for(on_failure);
    };
    let mut rule = RetryRule {
        timeout: false,
        failure: false,
        exit_codes: Vec::new(),
    };
    for item in list {
        match &item.value {
            RetryOnDecl::When(RetryWhen::Timeout) => rule.timeout = true,
            RetryOnDecl::When(RetryWhen::Failure) => rule.failure = true,
            RetryOnDecl::Exit(exit) => rule.exit_codes.extend(&exit.exit),
        }
    }
    rule.exit_codes.sort_unstable();
    rule.exit_codes.dedup();
    rule
}
