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

#[test]
fn argument_errors_name_the_argument_and_the_type_given() {
    let e = argument_error("text", "a string", "number");
    assert_eq!((e.kind, e.code()), (ErrorKind::Input, Code::InvalidValue));
    assert_eq!(
        e.diagnostics[0].message,
        "`text` must be a string, not a number"
    );
    let e = argument_error("actions", "an array of strings", "Map");
    assert_eq!(
        e.diagnostics[0].message,
        "`actions` must be an array of strings, not a Map"
    );
    let e = argument_error("state", "a string", "undefined");
    assert_eq!(
        e.diagnostics[0].message,
        "`state` must be a string, not undefined"
    );
    assert_eq!(with_article("Int8Array"), "an Int8Array");
    assert_eq!(with_article("null"), "null");

    let e = not_plain_data("Promise");
    assert_eq!(e.code(), Code::InvalidValue);
    assert_eq!(
        e.diagnostics[0].message,
        "the argument is not plain data: it holds a Promise"
    );
    let e = not_plain_data("objects nested too deeply");
    assert_eq!(
        e.diagnostics[0].message,
        "the argument is not plain data: it holds objects nested too deeply"
    );
}

#[test]
fn policy_files_are_read_up_to_the_limit_from_metadata_and_while_reading() {
    use std::io::Read as _;
    let limit = max_policy_bytes();
    assert_eq!(limit, 16 * 1024 * 1024);
    // This crate's manifest: a small regular file.
    let regular = std::fs::metadata("Cargo.toml").expect("the manifest");
    let (text, format) =
        read_policy_file(Path::new("p.json"), &regular, &b"{}"[..], None).expect("small");
    assert_eq!((text.as_str(), format), ("{}", Some(Format::Json)));

    // The metadata says little (a file that grew, a file system that reports 0): the limit
    // holds while reading, and reading stops one byte past it.
    let mut endless = std::io::repeat(b'a');
    let Err(FileError::Policy(error)) = read_policy_file(
        Path::new("p.yaml"),
        &regular,
        (&mut endless).take(limit * 4),
        None,
    ) else {
        panic!("too large while reading");
    };
    assert_eq!(error.code(), Code::TooLarge);
    assert_eq!(
        error.diagnostics()[0].message,
        "policy file `p.yaml` is too large: larger than 16 MiB, more than the limit of 16 MiB"
    );
    let at_limit = std::io::repeat(b' ').take(limit);
    assert!(read_policy_file(Path::new("p.yaml"), &regular, at_limit, None).is_ok());

    let Err(FileError::Io(error)) = read_policy_file(
        Path::new("."),
        &std::fs::metadata(".").expect("cwd"),
        &b""[..],
        None,
    ) else {
        panic!("a directory");
    };
    assert_eq!(error.kind(), std::io::ErrorKind::IsADirectory);
    #[cfg(unix)]
    {
        let device = std::fs::metadata("/dev/null").expect("/dev/null");
        let Err(FileError::Io(error)) =
            read_policy_file(Path::new("/dev/null"), &device, &b""[..], None)
        else {
            panic!("a device");
        };
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(
            error.to_string(),
            "it is a character device, not a regular file"
        );
    }
}
