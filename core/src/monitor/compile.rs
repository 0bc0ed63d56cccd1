//! Validation and compilation of the `windows` and `triggers` sections, as part of compiling a
//! policy.
//!
//! Problems are collected, never the first only: names given twice (E004), metrics and
//! personas that are not declared (E011, E005, with "did you mean"), conditions that do not
//! compile or whose units do not fit (E010–E015), window functions that do not fit their
//! metric (E012), keys that exclude each other or are missing (E003) and settings out of
//! range (E031).

use super::compiled::{
    CompiledMonitor, DEFAULT_CONSECUTIVE_ERROR_LIMIT, Limits, OnMissingRule, Tier, TierMode,
    Trigger, Window, WindowFn,
};
use super::model::{
    Action, MissingRule, Mode, OnMissing, OnTimeout, TierDecl, TriggerDecl, WindowDecl,
};
use crate::condition::{MetricInfo, MetricLookup, compile_written};
use crate::criteria::{Context, unique_names};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::document::Spanned;
use crate::metrics::table::MetricTable;
use crate::units::DurationDecl;
use crate::units::duration::duration_ms;
use crate::units::{Dimension, Unit};
use std::collections::BTreeMap;

/// Compiles a policy's `windows`, `slos` and `triggers` against its metrics and personas
/// (`context`), adding any problems to `diagnostics`. Returns `None` when the policy has no
/// triggers (written or generated) or when they have problems.
pub(crate) fn compile(
    context: Context<'_>,
    policy: &crate::policy::model::Policy,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledMonitor> {
    let (window_decls, trigger_decls) = (&policy.windows, &policy.triggers);
    if trigger_decls.is_empty()
        && window_decls.is_empty()
        && policy.slos.is_empty()
        && policy.judges.is_empty()
    {
        return None;
    }
    let metrics = context.metrics;
    let mut cx = Cx {
        text: context.text,
        metrics,
        personas: context.personas.names().collect(),
        diagnostics: Vec::new(),
    };
    let windows: Vec<Window> = window_decls
        .iter()
        .map(|(name, decl)| cx.window(name, decl))
        .collect();
    let taken = |name: &str| metrics.slot_of(name).is_some() || window_decls.contains_key(name);
    let slos = super::slo::compile::compile(&policy.slos, metrics, &taken, &mut cx.diagnostics);
    let burn_taken = |name: &str| taken(name) || slos.burns.iter().any(|b| b.name == name);
    let judges =
        super::judge::compile::compile(&policy.judges, metrics, &burn_taken, &mut cx.diagnostics);
    let derived = windows
        .iter()
        .map(|w| (w.name.clone(), w.unit))
        .chain(slos.burns.iter().map(|b| (b.name.clone(), Unit::NONE)))
        .chain(
            judges
                .judges
                .iter()
                .map(|j| (j.name.clone(), Unit::PERCENT)),
        );
    let lookup = Lookup {
        metrics,
        windows: derived
            .enumerate()
            .map(|(i, (name, unit))| {
                (
                    name,
                    MetricInfo {
                        slot: metrics.slots().len() + i,
                        unit,
                    },
                )
            })
            .collect(),
    };
    let all_triggers: Vec<&Spanned<TriggerDecl>> = trigger_decls
        .iter()
        .chain(&slos.triggers)
        .chain(&judges.triggers)
        .collect();
    unique_names(
        all_triggers.iter().map(|t| &t.name),
        "trigger",
        &mut cx.diagnostics,
    );
    let written = trigger_decls.len();
    let triggers: Vec<Trigger> = all_triggers
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let mut trigger = cx.trigger(t, &lookup)?;
            trigger.origin = i.checked_sub(written).and_then(|g| {
                slos.slos.get(g).map_or_else(
                    || {
                        g.checked_sub(slos.slos.len())
                            .and_then(|j| judges.judges.get(j))
                            .map(|j| format!("judge `{}`", j.name))
                    },
                    |s| Some(format!("slo `{}`", s.name)),
                )
            });
            Some(trigger)
        })
        .collect();
    let ok = cx.diagnostics.is_empty();
    diagnostics.append(&mut cx.diagnostics);
    (ok && !triggers.is_empty()).then(|| CompiledMonitor {
        metrics: metrics.slots().len(),
        windows,
        slos: slos.slos,
        burns: slos.burns,
        judges: judges.judges,
        triggers,
    })
}

