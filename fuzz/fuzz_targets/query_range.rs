//! Prometheus answers: read arbitrary bytes (as UTF-8 text) as an answer of the HTTP API and
//! as a `query_range` samples file; also as CSV and JSON lines samples.
//!
//! Checks, for any input:
//! - `api::parse` never panics; an error's labels lie inside the text, on character
//!   boundaries; every series' and point's span lies inside the text;
//! - `reading::of_answer` never panics and never gives a number that is not finite (NaN and
//!   infinities read as NaN);
//! - the text as `query_range`, CSV and JSON lines samples reads or gives errors labelled
//!   inside it; `query_range` samples' times increase.

#![no_main]

mod common;

use kiro::monitor::Reading;
use kiro_adapters::prometheus::api::{self, Data};
use kiro_adapters::prometheus::reading;
use kiro_adapters::samples::{self, Format};
use libfuzzer_sys::fuzz_target;

const METRICS: &[&str] = &["error_rate", "up", "a", "b"];

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let text: &str = &text;
    match api::parse(text) {
        Ok(Data::Vector(series) | Data::Matrix(series)) => {
            for s in &series {
                assert!(s.span.end <= text.len());
                for p in &s.points {
                    assert!(p.span.start <= p.span.end && p.span.end <= text.len());
                }
            }
        }
        Ok(Data::Scalar(p)) => assert!(p.span.end <= text.len()),
        Ok(Data::String(_)) => {}
        Err(e) => common::check_labels("answer", &[e.diagnostic().clone()], text, true),
    }
    match reading::of_answer(text) {
        Reading::Number(x) => assert!(x.is_finite()),
        Reading::Failed { error } => assert!(!error.is_empty()),
        _ => {}
    }
    for format in [Format::QueryRange, Format::Csv, Format::Jsonl] {
        match samples::read(text, format, METRICS) {
            Ok(list) => {
                if format == Format::QueryRange {
                    for pair in list.windows(2) {
                        assert!(pair[0].event.at_ms() < pair[1].event.at_ms());
                    }
                }
            }
            Err(ds) => common::check_labels("samples", &ds, text, true),
        }
    }
});
