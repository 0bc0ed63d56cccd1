//! Validation and compilation of `environments` and `strategy`: every problem found goes into
//! the policy's one list of diagnostics.

use super::compiled::{
    Approval, CompiledRelease, Environment, Step, Strategy, StrategyKind, Validation,
};
use super::model::{
    ApprovalDecl, CanaryDecl, EnvironmentDecl, RollingDecl, StrategyDecl, WeightDecl,
    WindowRuleDecl,
};
use super::schedule::{self, Rule, Window};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::Spanned;
use crate::units::DurationDecl;
use crate::units::duration::duration_ms;

/// The names of the rest of the policy that environments may refer to.
#[derive(Debug, Default)]
pub(crate) struct Names<'a> {
    /// The policy's gates.
    pub gates: Vec<&'a str>,
    /// The policy's personas.
    pub personas: Vec<&'a str>,
    /// The policy's triggers (and the SLOs and judges that generate triggers).
    pub triggers: Vec<&'a str>,
}

struct Cx<'a, 'd> {
    names: &'a Names<'a>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Cx<'_, '_> {
    fn error(&mut self, code: Code, message: String, span: Span, label: &str) -> &mut Diagnostic {
        push_error(self.diagnostics, code, message, span, label)
    }

    /// `name` must be one of `known` (a `what` of the policy).
    fn reference(&mut self, name: &Spanned<String>, known: &[&str], what: &str) -> bool {
        if known.contains(&name.value.as_str()) {
            return true;
        }
        let hint =
            did_you_mean(name, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
        let d = self.error(
            Code::UnknownReference,
            format!("unknown {what} `{}`", name.value),
            name.span,
            &format!("no {what} of this name"),
        );
        if let Some(hint) = hint {
            *d = d.clone().with_help(hint);
        } else {
            *d = d.clone().with_help(format!(
                "the policy's {what}s are: {}",
                if known.is_empty() {
                    "(none)".to_owned()
                } else {
                    known.join(", ")
                }
            ));
        }
        false
    }

    fn duration(&mut self, decl: &Spanned<DurationDecl>, what: &str) -> u64 {
        match duration_ms(decl, what) {
            Ok(ms) => ms,
            Err(d) => {
                self.diagnostics.push(d);
                0
            }
        }
    }

    fn triggers(&mut self, list: &[Spanned<String>]) -> Vec<String> {
        let known = self.names.triggers.clone();
        for t in list {
            self.reference(t, &known, "trigger");
        }
        list.iter().map(|t| t.value.clone()).collect()
    }

    /// A weight: a whole percent from 0 to 100.
    fn weight(&mut self, decl: &Spanned<WeightDecl>, what: &str) -> u32 {
        let value = match &decl.value {
            WeightDecl::Number(n) => Some(*n),
            WeightDecl::Text(t) => t
                .trim()
                .strip_suffix('%')
                .unwrap_or(t)
                .trim()
                .parse::<f64>()
                .ok(),
        };
        match value {
            Some(v) if (0.0..=100.0).contains(&v) && v.fract() == 0.0 => {
                // INVARIANT: a whole number from 0 to 100 fits a u32 exactly.
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a whole number from 0 to 100"
                )]
                let w = v as u32;
                w
            }
            _ => {
                self.error(
                    Code::InvalidWeight,
                    format!("`{}` is not a weight for `{what}`", decl.value),
                    decl.span,
                    "not a whole percent from 0% to 100%",
                )
                .help = Some("write a whole percent: `10%`, `50%` or `100%`".to_owned());
                0
            }
        }
    }
}

