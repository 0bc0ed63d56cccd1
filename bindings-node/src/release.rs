//! `Release`: the core's release through a policy's environments (`kiro::api::HostRelease`) for
//! JavaScript. It only wires: an event object in the JSON form of `docs/releases.md` in, the
//! decision out as a plain object; a refused event throws a `KiroError` with the core's code
//! and leaves the release as it was.

use crate::convert;
use crate::error::OrThrow;
use crate::machine::Machine;
use kiro::catch_panic;
use kiro::release::ReleaseState;
use napi::bindgen_prelude::Unknown;
use napi::{Env, Result};
use napi_derive::napi;

/// A release of a change through the policy's environments, fed the caller's events (gate
/// verdicts, deployments, validations, approvals, analyses, ticks …) one at a time, made by
/// `policy.startRelease()` or `policy.restoreRelease(state)`. Each event returns the decision
/// at it: the next instruction and why.
#[napi]
pub struct Release {
    pub(crate) inner: Machine<ReleaseState>,
}

#[napi]
impl Release {
    /// Takes one event in its JSON form (`{type: "approve", at_ms: 0, …}`, see
    /// docs/releases.md) and returns the decision at it.
    #[napi(
        ts_args_type = "event: ReleaseEvent",
        ts_return_type = "ReleaseDecision"
    )]
    pub fn step<'env>(&mut self, env: &'env Env, event: Unknown<'_>) -> Result<Unknown<'env>> {
        self.inner.step(env, &event)
    }

    /// The release saved as canonical JSON text (continue it with `policy.restoreRelease`).
    #[napi]
    pub fn snapshot(&self, env: &Env) -> Result<String> {
        self.inner.snapshot(env)
    }

    /// Whether the release is done (released everywhere, or rejected).
    #[napi(getter)]
    pub fn done(&self, env: &Env) -> Result<bool> {
        catch_panic(|| self.inner.host.is_done()).or_throw(env)
    }

    /// What the release waits for now and what would unblock it; null when done.
    #[napi(getter, ts_return_type = "Wait | null")]
    pub fn next<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        convert::answer(env, &self.inner.host.next())
    }

    /// Every approval, rejection, override, human action and instruction so far, in order.
    #[napi(ts_return_type = "LogEntry[]")]
    pub fn log<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        convert::answer(env, self.inner.host.log())
    }
}
