//! Unit tests of the evidence readers on small hand-written inputs: each dialect rule and each
//! error. The real tools' reports are read in `tests/evidence.rs` (crate `kiro-tests`).

#![allow(clippy::panic, reason = "a test fails by panicking")]

use super::*;
use crate::metrics::input::RawValue;
use proptest::prelude::*;

fn one(kind: Kind, text: &str) -> Result<BTreeMap<String, Metric>, Diagnostic> {
    let report = read(kind, "report", text, &Limits::default())?;
    let mut evidence = Evidence::new();
    evidence.add(report)?;
    Ok(evidence.metrics())
}

fn amount(metrics: &BTreeMap<String, Metric>, name: &str) -> Option<f64> {
    metrics
        .get(name)
        .unwrap_or_else(|| {
            panic!(
                "no metric `{name}` in {:?}",
                metrics.keys().collect::<Vec<_>>()
            )
        })
        .value
        .amount
}

fn code(kind: Kind, text: &str) -> Code {
    match one(kind, text) {
        Ok(m) => panic!("expected an error, got {} metrics", m.len()),
        Err(d) => d.code,
    }
}

use std::collections::BTreeMap;

#[test]
fn junit_counts_outcomes_from_test_cases() {
    let m = one(
        Kind::Junit,
        r#"<?xml version="1.0"?>
<testsuites>
  <testsuite name="a" tests="99" time="2.5">
    <testcase classname="a" name="ok" time="1"/>
    <testcase classname="a" name="bad" time="0.5"><failure message="x">trace</failure></testcase>
    <testcase classname="a" name="boom"><error/></testcase>
    <testcase classname="a" name="both"><failure/><error/></testcase>
    <testcase classname="a" name="later"><skipped/></testcase>
  </testsuite>
</testsuites>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "tests.total"), Some(5.0));
    assert_eq!(amount(&m, "tests.passed"), Some(1.0));
    assert_eq!(amount(&m, "tests.failed"), Some(1.0));
    assert_eq!(amount(&m, "tests.errors"), Some(2.0));
    assert_eq!(amount(&m, "tests.skipped"), Some(1.0));
    assert_eq!(amount(&m, "tests.pass_rate"), Some(25.0));
    // The suite's own time, not the sum of its cases.
    assert_eq!(amount(&m, "tests.duration"), Some(2.5));
    assert_eq!(amount(&m, "tests.suite.a.duration"), Some(1.5));
}

#[test]
fn junit_nested_suites_count_cases_once_in_the_innermost() {
    let m = one(
        Kind::Junit,
        r#"<testsuite name="outer" time="3">
  <testsuite name="inner.one"><testcase name="x"/></testsuite>
  <testsuite name="inner.two"><testcase name="x"><failure/></testcase></testsuite>
  <testcase name="direct"/>
</testsuite>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "tests.total"), Some(3.0));
    assert_eq!(amount(&m, "tests.suite.inner.one.total"), Some(1.0));
    assert_eq!(amount(&m, "tests.suite.inner.two.failed"), Some(1.0));
    assert_eq!(amount(&m, "tests.suite.outer.total"), Some(1.0));
    assert_eq!(amount(&m, "tests.duration"), Some(3.0));
}

#[test]
fn junit_surefire_flaky_and_rerun_failures() {
    let m = one(
        Kind::Junit,
        r#"<testsuite name="S" tests="2" failures="1">
  <testcase name="flaky"><flakyFailure message="first"/><flakyError/></testcase>
  <testcase name="always"><failure/><rerunFailure/><rerunFailure/></testcase>
</testsuite>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "tests.passed"), Some(1.0));
    assert_eq!(amount(&m, "tests.flaky"), Some(1.0));
    assert_eq!(amount(&m, "tests.failed"), Some(1.0));
    assert_eq!(amount(&m, "tests.total"), Some(2.0));
}

#[test]
fn junit_gotestsum_reruns_are_one_test_decided_by_the_last_attempt() {
    let m = one(
        Kind::Junit,
        r#"<testsuites><testsuite name="pkg" tests="4">
  <testcase classname="pkg" name="TestA" time="0.1"><failure/></testcase>
  <testcase classname="pkg" name="TestB" time="0.1"/>
  <testcase classname="pkg" name="TestA" time="0.2"/>
  <testcase classname="pkg" name="TestC"><failure/></testcase>
  <testcase classname="pkg" name="TestC"><failure/></testcase>
</testsuite></testsuites>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "tests.total"), Some(3.0));
    assert_eq!(amount(&m, "tests.passed"), Some(2.0));
    assert_eq!(amount(&m, "tests.flaky"), Some(1.0));
    assert_eq!(amount(&m, "tests.failed"), Some(1.0));
}

#[test]
fn junit_summary_only_suites_and_googletest_notrun() {
    let m = one(
        Kind::Junit,
        r#"<testsuites>
  <testsuite name="summary" tests="10" failures="1" errors="1" skipped="2" time="4"/>
  <testsuite name="gtest"><testcase name="off" status="notrun"/></testsuite>
</testsuites>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "tests.total"), Some(11.0));
    assert_eq!(amount(&m, "tests.passed"), Some(6.0));
    assert_eq!(amount(&m, "tests.skipped"), Some(3.0));
    assert_eq!(amount(&m, "tests.pass_rate"), Some(75.0));
}

