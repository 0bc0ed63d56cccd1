//! Evidence reports: read arbitrary bytes (as UTF-8 text) as each kind of report — JUnit XML;
//! LCOV, Cobertura, JaCoCo or Go coverage; SARIF; Lighthouse; npm audit, OSV-Scanner or Trivy
//! vulnerabilities; webpack stats — and merge what reads.
//!
//! Checks, for any input and every kind:
//! - `evidence::read` never panics; an error's labels lie inside the text, on character
//!   boundaries, and its source is the file name given;
//! - a report that reads merges into an `Evidence` (the first one of its kind cannot conflict)
//!   whose every metric is a finite amount or no data, never NaN or an infinity;
//! - reading the same text twice gives the same report.

#![no_main]

mod common;

use kiro::evidence::{self, Evidence, Kind, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = common::text(data);
    let text: &str = &text;
    let limits = Limits {
        max_bytes: 1 << 20,
        max_depth: 64,
    };
    for &kind in Kind::ALL {
        match evidence::read(kind, "report", text, &limits) {
            Err(d) => {
                common::check_labels(kind.as_str(), std::slice::from_ref(&d), text, true);
                assert_eq!(d.source.as_deref(), Some("report"), "{d:?}");
            }
            Ok(report) => {
                let again = evidence::read(kind, "report", text, &limits)
                    .unwrap_or_else(|e| panic!("{}: read once, refused twice: {e:?}", kind.as_str()));
                assert_eq!(report, again);
                assert_eq!(report.format.kind(), kind);
                let mut merged = Evidence::new();
                merged
                    .add(report)
                    .unwrap_or_else(|e| panic!("{}: the first report conflicts: {e:?}", kind.as_str()));
                for (name, metric) in merged.metrics() {
                    assert!(
                        metric.value.amount.is_none_or(f64::is_finite),
                        "{}: metric {name} is {:?}",
                        kind.as_str(),
                        metric.value.amount
                    );
                }
            }
        }
    }
});
