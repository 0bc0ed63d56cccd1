//! `run:` cases: a pipeline run through [`HostRun`] with a scripted host on virtual time, as
//! described in `tests/conformance/run/README.md` (every runner follows that simulation).
//!
//! Every case runs three more times, each of which must give the same bytes as the live run:
//! with the run saved and restored (`snapshot` → JSON → `restore`) after every step; replayed
//! from its event log; and, on the state machine itself, replayed with the state saved and
//! restored after every single event.

use kiro::pipeline::{HostRequest, HostRun, RunOptions, RunState, StageReport, replay, step};
use kiro::{CompiledPolicy, MetricsInput};
use serde_json::Value;
use std::collections::BTreeMap;

/// The outcome of a run case: the result and the events as `"<at_ms> <kind> <stage>"`, or the
/// code and message of each diagnostic when the run could not start.
pub(crate) type RunOutcome = Result<(Value, Vec<String>), Vec<(String, String)>>;

/// Runs the `run:` section `spec` on `policy`.
///
/// # Errors
/// A message when the case is malformed, the run would wait forever, or a saved, restored or
/// replayed run differs from the live one.
pub(crate) fn run(policy: &CompiledPolicy, spec: &Value) -> Result<RunOutcome, String> {
    let live = match simulate(policy, spec, false)? {
        Ok(live) => live,
        Err(errors) => return Ok(Err(errors)),
    };
    let (run, events) = live;
    let result = run.result().ok_or("the run ended without a result")?;
    let value = serde_json::to_value(result).map_err(|e| e.to_string())?;
    let saved = run.snapshot().map_err(|e| e.to_string())?;

    // (a) Saved and restored after every step: the same result and events.
    if let Ok((restored, restored_events)) = simulate(policy, spec, true)? {
        let again = restored
            .result()
            .ok_or("the restored run ended without a result")?;
        if again != result || restored_events != events {
            return Err(format!(
                "a run restored after every step differs\nlive: {}\n{events:#?}\nrestored: {}\n{restored_events:#?}",
                result.to_json(),
                again.to_json()
            ));
        }
    }

    // (b) Replayed from its log: the same state bytes and result.
    let log = run.log_json().map_err(|e| e.to_string())?;
    let replayed = HostRun::replay(policy, &log).map_err(|e| format!("replay: {e}"))?;
    if replayed.snapshot().map_err(|e| e.to_string())? != saved || replayed.result() != Some(result)
    {
        return Err("the replayed run differs from the live one".to_owned());
    }

    // (c) The state machine, saved and restored after every event: the same effects and state.
    let whole = replay(policy, run.log()).map_err(|e| format!("replay: {e}"))?;
    let mut state = RunState::new();
    let mut effects = Vec::new();
    for event in run.log() {
        effects.extend(step(&mut state, policy, event.clone()).map_err(|e| e.to_string())?);
        let text = state.save(policy).map_err(|e| e.to_string())?;
        state = RunState::restore(policy, &text).map_err(|e| format!("restore: {e}"))?;
    }
    if effects != whole.effects || state.save(policy).map_err(|e| e.to_string())? != saved {
        return Err("stepping with a save and restore after every event differs".to_owned());
    }
    Ok(Ok((value, events)))
}

type Simulated = Result<(HostRun, Vec<String>), Vec<(String, String)>>;

/// The simulation of the README; with `restore`, the run is saved and restored after every
/// step.
fn simulate(policy: &CompiledPolicy, spec: &Value, restore: bool) -> Result<Simulated, String> {
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
        if restore {
            let saved = run.snapshot().map_err(|e| format!("snapshot: {e}"))?;
            run = HostRun::restore(policy, &saved).map_err(|e| format!("restore: {e}"))?;
        }
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
                    #[allow(clippy::cast_precision_loss, reason = "virtual times are small")]
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
    Ok(Ok((run, events)))
}

/// The report of a scripted attempt: `ok: metrics` or `fail: detail` (with the failed
/// action's `metrics` and `exit` status, when given).
fn report(entry: &Value) -> Result<StageReport, String> {
    if let Some(detail) = entry.get("fail") {
        let detail = detail.as_str().ok_or("`fail` takes a string")?;
        let exit = match entry.get("exit") {
            None => None,
            Some(code) => Some(
                code.as_i64()
                    .and_then(|c| i32::try_from(c).ok())
                    .ok_or("`exit` takes an exit status")?,
            ),
        };
        let report = StageReport::failure(detail).with_exit_code(exit);
        return Ok(match entry.get("metrics") {
            None => report,
            Some(metrics) => match MetricsInput::from_json(metrics) {
                Ok(metrics) => report.with_metrics(metrics),
                Err(d) => StageReport::failure(d.message),
            },
        });
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
