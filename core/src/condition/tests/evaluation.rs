//! Evaluating one record.

use super::*;
use crate::diagnostic::Code;
use Tri::{False, True, Unknown};

const NAN: f64 = f64::NAN;

#[test]
fn every_comparison_operator() {
    // (operator, below, equal, above) for a metric against a constant, both orientations.
    let table = [
        ("<", True, False, False),
        ("<=", True, True, False),
        (">", False, False, True),
        (">=", False, True, True),
        ("==", False, True, False),
        ("!=", True, False, True),
    ];
    for (op, below, equal, above) in table {
        let source = format!("critical_vulns {op} 2");
        for (value, expected) in [(1.0, below), (2.0, equal), (3.0, above), (NAN, Unknown)] {
            assert_eq!(
                tri(&source, &[("critical_vulns", value)]),
                expected,
                "{source} at {value}"
            );
        }
        // Constant on the left: `2 op x` is `x flip(op) 2`.
        let flipped = format!("2 {op} critical_vulns");
        for (value, expected) in [(3.0, below), (2.0, equal), (1.0, above), (NAN, Unknown)] {
            assert_eq!(
                tri(&flipped, &[("critical_vulns", value)]),
                expected,
                "{flipped} at {value}"
            );
        }
        // Metric against metric.
        let both = format!("critical_vulns {op} high_vulns");
        for (value, expected) in [(1.0, below), (2.0, equal), (3.0, above)] {
            let set = [("critical_vulns", value), ("high_vulns", 2.0)];
            assert_eq!(tri(&both, &set), expected, "{both} at {value}");
        }
        assert_eq!(tri(&both, &[("critical_vulns", 1.0)]), Unknown);
        // Constants fold.
        assert_eq!(tri(&format!("1 {op} 2"), &[]), below);
        assert_eq!(tri(&format!("2 {op} 2"), &[]), equal);
    }
}

/// A value exactly at a threshold is on the threshold: `70%` is the double `0.7`, `1.1s` is
/// `1100` ms, for every operator.
#[test]
fn values_exactly_at_a_threshold() {
    let cases: Vec<(String, &str, f64)> = [35, 41, 47, 57, 69, 70, 82, 83, 94, 95]
        .iter()
        .map(|p| (format!("{p}%"), "coverage", f64::from(*p) / 100.0))
        .chain([
            ("99.9%".to_owned(), "coverage", 0.999),
            ("70%".to_owned(), "fraction", 0.7),
            ("1.1s".to_owned(), "p95_latency", 1100.0),
            ("0.3GB".to_owned(), "bundle_size", 300_000_000.0),
            ("0.3s".to_owned(), "startup", 300.0),
        ])
        .collect();
    for (threshold, metric, value) in &cases {
        let set = [(*metric, *value)];
        for (op, expected) in [
            (">=", True),
            ("<=", True),
            ("==", True),
            (">", False),
            ("<", False),
            ("!=", False),
        ] {
            let source = format!("{metric} {op} {threshold}");
            assert_eq!(tri(&source, &set), expected, "{source} with {value}");
        }
    }
}

#[test]
fn units_are_in_base_values() {
    assert_eq!(tri("coverage >= 90%", &[("coverage", 0.9)]), True);
    assert_eq!(tri("coverage >= 90%", &[("coverage", 0.8999)]), False);
    assert_eq!(tri("fraction >= 90%", &[("fraction", 0.95)]), True);
    assert_eq!(tri("p95_latency < 500ms", &[("p95_latency", 499.0)]), True);
    assert_eq!(tri("p95_latency < 1s", &[("p95_latency", 999.0)]), True);
    assert_eq!(tri("p95_latency < 1s", &[("p95_latency", 1000.0)]), False);
    assert_eq!(tri("startup < 2m", &[("startup", 119_999.0)]), True);
    assert_eq!(tri("startup >= 1h", &[("startup", 3_600_000.0)]), True);
    assert_eq!(tri("startup >= 1d", &[("startup", 86_399_999.0)]), False);
    assert_eq!(
        tri("bundle_size <= 500KB", &[("bundle_size", 500_000.0)]),
        True
    );
    assert_eq!(
        tri("bundle_size <= 1KiB", &[("bundle_size", 1025.0)]),
        False
    );
    for unit in crate::units::SUFFIX_UNITS {
        let metric = match unit.dimension {
            Dimension::Ratio => "coverage",
            Dimension::Duration => "p95_latency",
            _ => "bundle_size",
        };
        let source = format!("{metric} == 7{}", unit.symbol);
        assert_eq!(
            tri(&source, &[(metric, unit.to_base(7.0))]),
            True,
            "{source}"
        );
        assert_eq!(
            tri(&source, &[(metric, unit.to_base(8.0))]),
            False,
            "{source}"
        );
    }
}

