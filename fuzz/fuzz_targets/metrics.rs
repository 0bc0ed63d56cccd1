//! Metrics input: read arbitrary bytes (as UTF-8 text) as JSON, YAML and TOML metrics.
//!
//! Checks, for any input:
//! - `MetricsInput::parse` never panics in any format; error labels lie inside the text;
//! - input that reads is bound to the kova example policy (units, unit strings such as
//!   `"420ms"`, booleans, nulls) and checked without panicking;
//! - every line of the input, used as a `--metric name=value` override, never panics;
//! - JSON that reads is also given as a host value (what every binding hands the core:
//!   `check_value`, in place for a flat object): it never panics, and its verdict, error code
//!   and warnings are those of the same metrics read from text, strict or not.

#![no_main]

mod common;

use kiro::{CompiledPolicy, Format, KiroError, MetricsInput, Selection};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The kova example policy: metrics of every dimension, scored and strict gates, personas.
fn kova() -> &'static CompiledPolicy {
    static POLICY: OnceLock<CompiledPolicy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = include_str!("../../examples/kova/kiro.yaml");
        CompiledPolicy::from_text(text, Some(Format::Yaml))
            .unwrap_or_else(|e| panic!("the kova example does not compile: {e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let text: &str = &text;
    let selection = Selection::all();
    for format in [Format::Json, Format::Yaml, Format::Toml] {
        match MetricsInput::parse(text, format) {
            Ok(input) => {
                if let Err(e) = kova().check(&input, &selection) {
                    assert!(
                        !e.diagnostics().is_empty(),
                        "{format}: check error without diagnostics"
                    );
                }
                let _ = kova().check_text(text, format, &selection);
            }
            Err(d) => common::check_labels(format.as_str(), &[d], text, true),
        }
    }
    // Where kiro's JSON reader and serde_json differ on purpose (duplicate keys, a BOM,
    // numbers beyond a double) only the no-panic part applies.
    let both = MetricsInput::parse(text, Format::Json).is_ok();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        if !both {
            let _ = kova().check_value(&value, &selection);
        }
    }
    if let (true, Ok(value)) = (both, serde_json::from_str::<serde_json::Value>(text)) {
        let strict = Selection {
            strict: true,
            ..Selection::all()
        };
        for selection in [&selection, &strict] {
            let as_value = kova().check_value(&value, selection);
            let as_text = kova().check_text(text, Format::Json, selection);
            match (as_value, as_text) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.verdict, b.verdict, "host value vs text: {text:?}");
                    let codes = |d: &kiro::Decision| {
                        d.warnings.iter().map(|w| w.code).collect::<Vec<_>>()
                    };
                    assert_eq!(codes(&a), codes(&b), "warnings: {text:?}");
                }
                (Err(a), Err(b)) => assert_eq!(
                    a.diagnostics().first().map(|d| d.code),
                    b.diagnostics().first().map(|d| d.code),
                    "error codes: {text:?}"
                ),
                (a, b) => panic!("host value and text disagree on {text:?}: {a:?} / {b:?}"),
            }
        }
    }
    let mut input = MetricsInput::default();
    for line in text.lines().take(64) {
        if let Err(d) = input.set_override(line) {
            common::check_labels("--metric", &[d], line, true);
        }
    }
    let _ = kova().check(&input, &selection);
});
