//! Documents: arbitrary text read as YAML into kiro's spanned tree, and text <-> JSON round
//! trips.
//!
//! Checks, for any input:
//! - `document::parse` never panics; error labels and every node's span lie inside the text,
//!   on character boundaries;
//! - YAML -> tree -> `serde_json::Value` -> JSON text -> tree (`Format::Json`) -> value gives the
//!   same value (numbers: same integer, or same float bits);
//! - read as JSON, kiro agrees with `serde_json`: both accept the text with the same value, or
//!   kiro rejects something `serde_json` accepts only for a documented reason (a duplicate key,
//!   nesting deeper than the limit), and kiro accepts nothing `serde_json` rejects apart from a
//!   leading byte-order mark and numbers too large for `f64` (read as infinity).

#![no_main]

mod common;

use kiro::Code;
use kiro::document::{self, Format, Limits, Node, NodeKind};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Every span in the tree lies inside `text`, on character boundaries.
fn check_spans(node: &Node, text: &str) {
    let ok = |start: usize, end: usize| {
        start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end)
    };
    assert!(
        ok(node.span.start, node.span.end),
        "node span {:?} outside {text:?}",
        node.span
    );
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|n| check_spans(n, text)),
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                assert!(
                    ok(key.span.start, key.span.end),
                    "key span {:?} outside {text:?}",
                    key.span
                );
                check_spans(value, text);
            }
        }
        _ => {}
    }
}

/// Whether the tree holds an infinite number (kiro reads `1e400` as infinity where `serde_json`
/// reports a number out of range; the policy and metrics layers reject non-finite numbers).
fn has_infinity(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Float(f) => f.is_infinite(),
        NodeKind::Seq(items) => items.iter().any(has_infinity),
        NodeKind::Map(entries) => entries.iter().any(|(_, v)| has_infinity(v)),
        _ => false,
    }
}

/// Value equality; `lenient` numbers compare by value across integer and float forms.
fn same(a: &Value, b: &Value, lenient: bool) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
                i == j
            } else if let (Some(i), Some(j)) = (x.as_u64(), y.as_u64()) {
                i == j
            } else if x.is_f64() && y.is_f64() {
                x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
            } else {
                lenient && x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b, lenient))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| same(a, b, lenient)))
        }
        _ => a == b,
    }
}

fn read(text: &str, format: Format, limits: &Limits) -> Result<Node, kiro::Diagnostic> {
    let result = document::parse(text, format, limits);
    match &result {
        Ok(node) => check_spans(node, text),
        Err(d) => common::check_labels(format.as_str(), std::slice::from_ref(d), text, true),
    }
    result
}

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let text: &str = &text;
    let limits = Limits::default();

    // YAML -> JSON value -> JSON text -> kiro JSON reader -> the same value.
    if let Ok(node) = read(text, Format::Yaml, &limits)
        && let Ok(value) = document::deserialize::<Value>(&node)
    {
        let json = serde_json::to_string(&value)
            .unwrap_or_else(|e| panic!("value from {text:?} does not serialize: {e}"));
        let back = read(&json, Format::Json, &limits)
            .unwrap_or_else(|d| panic!("YAML {text:?} as JSON {json:?} does not read back: {d:?}"));
        let again = document::deserialize::<Value>(&back)
            .unwrap_or_else(|d| panic!("JSON {json:?} read back but does not convert: {d:?}"));
        assert!(
            same(&value, &again, false),
            "YAML {text:?} -> JSON {json:?} -> {again:?}, expected {value:?}"
        );
    }

    // kiro's JSON reader against serde_json.
    let ours = read(text, Format::Json, &limits);
    let theirs = serde_json::from_str::<Value>(text);
    match (ours, theirs) {
        (Ok(node), Ok(expected)) => {
            let value = document::deserialize::<Value>(&node)
                .unwrap_or_else(|d| panic!("JSON {text:?} read but does not convert: {d:?}"));
            assert!(
                same(&value, &expected, true),
                "JSON {text:?}: kiro {value:?}, serde_json {expected:?}"
            );
        }
        (Err(d), Ok(_)) => assert!(
            matches!(d.code, Code::DuplicateName | Code::TooLarge),
            "JSON {text:?}: serde_json reads it, kiro rejects it: {d:?}"
        ),
        (Ok(node), Err(e)) => assert!(
            text.starts_with('\u{feff}')
                || (e.to_string().contains("out of range") && has_infinity(&node)),
            "JSON {text:?}: kiro reads it, serde_json rejects it: {e}"
        ),
        (Err(_), Err(_)) => {}
    }
});
