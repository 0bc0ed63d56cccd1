//! Explanation texts.

use super::*;
use Tri::{False, True, Unknown};

fn assert_explains(source: &str, set: &[(&str, f64)], result: Tri, text: &str) {
    assert_eq!(
        explain(source, set),
        (result, text.to_owned()),
        "{source} with {set:?}"
    );
}

/// A failing comparison never reads `needs +0.0`: values six decimals cannot tell apart are
/// shown with every digit, and the gap to two significant digits.
#[test]
fn tiny_gaps_are_shown() {
    assert_explains(
        "coverage >= 70%",
        &[("coverage", 0.7)],
        True,
        "coverage 70.0% >= 70%",
    );
    assert_explains(
        "coverage >= 70%",
        &[("coverage", 0.699_999_999_999_999_9)],
        False,
        "coverage 69.99999999999999% < 70% (needs +0.000000000000011 points)",
    );
    assert_explains(
        "coverage > 30%",
        &[("coverage", 0.1 + 0.2)],
        True,
        "coverage 30.000000000000004% > 30%",
    );
    assert_explains(
        "p95_latency < 500ms",
        &[("p95_latency", 500.000_000_01)],
        False,
        "p95_latency 500.00000001ms >= 500ms (needs -0.00000001ms)",
    );
    assert_explains(
        "coverage >= 90%",
        &[("coverage", 0.899_999)],
        False,
        "coverage 89.9999% < 90% (needs +0.0001 points)",
    );
}

#[test]
fn the_examples_of_the_spec() {
    assert_explains(
        "coverage >= 90%",
        &[("coverage", 0.87)],
        False,
        "coverage 87.0% < 90% (needs +3.0 points)",
    );
    assert_explains(
        "critical_vulns == 0",
        &[("critical_vulns", 0.0)],
        True,
        "critical_vulns 0 == 0",
    );
    assert_explains(
        "p95_latency < 500ms",
        &[("p95_latency", 620.0)],
        False,
        "p95_latency 620ms >= 500ms (needs -120ms)",
    );
    assert_explains(
        "critical_vulns == 0",
        &[("critical_vulns", 2.0)],
        False,
        "critical_vulns 2 != 0 (needs 0)",
    );
    assert_explains("coverage >= 90%", &[], Unknown, "no data for coverage");
    assert_explains(
        "tests.e2e_green",
        &[("tests.e2e_green", 0.0)],
        False,
        "tests.e2e_green is false (needs true)",
    );
    assert_explains(
        "tests.e2e_green",
        &[("tests.e2e_green", 1.0)],
        True,
        "tests.e2e_green is true",
    );
    assert_explains(
        "tests.e2e_green == true",
        &[("tests.e2e_green", 0.0)],
        False,
        "tests.e2e_green is false (needs true)",
    );
    assert_explains(
        "tests.e2e_green",
        &[],
        Unknown,
        "no data for tests.e2e_green",
    );
    assert_explains(
        "present(coverage)",
        &[("coverage", 0.5)],
        True,
        "coverage present",
    );
    assert_explains("present(coverage)", &[], False, "no data for coverage");
    assert_explains("missing(coverage)", &[], True, "no data for coverage");
    assert_explains(
        "missing(coverage)",
        &[("coverage", 0.5)],
        False,
        "coverage present",
    );
    assert_explains(
        "tests.failed / tests.total < 1%",
        &[("tests.failed", 2.0), ("tests.total", 100.0)],
        False,
        "tests.failed / tests.total 2.0% >= 1% (needs -1.0 points)",
    );
}

#[test]
fn only_deciding_leaves_are_listed() {
    let source = "coverage >= 90% and critical_vulns == 0 and p95_latency < 500ms";
    let all_good = [
        ("coverage", 0.95),
        ("critical_vulns", 0.0),
        ("p95_latency", 420.0),
    ];
    assert_explains(
        source,
        &all_good,
        True,
        "coverage 95.0% >= 90%; critical_vulns 0 == 0; p95_latency 420ms < 500ms",
    );
    let two_bad = [
        ("coverage", 0.87),
        ("critical_vulns", 0.0),
        ("p95_latency", 620.0),
    ];
    assert_explains(
        source,
        &two_bad,
        False,
        "coverage 87.0% < 90% (needs +3.0 points); p95_latency 620ms >= 500ms (needs -120ms)",
    );
    // False wins over unknown; unknowns are listed only when nothing is false.
    let bad_and_missing = [("coverage", 0.87), ("critical_vulns", 0.0)];
    assert_explains(
        source,
        &bad_and_missing,
        False,
        "coverage 87.0% < 90% (needs +3.0 points)",
    );
    let missing = [("coverage", 0.95), ("critical_vulns", 0.0)];
    assert_explains(source, &missing, Unknown, "no data for p95_latency");
    // `or`: true operands for a true result, all operands for a false one.
    let or = "critical_vulns == 0 or high_vulns <= 2";
    assert_explains(
        or,
        &[("critical_vulns", 1.0), ("high_vulns", 1.0)],
        True,
        "high_vulns 1 <= 2",
    );
    assert_explains(
        or,
        &[("critical_vulns", 1.0), ("high_vulns", 3.0)],
        False,
        "critical_vulns 1 != 0 (needs 0); high_vulns 3 > 2 (needs -1)",
    );
    assert_explains(
        or,
        &[("critical_vulns", 1.0)],
        Unknown,
        "no data for high_vulns",
    );
}

