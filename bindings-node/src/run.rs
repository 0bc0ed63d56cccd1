//! `PipelineRun`: the core's host-driven run (`kiro::pipeline::HostRun`) for a JavaScript event
//! loop. Like lib.rs this file only wires (conversion in `convert`, errors in `error`); every
//! decision (order, `needs`, `max_parallel`, timeouts, retries and backoff, exit gates,
//! fail-fast, interruption) is the core's. `policy.run` (bindings-js/run.mjs) drives one with functions
//! returning Promises.

use crate::convert;
use crate::error::OrThrow;
use kiro::api::convert as boundary;
use kiro::pipeline::{HostRun, StageReport};
use kiro::{CompiledPolicy, catch_panic, guard};
use napi::ValueType;
use napi::bindgen_prelude::Unknown;
use napi::{Env, Result};
use napi_derive::napi;

/// A run of a policy's pipeline driven by the caller's event loop, made by `policy.startRun`:
/// `step(nowMs)` says what to do (start or cancel an attempt, set or clear a timer) and what
/// happened; the caller reports back with `complete`, `fail` and `fire`, and calls `step`
/// again, until a step says `done`. `policy.run` does all of this for you.
#[napi]
pub struct PipelineRun {
    inner: HostRun,
}

impl PipelineRun {
    /// A run of `policy`'s pipeline in which the caller has an action for each stage named in
    /// `actions`. Throws `KIRO-E033` without a pipeline, `KIRO-E005` for an action that names
    /// no stage, `KIRO-E003` for bad options.
    pub fn start(
        env: &Env,
        policy: &CompiledPolicy,
        actions: &[String],
        options: Option<&Unknown<'_>>,
    ) -> Result<Self> {
        let options = convert::run_options(options).or_throw(env)?;
        let names: Vec<&str> = actions.iter().map(String::as_str).collect();
        let inner = guard(|| HostRun::new(policy, &names, options)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// The run saved with `snapshot()`, continued under `policy`. Throws `KIRO-E041` for a
    /// state saved under another policy, `KIRO-E040` for text that is not a saved run.
    pub fn restore(env: &Env, policy: &CompiledPolicy, text: &str) -> Result<Self> {
        let inner = guard(|| HostRun::restore(policy, text)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// The run that the event log `log` (from `log()`) leads to, replayed under `policy`.
    pub fn replay(env: &Env, policy: &CompiledPolicy, log: &str) -> Result<Self> {
        let inner = guard(|| HostRun::replay(policy, log)).or_throw(env)?;
        Ok(Self { inner })
    }

    /// Reports the end of attempt `id` (ignored unless it is an id the run gave).
    fn report(&mut self, env: &Env, id: f64, report: StageReport) -> Result<()> {
        let Some(id) = boundary::host_id(id) else {
            return Ok(());
        };
        catch_panic(|| self.inner.complete(id, report)).or_throw(env)
    }
}

#[napi]
impl PipelineRun {
    /// Moves the run on at `nowMs` (milliseconds since any fixed origin, such as the run's
    /// start) and returns what to do and what happened. Timers due by `nowMs` fire.
    #[napi(ts_args_type = "nowMs: number", ts_return_type = "RunStep")]
    pub fn step<'env>(&mut self, env: &'env Env, now_ms: Unknown<'env>) -> Result<Unknown<'env>> {
        let now_ms = convert::number_argument(env, &now_ms, "nowMs").or_throw(env)?;
        let step = catch_panic(|| self.inner.step(now_ms)).or_throw(env)?;
        convert::run_step(env, &step)
    }

    /// Attempt `id` succeeded with `metrics` (nothing: no observations), read as `check` reads
    /// metrics. Metrics that cannot be read make the attempt fail with the problem as its
    /// detail. Ignored for a cancelled attempt. Call `step` next.
    #[napi(ts_args_type = "id: number, metrics?: Metrics | null")]
    pub fn complete(
        &mut self,
        env: &Env,
        id: Unknown<'_>,
        metrics: Option<Unknown<'_>>,
    ) -> Result<()> {
        let id = convert::number_argument(env, &id, "id").or_throw(env)?;
        let report = convert::attempt_report(metrics.as_ref()).or_throw(env)?;
        self.report(env, id, report)
    }

    /// Attempt `id` failed; `detail` says how: a string, or what the action threw (an `Error`
    /// becomes `Name: message`, as in every binding). `metrics`, when given, are what the
    /// failed action observed anyway (an exit gate with `on_action_failure: gate` decides on
    /// them), and `exitCode` its exit status (for `retry_on`). Ignored for a cancelled attempt.
    /// Call `step` next.
    #[napi(
        ts_args_type = "id: number, detail: unknown, metrics?: Metrics | null, exitCode?: number | null"
    )]
    pub fn fail(
        &mut self,
        env: &Env,
        id: Unknown<'_>,
        detail: Unknown<'_>,
        metrics: Option<Unknown<'_>>,
        exit_code: Option<f64>,
    ) -> Result<()> {
        let id = convert::number_argument(env, &id, "id").or_throw(env)?;
        let failure = convert::failure_report(&detail).or_throw(env)?;
        let given = match &metrics {
            Some(m) if !matches!(m.get_type()?, ValueType::Undefined | ValueType::Null) => {
                Some(convert::attempt_report(Some(m)).or_throw(env)?)
            }
            _ => None,
        };
        self.report(env, id, boundary::failed_attempt(failure, given, exit_code))
    }

    /// Timer `id` fired. Ignored for a cleared timer. Call `step` next.
    #[napi(ts_args_type = "id: number")]
    pub fn fire(&mut self, env: &Env, id: Unknown<'_>) -> Result<()> {
        let id = convert::number_argument(env, &id, "id").or_throw(env)?;
        let Some(id) = boundary::host_id(id) else {
            return Ok(());
        };
        catch_panic(|| self.inner.fire(id)).or_throw(env)
    }

    /// Interrupts the run: the next `step` cancels the running attempts, skips the pending
    /// stages and ends the run as interrupted.
    #[napi]
    pub fn interrupt(&mut self, env: &Env) -> Result<()> {
        catch_panic(|| self.inner.interrupt()).or_throw(env)
    }

    /// The run's result (the JSON of `kiro run --format json`) once a step said `done`; null
    /// before.
    #[napi(ts_return_type = "RunResult | null")]
    pub fn result<'env>(&self, env: &'env Env) -> Result<Option<Unknown<'env>>> {
        let result = catch_panic(|| self.inner.result().cloned()).or_throw(env)?;
        result.map(|r| convert::run_result(env, &r)).transpose()
    }

    /// The run saved as canonical JSON text as of the last `step` (restore it with
    /// `policy.restoreRun`). Throws `KIRO-E040` before the first step.
    #[napi]
    pub fn snapshot(&self, env: &Env) -> Result<String> {
        guard(|| self.inner.snapshot()).or_throw(env)
    }

    /// Every event the run took, as JSON text (replay it with `policy.replayRun`).
    #[napi]
    pub fn log(&self, env: &Env) -> Result<String> {
        guard(|| self.inner.log_json()).or_throw(env)
    }
}
