//! Compile-time diagnostics: unknown metrics, types and units, literal arithmetic.

use super::*;
use crate::diagnostic::Code;

#[test]
fn unknown_metrics_suggest_declared_ones() {
    let source = "coverge >= 90%";
    let d = error(source);
    assert_eq!(
        (d.code, d.message.as_str()),
        (Code::UnknownMetric, "unknown metric `coverge`")
    );
    assert_eq!(label_texts(source, &d), ["coverge"]);
    assert_eq!(d.help.as_deref(), Some("did you mean `coverage`?"));

    let d = error("zzz > 1");
    assert_eq!(
        d.help.as_deref(),
        Some("declare it under `metrics:` in the policy")
    );
    let d = error("TRUE");
    assert_eq!(d.help.as_deref(), Some("keywords are lowercase: `true`"));
    let d = error("tests.e2e_gren");
    assert_eq!(d.help.as_deref(), Some("did you mean `tests.e2e_green`?"));
}

#[test]
fn all_errors_are_collected() {
    let source = "coverage >= 90 and p95_latency < 5KB and nope > 1 or bundle_size / 0 > 1KB";
    let all = errors(source);
    let codes: Vec<Code> = all.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::TypeMismatch,
            Code::TypeMismatch,
            Code::UnknownMetric,
            Code::DivisionByZero
        ]
    );
    assert_eq!(label_texts(source, &all[0]), ["coverage", "90"]);
    assert_eq!(label_texts(source, &all[1]), ["p95_latency", "5KB"]);
    assert_eq!(label_texts(source, &all[2]), ["nope"]);
    assert_eq!(label_texts(source, &all[3]), ["0"]);
}

/// Asserts `source` fails with one E012 of `message`, labels on `labels` and `help`.
fn assert_mismatch(source: &str, message: &str, labels: &[&str], help: Option<&str>) {
    let d = error(source);
    assert_eq!(d.code, Code::TypeMismatch, "{source}: {d}");
    assert_eq!(d.message, message, "{source}");
    assert_eq!(label_texts(source, &d), labels, "{source}");
    if let Some(help) = help {
        assert_eq!(d.help.as_deref(), Some(help), "{source}");
    }
}

#[test]
fn comparisons_need_one_dimension() {
    assert_mismatch(
        "p95_latency < 500KB",
        "cannot compare a duration with a size",
        &["p95_latency", "500KB"],
        Some("use a unit of a duration: `ms`, `s`, `m`, `h`, `d`"),
    );
    assert_mismatch(
        "coverage >= 90",
        "cannot compare a percentage with a plain number",
        &["coverage", "90"],
        Some("write `90%`"),
    );
    assert_mismatch(
        "90 <= coverage",
        "cannot compare a plain number with a percentage",
        &["90", "coverage"],
        Some("write `90%`"),
    );
    assert_mismatch(
        "coverage >= 0.9",
        "cannot compare a percentage with a plain number",
        &["coverage", "0.9"],
        Some("write `0.9%`, or `90%` if `0.9` is a fraction"),
    );
    assert_mismatch(
        "fraction >= 90",
        "cannot compare a percentage with a plain number",
        &["fraction", "90"],
        Some("write `90%`"),
    );
    assert_mismatch(
        "p95_latency < 500",
        "cannot compare a duration with a plain number",
        &["p95_latency", "500"],
        Some("write `500ms`"),
    );
    assert_mismatch(
        "startup < 2",
        "cannot compare a duration with a plain number",
        &["startup", "2"],
        Some("write `2s`"),
    );
    assert_mismatch(
        "bundle_size > -5",
        "cannot compare a size with a plain number",
        &["bundle_size", "-5"],
        Some("write `-5KB`"),
    );
    assert_mismatch(
        "tests.failed / tests.total < 2",
        "cannot compare a percentage with a plain number",
        &["tests.failed / tests.total", "2"],
        Some("write `200%` for a ratio of 2"),
    );
    assert_mismatch(
        "critical_vulns < 5ms",
        "cannot compare a plain number with a duration",
        &["critical_vulns", "5ms"],
        Some("write `5` without a unit"),
    );
    assert_mismatch(
        "p95_latency < bundle_size",
        "cannot compare a duration with a size",
        &["p95_latency", "bundle_size"],
        Some("both sides of `<` must be the same kind of quantity"),
    );
}

