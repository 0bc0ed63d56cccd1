//! The envelope and the time rule.

// A test fails by panicking.
#![allow(clippy::panic, reason = "a test fails by panicking")]

use super::{Machine, check_time, restore, save};
use crate::diagnostic::Code;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Counter {
    count: u64,
    label: String,
}

impl Machine for Counter {
    const KIND: &'static str = "counter";
    const FORMAT: u32 = 2;
}

fn code(text: &str, hash: &str) -> Code {
    restore::<Counter>(hash, text)
        .err()
        .unwrap_or_else(|| panic!("restored {text}"))
        .code
}

#[test]
fn a_state_saves_in_its_envelope_and_restores_exactly() {
    let state = Counter {
        count: 3,
        label: "a \"b\"".to_owned(),
    };
    let text = save("abc", &state).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        text,
        r#"{"format":2,"kind":"counter","policy":"abc","count":3,"label":"a \"b\""}"#
    );
    let back: Counter = restore("abc", &text).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(back, state);
}

#[test]
fn a_state_of_another_policy_is_refused_with_both_hashes() {
    let text = r#"{"format":2,"kind":"counter","policy":"abc","count":3,"label":"x"}"#;
    let error = restore::<Counter>("def", text)
        .err()
        .unwrap_or_else(|| panic!("restored under another policy"));
    assert_eq!(error.code, Code::StatePolicyMismatch);
    assert_eq!(error.message, "this state belongs to policy abc, not def");
}

#[test]
fn malformed_foreign_or_newer_states_are_refused() {
    for text in [
        "not json",
        "[1]",
        r#"{"kind":"counter","policy":"abc","count":3,"label":"x"}"#,
        r#"{"format":3,"kind":"counter","policy":"abc","count":3,"label":"x"}"#,
        r#"{"format":1,"kind":"counter","policy":"abc","count":3,"label":"x"}"#,
        r#"{"format":"2","kind":"counter","policy":"abc","count":3,"label":"x"}"#,
        r#"{"format":2,"kind":"pipeline-run","policy":"abc","count":3,"label":"x"}"#,
        r#"{"format":2,"kind":"counter","policy":7,"count":3,"label":"x"}"#,
        r#"{"format":2,"kind":"counter","policy":"abc","count":-3,"label":"x"}"#,
    ] {
        assert_eq!(code(text, "abc"), Code::InvalidState, "{text}");
    }
    let newer = restore::<Counter>(
        "abc",
        r#"{"format":3,"kind":"counter","policy":"abc","count":3,"label":"x"}"#,
    )
    .err()
    .map(|d| d.message)
    .unwrap_or_default();
    assert!(newer.contains("newer kiro"), "{newer}");
}

#[test]
fn time_may_stand_still_but_not_go_back() {
    assert!(check_time(10, 10).is_ok());
    assert!(check_time(10, 11).is_ok());
    let error = check_time(10, 9)
        .err()
        .unwrap_or_else(|| panic!("went back"));
    assert_eq!(error.code, Code::TimeWentBackwards);
}
