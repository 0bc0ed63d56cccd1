//! The step function: one event in, the instructions out, the state moved on.
//!
//! Every event is first checked against the state without changing it (a refused event leaves
//! the release as it was), then applied, then the release advances as far as it can at the
//! event's time and says what it waits for next.

use super::compiled::{CompiledRelease, Environment, Step, StrategyKind};
use super::error::ReleaseError;
use super::event::{AnalysisResult, CheckResult, GateVerdict, ReleaseEvent};
use super::schedule;
use super::state::{
    ApprovalRecord, BreakGlassRecord, GateRecord, Instruction, LogEntry, Outcome, Phase,
    ReleaseDecision, ReleaseState, ValidationRecord, Wait, WaitFor, analysis_text,
};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::machine;
use crate::policy::CompiledPolicy;
use crate::units::duration::format_duration;

/// How many moves one event may make (each a step, a phase or an environment): far more than
/// any policy needs; a bound so that no state can loop.
const MAX_MOVES: usize = 100_000;

fn error(code: Code, message: String, help: &str) -> ReleaseError {
    Diagnostic::error(code, message)
        .with_help(help)
        .with_source(machine::SOURCE)
        .into()
}

/// Takes one event: the instructions it gives, and where the release stands.
///
/// # Errors
/// A coded [`ReleaseError`], the state unchanged: `KIRO-E042` time went backwards, `E104` a
/// policy without environments, `E105` an event after the end, `E106` an approval from a
/// persona not asked, `E107` an approval by the author, `E108` a duplicate, `E109` an unknown
/// environment, persona, check or gate, `E110` an event the release does not wait for,
/// `E111` an incomplete break-glass, `E112` a promotion past an analysis that has not passed.
pub fn step(
    state: &mut ReleaseState,
    policy: &CompiledPolicy,
    event: &ReleaseEvent,
) -> Result<ReleaseDecision, ReleaseError> {
    let release = super::release_of(policy)?;
    step_in(state, release, event)
}

pub(crate) fn step_in(
    state: &mut ReleaseState,
    release: &CompiledRelease,
    event: &ReleaseEvent,
) -> Result<ReleaseDecision, ReleaseError> {
    let at = event.at_ms();
    if let Some(last) = state.last_ms {
        machine::check_time(last, at)?;
    }
    if let Phase::Done(outcome) = state.phase {
        return Err(error(
            Code::ReleaseDone,
            format!(
                "the release is done ({}); it takes no `{}`",
                match outcome {
                    Outcome::Released => "released",
                    Outcome::Rejected => "rejected",
                },
                event.name()
            ),
            "start a new release for another version",
        ));
    }
    check(state, release, event)?;
    let mut out = Vec::new();
    apply(state, release, event, &mut out);
    advance(state, release, at, &mut out);
    state.last_ms = Some(at);
    for i in &out {
        state.log.push(LogEntry {
            at_ms: at,
            kind: "instruction".to_owned(),
            text: format!("{}: {}", i.name(), i.reason()),
        });
    }
    Ok(ReleaseDecision {
        at_ms: at,
        event: event.name().to_owned(),
        environment: match state.phase {
            Phase::NotStarted => None,
            _ => release.environments.get(state.env).map(|e| e.name.clone()),
        },
        phase: state.phase.clone(),
        weight: state.weight,
        instructions: out,
        next: state.waiting.clone(),
    })
}

/// The environment named `name`, or `E109`.
fn environment<'r>(
    release: &'r CompiledRelease,
    name: &str,
) -> Result<(usize, &'r Environment), ReleaseError> {
    release
        .environments
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == name)
        .ok_or_else(|| {
            let names = release.environment_names();
            let hint = did_you_mean(name, names.iter().copied()).map_or_else(
                || format!("the environments are: {}", names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            error(
                Code::UnknownReleaseReference,
                format!("unknown environment `{name}`"),
                &hint,
            )
        })
}

fn unknown(what: &str, name: &str, env: &str, known: &[&str]) -> ReleaseError {
    let hint = did_you_mean(name, known.iter().copied()).map_or_else(
        || {
            format!(
                "environment `{env}` has: {}",
                if known.is_empty() {
                    "(none)".to_owned()
                } else {
                    known.join(", ")
                }
            )
        },
        |s| format!("did you mean `{s}`?"),
    );
    error(
        Code::UnknownReleaseReference,
        format!("environment `{env}` has no {what} `{name}`"),
        &hint,
    )
}

fn not_waiting(message: String) -> ReleaseError {
    error(
        Code::NotWaiting,
        message,
        "the decision's `next` says what the release waits for",
    )
}

/// Whether the new version is deployed (or being deployed) in the current environment.
fn deployed(phase: &Phase) -> bool {
    matches!(
        phase,
        Phase::Deploying
            | Phase::RollingOut
            | Phase::Held
            | Phase::Validating
            | Phase::Soaking
            | Phase::Promotable
    )
}

fn current_step<'r>(state: &ReleaseState, release: &'r CompiledRelease) -> Option<&'r Step> {
    release
        .environments
        .get(state.env)
        .and_then(|e| e.strategy.steps.get(state.step))
}

