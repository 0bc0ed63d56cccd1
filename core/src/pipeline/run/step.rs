//! [`step`]: one event in, effects out. Every decision of a run is taken here.

use super::error::{RunError, no_pipeline};
use super::exit::{ExitCheck, check_exit};
use super::result::conclude;
use super::state::{Inbox, LiveAttempt, LiveTimer, Phase, StageState, Stop, TimerFor};
use super::{
    AttemptOutcome, AttemptRecord, Event, RunEffect, RunEvent, RunOptions, RunResult, RunState,
    StageOutcome, StageReport, StageResult,
};
use crate::decision::Verdict;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::machine::{check_time, unexpected};
use crate::metrics::MetricsInput;
use crate::pipeline::{ActionFailure, CompiledPipeline, Stage};
use crate::policy::CompiledPolicy;
use crate::units::duration::{MAX_DURATION_MS, format_duration};
use std::collections::HashSet;

/// Takes `event` into `state` and returns what the host must do, in order. Deterministic: no
/// clock, no I/O; the same state and event give the same state and effects.
///
/// On an error the state is left as it was.
///
/// # Errors
/// [`Code::NoPipeline`] when the policy has none; [`Code::UnknownReference`] for a start whose
/// actions name no stage; [`Code::TimeWentBackwards`] for an event earlier than the last;
/// [`Code::UnexpectedEvent`] for an event before the start, a second start, a completion of an
/// attempt not in flight, a timer not set, or anything after the run is over.
pub fn step(
    state: &mut RunState,
    policy: &CompiledPolicy,
    event: RunEvent,
) -> Result<Vec<RunEffect>, RunError> {
    let pipeline = policy.pipeline().ok_or_else(no_pipeline)?;
    if state.finished {
        return Err(unexpected("the run is over: it takes no more events").into());
    }
    check_time(state.now_ms, event.at_ms())?;
    if !state.started() && !matches!(event, RunEvent::Start { .. }) {
        return Err(unexpected("the run has not started: its first event must be `start`").into());
    }
    match event {
        RunEvent::Start {
            at_ms,
            actions,
            options,
        } => start(state, pipeline, at_ms, &actions, options),
        RunEvent::Completed { at_ms, id, report } => {
            if !state.attempt_in_flight(id) {
                return Err(unexpected(format!("there is no attempt {id} in flight")).into());
            }
            if state
                .inbox
                .iter()
                .any(|i| matches!(i, Inbox::Completed { id: done, .. } if *done == id))
            {
                return Err(unexpected(format!("attempt {id} was already reported")).into());
            }
            state.now_ms = at_ms;
            state.inbox.push(Inbox::Completed { id, report });
            Ok(Vec::new())
        }
        RunEvent::TimerFired { at_ms, id } => {
            if !state.timer_set(id) {
                return Err(unexpected(format!("there is no timer {id} set")).into());
            }
            state.now_ms = at_ms;
            if !state
                .inbox
                .iter()
                .any(|i| matches!(i, Inbox::Fired { id: fired } if *fired == id))
            {
                state.inbox.push(Inbox::Fired { id });
            }
            Ok(Vec::new())
        }
        RunEvent::Interrupt { at_ms } => {
            state.now_ms = at_ms;
            state.interrupted = true;
            Ok(Vec::new())
        }
        RunEvent::Tick { at_ms } => {
            state.now_ms = at_ms;
            let mut run = Run {
                state,
                policy,
                pipeline,
                effects: Vec::new(),
            };
            run.tick();
            Ok(run.effects)
        }
    }
}

/// What [`replay`] gives: the state after the last event, and every effect in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The state after the last event.
    pub state: RunState,
    /// The effects of every event, in order.
    pub effects: Vec<RunEffect>,
}

/// Runs a recorded event log again from a new state: the same log gives the same state and
/// effects, byte for byte.
///
/// # Errors
/// The first error of [`step`].
pub fn replay(policy: &CompiledPolicy, events: &[RunEvent]) -> Result<Replay, RunError> {
    let mut state = RunState::new();
    let mut effects = Vec::new();
    for event in events {
        effects.extend(step(&mut state, policy, event.clone())?);
    }
    Ok(Replay { state, effects })
}

