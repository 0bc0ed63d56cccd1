//! Metrics input: read arbitrary bytes (as UTF-8 text) as JSON, YAML and TOML metrics.
//!
//! Checks, for any input:
//! - `MetricsInput::parse` never panics in any format; error labels lie inside the text;
//! - input that reads is bound to the kova example policy (units, unit strings such as
//!   `"420ms"`, booleans, nulls) and checked without panicking;
//! - every line of the input, used as a `--metric name=value` override, never panics.

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
    let mut input = MetricsInput::default();
    for line in text.lines().take(64) {
        if let Err(d) = input.set_override(line) {
            common::check_labels("--metric", &[d], line, true);
        }
    }
    let _ = kova().check(&input, &selection);
});