/// Checks `event` against the state, changing nothing.
fn check(
    state: &ReleaseState,
    release: &CompiledRelease,
    event: &ReleaseEvent,
) -> Result<(), ReleaseError> {
    let started = state.phase != Phase::NotStarted;
    match event {
        ReleaseEvent::Start { .. } if started => {
            return Err(error(
                Code::DuplicateEvent,
                "the release has already started".to_owned(),
                "a release takes one `start`; start a new release for another version",
            ));
        }
        ReleaseEvent::Start { .. } | ReleaseEvent::Tick { .. } => return Ok(()),
        _ if !started => {
            return Err(not_waiting(format!(
                "the release has not started; it takes no `{}` before `start`",
                event.name()
            )));
        }
        _ => {}
    }
    match event {
        ReleaseEvent::Gate {
            environment: env,
            gate,
            ..
        } => {
            let (_, e) = environment(release, env)?;
            if !e.gates.iter().any(|g| g == gate) {
                let known: Vec<&str> = e.gates.iter().map(String::as_str).collect();
                return Err(unknown("entry gate", gate, env, &known));
            }
        }
        ReleaseEvent::Validation {
            environment: env,
            persona,
            check,
            ..
        } => {
            let (i, e) = environment(release, env)?;
            let personas: Vec<&str> = e.validations.iter().map(|v| v.persona.as_str()).collect();
            let Some(v) = e.validations.iter().find(|v| v.persona == *persona) else {
                return Err(unknown("validating persona", persona, env, &personas));
            };
            if !v.checks.iter().any(|c| c == check) {
                let checks: Vec<&str> = v.checks.iter().map(String::as_str).collect();
                return Err(unknown(
                    &format!("check of `{persona}`"),
                    check,
                    env,
                    &checks,
                ));
            }
            if i != state.env || !deployed(&state.phase) || state.phase == Phase::Deploying {
                return Err(not_waiting(format!(
                    "a validation of `{env}`, where the release is not deployed now"
                )));
            }
            if state
                .validations
                .iter()
                .any(|r| r.persona == *persona && r.check == *check)
            {
                return Err(error(
                    Code::DuplicateEvent,
                    format!("`{persona}` already gave a result for `{check}` in `{env}`"),
                    "a check gives one result per attempt; `retry` after a roll-back starts a new attempt",
                ));
            }
        }
        ReleaseEvent::Analysis {
            environment: env, ..
        } => {
            let (i, _) = environment(release, env)?;
            let running = i == state.env
                && state.phase == Phase::RollingOut
                && state.step_started_ms.is_some()
                && matches!(current_step(state, release), Some(Step::Analysis { .. }));
            if !running {
                return Err(not_waiting(format!(
                    "an analysis result for `{env}`, where no analysis runs"
                )));
            }
        }
        ReleaseEvent::Approve {
            environment: env,
            who,
            persona,
            at_ms,
        }
        | ReleaseEvent::Reject {
            environment: env,
            who,
            persona,
            at_ms,
            ..
        } => {
            let (i, e) = environment(release, env)?;
            let Some(approval) = &e.approval else {
                return Err(error(
                    Code::NotAskedApprover,
                    format!("environment `{env}` asks for no approval"),
                    "only environments with `approval:` take approvals and rejections",
                ));
            };
            if !approval.personas.iter().any(|p| p == persona) {
                return Err(error(
                    Code::NotAskedApprover,
                    format!("persona `{persona}` is not asked to approve `{env}`"),
                    &format!("`{env}` asks: {}", approval.personas.join(", ")),
                ));
            }
            if i < state.env
                || (i == state.env
                    && state.phase != Phase::Entering
                    && state.phase != Phase::Halted)
            {
                return Err(not_waiting(format!(
                    "the release has already entered `{env}`"
                )));
            }
            if let ReleaseEvent::Approve { .. } = event {
                if approval.separation_of_duties && state.author.as_deref() == Some(who.as_str()) {
                    return Err(error(
                        Code::AuthorApproval,
                        format!("`{who}` is the author of the change and cannot approve it"),
                        "separation of duties: someone else of the approving personas must approve",
                    ));
                }
                let live = |r: &&ApprovalRecord| {
                    approval
                        .expires_ms
                        .is_none_or(|x| r.at_ms.saturating_add(x) > *at_ms)
                };
                if state
                    .approvals
                    .iter()
                    .filter(live)
                    .any(|r| r.environment == *env && r.who == *who)
                {
                    return Err(error(
                        Code::DuplicateEvent,
                        format!("`{who}` has already approved `{env}`"),
                        "an approval counts once per person; ask another approver",
                    ));
                }
            }
        }
        ReleaseEvent::Deployed {
            environment: env, ..
        } => {
            let (i, _) = environment(release, env)?;
            if i != state.env || state.phase != Phase::Deploying {
                let dup = i == state.env && deployed(&state.phase);
                return Err(error(
                    if dup {
                        Code::DuplicateEvent
                    } else {
                        Code::NotWaiting
                    },
                    if dup {
                        format!("`{env}` is already deployed")
                    } else {
                        format!("no deploy to `{env}` is asked for")
                    },
                    "answer each `deploy` instruction with one `deployed`",
                ));
            }
        }
        ReleaseEvent::Promote { .. } | ReleaseEvent::PromoteFull { .. } => {
            let full = matches!(event, ReleaseEvent::PromoteFull { .. });
            match &state.phase {
                Phase::Promotable => {}
                Phase::Held => {
                    return Err(error(
                        Code::AnalysisNotPassed,
                        "the last analysis did not pass; the release is not promoted past it"
                            .to_owned(),
                        "`retry` the analysis, or `abort`",
                    ));
                }
                Phase::RollingOut => match current_step(state, release) {
                    Some(Step::Analysis { .. }) => {
                        return Err(error(
                            Code::AnalysisNotPassed,
                            "an analysis is running; the release is not promoted past it"
                                .to_owned(),
                            "wait for the analysis result",
                        ));
                    }
                    Some(_) => {}
                    None => return Err(not_waiting("nothing to promote".to_owned())),
                },
                other => {
                    return Err(not_waiting(format!(
                        "a `{}` while the release is {}",
                        if full { "promote_full" } else { "promote" },
                        phase_words(other)
                    )));
                }
            }
            if let ReleaseEvent::PromoteFull { who, .. } = event
                && who.trim().is_empty()
            {
                return Err(error(
                    Code::InvalidValue,
                    "a `promote_full` names who promotes".to_owned(),
                    "give `who`",
                ));
            }
        }
        ReleaseEvent::Abort { .. } => {
            if state.phase == Phase::Halted {
                return Err(not_waiting("the release is already halted".to_owned()));
            }
        }
        ReleaseEvent::Retry { .. } => {
            if !matches!(state.phase, Phase::Held | Phase::Halted) {
                return Err(not_waiting(format!(
                    "a `retry` while the release is {}",
                    phase_words(&state.phase)
                )));
            }
        }
        ReleaseEvent::BreakGlass {
            environment: env,
            who,
            approver,
            reason,
            ..
        } => {
            environment(release, env)?;
            let missing: Vec<&str> = [("who", who), ("approver", approver), ("reason", reason)]
                .into_iter()
                .filter(|(_, v)| v.trim().is_empty())
                .map(|(k, _)| k)
                .collect();
            if !missing.is_empty() {
                return Err(error(
                    Code::IncompleteBreakGlass,
                    format!("a break-glass override needs {}", missing.join(", ")),
                    "name who asks, who approved the override, and why",
                ));
            }
        }
        ReleaseEvent::Start { .. } | ReleaseEvent::Tick { .. } => {}
    }
    Ok(())
}