/// Compiles the policy's `environments` (with the policy-wide `strategy`); `None` when there
/// are none.
pub(crate) fn compile(
    environments: &[Spanned<EnvironmentDecl>],
    strategy: Option<&Spanned<StrategyDecl>>,
    names: &Names<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledRelease> {
    if environments.is_empty() {
        if let Some(s) = strategy {
            push_error(
                diagnostics,
                Code::NoEnvironments,
                "a `strategy` without `environments`".to_owned(),
                s.span,
                "applies to no environment",
            );
        }
        return None;
    }
    let mut cx = Cx { names, diagnostics };
    let all: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
    let mut compiled = Vec::with_capacity(environments.len());
    for (i, decl) in environments.iter().enumerate() {
        if all[..i].contains(&decl.name.as_str()) {
            cx.error(
                Code::DuplicateName,
                format!("environment `{}` is declared twice", decl.name.value),
                decl.name.span,
                "a second environment of this name",
            );
        }
        let after = match &decl.after {
            Some(list) => {
                for name in list {
                    cx.reference(name, &all, "environment");
                }
                list.iter().map(|n| n.value.clone()).collect()
            }
            None => i
                .checked_sub(1)
                .and_then(|p| all.get(p))
                .map(|p| vec![(*p).to_owned()])
                .unwrap_or_default(),
        };
        compiled.push(environment(&mut cx, decl, strategy, after));
    }
    let order = walk_order(&mut cx, environments, &compiled)?;
    let mut slots: Vec<Option<Environment>> = compiled.into_iter().map(Some).collect();
    let environments = order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect();
    Some(CompiledRelease { environments })
}

/// A stable topological order of the environments (policy order among the ready ones), or a
/// cycle error.
fn walk_order(
    cx: &mut Cx<'_, '_>,
    decls: &[Spanned<EnvironmentDecl>],
    envs: &[Environment],
) -> Option<Vec<usize>> {
    let n = envs.len();
    let index = |name: &str| envs.iter().position(|e| e.name == name);
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let ready = (0..n).find(|&i| {
            !done[i]
                && envs[i]
                    .after
                    .iter()
                    .all(|a| index(a).is_none_or(|j| done[j]))
        });
        match ready {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => {
                let stuck: Vec<usize> = (0..n).filter(|&i| !done[i]).collect();
                let names: Vec<&str> = stuck.iter().map(|&i| envs[i].name.as_str()).collect();
                let first = stuck.first().and_then(|&i| decls.get(i));
                let span = first.map(|d| d.name.span).unwrap_or_default();
                cx.error(
                    Code::EnvironmentCycle,
                    format!(
                        "environments depend on each other in a cycle: {}",
                        names.join(", ")
                    ),
                    span,
                    "in the cycle",
                )
                .help = Some("remove one of the `after` edges so that the environments form a line or a tree".to_owned());
                return None;
            }
        }
    }
    Some(order)
}

fn environment(
    cx: &mut Cx<'_, '_>,
    decl: &Spanned<EnvironmentDecl>,
    policy_strategy: Option<&Spanned<StrategyDecl>>,
    after: Vec<String>,
) -> Environment {
    let gates_known = cx.names.gates.clone();
    for g in &decl.gates {
        cx.reference(g, &gates_known, "gate");
    }
    let personas_known = cx.names.personas.clone();
    let mut validations = Vec::new();
    for v in &decl.validations {
        cx.reference(&v.persona, &personas_known, "persona");
        if v.checks.is_empty() {
            cx.error(
                Code::InvalidValue,
                format!("persona `{}` validates no check", v.persona.value),
                v.span,
                "needs at least one check",
            );
        }
        validations.push(Validation {
            persona: v.persona.value.clone(),
            checks: v.checks.iter().map(|c| c.value.clone()).collect(),
            required: v.required,
        });
    }
    let traffic = decl
        .traffic
        .as_ref()
        .map_or(100, |t| cx.weight(t, "traffic"));
    let approval = decl.approval.as_ref().map(|a| approval(cx, a));
    let strategy = match decl.strategy.as_ref().or(policy_strategy) {
        None => Strategy {
            kind: StrategyKind::Direct,
            max_weight: 100,
            steps: Vec::new(),
            limits: None,
        },
        Some(s) => strategy(cx, s, traffic),
    };
    let windows = decl.windows.iter().filter_map(|w| window(cx, w)).collect();
    Environment {
        name: decl.name.value.clone(),
        after,
        gates: decl.gates.iter().map(|g| g.value.clone()).collect(),
        validations,
        soak_ms: decl.soak.as_ref().map_or(0, |s| cx.duration(s, "soak")),
        auto_promote: decl.auto_promote,
        traffic,
        approval,
        strategy,
        windows,
        stop_at_next_step: matches!(decl.on_close, Some(super::model::OnClose::StopAtNextStep)),
    }
}

fn approval(cx: &mut Cx<'_, '_>, decl: &Spanned<ApprovalDecl>) -> Approval {
    let known = cx.names.personas.clone();
    if decl.personas.is_empty() {
        cx.error(
            Code::InvalidValue,
            "an approval names no persona".to_owned(),
            decl.span,
            "needs at least one persona",
        );
    }
    for p in &decl.personas {
        cx.reference(p, &known, "persona");
    }
    let count = decl.count.as_ref().map_or(1, |c| {
        if c.value == 0 {
            cx.error(
                Code::InvalidSetting,
                "an approval needs at least one approver".to_owned(),
                c.span,
                "0 approvers",
            );
        }
        c.value
    });
    Approval {
        personas: decl.personas.iter().map(|p| p.value.clone()).collect(),
        count,
        separation_of_duties: decl.separation_of_duties,
        expires_ms: decl.expires.as_ref().map(|e| cx.duration(e, "expires")),
    }
}