fn start(
    state: &mut RunState,
    pipeline: &CompiledPipeline,
    at_ms: u64,
    actions: &[String],
    options: RunOptions,
) -> Result<Vec<RunEffect>, RunError> {
    if state.started() {
        return Err(unexpected("the run has already started").into());
    }
    check_actions(pipeline, actions)?;
    let n = pipeline.stages.len();
    let actions: HashSet<&str> = actions.iter().map(String::as_str).collect();
    *state = RunState {
        origin_ms: Some(at_ms),
        now_ms: at_ms,
        max_parallel: options
            .max_parallel
            .or(pipeline.max_parallel)
            .map(|m| m.max(1)),
        fail_fast: options.fail_fast.unwrap_or(pipeline.fail_fast),
        stages: pipeline
            .stages
            .iter()
            .enumerate()
            .map(|(i, stage)| StageState {
                phase: Phase::Pending,
                waiting: pipeline.needs[i].len(),
                action: actions.contains(stage.name.as_str()),
                current: None,
                result: pending_result(stage),
                judged: None,
            })
            .collect(),
        ready: (0..n).filter(|&i| pipeline.needs[i].is_empty()).collect(),
        ..RunState::default()
    };
    Ok(pipeline
        .stages
        .iter()
        .map(|stage| RunEffect::Progress {
            event: Event::Queued {
                stage: stage.name.clone(),
                at_ms: 0,
            },
        })
        .collect())
}

/// Checks that every action names a stage.
///
/// # Errors
/// [`Code::UnknownReference`] for each action that names no stage (with a suggestion when
/// one is close).
pub(super) fn check_actions<S: AsRef<str>>(
    pipeline: &CompiledPipeline,
    actions: &[S],
) -> Result<(), RunError> {
    if actions.is_empty() {
        return Ok(());
    }
    let names = || pipeline.stages.iter().map(|s| s.name.as_str());
    let known: HashSet<&str> = names().collect();
    let unknown: Vec<Diagnostic> = actions
        .iter()
        .map(AsRef::as_ref)
        .filter(|a| !known.contains(a))
        .map(|a| unknown_action(a, did_you_mean(a, names())))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(RunError::new(unknown))
    }
}

fn unknown_action(name: &str, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        Code::UnknownReference,
        format!("there is an action for `{name}`, but the pipeline has no stage of that name"),
    )
    .with_source("actions");
    match suggestion {
        Some(s) => diagnostic.with_help(format!("did you mean `{s}`?")),
        None => diagnostic.with_help("every action must be named after a stage of the pipeline"),
    }
}

fn pending_result(stage: &Stage) -> StageResult {
    StageResult {
        name: stage.name.clone(),
        outcome: StageOutcome::Skipped,
        allowed_failure: false,
        reason: None,
        started_at_ms: None,
        duration_ms: None,
        attempts: Vec::new(),
        gate: None,
        diagnostics: Vec::new(),
    }
}

/// The result of a finished run.
pub(super) fn conclude_run(state: &RunState, policy: &CompiledPolicy) -> RunResult {
    let stages: Vec<StageResult> = state.stages.iter().map(|s| s.result.clone()).collect();
    let interrupted = state.stop == Some(Stop::Interrupted);
    let (verdict, summary) = conclude(&stages, interrupted);
    RunResult {
        policy: policy.reference().clone(),
        verdict,
        summary,
        interrupted,
        duration_ms: state
            .now_ms
            .saturating_sub(state.origin_ms.unwrap_or(state.now_ms)),
        stages,
    }
}

/// Something that ended at this moment, to be judged.
enum Work {
    /// An attempt ended.
    Ended { stage: usize, end: End },
    /// A backoff is over: start attempt `next`.
    Backoff { stage: usize, next: u32 },
}

impl Work {
    fn stage(&self) -> usize {
        match self {
            Work::Ended { stage, .. } | Work::Backoff { stage, .. } => *stage,
        }
    }
}

enum End {
    Report(StageReport),
    /// A stage without an action: it succeeded at once, with no observations.
    NoAction,
    TimedOut,
}

