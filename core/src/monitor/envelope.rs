//! The saved-state envelope and the time rule, as the shared state-machine layer defines them:
//! `{"format": <u32>, "kind": "<kind>", "policy": "<policy hash>", …state}`.
//!
//! A private copy for the monitor until that shared layer (`crate::machine`) is on the main
//! branch; the same JSON shape and the same codes, so that the monitor moves onto it by
//! replacing this module with an import.

use crate::diagnostic::{Code, Diagnostic};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The `source` of diagnostics about saved states and the events fed to a state machine.
pub const SOURCE: &str = "state";

#[derive(Serialize)]
struct Envelope<'a, S> {
    format: u32,
    kind: &'a str,
    policy: &'a str,
    #[serde(flatten)]
    state: &'a S,
}

/// The state as canonical JSON inside its envelope.
pub(crate) fn save<S: Serialize>(
    kind: &str,
    format: u32,
    policy_hash: &str,
    state: &S,
) -> Result<String, Diagnostic> {
    serde_json::to_string(&Envelope {
        format,
        kind,
        policy: policy_hash,
        state,
    })
    .map_err(|e| invalid(format!("the state cannot be saved: {e}")))
}

/// Reads a state saved by [`save`] for the policy whose hash is `policy_hash`.
pub(crate) fn restore<S: DeserializeOwned>(
    kind: &str,
    format: u32,
    policy_hash: &str,
    text: &str,
) -> Result<S, Diagnostic> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("a saved state must be JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(invalid("a saved state must be a JSON object"));
    };
    let found = take(&mut map, "format")?;
    let found = found
        .as_u64()
        .and_then(|f| u32::try_from(f).ok())
        .ok_or_else(|| invalid(format!("`format` must be a whole number, found {found}")))?;
    if found != format {
        let why = if found > format {
            "was saved by a newer kiro"
        } else {
            "is of a format this kiro does not read"
        };
        return Err(invalid(format!(
            "the state {why} (format {found}; this kiro reads format {format})"
        )));
    }
    let found = take(&mut map, "kind")?;
    if found.as_str() != Some(kind) {
        return Err(invalid(format!("the state is a {found}, not a `{kind}`")));
    }
    let policy = take(&mut map, "policy")?;
    let Some(saved) = policy.as_str() else {
        return Err(invalid(format!(
            "`policy` must be a policy hash, found {policy}"
        )));
    };
    if saved != policy_hash {
        return Err(Diagnostic::error(
            Code::StatePolicyMismatch,
            format!("this state belongs to policy {saved}, not {policy_hash}"),
        )
        .with_help("restore a state with the policy it was saved under; a changed policy starts a new monitor")
        .with_source(SOURCE));
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| invalid(format!("the saved state is malformed: {e}")))
}

fn take(map: &mut Map<String, Value>, key: &str) -> Result<Value, Diagnostic> {
    map.remove(key)
        .ok_or_else(|| invalid(format!("a saved state needs `{key}`")))
}

/// A [`Code::InvalidState`] diagnostic.
pub(crate) fn invalid(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidState, message).with_source(SOURCE)
}

/// The time rule: an event at `at_ms` may not be earlier than `last_ms`.
pub(crate) fn check_time(last_ms: u64, at_ms: u64) -> Result<(), Diagnostic> {
    if at_ms < last_ms {
        return Err(Diagnostic::error(
            Code::TimeWentBackwards,
            format!("time went backwards: an event at {at_ms} ms after one at {last_ms} ms"),
        )
        .with_help("give events in the order they happened, with the host's monotonic time")
        .with_source(SOURCE));
    }
    Ok(())
}

/// A [`Code::UnexpectedEvent`] diagnostic.
pub(crate) fn unexpected(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnexpectedEvent, message).with_source(SOURCE)
}