fn strategy(cx: &mut Cx<'_, '_>, decl: &Spanned<StrategyDecl>, traffic: u32) -> Strategy {
    let bad = |cx: &mut Cx<'_, '_>, message: String| {
        cx.error(Code::InvalidStrategy, message, decl.span, "here")
            .help = Some("write `blue-green`, `canary`, `rolling` or `direct`, or one of `canary:`, `blue_green:`, `rolling:` with its settings".to_owned());
    };
    let direct = Strategy {
        kind: StrategyKind::Direct,
        max_weight: 100,
        steps: Vec::new(),
        limits: None,
    };
    match &decl.value {
        StrategyDecl::Name(name) => match name.as_str() {
            "direct" => direct,
            "blue-green" | "blue_green" => blue_green(cx, &super::model::BlueGreenDecl::default()),
            "rolling" => rolling(cx, &RollingDecl::default()),
            "canary" => canary(
                cx,
                &Spanned::new(
                    decl.span,
                    CanaryDecl {
                        steps: Vec::new(),
                        max_weight: None,
                        step_weight: Some(Spanned::new(decl.span, WeightDecl::Number(25.0))),
                        interval: None,
                        analysis: Vec::new(),
                    },
                ),
                traffic,
            ),
            other => {
                bad(cx, format!("unknown strategy `{other}`"));
                direct
            }
        },
        StrategyDecl::Full(form) => {
            let count = usize::from(form.canary.is_some())
                + usize::from(form.blue_green.is_some())
                + usize::from(form.rolling.is_some());
            if count != 1 {
                bad(
                    cx,
                    format!(
                        "a strategy has exactly one of `canary`, `blue_green`, `rolling` ({count} given)"
                    ),
                );
            }
            if let Some(c) = &form.canary {
                canary(cx, c, traffic)
            } else if let Some(b) = &form.blue_green {
                blue_green(cx, b)
            } else if let Some(r) = &form.rolling {
                rolling(cx, r)
            } else {
                direct
            }
        }
    }
}

fn canary(cx: &mut Cx<'_, '_>, decl: &Spanned<CanaryDecl>, traffic: u32) -> Strategy {
    let max_weight = decl
        .max_weight
        .as_ref()
        .map_or(100, |m| cx.weight(m, "max_weight"));
    let mut steps = Vec::new();
    match (&decl.step_weight, decl.steps.is_empty()) {
        (Some(sw), true) => {
            let step = cx.weight(sw, "step_weight");
            if step == 0 {
                cx.error(
                    Code::InvalidWeight,
                    "a canary ladder's `step_weight` must be above 0%".to_owned(),
                    sw.span,
                    "0%",
                );
            } else {
                let triggers = cx.triggers(&decl.analysis);
                let interval = decl.interval.as_ref().map(|i| cx.duration(i, "interval"));
                let mut w = 0;
                // The ladder stops at the max weight, never over it (a step of 20% with a max of
                // 50% goes 20, 40, 50).
                while w < max_weight {
                    w = (w + step).min(max_weight);
                    steps.push(Step::SetWeight { weight: w });
                    if let Some(ms) = interval {
                        steps.push(Step::Pause { duration_ms: ms });
                    }
                    if !triggers.is_empty() {
                        steps.push(Step::Analysis {
                            triggers: triggers.clone(),
                            phase: "step",
                        });
                    }
                }
            }
        }
        (None, false) => {
            let mut last: Option<(u32, Span)> = None;
            for s in &decl.steps {
                let given = usize::from(s.set_weight.is_some())
                    + usize::from(s.pause.is_some())
                    + usize::from(!s.analysis.is_empty());
                if given != 1 {
                    cx.error(
                        Code::InvalidStrategy,
                        format!("a canary step has exactly one of `set_weight`, `pause`, `analysis` ({given} given)"),
                        s.span,
                        "this step",
                    );
                    continue;
                }
                if let Some(wd) = &s.set_weight {
                    let w = cx.weight(wd, "set_weight");
                    if w > max_weight {
                        cx.error(
                            Code::InvalidWeight,
                            format!("weight {w}% is above the canary's max weight {max_weight}%"),
                            wd.span,
                            "above max_weight",
                        );
                    }
                    if let Some((prev, _)) = last
                        && w < prev
                    {
                        cx.error(
                            Code::InvalidWeight,
                            format!("weight {w}% is below the step before it ({prev}%)"),
                            wd.span,
                            "decreasing weight",
                        )
                        .help = Some(
                            "canary weights only grow; abort the release to move traffic back"
                                .to_owned(),
                        );
                    }
                    last = Some((w, wd.span));
                    steps.push(Step::SetWeight { weight: w });
                } else if let Some(p) = &s.pause {
                    if matches!(&p.value, DurationDecl::Text(t) if t == "until_promoted") {
                        steps.push(Step::PauseUntilPromoted);
                    } else {
                        let ms = cx.duration(p, "pause");
                        steps.push(Step::Pause { duration_ms: ms });
                    }
                } else {
                    let triggers = cx.triggers(&s.analysis);
                    steps.push(Step::Analysis {
                        triggers,
                        phase: "step",
                    });
                }
            }
        }
        (Some(sw), false) => {
            cx.error(
                Code::InvalidStrategy,
                "a canary has either `steps` or a `step_weight` ladder, not both".to_owned(),
                sw.span,
                "a ladder beside steps",
            );
        }
        (None, true) => {
            cx.error(
                Code::InvalidStrategy,
                "a canary needs `steps` or a `step_weight` ladder".to_owned(),
                decl.span,
                "no steps",
            );
        }
    }
    let _ = traffic;
    Strategy {
        kind: StrategyKind::Canary,
        max_weight,
        steps,
        limits: None,
    }
}