/// A metric name resolved to its slot and unit (none when it is not declared).
type Resolved = Option<(usize, Unit)>;

/// Metrics, then windows: what a trigger's condition may name.
struct Lookup<'a> {
    metrics: &'a MetricTable,
    windows: BTreeMap<String, MetricInfo>,
}

impl MetricLookup for Lookup<'_> {
    fn lookup(&self, name: &str) -> Option<MetricInfo> {
        self.metrics
            .lookup(name)
            .or_else(|| self.windows.get(name).copied())
    }

    fn names(&self) -> Vec<&str> {
        let mut names = self.metrics.names();
        names.extend(self.windows.keys().map(String::as_str));
        names
    }
}

struct Cx<'a> {
    text: &'a str,
    metrics: &'a MetricTable,
    personas: Vec<&'a str>,
    diagnostics: Vec<Diagnostic>,
}

/// The fields a single-tier trigger and a tier share.
struct TierFields<'d> {
    when: &'d Spanned<String>,
    hold_for: Option<&'d Spanned<DurationDecl>>,
    action: Action,
    mode: Option<&'d Spanned<Mode>>,
    approvers: &'d [Spanned<String>],
    timeout: Option<&'d Spanned<DurationDecl>>,
    on_timeout: Option<&'d Spanned<OnTimeout>>,
    fast_track: bool,
}

impl<'a> Cx<'a> {
    fn error(
        &mut self,
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        crate::diagnostic::push_error(&mut self.diagnostics, code, message, span, label)
    }

    fn duration(&mut self, decl: &Spanned<DurationDecl>, what: &str) -> Option<u64> {
        duration_ms(decl, what)
            .map_err(|d| self.diagnostics.push(d))
            .ok()
    }

    fn metric(&mut self, name: &Spanned<String>) -> Option<(usize, Unit)> {
        if let Some(info) = self.metrics.lookup(&name.value) {
            return Some((info.slot, info.unit));
        }
        let names = self.metrics.names();
        let help = did_you_mean(&name.value, names.iter().copied()).map_or_else(
            || {
                format!(
                    "declare it under `metrics:` (`{}: {{unit: ...}}`)",
                    name.value
                )
            },
            |s| format!("did you mean `{s}`?"),
        );
        self.error(
            Code::UnknownMetric,
            format!("metric `{}` is not declared", name.value),
            name.span,
            "not a declared metric",
        )
        .help = Some(help);
        None
    }