#[test]
fn arithmetic() {
    let set = [
        ("tests.failed", 2.0),
        ("tests.total", 100.0),
        ("p95_latency", 600.0),
        ("coverage", 0.5),
    ];
    assert_eq!(tri("tests.failed / tests.total < 1%", &set), False);
    assert_eq!(tri("tests.failed / tests.total == 2%", &set), True);
    assert_eq!(tri("tests.failed + tests.total == 102", &set), True);
    assert_eq!(tri("tests.total - tests.failed - 8 == 90", &set), True);
    assert_eq!(tri("tests.total - (tests.failed - 8) == 106", &set), True);
    assert_eq!(tri("tests.failed * 3 + 1 == 7", &set), True);
    assert_eq!(tri("1 + tests.failed * 3 == 7", &set), True);
    assert_eq!(tri("p95_latency / 2 == 300ms", &set), True);
    assert_eq!(tri("p95_latency * coverage == 300ms", &set), True);
    assert_eq!(tri("-p95_latency == -600ms", &set), True);
    assert_eq!(tri("abs(tests.failed - tests.total) == 98", &set), True);
    assert_eq!(tri("min(tests.failed, tests.total, 50) == 2", &set), True);
    assert_eq!(tri("max(tests.failed, tests.total, 50) == 100", &set), True);
    assert_eq!(tri("2 * 250ms == p95_latency - 100ms", &set), True);
    // A constant percentage scales a plain number, which stays a plain number.
    assert_eq!(tri("tests.failed <= tests.total * 2%", &set), True);
    assert_eq!(tri("tests.failed < tests.total * 2%", &set), False);
    assert_eq!(tri("tests.failed * 50% == 1", &set), True);
    assert_eq!(tri("50% * tests.total == 50", &set), True);
    // A plain number scaling a percentage keeps it a percentage.
    assert_eq!(tri("0.5 * coverage == 25%", &set), True);
    assert_eq!(tri("coverage * 2 == 100%", &set), True);
    // Unknown operands make arithmetic unknown.
    assert_eq!(
        tri("tests.failed / tests.total < 1%", &[("tests.failed", 1.0)]),
        Unknown
    );
    assert_eq!(
        tri(
            "min(tests.failed, tests.total) < 1",
            &[("tests.failed", 0.0)]
        ),
        Unknown
    );
    assert_eq!(
        tri(
            "max(tests.failed, tests.total) < 1",
            &[("tests.total", 0.0)]
        ),
        Unknown
    );
    assert_eq!(tri("abs(critical_vulns) < 1", &[]), Unknown);
    assert_eq!(tri("-critical_vulns < 1", &[]), Unknown);
}

