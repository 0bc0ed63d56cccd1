//! Validation and compilation of the `alerts` section, as part of compiling a policy.
//!
//! Problems are collected, never the first only: names given twice (E004), unknown metrics and
//! personas (E011, E005), conditions that do not compile (E010–E015), invalid matchers (E130),
//! unknown receivers (E131), inhibition cycles (E132), scheduled silences that are refused
//! (E133), escalation levels out of order (E134), templates that do not render (E135), and
//! settings out of range (E031).

use super::compiled::{
    Batching, CompiledAlerts, DEFAULT_GROUP_INTERVAL_MS, DEFAULT_GROUP_WAIT_MS,
    DEFAULT_MAX_SILENCE_MS, DEFAULT_REPEAT_INTERVAL_MS, Escalation, GroupBy, Inhibit, Level, Limit,
    Receiver, Route, Rule, Scheduled, Target,
};
use super::matcher::{Labels, Matcher, could_overlap};
use super::model::{
    AlertsDecl, BatchingDecl, BatchingSetting, DelayFrom, OnMissing, RouteDecl, RuleDecl,
    TargetDecl,
};
use crate::condition::compile_written;
use crate::criteria::{Context, undeclared_persona, unique_names};
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean};
use crate::document::Spanned;
use crate::units::DurationDecl;
use crate::units::duration::duration_ms;

