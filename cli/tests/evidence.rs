//! `kiro check --junit/--coverage/--sarif/--lighthouse/--vulns/--bundle` and `kiro evidence` end to
//! end, on the real reports in `tests/fixtures/evidence/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const POLICY: &str = "tests/fixtures/evidence/kiro.yaml";
const FIXTURES: &str = "tests/fixtures/evidence";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn kiro(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiro"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the kiro binary runs")
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    let parsed = serde_json::from_slice(&out.stdout);
    assert!(
        parsed.is_ok(),
        "not JSON: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
    parsed.unwrap_or_default()
}

/// A scratch folder for files a test writes.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiro-cli-evidence-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn check_reads_every_kind_of_report_with_globs() {
    let junit = fixture("junit/*.xml");
    let coverage = fixture("coverage/coverage.py.lcov");
    let sarif = fixture("sarif/eslint-matched.sarif");
    let lighthouse = fixture("lighthouse/lighthouse.json");
    let out = kiro(&[
        "check",
        POLICY,
        "--format",
        "json",
        "--junit",
        &junit,
        "--coverage",
        &coverage,
        "--sarif",
        &sarif,
        "--lighthouse",
        &lighthouse,
    ]);
    // Three failed tests and two new ESLint errors: the gate fails (exit 1).
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let decision = json(&out);
    let criteria = &decision["gates"][0]["criteria"];
    let outcome = |name: &str| {
        criteria
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == name))
            .map(|c| c["outcome"].clone())
    };
    assert_eq!(outcome("tests-pass"), Some("warn".into()));
    assert_eq!(outcome("coverage"), Some("pass".into()));
    assert_eq!(outcome("no-new-errors"), Some("fail".into()));
    assert_eq!(outcome("web-vitals"), Some("pass".into()));
}