fn blue_green(cx: &mut Cx<'_, '_>, decl: &super::model::BlueGreenDecl) -> Strategy {
    let mut steps = Vec::new();
    let pre = cx.triggers(&decl.pre_promotion_analysis);
    if !pre.is_empty() {
        steps.push(Step::Analysis {
            triggers: pre,
            phase: "pre-promotion",
        });
    }
    let auto_after_ms = if decl.manual_promotion {
        None
    } else {
        Some(
            decl.auto_promotion_delay
                .as_ref()
                .map_or(0, |d| cx.duration(d, "auto_promotion_delay")),
        )
    };
    steps.push(Step::Switch { auto_after_ms });
    let post = cx.triggers(&decl.post_promotion_analysis);
    if !post.is_empty() {
        steps.push(Step::Analysis {
            triggers: post,
            phase: "post-promotion",
        });
    }
    steps.push(Step::ScaleDown {
        delay_ms: decl
            .scale_down_delay
            .as_ref()
            .map_or(30_000, |d| cx.duration(d, "scale_down_delay")),
    });
    Strategy {
        kind: StrategyKind::BlueGreen,
        max_weight: 100,
        steps,
        limits: None,
    }
}

fn rolling(cx: &mut Cx<'_, '_>, decl: &RollingDecl) -> Strategy {
    let batch = decl
        .batch
        .as_ref()
        .map_or(25, |b| match (&b.value, &decl.replicas) {
            (WeightDecl::Number(n), Some(_)) if n.fract() == 0.0 && *n >= 1.0 => {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a whole count checked positive"
                )]
                let c = *n as u32;
                c
            }
            _ => cx.weight(b, "batch"),
        });
    let pause = decl.pause.as_ref().map(|p| cx.duration(p, "pause"));
    let triggers = cx.triggers(&decl.analysis);
    let mut steps = Vec::new();
    if batch == 0 {
        if let Some(b) = &decl.batch {
            cx.error(
                Code::InvalidWeight,
                "a rolling batch must be above 0".to_owned(),
                b.span,
                "an empty batch",
            );
        }
    } else {
        let replicas = decl.replicas.as_ref().map(|r| r.value).filter(|r| *r > 0);
        let by_count = matches!(
            (decl.batch.as_ref().map(|b| &b.value), replicas),
            (Some(WeightDecl::Number(_)), Some(_))
        );
        let mut done = 0u32;
        let total = if by_count { replicas.unwrap_or(1) } else { 100 };
        while done < total {
            done = (done + batch).min(total);
            let weight = if by_count {
                (u64::from(done) * 100).div_ceil(u64::from(total))
            } else {
                u64::from(done)
            };
            steps.push(Step::SetWeight {
                weight: u32::try_from(weight.min(100)).unwrap_or(100),
            });
            if let Some(ms) = pause {
                steps.push(Step::Pause { duration_ms: ms });
            }
            if !triggers.is_empty() {
                steps.push(Step::Analysis {
                    triggers: triggers.clone(),
                    phase: "step",
                });
            }
        }
    }
    let show = |w: &Option<Spanned<WeightDecl>>| {
        w.as_ref()
            .map_or_else(|| "25%".to_owned(), |w| w.value.to_string())
    };
    Strategy {
        kind: StrategyKind::Rolling,
        max_weight: 100,
        steps,
        limits: Some(format!(
            "max unavailable {}, max surge {}",
            show(&decl.max_unavailable),
            show(&decl.max_surge)
        )),
    }
}