#[test]
fn junit_pass_rate_of_no_run_tests_is_no_data() {
    let m = one(
        Kind::Junit,
        r#"<testsuite name="s"><testcase name="a"><skipped/></testcase></testsuite>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "tests.pass_rate"), None);
    assert_eq!(
        m.get("tests.pass_rate").map(|m| m.value.raw()),
        Some(RawValue::Null)
    );
}

#[test]
fn junit_suite_names_become_metric_name_parts() {
    let m = one(
        Kind::Junit,
        r#"<testsuites><testsuite name="tests/test_api.py::Api"><testcase name="a"/></testsuite><testsuite name="1st and"><testcase name="a"/></testsuite></testsuites>"#,
    )
    .expect("reads");
    assert!(!m.contains_key("tests.suite.tests/test_api.py::Api.total"));
    assert_eq!(
        amount(&m, "tests.suite.tests_test_api.py__Api.total"),
        Some(1.0)
    );
    assert_eq!(amount(&m, "tests.suite._1st_and.total"), Some(1.0));
}

#[test]
fn junit_errors_are_coded_and_placed() {
    let truncated = read(
        Kind::Junit,
        "t.xml",
        "<testsuites>\n<testsuite name=\"a\">\n<testcase name=\"x\">",
        &Limits::default(),
    )
    .expect_err("truncated");
    assert_eq!(truncated.code, Code::ReportSyntax);
    assert!(
        truncated.message.contains("truncated"),
        "{}",
        truncated.message
    );
    assert!(
        truncated.message.contains("`<testcase>`"),
        "{}",
        truncated.message
    );
    assert_eq!(truncated.source.as_deref(), Some("t.xml"));

    let malformed = read(
        Kind::Junit,
        "m.xml",
        "<testsuites>\n  <testsuite></testcase>\n</testsuites>",
        &Limits::default(),
    )
    .expect_err("malformed");
    assert_eq!(malformed.code, Code::ReportSyntax);
    assert!(
        malformed.message.contains("line 2"),
        "{}",
        malformed.message
    );

    assert_eq!(
        code(
            Kind::Junit,
            r#"<testsuite><testcase time="fast"/></testsuite>"#
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Junit, r#"<testsuite tests="1" failures="2"/>"#),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Junit, "<html><body/></html>"),
        Code::ReportWrongFormat
    );
    assert_eq!(code(Kind::Junit, "   \n"), Code::ReportSyntax);
    assert_eq!(
        code(Kind::Junit, "<testsuite/><testsuite/>"),
        Code::ReportSyntax
    );
}

#[test]
fn xml_entities_are_never_expanded() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<testsuite name="&lol2;"><testcase name="a"/></testsuite>"#;
    assert_eq!(code(Kind::Junit, bomb), Code::ReportDtd);
    let external =
        r#"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><testsuite name="&xxe;"/>"#;
    assert_eq!(code(Kind::Junit, external), Code::ReportDtd);
    // An undeclared entity in an attribute is malformed, not empty.
    assert_eq!(
        code(
            Kind::Junit,
            r#"<testsuite name="&xxe;"><testcase/></testsuite>"#
        ),
        Code::ReportSyntax
    );
    // A doctype naming an external DTD only (Istanbul's Cobertura) is read, never fetched.
    let m = one(
        Kind::Coverage,
        r#"<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage><packages><package><classes><class filename="a.js"><lines><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "coverage.lines"), Some(100.0));
}

#[test]
fn xml_nesting_is_bounded() {
    let deep = format!(
        "<testsuites>{}{}</testsuites>",
        "<a>".repeat(300),
        "</a>".repeat(300)
    );
    assert_eq!(code(Kind::Junit, &deep), Code::TooLarge);
    let limits = Limits {
        max_bytes: 10,
        max_depth: 256,
    };
    let big =
        read(Kind::Junit, "big.xml", "<testsuite></testsuite>", &limits).expect_err("too big");
    assert_eq!(big.code, Code::TooLarge);
}

#[test]
fn lcov_lines_and_branches_with_repeated_records_merged() {
    let m = one(
        Kind::Coverage,
        "TN:\nSF:src/a.rs\nDA:1,1\nDA:2,0\nDA:3,0\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nLF:3\nLH:1\nend_of_record\n\
         TN:other\nSF:src/a.rs\nDA:2,4\nBRDA:2,0,1,0\nend_of_record\nSF:src/b.rs\nDA:1,0\nend_of_record\n",
    )
    .expect("reads");
    assert_eq!(amount(&m, "coverage.lines_total"), Some(4.0));
    assert_eq!(amount(&m, "coverage.lines_covered"), Some(2.0));
    assert_eq!(amount(&m, "coverage.lines"), Some(50.0));
    assert_eq!(amount(&m, "coverage.branches_total"), Some(2.0));
    assert_eq!(amount(&m, "coverage.branches_covered"), Some(1.0));
}

#[test]
fn lcov_errors() {
    assert_eq!(code(Kind::Coverage, "SF:a\nDA:1,1\n"), Code::ReportSyntax);
    assert_eq!(
        code(Kind::Coverage, "SF:a\nDA:x,1\nend_of_record\n"),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Coverage, "SF:a\nDA:1,-1\nend_of_record\n"),
        Code::ReportInvalidValue
    );
    assert_eq!(code(Kind::Coverage, "TN:\nDA:1,1\n"), Code::ReportSyntax);
    assert_eq!(code(Kind::Coverage, "SF:a\nSF:b\n"), Code::ReportSyntax);
    assert_eq!(
        code(Kind::Coverage, "SF:a\nnot a line\nend_of_record\n"),
        Code::ReportSyntax
    );
    let d = read(
        Kind::Coverage,
        "c.info",
        "SF:a\nDA:1,1\nDA:2,z\nend_of_record\n",
        &Limits::default(),
    )
    .expect_err("bad");
    assert!(d.message.contains("line 3, column 1"), "{}", d.message);
}

#[test]
fn cobertura_lines_branches_and_methods_skipped() {
    let m = one(
        Kind::Coverage,
        r#"<coverage line-rate="0.1"><packages><package name="p"><classes>
<class name="A" filename="p/a.py"><methods><method name="f"><lines><line number="1" hits="0"/><line number="99" hits="0"/></lines></method></methods>
<lines><line number="1" hits="3"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/><line number="3" hits="1" branch="true" condition-coverage="100% (2/2)"/></lines></class>
<class name="A$Inner" filename="p/a.py"><lines><line number="2" hits="1"/></lines></class>
</classes></package></packages></coverage>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "coverage.lines_total"), Some(3.0));
    assert_eq!(amount(&m, "coverage.lines_covered"), Some(3.0));
    assert_eq!(amount(&m, "coverage.branches_total"), Some(4.0));
    assert_eq!(amount(&m, "coverage.branches_covered"), Some(3.0));
    assert_eq!(amount(&m, "coverage.branches"), Some(75.0));
}

