//! `alerts:` cases: a policy's alerting fed a timeline of events, as described in
//! `tests/conformance/alerts/README.md`.
//!
//! Every case runs three ways, which must agree byte for byte: live, with the state saved to
//! JSON and restored after every event; without ever stopping; and by replaying the event log
//! from a new state. A refused event must leave the saved state unchanged.
//!
//! Expectations: `expect_notifications` and `expect_escalations` are the exact lists of
//! `notify` and `escalate` effects (each matched as a subset, same length and order);
//! `expect_effects` must appear among all effects in that order (other effects may come
//! between); `expect_error` (a code, or `{code, message}`) with `error_at` the index of the
//! refused event.

use kiro::alert::{AlertEvent, AlertState, replay, step};
use kiro::{CompiledPolicy, KiroError};
use serde_json::Value;

/// Runs the `alerts:` section `spec` of a case on `policy`.
///
/// # Errors
/// How the engine's answers differ from the case.
pub(crate) fn run(policy: &CompiledPolicy, case: &Value, spec: &Value) -> Result<(), String> {
    let err = |e: &dyn KiroError| format!("{}: {e}", e.code());
    let events = spec
        .get("events")
        .and_then(Value::as_array)
        .ok_or("`alerts.events` is a list")?
        .iter()
        .map(AlertEvent::from_json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(&e))?;
    let mut restored = match AlertState::new(policy) {
        Ok(state) => state,
        Err(e) => {
            let wanted = match case.get("expect_error") {
                Some(Value::String(c)) => Some(c.as_str()),
                Some(v) => v.get("code").and_then(Value::as_str),
                None => None,
            };
            return if wanted.is_some_and(|c| e.diagnostics().iter().any(|d| d.code.as_str() == c)) {
                Ok(())
            } else {
                Err(format!("before any event: {}", err(&e)))
            };
        }
    };
    let mut straight = restored.clone();
    let mut effects = Vec::new();
    let mut texts = Vec::new();
    let mut failure = None;
    for (i, event) in events.iter().enumerate() {
        let before = restored.save(policy).map_err(|e| err(&e))?;
        match (
            step(&mut restored, policy, event),
            step(&mut straight, policy, event),
        ) {
            (Ok(a), Ok(b)) => {
                let a = serde_json::to_string(&a).map_err(|e| e.to_string())?;
                let b = serde_json::to_string(&b).map_err(|e| e.to_string())?;
                if a != b {
                    return Err(format!(
                        "event {i}: a restored engine decided differently\nrestored: {a}\nstraight: {b}"
                    ));
                }
                let decision: Value = serde_json::from_str(&a).map_err(|e| e.to_string())?;
                if let Some(list) = decision.get("effects").and_then(Value::as_array) {
                    effects.extend(list.iter().cloned());
                }
                texts.push(a);
                let saved = restored.save(policy).map_err(|e| err(&e))?;
                restored = AlertState::restore(policy, &saved).map_err(|e| err(&e))?;
                if restored.save(policy).map_err(|e| err(&e))? != saved {
                    return Err(format!(
                        "event {i}: save → restore → save changed the state"
                    ));
                }
            }
            (Err(e), Err(_)) => {
                if restored.save(policy).map_err(|e| err(&e))? != before {
                    return Err(format!("event {i}: a refused event changed the state"));
                }
                failure = Some((i, e));
                break;
            }
            (a, b) => {
                return Err(format!(
                    "event {i}: restored and straight engines disagree: {:?} / {:?}",
                    a.map(|_| ()),
                    b.map(|_| ())
                ));
            }
        }
    }
    if failure.is_none() {
        let (state, replayed) = replay(policy, &events).map_err(|e| format!("replay: {e}"))?;
        let replayed: Vec<String> = replayed
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        if replayed != texts {
            return Err("replaying the log gave other decisions".into());
        }
        let save = |s: &AlertState| s.save(policy).map_err(|e| e.to_string());
        if save(&state)? != save(&straight)? {
            return Err("replaying the log gave another state".into());
        }
    }
    let expected = case.get("expect_error");
    let (code, message) = match expected {
        Some(Value::String(c)) => (Some(c.as_str()), None),
        Some(v) => (
            v.get("code").and_then(Value::as_str),
            v.get("message").and_then(Value::as_str),
        ),
        None => (None, None),
    };
    match (failure, code) {
        (None, None) => {}
        (None, Some(code)) => return Err(format!("expected error {code}, got none")),
        (Some((i, e)), Some(code)) => {
            if !e
                .diagnostics()
                .iter()
                .any(|d| d.code.as_str() == code && message.is_none_or(|m| m == d.message))
            {
                return Err(format!(
                    "event {i}: expected {code} {message:?}, got {}",
                    err(&e)
                ));
            }
            if let Some(at) = case.get("error_at").and_then(Value::as_u64)
                && usize::try_from(at).ok() != Some(i)
            {
                return Err(format!("expected the error at event {at}, got it at {i}"));
            }
        }
        (Some((i, e)), None) => return Err(format!("event {i}: unexpected error {}", err(&e))),
    }
    let all = || format!("\neffects:\n{}", lines(&effects));
    for (key, kind) in [
        ("expect_notifications", "notify"),
        ("expect_escalations", "escalate"),
    ] {
        if let Some(expect) = case.get(key) {
            let found: Vec<Value> = effects
                .iter()
                .filter(|e| e.get("type").and_then(Value::as_str) == Some(kind))
                .cloned()
                .collect();
            crate::subset(&format!("${key}"), expect, &Value::Array(found))
                .map_err(|e| format!("{e}{}", all()))?;
        }
    }
    if let Some(expect) = case.get("expect_effects").and_then(Value::as_array) {
        let mut from = 0;
        for (n, want) in expect.iter().enumerate() {
            let at = effects
                .iter()
                .skip(from)
                .position(|e| crate::subset("$", want, e).is_ok());
            match at {
                Some(p) => from += p + 1,
                None => {
                    return Err(format!(
                        "expect_effects[{n}] {want} not found in order{}",
                        all()
                    ));
                }
            }
        }
    }
    if case.get("expect_notifications").is_none()
        && case.get("expect_escalations").is_none()
        && case.get("expect_effects").is_none()
        && code.is_none()
    {
        return Err("the case expects nothing".into());
    }
    Ok(())
}

fn lines(effects: &[Value]) -> String {
    effects
        .iter()
        .enumerate()
        .map(|(i, d)| format!("[{i}] {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}