#[test]
fn negation_flips_what_is_needed() {
    assert_explains(
        "not (p95_latency > 500ms)",
        &[("p95_latency", 620.0)],
        False,
        "p95_latency 620ms > 500ms (needs -120ms)",
    );
    assert_explains(
        "not (p95_latency > 500ms)",
        &[("p95_latency", 420.0)],
        True,
        "p95_latency 420ms <= 500ms",
    );
    assert_explains(
        "not (critical_vulns == 0)",
        &[("critical_vulns", 0.0)],
        False,
        "critical_vulns 0 == 0 (needs a value other than 0)",
    );
    assert_explains(
        "critical_vulns != 0",
        &[("critical_vulns", 0.0)],
        False,
        "critical_vulns 0 == 0 (needs a value other than 0)",
    );
    assert_explains(
        "not tests.e2e_green",
        &[("tests.e2e_green", 1.0)],
        False,
        "tests.e2e_green is true (needs false)",
    );
    assert_explains(
        "tests.e2e_green == false",
        &[("tests.e2e_green", 0.0)],
        True,
        "tests.e2e_green is false",
    );
    assert_explains(
        "tests.e2e_green != true",
        &[("tests.e2e_green", 1.0)],
        False,
        "tests.e2e_green is true (needs false)",
    );
}

#[test]
fn sides_are_shown_metric_first() {
    assert_explains(
        "90% <= coverage",
        &[("coverage", 0.87)],
        False,
        "coverage 87.0% < 90% (needs +3.0 points)",
    );
    assert_explains(
        "500ms > p95_latency",
        &[("p95_latency", 420.0)],
        True,
        "p95_latency 420ms < 500ms",
    );
    // Thresholds are shown as written.
    assert_explains(
        "p95_latency < 0.5s",
        &[("p95_latency", 620.0)],
        False,
        "p95_latency 620ms >= 0.5s (needs -120ms)",
    );
    assert_explains(
        "p95_latency < 2 * 250ms",
        &[("p95_latency", 620.0)],
        False,
        "p95_latency 620ms >= 2 * 250ms (needs -120ms)",
    );
    // Metrics are shown in their declared unit (or the dimension's when it has no symbol).
    assert_explains(
        "startup < 2s",
        &[("startup", 2500.0)],
        False,
        "startup 2.5s >= 2s (needs -0.5s)",
    );
    assert_explains(
        "bundle_size <= 500KB",
        &[("bundle_size", 480_000.0)],
        True,
        "bundle_size 480KB <= 500KB",
    );
    assert_explains(
        "fraction >= 90%",
        &[("fraction", 0.5)],
        False,
        "fraction 50.0% < 90% (needs +40.0 points)",
    );
}

#[test]
fn derived_and_two_sided_comparisons() {
    assert_explains(
        "tests.failed <= high_vulns",
        &[("tests.failed", 3.0), ("high_vulns", 2.0)],
        False,
        "tests.failed 3 > high_vulns 2 (needs -1)",
    );
    assert_explains(
        "critical_vulns == high_vulns",
        &[("critical_vulns", 3.0), ("high_vulns", 2.0)],
        False,
        "critical_vulns 3 != high_vulns 2 (needs == high_vulns)",
    );
    assert_explains(
        "abs(p95_latency - 500ms) < 10ms",
        &[("p95_latency", 520.0)],
        False,
        "abs(p95_latency - 500ms) 20ms >= 10ms (needs -10ms)",
    );
    assert_explains(
        "tests.failed   /\n tests.total < 1%",
        &[("tests.failed", 0.0), ("tests.total", 10.0)],
        True,
        "tests.failed / tests.total 0.0% < 1%",
    );
    assert_explains(
        "tests.failed / tests.total < 1%",
        &[],
        Unknown,
        "no data for tests.failed, tests.total",
    );
    assert_explains(
        "tests.e2e_green == flag",
        &[("tests.e2e_green", 1.0), ("flag", 0.0)],
        False,
        "tests.e2e_green true != flag false",
    );
    assert_explains(
        "present(tests.failed + tests.total)",
        &[("tests.failed", 1.0)],
        False,
        "no data for tests.total",
    );
    assert_explains(
        "present(tests.failed + tests.total)",
        &[("tests.failed", 1.0), ("tests.total", 1.0)],
        True,
        "tests.failed + tests.total present",
    );
    // A strict bound met exactly needs to move past it.
    assert_explains(
        "p95_latency < 500ms",
        &[("p95_latency", 500.0)],
        False,
        "p95_latency 500ms >= 500ms (needs < 500ms)",
    );
}

#[test]
fn constant_conditions() {
    assert_explains("true", &[], True, "true");
    assert_explains("1 > 2", &[], False, "1 > 2 is false");
}

#[test]
fn explanation_agrees_with_eval() {
    let program = compile("critical_vulns == 0 and tests.failed / tests.total < 1%");
    let record = values(&[
        ("critical_vulns", 0.0),
        ("tests.failed", 1.0),
        ("tests.total", 0.0),
    ]);
    assert_eq!(
        program
            .explain(&record, &name_of)
            .map(|(t, _)| t)
            .map_err(|e| e.code),
        program.eval(&record).map_err(|e| e.code)
    );
    // An error absorbed by a false operand is not mentioned.
    let record = values(&[
        ("critical_vulns", 1.0),
        ("tests.failed", 1.0),
        ("tests.total", 0.0),
    ]);
    assert_eq!(
        program.explain(&record, &name_of).map_err(|e| e.code),
        Ok((False, "critical_vulns 1 != 0 (needs 0)".to_owned()))
    );
}