#[test]
fn cobertura_errors() {
    let wrap = |line: &str| {
        format!(
            r#"<coverage><packages><package><classes><class filename="a"><lines>{line}</lines></class></classes></package></packages></coverage>"#
        )
    };
    assert_eq!(
        code(Kind::Coverage, &wrap(r#"<line number="1"/>"#)),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(
            Kind::Coverage,
            &wrap(r#"<line number="1" hits="1" branch="true" condition-coverage="50%"/>"#)
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(
            Kind::Coverage,
            &wrap(
                r#"<line number="1" hits="1" branch="true" condition-coverage="0% (0/4000000000)"/>"#
            )
        ),
        Code::ReportInvalidValue
    );
    // JaCoCo and Go profiles passed with `--coverage` are read as what they are.
    let jacoco = read(
        Kind::Coverage,
        "j",
        r#"<report name="jacoco"/>"#,
        &Limits::default(),
    );
    assert_eq!(jacoco.map(|r| r.format), Ok(ReportFormat::Jacoco));
    let go = read(
        Kind::Coverage,
        "g",
        "mode: set\na.go:1.1,2.2 1 1\n",
        &Limits::default(),
    );
    assert_eq!(go.map(|r| r.format), Ok(ReportFormat::GoCover));
}

#[test]
fn coverage_of_several_reports_is_recomputed_from_the_union() {
    let a = read(
        Kind::Coverage,
        "a.info",
        "SF:x\nDA:1,1\nDA:2,0\nend_of_record\n",
        &Limits::default(),
    )
    .expect("a");
    let b = read(
        Kind::Coverage,
        "b.info",
        "SF:x\nDA:1,0\nDA:2,1\nend_of_record\nSF:y\nDA:1,0\nDA:2,0\nend_of_record\n",
        &Limits::default(),
    )
    .expect("b");
    let mut e = Evidence::new();
    e.add(a).expect("a");
    e.add(b).expect("b");
    let m = e.metrics();
    // x: both lines covered by one report or the other; y: none. 2 of 4, not the average of
    // 50% and 25%.
    assert_eq!(amount(&m, "coverage.lines"), Some(50.0));
    let from = &m.get("coverage.lines").expect("metric").from;
    assert_eq!(from.len(), 2);
    assert_eq!(from[0].file, "a.info");
    assert_eq!(from[0].value.amount, Some(50.0));
    assert_eq!(from[1].value.amount, Some(25.0));
}

const SARIF: &str = r#"{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "t", "rules": [
      {"id": "R1", "defaultConfiguration": {"level": "error"}},
      {"id": "py/sql-injection"}
    ]}},
    "results": [
      {"ruleId": "R1", "baselineState": "new", "message": {"text": "a"}},
      {"ruleIndex": 1, "level": "note", "baselineState": "unchanged", "message": {"text": "b"}},
      {"ruleId": "R1", "level": "warning", "baselineState": "new", "message": {"text": "c"}},
      {"ruleId": "R1", "kind": "pass", "baselineState": "unchanged", "message": {"text": "d"}},
      {"ruleId": "R1", "baselineState": "absent", "message": {"text": "e"}},
      {"ruleId": "R1", "baselineState": "new", "suppressions": [{"kind": "inSource"}], "message": {"text": "f"}},
      {"ruleId": "R1", "baselineState": "new", "suppressions": [{"kind": "external", "status": "rejected"}], "message": {"text": "g"}}
    ]
  }]
}"#;

#[test]
fn sarif_levels_rules_baseline_and_suppressions() {
    let m = one(Kind::Sarif, SARIF).expect("reads");
    assert_eq!(amount(&m, "findings.total"), Some(5.0));
    assert_eq!(amount(&m, "findings.error"), Some(2.0));
    assert_eq!(amount(&m, "findings.warning"), Some(1.0));
    assert_eq!(amount(&m, "findings.note"), Some(1.0));
    assert_eq!(amount(&m, "findings.none"), Some(1.0));
    assert_eq!(amount(&m, "findings.new.total"), Some(3.0));
    assert_eq!(amount(&m, "findings.new.error"), Some(2.0));
    assert_eq!(amount(&m, "findings.suppressed"), Some(1.0));
    assert_eq!(amount(&m, "findings.absent"), Some(1.0));
    assert_eq!(amount(&m, "findings.rule.R1"), Some(4.0));
    assert_eq!(amount(&m, "findings.rule.py_sql_injection"), Some(1.0));
}

