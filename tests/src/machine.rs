//! A timeline of events fed to one of the core's state machines (a monitor, a release), as the
//! `monitor:` and `release:` cases describe it.
//!
//! Every case runs three ways, which must agree byte for byte: live, with the state saved to
//! JSON and restored after every event; without ever stopping; and by replaying the event log
//! from a new state. An event that is refused must leave the saved state unchanged.

use kiro::api::Hosted;
use kiro::{BoundaryError, CompiledPolicy};
use serde::Serialize;
use serde_json::Value;

/// Runs `events` (JSON values) through a new `M` of `policy` and compares the decisions with
/// the case's `expect`, or the refusal with its `expect_error` (`error_at`, `expect_message`).
///
/// # Errors
/// A message saying how the machine's answers differ from the case.
pub(crate) fn run_timeline<M>(
    policy: &CompiledPolicy,
    case: &Value,
    events: &[Value],
) -> Result<(), String>
where
    M: Hosted + Clone,
    M::Decision: Serialize,
{
    let expected_error = expected_code(case);
    // A log that cannot be read, or a policy without the section, fails before any event.
    let start = events
        .iter()
        .map(M::event)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|events| Ok((M::start(policy)?, events)));
    let (state, events) = match (start, expected_error) {
        (Ok(start), _) => start,
        (Err(e), Some(code)) if has_code(&e, code) => return Ok(()),
        (Err(e), _) => return Err(format!("before any event: {}", e.message)),
    };
    let mut restored = state;
    let mut straight = restored.clone();
    let mut decisions = Vec::new();
    let mut texts = Vec::new();
    let mut failure = None;
    for (i, event) in events.iter().enumerate() {
        let before = restored.save(policy).map_err(|e| e.message)?;
        let answer = restored.step(policy, event);
        let again = straight.step(policy, event);
        match (answer, again) {
            (Ok(a), Ok(b)) => {
                let a = serde_json::to_string(&a).map_err(|e| e.to_string())?;
                let b = serde_json::to_string(&b).map_err(|e| e.to_string())?;
                if a != b {
                    return Err(format!(
                        "event {i}: a restored machine decided differently from one never stopped\nrestored: {a}\nstraight: {b}"
                    ));
                }
                decisions.push(serde_json::from_str::<Value>(&a).map_err(|e| e.to_string())?);
                texts.push(a);
                let saved = restored.save(policy).map_err(|e| e.message)?;
                restored = M::restore(policy, &saved).map_err(|e| e.message)?;
                if restored.save(policy).map_err(|e| e.message)? != saved {
                    return Err(format!(
                        "event {i}: save → restore → save changed the state"
                    ));
                }
            }
            (Err(e), Err(_)) => {
                let after = restored.save(policy).map_err(|e| e.message)?;
                if after != before {
                    return Err(format!("event {i}: a refused event changed the state"));
                }
                failure = Some((i, e));
                break;
            }
            (a, b) => {
                return Err(format!(
                    "event {i}: restored and straight machines disagree: {:?} / {:?}",
                    a.map(|_| ()),
                    b.map(|_| ())
                ));
            }
        }
    }
    if failure.is_none() {
        check_replay::<M>(policy, &events, &texts, &straight)?;
    }
    check_failure(case, failure)?;
    let Some(expect) = case.get("expect") else {
        return if expected_error.is_some() {
            Ok(())
        } else {
            Err("the case has neither `expect` nor `expect_error`".into())
        };
    };
    crate::subset("$", expect, &Value::Array(decisions.clone()))
        .map_err(|e| format!("{e}\ndecisions:\n{}", lines(&decisions)))
}

/// The refused event (if any) against the case's `expect_error`, `error_at` and message.
fn check_failure(case: &Value, failure: Option<(usize, BoundaryError)>) -> Result<(), String> {
    let error_at = case
        .get("error_at")
        .and_then(Value::as_u64)
        .and_then(|i| usize::try_from(i).ok());
    match (failure, expected_code(case)) {
        (None, None) => Ok(()),
        (None, Some(code)) => Err(format!("expected error {code}, got none")),
        (Some((i, e)), Some(code)) => {
            if !has_code(&e, code) {
                return Err(format!("event {i}: expected {code}, got {}", e.message));
            }
            if error_at.is_some_and(|at| at != i) {
                return Err(format!(
                    "expected the error at event {error_at:?}, got it at {i}"
                ));
            }
            if let Some(message) = expected_message(case)
                && !e.diagnostics.iter().any(|d| d.message == message)
            {
                return Err(format!("expected message {message:?}, got {}", e.message));
            }
            Ok(())
        }
        (Some((i, e)), None) => Err(format!("event {i}: unexpected error {}", e.message)),
    }
}

/// Replaying the log from a new state gives the same decisions and the same final state.
fn check_replay<M>(
    policy: &CompiledPolicy,
    events: &[M::Event],
    decisions: &[String],
    straight: &M,
) -> Result<(), String>
where
    M: Hosted,
    M::Decision: Serialize,
{
    let mut state = M::start(policy).map_err(|e| format!("replay: {}", e.message))?;
    let mut replayed = Vec::with_capacity(events.len());
    for event in events {
        let decision = state
            .step(policy, event)
            .map_err(|e| format!("replay: {}", e.message))?;
        replayed.push(serde_json::to_string(&decision).map_err(|e| e.to_string())?);
    }
    if replayed != decisions {
        return Err("replaying the log gave other decisions".into());
    }
    let save = |s: &M| s.save(policy).map_err(|e| e.message);
    if save(&state)? != save(straight)? {
        return Err("replaying the log gave another state".into());
    }
    Ok(())
}

fn has_code(e: &BoundaryError, code: &str) -> bool {
    e.diagnostics.iter().any(|d| d.code.as_str() == code)
}

fn lines(decisions: &[Value]) -> String {
    decisions
        .iter()
        .enumerate()
        .map(|(i, d)| format!("[{i}] {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The code of `expect_error`: `KIRO-E0xx`, or the `code` of `{code, message}`.
fn expected_code(case: &Value) -> Option<&str> {
    let e = case.get("expect_error")?;
    e.as_str().or_else(|| e.get("code").and_then(Value::as_str))
}

/// The message expected with the error: `expect_message`, or the `message` of `expect_error`.
fn expected_message(case: &Value) -> Option<&str> {
    case.get("expect_message")
        .and_then(Value::as_str)
        .or_else(|| {
            case.get("expect_error")?
                .get("message")
                .and_then(Value::as_str)
        })
}
