//! JUnit XML test reports, in the dialects real tools write.
//!
//! Counted from the `<testcase>` elements, not from the suites' summary attributes (which tools
//! fill in differently, and a truncated report would contradict): a test case with a
//! `<failure>` child failed, with an `<error>` child errored (an error wins over a failure),
//! with a `<skipped>` child (or googletest's `status="notrun"`) was skipped, and otherwise
//! passed. Suites may nest (`<testsuites>` → `<testsuite>` → `<testsuite>`); a test case
//! belongs to its innermost suite.
//!
//! Reruns, as the tools write them:
//! - Maven Surefire and cargo-nextest: a test that failed and then passed has `<flakyFailure>`
//!   or `<flakyError>` children and no `<failure>`: it passed and is *flaky*; one that failed
//!   every attempt has `<failure>` and `<rerunFailure>` children: it failed.
//! - gotestsum `--rerun-fails`: every attempt is its own `<testcase>` with the same suite,
//!   `classname` and `name`: the last attempt decides; a test whose last attempt passed after an
//!   earlier one did not is flaky.
//!
//! A suite with no test cases and no nested suites (a summary-only report) is counted from its
//! `tests`, `failures`, `errors` and `skipped` (or `disabled`) attributes.
//!
//! Durations: a suite's duration is the sum of its test cases' times (every attempt); the
//! report's is the sum of its outermost suites' `time` attributes (a suite without one counts
//! what it holds), so that suites run in parallel are not counted twice.

use super::name::metric_key;
use super::value::{Unit, Value};
use super::xml::{Xml, XmlReader};
use super::{Limits, MetricOut};
use crate::diagnostic::{Code, Diagnostic, Span};
use quick_xml::events::BytesStart;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

/// Test counts of a report, a suite, or several reports merged.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Counts {
    /// Test cases run or skipped.
    pub total: u64,
    /// Passed (flaky ones included).
    pub passed: u64,
    /// Failed (an assertion).
    pub failed: u64,
    /// Errored (the test could not run to its end).
    pub errors: u64,
    /// Skipped.
    pub skipped: u64,
    /// Passed only after failing at least once.
    pub flaky: u64,
    /// Time taken, in seconds.
    pub seconds: f64,
}

impl Counts {
    /// Adds `other` to these counts.
    pub(super) fn add(&mut self, other: &Counts) {
        self.total = self.total.saturating_add(other.total);
        self.passed = self.passed.saturating_add(other.passed);
        self.failed = self.failed.saturating_add(other.failed);
        self.errors = self.errors.saturating_add(other.errors);
        self.skipped = self.skipped.saturating_add(other.skipped);
        self.flaky = self.flaky.saturating_add(other.flaky);
        self.seconds += other.seconds;
    }

    fn count(&mut self, outcome: Outcome, flaky: bool) {
        self.total += 1;
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Errored => self.errors += 1,
            Outcome::Skipped => self.skipped += 1,
        }
        if flaky {
            self.flaky += 1;
        }
    }

    /// The metrics of these counts under `prefix` (`tests` or `tests.suite.NAME`).
    pub(super) fn metrics(&self, prefix: &str, span: Span, out: &mut Vec<MetricOut>) {
        let mut put = |name: &str, value: Value| {
            out.push(MetricOut::at(format!("{prefix}.{name}"), value, span));
        };
        put("total", Value::count(self.total));
        put("passed", Value::count(self.passed));
        put("failed", Value::count(self.failed));
        put("errors", Value::count(self.errors));
        put("skipped", Value::count(self.skipped));
        put("flaky", Value::count(self.flaky));
        put(
            "pass_rate",
            Value::percent_of(self.passed, self.total.saturating_sub(self.skipped)),
        );
        put("duration", Value::new(Some(self.seconds), Unit::Seconds));
    }
}

/// A suite's counts and where the suite was first seen.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Suite {
    /// The counts.
    pub counts: Counts,
    /// The start tag of its first `<testsuite>` element in the report.
    pub span: Span,
}

