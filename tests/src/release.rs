//! `release:` cases: a policy's environments fed a timeline of events, as described in
//! `tests/conformance/release/README.md`.
//!
//! Every case runs three ways, which must agree byte for byte: live, with the state saved to
//! JSON and restored after every event; without ever stopping; and by replaying the event log
//! from a new state. An event that is refused must leave the saved state unchanged.

use kiro::release::{ReleaseEvent, ReleaseState, replay, step};
use kiro::{CompiledPolicy, KiroError};
use serde_json::Value;

/// Runs the `release:` section `spec` of a case on `policy` and compares it with `expect`.
///
/// # Errors
/// A message saying how the release's answers differ from the case.
pub(crate) fn run(policy: &CompiledPolicy, case: &Value, spec: &Value) -> Result<(), String> {
    let expected_error = expected_code(case);
    let err = |e: &dyn KiroError| format!("{}: {e}", e.code());
    // A log that cannot be read, or a policy without environments, fails before any event.
    let events = spec
        .get("events")
        .and_then(Value::as_array)
        .ok_or("`release.events` is a list")?
        .iter()
        .map(ReleaseEvent::from_json)
        .collect::<Result<Vec<_>, _>>();
    let start = events.and_then(|events| Ok((ReleaseState::new(policy)?, events)));
    let (state, events) = match (start, expected_error) {
        (Ok(start), _) => start,
        (Err(e), Some(code)) if e.diagnostics().iter().any(|d| d.code.as_str() == code) => {
            return Ok(());
        }
        (Err(e), _) => return Err(format!("before any event: {}", err(&e))),
    };
    run_events(policy, case, state, &events)
}

fn run_events(
    policy: &CompiledPolicy,
    case: &Value,
    state: ReleaseState,
    events: &[ReleaseEvent],
) -> Result<(), String> {
    let expected_error = expected_code(case);
    let error_at = case
        .get("error_at")
        .and_then(Value::as_u64)
        .and_then(|i| usize::try_from(i).ok());
    let err = |e: &dyn KiroError| format!("{}: {e}", e.code());
    let mut restored = state;
    let mut straight = restored.clone();
    let mut decisions = Vec::new();
    let mut texts = Vec::new();
    let mut failure = None;
    for (i, event) in events.iter().enumerate() {
        let before = restored.save(policy).map_err(|e| err(&e))?;
        let answer = step(&mut restored, policy, event);
        let again = step(&mut straight, policy, event);
        match (answer, again) {
            (Ok(a), Ok(b)) => {
                let a = serde_json::to_string(&a).map_err(|e| e.to_string())?;
                let b = serde_json::to_string(&b).map_err(|e| e.to_string())?;
                if a != b {
                    return Err(format!(
                        "event {i}: a restored release decided differently from one never stopped\nrestored: {a}\nstraight: {b}"
                    ));
                }
                decisions.push(serde_json::from_str::<Value>(&a).map_err(|e| e.to_string())?);
                texts.push(a);
                let saved = restored.save(policy).map_err(|e| err(&e))?;
                restored = ReleaseState::restore(policy, &saved).map_err(|e| err(&e))?;
                if restored.save(policy).map_err(|e| err(&e))? != saved {
                    return Err(format!(
                        "event {i}: save → restore → save changed the state"
                    ));
                }
            }
            (Err(e), Err(_)) => {
                let after = restored.save(policy).map_err(|e| err(&e))?;
                if after != before {
                    return Err(format!("event {i}: a refused event changed the state"));
                }
                failure = Some((i, e));
                break;
            }
            (a, b) => {
                return Err(format!(
                    "event {i}: restored and straight releases disagree: {:?} / {:?}",
                    a.map(|_| ()),
                    b.map(|_| ())
                ));
            }
        }
    }
    if failure.is_none() {
        check_replay(policy, events, &texts, &straight)?;
    }
    match (failure, expected_error) {
        (None, None) => {}
        (None, Some(code)) => return Err(format!("expected error {code}, got none")),
        (Some((i, e)), Some(code)) => {
            if !e.diagnostics().iter().any(|d| d.code.as_str() == code) {
                return Err(format!("event {i}: expected {code}, got {}", err(&e)));
            }
            if error_at.is_some_and(|at| at != i) {
                return Err(format!(
                    "expected the error at event {error_at:?}, got it at {i}"
                ));
            }
            if let Some(message) = expected_message(case)
                && !e.diagnostics().iter().any(|d| d.message == message)
            {
                return Err(format!("expected message {message:?}, got {}", err(&e)));
            }
        }
        (Some((i, e)), None) => return Err(format!("event {i}: unexpected error {}", err(&e))),
    }
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

/// Replaying the log from a new state gives the same decisions and the same final state.
fn check_replay(
    policy: &CompiledPolicy,
    events: &[ReleaseEvent],
    decisions: &[String],
    straight: &ReleaseState,
) -> Result<(), String> {
    let (state, replayed) = replay(policy, events).map_err(|e| format!("replay: {e}"))?;
    let replayed: Vec<String> = replayed
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if replayed != decisions {
        return Err("replaying the log gave other decisions".into());
    }
    let save = |s: &ReleaseState| s.save(policy).map_err(|e| e.to_string());
    if save(&state)? != save(straight)? {
        return Err("replaying the log gave another state".into());
    }
    Ok(())
}

fn lines(decisions: &[Value]) -> String {
    decisions
        .iter()
        .enumerate()
        .map(|(i, d)| format!("[{i}] {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The code of `expect_error`: `KIRO-E1xx`, or the `code` of `{code, message}`.
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
