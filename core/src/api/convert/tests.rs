#![allow(clippy::panic, reason = "tests")]

use super::*;
use crate::error::KiroError;
use serde_json::json;

fn first(error: &CheckError) -> &Diagnostic {
    &error.diagnostics()[0]
}

/// An input error about one metric value (`KIRO-E022`, source `metrics`) saying `message`.
fn assert_metric_error(error: &CheckError, message: &str) {
    assert_eq!(error.kind(), ErrorKind::Input);
    assert_eq!(error.code(), Code::InvalidMetricValue);
    assert_eq!(first(error).message, message);
    assert_eq!(first(error).source.as_deref(), Some("metrics"));
}

#[test]
fn policy_files_are_utf8_and_named_by_extension() {
    let path = Path::new("dir/policy.TOML");
    let (text, format) = policy_file(path, b"name = 'x'".to_vec(), None).expect("UTF-8");
    assert_eq!((text.as_str(), format), ("name = 'x'", Some(Format::Toml)));
    let given = policy_file(path, Vec::new(), Some(Format::Yaml)).expect("UTF-8");
    assert_eq!(given.1, Some(Format::Yaml));
    let unknown = policy_file(Path::new("policy.txt"), Vec::new(), None).expect("UTF-8");
    assert_eq!(unknown.1, None);

    let Err(error) = policy_file(Path::new("p.yaml"), b"ab\xffc".to_vec(), None) else {
        panic!("not UTF-8");
    };
    assert_eq!(error.kind(), ErrorKind::Policy);
    let d = &error.diagnostics()[0];
    assert_eq!(d.code, Code::Syntax);
    assert_eq!(d.message, "the policy is not valid UTF-8");
    assert_eq!(d.source.as_deref(), Some("p.yaml"));
    assert_eq!(d.primary_span(), Some(Span::new(2, 3)));
    assert_eq!(d.labels[0].label, "not UTF-8");
}

#[test]
fn paths_name_the_value_being_read() {
    let mut at = MetricPath::new();
    assert!(at.is_top());
    let inner = at.enter("service", |at| {
        at.enter("latency", |at| (at.as_str().to_owned(), at.depth()))
    });
    assert_eq!(inner, ("service.latency".to_owned(), 2));
    assert_eq!((at.as_str(), at.depth()), ("", 0));
}

#[test]
fn numbers_from_doubles_are_integers_when_integral() {
    let at = MetricPath::new();
    assert_eq!(at.json_number(87.0).expect("finite"), json!(87));
    assert!(at.json_number(87.0).expect("finite").is_i64());
    assert_eq!(at.json_number(-0.0).expect("finite"), json!(0));
    assert_eq!(at.json_number(87.5).expect("finite"), json!(87.5));
    // 2^53 and above are not exact integers: they stay floats.
    assert!(
        at.json_number(9_007_199_254_740_992.0)
            .expect("finite")
            .is_f64()
    );
    // Floats stay floats.
    assert!(at.float(87.0).expect("finite").is_f64());
}

#[test]
fn non_finite_numbers_are_null_at_the_top_and_errors_below() {
    let mut at = MetricPath::new();
    assert_eq!(at.json_number(f64::NAN).expect("top"), Value::Null);
    assert_eq!(at.float(f64::INFINITY).expect("top"), Value::Null);
    let error = at
        .enter("perf", |at| at.enter("p95", |at| at.json_number(f64::NAN)))
        .expect_err("not finite");
    assert_metric_error(&error, "metric `perf.p95` is not a finite number");
    assert_eq!(
        error.to_string(),
        "KIRO-E022: metric `perf.p95` is not a finite number"
    );
}

#[test]
fn collections_that_need_no_reading() {
    let mut at = MetricPath::new();
    assert_eq!(at.placeholder(false), None);
    assert_eq!(at.placeholder(true), Some(json!([])));
    let max = Limits::default().max_depth;
    fn deep(at: &mut MetricPath, levels: usize, is_array: bool) -> Option<Value> {
        if levels == 0 {
            return at.placeholder(is_array);
        }
        at.enter("a", |at| deep(at, levels - 1, is_array))
    }
    assert_eq!(deep(&mut at, max - 1, false), None);
    assert_eq!(deep(&mut at, max, false), Some(json!({})));
    assert_eq!(deep(&mut at, max, true), Some(json!({})));
}

#[test]
fn type_errors_name_the_metric_below_the_top() {
    let mut at = MetricPath::new();
    let top = at.type_error("function", || "metrics must be a thing".to_owned(), "null");
    assert_eq!(top.code(), Code::InputNotObject);
    assert_eq!(first(&top).message, "metrics must be a thing");
    assert_eq!(
        first(&top).help.as_deref(),
        Some("metric values are numbers, strings with a unit (`\"87%\"`), booleans or null")
    );
    let below = at.enter("when", |at| {
        at.type_error("Date", || unreachable!("not at the top"), "None")
    });
    assert_metric_error(&below, "metric `when` has a value of type `Date`");
    assert!(
        first(&below)
            .help
            .as_deref()
            .is_some_and(|h| h.ends_with("booleans or None"))
    );
}

#[test]
fn ids_from_doubles() {
    assert_eq!(host_id(0.0), Some(0));
    assert_eq!(host_id(42.0), Some(42));
    for bad in [-1.0, 1.5, f64::NAN, 1e300] {
        assert_eq!(host_id(bad), None, "{bad}");
    }
}

#[test]
fn attempt_reports_from_returned_metrics() {
    let ok = attempt_report(Ok(json!({"coverage": 95})));
    assert!(ok.success);
    assert_eq!(
        ok.metrics,
        MetricsInput::from_json(&json!({"coverage": 95})).expect("metrics")
    );
    let not_metrics = attempt_report(Ok(json!(42)));
    assert!(!not_metrics.success);
    assert!(
        not_metrics
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("metrics input must be a map")),
        "{not_metrics:?}"
    );
    let walk_failed = attempt_report(Err(BoundaryError::input(
        Code::InvalidMetricValue,
        "metric `a` is not a finite number",
    )));
    assert_eq!(
        walk_failed.detail.as_deref(),
        Some("metric `a` is not a finite number")
    );
}

#[test]
fn host_errors_read_the_same_in_every_host() {
    let report = HostError::new("ValueError", "boom").report();
    assert!(!report.success);
    assert_eq!(report.detail.as_deref(), Some("ValueError: boom"));
    assert_eq!(HostError::new("RuntimeError", "").detail(), "RuntimeError");
    assert_eq!(HostError::new("", "plain string").detail(), "plain string");
}