/// What a JUnit report (or several, merged) says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Tests {
    /// Over every suite.
    pub all: Counts,
    /// By suite name (as a metric name part).
    pub suites: BTreeMap<String, Suite>,
    /// The report's root element.
    pub root: Span,
}

impl Tests {
    /// Adds another report's counts.
    pub(super) fn merge(&mut self, other: Tests) {
        self.all.add(&other.all);
        for (name, suite) in other.suites {
            match self.suites.entry(name) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(suite);
                }
                std::collections::btree_map::Entry::Occupied(mut o) => {
                    o.get_mut().counts.add(&suite.counts);
                }
            }
        }
    }

    /// The metrics: `tests.*` and `tests.suite.NAME.*`.
    pub(super) fn metrics(&self, out: &mut Vec<MetricOut>) {
        self.all.metrics("tests", self.root, out);
        for (name, suite) in &self.suites {
            suite
                .counts
                .metrics(&format!("tests.suite.{name}"), suite.span, out);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Errored,
    Skipped,
}

/// One test case, after reruns.
struct Case {
    suite: usize,
    outcome: Outcome,
    flaky: bool,
    seconds: f64,
}

/// A `<testsuite>` being read.
struct Frame {
    suite: usize,
    depth: usize,
    time: Option<f64>,
    cases_seconds: f64,
    /// Whether it holds test cases or suites, directly or deeper.
    has_content: bool,
    summary: Option<Counts>,
}

/// Reads a JUnit XML report.
///
/// # Errors
/// As [`XmlReader::next`]; [`Code::ReportWrongFormat`] when the root is not `<testsuites>` or
/// `<testsuite>`; [`Code::ReportInvalidValue`] for a `time` or count that is not a number.
pub(super) fn read(text: &str, file: &str, limits: &Limits) -> Result<Tests, Diagnostic> {
    let mut xml = XmlReader::new(text, file, limits);
    let mut reader = Reader {
        suite_names: Vec::new(),
        suite_index: FxHashMap::default(),
        suite_spans: Vec::new(),
        frames: Vec::new(),
        cases: Vec::new(),
        attempts: FxHashMap::default(),
        summaries: Vec::new(),
        outer_seconds: 0.0,
    };
    let root = loop {
        match xml.next()? {
            Xml::Open(start, span) | Xml::Leaf(start, span) => {
                let name = XmlReader::name(&start);
                if name != b"testsuites" && name != b"testsuite" {
                    return Err(xml.error(
                        Code::ReportWrongFormat,
                        format!(
                            "a JUnit report starts with `<testsuites>` or `<testsuite>`, not `<{}>`",
                            String::from_utf8_lossy(name)
                        ),
                        span,
                        "not a JUnit root element",
                    ));
                }
                let leaf = xml.depth() == 0;
                if name == b"testsuite" {
                    reader.open_suite(&xml, &start, span, 1)?;
                    if leaf {
                        reader.close_suite();
                    }
                }
                break span;
            }
            Xml::Close | Xml::End => {}
        }
    };
    loop {
        match xml.next()? {
            Xml::Open(start, span) => match XmlReader::name(&start) {
                b"testsuite" => reader.open_suite(&xml, &start, span, xml.depth())?,
                b"testcase" => {
                    let depth = xml.depth();
                    reader.case(&mut xml, &start, span, Some(depth))?;
                }
                _ => {}
            },
            Xml::Leaf(start, span) => match XmlReader::name(&start) {
                b"testsuite" => {
                    reader.open_suite(&xml, &start, span, xml.depth() + 1)?;
                    reader.close_suite();
                }
                b"testcase" => reader.case(&mut xml, &start, span, None)?,
                _ => {}
            },
            Xml::Close => {
                if reader
                    .frames
                    .last()
                    .is_some_and(|frame| xml.depth() < frame.depth)
                {
                    reader.close_suite();
                }
            }
            Xml::End => break,
        }
    }
    Ok(reader.finish(root))
}

struct Reader {
    suite_names: Vec<String>,
    suite_index: FxHashMap<String, usize>,
    suite_spans: Vec<Span>,
    frames: Vec<Frame>,
    cases: Vec<Case>,
    /// Index into `cases` by suite, classname and name: a repeated test case is a rerun.
    attempts: FxHashMap<(usize, String, String), usize>,
    summaries: Vec<(usize, Counts)>,
    outer_seconds: f64,
}

impl Reader {
    fn open_suite(
        &mut self,
        xml: &XmlReader<'_>,
        start: &BytesStart<'_>,
        span: Span,
        depth: usize,
    ) -> Result<(), Diagnostic> {
        let name = xml.attr(start, span, b"name")?;
        let key = metric_key(name.as_deref().unwrap_or(""), "unnamed");
        let suite = match self.suite_index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.suite_names.len();
                self.suite_index.insert(key.clone(), i);
                self.suite_names.push(key);
                self.suite_spans.push(span);
                i
            }
        };
        let time = seconds(xml, start, span)?;
        let summary = if xml.attr(start, span, b"tests")?.is_some() {
            let tests = count(xml, start, span, b"tests")?;
            let failed = count(xml, start, span, b"failures")?;
            let errors = count(xml, start, span, b"errors")?;
            let skipped = count(xml, start, span, b"skipped")?.saturating_add(count(
                xml,
                start,
                span,
                b"disabled",
            )?);
            let not_passed = failed.saturating_add(errors).saturating_add(skipped);
            let Some(passed) = tests.checked_sub(not_passed) else {
                return Err(xml.error(
                    Code::ReportInvalidValue,
                    format!(
                        "the suite counts {tests} tests but {not_passed} that failed, errored or were skipped"
                    ),
                    span,
                    "inconsistent counts",
                ));
            };
            Some(Counts {
                total: tests,
                passed,
                failed,
                errors,
                skipped,
                flaky: 0,
                seconds: time.unwrap_or(0.0),
            })
        } else {
            None
        };
        if let Some(parent) = self.frames.last_mut() {
            parent.has_content = true;
        }
        self.frames.push(Frame {
            suite,
            depth,
            time,
            cases_seconds: 0.0,
            has_content: false,
            summary,
        });
        Ok(())
    }

    fn close_suite(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if !frame.has_content
            && let Some(summary) = frame.summary
        {
            self.summaries.push((frame.suite, summary));
        }
        let seconds = frame.time.unwrap_or(frame.cases_seconds);
        match self.frames.last_mut() {
            // A nested suite's time is part of its parent's when the parent has none.
            Some(parent) => parent.cases_seconds += seconds,
            None => self.outer_seconds += seconds,
        }
    }

    /// Reads a `<testcase>` whose start tag was just read; `depth` is `None` for `<testcase/>`.
    fn case(
        &mut self,
        xml: &mut XmlReader<'_>,
        start: &BytesStart<'_>,
        span: Span,
        depth: Option<usize>,
    ) -> Result<(), Diagnostic> {
        let seconds = seconds(xml, start, span)?.unwrap_or(0.0);
        let classname = xml
            .attr(start, span, b"classname")?
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        let name = xml
            .attr(start, span, b"name")?
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        let not_run = xml
            .attr(start, span, b"status")?
            .is_some_and(|s| s == "notrun");
        let (mut failed, mut errored, mut skipped, mut retried) = (false, false, not_run, false);
        if let Some(depth) = depth {
            loop {
                match xml.next()? {
                    Xml::Open(child, _) | Xml::Leaf(child, _) => match XmlReader::name(&child) {
                        b"failure" => failed = true,
                        b"error" => errored = true,
                        b"skipped" => skipped = true,
                        b"flakyFailure" | b"flakyError" | b"rerunFailure" | b"rerunError" => {
                            retried = true;
                        }
                        _ => {}
                    },
                    Xml::Close if xml.depth() < depth => break,
                    Xml::End => break,
                    Xml::Close => {}
                }
            }
        }
        let outcome = if errored {
            Outcome::Errored
        } else if failed {
            Outcome::Failed
        } else if skipped {
            Outcome::Skipped
        } else {
            Outcome::Passed
        };
        let flaky = retried && outcome == Outcome::Passed;
        let suite = match self.frames.last_mut() {
            Some(frame) => {
                frame.has_content = true;
                frame.cases_seconds += seconds;
                frame.suite
            }
            None => {
                // A test case outside any suite (a `<testsuites>` holding cases directly).
                self.outer_seconds += seconds;
                self.suite_of_root(span)
            }
        };
        let case = Case {
            suite,
            outcome,
            flaky,
            seconds,
        };
        match self.attempts.entry((suite, classname, name)) {
            Entry::Vacant(v) => {
                v.insert(self.cases.len());
                self.cases.push(case);
            }
            Entry::Occupied(o) => {
                if let Some(earlier) = self.cases.get_mut(*o.get()) {
                    let flaky = case.flaky
                        || earlier.flaky
                        || (outcome == Outcome::Passed && earlier.outcome != Outcome::Passed);
                    *earlier = Case {
                        flaky,
                        seconds: earlier.seconds + case.seconds,
                        ..case
                    };
                }
            }
        }
        Ok(())
    }

    /// The suite of test cases outside any `<testsuite>`: named `unnamed`.
    fn suite_of_root(&mut self, span: Span) -> usize {
        let key = "unnamed".to_owned();
        if let Some(&i) = self.suite_index.get(&key) {
            return i;
        }
        let i = self.suite_names.len();
        self.suite_index.insert(key.clone(), i);
        self.suite_names.push(key);
        self.suite_spans.push(span);
        i
    }

    fn finish(mut self, root: Span) -> Tests {
        while !self.frames.is_empty() {
            self.close_suite();
        }
        let mut by_suite = vec![Counts::default(); self.suite_names.len()];
        for case in &self.cases {
            if let Some(counts) = by_suite.get_mut(case.suite) {
                counts.count(case.outcome, case.flaky);
                counts.seconds += case.seconds;
            }
        }
        for (suite, summary) in &self.summaries {
            if let Some(counts) = by_suite.get_mut(*suite) {
                counts.add(summary);
            }
        }
        let mut all = Counts::default();
        let mut suites = BTreeMap::new();
        for ((name, counts), span) in self
            .suite_names
            .into_iter()
            .zip(by_suite)
            .zip(self.suite_spans)
        {
            all.add(&counts);
            suites.insert(name, Suite { counts, span });
        }
        all.seconds = self.outer_seconds;
        Tests { all, suites, root }
    }
}

/// The `time` attribute in seconds, if present and not empty.
fn seconds(
    xml: &XmlReader<'_>,
    start: &BytesStart<'_>,
    span: Span,
) -> Result<Option<f64>, Diagnostic> {
    let Some(text) = xml.attr(start, span, b"time")? else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(xml
            .error(
                Code::ReportInvalidValue,
                format!("`time=\"{text}\"` is not a duration in seconds"),
                span,
                "in this tag",
            )
            .with_help("JUnit times are decimal seconds such as `0.125`")),
    }
}

/// A count attribute; absent or empty is zero.
fn count(
    xml: &XmlReader<'_>,
    start: &BytesStart<'_>,
    span: Span,
    key: &[u8],
) -> Result<u64, Diagnostic> {
    let Some(text) = xml.attr(start, span, key)? else {
        return Ok(0);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse::<u64>().map_err(|_| {
        xml.error(
            Code::ReportInvalidValue,
            format!(
                "`{}=\"{text}\"` is not a count",
                String::from_utf8_lossy(key)
            ),
            span,
            "in this tag",
        )
    })
}
