//! The executor's loop. Every decision is taken here, on one task: the futures in flight only
//! run attempts and wait out backoffs, and report back. Results that complete at the same
//! moment are handled in policy order, so a run on a deterministic clock is deterministic.

use super::result::conclude;
use super::{
    AttemptOutcome, AttemptRecord, Event, Executor, RunResult, StageOutcome, StageReport,
    StageResult, StageRunner, Timer,
};
use crate::decision::{PolicyRef, Verdict};
use crate::error::KiroError;
use crate::pipeline::duration::{MAX_DURATION_MS, format_duration};
use crate::pipeline::{CompiledPipeline, Stage};
use futures::future::{Either, FutureExt, select};
use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// What a future in flight reports.
enum Work {
    /// An attempt ended.
    Attempt {
        stage: usize,
        attempt: u32,
        started: Duration,
        ended: Duration,
        end: End,
    },
    /// A backoff is over: start `attempt`.
    Backoff { stage: usize, attempt: u32 },
}

impl Work {
    fn stage(&self) -> usize {
        match self {
            Work::Attempt { stage, .. } | Work::Backoff { stage, .. } => *stage,
        }
    }
}

enum End {
    Report(StageReport),
    TimedOut,
}

type Task<'a> = Pin<Box<dyn Future<Output = Work> + Send + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Running,
    Done,
}