#[test]
fn kleene_logic_through_the_language() {
    let values = [(0.0, False), (NAN, Unknown), (1.0, True)];
    for (x, a) in values {
        for (y, b) in values {
            let set = [("tests.e2e_green", x), ("flag", y)];
            assert_eq!(
                tri("tests.e2e_green and flag", &set),
                a.and(b),
                "{a:?} and {b:?}"
            );
            assert_eq!(tri("tests.e2e_green && flag", &set), a.and(b));
            assert_eq!(
                tri("tests.e2e_green or flag", &set),
                a.or(b),
                "{a:?} or {b:?}"
            );
            assert_eq!(tri("tests.e2e_green || flag", &set), a.or(b));
            let eq = if a == Unknown || b == Unknown {
                Unknown
            } else {
                Tri::from_bool(a == b)
            };
            assert_eq!(tri("tests.e2e_green == flag", &set), eq);
            assert_eq!(tri("tests.e2e_green != flag", &set), !eq);
        }
        let set = [("tests.e2e_green", x)];
        assert_eq!(tri("not tests.e2e_green", &set), !a);
        assert_eq!(tri("!tests.e2e_green", &set), !a);
        assert_eq!(tri("not not tests.e2e_green", &set), a);
        assert_eq!(tri("tests.e2e_green", &set), a);
        assert_eq!(tri("tests.e2e_green == true", &set), a);
        assert_eq!(tri("true == tests.e2e_green", &set), a);
        assert_eq!(tri("tests.e2e_green == false", &set), !a);
        assert_eq!(tri("tests.e2e_green != true", &set), !a);
        assert_eq!(tri("tests.e2e_green != false", &set), a);
        // Constants absorb or vanish.
        assert_eq!(tri("tests.e2e_green and false", &set), False);
        assert_eq!(tri("tests.e2e_green or true", &set), True);
        assert_eq!(tri("tests.e2e_green and true", &set), a);
        assert_eq!(tri("false or tests.e2e_green", &set), a);
    }
    // Comparisons with unknowns inside logic.
    let set = [("coverage", 0.95)];
    assert_eq!(
        tri("coverage >= 90% and critical_vulns == 0", &set),
        Unknown
    );
    assert_eq!(tri("coverage >= 99% and critical_vulns == 0", &set), False);
    assert_eq!(tri("coverage >= 90% or critical_vulns == 0", &set), True);
    assert_eq!(tri("coverage >= 99% or critical_vulns == 0", &set), Unknown);
    assert_eq!(tri("true and false or true", &[]), True);
    assert_eq!(tri("not (1 < 2)", &[]), False);
}

#[test]
fn present_and_missing_are_never_unknown() {
    for (value, present) in [(NAN, False), (0.0, True), (42.0, True)] {
        let set = [("coverage", value), ("tests.e2e_green", value)];
        assert_eq!(tri("present(coverage)", &set), present);
        assert_eq!(tri("missing(coverage)", &set), !present);
        assert_eq!(tri("present(tests.e2e_green)", &set), present);
        assert_eq!(tri("missing(tests.e2e_green)", &set), !present);
        assert_eq!(tri("present(coverage * 2)", &set), present);
        assert_eq!(
            tri("present(coverage > 1% or tests.e2e_green)", &set),
            present
        );
    }
    assert_eq!(
        tri(
            "present(tests.failed / tests.total)",
            &[("tests.failed", 1.0)]
        ),
        False
    );
    assert_eq!(tri("missing(coverage) or coverage >= 90%", &[]), True);
}

#[test]
fn division_by_zero_at_run_time() {
    let source = "critical_vulns == 0 and tests.failed / tests.total < 1%";
    let program = compile(source);
    let e = program
        .eval(&values(&[
            ("critical_vulns", 0.0),
            ("tests.failed", 1.0),
            ("tests.total", 0.0),
        ]))
        .expect_err("zero total");
    assert_eq!(e.code, Code::DivisionByZero);
    assert_eq!(spanned(source, e.span), "tests.failed / tests.total");
    assert_eq!(
        e.message,
        "division by zero in `tests.failed / tests.total`"
    );
    // 0 / 0 as well.
    let zero = values(&[
        ("critical_vulns", 0.0),
        ("tests.failed", 0.0),
        ("tests.total", 0.0),
    ]);
    assert_eq!(
        program.eval(&zero).map_err(|e| e.code),
        Err(Code::DivisionByZero)
    );
    // An unknown dividend makes the quotient unknown, not an error.
    let unknown = values(&[("critical_vulns", 0.0), ("tests.total", 0.0)]);
    assert_eq!(program.eval(&unknown), Ok(Unknown));
    // A false operand of `and` decides whatever the others are, in either order.
    let decided = values(&[
        ("critical_vulns", 3.0),
        ("tests.failed", 1.0),
        ("tests.total", 0.0),
    ]);
    assert_eq!(program.eval(&decided), Ok(False));
    let reversed = compile("tests.failed / tests.total < 1% and critical_vulns == 0");
    assert_eq!(reversed.eval(&decided), Ok(False));
    let or = compile("tests.failed / tests.total < 1% or critical_vulns == 3");
    assert_eq!(or.eval(&decided), Ok(True));
    let or = compile("tests.failed / tests.total < 1% or critical_vulns == 0");
    assert_eq!(
        or.eval(&decided).map_err(|e| e.code),
        Err(Code::DivisionByZero)
    );
    // An unknown operand does not hide an error.
    let unknown_and = compile("coverage > 1% and tests.failed / tests.total < 1%");
    assert_eq!(
        unknown_and.eval(&decided).map_err(|e| e.code),
        Err(Code::DivisionByZero)
    );
    // Errors pass through `not`, `present` and comparisons.
    assert_eq!(
        eval(
            "not (tests.failed / tests.total < 1%)",
            &[("tests.failed", 1.0), ("tests.total", 0.0)]
        )
        .map_err(|e| e.code),
        Err(Code::DivisionByZero)
    );
    assert_eq!(
        eval(
            "present(tests.failed / tests.total)",
            &[("tests.failed", 1.0), ("tests.total", 0.0)]
        )
        .map_err(|e| e.code),
        Err(Code::DivisionByZero)
    );
}