    fn window(&mut self, name: &str, decl: &Spanned<WindowDecl>) -> Window {
        let mut ok = true;
        if !valid_window_name(name) {
            self.error(
                Code::InvalidValue,
                format!("`{name}` is not a valid window name"),
                decl.span,
                "declared here",
            )
            .help = Some(
                "a window name is a word of letters, digits and `_`, or words joined by `.`".into(),
            );
            ok = false;
        }
        if self.metrics.slot_of(name).is_some() {
            self.error(
                Code::DuplicateName,
                format!("window `{name}` has the name of a declared metric"),
                decl.span,
                "this window",
            )
            .help = Some("give the window its own name, e.g. `<metric>_5m`".into());
            ok = false;
        }
        let over = self.duration(&decl.over, "over");
        if over == Some(0) {
            self.error(
                Code::InvalidSetting,
                format!("window `{name}` is empty: `over` must be longer than 0s"),
                decl.over.span,
                "0s",
            );
            ok = false;
        }
        let w = &decl.value;
        let simple = [
            (WindowFn::Avg, &w.avg),
            (WindowFn::Min, &w.min),
            (WindowFn::Max, &w.max),
            (WindowFn::Sum, &w.sum),
            (WindowFn::Count, &w.count),
            (WindowFn::Rate, &w.rate),
            (WindowFn::Increase, &w.increase),
        ];
        let mut found: Vec<(WindowFn, &Spanned<String>)> = simple
            .iter()
            .filter_map(|(f, m)| m.as_ref().map(|m| (*f, m)))
            .collect();
        if let Some(p) = &w.percentile {
            if !(0.0..=100.0).contains(&p.value) {
                self.error(
                    Code::InvalidSetting,
                    format!("percentile `{}` is not from 0 to 100", p.value),
                    p.span,
                    "out of range",
                );
                ok = false;
            }
            match &w.of {
                Some(of) => found.push((WindowFn::Percentile(p.value), of)),
                None => {
                    self.error(
                        Code::InvalidValue,
                        "a percentile window needs `of: <metric>`",
                        p.span,
                        "the percentile of what?",
                    );
                    ok = false;
                }
            }
        } else if let Some(of) = &w.of {
            self.error(
                Code::InvalidValue,
                "`of` belongs to `percentile`",
                of.span,
                "without `percentile`",
            );
            ok = false;
        }
        let mut to = None;
        if let Some(ratio) = &w.ratio {
            match &w.to {
                Some(t) => {
                    found.push((WindowFn::Ratio, ratio));
                    to = Some(t);
                }
                None => {
                    self.error(
                        Code::InvalidValue,
                        "a ratio window needs `to: <counter>`",
                        ratio.span,
                        "the ratio to what?",
                    );
                    ok = false;
                }
            }
        } else if let Some(t) = &w.to {
            self.error(
                Code::InvalidValue,
                "`to` belongs to `ratio`",
                t.span,
                "without `ratio`",
            );
            ok = false;
        }
        let (func, of) = match found.as_slice() {
            [one] => *one,
            [] => {
                if ok {
                    self.error(
                        Code::InvalidValue,
                        format!("window `{name}` has no function"),
                        decl.span,
                        "this window",
                    )
                    .help = Some(
                        "give one of `avg`, `min`, `max`, `sum`, `count`, `rate`, `increase`, `percentile` with `of`, or `ratio` with `to`".into(),
                    );
                }
                return self.placeholder(name);
            }
            [_, second, ..] => {
                self.error(
                    Code::InvalidValue,
                    format!("window `{name}` has more than one function"),
                    second.1.span,
                    "a second function",
                )
                .help = Some("declare one window per aggregate".into());
                return self.placeholder(name);
            }
        };
        let metric = self.metric(of);
        let to = to.map(|t| (t, self.metric(t)));
        let Some((slot, unit)) = metric else {
            return self.placeholder(name);
        };
        let Some(unit) = self.window_unit(func, of, unit, to.as_ref().map(|(t, m)| (*t, *m)))
        else {
            return self.placeholder(name);
        };
        Window {
            name: name.to_owned(),
            func,
            metric: slot,
            to: to.and_then(|(_, m)| m.map(|m| m.0)),
            over_ms: over.unwrap_or(0),
            unit,
        }
    }

    /// A window that did not compile, kept so that the conditions naming it still compile
    /// (its problems are recorded, so the monitor is never returned).
    fn placeholder(&self, name: &str) -> Window {
        debug_assert!(
            !self.diagnostics.is_empty(),
            "a placeholder window without a problem"
        );
        Window {
            name: name.to_owned(),
            func: WindowFn::Count,
            metric: 0,
            to: None,
            over_ms: 0,
            unit: Unit::NONE,
        }
    }

    /// The unit of a window's aggregate, or an E012 when the function does not fit.
    fn window_unit(
        &mut self,
        func: WindowFn,
        of: &Spanned<String>,
        unit: Unit,
        to: Option<(&Spanned<String>, Resolved)>,
    ) -> Option<Unit> {
        let is_bool = unit.dimension == Dimension::Bool;
        let mismatch = |cx: &mut Self, why: String, help: &str| {
            cx.error(Code::TypeMismatch, why, of.span, "this metric")
                .help = Some(help.into());
            None
        };
        match func {
            WindowFn::Count => Some(Unit::NONE),
            WindowFn::Avg if is_bool => Some(Unit::PERCENT),
            _ if is_bool => mismatch(
                self,
                format!("`{}` of a boolean metric `{}`", func.name(), of.value),
                "a boolean metric has windows `count` and `avg` (the share of observations that are true)",
            ),
            WindowFn::Rate if unit.dimension != Dimension::Number => mismatch(
                self,
                format!(
                    "`rate` of `{}`, which is {}: a rate is per second of a plain counter",
                    of.value,
                    unit.dimension.describe()
                ),
                "use `increase` for a counter with a unit",
            ),
            WindowFn::Ratio => {
                let (t, other) = to?;
                let (_, other) = other?;
                if other.dimension == unit.dimension {
                    Some(Unit::PERCENT)
                } else {
                    self.error(
                        Code::TypeMismatch,
                        format!(
                            "`ratio` of `{}` ({}) to `{}` ({})",
                            of.value,
                            unit.dimension.describe(),
                            t.value,
                            other.dimension.describe()
                        ),
                        t.span,
                        "another dimension",
                    )
                    .help = Some("a ratio divides two counters of the same kind".into());
                    None
                }
            }
            _ => Some(unit),
        }
    }