/// Why the run stopped early.
enum Stop {
    FailFast(usize),
    Interrupted,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

struct Run<'e, 'a, R: ?Sized, T: ?Sized, F> {
    exec: &'e Executor<'a, R, T>,
    on_event: F,
    origin: Duration,
    state: Vec<State>,
    results: Vec<StageResult>,
    /// Per stage, how many of its needs are not yet satisfied.
    waiting: Vec<usize>,
    /// Pending stages whose needs are all satisfied, by policy order.
    ready: BTreeSet<usize>,
    in_flight: FuturesUnordered<Task<'e>>,
    running: usize,
    /// Per stage, the attempt running now and when it started.
    current: Vec<Option<(u32, u64)>>,
    stop: Option<Stop>,
}

pub(super) async fn execute<R, T>(
    exec: &Executor<'_, R, T>,
    cancel: impl Future<Output = ()>,
    on_event: impl FnMut(&Event),
) -> RunResult
where
    R: StageRunner + ?Sized,
    T: Timer + ?Sized,
{
    let pipeline = exec.pipeline;
    let n = pipeline.stages.len();
    let mut run = Run {
        exec,
        on_event,
        origin: exec.timer.now(),
        state: vec![State::Pending; n],
        results: pipeline.stages.iter().map(pending_result).collect(),
        waiting: pipeline.needs.iter().map(Vec::len).collect(),
        ready: (0..n).filter(|&i| pipeline.needs[i].is_empty()).collect(),
        in_flight: FuturesUnordered::new(),
        running: 0,
        current: vec![None; n],
        stop: None,
    };
    for stage in &pipeline.stages {
        let at_ms = run.now_ms();
        (run.on_event)(&Event::Queued {
            stage: stage.name.clone(),
            at_ms,
        });
    }
    let mut cancel = Box::pin(cancel);
    loop {
        // An interruption that came first (even before the run began) starts nothing more.
        if cancel.as_mut().now_or_never().is_some() {
            run.stop = Some(Stop::Interrupted);
            break;
        }
        if run.stop.is_none() {
            run.start_ready();
        }
        if run.in_flight.is_empty() {
            break;
        }
        let first = match select(run.in_flight.next(), cancel.as_mut()).await {
            Either::Left((Some(work), _)) => work,
            Either::Left((None, _)) => break,
            Either::Right(((), _)) => {
                run.stop = Some(Stop::Interrupted);
                break;
            }
        };
        // Everything else that is done at this moment, handled in policy order.
        let mut batch = vec![first];
        while let Some(Some(work)) = run.in_flight.next().now_or_never() {
            batch.push(work);
        }
        batch.sort_by_key(Work::stage);
        for work in batch {
            run.handle(work);
        }
        if run.stop.is_some() {
            break;
        }
    }
    run.finish()
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

impl<'e, 'a: 'e, R, T, F> Run<'e, 'a, R, T, F>
where
    R: StageRunner + ?Sized,
    T: Timer + ?Sized,
    F: FnMut(&Event),
{
    fn now_ms(&self) -> u64 {
        ms(self.exec.timer.now().saturating_sub(self.origin))
    }

    fn emit(&mut self, event: Event) {
        (self.on_event)(&event);
    }

    fn max_parallel(&self) -> usize {
        let pipeline = self.exec.pipeline;
        self.exec
            .options
            .max_parallel
            .or(pipeline.max_parallel)
            .unwrap_or(usize::MAX)
            .max(1)
    }

    fn fail_fast(&self) -> bool {
        self.exec
            .options
            .fail_fast
            .unwrap_or(self.exec.pipeline.fail_fast)
    }

    /// Starts stages whose needs are satisfied, in policy order, up to `max_parallel`.
    fn start_ready(&mut self) {
        let limit = self.max_parallel();
        while self.running < limit {
            let Some(i) = self.ready.pop_first() else {
                break;
            };
            if self.state[i] != State::Pending {
                continue;
            }
            self.state[i] = State::Running;
            self.running += 1;
            self.results[i].started_at_ms = Some(self.now_ms());
            self.start_attempt(i, 1);
        }
    }

    fn start_attempt(&mut self, i: usize, attempt: u32) {
        let at_ms = self.now_ms();
        let (runner, timer): (&'a R, &'a T) = (self.exec.runner, self.exec.timer);
        let stage: &'a Stage = &self.exec.pipeline.stages[i];
        self.current[i] = Some((attempt, at_ms));
        self.emit(Event::Started {
            stage: stage.name.clone(),
            attempt,
            at_ms,
        });
        let task: Task<'e> = Box::pin(async move {
            let started = timer.now();
            let work = runner.run(stage, attempt);
            let end = match stage.timeout_ms {
                None => End::Report(work.await),
                Some(limit) => {
                    match select(work, timer.sleep(Duration::from_millis(limit))).await {
                        Either::Left((report, _)) => End::Report(report),
                        Either::Right(((), _)) => End::TimedOut,
                    }
                }
            };
            Work::Attempt {
                stage: i,
                attempt,
                started,
                ended: timer.now(),
                end,
            }
        });
        self.in_flight.push(task);
    }

    fn handle(&mut self, work: Work) {
        match work {
            Work::Backoff { stage, attempt } => self.start_attempt(stage, attempt),
            Work::Attempt {
                stage: i,
                attempt,
                started,
                ended,
                end,
            } => {
                let started_at_ms = ms(started.saturating_sub(self.origin));
                let duration_ms = ms(ended.saturating_sub(started));
                let (outcome, detail) = match &end {
                    End::TimedOut => (AttemptOutcome::TimedOut, None),
                    End::Report(r) if r.success => (AttemptOutcome::Succeeded, r.detail.clone()),
                    End::Report(r) => (AttemptOutcome::Failed, r.detail.clone()),
                };
                self.current[i] = None;
                self.results[i].attempts.push(AttemptRecord {
                    attempt,
                    started_at_ms,
                    duration_ms,
                    outcome,
                    detail,
                });
                let stage: &'a Stage = &self.exec.pipeline.stages[i];
                match end {
                    End::TimedOut => {
                        let timeout_ms = stage.timeout_ms.unwrap_or_default();
                        let at_ms = self.now_ms();
                        self.emit(Event::TimedOut {
                            stage: stage.name.clone(),
                            attempt,
                            timeout_ms,
                            at_ms,
                        });
                        let reason = format!("timed out after {}", format_duration(timeout_ms));
                        self.retry_or_fail(i, attempt, reason, StageOutcome::TimedOut);
                    }
                    End::Report(report) if !report.success => {
                        // The outcome says it failed; the reason says how.
                        let reason = report
                            .detail
                            .clone()
                            .unwrap_or_else(|| "the action reported a failure".to_owned());
                        self.retry_or_fail(i, attempt, reason, StageOutcome::Failed);
                    }
                    End::Report(report) => self.check_exit(i, &report),
                }
            }
        }
    }