#[test]
fn sarif_without_baseline_has_no_data_for_new_findings() {
    let text = r#"{"version": "2.1.0", "runs": [{"results": [{"ruleId": "x", "message": {"text": "m"}}]}]}"#;
    let m = one(Kind::Sarif, text).expect("reads");
    assert_eq!(amount(&m, "findings.warning"), Some(1.0));
    assert_eq!(amount(&m, "findings.new.total"), None);
}

#[test]
fn sarif_errors() {
    assert_eq!(
        code(Kind::Sarif, r#"{"version": "2.0.0", "runs": []}"#),
        Code::ReportVersion
    );
    let d = read(
        Kind::Sarif,
        "s.sarif",
        "{\"version\": \"2.1.0\",\n \"runs\": [{\"results\": [{\"level\": \"critical\"}]}]}",
        &Limits::default(),
    )
    .expect_err("bad level");
    assert_eq!(d.code, Code::ReportInvalidValue);
    assert!(d.message.contains("line 2"), "{}", d.message);
    let cut = read(
        Kind::Sarif,
        "s.sarif",
        r#"{"version": "2.1.0", "runs": [{"results": ["#,
        &Limits::default(),
    )
    .expect_err("truncated");
    assert_eq!(cut.code, Code::ReportSyntax);
    assert!(cut.message.contains("truncated"), "{}", cut.message);
    assert_eq!(
        code(Kind::Sarif, r#"{"lighthouseVersion": "12.0.0"}"#),
        Code::ReportWrongFormat
    );
    assert_eq!(
        code(Kind::Sarif, r#"{"name": "x"}"#),
        Code::ReportWrongFormat
    );
    // Values the reader does not need are skipped without recursion, however deep.
    let deep = format!(
        "{{\"version\": \"2.1.0\", \"runs\": [], \"properties\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        one(Kind::Sarif, &deep).map(|m| amount(&m, "findings.total")),
        Ok(Some(0.0))
    );
    // Nesting where the reader expects a value is a wrong value, found at once.
    let deep = format!(
        "{{\"version\": \"2.1.0\", \"runs\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(code(Kind::Sarif, &deep), Code::ReportInvalidValue);
}

#[test]
fn wrong_flag_names_the_format_and_the_flag() {
    let d = read(Kind::Junit, "scan.sarif", SARIF, &Limits::default()).expect_err("wrong");
    assert_eq!(d.code, Code::ReportWrongFormat);
    assert_eq!(d.help.as_deref(), Some("pass it with `--sarif`"));
    let d = read(
        Kind::Lighthouse,
        "cov.info",
        "SF:a\nend_of_record\n",
        &Limits::default(),
    )
    .expect_err("wrong");
    assert_eq!(d.help.as_deref(), Some("pass it with `--coverage`"));
}

const LIGHTHOUSE: &str = r#"{"lighthouseVersion": "12.2.1",
 "audits": {
   "largest-contentful-paint": {"numericValue": 2345.5, "numericUnit": "millisecond"},
   "cumulative-layout-shift": {"numericValue": 0.1, "numericUnit": "unitless"},
   "total-blocking-time": {"numericValue": 0, "numericUnit": "millisecond"},
   "first-contentful-paint": {"numericValue": null}
 },
 "categories": {"performance": {"score": 0.87}, "accessibility": {"score": 0.57}, "seo": {"score": null}}}"#;

#[test]
fn lighthouse_scores_are_exact_percentages() {
    let m = one(Kind::Lighthouse, LIGHTHOUSE).expect("reads");
    assert_eq!(amount(&m, "lighthouse.performance"), Some(87.0));
    // 0.57 * 100 is 56.99999999999999 in floating point; the score is 57 % as written.
    assert_eq!(amount(&m, "lighthouse.accessibility"), Some(57.0));
    assert_eq!(amount(&m, "lighthouse.seo"), None);
    assert_eq!(amount(&m, "lighthouse.lcp"), Some(2345.5));
    assert_eq!(amount(&m, "lighthouse.cls"), Some(0.1));
    assert_eq!(amount(&m, "lighthouse.fcp"), None);
    assert_eq!(
        m.get("lighthouse.lcp").map(|m| m.value.raw()),
        Some(RawValue::Text("2345.5ms".into()))
    );
    assert_eq!(
        m.get("lighthouse.lcp")
            .and_then(|m| m.from[0].pointer.clone())
            .as_deref(),
        Some("/audits/largest-contentful-paint/numericValue")
    );
}

#[test]
fn lighthouse_errors_and_conflicts() {
    assert_eq!(
        code(Kind::Lighthouse, r#"{"lighthouseVersion": "5.6.0"}"#),
        Code::ReportVersion
    );
    assert_eq!(
        code(
            Kind::Lighthouse,
            r#"{"lighthouseVersion": "12.0.0", "categories": {"performance": {"score": 87}}}"#
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(
            Kind::Lighthouse,
            r#"{"lighthouseVersion": "12.0.0", "audits": {"largest-contentful-paint": {"numericValue": 2, "numericUnit": "second"}}}"#
        ),
        Code::ReportInvalidValue
    );
    let mut e = Evidence::new();
    e.add(read(Kind::Lighthouse, "a.json", LIGHTHOUSE, &Limits::default()).expect("a"))
        .expect("a");
    // The same values again are no conflict.
    e.add(read(Kind::Lighthouse, "b.json", LIGHTHOUSE, &Limits::default()).expect("b"))
        .expect("b");
    let other = LIGHTHOUSE.replace("2345.5", "2400");
    let d = e
        .add(read(Kind::Lighthouse, "c.json", &other, &Limits::default()).expect("c"))
        .expect_err("conflict");
    assert_eq!(d.code, Code::ReportConflict);
    assert!(
        d.message
            .contains("`lighthouse.lcp` is 2345.5ms in `a.json` but 2400ms in `c.json`"),
        "{}",
        d.message
    );
}

#[test]
fn evidence_applies_to_metrics_input_and_refuses_a_conflict() {
    let mut e = Evidence::new();
    e.add(read(Kind::Junit, "j.xml", r#"<testsuite name="s"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>"#, &Limits::default()).expect("j")).expect("j");
    let mut input = MetricsInput::parse(
        r#"{"tests": {"failed": 0}, "other": 1}"#,
        crate::Format::Json,
    )
    .expect("input");
    let count = crate::units::declared_unit("count").expect("unit");
    let percent = crate::units::declared_unit("%").expect("unit");
    let d = e
        .apply(&mut input.clone(), |n| {
            (n == "tests.failed").then_some(count)
        })
        .expect_err("conflict");
    assert_eq!(d.code, Code::ReportConflict);
    assert_eq!(d.source.as_deref(), Some("j.xml"));
    // A count is never read as a percentage.
    let d = e
        .apply(&mut MetricsInput::default(), |n| {
            (n == "tests.total").then_some(percent)
        })
        .expect_err("unit");
    assert_eq!(d.code, Code::InvalidMetricValue);
    assert_eq!(
        d.message,
        "metric `tests.total` is declared as a percentage, but report `j.xml` gives a plain number"
    );
    // A name the policy does not declare does not matter, and is left out of the input (so it
    // is never warned about as an undeclared name).
    e.apply(&mut input, |_| None).expect("applies");
    let names = |input: &MetricsInput| input.values.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&input), ["other", "tests.failed"]);
    e.apply(&mut input, |name| {
        (name == "tests.pass_rate").then_some(percent)
    })
    .expect("applies");
    assert_eq!(
        input.values.get("tests.pass_rate").map(|v| v.value.clone()),
        Some(RawValue::Text("50%".into()))
    );
    assert_eq!(names(&input), ["other", "tests.failed", "tests.pass_rate"]);
}

#[test]
fn jacoco_lines_branches_and_packages() {
    let m = one(
        Kind::Coverage,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="r"><sessioninfo id="s" start="1" dump="2"/>
<group name="module"><package name="com/ex/a"><class name="com/ex/a/A"><counter type="LINE" missed="9" covered="9"/></class>
<sourcefile name="A.java"><line nr="1" mi="0" ci="3" mb="1" cb="1"/><line nr="2" mi="2" ci="0" mb="0" cb="0"/><counter type="LINE" missed="1" covered="1"/></sourcefile></package></group>
<package name="com/ex/b"><sourcefile name="B.java"><line nr="4" mi="0" ci="1" mb="0" cb="2"/></sourcefile></package></report>"#,
    )
    .expect("reads");
    assert_eq!(amount(&m, "coverage.lines_total"), Some(3.0));
    assert_eq!(amount(&m, "coverage.lines_covered"), Some(2.0));
    assert_eq!(amount(&m, "coverage.branches_total"), Some(4.0));
    assert_eq!(amount(&m, "coverage.branches_covered"), Some(3.0));
    assert_eq!(amount(&m, "coverage.package.com.ex.a.lines"), Some(50.0));
    assert_eq!(
        amount(&m, "coverage.package.com.ex.b.branches"),
        Some(100.0)
    );
    assert!(!m.contains_key("coverage.statements"));
}

#[test]
fn jacoco_errors() {
    let wrap = |line: &str| {
        format!(
            r#"<report name="r"><package name="p"><sourcefile name="A.java">{line}</sourcefile></package></report>"#
        )
    };
    assert_eq!(
        code(Kind::Coverage, &wrap(r#"<line mi="0" ci="1"/>"#)),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Coverage, &wrap(r#"<line nr="1" ci="-1"/>"#)),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(
            Kind::Coverage,
            &wrap(r#"<line nr="1" ci="1" mb="99999999"/>"#)
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Coverage, r#"<report name="r"><package name="p">"#),
        Code::ReportSyntax
    );
    assert_eq!(
        code(
            Kind::Coverage,
            "<!DOCTYPE report [<!ENTITY a \"aaaa\">]><report>&a;</report>"
        ),
        Code::ReportDtd
    );
    assert_eq!(
        code(Kind::Junit, r#"<report name="r"/>"#),
        Code::ReportWrongFormat
    );
}

#[test]
fn go_cover_statements_lines_packages_and_merged_blocks() {
    let m = one(
        Kind::Coverage,
        "mode: set\n\
         example.com/m/a/a.go:3.10,5.2 2 1\n\
         example.com/m/a/a.go:7.10,9.2 1 0\n\
         example.com/m/b/b.go:1.1,1.20 3 0\n\
         mode: set\n\
         example.com/m/a/a.go:7.10,9.2 1 1\n\
         example.com/m/b/b.go:1.1,1.20 3 0\n",
    )
    .expect("reads");
    // The duplicate blocks count once: a.go 3/3 statements, b.go 0/3.
    assert_eq!(amount(&m, "coverage.statements_total"), Some(6.0));
    assert_eq!(amount(&m, "coverage.statements_covered"), Some(3.0));
    assert_eq!(amount(&m, "coverage.statements"), Some(50.0));
    // Lines 3-5 and 7-9 of a.go, line 1 of b.go.
    assert_eq!(amount(&m, "coverage.lines_total"), Some(7.0));
    assert_eq!(amount(&m, "coverage.lines_covered"), Some(6.0));
    assert_eq!(amount(&m, "coverage.branches"), None);
    assert_eq!(
        amount(&m, "coverage.package.example.com.m.a.statements"),
        Some(100.0)
    );
    assert_eq!(
        amount(&m, "coverage.package.example.com.m.b.statements"),
        Some(0.0)
    );
}

#[test]
fn go_cover_errors() {
    assert_eq!(code(Kind::Coverage, "mode: fancy\n"), Code::ReportVersion);
    assert_eq!(
        code(Kind::Coverage, "mode: set\na.go:1.1,2.1 1\n"),
        Code::ReportSyntax
    );
    assert_eq!(
        code(Kind::Coverage, "mode: set\na.go:1.1,2.1 1 x\n"),
        Code::ReportSyntax
    );
    assert_eq!(
        code(Kind::Coverage, "mode: set\na.go:5.1,2.1 1 1\n"),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Coverage, "mode: set\nmode: count\n"),
        Code::ReportInvalidValue
    );
    assert_eq!(code(Kind::Vulns, "mode: set\n"), Code::ReportWrongFormat);
    let d = read(
        Kind::Coverage,
        "c.out",
        "mode: count\na.go:1.1,2.1 1 1\nb.go:1.1,2.1 1\n",
        &Limits::default(),
    )
    .expect_err("bad");
    assert!(d.message.contains("line 3, column 1"), "{}", d.message);
    // A block over four billion lines is counted, never expanded.
    let m = one(Kind::Coverage, "mode: set\na.go:1.1,4000000000.1 1 1\n").expect("reads");
    assert_eq!(amount(&m, "coverage.lines_total"), Some(4_000_000_000.0));
}

#[test]
fn npm_audit_versions_and_tool_errors() {
    let v2 = r#"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"info": 1, "low": 2, "moderate": 3, "high": 4, "critical": 5, "total": 15}}}"#;
    let m = one(Kind::Vulns, v2).expect("reads");
    assert_eq!(amount(&m, "vulns.total"), Some(15.0));
    assert_eq!(amount(&m, "vulns.medium"), Some(3.0));
    assert_eq!(amount(&m, "vulns.info"), Some(1.0));
    assert_eq!(amount(&m, "vulns.unknown"), Some(0.0));
    assert_eq!(amount(&m, "vulns.secrets"), None);
    let v1 = r#"{"actions": [], "advisories": {}, "muted": [], "metadata": {"vulnerabilities": {"info": 0, "low": 0, "moderate": 0, "high": 1, "critical": 0}}}"#;
    assert_eq!(
        amount(&one(Kind::Vulns, v1).expect("reads"), "vulns.high"),
        Some(1.0)
    );
    let d = one(Kind::Vulns, r#"{"auditReportVersion": 3, "metadata": {}}"#).expect_err("v3");
    assert_eq!(d.code, Code::ReportVersion);
    assert!(d.message.contains("version 3"), "{}", d.message);
    let d = one(Kind::Vulns, r#"{"error": {"code": "ENOLOCK", "summary": "This command requires an existing lockfile.", "detail": ""}}"#).expect_err("error");
    assert_eq!(d.code, Code::ReportToolError);
    assert!(
        d.message.contains("requires an existing lockfile"),
        "{}",
        d.message
    );
    assert_eq!(
        code(
            Kind::Vulns,
            r#"{"auditReportVersion": 2, "metadata": {"vulnerabilities": {"severe": 1}}}"#
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Vulns, r#"{"auditReportVersion": 2}"#),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(
            Kind::Vulns,
            r#"{"auditReportVersion": 2, "metadata": {"vulnerabilities": {"high": -1}}}"#
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Vulns, r#"{"auditReportVersion": 2, "metadata": {"#),
        Code::ReportSyntax
    );
    assert_eq!(
        code(Kind::Vulns, r#"{"name": "x"}"#),
        Code::ReportWrongFormat
    );
    assert_eq!(
        code(
            Kind::Vulns,
            r#"{"matches": [], "descriptor": {"name": "grype"}}"#
        ),
        Code::ReportWrongFormat
    );
    assert_eq!(code(Kind::Sarif, v2), Code::ReportWrongFormat);
}

#[test]
fn osv_severity_rule() {
    let text = r#"{"results": [{"source": {"path": "a/package-lock.json", "type": "lockfile"}, "packages": [
      {"package": {"name": "p", "version": "1", "ecosystem": "npm"},
       "vulnerabilities": [
         {"id": "A", "database_specific": {"severity": "MODERATE"}, "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
         {"id": "B", "aliases": ["C"]},
         {"id": "C", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
         {"id": "D"},
         {"id": "E", "database_specific": {"severity": "HIGH"}}],
       "groups": [{"ids": ["A"], "max_severity": "2.0"}, {"ids": ["B", "C"], "max_severity": ""}, {"ids": ["D"]}, {"ids": ["E"]}]},
      {"package": {"name": "q", "version": "1", "ecosystem": "npm"},
       "vulnerabilities": [{"id": "F", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}]}, {"id": "G", "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N"}]}]}]}]}"#;
    let m = one(Kind::Vulns, text).expect("reads");
    // A: max_severity 2.0 (low) wins over its database's MODERATE; B+C: one group, C's vector
    // 9.8 (critical); D: unknown; E: its database's HIGH; F (no groups): vector 7.4, high;
    // G: a CVSS 4 vector is not computed, unknown.
    assert_eq!(amount(&m, "vulns.total"), Some(6.0));
    assert_eq!(amount(&m, "vulns.low"), Some(1.0));
    assert_eq!(amount(&m, "vulns.critical"), Some(1.0));
    assert_eq!(amount(&m, "vulns.high"), Some(2.0));
    assert_eq!(amount(&m, "vulns.unknown"), Some(2.0));
    assert_eq!(
        amount(
            &one(Kind::Vulns, r#"{"results": []}"#).expect("reads"),
            "vulns.total"
        ),
        Some(0.0)
    );
    let bad =
        r#"{"results": [{"packages": [{"groups": [{"ids": ["A"], "max_severity": "11"}]}]}]}"#;
    let d = one(Kind::Vulns, bad).expect_err("bad");
    assert_eq!(d.code, Code::ReportInvalidValue);
    assert!(
        d.message
            .contains("/results/0/packages/0/groups/0/max_severity"),
        "{}",
        d.message
    );
}

#[test]
fn trivy_vulnerabilities_misconfigurations_and_secrets() {
    let text = r#"{"SchemaVersion": 2, "ArtifactName": ".", "Results": [
      {"Target": "go.sum", "Class": "lang-pkgs", "Vulnerabilities": [{"Severity": "CRITICAL"}, {"Severity": "LOW"}, {"Severity": "UNKNOWN"}]},
      {"Target": "Dockerfile", "Class": "config", "Misconfigurations": [{"Severity": "HIGH", "Status": "FAIL"}, {"Severity": "LOW", "Status": "PASS"}]}]}"#;
    let m = one(Kind::Vulns, text).expect("reads");
    assert_eq!(amount(&m, "vulns.total"), Some(3.0));
    assert_eq!(amount(&m, "vulns.unknown"), Some(1.0));
    assert_eq!(amount(&m, "vulns.misconfigurations"), Some(1.0));
    assert_eq!(amount(&m, "vulns.secrets"), None);
    assert_eq!(
        code(Kind::Vulns, r#"{"SchemaVersion": 3, "Results": []}"#),
        Code::ReportVersion
    );
    let d = one(
        Kind::Vulns,
        r#"{"SchemaVersion": 2, "Results": [{"Vulnerabilities": [{"Severity": "SEVERE"}]}]}"#,
    )
    .expect_err("bad");
    assert_eq!(d.code, Code::ReportInvalidValue);
    assert!(
        d.message.contains("/Results/0/Vulnerabilities/0/Severity"),
        "{}",
        d.message
    );
}

#[test]
fn vulnerability_reports_of_three_scanners_add_up() {
    let npm = read(
        Kind::Vulns,
        "a.json",
        r#"{"auditReportVersion": 2, "metadata": {"vulnerabilities": {"high": 2}}}"#,
        &Limits::default(),
    )
    .expect("npm");
    let trivy = read(Kind::Vulns, "b.json", r#"{"SchemaVersion": 2, "Results": [{"Class": "secret", "Secrets": [{"RuleID": "x"}]}, {"Vulnerabilities": [{"Severity": "HIGH"}]}]}"#, &Limits::default()).expect("trivy");
    assert_eq!(npm.format, ReportFormat::NpmAudit);
    assert_eq!(trivy.format, ReportFormat::Trivy);
    let mut e = Evidence::new();
    e.add(npm).expect("adds");
    e.add(trivy).expect("adds");
    let m = e.metrics();
    assert_eq!(amount(&m, "vulns.high"), Some(3.0));
    assert_eq!(amount(&m, "vulns.secrets"), Some(1.0));
    assert_eq!(m["vulns.high"].from.len(), 2);
}

#[test]
fn webpack_assets_chunks_and_children() {
    let text = r#"{"version": "5.97.1", "assetsByChunkName": {"main": ["main.js"]}, "assets": [
      {"name": "main.js", "size": 1000, "chunkNames": ["main"], "chunks": [1]},
      {"name": "main.js.map", "size": 5000, "chunkNames": ["main"], "chunks": [1]},
      {"name": "42.js", "size": 300, "chunkNames": [], "chunks": [42]},
      {"name": "logo.png", "size": 700}], "chunks": []}"#;
    let m = one(Kind::Bundle, text).expect("reads");
    assert_eq!(amount(&m, "bundle.total"), Some(2000.0));
    assert_eq!(amount(&m, "bundle.assets"), Some(3.0));
    assert_eq!(amount(&m, "bundle.largest_asset"), Some(1000.0));
    assert_eq!(amount(&m, "bundle.chunk.main"), Some(1000.0));
    assert_eq!(amount(&m, "bundle.chunk._42"), Some(300.0));
    assert_eq!(
        m["bundle.total"].value.raw(),
        RawValue::Text("2000B".into())
    );
    let multi = r#"{"version": "5.90.0", "children": [{"assets": [{"name": "a.js", "size": 10}]}, {"assets": [{"name": "b.js", "size": 20}]}]}"#;
    assert_eq!(
        amount(&one(Kind::Bundle, multi).expect("reads"), "bundle.total"),
        Some(30.0)
    );
    assert_eq!(
        code(Kind::Bundle, r#"{"version": "3.12.0", "assets": []}"#),
        Code::ReportVersion
    );
    assert_eq!(
        code(Kind::Bundle, r#"{"version": "5.1.0"}"#),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(
            Kind::Bundle,
            r#"{"assets": [{"name": "a", "size": -3}], "chunks": []}"#
        ),
        Code::ReportInvalidValue
    );
    assert_eq!(
        code(Kind::Bundle, r#"{"assets": [{"name": "a", "#),
        Code::ReportSyntax
    );
    assert_eq!(code(Kind::Vulns, text), Code::ReportWrongFormat);
}

use crate::metrics::MetricsInput;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// No reader panics on arbitrary text, and every failure carries a report code.
    #[test]
    fn readers_never_panic(text in "\\PC{0,300}", kind in 0usize..6) {
        let kind = Kind::ALL[kind];
        if let Err(d) = read(kind, "x", &text, &Limits::default()) {
            prop_assert!(matches!(d.code, Code::ReportSyntax | Code::ReportWrongFormat | Code::ReportVersion | Code::ReportInvalidValue | Code::ReportDtd | Code::ReportToolError | Code::TooLarge), "{:?}", d);
        }
    }

    /// Arbitrary text spliced into real-looking reports: no panic, and any failure is coded.
    #[test]
    fn readers_never_panic_on_damaged_reports(cut in 0usize..2000, insert in "\\PC{0,20}", which in 0usize..10) {
        let reports = [
            (Kind::Junit, r#"<testsuites><testsuite name="a" time="1"><testcase classname="c" name="n" time="0.1"><failure/></testcase><testcase name="m"/></testsuite></testsuites>"#),
            (Kind::Coverage, "TN:\nSF:a\nDA:1,1\nBRDA:1,0,0,1\nend_of_record\n"),
            (Kind::Sarif, SARIF),
            (Kind::Lighthouse, LIGHTHOUSE),
            (Kind::Coverage, r#"<report name="r"><package name="p"><sourcefile name="A.java"><line nr="1" mi="0" ci="3" mb="1" cb="1"/></sourcefile></package></report>"#),
            (Kind::Coverage, "mode: count\nexample.com/m/a.go:3.10,5.2 2 1\nexample.com/m/a.go:7.10,9.2 1 0\n"),
            (Kind::Vulns, r#"{"auditReportVersion": 2, "metadata": {"vulnerabilities": {"high": 2, "total": 2}}}"#),
            (Kind::Vulns, r#"{"results": [{"packages": [{"vulnerabilities": [{"id": "A", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}], "groups": [{"ids": ["A"], "max_severity": "9.8"}]}]}]}"#),
            (Kind::Vulns, r#"{"SchemaVersion": 2, "Results": [{"Class": "config", "Vulnerabilities": [{"Severity": "HIGH"}], "Misconfigurations": [{"Status": "FAIL"}]}]}"#),
            (Kind::Bundle, r#"{"version": "5.97.1", "assets": [{"name": "main.js", "size": 10, "chunkNames": ["main"], "chunks": [1]}], "chunks": []}"#),
        ];
        let (kind, text) = reports[which];
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let damaged = format!("{}{}{}", &text[..at], insert, &text[at..]);
        for text in [damaged.as_str(), &text[..at]] {
            if let Err(d) = read(kind, "x", text, &Limits::default()) {
                prop_assert!(matches!(d.code, Code::ReportSyntax | Code::ReportWrongFormat | Code::ReportVersion | Code::ReportInvalidValue | Code::ReportDtd | Code::ReportToolError | Code::TooLarge), "{:?}", d);
            }
        }
    }
}

/// Found by the `evidence` fuzz target: after a byte-order mark the XML reader's positions
/// fell inside it; every label of every kind now lies on character boundaries.
#[test]
fn labels_lie_on_character_boundaries_after_a_byte_order_mark() {
    for text in ["\u{feff}$", "\u{feff}<a", "é<", "\u{feff}SF:", "\u{feff}{"] {
        for &kind in Kind::ALL {
            if let Err(d) = read(kind, "f", text, &Limits::default()) {
                for l in &d.labels {
                    assert!(
                        l.end <= text.len()
                            && text.is_char_boundary(l.start)
                            && text.is_char_boundary(l.end),
                        "{kind:?} {text:?}: {d:?}"
                    );
                }
            }
        }
    }
}

/// A JaCoCo report cannot make kiro keep more branches than it has bytes: many lines each
/// claiming the most branches a line may have are refused, never expanded.
#[test]
fn jacoco_branches_are_bounded_by_the_text() {
    let mut text = String::from(r#"<report name="r"><package name="p"><sourcefile name="A.java">"#);
    for nr in 1..100 {
        text.push_str(&format!(r#"<line nr="{nr}" ci="1" mb="60000" cb="0"/>"#));
    }
    text.push_str("</sourcefile></package></report>");
    assert_eq!(code(Kind::Coverage, &text), Code::ReportInvalidValue);
}

/// OSV-Scanner is written in Go, which writes empty lists as `null`.
#[test]
fn osv_lists_written_as_null() {
    let text = r#"{"results": [{"source": {"path": "go.mod", "type": "lockfile"}, "packages": [
      {"package": {"name": "x"}, "vulnerabilities": [{"id": "A", "aliases": null, "severity": null, "database_specific": {"severity": "HIGH"}}], "groups": null},
      {"package": {"name": "y"}, "vulnerabilities": null, "groups": [{"ids": null, "max_severity": "9.1"}]}]},
      {"source": {"path": "b"}, "packages": null}]}"#;
    let m = one(Kind::Vulns, text).expect("reads");
    assert_eq!(amount(&m, "vulns.high"), Some(1.0));
    assert_eq!(amount(&m, "vulns.critical"), Some(1.0));
    let m = one(Kind::Vulns, r#"{"results": null}"#).expect("reads");
    assert_eq!(amount(&m, "vulns.total"), Some(0.0));
}