    fn trigger(&mut self, decl: &Spanned<TriggerDecl>, lookup: &Lookup<'_>) -> Option<Trigger> {
        let before = self.diagnostics.len();
        let t = &decl.value;
        let mut sources = Vec::new();
        if t.tiers.is_empty() {
            match (&t.when, &t.action) {
                (Some(when), Some(action)) => sources.push(TierFields {
                    when,
                    hold_for: t.hold_for.as_ref(),
                    action: action.value,
                    mode: t.mode.as_ref(),
                    approvers: &t.approvers,
                    timeout: t.timeout.as_ref(),
                    on_timeout: t.on_timeout.as_ref(),
                    fast_track: false,
                }),
                (when, _) => {
                    let missing = if when.is_none() { "`when`" } else { "`action`" };
                    self.error(
                        Code::InvalidValue,
                        format!("trigger `{}` has no {missing}", t.name.value),
                        t.name.span,
                        "this trigger",
                    )
                    .help = Some("give `when` and `action`, or a list of `tiers`".into());
                }
            }
        } else {
            let single: [(bool, Option<Span>, &str); 7] = [
                (t.when.is_some(), t.when.as_ref().map(|s| s.span), "when"),
                (
                    t.hold_for.is_some(),
                    t.hold_for.as_ref().map(|s| s.span),
                    "for",
                ),
                (
                    t.action.is_some(),
                    t.action.as_ref().map(|s| s.span),
                    "action",
                ),
                (t.mode.is_some(), t.mode.as_ref().map(|s| s.span), "mode"),
                (
                    !t.approvers.is_empty(),
                    t.approvers.first().map(|s| s.span),
                    "approvers",
                ),
                (
                    t.timeout.is_some(),
                    t.timeout.as_ref().map(|s| s.span),
                    "timeout",
                ),
                (
                    t.on_timeout.is_some(),
                    t.on_timeout.as_ref().map(|s| s.span),
                    "on_timeout",
                ),
            ];
            for (present, span, key) in single {
                if present {
                    self.error(
                        Code::InvalidValue,
                        format!("trigger `{}` has both `tiers` and `{key}`", t.name.value),
                        span.unwrap_or(t.name.span),
                        "belongs in a tier",
                    )
                    .help = Some(format!("move `{key}` into each tier"));
                }
            }
            for tier in &t.tiers {
                let tier: &TierDecl = tier;
                sources.push(TierFields {
                    when: &tier.when,
                    hold_for: tier.hold_for.as_ref(),
                    action: tier.action.value,
                    mode: tier.mode.as_ref(),
                    approvers: &tier.approvers,
                    timeout: tier.timeout.as_ref(),
                    on_timeout: tier.on_timeout.as_ref(),
                    fast_track: tier.fast_track,
                });
            }
        }
        let tiers: Vec<Tier> = sources
            .iter()
            .filter_map(|s| self.tier(s, lookup))
            .collect();
        let on_missing = self.on_missing(t.on_missing.as_ref());
        let limits = self.limits(t);
        (self.diagnostics.len() == before).then(|| Trigger {
            name: t.name.value.clone(),
            origin: None,
            tiers,
            on_missing,
            limits,
        })
    }