/// Compiles a policy's `alerts` section against its metrics and personas, adding any problems
/// to `diagnostics`. `None` without the section or with problems.
pub(crate) fn compile(
    context: Context<'_>,
    decl: Option<&Spanned<AlertsDecl>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CompiledAlerts> {
    let decl = decl?;
    let mut cx = Cx {
        context,
        diagnostics: Vec::new(),
    };
    let a = &decl.value;
    unique_names(
        a.rules.iter().map(|r| &r.name),
        "alert rule",
        &mut cx.diagnostics,
    );
    unique_names(
        a.receivers.iter().map(|r| &r.name),
        "receiver",
        &mut cx.diagnostics,
    );
    let rules: Vec<Rule> = a.rules.iter().filter_map(|r| cx.rule(r)).collect();
    let receivers: Vec<Receiver> = a
        .receivers
        .iter()
        .map(|r| Receiver {
            name: r.name.value.clone(),
            channel: r.channel.value,
            to: r.to.clone(),
            send_resolved: r.send_resolved.unwrap_or(true),
        })
        .collect();
    let batching = a.batching.as_ref().and_then(|b| cx.batching(b));
    let root = Inherited {
        receiver: None,
        group_by: GroupBy::Labels(Vec::new()),
        group_wait_ms: DEFAULT_GROUP_WAIT_MS,
        group_interval_ms: DEFAULT_GROUP_INTERVAL_MS,
        repeat_interval_ms: DEFAULT_REPEAT_INTERVAL_MS,
        batching,
        escalate: a.escalation.is_some(),
    };
    let mut routes = Vec::new();
    if a.route.receiver.is_none() {
        cx.error(
            Code::UnknownReceiver,
            "the root route needs a `receiver`",
            a.route.span,
            "the root route",
        )
        .help = Some(
            "every alert reaches the root: name the receiver that takes what no other route takes"
                .into(),
        );
    }
    cx.route(&a.route, &root, "0".into(), &receivers, &mut routes);
    let inhibit = a
        .inhibit_rules
        .iter()
        .map(|r| Inhibit {
            source: cx.matchers(&r.source_matchers),
            target: cx.matchers(&r.target_matchers),
            equal: r.equal.clone(),
        })
        .collect::<Vec<_>>();
    cx.inhibition_cycles(&a.inhibit_rules, &inhibit);
    let (max_silence_ms, scheduled) = cx.silences(a);
    let escalation = a
        .escalation
        .as_ref()
        .and_then(|e| cx.escalation(e, &receivers));
    let dedup = a
        .dedup
        .as_ref()
        .and_then(|d| cx.limit(&d.count, 1, &d.window, "dedup"));
    let flapping = a
        .flapping
        .as_ref()
        .and_then(|f| cx.limit(&f.changes, 2, &f.window, "flapping"));
    let ok = cx.diagnostics.is_empty();
    diagnostics.append(&mut cx.diagnostics);
    ok.then_some(CompiledAlerts {
        rules,
        receivers,
        routes,
        inhibit,
        max_silence_ms,
        scheduled,
        escalation,
        dedup,
        flapping,
    })
}

/// The settings a route passes to its children.
#[derive(Clone)]
struct Inherited {
    receiver: Option<usize>,
    group_by: GroupBy,
    group_wait_ms: u64,
    group_interval_ms: u64,
    repeat_interval_ms: u64,
    batching: Option<Batching>,
    escalate: bool,
}

struct Cx<'a> {
    context: Context<'a>,
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
        crate::diagnostic::push_error(&mut self.diagnostics, code, message, span, label)
    }

    fn duration(&mut self, decl: &Spanned<DurationDecl>, what: &str) -> Option<u64> {
        duration_ms(decl, what)
            .map_err(|d| self.diagnostics.push(d))
            .ok()
    }

    fn persona(&mut self, name: &Spanned<String>) {
        if !self.context.personas.contains(&name.value) {
            let suggestion = did_you_mean(&name.value, self.context.personas.names());
            self.diagnostics.push(undeclared_persona(name, suggestion));
        }
    }

    fn matchers(&mut self, list: &[Spanned<String>]) -> Vec<Matcher> {
        list.iter()
            .filter_map(|m| {
                Matcher::parse(&m.value, m.span)
                    .map_err(|d| self.diagnostics.push(d))
                    .ok()
            })
            .collect()
    }

    fn rule(&mut self, decl: &Spanned<RuleDecl>) -> Option<Rule> {
        let r = &decl.value;
        let when = compile_written(
            self.context.text,
            &r.when,
            self.context.metrics,
            &mut self.diagnostics,
        )
        .map(|(p, _)| p);
        let for_ms = r.hold_for.as_ref().and_then(|d| self.duration(d, "for"));
        let keep_ms = r
            .keep_firing_for
            .as_ref()
            .and_then(|d| self.duration(d, "keep_firing_for"));
        if let Some(owner) = &r.owner {
            self.persona(owner);
        }
        let mut labels = Labels::new();
        for (k, v) in &r.labels {
            if matches!(k.as_str(), "alertname" | "severity" | "owner") {
                self.error(
                    Code::InvalidValue,
                    format!("the label `{k}` is set by the rule itself"),
                    v.span,
                    "set elsewhere",
                )
                .help = Some(format!(
                    "use the rule's `{}` instead",
                    if k == "alertname" { "name" } else { k }
                ));
            }
            labels.insert(k.clone(), v.value.clone());
        }
        labels.insert("alertname".into(), r.name.value.clone());
        labels.insert("severity".into(), r.severity.value.as_str().into());
        if let Some(owner) = &r.owner {
            labels.insert("owner".into(), owner.value.clone());
        }
        let metrics: serde_json::Map<String, serde_json::Value> = self
            .context
            .metrics
            .slots()
            .iter()
            .map(|m| (m.name.clone(), serde_json::Value::from(0)))
            .collect();
        let sample = super::template::context(&labels, &serde_json::Value::Object(metrics));
        for template in [&r.summary, &r.description].into_iter().flatten() {
            if let Err(why) = super::template::render(&template.value, &sample) {
                self.error(
                    Code::InvalidTemplate,
                    format!("the template does not render: {why}"),
                    template.span,
                    "this template",
                )
                .help = Some("a template may use `alertname`, `severity`, `owner`, `labels.<label>` and `metrics.<metric>`".into());
            }
        }
        Some(Rule {
            name: r.name.value.clone(),
            when: when?,
            for_ms: for_ms.unwrap_or(0),
            keep_ms: keep_ms.unwrap_or(0),
            labels,
            summary: r.summary.as_ref().map(|s| s.value.clone()),
            description: r.description.as_ref().map(|s| s.value.clone()),
            on_missing: r.on_missing.as_ref().map_or(OnMissing::Hold, |m| m.value),
        })
    }

    fn batching(&mut self, decl: &Spanned<BatchingDecl>) -> Option<Batching> {
        if decl.size.value < 2 {
            self.error(
                Code::InvalidSetting,
                "a batch holds at least 2 alerts",
                decl.size.span,
                "too small",
            );
        }
        let window_ms = self.duration(&decl.window, "window")?;
        (decl.size.value >= 2).then_some(Batching {
            size: decl.size.value,
            window_ms,
        })
    }

    fn limit(
        &mut self,
        count: &Spanned<u32>,
        least: u32,
        window: &Spanned<DurationDecl>,
        what: &str,
    ) -> Option<Limit> {
        if count.value < least {
            self.error(
                Code::InvalidSetting,
                format!("`{what}` needs a count of at least {least}"),
                count.span,
                "too small",
            );
            return None;
        }
        let window_ms = self.duration(window, "window")?;
        if window_ms == 0 {
            self.error(
                Code::InvalidSetting,
                format!("the `{what}` window must be longer than 0s"),
                window.span,
                "0s",
            );
            return None;
        }
        Some(Limit {
            count: count.value,
            window_ms,
        })
    }

    fn receiver(&mut self, name: &Spanned<String>, receivers: &[Receiver]) -> Option<usize> {
        if let Some(i) = receivers.iter().position(|r| r.name == name.value) {
            return Some(i);
        }
        let help = did_you_mean(&name.value, receivers.iter().map(|r| r.name.as_str()))
            .map_or_else(
                || {
                    format!(
                        "declare it under `receivers:` (`- {{name: {}, channel: slack}}`)",
                        name.value
                    )
                },
                |s| format!("did you mean `{s}`?"),
            );
        self.error(
            Code::UnknownReceiver,
            format!("receiver `{}` is not declared", name.value),
            name.span,
            "not a declared receiver",
        )
        .help = Some(help);
        None
    }

    fn route(
        &mut self,
        decl: &Spanned<RouteDecl>,
        parent: &Inherited,
        id: String,
        receivers: &[Receiver],
        out: &mut Vec<Route>,
    ) -> usize {
        let r = &decl.value;
        let mut here = parent.clone();
        if let Some(name) = &r.receiver {
            here.receiver = self.receiver(name, receivers);
        }
        if let Some(list) = &r.group_by {
            here.group_by = if list.iter().any(|l| l.value == "...") {
                if list.len() > 1 {
                    self.error(
                        Code::InvalidValue,
                        "`...` groups by every label: list nothing beside it",
                        decl.span,
                        "this route",
                    );
                }
                GroupBy::All
            } else {
                let mut labels: Vec<String> = list.iter().map(|l| l.value.clone()).collect();
                labels.sort();
                labels.dedup();
                GroupBy::Labels(labels)
            };
        }
        for (slot, d, what) in [
            (&mut here.group_wait_ms, &r.group_wait, "group_wait"),
            (
                &mut here.group_interval_ms,
                &r.group_interval,
                "group_interval",
            ),
            (
                &mut here.repeat_interval_ms,
                &r.repeat_interval,
                "repeat_interval",
            ),
        ] {
            if let Some(d) = d
                && let Ok(ms) = duration_ms(d, what).map_err(|e| self.diagnostics.push(e))
            {
                *slot = ms;
            }
        }
        if here.group_interval_ms == 0 {
            self.error(
                Code::InvalidSetting,
                "`group_interval` must be longer than 0s",
                r.group_interval.as_ref().map_or(decl.span, |d| d.span),
                "0s",
            );
        }
        if here.repeat_interval_ms < here.group_interval_ms {
            self.error(
                Code::InvalidSetting,
                "`repeat_interval` is shorter than `group_interval`",
                r.repeat_interval.as_ref().map_or(decl.span, |d| d.span),
                "too short",
            )
            .help = Some(
                "a repeat is only sent at a group interval tick; make it at least as long".into(),
            );
        }
        match &r.batching {
            Some(Spanned {
                value: BatchingSetting::Off(false),
                ..
            }) => here.batching = None,
            Some(Spanned {
                value: BatchingSetting::Off(true),
                span,
            }) => {
                self.error(
                    Code::InvalidValue,
                    "`batching: true` says nothing: give `{size, window}` or `false`",
                    *span,
                    "here",
                );
            }
            Some(Spanned {
                value: BatchingSetting::On(b),
                span,
            }) => {
                let decl = BatchingDecl {
                    size: Spanned::new(*span, b.size),
                    window: Spanned::new(*span, b.window.clone()),
                };
                here.batching = self.batching(&Spanned::new(*span, decl));
            }
            None => {}
        }
        if let Some(e) = r.escalate {
            here.escalate = e;
        }
        let index = out.len();
        out.push(Route {
            id: id.clone(),
            receiver: here.receiver.unwrap_or(0),
            matchers: self.matchers(&r.matchers),
            continue_matching: r.continue_matching,
            group_by: here.group_by.clone(),
            group_wait_ms: here.group_wait_ms,
            group_interval_ms: here.group_interval_ms,
            repeat_interval_ms: here.repeat_interval_ms,
            batching: here.batching,
            escalate: here.escalate,
            children: Vec::new(),
        });
        if index == 0 && !r.matchers.is_empty() {
            self.error(
                Code::InvalidValue,
                "the root route matches every alert: it takes no matchers",
                decl.span,
                "the root route",
            );
        }
        let children: Vec<usize> = r
            .routes
            .iter()
            .enumerate()
            .map(|(i, child)| self.route(child, &here, format!("{id}.{i}"), receivers, out))
            .collect();
        if let Some(route) = out.get_mut(index) {
            route.children = children;
        }
        index
    }

    /// Two rules (or one rule with itself) whose alerts could mute each other: an alert `x`
    /// that is a source of rule `i` and a target of rule `j`, and an alert `y` that is a target
    /// of `i` and a source of `j`.
    fn inhibition_cycles(
        &mut self,
        decls: &[Spanned<super::model::InhibitDecl>],
        rules: &[Inhibit],
    ) {
        if rules.len() != decls.len() {
            return;
        }
        for (i, a) in rules.iter().enumerate() {
            for (j, b) in rules.iter().enumerate().skip(i) {
                if could_overlap(&a.source, &b.target) && could_overlap(&a.target, &b.source) {
                    let (Some(da), Some(db)) = (decls.get(i), decls.get(j)) else {
                        continue;
                    };
                    let message = if i == j {
                        format!(
                            "inhibition rule {} could mute its own sources: two alerts matching both its source and target matchers would mute each other",
                            i + 1
                        )
                    } else {
                        format!(
                            "inhibition rules {} and {} could mute each other's alerts",
                            i + 1,
                            j + 1
                        )
                    };
                    let d = Diagnostic::error(Code::InhibitionCycle, message)
                        .with_label(da.span, "this rule")
                        .with_help("make the target matchers exclude the source alerts, e.g. `severity=\"warning\"` against `severity=\"critical\"`");
                    let d = if i == j {
                        d
                    } else {
                        d.with_label(db.span, "and this one")
                    };
                    self.diagnostics.push(d);
                }
            }
        }
    }

    fn silences(&mut self, a: &AlertsDecl) -> (u64, Vec<Scheduled>) {
        let Some(s) = &a.silences else {
            return (DEFAULT_MAX_SILENCE_MS, Vec::new());
        };
        let max = s
            .max_duration
            .as_ref()
            .and_then(|d| self.duration(d, "max_duration"))
            .unwrap_or(DEFAULT_MAX_SILENCE_MS);
        unique_names(
            s.scheduled.iter().map(|x| &x.id),
            "silence",
            &mut self.diagnostics,
        );
        let mut out = Vec::new();
        for x in &s.scheduled {
            let matchers = self.matchers(&x.matchers);
            let spec = super::silence::Spec {
                matchers: &matchers,
                starts_ms: x.starts_ms,
                ends_ms: Some(x.ends_ms.value),
                reason: &x.reason.value,
                author: &x.author.value,
            };
            if let Err(d) = spec.check(max) {
                self.diagnostics.push(d.with_label(x.span, "this silence"));
                continue;
            }
            out.push(Scheduled {
                id: x.id.value.clone(),
                matchers: x.matchers.iter().map(|m| m.value.clone()).collect(),
                starts_ms: x.starts_ms,
                ends_ms: x.ends_ms.value,
                reason: x.reason.value.clone(),
                author: x.author.value.clone(),
            });
        }
        (max, out)
    }

    fn escalation(
        &mut self,
        decl: &Spanned<super::model::EscalationDecl>,
        receivers: &[Receiver],
    ) -> Option<Escalation> {
        let e = &decl.value;
        let from = e.from.as_ref().map_or(DelayFrom::Start, |f| f.value);
        if e.levels.is_empty() {
            self.error(
                Code::InvalidValue,
                "escalation needs at least one level",
                decl.span,
                "no levels",
            );
        }
        let mut levels = Vec::new();
        let mut previous: Option<u64> = None;
        for level in &e.levels {
            let after = self.duration(&level.after, "after");
            if let (Some(after), Some(prev), DelayFrom::Start) = (after, previous, from)
                && after <= prev
            {
                self.error(
                    Code::EscalationOrder,
                    "escalation levels are out of order: each level's `after` counts from the start and must be later than the one before",
                    level.after.span,
                    "not later than the level before",
                )
                .help = Some("order the levels by delay, or write `from: previous` to count each delay from the level before".into());
            }
            if level.notify.is_empty() {
                self.error(
                    Code::InvalidValue,
                    "an escalation level notifies no one",
                    level.span,
                    "this level",
                );
            }
            let targets = level
                .notify
                .iter()
                .filter_map(|t| self.target(t, receivers))
                .collect();
            previous = after.or(previous);
            levels.push(Level {
                after_ms: after.unwrap_or(0),
                targets,
            });
        }
        let ack_expiry_ms = e
            .ack_expiry
            .as_ref()
            .and_then(|d| self.duration(d, "ack_expiry"));
        Some(Escalation {
            from,
            levels,
            ack_expiry_ms,
        })
    }

    fn target(&mut self, decl: &Spanned<TargetDecl>, receivers: &[Receiver]) -> Option<Target> {
        let t = &decl.value;
        let given: Vec<(&str, &Spanned<String>)> = [
            ("persona", &t.persona),
            ("team", &t.team),
            ("person", &t.person),
            ("channel", &t.channel),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        let [(kind, name)] = given.as_slice() else {
            self.error(
                Code::InvalidValue,
                "a target is exactly one of `persona`, `team`, `person` or `channel`",
                decl.span,
                "this target",
            );
            return None;
        };
        match *kind {
            "persona" => self.persona(name),
            "channel" => {
                self.receiver(name, receivers)?;
            }
            _ => {}
        }
        Some(Target {
            kind: (*kind).to_owned(),
            name: name.value.clone(),
        })
    }
}