/// One tick in progress.
struct Run<'s, 'p> {
    state: &'s mut RunState,
    policy: &'p CompiledPolicy,
    pipeline: &'p CompiledPipeline,
    effects: Vec<RunEffect>,
}

impl Run<'_, '_> {
    /// Milliseconds since the run started.
    fn rel(&self) -> u64 {
        self.state
            .now_ms
            .saturating_sub(self.state.origin_ms.unwrap_or(self.state.now_ms))
    }

    fn emit(&mut self, event: Event) {
        self.effects.push(RunEffect::Progress { event });
    }

    fn new_id(&mut self) -> u64 {
        self.state.last_id += 1;
        self.state.last_id
    }

    /// Judges what ended by now in policy order, starts what became ready, and again, until
    /// nothing more happens at this moment; then ends the run if it is over.
    fn tick(&mut self) {
        let mut batch = self.take_ended();
        // What the batch started at once, judged in the next round; the two buffers swap.
        let mut next = Vec::new();
        loop {
            // Stable: the one item of a stage keeps its place.
            batch.sort_by_key(Work::stage);
            for work in batch.drain(..) {
                self.handle(work, &mut next);
            }
            if self.state.stop.is_some() {
                break;
            }
            if self.state.interrupted {
                self.state.stop = Some(Stop::Interrupted);
                break;
            }
            self.start_ready(&mut next);
            if next.is_empty() {
                break;
            }
            std::mem::swap(&mut batch, &mut next);
        }
        self.state.interrupted = false;
        if self.state.stop.is_some()
            || (self.state.attempts.is_empty() && self.state.timers.is_empty())
        {
            self.finish();
        }
    }

    /// The completions delivered, then the timers fired or due, as work.
    fn take_ended(&mut self) -> Vec<Work> {
        let inbox = std::mem::take(&mut self.state.inbox);
        let mut work = Vec::new();
        let mut fired = Vec::new();
        for item in inbox {
            match item {
                Inbox::Completed { id, report } => {
                    let Some(at) = self.state.attempts.iter().position(|a| a.id == id) else {
                        continue;
                    };
                    let attempt = self.state.attempts.remove(at);
                    if let Some(timer) = attempt.timer {
                        // An attempt that ends as its timeout falls due ended in time.
                        self.state.timers.retain(|t| t.id != timer);
                        self.effects.push(RunEffect::ClearTimer { id: timer });
                    }
                    work.push(Work::Ended {
                        stage: attempt.stage,
                        end: End::Report(report),
                    });
                }
                Inbox::Fired { id } => fired.push(id),
            }
        }
        let now = self.state.now_ms;
        let due: Vec<LiveTimer> = self
            .state
            .timers
            .iter()
            .filter(|t| t.due_ms <= now || fired.contains(&t.id))
            .cloned()
            .collect();
        self.state
            .timers
            .retain(|t| !due.iter().any(|d| d.id == t.id));
        for timer in due {
            match timer.purpose {
                TimerFor::Timeout => {
                    let Some(at) = self
                        .state
                        .attempts
                        .iter()
                        .position(|a| a.timer == Some(timer.id))
                    else {
                        continue;
                    };
                    let attempt = self.state.attempts.remove(at);
                    self.effects
                        .push(RunEffect::CancelAttempt { id: attempt.id });
                    work.push(Work::Ended {
                        stage: attempt.stage,
                        end: End::TimedOut,
                    });
                }
                TimerFor::Backoff { next } => work.push(Work::Backoff {
                    stage: timer.stage,
                    next,
                }),
            }
        }
        work
    }

    /// Starts stages whose needs are satisfied, in policy order, up to `max_parallel`.
    fn start_ready(&mut self, next: &mut Vec<Work>) {
        let limit = self.state.max_parallel.unwrap_or(usize::MAX);
        while self.state.running < limit {
            let Some(i) = self.state.ready.pop_first() else {
                break;
            };
            if self.state.stages[i].phase != Phase::Pending {
                continue;
            }
            self.state.stages[i].phase = Phase::Running;
            self.state.running += 1;
            self.state.stages[i].result.started_at_ms = Some(self.rel());
            self.start_attempt(i, 1, next);
        }
    }