#[test]
fn non_finite_results_at_run_time() {
    let source = "critical_vulns * high_vulns * 10 > 1";
    let program = compile(source);
    let e = program
        .eval(&values(&[("critical_vulns", 1e300), ("high_vulns", 1e300)]))
        .expect_err("overflow");
    assert_eq!(e.code, Code::NonFinite);
    assert_eq!(spanned(source, e.span), "critical_vulns * high_vulns");
    assert_eq!(
        e.message,
        "the result of `critical_vulns * high_vulns` is not a finite number"
    );
    let e = program
        .eval(&values(&[("critical_vulns", 1e300), ("high_vulns", 1e8)]))
        .expect_err("overflow");
    assert_eq!(spanned(source, e.span), "critical_vulns * high_vulns * 10");
    let e = eval(
        "critical_vulns + high_vulns > 1",
        &[("critical_vulns", 1.7e308), ("high_vulns", 1.7e308)],
    )
    .expect_err("overflow");
    assert_eq!(e.code, Code::NonFinite);
    let e = eval(
        "critical_vulns / high_vulns > 100%",
        &[("critical_vulns", 1e300), ("high_vulns", 1e-300)],
    )
    .expect_err("overflow");
    assert_eq!(e.code, Code::NonFinite);
}

#[test]
fn slots_in_order_of_first_appearance() {
    let program = compile(
        "p95_latency < 1s and (coverage > 1% or p95_latency > 0) and present(tests.e2e_green)",
    );
    assert_eq!(program.slots(), [2, 0, 6]);
    assert_eq!(program.min_slots_len(), 7);
    assert_eq!(compile("1 < 2").slots(), [] as [usize; 0]);
    // Metrics under folded-away constants still count.
    assert_eq!(compile("false and coverage > 1%").slots(), [0]);
    assert_eq!(
        program.source(),
        "p95_latency < 1s and (coverage > 1% or p95_latency > 0) and present(tests.e2e_green)"
    );
}

#[test]
fn short_input_is_an_error_not_a_panic() {
    let program = compile("tests.total > 1");
    let e = program.eval(&[1.0, 2.0]).expect_err("short");
    assert_eq!(e.code, Code::InvalidBatch);
    assert!(program.explain(&[], &name_of).is_err());
}

#[test]
fn the_benchmark_condition() {
    let source = "coverage >= 90% and critical_vulns == 0 and high_vulns <= 2 and p95_latency < 500ms and error_rate < 1%";
    let good = [
        ("coverage", 0.95),
        ("critical_vulns", 0.0),
        ("high_vulns", 2.0),
        ("p95_latency", 420.0),
        ("error_rate", 0.002),
    ];
    assert_eq!(tri(source, &good), True);
    let mut bad = good;
    bad[3].1 = 500.0;
    assert_eq!(tri(source, &bad), False);
    assert_eq!(tri(source, &good[..4]), Unknown);
}

#[test]
fn programs_are_shareable() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert_traits::<Program>();
    assert_traits::<EvalError>();
    let program = compile("coverage >= 90%");
    let copy = program.clone();
    assert_eq!(copy.eval(&values(&[("coverage", 0.91)])), Ok(True));
    assert_eq!(program.source(), copy.source());
}