fn phase_words(phase: &Phase) -> &'static str {
    match phase {
        Phase::NotStarted => "not started",
        Phase::Entering => "entering an environment",
        Phase::Deploying => "deploying",
        Phase::RollingOut => "rolling out",
        Phase::Held => "held on an analysis",
        Phase::Validating => "waiting for validations",
        Phase::Soaking => "soaking",
        Phase::Promotable => "ready to promote",
        Phase::Halted => "halted",
        Phase::Done(_) => "done",
    }
}

fn log(state: &mut ReleaseState, at: u64, kind: &str, text: String) {
    state.log.push(LogEntry {
        at_ms: at,
        kind: kind.to_owned(),
        text,
    });
}

fn roll_back(
    state: &mut ReleaseState,
    env: &Environment,
    reason: String,
    out: &mut Vec<Instruction>,
) {
    out.push(Instruction::RollBack {
        environment: env.name.clone(),
        to: state.previous.clone(),
        reason,
    });
    state.phase = Phase::Halted;
    state.weight = 0;
    state.step_started_ms = None;
}

/// Changes the state for `event` (already checked).
fn apply(
    state: &mut ReleaseState,
    release: &CompiledRelease,
    event: &ReleaseEvent,
    out: &mut Vec<Instruction>,
) {
    let at = event.at_ms();
    let Some(env) = release.environments.get(state.env) else {
        return;
    };
    match event {
        ReleaseEvent::Start {
            version,
            author,
            previous,
            ..
        } => {
            state.version = Some(version.clone());
            state.author.clone_from(author);
            state.previous.clone_from(previous);
            state.phase = Phase::Entering;
            state.env = 0;
            log(state, at, "start", format!("release of {version} started"));
        }
        ReleaseEvent::Gate {
            environment,
            gate,
            verdict,
            ..
        } => {
            match state
                .gates
                .iter_mut()
                .find(|g| g.environment == *environment && g.gate == *gate)
            {
                Some(g) => g.verdict = *verdict,
                None => state.gates.push(GateRecord {
                    environment: environment.clone(),
                    gate: gate.clone(),
                    verdict: *verdict,
                }),
            }
        }
        ReleaseEvent::Validation {
            persona,
            check,
            result,
            who,
            ..
        } => {
            state.validations.push(ValidationRecord {
                persona: persona.clone(),
                check: check.clone(),
                result: *result,
            });
            let by = who
                .as_deref()
                .map(|w| format!(" by {w}"))
                .unwrap_or_default();
            let required = env
                .validations
                .iter()
                .any(|v| v.persona == *persona && v.required);
            log(
                state,
                at,
                "validation",
                format!(
                    "{persona} {check} in {}: {}{by}{}",
                    env.name,
                    match result {
                        CheckResult::Pass => "pass",
                        CheckResult::Fail => "fail",
                    },
                    if required { "" } else { " (advisory)" }
                ),
            );
            if *result == CheckResult::Fail && required {
                roll_back(
                    state,
                    env,
                    format!(
                        "required check `{check}` of `{persona}` failed in `{}`",
                        env.name
                    ),
                    out,
                );
            }
        }
        ReleaseEvent::Analysis { result, detail, .. } => {
            let text = analysis_text(*result, detail.as_deref());
            log(state, at, "analysis", format!("{} in {}", text, env.name));
            match result {
                AnalysisResult::Pass => {
                    state.step += 1;
                    state.step_started_ms = None;
                }
                AnalysisResult::Fail => {
                    roll_back(state, env, format!("{text} in `{}`", env.name), out)
                }
                AnalysisResult::Inconclusive | AnalysisResult::Error => state.phase = Phase::Held,
            }
        }
        ReleaseEvent::Approve {
            environment,
            who,
            persona,
            ..
        } => {
            state.approvals.push(ApprovalRecord {
                environment: environment.clone(),
                who: who.clone(),
                persona: persona.clone(),
                at_ms: at,
            });
            log(
                state,
                at,
                "approval",
                format!("{who} ({persona}) approved {environment}"),
            );
        }
        ReleaseEvent::Reject {
            environment,
            who,
            persona,
            reason,
            ..
        } => {
            let why = reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let text = format!("{who} ({persona}) rejected {environment}{why}");
            log(state, at, "rejection", text.clone());
            state.phase = Phase::Done(Outcome::Rejected);
            state.waiting = None;
            out.push(Instruction::Done {
                outcome: Outcome::Rejected,
                reason: text,
            });
        }
        ReleaseEvent::Deployed { .. } => {
            state.phase = Phase::RollingOut;
            state.step = 0;
            state.step_started_ms = None;
        }
        ReleaseEvent::Promote { who, .. } => {
            let by = who
                .as_deref()
                .map(|w| format!(" by {w}"))
                .unwrap_or_default();
            log(
                state,
                at,
                "promote",
                format!("promoted{by} in {}", env.name),
            );
            if state.phase == Phase::Promotable {
                promote_next(state, release, format!("promoted{by}"), out);
            } else {
                match current_step(state, release) {
                    Some(Step::Switch { .. }) => {
                        switch(state, env, format!("switch promoted{by}"), out)
                    }
                    Some(Step::ScaleDown { .. }) => out.push(Instruction::ScaleDown {
                        environment: env.name.clone(),
                        reason: format!("scale-down promoted{by}"),
                    }),
                    _ => {}
                }
                state.step += 1;
                state.step_started_ms = None;
            }
        }
        ReleaseEvent::PromoteFull { who, reason, .. } => {
            let why = reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            if state.phase == Phase::Promotable {
                log(
                    state,
                    at,
                    "promote_full",
                    format!("promoted fully by {who}{why}"),
                );
                promote_next(state, release, format!("promoted fully by {who}{why}"), out);
            } else {
                let skipped: Vec<String> = env
                    .strategy
                    .steps
                    .get(state.step..)
                    .unwrap_or_default()
                    .iter()
                    .map(Step::describe)
                    .collect();
                let text = format!(
                    "promoted fully by {who}{why}, skipping {}",
                    if skipped.is_empty() {
                        "nothing".to_owned()
                    } else {
                        skipped.join("; ")
                    }
                );
                log(state, at, "promote_full", format!("{text} in {}", env.name));
                let target = final_weight(env);
                out.push(Instruction::SetWeight {
                    environment: env.name.clone(),
                    weight: target,
                    reason: text,
                });
                state.weight = target;
                state.step = env.strategy.steps.len();
                state.step_started_ms = None;
            }
        }
        ReleaseEvent::Abort { who, reason, .. } => {
            let by = who
                .as_deref()
                .map(|w| format!(" by {w}"))
                .unwrap_or_default();
            let why = reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let text = format!("aborted{by}{why}");
            log(state, at, "abort", format!("{text} in {}", env.name));
            if deployed(&state.phase) {
                roll_back(state, env, text, out);
            } else {
                state.phase = Phase::Halted;
            }
        }
        ReleaseEvent::Retry { who, .. } => {
            let by = who
                .as_deref()
                .map(|w| format!(" by {w}"))
                .unwrap_or_default();
            log(state, at, "retry", format!("retry{by} in {}", env.name));
            if state.phase == Phase::Held {
                state.phase = Phase::RollingOut;
                state.step_started_ms = None;
            } else {
                reset_environment(state);
            }
        }
        ReleaseEvent::BreakGlass {
            environment,
            who,
            approver,
            reason,
            ..
        } => {
            state.overrides.push(BreakGlassRecord {
                environment: environment.clone(),
                who: who.clone(),
                approver: approver.clone(),
                reason: reason.clone(),
                at_ms: at,
            });
            log(
                state,
                at,
                "break_glass",
                format!(
                    "{who} overrode the windows of {environment}, approved by {approver}: {reason}"
                ),
            );
        }
        ReleaseEvent::Tick { .. } => {}
    }
}