    fn start_attempt(&mut self, i: usize, attempt: u32, next: &mut Vec<Work>) {
        let pipeline = self.pipeline;
        let stage = &pipeline.stages[i];
        let at_ms = self.rel();
        self.state.stages[i].current = Some((attempt, at_ms));
        self.emit(Event::Started {
            stage: stage.name.clone(),
            attempt,
            at_ms,
        });
        if !self.state.stages[i].action {
            next.push(Work::Ended {
                stage: i,
                end: End::NoAction,
            });
            return;
        }
        let id = self.new_id();
        self.effects.push(RunEffect::StartAttempt {
            id,
            stage: stage.name.clone(),
            attempt,
        });
        let timer = stage
            .timeout_ms
            .map(|ms| self.set_timer(i, ms, TimerFor::Timeout));
        self.state.attempts.push(LiveAttempt {
            id,
            stage: i,
            timer,
        });
    }

    fn set_timer(&mut self, stage: usize, ms: u64, purpose: TimerFor) -> u64 {
        let id = self.new_id();
        let at_ms = self.state.now_ms.saturating_add(ms);
        self.state.timers.push(LiveTimer {
            id,
            stage,
            due_ms: at_ms,
            purpose,
        });
        self.effects.push(RunEffect::SetTimer { id, at_ms, ms });
        id
    }

    fn handle(&mut self, work: Work, next: &mut Vec<Work>) {
        let (i, end) = match work {
            Work::Backoff { stage, next: n } => return self.start_attempt(stage, n, next),
            Work::Ended { stage, end } => (stage, end),
        };
        let now = self.rel();
        let (attempt, started_at_ms) = self.state.stages[i].current.take().unwrap_or((1, now));
        let (outcome, detail) = match &end {
            End::TimedOut => (AttemptOutcome::TimedOut, None),
            End::NoAction => (AttemptOutcome::Succeeded, None),
            End::Report(r) if r.success => (AttemptOutcome::Succeeded, r.detail.clone()),
            End::Report(r) => (AttemptOutcome::Failed, r.detail.clone()),
        };
        let attempts = &mut self.state.stages[i].result.attempts;
        // Most stages run once: room for one record, not the four a first push makes.
        attempts.reserve_exact(1);
        attempts.push(AttemptRecord {
            attempt,
            started_at_ms,
            duration_ms: now.saturating_sub(started_at_ms),
            outcome,
            detail,
        });
        let pipeline = self.pipeline;
        let stage = &pipeline.stages[i];
        match end {
            End::TimedOut => {
                let timeout_ms = stage.timeout_ms.unwrap_or_default();
                self.emit(Event::TimedOut {
                    stage: stage.name.clone(),
                    attempt,
                    timeout_ms,
                    at_ms: now,
                });
                let reason = format!("timed out after {}", format_duration(timeout_ms));
                if !(stage.retry_on.timeout && self.retry(i, attempt, &reason, next)) {
                    self.fail(i, StageOutcome::TimedOut, after_attempts(reason, attempt));
                }
            }
            End::Report(report) if !report.success => {
                // The outcome says it failed; the reason says how.
                let reason = report
                    .detail
                    .unwrap_or_else(|| "the action reported a failure".to_owned());
                let retry = stage.retry_on.retries_failure(report.exit_code);
                if retry && self.retry(i, attempt, &reason, next) {
                    return;
                }
                let reason = after_attempts(reason, attempt);
                if stage.on_action_failure == ActionFailure::Gate {
                    self.judge_exit(i, report.metrics, Some(reason));
                } else {
                    self.fail(i, StageOutcome::Failed, reason);
                }
            }
            End::Report(report) => self.judge_exit(i, report.metrics, None),
            End::NoAction => self.judge_exit(i, MetricsInput::default(), None),
        }
    }