#[test]
fn booleans_compare_only_for_equality() {
    assert_mismatch(
        "tests.e2e_green < true",
        "booleans cannot be ordered with `<`",
        &["tests.e2e_green", "true"],
        Some("use `==` or `!=` to compare booleans"),
    );
    assert_mismatch(
        "tests.e2e_green == 1",
        "cannot compare a boolean with a plain number",
        &["tests.e2e_green", "1"],
        Some("compare a boolean with `true` or `false`"),
    );
    assert_mismatch(
        "coverage == flag",
        "cannot compare a percentage with a boolean",
        &["coverage", "flag"],
        None,
    );
    assert_mismatch(
        "flag == 0",
        "cannot compare a boolean with a plain number",
        &["flag", "0"],
        None,
    );
}

#[test]
fn logic_needs_booleans() {
    assert_mismatch(
        "coverage",
        "a condition must be true or false",
        &["coverage"],
        Some("compare it with a threshold, e.g. `coverage > 0`"),
    );
    assert_mismatch(
        "critical_vulns + 1",
        "a condition must be true or false",
        &["critical_vulns + 1"],
        None,
    );
    assert_mismatch(
        "flag and coverage",
        "`and` needs true or false on both sides, found a percentage",
        &["coverage"],
        Some("compare it with a threshold, e.g. `coverage > 0`"),
    );
    assert_mismatch(
        "p95_latency or flag",
        "`or` needs true or false on both sides, found a duration",
        &["p95_latency"],
        None,
    );
    assert_mismatch(
        "not critical_vulns",
        "`not` needs true or false, found a plain number",
        &["critical_vulns"],
        None,
    );
    assert_mismatch(
        "-flag",
        "cannot negate a boolean with `-`",
        &["flag"],
        Some("use `not` to negate a condition"),
    );
}

#[test]
fn arithmetic_rules() {
    assert_mismatch(
        "p95_latency + 5KB > 0",
        "cannot add a duration and a size",
        &["p95_latency", "5KB"],
        None,
    );
    assert_mismatch(
        "p95_latency - 100 > 0",
        "cannot subtract a plain number from a duration",
        &["p95_latency", "100"],
        Some("write `100ms`"),
    );
    assert_mismatch(
        "p95_latency * bundle_size > 0",
        "cannot multiply a duration by a size",
        &["p95_latency", "bundle_size"],
        Some("only a plain number or a percentage can scale a quantity"),
    );
    // A percentage scaling a plain number keeps it a plain number, not a percentage.
    assert_mismatch(
        "high_vulns * 110% >= 50%",
        "cannot compare a plain number with a percentage",
        &["high_vulns * 110%", "50%"],
        None,
    );
    assert_mismatch(
        "critical_vulns / p95_latency > 0",
        "cannot divide a plain number by a duration",
        &["critical_vulns", "p95_latency"],
        Some("divide by a plain number or a percentage"),
    );
    assert_mismatch(
        "p95_latency + 1ms + bundle_size > 0",
        "cannot add a duration and a size",
        &["p95_latency + 1ms", "bundle_size"],
        None,
    );
    assert_mismatch(
        "flag + 1 > 0",
        "cannot use a boolean in arithmetic",
        &["flag"],
        None,
    );
    assert_mismatch(
        "abs(flag) > 0",
        "`abs` needs a number, found a boolean",
        &["flag"],
        None,
    );
    assert_mismatch(
        "min(1, flag) > 0",
        "`min` needs a number, found a boolean",
        &["flag"],
        None,
    );
    assert_mismatch(
        "max(coverage, p95_latency) > 0",
        "`max` needs arguments of one kind, found a percentage and a duration",
        &["coverage", "p95_latency"],
        None,
    );
}

