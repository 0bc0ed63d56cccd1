//! The evidence readers on real reports of real tools (`tests/fixtures/evidence/`, each with the
//! command that produced it): every report's metrics and provenance against a golden file, the
//! reports of one kind merged, and the pytest and coverage.py reports regenerated live and
//! compared with the committed ones.

#![allow(clippy::panic, reason = "a test fails by panicking")]

use kiro::evidence::{Evidence, Kind, Limits, read};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/evidence")
}

/// The merged metrics of the fixtures `names` (paths under the fixtures folder) as JSON.
fn evidence(kind: Kind, names: &[&str]) -> Value {
    let mut evidence = Evidence::new();
    for name in names {
        let text = std::fs::read_to_string(fixtures().join(name))
            .unwrap_or_else(|e| panic!("cannot read fixture {name}: {e}"));
        let report = read(kind, name, &text, &Limits::default())
            .unwrap_or_else(|d| panic!("{name}: {d} {:?}", d.labels));
        evidence
            .add(report)
            .unwrap_or_else(|d| panic!("{name}: {d}"));
    }
    evidence.to_json()
}

fn value(json: &Value, metric: &str) -> Value {
    json["metrics"][metric]["value"].clone()
}

#[test]
fn pytest_junit() {
    let json = evidence(Kind::Junit, &["junit/pytest.xml"]);
    // 9 cases: 5 passed, 1 failure, 1 error (a fixture that raised), 1 skip and 1 xfail (both
    // `<skipped>`).
    assert_eq!(value(&json, "tests.total"), 9.0);
    assert_eq!(value(&json, "tests.passed"), 5.0);
    assert_eq!(value(&json, "tests.failed"), 1.0);
    assert_eq!(value(&json, "tests.errors"), 1.0);
    assert_eq!(value(&json, "tests.skipped"), 2.0);
    insta::assert_json_snapshot!("pytest_junit", json);
}

#[test]
fn jest_junit() {
    let json = evidence(Kind::Junit, &["junit/jest-junit.xml"]);
    // jest-junit writes `test.todo('tax')` as a `<testcase>` with no `<skipped/>`, so it reads
    // as passed (jest-junit's own `tests="4"` leaves it out): 6 cases, 4 passed.
    assert_eq!(value(&json, "tests.total"), 6.0);
    assert_eq!(value(&json, "tests.passed"), 4.0);
    assert_eq!(value(&json, "tests.failed"), 1.0);
    assert_eq!(value(&json, "tests.skipped"), 1.0);
    insta::assert_json_snapshot!("jest_junit", json);
}

#[test]
fn nextest_junit_with_a_flaky_test() {
    let json = evidence(Kind::Junit, &["junit/nextest.xml"]);
    assert_eq!(value(&json, "tests.total"), 4.0);
    assert_eq!(value(&json, "tests.passed"), 3.0);
    assert_eq!(value(&json, "tests.flaky"), 1.0);
    assert_eq!(value(&json, "tests.failed"), 1.0);
    insta::assert_json_snapshot!("nextest_junit", json);
}