    /// Tries stage `i` again after its attempt `attempt` ended for `reason`, when it has
    /// retries left; false when it has none.
    fn retry(&mut self, i: usize, attempt: u32, reason: &str, next: &mut Vec<Work>) -> bool {
        let pipeline = self.pipeline;
        let stage = &pipeline.stages[i];
        if attempt > stage.retries {
            return false;
        }
        // Doubling: backoff, 2 × backoff, 4 × backoff…
        let factor = 1u64.checked_shl(attempt - 1).unwrap_or(u64::MAX);
        let backoff_ms = stage.backoff_ms.saturating_mul(factor).min(MAX_DURATION_MS);
        let at_ms = self.rel();
        self.emit(Event::Retried {
            stage: stage.name.clone(),
            attempt,
            reason: reason.to_owned(),
            backoff_ms,
            at_ms,
        });
        let n = attempt + 1;
        if backoff_ms > 0 {
            self.set_timer(i, backoff_ms, TimerFor::Backoff { next: n });
        } else {
            next.push(Work::Backoff { stage: i, next: n });
        }
        true
    }

    /// Checks the stage's exit gate on what it reported. `failed` is why its action failed,
    /// when the exit gate decides on a failure (`on_action_failure: gate`).
    fn judge_exit(&mut self, i: usize, metrics: MetricsInput, failed: Option<String>) {
        let check = check_exit(self.policy, i, &metrics);
        // What a failure of the gate says first: the failed action, when there was one.
        let first = failed
            .as_ref()
            .map_or_else(String::new, |f| format!("{f}; "));
        if !matches!(check, ExitCheck::None) {
            // Kept so that a restore recomputes the decision instead of saving it.
            self.state.stages[i].judged = Some(Box::new(StageReport::success(metrics)));
        }
        match check {
            ExitCheck::None => match failed {
                // Not reached: a stage whose gate decides on a failure has an exit gate.
                Some(reason) => self.fail(i, StageOutcome::Failed, reason),
                None => self.pass(i, None),
            },
            ExitCheck::Decided { gate, decision } => {
                let verdict = decision.verdict;
                // The one gate selected by name says why, better than the decision's summary.
                let summary = decision
                    .gates
                    .first()
                    .map_or_else(|| decision.summary.clone(), |g| g.reason.clone());
                self.state.stages[i].result.gate = Some(*decision);
                if verdict == Verdict::Fail {
                    self.fail(
                        i,
                        StageOutcome::Failed,
                        format!("{first}exit gate `{gate}` failed: {summary}"),
                    );
                } else {
                    if let Some(reason) = failed {
                        self.state.stages[i].result.reason =
                            Some(format!("{reason}; exit gate `{gate}` {}", verdict.as_str()));
                    }
                    self.pass(i, Some(verdict));
                }
            }
            ExitCheck::Unreadable { gate, diagnostics } => {
                let problem = diagnostics
                    .first()
                    .map_or_else(String::new, |d| format!(": {}", d.message));
                self.state.stages[i].result.diagnostics = diagnostics;
                self.fail(
                    i,
                    StageOutcome::Failed,
                    format!("{first}exit gate `{gate}` could not be checked{problem}"),
                );
            }
        }
    }

    fn end(&mut self, i: usize, outcome: StageOutcome) -> u64 {
        let now = self.rel();
        let stage = &mut self.state.stages[i];
        stage.phase = Phase::Done;
        let duration = now.saturating_sub(stage.result.started_at_ms.unwrap_or(now));
        stage.result.outcome = outcome;
        stage.result.duration_ms = Some(duration);
        self.state.running = self.state.running.saturating_sub(1);
        duration
    }

    fn satisfy_dependents(&mut self, i: usize) {
        for &d in &self.pipeline.dependents[i] {
            let stage = &mut self.state.stages[d];
            stage.waiting = stage.waiting.saturating_sub(1);
            if stage.waiting == 0 && stage.phase == Phase::Pending {
                self.state.ready.insert(d);
            }
        }
    }

    fn pass(&mut self, i: usize, verdict: Option<Verdict>) {
        let duration_ms = self.end(i, StageOutcome::Passed);
        let at_ms = self.rel();
        self.emit(Event::Passed {
            stage: self.pipeline.stages[i].name.clone(),
            verdict,
            duration_ms,
            at_ms,
        });
        self.satisfy_dependents(i);
    }