fn window(cx: &mut Cx<'_, '_>, decl: &Spanned<WindowRuleDecl>) -> Option<Window> {
    let tz_name = decl
        .tz
        .as_ref()
        .map_or_else(|| "UTC".to_owned(), |t| t.value.clone());
    let Some(tz) = schedule::zone(&tz_name) else {
        let span = decl.tz.as_ref().map_or(decl.span, |t| t.span);
        let names = schedule::zone_names();
        let hint = did_you_mean(&tz_name, names.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"));
        cx.error(
            Code::UnknownTimeZone,
            format!("unknown time zone `{tz_name}`"),
            span,
            "not in the time zone database",
        )
        .help = Some(hint.unwrap_or_else(|| {
            "write an IANA time zone name: `Europe/Berlin`, `America/New_York`, `UTC`".to_owned()
        }));
        return None;
    };
    let invalid = |cx: &mut Cx<'_, '_>, message: String, span: Span, label: &str| {
        cx.error(Code::InvalidWindow, message, span, label);
    };
    let rule = match (&decl.cron, &decl.from, &decl.to) {
        (Some(cron), None, None) => {
            let parsed = croner::parser::CronParser::builder()
                .seconds(croner::parser::Seconds::Disallowed)
                .build()
                .parse(&cron.value);
            let Some(duration) = &decl.duration else {
                invalid(
                    cx,
                    format!(
                        "window `{}` has a `cron` rule but no `duration`",
                        decl.name.value
                    ),
                    decl.span,
                    "how long is each opening?",
                );
                return None;
            };
            let ms = cx.duration(duration, "duration");
            match parsed {
                Ok(c) if ms > 0 => Rule::Cron {
                    cron: Box::new(c),
                    text: format!("cron `{}` for {}", cron.value, duration.value),
                    duration_ms: i64::try_from(ms).unwrap_or(i64::MAX),
                },
                Ok(_) => {
                    invalid(
                        cx,
                        "a window's duration must be above 0".to_owned(),
                        duration.span,
                        "empty",
                    );
                    return None;
                }
                Err(e) => {
                    cx.error(
                        Code::InvalidWindow,
                        format!("`{}` is not a cron rule: {e}", cron.value),
                        cron.span,
                        "not a cron rule",
                    )
                    .help = Some("write 5 fields: minute hour day-of-month month day-of-week, e.g. `0 9 * * 1-5`".to_owned());
                    return None;
                }
            }
        }
        (None, Some(from), Some(to)) => {
            let read = |cx: &mut Cx<'_, '_>, s: &Spanned<String>| {
                let v = schedule::parse_instant(&s.value, &tz);
                if v.is_none() {
                    cx.error(
                        Code::InvalidWindow,
                        format!("`{}` is not a date or date-time", s.value),
                        s.span,
                        "not a date",
                    )
                    .help = Some(
                        "write `2026-12-20`, `2026-12-20T09:00` (in `tz`) or `2026-12-20T09:00Z`"
                            .to_owned(),
                    );
                }
                v
            };
            let (Some(f), Some(t)) = (read(cx, from), read(cx, to)) else {
                return None;
            };
            if t <= f {
                invalid(
                    cx,
                    format!("window `{}` ends before it starts", decl.name.value),
                    to.span,
                    "not after `from`",
                );
                return None;
            }
            if decl.duration.is_some() {
                invalid(
                    cx,
                    "a one-off window has no `duration`".to_owned(),
                    decl.span,
                    "here",
                );
            }
            Rule::Range {
                from_ms: f,
                to_ms: t,
                text: format!("{} to {}", from.value, to.value),
            }
        }
        _ => {
            invalid(
                cx,
                format!(
                    "window `{}` needs either `cron` with `duration`, or `from` and `to`",
                    decl.name.value
                ),
                decl.name.span,
                "neither a recurring nor a one-off window",
            );
            return None;
        }
    };
    Some(Window {
        name: decl.name.value.clone(),
        kind: decl.kind.value,
        rule,
        tz_name,
        tz,
    })
}