#[test]
fn junit_reports_of_three_runners_merged() {
    let json = evidence(
        Kind::Junit,
        &[
            "junit/pytest.xml",
            "junit/jest-junit.xml",
            "junit/nextest.xml",
        ],
    );
    assert_eq!(value(&json, "tests.total"), 19.0);
    assert_eq!(value(&json, "tests.failed"), 3.0);
    assert_eq!(
        json["metrics"]["tests.total"]["from"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[test]
fn coverage_py_cobertura_and_lcov_agree() {
    let xml = evidence(Kind::Coverage, &["coverage/coverage.py.xml"]);
    let lcov = evidence(Kind::Coverage, &["coverage/coverage.py.lcov"]);
    for metric in [
        "lines",
        "lines_total",
        "lines_covered",
        "branches",
        "branches_total",
        "branches_covered",
    ] {
        let name = format!("coverage.{metric}");
        assert_eq!(value(&xml, &name), value(&lcov, &name), "{name}");
    }
    // coverage.py's own summary: lines-valid="13" lines-covered="11" branches-valid="8"
    // branches-covered="6".
    assert_eq!(value(&xml, "coverage.lines_total"), 13.0);
    assert_eq!(value(&xml, "coverage.lines_covered"), 11.0);
    assert_eq!(value(&xml, "coverage.branches_covered"), 6.0);
    assert_eq!(value(&xml, "coverage.branches_total"), 8.0);
    insta::assert_json_snapshot!("coverage_py_cobertura", xml);
    insta::assert_json_snapshot!("coverage_py_lcov", lcov);
}

#[test]
fn istanbul_cobertura_and_lcov_agree() {
    let xml = evidence(Kind::Coverage, &["coverage/istanbul-cobertura.xml"]);
    let lcov = evidence(Kind::Coverage, &["coverage/istanbul-lcov.info"]);
    for metric in [
        "lines",
        "lines_total",
        "lines_covered",
        "branches_total",
        "branches_covered",
    ] {
        let name = format!("coverage.{metric}");
        assert_eq!(value(&xml, &name), value(&lcov, &name), "{name}");
    }
    insta::assert_json_snapshot!("istanbul_cobertura", xml);
}

#[test]
fn coverage_of_two_projects_merged_from_totals() {
    let both = evidence(
        Kind::Coverage,
        &["coverage/coverage.py.xml", "coverage/istanbul-lcov.info"],
    );
    let py = evidence(Kind::Coverage, &["coverage/coverage.py.xml"]);
    let js = evidence(Kind::Coverage, &["coverage/istanbul-lcov.info"]);
    let sum =
        |m: &str| value(&py, m).as_f64().unwrap_or(0.0) + value(&js, m).as_f64().unwrap_or(0.0);
    assert_eq!(
        value(&both, "coverage.lines_total").as_f64(),
        Some(sum("coverage.lines_total"))
    );
    assert_eq!(
        value(&both, "coverage.lines").as_f64(),
        Some(sum("coverage.lines_covered") * 100.0 / sum("coverage.lines_total"))
    );
}

#[test]
fn eslint_sarif_and_baseline_states() {
    let plain = evidence(Kind::Sarif, &["sarif/eslint.sarif"]);
    assert_eq!(value(&plain, "findings.total"), 5.0);
    assert_eq!(value(&plain, "findings.error"), 2.0);
    assert_eq!(value(&plain, "findings.warning"), 3.0);
    // No baseline comparison: new findings are unknown, not zero.
    assert_eq!(value(&plain, "findings.new.total"), Value::Null);
    let matched = evidence(Kind::Sarif, &["sarif/eslint-matched.sarif"]);
    assert_eq!(value(&matched, "findings.total"), 5.0);
    // `no-console` was in the baseline (`updated`); the other four are new.
    assert_eq!(value(&matched, "findings.new.total"), 4.0);
    assert_eq!(value(&matched, "findings.new.error"), 2.0);
    insta::assert_json_snapshot!("eslint_sarif", plain);
    insta::assert_json_snapshot!("eslint_matched_sarif", matched);
}

#[test]
fn lighthouse_report() {
    let json = evidence(Kind::Lighthouse, &["lighthouse/lighthouse.json"]);
    assert_eq!(value(&json, "lighthouse.performance"), 98.0);
    assert_eq!(value(&json, "lighthouse.accessibility"), 71.0);
    assert_eq!(value(&json, "lighthouse.lcp"), 1824.6771);
    insta::assert_json_snapshot!("lighthouse", json);
}

#[test]
fn jacoco_report() {
    let json = evidence(Kind::Coverage, &["coverage/jacoco.xml"]);
    // JaCoCo's own counters: LINE missed 4 covered 13, BRANCH missed 4 covered 4.
    assert_eq!(value(&json, "coverage.lines_total"), 17.0);
    assert_eq!(value(&json, "coverage.lines_covered"), 13.0);
    assert_eq!(value(&json, "coverage.branches_total"), 8.0);
    assert_eq!(value(&json, "coverage.branches_covered"), 4.0);
    assert_eq!(
        value(&json, "coverage.package.com.example.cart.lines_covered"),
        11.0
    );
    assert_eq!(
        value(&json, "coverage.package.com.example.pay.branches"),
        25.0
    );
    insta::assert_json_snapshot!("jacoco", json);
}

#[test]
fn go_cover_profile_with_merged_blocks() {
    let json = evidence(Kind::Coverage, &["coverage/go.cover"]);
    // `go tool cover -func` would say 88.9%: 8 of 9 statements, the repeated blocks once.
    assert_eq!(value(&json, "coverage.statements_total"), 9.0);
    assert_eq!(value(&json, "coverage.statements_covered"), 8.0);
    assert_eq!(
        value(&json, "coverage.package.example.com.shop.cart.statements"),
        100.0
    );
    assert_eq!(value(&json, "coverage.lines_total"), 17.0);
    assert_eq!(value(&json, "coverage.lines_covered"), 15.0);
    insta::assert_json_snapshot!("go_cover", json);
    // Cut inside its last line: refused, never a shorter profile.
    let text = std::fs::read_to_string(fixtures().join("coverage/go.cover")).unwrap_or_default();
    let cut = &text[..text.len() - 3];
    let d = read(Kind::Coverage, "go.cover", cut, &Limits::default()).expect_err("cut");
    assert_eq!(d.code, kiro::Code::ReportSyntax, "{d}");
}

#[test]
fn vulnerability_reports() {
    let npm = evidence(Kind::Vulns, &["vulns/npm-audit-v2.json"]);
    assert_eq!(value(&npm, "vulns.total"), 3.0);
    assert_eq!(value(&npm, "vulns.critical"), 2.0);
    assert_eq!(value(&npm, "vulns.high"), 1.0);
    insta::assert_json_snapshot!("npm_audit_v2", npm);
    let v1 = evidence(Kind::Vulns, &["vulns/npm-audit-v1.json"]);
    assert_eq!(value(&v1, "vulns.low"), 1.0);
    // The same lockfile through OSV-Scanner and Trivy: the same eight vulnerabilities.
    let osv = evidence(Kind::Vulns, &["vulns/osv-scanner.json"]);
    let trivy = evidence(Kind::Vulns, &["vulns/trivy.json"]);
    for severity in ["total", "critical", "high", "medium", "low", "unknown"] {
        let name = format!("vulns.{severity}");
        assert_eq!(value(&osv, &name), value(&trivy, &name), "{name}");
    }
    assert_eq!(value(&osv, "vulns.total"), 8.0);
    assert_eq!(value(&trivy, "vulns.misconfigurations"), 2.0);
    assert_eq!(value(&trivy, "vulns.secrets"), 1.0);
    assert_eq!(value(&osv, "vulns.secrets"), Value::Null);
    insta::assert_json_snapshot!("osv_scanner", osv);
    insta::assert_json_snapshot!("trivy", trivy);
    // npm's own error, written when it could not reach the audit endpoint.
    let text =
        std::fs::read_to_string(fixtures().join("vulns/npm-audit-error.json")).unwrap_or_default();
    let d = read(
        Kind::Vulns,
        "npm-audit-error.json",
        &text,
        &Limits::default(),
    )
    .expect_err("npm's error");
    assert_eq!(d.code, kiro::Code::ReportToolError, "{d}");
    assert!(d.message.contains("405 Method Not Allowed"), "{d}");
}

#[test]
fn webpack_stats() {
    let json = evidence(Kind::Bundle, &["bundle/webpack-stats.json"]);
    // main.js 2913 + receipt.chunk.js 234 + admin.js 23 (the source maps left out).
    assert_eq!(value(&json, "bundle.total"), 3170.0);
    assert_eq!(value(&json, "bundle.assets"), 3.0);
    assert_eq!(value(&json, "bundle.largest_asset"), 2913.0);
    assert_eq!(value(&json, "bundle.chunk.receipt"), 234.0);
    insta::assert_json_snapshot!("webpack_stats", json);
}

#[test]
fn a_report_passed_with_the_wrong_flag_is_named() {
    let text =
        std::fs::read_to_string(fixtures().join("lighthouse/lighthouse.json")).unwrap_or_default();
    let d = read(Kind::Junit, "lh.json", &text, &Limits::default()).expect_err("wrong flag");
    assert_eq!(d.code, kiro::Code::ReportWrongFormat);
    assert_eq!(
        d.message,
        "this is a Lighthouse report, not a JUnit XML test report"
    );
    assert_eq!(d.help.as_deref(), Some("pass it with `--lighthouse`"));
}

#[test]
fn every_fixture_truncated_is_an_error_never_a_partial_read() {
    let cases = [
        (Kind::Junit, "junit/pytest.xml"),
        (Kind::Junit, "junit/jest-junit.xml"),
        (Kind::Junit, "junit/nextest.xml"),
        (Kind::Coverage, "coverage/coverage.py.xml"),
        (Kind::Coverage, "coverage/istanbul-cobertura.xml"),
        (Kind::Sarif, "sarif/eslint-matched.sarif"),
        (Kind::Lighthouse, "lighthouse/lighthouse.json"),
        (Kind::Coverage, "coverage/jacoco.xml"),
        (Kind::Vulns, "vulns/npm-audit-v2.json"),
        (Kind::Vulns, "vulns/osv-scanner.json"),
        (Kind::Vulns, "vulns/trivy.json"),
        (Kind::Bundle, "bundle/webpack-stats.json"),
    ];
    for (kind, name) in cases {
        let text = std::fs::read_to_string(fixtures().join(name)).unwrap_or_default();
        let text = text.trim_end();
        // Cut in 64 places, each on a character boundary.
        for i in 1..64 {
            let mut at = text.len() * i / 64;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let result = read(kind, name, &text[..at], &Limits::default());
            let Err(d) = result else {
                panic!("{name} cut at byte {at} of {} was read", text.len());
            };
            assert_eq!(d.code, kiro::Code::ReportSyntax, "{name} at {at}: {d}");
        }
    }
}

/// The Python interpreter with pytest and coverage: `$KIRO_PYTHON`, else the project's `.venv`.
fn python_with_pytest_and_coverage() -> Option<PathBuf> {
    let python = std::env::var_os("KIRO_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"),
        PathBuf::from,
    );
    let ok = Command::new(&python)
        .args(["-c", "import pytest, coverage"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} cannot import pytest and coverage, and CI is set: run `.ci/install-tools.sh python`",
        python.display()
    );
    eprintln!(
        "SKIPPED: {} cannot import pytest and coverage (run `.ci/install-tools.sh python`, or set KIRO_PYTHON)",
        python.display()
    );
    None
}

/// Metrics by name without durations (the only values that change from run to run).
fn stable(json: &Value) -> BTreeMap<String, Value> {
    json["metrics"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(name, _)| !name.ends_with(".duration"))
                .map(|(name, metric)| (name.clone(), metric["value"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn pytest_and_coverage_py_regenerated_live_match_the_fixtures() {
    let Some(python) = python_with_pytest_and_coverage() else {
        return;
    };
    let work = std::env::temp_dir().join(format!("kiro-evidence-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("temp dir");
    for file in [
        "shipping.py",
        "test_shipping.py",
        "pytest.ini",
        ".coveragerc",
    ] {
        std::fs::copy(
            fixtures().join("pytest-project").join(file),
            work.join(file),
        )
        .expect("copy");
    }
    let run = |args: &[&str]| {
        let out = Command::new(&python)
            .args(args)
            .current_dir(&work)
            .env("COVERAGE_FILE", work.join(".coverage"))
            .output()
            .expect("python runs");
        // pytest exits 1: the project has a failing test on purpose.
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "-m",
        "coverage",
        "run",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--junitxml=pytest.xml",
    ]);
    run(&["-m", "coverage", "xml", "-o", "coverage.xml"]);
    run(&["-m", "coverage", "lcov", "-o", "coverage.lcov"]);
    let live = |kind: Kind, name: &str| {
        let text = std::fs::read_to_string(work.join(name)).expect("report written");
        let mut evidence = Evidence::new();
        evidence
            .add(
                read(kind, name, &text, &Limits::default())
                    .unwrap_or_else(|d| panic!("live {name}: {d}")),
            )
            .expect("adds");
        evidence.to_json()
    };
    let pairs = [
        (Kind::Junit, "pytest.xml", "junit/pytest.xml"),
        (Kind::Coverage, "coverage.xml", "coverage/coverage.py.xml"),
        (Kind::Coverage, "coverage.lcov", "coverage/coverage.py.lcov"),
    ];
    for (kind, generated, committed) in pairs {
        assert_eq!(
            stable(&live(kind, generated)),
            stable(&evidence(kind, &[committed])),
            "{generated} regenerated by the installed pytest/coverage.py differs from {committed}"
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}