fn reset_environment(state: &mut ReleaseState) {
    state.phase = Phase::Entering;
    state.step = 0;
    state.step_started_ms = None;
    state.weight = 0;
    state.soak_until_ms = None;
    state.validations.clear();
}

/// The weight the rollout ends at: the environment's traffic (all instances, rolling).
fn final_weight(env: &Environment) -> u32 {
    if env.strategy.kind == StrategyKind::Rolling {
        100
    } else {
        env.traffic
    }
}

fn switch(state: &mut ReleaseState, env: &Environment, why: String, out: &mut Vec<Instruction>) {
    out.push(Instruction::SetWeight {
        environment: env.name.clone(),
        weight: env.traffic,
        reason: format!(
            "{why}: the new stack takes the environment's traffic ({}%)",
            env.traffic
        ),
    });
    state.weight = env.traffic;
}

fn promote_next(
    state: &mut ReleaseState,
    release: &CompiledRelease,
    why: String,
    out: &mut Vec<Instruction>,
) {
    let Some(env) = release.environments.get(state.env) else {
        return;
    };
    match release.environments.get(state.env + 1) {
        None => {
            state.phase = Phase::Done(Outcome::Released);
            state.waiting = None;
            out.push(Instruction::Done {
                outcome: Outcome::Released,
                reason: format!(
                    "released through every environment: {}",
                    release.environment_names().join(", ")
                ),
            });
        }
        Some(next) => {
            out.push(Instruction::Promote {
                from: env.name.clone(),
                to: next.name.clone(),
                reason: why,
            });
            state.env += 1;
            reset_environment(state);
        }
    }
}