    fn retry_or_fail(&mut self, i: usize, attempt: u32, reason: String, outcome: StageOutcome) {
        let stage: &'a Stage = &self.exec.pipeline.stages[i];
        if attempt <= stage.retries {
            // Doubling: backoff, 2 × backoff, 4 × backoff…
            let factor = 1u64.checked_shl(attempt - 1).unwrap_or(u64::MAX);
            let backoff_ms = stage.backoff_ms.saturating_mul(factor).min(MAX_DURATION_MS);
            let at_ms = self.now_ms();
            self.emit(Event::Retried {
                stage: stage.name.clone(),
                attempt,
                reason,
                backoff_ms,
                at_ms,
            });
            let timer: &'a T = self.exec.timer;
            let next = attempt + 1;
            let task: Task<'e> = Box::pin(async move {
                if backoff_ms > 0 {
                    timer.sleep(Duration::from_millis(backoff_ms)).await;
                }
                Work::Backoff {
                    stage: i,
                    attempt: next,
                }
            });
            self.in_flight.push(task);
        } else {
            let retries = stage.retries;
            let reason = if retries > 0 {
                format!("{reason} (after {} attempts)", retries + 1)
            } else {
                reason
            };
            self.fail(i, outcome, reason);
        }
    }

    /// Checks the stage's exit gate on what it reported.
    fn check_exit(&mut self, i: usize, report: &StageReport) {
        let Some((gate, checked)) = self.exec.policy.check_exit(i, &report.metrics) else {
            return self.pass(i, None);
        };
        match checked {
            Ok(decision) => {
                let verdict = decision.verdict;
                // The one gate selected by name says why, better than the decision's summary.
                let summary = decision
                    .gates
                    .first()
                    .map_or_else(|| decision.summary.clone(), |g| g.reason.clone());
                self.results[i].gate = Some(decision);
                if verdict == Verdict::Fail {
                    self.fail(
                        i,
                        StageOutcome::Failed,
                        format!("exit gate `{gate}` failed: {summary}"),
                    );
                } else {
                    self.pass(i, Some(verdict));
                }
            }
            Err(error) => {
                let diagnostics = error.diagnostics().to_vec();
                let first = diagnostics
                    .first()
                    .map_or_else(String::new, |d| format!(": {}", d.message));
                self.results[i].diagnostics = diagnostics;
                self.fail(
                    i,
                    StageOutcome::Failed,
                    format!("exit gate `{gate}` could not be checked{first}"),
                );
            }
        }
    }

    fn end(&mut self, i: usize, outcome: StageOutcome) -> u64 {
        self.state[i] = State::Done;
        self.running -= 1;
        let now = self.now_ms();
        let duration = now.saturating_sub(self.results[i].started_at_ms.unwrap_or(now));
        self.results[i].outcome = outcome;
        self.results[i].duration_ms = Some(duration);
        duration
    }

    fn satisfy_dependents(&mut self, i: usize) {
        for &d in &self.exec.pipeline.dependents[i] {
            self.waiting[d] = self.waiting[d].saturating_sub(1);
            if self.waiting[d] == 0 && self.state[d] == State::Pending {
                self.ready.insert(d);
            }
        }
    }

    fn pass(&mut self, i: usize, verdict: Option<Verdict>) {
        let duration_ms = self.end(i, StageOutcome::Passed);
        let stage = self.exec.pipeline.stages[i].name.clone();
        let at_ms = self.now_ms();
        self.emit(Event::Passed {
            stage,
            verdict,
            duration_ms,
            at_ms,
        });
        self.satisfy_dependents(i);
    }

    fn fail(&mut self, i: usize, outcome: StageOutcome, reason: String) {
        self.end(i, outcome);
        let stage: &'a Stage = &self.exec.pipeline.stages[i];
        let allowed = stage.continue_on_failure;
        self.results[i].allowed_failure = allowed;
        self.results[i].reason = Some(reason.clone());
        let at_ms = self.now_ms();
        self.emit(Event::Failed {
            stage: stage.name.clone(),
            reason,
            allowed,
            at_ms,
        });
        if allowed {
            self.satisfy_dependents(i);
        } else if self.fail_fast() {
            if self.stop.is_none() {
                self.stop = Some(Stop::FailFast(i));
            }
        } else {
            self.skip_dependents(i);
        }
    }

    /// Skips everything that needs stage `i`, directly or not.
    fn skip_dependents(&mut self, i: usize) {
        let pipeline: &'a CompiledPipeline = self.exec.pipeline;
        let mut work = vec![i];
        while let Some(s) = work.pop() {
            let verb = if self.results[s].outcome == StageOutcome::Skipped {
                "was skipped"
            } else {
                "failed"
            };
            for &d in &pipeline.dependents[s] {
                if self.state[d] == State::Pending {
                    self.state[d] = State::Done;
                    let reason = format!("needs `{}`, which {verb}", pipeline.stages[s].name);
                    self.results[d].outcome = StageOutcome::Skipped;
                    self.results[d].reason = Some(reason.clone());
                    let at_ms = self.now_ms();
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

    /// Cancels what is still running and skips what never started; concludes.
    fn finish(mut self) -> RunResult {
        // Dropping the futures stops the work.
        self.in_flight = FuturesUnordered::new();
        let pipeline: &'a CompiledPipeline = self.exec.pipeline;
        let why = match self.stop {
            Some(Stop::FailFast(s)) => format!(
                "stage `{}` failed and fail_fast is on",
                pipeline.stages[s].name
            ),
            Some(Stop::Interrupted) => "the run was interrupted".to_owned(),
            None => "its needs were never met".to_owned(),
        };
        for i in 0..self.state.len() {
            let at_ms = self.now_ms();
            match self.state[i] {
                State::Running => {
                    self.end(i, StageOutcome::Cancelled);
                    self.results[i].reason = Some(why.clone());
                    if let Some((attempt, started_at_ms)) = self.current[i].take() {
                        self.results[i].attempts.push(AttemptRecord {
                            attempt,
                            started_at_ms,
                            duration_ms: at_ms.saturating_sub(started_at_ms),
                            outcome: AttemptOutcome::Cancelled,
                            detail: None,
                        });
                    }
                    let stage = pipeline.stages[i].name.clone();
                    self.emit(Event::Cancelled {
                        stage,
                        reason: why.clone(),
                        at_ms,
                    });
                }
                State::Pending => {
                    self.state[i] = State::Done;
                    self.results[i].outcome = StageOutcome::Skipped;
                    self.results[i].reason = Some(why.clone());
                    let stage = pipeline.stages[i].name.clone();
                    self.emit(Event::Skipped {
                        stage,
                        reason: why.clone(),
                        at_ms,
                    });
                }
                State::Done => {}
            }
        }
        let interrupted = matches!(self.stop, Some(Stop::Interrupted));
        let (verdict, summary) = conclude(&self.results, interrupted);
        let policy = self.exec.policy;
        RunResult {
            policy: PolicyRef {
                name: policy.name().to_owned(),
                hash: policy.hash().to_owned(),
            },
            verdict,
            summary,
            interrupted,
            duration_ms: self.now_ms(),
            stages: self.results,
        }
    }
}
