//! What every state machine of kiro shares: the saved-state envelope and the time rule.
//!
//! Everything that lives over time (a pipeline run today; rollback monitors, releases and alert
//! lifecycles next) is a sans-I/O state machine: plain-data state, events in (each with its own
//! time, `at_ms`), effects out as data, and a deterministic `step`. This module holds the parts
//! they all use, so that each saves, restores and checks time the same way:
//!
//! - [`save`] writes a state as canonical JSON inside the envelope
//!   `{"format": <u32>, "kind": "<kind>", "policy": "<policy hash>", …state}`;
//! - [`restore`] reads it back, refusing ([`Code::InvalidState`], `KIRO-E040`) text that is not
//!   such an envelope, of another kind, of an unknown or newer format, or whose state does not
//!   parse, and ([`Code::StatePolicyMismatch`], `KIRO-E041`) a state saved under another policy
//!   hash: a saved state never continues as a silently different run;
//! - [`check_time`] is the time rule: an event earlier than the last one the state has seen is
//!   [`Code::TimeWentBackwards`] (`KIRO-E042`); [`unexpected`] makes the
//!   [`Code::UnexpectedEvent`] (`KIRO-E043`) for an event the state cannot take (an unknown
//!   attempt or timer, or anything after the end).
//!
//! Times are whole milliseconds (`u64`) on the host's clock: integers survive a JSON round trip
//! exactly and compare exactly, so a replayed log gives the same state bytes in every language.

use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Format, Limits};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The `source` of diagnostics about saved states and the events fed to a state machine.
pub const SOURCE: &str = "state";

/// A state machine's identity in its saved form.
pub trait Machine: Serialize + DeserializeOwned {
    /// The `kind` written in the envelope (`pipeline-run`).
    const KIND: &'static str;
    /// The newest state format this build writes and reads; bumped whenever the state's shape
    /// changes. Older formats are read only while a conversion exists (none yet).
    const FORMAT: u32;
}

/// The envelope's fields, read on their own first (a state's own fields are ignored here, and
/// the envelope's are ignored by the state: serde skips unknown fields), so that neither needs
/// an intermediate tree or `flatten`, which would weigh on the WebAssembly build.
#[derive(Deserialize)]
struct Header {
    format: Option<u32>,
    kind: Option<String>,
    policy: Option<String>,
}

/// The state as canonical JSON inside its envelope: compact, envelope first, then the state's
/// fields in declaration order (states hold no hash maps, so the text is deterministic).
///
/// # Errors
/// [`Code::InvalidState`] if the state does not serialize as a JSON object.
pub fn save<S: Machine>(policy_hash: &str, state: &S) -> Result<String, Diagnostic> {
    let cannot = |e: serde_json::Error| invalid(format!("the state cannot be saved: {e}"));
    let body = serde_json::to_string(state).map_err(cannot)?;
    let Some(fields) = body.strip_prefix('{') else {
        return Err(invalid("a state must save as a JSON object"));
    };
    let kind = serde_json::to_string(S::KIND).map_err(cannot)?;
    let policy = serde_json::to_string(policy_hash).map_err(cannot)?;
    // `{"format":…,"kind":…,"policy":…,` and then the state's own fields.
    let mut text = String::with_capacity(body.len() + kind.len() + policy.len() + 40);
    text.push_str("{\"format\":");
    text.push_str(&S::FORMAT.to_string());
    text.push_str(",\"kind\":");
    text.push_str(&kind);
    text.push_str(",\"policy\":");
    text.push_str(&policy);
    if fields != "}" {
        text.push(',');
    }
    text.push_str(fields);
    Ok(text)
}

/// Reads a state saved by [`save`] for the policy whose hash is `policy_hash`.
///
/// # Errors
/// [`Code::InvalidState`] for text that is not a saved state of this kind and format;
/// [`Code::StatePolicyMismatch`] for a state saved under another policy.
pub fn restore<S: Machine>(policy_hash: &str, text: &str) -> Result<S, Diagnostic> {
    let header: Header = read(text).map_err(|e| {
        invalid(format!(
            "a saved state must be a JSON object with `format`, `kind` and `policy`: {}",
            e.message
        ))
    })?;
    let need = |key: &str| invalid(format!("a saved state needs `{key}`"));
    let format = header.format.ok_or_else(|| need("format"))?;
    if format != S::FORMAT {
        let why = if format > S::FORMAT {
            "was saved by a newer kiro"
        } else {
            "is of a format this kiro does not read"
        };
        return Err(invalid(format!(
            "the state {why} (format {format}; this kiro reads format {})",
            S::FORMAT
        )));
    }
    let kind = header.kind.ok_or_else(|| need("kind"))?;
    if kind != S::KIND {
        return Err(invalid(format!(
            "the state is of kind `{kind}`, not `{}`",
            S::KIND
        )));
    }
    let saved = header.policy.ok_or_else(|| need("policy"))?;
    if saved != policy_hash {
        return Err(Diagnostic::error(
            Code::StatePolicyMismatch,
            format!("this state belongs to policy {saved}, not {policy_hash}"),
        )
        .with_help(
            "restore a state with the policy it was saved under; a changed policy starts a new run",
        )
        .with_source(SOURCE));
    }
    read(text).map_err(|e| invalid(format!("the saved state is malformed: {}", e.message)))
}

/// Reads JSON `text` into `T` with kiro's own document reader (the one that reads policies):
/// the WebAssembly build then needs no second JSON parser. Text is limited as policy text is
/// (16 MiB, nesting 64 deep).
///
/// # Errors
/// The reader's diagnostic: malformed JSON, or a shape `T` does not accept.
pub fn read<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    document::load(text, Format::Json, &Limits::default())
}

/// A [`Code::InvalidState`] diagnostic.
#[must_use]
pub fn invalid(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::InvalidState, message).with_source(SOURCE)
}

/// The time rule: an event at `at_ms` may not be earlier than `last_ms`, the time of the last
/// event the state took.
///
/// # Errors
/// [`Code::TimeWentBackwards`] when `at_ms < last_ms`.
pub fn check_time(last_ms: u64, at_ms: u64) -> Result<(), Diagnostic> {
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

/// A [`Code::UnexpectedEvent`] diagnostic: `message` says which event and why.
#[must_use]
pub fn unexpected(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::UnexpectedEvent, message).with_source(SOURCE)
}

#[cfg(test)]
mod tests;
