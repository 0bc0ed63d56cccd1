//! Running a pipeline from a host's event loop (asyncio, Node.js, a browser).
//!
//! [`HostRun`] is a thin wrapper over the run's state machine ([`step`](super::step)): it
//! turns the machine's effects into [`HostRequest`]s a host can carry out with its own
//! primitives — start an attempt of a stage (call a function), cancel one (cancel its task),
//! set and clear a timer — and the host's reports ([`HostRun::complete`], [`HostRun::fire`],
//! [`HostRun::interrupt`]) into events, stamped with the time of the next [`HostRun::step`],
//! which ends with a [`RunEvent::Tick`]. Every decision stays in the machine, so every binding
//! runs pipelines the same way.
//!
//! [`HostRun::snapshot`] saves the run (call it after a step: reports not yet stepped are not
//! in it), [`HostRun::restore`] continues it, and [`HostRun::log`] is every event the machine
//! took, which [`HostRun::replay`] runs again to the same state.
//!
//! A host loop:
//!
//! ```
//! use kiro::pipeline::{HostRun, HostRequest, RunOptions, StageReport};
//! use kiro::{CompiledPolicy, MetricsInput};
//!
//! let policy = CompiledPolicy::from_text(
//!     "name: demo\npipeline:\n  stages:\n    - {name: build}\n    - {name: test, needs: [build]}\n",
//!     None,
//! )
//! .expect("valid policy");
//! let mut run = HostRun::new(&policy, &["build", "test"], RunOptions::default()).expect("a pipeline");
//! let mut started = Vec::new();
//! loop {
//!     let step = run.step(0.0);
//!     for request in &step.requests {
//!         if let HostRequest::Start { id, stage, .. } = request {
//!             started.push(stage.clone());
//!             run.complete(*id, StageReport::success(MetricsInput::default()));
//!         }
//!     }
//!     if step.done {
//!         break;
//!     }
//! }
//! assert_eq!(started, ["build", "test"]);
//! assert_eq!(run.result().expect("done").verdict, kiro::Verdict::Pass);
//! ```

use super::error::{RunError, no_pipeline};
use super::step::check_actions;
use super::{Event, RunEffect, RunEvent, RunOptions, RunResult, RunState, StageReport, step};
use crate::machine;
use crate::policy::CompiledPolicy;
use serde::Serialize;

/// Something the host must do for the run to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostRequest {
    /// Start attempt `attempt` of `stage`; report its end with [`HostRun::complete`]`(id, …)`.
    Start {
        /// Names this attempt in [`HostRun::complete`] and [`HostRequest::Cancel`].
        id: u64,
        /// The stage.
        stage: String,
        /// The attempt, from 1.
        attempt: u32,
    },
    /// Stop the attempt `id` (a timeout, or fail-fast): its result is no longer wanted.
    Cancel {
        /// The attempt.
        id: u64,
    },
    /// Call [`HostRun::fire`]`(id)` after `ms` milliseconds.
    SetTimer {
        /// Names this timer in [`HostRun::fire`] and [`HostRequest::ClearTimer`].
        id: u64,
        /// The delay, in milliseconds.
        ms: u64,
    },
    /// The timer `id` is no longer needed.
    ClearTimer {
        /// The timer.
        id: u64,
    },
}

/// What one [`HostRun::step`] produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostStep {
    /// What the host must do now, in order.
    pub requests: Vec<HostRequest>,
    /// What happened since the last step, in order.
    pub events: Vec<Event>,
    /// True when the run is over: [`HostRun::result`] holds its result. The requests of the
    /// last step still need carrying out (they cancel what was running).
    pub done: bool,
}

/// A report the host made since the last step.
#[derive(Debug, Clone)]
enum Report {
    Completed(u64, StageReport),
    Fired(u64),
    Interrupt,
}

/// A pipeline run driven by a host's event loop. See the [module docs](self).
#[derive(Debug)]
pub struct HostRun {
    policy: CompiledPolicy,
    state: RunState,
    /// The actions and options, until the first step starts the run.
    start: Option<(Vec<String>, RunOptions)>,
    reports: Vec<Report>,
    log: Vec<RunEvent>,
    result: Option<RunResult>,
}

impl HostRun {
    /// A run of `policy`'s pipeline in which the host has an action for each stage named in
    /// `actions`; the other stages succeed at once with no observations.
    ///
    /// # Errors
    /// [`crate::Code::NoPipeline`] when the policy has no pipeline;
    /// [`crate::Code::UnknownReference`] for each action that names no stage (with a
    /// suggestion when one is close).
    pub fn new(
        policy: &CompiledPolicy,
        actions: &[&str],
        options: RunOptions,
    ) -> Result<Self, RunError> {
        let pipeline = policy.pipeline().ok_or_else(no_pipeline)?;
        check_actions(pipeline, actions)?;
        Ok(Self {
            policy: policy.clone(),
            state: RunState::new(),
            start: Some((actions.iter().map(|a| (*a).to_owned()).collect(), options)),
            reports: Vec::new(),
            log: Vec::new(),
            result: None,
        })
    }

