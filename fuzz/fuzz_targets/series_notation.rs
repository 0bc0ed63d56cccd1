//! The series notation of `promtool test rules`: read arbitrary bytes (as UTF-8 text) as
//! series values (`0+10x100 _ stale`), as a series selector (`up{job="api"}`), and as a whole
//! promtool test file replayed as samples.
//!
//! Checks, for any input:
//! - `notation::expand` never panics, never gives more values than asked, and its errors are
//!   `KIRO-E020`/`KIRO-E006` labelled inside the text, on character boundaries; every value's
//!   span lies inside the text too;
//! - `notation::selector` never panics; a selector that reads names a metric; errors lie
//!   inside the text;
//! - the text as a promtool file (and each line as a `values:` string of a small file) reads
//!   as samples or as errors labelled inside the file, never panicking; samples' times
//!   increase.

#![no_main]

mod common;

use kiro_adapters::prometheus::notation;
use kiro_adapters::samples::{self, Format};
use libfuzzer_sys::fuzz_target;

const METRICS: &[&str] = &["error_rate", "up", "a", "b"];

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let text: &str = &text;
    match notation::expand(text, 10_000) {
        Ok(values) => {
            assert!(values.len() <= 10_000);
            for (_, span) in &values {
                assert!(span.start <= span.end && span.end <= text.len());
            }
        }
        Err(d) => {
            assert!(matches!(d.code.as_str(), "KIRO-E020" | "KIRO-E006"), "{d:?}");
            common::check_labels("values", &[d], text, true);
        }
    }
    match notation::selector(text) {
        Ok(s) => assert!(!s.name.is_empty()),
        Err(d) => common::check_labels("series", &[d], text, true),
    }
    check_samples(text);
    for line in text.lines().take(8) {
        let file = format!(
            "interval: 15s\ninput_series:\n  - series: 'up{{job=\"x\"}}'\n    values: '{}'\n",
            line.replace('\'', "''")
        );
        check_samples(&file);
    }
});

fn check_samples(text: &str) {
    match samples::read(text, Format::Promtool, METRICS) {
        Ok(list) => {
            assert!(!list.is_empty());
            for pair in list.windows(2) {
                assert!(pair[0].event.at_ms() < pair[1].event.at_ms());
            }
        }
        Err(ds) => common::check_labels("promtool", &ds, text, true),
    }
}
