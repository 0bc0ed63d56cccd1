//! `monitor:` cases: a policy's triggers fed a timeline of events, as described in
//! `tests/conformance/monitor/README.md`, run by [`crate::machine::run_timeline`] (live with a snapshot and
//! restore after every event, never stopped, and replayed: all three must agree).

use kiro::CompiledPolicy;
use kiro::monitor::MonitorState;
use serde_json::Value;

/// Runs the `monitor:` section `spec` of a case on `policy` and compares it with `expect`.
///
/// # Errors
/// A message saying how the answers differ from the case.
pub(crate) fn run(policy: &CompiledPolicy, case: &Value, spec: &Value) -> Result<(), String> {
    let events = spec
        .get("events")
        .and_then(Value::as_array)
        .ok_or("`monitor.events` is a list")?;
    crate::machine::run_timeline::<MonitorState>(policy, case, events)
}
