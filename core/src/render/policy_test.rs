//! Policy test results (`kiro test`): a line per case with the diff of a failed one, as text;
//! a suite per test file, as JUnit XML; the reports themselves, as JSON.

use super::xml::{attr, text};
use crate::policytest::{CaseReport, PolicyTestReport};
use serde::Serialize;
use std::fmt::Write as _;

/// The results of one test file, named as the host names it (its path).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TestFileResults<'a> {
    /// The test file.
    pub file: &'a str,
    /// Its results.
    #[serde(flatten)]
    pub report: &'a PolicyTestReport,
}

/// How many cases passed and failed over all files.
fn totals(files: &[TestFileResults<'_>]) -> (usize, usize) {
    files.iter().fold((0, 0), |(p, f), r| {
        (p + r.report.passed, f + r.report.failed)
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// One line per case (`ok    FILE: NAME`, `FAIL  FILE: NAME`), under a failed case each
/// mismatch as expected against got with the decision's explanation, then what the policy
/// answered; and a summary line. With `color`, `ok` is green and `FAIL` red.
#[must_use]
pub fn policy_tests_human(files: &[TestFileResults<'_>], color: bool) -> String {
    let paint = |style: &str, s: &str| {
        if color {
            format!("\x1b[{style}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    for file in files {
        for case in &file.report.cases {
            if case.passed {
                let _ = writeln!(out, "{}    {}: {}", paint("32", "ok"), file.file, case.name);
            } else {
                let _ = writeln!(
                    out,
                    "{}  {}: {}",
                    paint("1;31", "FAIL"),
                    file.file,
                    case.name
                );
                diff(&mut out, case, &paint);
            }
        }
    }
    let (passed, failed) = totals(files);
    let _ = writeln!(
        out,
        "\n{passed} passed, {failed} failed ({} in {})",
        plural(passed + failed, "case", "cases"),
        plural(files.len(), "file", "files")
    );
    out
}

/// The mismatches of a failed case, and what the policy answered.
fn diff(out: &mut String, case: &CaseReport, paint: &dyn Fn(&str, &str) -> String) {
    for m in &case.mismatches {
        let _ = writeln!(out, "      {}", m.path);
        let _ = writeln!(out, "        {} {}", paint("32", "- expected:"), m.expected);
        let _ = writeln!(out, "        {} {}", paint("31", "+ got:     "), m.got);
        if let Some(why) = &m.explanation {
            let _ = writeln!(out, "          {why}");
        }
    }
    // An error mismatch already shows the answer.
    if !case.mismatches.iter().any(|m| m.path == "error") {
        let _ = writeln!(out, "      answer: {}", case.got);
    }
}

/// JUnit XML: a `<testsuite>` per test file, a `<testcase>` per case, a failed case with a
/// `<failure>` holding its diff. No timestamps, so the same results give the same XML.
#[must_use]
pub fn policy_tests_junit(files: &[TestFileResults<'_>]) -> String {
    let (passed, failed) = totals(files);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"kiro test\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
        passed + failed
    );
    for file in files {
        let r = file.report;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            attr(file.file),
            r.cases.len(),
            r.failed
        );
        let _ = writeln!(
            out,
            "    <properties>\n      <property name=\"policy\" value=\"{}\"/>\n    </properties>",
            attr(&r.policy)
        );
        for case in &r.cases {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                attr(&case.name),
                attr(file.file)
            );
            if case.passed {
                let _ = writeln!(out, "{open}/>");
                continue;
            }
            let mut body = String::new();
            diff(&mut body, case, &|_, s| s.to_owned());
            let message = case.mismatches.first().map_or_else(String::new, |m| {
                format!("{}: expected {}, got {}", m.path, m.expected, m.got)
            });
            let _ = writeln!(
                out,
                "{open}>\n      <failure message=\"{}\" type=\"mismatch\">{}</failure>\n    </testcase>",
                attr(&message),
                text(&body)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The results as JSON: `{"passed", "failed", "files": [{"file", "policy", "passed",
/// "failed", "cases"}]}`, pretty-printed with a final line break.
#[must_use]
pub fn policy_tests_json(files: &[TestFileResults<'_>]) -> String {
    #[derive(Serialize)]
    struct All<'a> {
        passed: usize,
        failed: usize,
        files: &'a [TestFileResults<'a>],
    }
    let (passed, failed) = totals(files);
    let mut json = serde_json::to_string_pretty(&All {
        passed,
        failed,
        files,
    })
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}