    /// Continues a run saved with [`HostRun::snapshot`], under the same policy.
    ///
    /// # Errors
    /// As [`RunState::restore`]; [`crate::Code::InvalidState`] for a run saved before it
    /// started.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, RunError> {
        let state = RunState::restore(policy, text)?;
        if !state.started() {
            return Err(machine::invalid("the saved run had not started").into());
        }
        Ok(Self::resumed(policy, state, Vec::new()))
    }

    /// The run a recorded log (the JSON of [`HostRun::log`]) leads to, replayed from the
    /// start: the same state, byte for byte, as the run that recorded it.
    ///
    /// # Errors
    /// [`crate::Code::InvalidState`] for text that is not a list of run events; the first
    /// error of [`step`] on them.
    pub fn replay(policy: &CompiledPolicy, log: &str) -> Result<Self, RunError> {
        let events: Vec<RunEvent> = machine::read(log)
            .map_err(|e| machine::invalid(format!("the event log is malformed: {}", e.message)))?;
        let replayed = super::replay(policy, &events)?;
        Ok(Self::resumed(policy, replayed.state, events))
    }

    fn resumed(policy: &CompiledPolicy, state: RunState, log: Vec<RunEvent>) -> Self {
        Self {
            result: state.result(policy),
            policy: policy.clone(),
            state,
            start: None,
            reports: Vec::new(),
            log,
        }
    }

    /// Moves the run on at the host's time `now_ms` (milliseconds since any fixed origin,
    /// taken in whole milliseconds; a time earlier than the last one counts as the last one)
    /// and returns what the host must do and what happened. Timers whose delay is over by
    /// `now_ms` count as fired.
    pub fn step(&mut self, now_ms: f64) -> HostStep {
        let mut out = HostStep {
            requests: Vec::new(),
            events: Vec::new(),
            done: false,
        };
        let last = self.state.now_ms();
        let at_ms = if now_ms.is_finite() && now_ms > 0.0 {
            // Whole milliseconds; a time past u64 saturates.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "the floor of a positive finite time, saturating"
            )]
            let ms = now_ms.floor() as u64;
            ms.max(last)
        } else {
            last
        };
        let mut fed = false;
        if let Some((actions, options)) = self.start.take() {
            fed |= self.feed(
                RunEvent::Start {
                    at_ms,
                    actions,
                    options,
                },
                &mut out,
            );
        }
        for report in std::mem::take(&mut self.reports) {
            let event = match report {
                Report::Completed(id, report) => RunEvent::Completed { at_ms, id, report },
                Report::Fired(id) => RunEvent::TimerFired { at_ms, id },
                Report::Interrupt => RunEvent::Interrupt { at_ms },
            };
            fed |= self.feed(event, &mut out);
        }
        let due = self.state.next_due_ms().is_some_and(|due| due <= at_ms);
        if (fed || due) && !self.state.finished() {
            self.feed(RunEvent::Tick { at_ms }, &mut out);
        }
        out.done = self.state.finished();
        out
    }

    /// Steps the machine with `event`; an event it refuses (a late report of a cancelled
    /// attempt, anything after the end) is dropped, as the host interface promises.
    fn feed(&mut self, event: RunEvent, out: &mut HostStep) -> bool {
        let Ok(effects) = step(&mut self.state, &self.policy, event.clone()) else {
            return false;
        };
        self.log.push(event);
        for effect in effects {
            match effect {
                RunEffect::StartAttempt { id, stage, attempt } => {
                    out.requests.push(HostRequest::Start { id, stage, attempt });
                }
                RunEffect::CancelAttempt { id } => out.requests.push(HostRequest::Cancel { id }),
                RunEffect::SetTimer { id, ms, .. } => {
                    out.requests.push(HostRequest::SetTimer { id, ms });
                }
                RunEffect::ClearTimer { id } => out.requests.push(HostRequest::ClearTimer { id }),
                RunEffect::Progress { event } => out.events.push(event),
                RunEffect::Finished { result } => self.result = Some(*result),
            }
        }
        true
    }

    /// The attempt `id` ended with `report`. A report for an attempt that was cancelled (or
    /// that does not exist) is ignored. Call [`HostRun::step`] next.
    pub fn complete(&mut self, id: u64, report: StageReport) {
        self.reports.push(Report::Completed(id, report));
    }

    /// The timer `id` fired. A cleared or unknown timer is ignored. Call [`HostRun::step`]
    /// next.
    pub fn fire(&mut self, id: u64) {
        self.reports.push(Report::Fired(id));
    }

    /// Interrupts the run (Ctrl-C, a cancelled host task): at the next [`HostRun::step`] the
    /// running attempts are cancelled, the pending stages skipped, and the run fails as
    /// interrupted.
    pub fn interrupt(&mut self) {
        self.reports.push(Report::Interrupt);
    }

    /// The run's result, once a [`HostStep`] said it is done.
    #[must_use]
    pub fn result(&self) -> Option<&RunResult> {
        self.result.as_ref()
    }

    /// The run's state as of the last step.
    #[must_use]
    pub fn state(&self) -> &RunState {
        &self.state
    }

    /// The run saved as canonical JSON (see [`RunState::save`]), as of the last step.
    ///
    /// # Errors
    /// [`crate::Code::InvalidState`] before the first step (there is nothing to save yet).
    pub fn snapshot(&self) -> Result<String, RunError> {
        if !self.state.started() {
            return Err(
                machine::invalid("the run has not started: step it before saving it").into(),
            );
        }
        self.state.save(&self.policy)
    }

    /// Every event the machine took, in order, since the run began (or was restored).
    #[must_use]
    pub fn log(&self) -> &[RunEvent] {
        &self.log
    }

    /// [`HostRun::log`] as canonical JSON, for [`HostRun::replay`].
    ///
    /// # Errors
    /// [`crate::Code::InvalidState`] should JSON not be able to hold the log (it holds only
    /// strings, integers, booleans and numbers).
    pub fn log_json(&self) -> Result<String, RunError> {
        serde_json::to_string(&self.log)
            .map_err(|e| machine::invalid(format!("the event log cannot be saved: {e}")).into())
    }
}