fn set_wait(state: &mut ReleaseState, wait: Wait, out: &mut Vec<Instruction>) {
    // A wait is given again when it changes, or after other instructions (a new analysis,
    // a new weight), so that each batch of instructions ends with what it waits for.
    if state.waiting.as_ref() != Some(&wait) || !out.is_empty() {
        out.push(Instruction::Wait(wait.clone()));
    }
    state.waiting = Some(wait);
}

fn wait(env: &Environment, wait_for: WaitFor, reason: String, unblock: &str) -> Wait {
    Wait {
        environment: Some(env.name.clone()),
        wait_for,
        until_ms: None,
        window: None,
        personas: Vec::new(),
        reason,
        unblock: unblock.to_owned(),
    }
}

fn overridden(state: &ReleaseState, env: &Environment) -> bool {
    state.overrides.iter().any(|o| o.environment == env.name)
}

/// The wait on `env`'s windows at `at`, if they are closed and not overridden.
fn window_wait(state: &ReleaseState, env: &Environment, at: u64, what: &str) -> Option<Wait> {
    if env.windows.is_empty() || overridden(state, env) {
        return None;
    }
    if schedule::is_open(&env.windows, at) {
        return None;
    }
    let status = schedule::status(&env.windows, at);
    let opens = status.opens_at_ms.map_or_else(
        || "no window opens again".to_owned(),
        |o| format!("opens at {}", super::plan::format_instant(o)),
    );
    Some(Wait {
        environment: Some(env.name.clone()),
        wait_for: WaitFor::Window,
        until_ms: status.opens_at_ms,
        window: status.window.clone(),
        personas: Vec::new(),
        reason: if status.reason.contains("opens at") {
            format!("{what} `{}` waits: {}", env.name, status.reason)
        } else {
            format!("{what} `{}` waits: {}; {opens}", env.name, status.reason)
        },
        unblock:
            "a `tick` once the window opens, or a `break_glass` with a reason and a named approver"
                .to_owned(),
    })
}

