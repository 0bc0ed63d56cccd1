//! Policy tests: test files beside a policy, each case an input and what the policy must
//! answer for it, the way `opa test` and `conftest verify` test policies before they gate
//! anything. `docs/testing-policies.md` is the reference.
//!
//! ```yaml
//! policy: kiro.yaml                 # the policy under test, relative to this file
//! cases:
//!   - name: a green build passes
//!     metrics: {coverage: 91, critical_vulns: 0}
//!     overrides: ["coverage=95%"]   # like `--metric` (optional)
//!     gate: code-quality            # or `kind: pre-merge`, `strict: true` (optional)
//!     expect:
//!       verdict: pass
//!       gates:
//!         code-quality: pass        # a gate's verdict…
//!         runtime:                  # …or its verdict and criterion outcomes
//!           verdict: warn
//!           criteria: {latency: warn}
//!   - name: a value of the wrong unit is refused
//!     metrics: {coverage: 200ms}
//!     expect: {error: KIRO-E022}
//! ```
//!
//! Pure, like the rest of the core: [`PolicyTestFile::parse`] reads a test file's text (and
//! says which policy it names); [`PolicyTestFile::run`] runs its cases against a compiled
//! policy and gives the results as data ([`PolicyTestReport`]); [`run_policy_tests`] does both
//! from the two texts. Finding the files and rendering the results are the host's part
//! (`kiro test`).
//!
//! Errors (every one found, pointed into the test file, source `test`): `KIRO-E176` for a test
//! file that is not one, `KIRO-E177` for a gate, criterion or metric that the policy does not
//! declare (with did-you-mean), `KIRO-E001` for text that does not parse.

mod read;
mod run;

use crate::diagnostic::Diagnostic;
use crate::document::{Format, Limits, Spanned};
use crate::error::{ErrorKind, PolicyError, diagnostics_error};
use crate::policy::CompiledPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `source` of diagnostics about a test file.
pub const SOURCE: &str = "test";

diagnostics_error! {
    /// A policy test file that cannot be run: it does not parse, is not a test file
    /// (`KIRO-E176`), or names gates, criteria or metrics the policy does not declare
    /// (`KIRO-E177`). Every diagnostic points into the test file (source `test`).
    PolicyTestError, ErrorKind::Input
}

/// A test file, read and checked for shape (not yet against its policy).
#[derive(Debug, Clone)]
pub struct PolicyTestFile {
    file: read::TestFile,
}

impl PolicyTestFile {
    /// Reads a test file's text (YAML, JSON being YAML too).
    ///
    /// # Errors
    /// `KIRO-E001` for text that does not parse; `KIRO-E176` for every key that is missing,
    /// unknown or of the wrong shape.
    pub fn parse(text: &str) -> Result<Self, PolicyTestError> {
        let node = crate::document::parse(text, Format::Yaml, &Limits::default())
            .map_err(|d| PolicyTestError::from(d.with_source(SOURCE)))?;
        let file = read::read(&node).map_err(PolicyTestError::new)?;
        Ok(Self { file })
    }

    /// The policy file the test file names (`policy:`), as written: a path relative to the
    /// test file.
    #[must_use]
    pub fn policy(&self) -> &str {
        &self.file.policy.value
    }

    /// The names of the cases, in file order.
    #[must_use]
    pub fn case_names(&self) -> Vec<&str> {
        self.file
            .cases
            .iter()
            .map(|c| c.name.value.as_str())
            .collect()
    }

    /// Runs every case against `policy`.
    ///
    /// # Errors
    /// `KIRO-E177` for every gate, criterion or metric named in the file that `policy` does
    /// not declare (metrics are not checked in a case that expects an error). A case whose
    /// answer differs from what it expects is not an error: it is a failed case of the report.
    pub fn run(&self, policy: &CompiledPolicy) -> Result<PolicyTestReport, PolicyTestError> {
        run::check_references(&self.file, policy).map_err(PolicyTestError::new)?;
        let cases: Vec<CaseReport> = self
            .file
            .cases
            .iter()
            .map(|case| run::run_case(policy, case))
            .collect();
        let failed = cases.iter().filter(|c| !c.passed).count();
        Ok(PolicyTestReport {
            policy: policy.name().to_owned(),
            passed: cases.len() - failed,
            failed,
            cases,
        })
    }
}

/// Why [`run_policy_tests`] could not run: the test file, or the policy it names.
#[derive(Debug, Clone, PartialEq)]
pub enum TestRunError {
    /// The test file cannot be run (diagnostics into the test file).
    Test(PolicyTestError),
    /// The policy does not compile (diagnostics into the policy).
    Policy(PolicyError),
}

/// Runs the test file `test` against the policy text `policy` (in `format`, or detected).
///
/// # Errors
/// As [`PolicyTestFile::parse`] and [`PolicyTestFile::run`]; the policy's own errors when it
/// does not compile.
pub fn run_policy_tests(
    test: &str,
    policy: &str,
    format: Option<Format>,
) -> Result<PolicyTestReport, TestRunError> {
    let file = PolicyTestFile::parse(test).map_err(TestRunError::Test)?;
    let policy = CompiledPolicy::from_text(policy, format).map_err(TestRunError::Policy)?;
    file.run(&policy).map_err(TestRunError::Test)
}

/// The results of one test file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyTestReport {
    /// The name of the policy tested.
    pub policy: String,
    /// How many cases passed.
    pub passed: usize,
    /// How many cases failed.
    pub failed: usize,
    /// Each case, in file order.
    pub cases: Vec<CaseReport>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// Whether the policy answered what the case expects.
    pub passed: bool,
    /// What the policy answered: the decision's summary (`fail: 1 of 2 gates failed (…)`),
    /// or the error (`KIRO-E022: …`).
    pub got: String,
    /// Each expectation that did not hold, in the order the case lists them.
    pub mismatches: Vec<Mismatch>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Mismatch {
    /// What was compared: `verdict`, `error`, `gates.G.verdict`, `gates.G.criteria.C`.
    pub path: String,
    /// What the case expects.
    pub expected: String,
    /// What the policy answered.
    pub got: String,
    /// Why, from the decision: the gate's reason or the criterion's explanation (absent for
    /// the overall verdict and errors, whose `got` says it all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// A name in a test file, where it was written.
type Name = Spanned<String>;

/// A diagnostic about the test file.
fn diagnostic(code: crate::diagnostic::Code, message: String) -> Diagnostic {
    Diagnostic::error(code, message).with_source(SOURCE)
}

#[cfg(test)]
mod tests;
