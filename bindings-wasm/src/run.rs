//! `PipelineRun`: the core's host-driven run (`kiro::pipeline::HostRun`) for a JavaScript event
//! loop. Like lib.rs this file only wires (conversion in `convert`, errors in `error`); every
//! decision (order, `needs`, `max_parallel`, timeouts, retries and backoff, exit gates,
//! fail-fast, interruption) is the core's. `policy.run` (the glue shared with the Node.js
//! binding, `bindings-js/run.mjs`) drives one with functions returning Promises.

use crate::convert;
use crate::error::{Failure, catch, guard};
use kiro::CompiledPolicy;
use kiro::api::convert as boundary;
use kiro::pipeline::{HostRun, StageReport};
use wasm_bindgen::prelude::*;

/// A run of a policy's pipeline driven by the caller's event loop, made by `policy.startRun`:
/// `step(nowMs)` says what to do (start or cancel an attempt, set or clear a timer) and what
/// happened; the caller reports back with `complete`, `fail` and `fire`, and calls `step`
/// again, until a step says `done`. `policy.run` does all of this for you.
#[wasm_bindgen]
pub struct PipelineRun {
    inner: HostRun,
}

impl PipelineRun {
    /// A run of `policy`'s pipeline in which the caller has an action for each stage named in
    /// `actions`. Throws `KIRO-E033` without a pipeline, `KIRO-E005` for an action that names
    /// no stage, `KIRO-E003` for bad options.
    pub fn start(
        policy: &CompiledPolicy,
        actions: &[String],
        options: Option<&JsValue>,
    ) -> Result<Self, Failure> {
        let options = convert::run_options(options)?;
        let names: Vec<&str> = actions.iter().map(String::as_str).collect();
        let inner = guard(|| HostRun::new(policy, &names, options))?;
        Ok(Self { inner })
    }

    /// The run saved with `snapshot()`, continued under `policy`. Throws `KIRO-E041` for a
    /// state saved under another policy, `KIRO-E040` for text that is not a saved run.
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, Failure> {
        let inner = guard(|| HostRun::restore(policy, text))?;
        Ok(Self { inner })
    }

    /// The run that the event log `log` (from `log()`) leads to, replayed under `policy`.
    pub fn replay(policy: &CompiledPolicy, log: &str) -> Result<Self, Failure> {
        let inner = guard(|| HostRun::replay(policy, log))?;
        Ok(Self { inner })
    }

    /// Reports the end of attempt `id` (ignored unless it is an id the run gave).
    fn report(&mut self, id: f64, report: StageReport) -> Result<(), Failure> {
        match boundary::host_id(id) {
            Some(id) => catch(|| self.inner.complete(id, report)),
            None => Ok(()),
        }
    }
}

#[wasm_bindgen]
impl PipelineRun {
    /// Moves the run on at `nowMs` (milliseconds since any fixed origin, such as the run's
    /// start) and returns what to do and what happened. Timers due by `nowMs` fire.
    #[wasm_bindgen(unchecked_return_type = "RunStep")]
    pub fn step(
        &mut self,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now_ms = convert::number_argument(&now_ms, "nowMs")?;
        let step = catch(|| self.inner.step(now_ms))?;
        convert::run_step(&step)
    }

    /// Attempt `id` succeeded with `metrics` (nothing: no observations), read as `check` reads
    /// metrics. Metrics that cannot be read make the attempt fail with the problem as its
    /// detail. Ignored for a cancelled attempt. Call `step` next.
    pub fn complete(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Metrics | null")] metrics: Option<JsValue>,
    ) -> Result<(), JsValue> {
        let id = convert::number_argument(&id, "id")?;
        let report = convert::attempt_report(&metrics.unwrap_or(JsValue::UNDEFINED))?;
        Ok(self.report(id, report)?)
    }

    /// Attempt `id` failed; `detail` says how: a string, or what the action threw (an `Error`
    /// becomes `Name: message`, as in every binding). `metrics`, when given, are what the
    /// failed action observed anyway (an exit gate with `on_action_failure: gate` decides on
    /// them), and `exitCode` its exit status (for `retry_on`). Ignored for a cancelled attempt.
    /// Call `step` next.
    pub fn fail(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] detail: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Metrics | null")] metrics: Option<JsValue>,
        #[wasm_bindgen(js_name = exitCode, unchecked_optional_param_type = "number | null")]
        exit_code: Option<JsValue>,
    ) -> Result<(), JsValue> {
        let id = convert::number_argument(&id, "id")?;
        let given = match metrics {
            Some(m) if !m.is_null() && !m.is_undefined() => Some(convert::attempt_report(&m)?),
            _ => None,
        };
        let exit_code = exit_code.and_then(|c| c.as_f64());
        let report = boundary::failed_attempt(convert::failure_report(&detail), given, exit_code);
        Ok(self.report(id, report)?)
    }

    /// Timer `id` fired. Ignored for a cleared timer. Call `step` next.
    pub fn fire(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue,
    ) -> Result<(), JsValue> {
        let id = convert::number_argument(&id, "id")?;
        if let Some(id) = boundary::host_id(id) {
            catch(|| self.inner.fire(id))?;
        }
        Ok(())
    }

    /// Interrupts the run: the next `step` cancels the running attempts, skips the pending
    /// stages and ends the run as interrupted.
    pub fn interrupt(&mut self) -> Result<(), JsValue> {
        Ok(catch(|| self.inner.interrupt())?)
    }

    /// The run's result (the JSON of `kiro run --format json`) once a step said `done`; null
    /// before.
    #[wasm_bindgen(unchecked_return_type = "RunResult | null")]
    pub fn result(&self) -> Result<JsValue, JsValue> {
        match catch(|| self.inner.result().cloned())? {
            Some(result) => convert::run_result(&result),
            None => Ok(JsValue::NULL),
        }
    }

    /// The run saved as canonical JSON text as of the last `step` (restore it with
    /// `policy.restoreRun`). Throws `KIRO-E040` before the first step.
    pub fn snapshot(&self) -> Result<String, JsValue> {
        Ok(guard(|| self.inner.snapshot())?)
    }

    /// Every event the run took, as JSON text (replay it with `policy.replayRun`).
    pub fn log(&self) -> Result<String, JsValue> {
        Ok(guard(|| self.inner.log_json())?)
    }
}