/// The approvals of `env` that count at `at`, and the expired ones.
fn approvals_at<'s>(
    state: &'s ReleaseState,
    env: &Environment,
    at: u64,
) -> (Vec<&'s ApprovalRecord>, Vec<&'s ApprovalRecord>) {
    let Some(approval) = &env.approval else {
        return (Vec::new(), Vec::new());
    };
    state
        .approvals
        .iter()
        .filter(|r| r.environment == env.name)
        .partition(|r| {
            approval
                .expires_ms
                .is_none_or(|x| r.at_ms.saturating_add(x) > at)
        })
}

/// Moves the release on as far as it goes at `at`, and sets what it waits for.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per phase, read top to bottom"
)]
fn advance(
    state: &mut ReleaseState,
    release: &CompiledRelease,
    at: u64,
    out: &mut Vec<Instruction>,
) {
    for _ in 0..MAX_MOVES {
        let Some(env) = release.environments.get(state.env) else {
            return;
        };
        match state.phase {
            Phase::NotStarted | Phase::Done(_) => return,
            Phase::Entering => {
                for gate in &env.gates {
                    let verdict = state
                        .gates
                        .iter()
                        .find(|g| g.environment == env.name && g.gate == *gate)
                        .map(|g| g.verdict);
                    let reason = match verdict {
                        Some(GateVerdict::Pass | GateVerdict::Warn) => continue,
                        Some(GateVerdict::Fail) => {
                            format!("entry gate `{gate}` of `{}` failed", env.name)
                        }
                        None => {
                            format!("entry gate `{gate}` of `{}` has no decision yet", env.name)
                        }
                    };
                    let w = wait(
                        env,
                        WaitFor::Gate,
                        reason,
                        &format!("a `gate` event: `{gate}` passes"),
                    );
                    return set_wait(state, w, out);
                }
                if let Some(approval) = &env.approval {
                    let (live, expired) = approvals_at(state, env, at);
                    let mut people: Vec<&str> = live.iter().map(|r| r.who.as_str()).collect();
                    people.sort_unstable();
                    people.dedup();
                    let have = u32::try_from(people.len()).unwrap_or(u32::MAX);
                    if have < approval.count {
                        let mut reason = format!(
                            "`{}` needs {} approval(s) by {} ({have} given)",
                            env.name,
                            approval.count,
                            approval.personas.join(" or ")
                        );
                        if let Some(last) = expired.last() {
                            let until = approval
                                .expires_ms
                                .map_or(0, |x| last.at_ms.saturating_add(x));
                            reason.push_str(&format!(
                                "; the approval by {} ({}) expired at {}",
                                last.who,
                                last.persona,
                                super::plan::format_instant(until)
                            ));
                        }
                        if approval.separation_of_duties
                            && let Some(author) = &state.author
                        {
                            reason.push_str(&format!("; the author {author} cannot approve"));
                        }
                        let mut w = wait(
                            env,
                            WaitFor::Approval,
                            reason,
                            "an `approve` by one of the personas asked",
                        );
                        w.personas.clone_from(&approval.personas);
                        return set_wait(state, w, out);
                    }
                }
                if let Some(w) = window_wait(state, env, at, "deploying to") {
                    return set_wait(state, w, out);
                }
                let weight = if env.strategy.kind == StrategyKind::Direct {
                    env.traffic
                } else {
                    0
                };
                let gates = if env.gates.is_empty() {
                    "no entry gates".to_owned()
                } else {
                    format!("entry gates passed ({})", env.gates.join(", "))
                };
                let approvals = match &env.approval {
                    None => "no approval asked".to_owned(),
                    Some(a) => {
                        let (live, _) = approvals_at(state, env, at);
                        let mut who: Vec<&str> = live.iter().map(|r| r.who.as_str()).collect();
                        who.sort_unstable();
                        who.dedup();
                        format!(
                            "approved by {} of {} needed ({})",
                            who.len(),
                            a.count,
                            who.join(", ")
                        )
                    }
                };
                let mut reason = format!(
                    "entering `{}`: {gates}; {approvals}; {}",
                    env.name,
                    if overridden(state, env) {
                        "windows overridden by break-glass".to_owned()
                    } else {
                        schedule::status(&env.windows, at).reason
                    }
                );
                if weight == 0 && env.strategy.kind != StrategyKind::Direct {
                    reason.push_str(&format!(
                        "; {} starts with no traffic",
                        env.strategy.kind.as_str()
                    ));
                }
                out.push(Instruction::Deploy {
                    environment: env.name.clone(),
                    version: state.version.clone().unwrap_or_default(),
                    weight,
                    reason,
                });
                state.weight = weight;
                state.phase = Phase::Deploying;
            }
            Phase::Deploying => {
                let w = wait(
                    env,
                    WaitFor::Deployment,
                    format!("the deploy to `{}` is under way", env.name),
                    "a `deployed` event",
                );
                return set_wait(state, w, out);
            }
            Phase::RollingOut => {
                let Some(step) = env.strategy.steps.get(state.step) else {
                    let target = final_weight(env);
                    if state.weight != target {
                        out.push(Instruction::SetWeight {
                            environment: env.name.clone(),
                            weight: target,
                            reason: format!(
                                "{} rollout done: the environment's full weight ({target}%)",
                                env.strategy.kind.as_str()
                            ),
                        });
                        state.weight = target;
                    }
                    state.phase = Phase::Validating;
                    continue;
                };
                let starting = state.step_started_ms.is_none();
                if starting
                    && env.stop_at_next_step
                    && matches!(step, Step::SetWeight { .. } | Step::Switch { .. })
                    && let Some(w) = window_wait(state, env, at, "the next step in")
                {
                    return set_wait(state, w, out);
                }
                let started = *state.step_started_ms.get_or_insert(at);
                let n = env.strategy.steps.len();
                let of = format!("step {} of {n}", state.step + 1);
                match step {
                    Step::SetWeight { weight } => {
                        let mut reason = format!(
                            "{} {of} in `{}`: weight {weight}%",
                            env.strategy.kind.as_str(),
                            env.name
                        );
                        if env.strategy.kind == StrategyKind::Canary {
                            reason.push_str(&format!(" (max {}%)", env.strategy.max_weight));
                        }
                        if let Some(limits) = &env.strategy.limits {
                            reason.push_str(&format!(" ({limits})"));
                        }
                        if !env.windows.is_empty()
                            && !overridden(state, env)
                            && !schedule::is_open(&env.windows, at)
                        {
                            reason.push_str(
                                "; the window has closed, the rollout finishes (on_close finish)",
                            );
                        }
                        out.push(Instruction::SetWeight {
                            environment: env.name.clone(),
                            weight: *weight,
                            reason,
                        });
                        state.weight = *weight;
                        state.step += 1;
                        state.step_started_ms = None;
                    }
                    Step::Pause { duration_ms } => {
                        let until = started.saturating_add(*duration_ms);
                        if at >= until {
                            state.step += 1;
                            state.step_started_ms = None;
                            continue;
                        }
                        let mut w = wait(
                            env,
                            WaitFor::Pause,
                            format!(
                                "{of} in `{}`: pause {} at weight {}%",
                                env.name,
                                format_duration(*duration_ms),
                                state.weight
                            ),
                            "a `tick` at or after the end of the pause, or a `promote`",
                        );
                        w.until_ms = Some(until);
                        return set_wait(state, w, out);
                    }
                    Step::PauseUntilPromoted => {
                        let w = wait(
                            env,
                            WaitFor::Promotion,
                            format!(
                                "{of} in `{}`: paused at weight {}% until promoted",
                                env.name, state.weight
                            ),
                            "a `promote` (or `promote_full`)",
                        );
                        return set_wait(state, w, out);
                    }
                    Step::Analysis { triggers, phase } => {
                        if starting {
                            out.push(Instruction::RunAnalysis {
                                environment: env.name.clone(),
                                triggers: triggers.clone(),
                                phase: (*phase).to_owned(),
                                reason: format!(
                                    "{of} in `{}`: {phase} analysis at weight {}%",
                                    env.name, state.weight
                                ),
                            });
                        }
                        let w = wait(
                            env,
                            WaitFor::Analysis,
                            format!(
                                "{phase} analysis of [{}] in `{}`",
                                triggers.join(", "),
                                env.name
                            ),
                            "an `analysis` event: pass goes on, fail rolls back, inconclusive or error holds for a human",
                        );
                        return set_wait(state, w, out);
                    }
                    Step::Switch { auto_after_ms } => match auto_after_ms {
                        Some(delay) if at >= started.saturating_add(*delay) => {
                            let why = if *delay == 0 {
                                "blue-green switch (auto-promotion)".to_owned()
                            } else {
                                format!(
                                    "blue-green switch after the auto-promotion delay of {}",
                                    format_duration(*delay)
                                )
                            };
                            switch(state, env, why, out);
                            state.step += 1;
                            state.step_started_ms = None;
                        }
                        Some(delay) => {
                            let mut w = wait(
                                env,
                                WaitFor::Pause,
                                format!(
                                    "the new stack in `{}` switches after {}",
                                    env.name,
                                    format_duration(*delay)
                                ),
                                "a `tick` at or after the delay, or a `promote`",
                            );
                            w.until_ms = Some(started.saturating_add(*delay));
                            return set_wait(state, w, out);
                        }
                        None => {
                            let w = wait(
                                env,
                                WaitFor::Promotion,
                                format!(
                                    "the new stack in `{}` is ready; the switch waits for a promotion",
                                    env.name
                                ),
                                "a `promote`",
                            );
                            return set_wait(state, w, out);
                        }
                    },
                    Step::ScaleDown { delay_ms } => {
                        let until = started.saturating_add(*delay_ms);
                        if at >= until {
                            out.push(Instruction::ScaleDown {
                                environment: env.name.clone(),
                                reason: format!(
                                    "the old stack in `{}` scales down {} after the switch",
                                    env.name,
                                    format_duration(*delay_ms)
                                ),
                            });
                            state.step += 1;
                            state.step_started_ms = None;
                            continue;
                        }
                        let mut w = wait(
                            env,
                            WaitFor::Pause,
                            format!(
                                "the old stack in `{}` stays for the scale-down delay of {}",
                                env.name,
                                format_duration(*delay_ms)
                            ),
                            "a `tick` at or after the delay",
                        );
                        w.until_ms = Some(until);
                        return set_wait(state, w, out);
                    }
                }
            }
            Phase::Held => {
                let w = wait(
                    env,
                    WaitFor::Decision,
                    format!(
                        "the analysis in `{}` did not conclude; it never promotes",
                        env.name
                    ),
                    "a `retry` runs the analysis again; an `abort` rolls back",
                );
                return set_wait(state, w, out);
            }
            Phase::Validating => {
                let mut pending: Vec<String> = Vec::new();
                let mut personas: Vec<String> = Vec::new();
                for v in env.validations.iter().filter(|v| v.required) {
                    let missing: Vec<&str> = v
                        .checks
                        .iter()
                        .filter(|c| {
                            !state.validations.iter().any(|r| {
                                r.persona == v.persona
                                    && r.check == **c
                                    && r.result == CheckResult::Pass
                            })
                        })
                        .map(String::as_str)
                        .collect();
                    if !missing.is_empty() {
                        pending.push(format!("{}: {}", v.persona, missing.join(", ")));
                        personas.push(v.persona.clone());
                    }
                }
                if pending.is_empty() {
                    state.soak_until_ms = Some(at.saturating_add(env.soak_ms));
                    state.phase = Phase::Soaking;
                    continue;
                }
                let mut w = wait(
                    env,
                    WaitFor::Validation,
                    format!(
                        "`{}` waits for validations: {}",
                        env.name,
                        pending.join("; ")
                    ),
                    "a passing `validation` for each required check",
                );
                w.personas = personas;
                return set_wait(state, w, out);
            }
            Phase::Soaking => {
                let until = state.soak_until_ms.unwrap_or(at);
                if at >= until {
                    state.phase = Phase::Promotable;
                    continue;
                }
                let mut w = wait(
                    env,
                    WaitFor::Soak,
                    format!(
                        "soaking in `{}` for {} until {}",
                        env.name,
                        format_duration(env.soak_ms),
                        super::plan::format_instant(until)
                    ),
                    "a `tick` at or after the end of the soak",
                );
                w.until_ms = Some(until);
                return set_wait(state, w, out);
            }
            Phase::Promotable => {
                let last = state.env + 1 >= release.environments.len();
                if last {
                    promote_next(state, release, String::new(), out);
                } else if env.auto_promote {
                    let why = format!(
                        "`{}` auto-promotes: rollout, validations{} done",
                        env.name,
                        if env.soak_ms > 0 { " and soak" } else { "" }
                    );
                    promote_next(state, release, why, out);
                } else {
                    let w = wait(
                        env,
                        WaitFor::Promotion,
                        format!("`{}` is done and does not auto-promote", env.name),
                        "a `promote`",
                    );
                    return set_wait(state, w, out);
                }
            }
            Phase::Halted => {
                let w = wait(
                    env,
                    WaitFor::Decision,
                    format!("the release is halted in `{}`", env.name),
                    "a `retry` starts the environment again from its entry",
                );
                return set_wait(state, w, out);
            }
        }
    }
}
