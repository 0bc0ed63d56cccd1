use super::*;
use crate::diagnostic::Code;

const POLICY: &str = r#"
name: shop
metrics:
  coverage: {unit: "%"}
  p95_latency: {unit: ms}
  flaky_tests: {unit: count}
gates:
  - name: quality
    kind: pre-merge
    criteria:
      - {name: coverage, pass: coverage >= 80%}
      - {name: flaky, pass: flaky_tests == 0, informational: true}
  - name: runtime
    kind: post-deploy
    criteria:
      - {name: latency, pass: p95_latency < 500ms, warn: p95_latency < 800ms}
"#;

fn run(test: &str) -> Result<PolicyTestReport, TestRunError> {
    run_policy_tests(test, POLICY, None)
}

fn codes(e: &TestRunError) -> Vec<&'static str> {
    let TestRunError::Test(e) = e else {
        unreachable!("{e:?}")
    };
    e.diagnostics().iter().map(|d| d.code.as_str()).collect()
}

use crate::error::KiroError;

#[test]
fn passing_and_failing_cases_are_results() {
    let report = run(r#"
policy: kiro.yaml
cases:
  - name: green
    metrics: {coverage: 91, p95_latency: 300, flaky_tests: 2}
    expect:
      verdict: pass
      gates:
        quality: {verdict: pass, criteria: {coverage: pass, flaky: fail}}
        runtime: pass
  - name: slow is a warning
    metrics: {coverage: 91}
    overrides: ["p95_latency=600ms"]
    expect: {verdict: fail, gates: {runtime: {criteria: {latency: fail}}}}
  - name: a bad unit is refused
    metrics: {coverage: 3s}
    expect: {error: KIRO-E022}
"#)
    .unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!((report.passed, report.failed), (2, 1));
    let failed = &report.cases[1];
    assert!(!failed.passed);
    assert_eq!(failed.mismatches.len(), 2, "{failed:?}");
    assert_eq!(failed.mismatches[0].path, "verdict");
    assert_eq!(failed.mismatches[0].expected, "fail");
    assert_eq!(failed.mismatches[0].got, "warn");
    assert_eq!(failed.mismatches[1].path, "gates.runtime.criteria.latency");
    assert_eq!(
        failed.mismatches[1].explanation.as_deref(),
        Some(
            "p95_latency 600ms >= 500ms (needs -100ms); warn condition holds: p95_latency 600ms < 800ms"
        )
    );
    assert_eq!(failed.got, "warn: 1 of 2 gates warned (`runtime`)");
}

#[test]
fn an_error_where_a_verdict_is_expected_fails_the_case() {
    let report = run(r#"
policy: kiro.yaml
cases:
  - name: x
    metrics: {coverage: 3s}
    expect: {verdict: pass}
  - name: y
    metrics: {coverage: 90}
    expect: {error: KIRO-E022}
"#)
    .unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!(report.failed, 2);
    assert_eq!(report.cases[0].mismatches[0].expected, "no error");
    assert!(report.cases[0].mismatches[0].got.starts_with("KIRO-E022: "));
    assert!(
        report.cases[1].mismatches[0]
            .got
            .starts_with("no error: fail: ")
    );
}

#[test]
fn unknown_names_are_coded_errors_with_did_you_mean() {
    let test = r#"
policy: kiro.yaml
cases:
  - name: x
    gate: qualty
    metrics: {coverag: 90}
    overrides: ["p95_latncy=3ms"]
    expect:
      gates:
        runtime: {criteria: {latncy: pass}}
"#;
    let e = run(test).err().unwrap_or_else(|| unreachable!());
    assert_eq!(codes(&e), ["KIRO-E177"; 4]);
    let TestRunError::Test(e) = e else {
        unreachable!()
    };
    let d = &e.diagnostics()[0];
    assert_eq!(d.message, "policy `shop` has no gate `qualty`");
    assert_eq!(d.help.as_deref(), Some("did you mean `quality`?"));
    let label = &d.labels[0];
    assert_eq!(&test[label.start..label.end], "qualty");
    let under: Vec<&str> = e
        .diagnostics()
        .iter()
        .map(|d| &test[d.labels[0].start..d.labels[0].end])
        .collect();
    assert_eq!(under, ["qualty", "latncy", "coverag", "p95_latncy"]);
}

#[test]
fn malformed_test_files_are_coded_errors_pointing_into_the_file() {
    for (test, under) in [
        ("cases: []\n", vec!["cases: []", "[]"]),
        (
            "policy: p.yaml\ncases:\n  - name: a\n    metric: {}\n    expect: {verdict: pass}\n",
            vec!["metric"],
        ),
        ("policy: p.yaml\ncases:\n  - name: a\n", vec!["a"]),
        (
            "policy: p.yaml\ncases:\n  - name: a\n    expect: {verdict: maybe}\n",
            vec!["maybe"],
        ),
        (
            "policy: p.yaml\ncases:\n  - name: a\n    expect: {error: E22}\n",
            vec!["E22"],
        ),
        (
            "policy: p.yaml\ncases:\n  - name: a\n    kind: pre-merg\n    expect: {verdict: pass}\n",
            vec!["pre-merg"],
        ),
        (
            "policy: p.yaml\ncases:\n  - name: a\n    expect: {verdict: pass}\n  - name: a\n    expect: {verdict: pass}\n",
            vec!["a"],
        ),
    ] {
        let e = PolicyTestFile::parse(test)
            .err()
            .unwrap_or_else(|| unreachable!("{test}"));
        let seen: Vec<&str> = e
            .diagnostics()
            .iter()
            .inspect(|d| assert_eq!(d.code, Code::InvalidPolicyTest, "{test}: {d}"))
            .map(|d| &test[d.labels[0].start..d.labels[0].end])
            .collect();
        assert_eq!(seen.len(), under.len(), "{test}: {seen:?}");
        for (s, u) in seen.iter().zip(&under) {
            assert!(s.trim_end() == *u || s.starts_with(u), "{test}: {seen:?}");
        }
    }
}

#[test]
fn a_policy_that_does_not_compile_is_its_own_error() {
    let e = run_policy_tests(
        "policy: p.yaml\ncases:\n  - name: a\n    expect: {verdict: pass}\n",
        "name: x\ngates: 3\n",
        None,
    )
    .err()
    .unwrap_or_else(|| unreachable!());
    assert!(matches!(e, TestRunError::Policy(_)), "{e:?}");
}

#[test]
fn the_json_boundary_answers_a_report_or_a_located_error() {
    let answer = crate::api::policy_test_json(serde_json::json!({
        "test": "policy: p.yaml\ncases:\n  - name: a\n    metrics: {coverage: 91}\n    expect: {gates: {quality: pass}}\n",
        "policy": POLICY,
    }));
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["value"]["passed"], 1, "{answer}");
    // `é` is two bytes, one UTF-16 unit: the label of `qualty` is located in UTF-16.
    let answer = crate::api::policy_test_json(serde_json::json!({
        "test": "# é\npolicy: p.yaml\ncases:\n  - name: a\n    expect: {gates: {qualty: pass}}\n",
        "policy": POLICY,
        "offsets": "utf16",
    }));
    assert_eq!(answer["ok"], false, "{answer}");
    let d = &answer["error"]["diagnostics"][0];
    assert_eq!(d["code"], "KIRO-E177", "{answer}");
    assert_eq!(d["labels"][0]["start"], 59, "{answer}");
}