#[test]
fn metric_overrides_win_over_reports() {
    let out = kiro(&[
        "check",
        POLICY,
        "--junit",
        &fixture("junit/nextest.xml"),
        "--metric",
        "tests.failed=0",
        "--metric",
        "findings.new.error=0",
        "--coverage",
        &fixture("coverage/istanbul-lcov.info"),
        "--lighthouse",
        &fixture("lighthouse/lighthouse.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn evidence_prints_metrics_with_provenance() {
    let out = kiro(&[
        "evidence",
        "--junit",
        &fixture("junit/pytest.xml"),
        "--junit",
        &fixture("junit/*.xml"),
        "--coverage",
        &fixture("coverage/coverage.py.xml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json(&out);
    // pytest.xml named twice (by path and by the glob) is read once.
    let reports: Vec<&str> = json["reports"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["file"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        reports,
        [
            "tests/fixtures/evidence/junit/pytest.xml",
            "tests/fixtures/evidence/junit/jest-junit.xml",
            "tests/fixtures/evidence/junit/nextest.xml",
            "tests/fixtures/evidence/coverage/coverage.py.xml",
        ]
    );
    assert_eq!(json["metrics"]["tests.total"]["value"], 19.0);
    assert_eq!(json["metrics"]["tests.total"]["from"][0]["value"], 9.0);
    assert_eq!(json["metrics"]["coverage.lines_covered"]["value"], 11.0);
}

#[test]
fn a_report_passed_with_the_wrong_flag() {
    let out = kiro(&[
        "check",
        POLICY,
        "--junit",
        &fixture("lighthouse/lighthouse.json"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("error[KIRO-E071]: this is a Lighthouse report, not a JUnit XML test report"),
        "{err}"
    );
    assert!(err.contains("pass it with `--lighthouse`"), "{err}");
}

#[test]
fn a_glob_that_matches_nothing() {
    let out = kiro(&["check", POLICY, "--sarif", "no/such/*.sarif"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("error[KIRO-E076]: no file matches `no/such/*.sarif` (--sarif)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn malformed_and_truncated_reports_are_shown_in_place() {
    let dir = scratch("malformed");
    let bad = dir.join("bad.xml");
    std::fs::write(&bad, "<testsuites>\n  <testsuite name=\"a\">\n    <testcase name=\"x\" time=\"1,5\"/>\n  </testsuite>\n</testsuites>\n").expect("write");
    let out = kiro(&["check", POLICY, "--junit", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error[KIRO-E073]: `time=\"1,5\"` is not a duration in seconds (line 3, column 5)"
        ),
        "{err}"
    );
    assert!(err.contains("bad.xml:3:5"), "{err}");

    let cut = dir.join("cut.info");
    let lcov = std::fs::read_to_string(root().join(fixture("coverage/coverage.py.lcov")))
        .expect("fixture");
    // Cut at the start of a line: every line read is well-formed, the record is not ended.
    let at = lcov.find("BRDA:").unwrap_or(lcov.len() / 2);
    std::fs::write(&cut, &lcov[..at]).expect("write");
    let out = kiro(&["check", POLICY, "--coverage", &cut.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("error[KIRO-E070]: the record of `shipping.py` has no `end_of_record`: the file is truncated"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_metric_from_a_report_and_the_metrics_file_conflicts() {
    let dir = scratch("conflict");
    let metrics = dir.join("metrics.json");
    std::fs::write(&metrics, r#"{"tests": {"failed": 0}}"#).expect("write");
    let out = kiro(&[
        "check",
        POLICY,
        "--metrics",
        &metrics.to_string_lossy(),
        "--junit",
        &fixture("junit/pytest.xml"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("error[KIRO-E074]: metric `tests.failed` is given by the metrics input and by report `tests/fixtures/evidence/junit/pytest.xml`"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn two_lighthouse_reports_that_disagree_conflict() {
    let dir = scratch("lighthouse");
    let text = std::fs::read_to_string(root().join(fixture("lighthouse/lighthouse.json")))
        .expect("fixture");
    let other = dir.join("other.json");
    std::fs::write(
        &other,
        text.replace("\"numericValue\": 1824.6771,", "\"numericValue\": 2999,"),
    )
    .expect("write");
    let out = kiro(&[
        "check",
        POLICY,
        "--lighthouse",
        &fixture("lighthouse/lighthouse.json"),
        "--lighthouse",
        &other.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("error[KIRO-E074]: metric `lighthouse.lcp` is 1824.6771ms in"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_count_for_a_percentage_metric_is_refused() {
    let dir = scratch("unit");
    let policy = dir.join("kiro.yaml");
    let text = std::fs::read_to_string(root().join(POLICY)).expect("policy");
    std::fs::write(
        &policy,
        text.replace("tests.failed: {unit: count}", "tests.failed: {unit: \"%\"}"),
    )
    .expect("write");
    let out = kiro(&[
        "check",
        &policy.to_string_lossy(),
        "--junit",
        &fixture("junit/pytest.xml"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("error[KIRO-E022]: metric `tests.failed` is declared as a percentage, but report `tests/fixtures/evidence/junit/pytest.xml` gives a plain number"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn evidence_reads_vulnerability_bundle_and_go_coverage_reports() {
    let out = kiro(&[
        "evidence",
        "--vulns",
        &fixture("vulns/npm-audit-v2.json"),
        "--vulns",
        &fixture("vulns/trivy.json"),
        "--bundle",
        &fixture("bundle/webpack-stats.json"),
        "--coverage",
        &fixture("coverage/go.cover"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = json(&out);
    let formats: Vec<&str> = json["reports"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["format"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(formats, ["gocover", "npm-audit", "trivy", "webpack"]);
    assert_eq!(json["metrics"]["vulns.critical"]["value"], 4.0);
    assert_eq!(
        json["metrics"]["vulns.critical"]["from"][1]["pointer"],
        "/Results"
    );
    assert_eq!(json["metrics"]["bundle.total"]["unit"], "B");
    assert_eq!(json["metrics"]["bundle.total"]["value"], 3170.0);
    assert_eq!(json["metrics"]["coverage.statements_covered"]["value"], 8.0);
}

#[test]
fn npm_audit_that_failed_is_a_coded_error_naming_the_file() {
    let out = kiro(&[
        "evidence",
        "--vulns",
        &fixture("vulns/npm-audit-error.json"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("error[KIRO-E140]: npm audit failed"), "{err}");
    assert!(err.contains("npm-audit-error.json"), "{err}");
    let out = kiro(&["evidence", "--bundle", &fixture("vulns/trivy.json")]);
    let err = stderr(&out);
    assert!(
        err.contains("error[KIRO-E071]: this is a Trivy report, not webpack stats"),
        "{err}"
    );
    assert!(err.contains("pass it with `--vulns`"), "{err}");
}

#[test]
fn metrics_a_policy_does_not_declare_are_not_warned_about() {
    // The policy declares a handful; the reports give every suite, package and chunk.
    let out = kiro(&[
        "check",
        POLICY,
        "--junit",
        &fixture("junit/pytest.xml"),
        "--coverage",
        &fixture("coverage/jacoco.xml"),
        "--vulns",
        &fixture("vulns/trivy.json"),
        "--bundle",
        &fixture("bundle/webpack-stats.json"),
    ]);
    let err = stderr(&out);
    assert!(!err.contains("KIRO-E011"), "{err}");
}
