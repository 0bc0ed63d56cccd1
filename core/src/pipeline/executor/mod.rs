//! Running a pipeline: an async executor over a host's [`StageRunner`] and [`Timer`].
//!
//! The core has no runtime and no clock: the host runs the stages (processes, functions,
//! remote jobs) and supplies time. The executor honours `needs`, `max_parallel`, timeouts,
//! retries with doubling backoff, `continue_on_failure` and `fail_fast`, checks each stage's
//! exit gate on the metrics the stage reported with the policy engine itself, reports
//! [`Event`]s as they happen, and returns a [`RunResult`] that is plain data.
//!
//! Cancelling a stage means dropping its future: a host's runner must stop its work when its
//! future is dropped (a process host kills the process).

mod events;
mod host;
mod result;
mod run;

pub use events::Event;
pub use host::{HostRequest, HostRun, HostStep};
pub use result::{AttemptOutcome, AttemptRecord, RunResult, StageOutcome, StageResult};

use super::{CompiledPipeline, Stage, no_pipeline};
use crate::error::CheckError;
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;
use async_trait::async_trait;
use std::future::Future;
use std::time::Duration;

/// What one attempt of a stage produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageReport {
    /// Whether the stage's action succeeded (for a command: exit status 0).
    pub success: bool,
    /// The observations the stage made, which its exit gate is checked on.
    pub metrics: MetricsInput,
    /// What happened, in a few words (`exit status 2`), shown with a failure.
    pub detail: Option<String>,
}

impl StageReport {
    /// A successful attempt that observed `metrics`.
    #[must_use]
    pub fn success(metrics: MetricsInput) -> Self {
        Self {
            success: true,
            metrics,
            detail: None,
        }
    }

    /// A failed attempt, and why.
    #[must_use]
    pub fn failure(detail: impl Into<String>) -> Self {
        Self {
            success: false,
            metrics: MetricsInput::default(),
            detail: Some(detail.into()),
        }
    }
}

/// Runs one attempt of a stage. Implemented by the host.
#[async_trait]
pub trait StageRunner: Send + Sync {
    /// Runs attempt `attempt` (from 1) of `stage`. Dropping the returned future must stop the
    /// work: that is how timeouts and cancellation reach the host.
    async fn run(&self, stage: &Stage, attempt: u32) -> StageReport;
}

/// Time, supplied by the host: a monotonic clock and sleeping.
#[async_trait]
pub trait Timer: Send + Sync {
    /// Time elapsed since some fixed origin; never goes backwards.
    fn now(&self) -> Duration;
    /// Completes after `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Settings of one run that override the pipeline's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// How many stages may run at once (overrides `max_parallel`; at least 1).
    pub max_parallel: Option<usize>,
    /// Whether a failure cancels the rest (overrides `fail_fast`).
    pub fail_fast: Option<bool>,
}

/// Runs the pipeline of a compiled policy.
pub struct Executor<'a, R: ?Sized, T: ?Sized> {
    policy: &'a CompiledPolicy,
    pipeline: &'a CompiledPipeline,
    runner: &'a R,
    timer: &'a T,
    options: RunOptions,
}

impl<'a, R: StageRunner + ?Sized, T: Timer + ?Sized> Executor<'a, R, T> {
    /// An executor for `policy`'s pipeline, running stages with `runner` on `timer`'s time.
    ///
    /// # Errors
    /// [`crate::Code::EmptySelection`] when the policy has no pipeline.
    pub fn new(
        policy: &'a CompiledPolicy,
        runner: &'a R,
        timer: &'a T,
    ) -> Result<Self, CheckError> {
        let pipeline = policy.pipeline().ok_or_else(no_pipeline)?;
        Ok(Self {
            policy,
            pipeline,
            runner,
            timer,
            options: RunOptions::default(),
        })
    }

    /// Overrides the pipeline's settings for this run.
    #[must_use]
    pub fn with_options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the pipeline to the end, calling `on_event` for every event as it happens.
    pub async fn run(&self, on_event: impl FnMut(&Event)) -> RunResult {
        self.run_until(futures::future::pending::<()>(), on_event)
            .await
    }

    /// Runs the pipeline until it ends or `cancel` completes, whichever is first. On
    /// cancellation the running stages are cancelled, the pending ones skipped, and the run
    /// fails as interrupted; the result covers every stage either way.
    pub async fn run_until(
        &self,
        cancel: impl Future<Output = ()>,
        on_event: impl FnMut(&Event),
    ) -> RunResult {
        run::execute(self, cancel, on_event).await
    }
}