    fn tier(&mut self, s: &TierFields<'_>, lookup: &Lookup<'_>) -> Option<Tier> {
        let when =
            compile_written(self.text, s.when, lookup, &mut self.diagnostics).map(|(p, _)| p);
        let for_ms = s
            .hold_for
            .and_then(|d| self.duration(d, "for"))
            .unwrap_or(0);
        let mode = s.mode.map_or(Mode::Automatic, |m| m.value);
        if mode == Mode::Immediate
            && let Some(f) = s.hold_for
        {
            self.error(
                Code::InvalidSetting,
                "an immediate trigger acts on the first observation where its condition holds",
                f.span,
                "`for` has no effect here",
            )
            .help = Some("remove `for`, or use `mode: automatic`".into());
        }
        let mode = if mode == Mode::Manual {
            if s.approvers.is_empty() {
                let span = s.mode.map_or(s.when.span, |m| m.span);
                self.error(
                    Code::InvalidValue,
                    "a manual trigger needs `approvers`",
                    span,
                    "manual",
                )
                .help =
                    Some("name the personas that may approve: `approvers: [performance]`".into());
            }
            for a in s.approvers {
                if !self.personas.contains(&a.as_str()) {
                    let suggestion = did_you_mean(&a.value, self.personas.iter().copied());
                    self.diagnostics
                        .push(crate::criteria::undeclared_persona(a, suggestion));
                }
            }
            if s.timeout.is_none()
                && let Some(o) = s.on_timeout
            {
                self.error(
                    Code::InvalidValue,
                    "`on_timeout` needs a `timeout`",
                    o.span,
                    "no timeout",
                );
            }
            TierMode::Manual {
                approvers: s.approvers.iter().map(|a| a.value.clone()).collect(),
                timeout_ms: s.timeout.and_then(|d| self.duration(d, "timeout")),
                on_timeout: s.on_timeout.map_or(OnTimeout::Hold, |o| o.value),
            }
        } else {
            let stray = [
                (s.approvers.first().map(|a| a.span), "approvers"),
                (s.timeout.map(|t| t.span), "timeout"),
                (s.on_timeout.map(|t| t.span), "on_timeout"),
            ];
            for (span, key) in stray {
                if let Some(span) = span {
                    self.error(
                        Code::InvalidValue,
                        format!("`{key}` applies to manual triggers only"),
                        span,
                        "not a manual trigger",
                    )
                    .help = Some("add `mode: manual`, or remove it".into());
                }
            }
            if mode == Mode::Immediate {
                TierMode::Immediate
            } else {
                TierMode::Automatic
            }
        };
        Some(Tier {
            when: when?,
            for_ms,
            action: s.action,
            mode,
            fast_track: s.fast_track,
        })
    }

    fn on_missing(&mut self, decl: Option<&Spanned<OnMissing>>) -> OnMissingRule {
        match decl.map(|d| (&d.value, d.span)) {
            None => OnMissingRule::Now(MissingRule::Hold),
            Some((OnMissing::Now(rule), _)) => OnMissingRule::Now(*rule),
            Some((OnMissing::After(after), span)) => {
                let after_ms = self
                    .duration(&Spanned::new(span, after.after.clone()), "after")
                    .unwrap_or(0);
                if after.then == MissingRule::Hold {
                    self.error(
                        Code::InvalidValue,
                        "`then: hold` changes nothing: missing data holds until `after` anyway",
                        span,
                        "then: hold",
                    )
                    .help = Some("use `then: fire` or `then: resolve`".into());
                }
                OnMissingRule::After {
                    after_ms,
                    then: after.then,
                }
            }
        }
    }

    fn limits(&mut self, t: &TriggerDecl) -> Limits {
        let min_observations = match &t.min_observations {
            Some(m) if m.value == 0 => {
                self.error(
                    Code::InvalidSetting,
                    "`min_observations` must be at least 1",
                    m.span,
                    "0",
                );
                1
            }
            Some(m) => m.value,
            None => 1,
        };
        Limits {
            failure: t.failure_limit.as_ref().map(|l| l.value),
            consecutive_errors: t
                .consecutive_error_limit
                .as_ref()
                .map_or(DEFAULT_CONSECUTIVE_ERROR_LIMIT, |l| l.value),
            inconclusive: t.inconclusive_limit.as_ref().map(|l| l.value),
            min_observations,
        }
    }
}

/// A window name: words of ASCII letters, digits and `_` joined by `.` (`canary.p95_latency`:
/// a version's window), each not starting with a digit, none a word of the condition language.
pub(crate) fn valid_window_name(name: &str) -> bool {
    name.split('.').all(valid_word)
}

/// One word of ASCII letters, digits and `_`, not starting with a digit, and not a word of the
/// condition language.
pub(crate) fn valid_word(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "and" | "or" | "not" | "true" | "false")
}
