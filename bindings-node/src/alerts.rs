//! `Alerts`: the core's alert engine (`kiro::api::HostAlerts`) for JavaScript. It only wires:
//! an event object in the JSON form of `docs/alerts.md` in, the decision (notifications,
//! escalations and every other effect, as data the host sends) out as a plain object; a
//! refused event throws a `KiroError` with the core's code and leaves the engine as it was.

use crate::error::OrThrow;
use crate::machine::Machine;
use kiro::alert::AlertState;
use kiro::catch_panic;
use napi::bindgen_prelude::Unknown;
use napi::{Env, Result};
use napi_derive::napi;

/// The policy's alert engine, fed the caller's events (observations, external alerts,
/// acknowledgements, silences, ticks) one at a time, made by `policy.startAlerts()` or
/// `policy.restoreAlerts(state)`.
#[napi]
pub struct Alerts {
    pub(crate) inner: Machine<AlertState>,
}

#[napi]
impl Alerts {
    /// Takes one event in its JSON form (`{type: "tick", at_ms: 0}`, see docs/alerts.md) and
    /// returns the decision at it, with the effects the caller carries out.
    #[napi(ts_args_type = "event: AlertEvent", ts_return_type = "AlertDecision")]
    pub fn step<'env>(&mut self, env: &'env Env, event: Unknown<'_>) -> Result<Unknown<'env>> {
        self.inner.step(env, &event)
    }

    /// The engine saved as canonical JSON text (continue it with `policy.restoreAlerts`).
    #[napi]
    pub fn snapshot(&self, env: &Env) -> Result<String> {
        self.inner.snapshot(env)
    }

    /// When the caller should send the next tick at the latest (ms on its clock); null
    /// without a timer.
    #[napi(getter)]
    pub fn wake_at_ms(&self, env: &Env) -> Result<Option<f64>> {
        #[expect(
            clippy::cast_precision_loss,
            reason = "times on a host clock are below 2^53"
        )]
        catch_panic(|| self.inner.host.wake_at_ms().map(|t| t as f64)).or_throw(env)
    }
}