    fn fail(&mut self, i: usize, outcome: StageOutcome, reason: String) {
        self.end(i, outcome);
        let allowed = self.pipeline.stages[i].continue_on_failure;
        let result = &mut self.state.stages[i].result;
        result.allowed_failure = allowed;
        result.reason = Some(reason.clone());
        let at_ms = self.rel();
        self.emit(Event::Failed {
            stage: self.pipeline.stages[i].name.clone(),
            reason,
            allowed,
            at_ms,
        });
        if allowed {
            self.satisfy_dependents(i);
        } else if self.state.fail_fast {
            if self.state.stop.is_none() {
                self.state.stop = Some(Stop::FailFast { stage: i });
            }
        } else {
            self.skip_dependents(i);
        }
    }

    /// Skips everything that needs stage `i`, directly or not.
    fn skip_dependents(&mut self, i: usize) {
        let pipeline = self.pipeline;
        let mut work = vec![i];
        while let Some(s) = work.pop() {
            let verb = if self.state.stages[s].result.outcome == StageOutcome::Skipped {
                "was skipped"
            } else {
                "failed"
            };
            for &d in &pipeline.dependents[s] {
                if self.state.stages[d].phase == Phase::Pending {
                    let reason = format!("needs `{}`, which {verb}", pipeline.stages[s].name);
                    let stage = &mut self.state.stages[d];
                    stage.phase = Phase::Done;
                    stage.result.outcome = StageOutcome::Skipped;
                    stage.result.reason = Some(reason.clone());
                    let at_ms = self.rel();
                    self.emit(Event::Skipped {
                        stage: pipeline.stages[d].name.clone(),
                        reason,
                        at_ms,
                    });
                    work.push(d);
                }
            }
        }
    }

    /// Cancels what is still running and skips what never started; the run is over.
    fn finish(&mut self) {
        let pipeline = self.pipeline;
        for attempt in std::mem::take(&mut self.state.attempts) {
            self.effects
                .push(RunEffect::CancelAttempt { id: attempt.id });
            if let Some(timer) = attempt.timer {
                self.state.timers.retain(|t| t.id != timer);
                self.effects.push(RunEffect::ClearTimer { id: timer });
            }
        }
        for timer in std::mem::take(&mut self.state.timers) {
            self.effects.push(RunEffect::ClearTimer { id: timer.id });
        }
        let stop = self.state.stop;
        // Built only when a stage is left to cancel or skip.
        let left = self.state.stages.iter().any(|s| s.phase != Phase::Done);
        let why = if left {
            match stop {
                Some(Stop::FailFast { stage }) => format!(
                    "stage `{}` failed and fail_fast is on",
                    pipeline.stages[stage].name
                ),
                Some(Stop::Interrupted) => "the run was interrupted".to_owned(),
                None => "its needs were never met".to_owned(),
            }
        } else {
            String::new()
        };
        let at_ms = self.rel();
        for i in 0..self.state.stages.len() {
            match self.state.stages[i].phase {
                Phase::Running => {
                    self.end(i, StageOutcome::Cancelled);
                    let stage = &mut self.state.stages[i];
                    stage.result.reason = Some(why.clone());
                    if let Some((attempt, started_at_ms)) = stage.current.take() {
                        stage.result.attempts.push(AttemptRecord {
                            attempt,
                            started_at_ms,
                            duration_ms: at_ms.saturating_sub(started_at_ms),
                            outcome: AttemptOutcome::Cancelled,
                            detail: None,
                        });
                    }
                    self.emit(Event::Cancelled {
                        stage: pipeline.stages[i].name.clone(),
                        reason: why.clone(),
                        at_ms,
                    });
                }
                Phase::Pending => {
                    let stage = &mut self.state.stages[i];
                    stage.phase = Phase::Done;
                    stage.result.outcome = StageOutcome::Skipped;
                    stage.result.reason = Some(why.clone());
                    self.emit(Event::Skipped {
                        stage: pipeline.stages[i].name.clone(),
                        reason: why.clone(),
                        at_ms,
                    });
                }
                Phase::Done => {}
            }
        }
        self.state.ready.clear();
        self.state.finished = true;
        let result = conclude_run(self.state, self.policy);
        self.effects.push(RunEffect::Finished {
            result: Box::new(result),
        });
    }
}

/// `reason`, saying how many attempts it took when there was more than one.
fn after_attempts(reason: String, attempt: u32) -> String {
    if attempt > 1 {
        format!("{reason} (after {attempt} attempts)")
    } else {
        reason
    }
}
