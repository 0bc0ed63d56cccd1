//! `Monitor`: the core's rollback-trigger monitor (`kiro::api::HostMonitor`) for JavaScript.
//! Like lib.rs this file only wires: an event (an object in the JSON form of
//! `docs/monitor.md`, or the arguments of `observe`, `tick`, `approve`, `reject`, `abort`,
//! `end`) in, the decision out through `JSON.parse` of its JSON, as decisions of `check` are.
//! Every decision is the core's; a refused event throws a `KiroError` with the core's code and
//! leaves the monitor as it was.

use crate::error::OrThrow;
use crate::machine::{self, Machine};
use kiro::catch_panic;
use kiro::monitor::MonitorState;
use napi::bindgen_prelude::Unknown;
use napi::{Env, Result};
use napi_derive::napi;

/// A monitor of a policy's rollback triggers, fed the caller's events one at a time, made by
/// `policy.startMonitor()` or `policy.restoreMonitor(state)`. Each method takes one event and
/// returns the decision at it; times are whole milliseconds on the caller's clock.
#[napi]
pub struct Monitor {
    pub(crate) inner: Machine<MonitorState>,
}

impl Monitor {
    /// Takes the event of type `kind` with `fields` (absent when `None`).
    fn take<'env>(
        &mut self,
        env: &'env Env,
        kind: &str,
        fields: &[(&str, Option<&Unknown<'_>>)],
    ) -> Result<Unknown<'env>> {
        let event = machine::event(env, kind, fields)?;
        self.inner.take(env, &event)
    }
}

#[napi]
impl Monitor {
    /// Takes one event in its JSON form (`{type: "observe", at_ms: 0, values: {...}}`, see
    /// docs/monitor.md) and returns the decision at it.
    #[napi(
        ts_args_type = "event: MonitorEvent",
        ts_return_type = "MonitorDecision"
    )]
    pub fn step<'env>(&mut self, env: &'env Env, event: Unknown<'_>) -> Result<Unknown<'env>> {
        self.inner.step(env, &event)
    }

    /// Readings observed at `atMs`: per metric a value in its declared unit, a string with a
    /// unit, a boolean, null (no data), `NaN` or `"NaN"` (not a number), or `{error: "..."}`
    /// (the source failed). A declared metric not listed has no data.
    #[napi(
        ts_args_type = "atMs: number, values: Record<string, Reading>",
        ts_return_type = "MonitorDecision"
    )]
    pub fn observe<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        values: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let fields = [("at_ms", Some(&at_ms)), ("values", Some(&values))];
        self.take(env, "observe", &fields)
    }

    /// Time passes without an observation: approval timeouts are decided.
    #[napi(ts_args_type = "atMs: number", ts_return_type = "MonitorDecision")]
    pub fn tick<'env>(&mut self, env: &'env Env, at_ms: Unknown<'_>) -> Result<Unknown<'env>> {
        self.take(env, "tick", &[("at_ms", Some(&at_ms))])
    }

    /// `who` approves, as `persona`, the action the manual `trigger` waits for.
    #[napi(
        ts_args_type = "atMs: number, trigger: string, who: string, persona: string",
        ts_return_type = "MonitorDecision"
    )]
    pub fn approve<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        trigger: Unknown<'_>,
        who: Unknown<'_>,
        persona: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let fields = [
            ("at_ms", Some(&at_ms)),
            ("trigger", Some(&trigger)),
            ("who", Some(&who)),
            ("persona", Some(&persona)),
        ];
        self.take(env, "approve", &fields)
    }

    /// `who` rejects, as `persona`, the action the manual `trigger` waits for; the trigger
    /// starts over.
    #[napi(
        ts_args_type = "atMs: number, trigger: string, who: string, persona: string",
        ts_return_type = "MonitorDecision"
    )]
    pub fn reject<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        trigger: Unknown<'_>,
        who: Unknown<'_>,
        persona: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let fields = [
            ("at_ms", Some(&at_ms)),
            ("trigger", Some(&trigger)),
            ("who", Some(&who)),
            ("persona", Some(&persona)),
        ];
        self.take(env, "reject", &fields)
    }

    /// The analysis is stopped from outside (`reason`: why, as the host tells it); the final
    /// verdict says what was seen.
    #[napi(
        ts_args_type = "atMs: number, reason?: string | null",
        ts_return_type = "MonitorDecision"
    )]
    pub fn abort<'env>(
        &mut self,
        env: &'env Env,
        at_ms: Unknown<'_>,
        reason: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let fields = [("at_ms", Some(&at_ms)), ("reason", reason.as_ref())];
        self.take(env, "abort", &fields)
    }

    /// The analysis reaches its planned end; the final verdict says what was seen.
    #[napi(ts_args_type = "atMs: number", ts_return_type = "MonitorDecision")]
    pub fn end<'env>(&mut self, env: &'env Env, at_ms: Unknown<'_>) -> Result<Unknown<'env>> {
        self.take(env, "end", &[("at_ms", Some(&at_ms))])
    }

    /// The monitor saved as canonical JSON text (continue it with `policy.restoreMonitor`).
    #[napi]
    pub fn snapshot(&self, env: &Env) -> Result<String> {
        self.inner.snapshot(env)
    }

    /// Whether the monitor has ended (a rollback or promotion acted, an abort or the end); it
    /// takes no more events.
    #[napi(getter)]
    pub fn ended(&self, env: &Env) -> Result<bool> {
        catch_panic(|| self.inner.host.is_ended()).or_throw(env)
    }
}
