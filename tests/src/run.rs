//! `run:` cases: a pipeline run through [`HostRun`] with a scripted host on virtual time, as
//! described in `tests/conformance/run/README.md` (every runner follows that simulation).

use kiro::pipeline::{HostRequest, HostRun, RunOptions, StageReport};
use kiro::{CompiledPolicy, MetricsInput};
use serde_json::Value;
use std::collections::BTreeMap;

/// The outcome of a run case: the result and the events as `"<at_ms> <kind> <stage>"`, or the
/// code and message of each diagnostic when the run could not start.
pub(crate) type RunOutcome = Result<(Value, Vec<String>), Vec<(String, String)>>;

/// Runs the `run:` section `spec` on `policy`.
///
/// # Errors
/// A message when the case is malformed or the run would wait forever.
pub(crate) fn run(policy: &CompiledPolicy, spec: &Value) -> Result<RunOutcome, String> {
    let actions: BTreeMap<String, Vec<Value>> = match spec.get("actions") {
        Some(a) => serde_json::from_value(a.clone()).map_err(|e| format!("run.actions: {e}"))?,
        None => BTreeMap::new(),
    };
    let options = spec.get("options").cloned().unwrap_or(Value::Null);
    let options = RunOptions {
        max_parallel: options
            .get("max_parallel")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok()),
        fail_fast: options.get("fail_fast").and_then(Value::as_bool),
    };
    let mut interrupt_at = spec.get("interrupt_at_ms").and_then(Value::as_f64);
    let names: Vec<&str> = actions.keys().map(String::as_str).collect();
    let mut run = match HostRun::new(policy, &names, options) {
        Ok(run) => run,
        Err(e) => {
            return Ok(Err(kiro::KiroError::diagnostics(&e)
                .iter()
                .map(|d| (d.code.to_string(), d.message.clone()))
                .collect()));
        }
    };
    let mut now = 0.0_f64;
    let mut ends: BTreeMap<u64, (f64, Value)> = BTreeMap::new();
    let mut timers: BTreeMap<u64, f64> = BTreeMap::new();
    let mut events = Vec::new();
    loop {
        let due: Vec<u64> = ends
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            if let Some((_, entry)) = ends.remove(&id) {
                run.complete(id, report(&entry)?);
            }
        }
        if interrupt_at.is_some_and(|at| at <= now) {
            run.interrupt();
            interrupt_at = None;
        }
        let step = run.step(now);
        events.extend(
            step.events
                .iter()
                .map(|e| format!("{} {} {}", e.at_ms(), e.kind(), e.stage())),
        );
        for request in step.requests {
            match request {
                HostRequest::Start { id, stage, attempt } => {
                    let script = actions
                        .get(&stage)
                        .ok_or_else(|| format!("stage `{stage}` started without an action"))?;
                    let index = usize::try_from(attempt)
                        .unwrap_or(usize::MAX)
                        .min(script.len());
                    let entry = script
                        .get(index.saturating_sub(1))
                        .ok_or_else(|| format!("run.actions.{stage}: no attempts"))?;
                    if entry.get("hang").and_then(Value::as_bool) != Some(true) {
                        let ms = entry.get("ms").and_then(Value::as_f64).unwrap_or(0.0);
                        ends.insert(id, (now + ms, entry.clone()));
                    }
                }
                HostRequest::Cancel { id } => {
                    ends.remove(&id);
                }
                HostRequest::SetTimer { id, ms } => {
                    // Virtual milliseconds: far below 2^53.
                    #[allow(clippy::cast_precision_loss)]
                    timers.insert(id, now + ms as f64);
                }
                HostRequest::ClearTimer { id } => {
                    timers.remove(&id);
                }
            }
        }
        if step.done {
            break;
        }
        timers.retain(|_, at| *at > now);
        let next = ends
            .values()
            .map(|(at, _)| *at)
            .chain(timers.values().copied())
            .chain(interrupt_at)
            .reduce(f64::min)
            .ok_or("the run would wait forever")?;
        now = now.max(next);
    }
    let result = run.result().ok_or("the run ended without a result")?;
    let value = serde_json::to_value(result).map_err(|e| e.to_string())?;
    Ok(Ok((value, events)))
}

/// The report of a scripted attempt: `ok: metrics` or `fail: detail`.
fn report(entry: &Value) -> Result<StageReport, String> {
    if let Some(detail) = entry.get("fail") {
        let detail = detail.as_str().ok_or("`fail` takes a string")?;
        return Ok(StageReport::failure(detail));
    }
    match entry.get("ok") {
        None => Err(format!("an attempt needs `ok`, `fail` or `hang`: {entry}")),
        Some(Value::Null) => Ok(StageReport::success(MetricsInput::default())),
        Some(metrics) => Ok(match MetricsInput::from_json(metrics) {
            Ok(metrics) => StageReport::success(metrics),
            Err(d) => StageReport::failure(d.message),
        }),
    }
}