#[test]
fn well_typed_conditions_compile() {
    for source in [
        "tests.failed / tests.total < 1%",
        "p95_latency < 0",
        "0 < p95_latency",
        "p95_latency + 0 < 1s",
        "coverage * 2 >= 90%",
        "2 * coverage >= 90%",
        "coverage * coverage > 50%",
        "p95_latency * coverage < 1s",
        "p95_latency / 2 < 300ms",
        "p95_latency / coverage < 1s",
        "p95_latency / startup < 50%",
        "critical_vulns / 2 <= 1",
        "critical_vulns <= high_vulns * 110%",
        "high_vulns * 110% >= critical_vulns",
        "critical_vulns <= 110% * high_vulns",
        "critical_vulns <= (high_vulns + 1) * 110%",
        "startup < 2s and startup < 2000ms",
        "bundle_size <= 1MiB",
        "fraction >= 90%",
        "tests.e2e_green",
        "tests.e2e_green == true",
        "tests.e2e_green != flag",
        "(coverage > 1%) == flag",
        "abs(p95_latency - 500ms) < 10ms",
        "min(p95_latency, 1s, startup) > 0",
        "max(critical_vulns, high_vulns) < 3",
        "present(coverage) and missing(tests.e2e_green)",
        "present(tests.failed / tests.total)",
        "-coverage < -50%",
        "true",
        "1 < 2",
    ] {
        let _ = compile(source);
    }
}

#[test]
fn literal_division_by_zero() {
    for (source, divisor) in [
        ("critical_vulns / 0 > 1", "0"),
        ("critical_vulns / (1 - 1) > 1", "(1 - 1)"),
        ("1 / 0 > 1", "0"),
        ("critical_vulns + 1 / 0 > 1", "0"),
        ("p95_latency / 0ms < 1", "0ms"),
    ] {
        let d = error(source);
        assert_eq!(d.code, Code::DivisionByZero, "{source}");
        assert_eq!(label_texts(source, &d), [divisor], "{source}");
        assert!(
            d.message.starts_with("division by zero in `"),
            "{}",
            d.message
        );
    }
    let d = error("critical_vulns / 0 > 1");
    assert_eq!(d.message, "division by zero in `critical_vulns / 0`");
}

#[test]
fn literal_overflow() {
    let source = "critical_vulns < 1e300 * 1e300";
    let d = error(source);
    assert_eq!(d.code, Code::NonFinite);
    assert_eq!(
        d.message,
        "the result of `1e300 * 1e300` is not a finite number"
    );
    assert_eq!(label_texts(source, &d), ["1e300 * 1e300"]);
}

#[test]
fn parse_errors_come_alone() {
    let all = errors("coverage >= 90pct and nope");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].code, Code::UnknownUnit);
    assert_eq!(error("x >").code, Code::ConditionSyntax);
    assert_eq!(error("foo(x)").code, Code::UnknownFunction);
    assert_eq!(error(&"(".repeat(70)).code, Code::ConditionTooComplex);
}

#[test]
fn errors_convert_to_diagnostics() {
    let program = compile("tests.failed / tests.total < 1%");
    let e = program
        .eval(&values(&[("tests.failed", 1.0), ("tests.total", 0.0)]))
        .expect_err("zero");
    let d: Diagnostic = e.clone().into();
    assert_eq!(d.code, Code::DivisionByZero);
    assert_eq!(d.message, e.message);
    assert_eq!(d.primary_span(), Some(e.span));
    assert_eq!(
        e.to_string(),
        "KIRO-E016: division by zero in `tests.failed / tests.total`"
    );
}

#[test]
fn present_and_missing_need_a_metric() {
    for source in [
        "present(1)",
        "present(true)",
        "missing(2%)",
        "present(1 + 1)",
        "missing(min(1ms, 2ms))",
        "present(not false)",
        "missing(flag and false)",
    ] {
        let d = error(source);
        assert_eq!(d.code, Code::TypeMismatch, "{source}");
        let name = &source[..source.find('(').unwrap_or(0)];
        assert_eq!(
            d.message,
            format!("`{name}` needs a metric, found a constant")
        );
        let inner = &source[name.len() + 1..source.len() - 1];
        assert_eq!(label_texts(source, &d), [inner], "{source}");
    }
    for source in ["present(coverage * 0)", "missing(flag or false)"] {
        let compiled = crate::condition::compile_condition(source, &metrics());
        assert!(compiled.is_ok(), "{source}: {compiled:?}");
    }
}

#[test]
fn empty_and_blank_conditions_do_not_compile() {
    for source in ["", "   ", "\n\t", "\u{2028}", "()"] {
        let d = error(source);
        assert_eq!(d.code, Code::ConditionSyntax, "{source:?}");
    }
}
