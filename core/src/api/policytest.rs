//! Policy tests (`crate::policytest`) at the boundary: a test file's text and the policy's
//! text in, the results out, for a binding to wrap thinly (as `kiro test` does in the CLI).
//!
//! - [`policy_test`] (and `_json`, `_json_str`): a [`PolicyTestCall`] in, a
//!   [`PolicyTestReport`] out. Errors are coded [`BoundaryError`]s with every label located in
//!   the host's unit: the policy's own errors in the policy text, `KIRO-E176`/`E177` (and
//!   `E001`) in the test text (source `test`).
//!
//! The host resolves the test file's `policy:` path itself (read it with
//! [`policy_test_policy`]), since the core reads no files.

use super::call::{answer, text_form};
use super::host::HostPolicy;
use super::options::{decode_format, format_schema};
use crate::diagnostic::{OffsetUnit, locate_all};
use crate::error::{BoundaryError, KiroError};
use crate::policytest::{PolicyTestFile, PolicyTestReport, SOURCE};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A test file run against a policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyTestCall {
    /// The test file's text (`docs/testing-policies.md`).
    pub test: String,
    /// The text of the policy it names.
    pub policy: String,
    /// The policy's format: `yaml`, `json` or `toml`; absent or null: detected from the text.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "format_schema")]
    pub format: Value,
    /// The unit of offsets in diagnostics (default: bytes of UTF-8).
    #[serde(default, skip_serializing_if = "OffsetUnit::is_utf8")]
    pub offsets: OffsetUnit,
}

/// The test file's errors, located in its text.
fn test_error(e: &impl KiroError, text: &str, unit: OffsetUnit) -> BoundaryError {
    let mut error = BoundaryError::from_kiro(e).with_excerpt(SOURCE, text);
    error.diagnostics = locate_all(error.diagnostics, SOURCE, text, unit);
    error
}

/// The policy file a test file names (`policy:`, relative to the test file).
///
/// # Errors
/// As [`PolicyTestFile::parse`], located in `test`.
pub fn policy_test_policy(test: &str, unit: OffsetUnit) -> Result<String, BoundaryError> {
    PolicyTestFile::parse(test)
        .map(|f| f.policy().to_owned())
        .map_err(|e| test_error(&e, test, unit))
}

/// Runs a test file against a policy.
///
/// # Errors
/// The test file's errors (`KIRO-E001`, `E176`, `E177`), or the policy's when it does not
/// compile; a failed case is not an error but a result.
pub fn policy_test(call: &PolicyTestCall) -> Result<PolicyTestReport, BoundaryError> {
    PolicyTestFile::parse(&call.test).map_err(|e| test_error(&e, &call.test, call.offsets))?;
    HostPolicy::load(&call.policy, decode_format(&call.format)?, call.offsets)?.test(&call.test)
}

impl HostPolicy {
    /// Runs the cases of a test file's text against this policy (the one tested, whatever
    /// the file's `policy:` names).
    ///
    /// # Errors
    /// The test file's errors (`KIRO-E001`, `E176`, `E177`) located in `test`; a failed case
    /// is not an error but a result.
    pub fn test(&self, test: &str) -> Result<PolicyTestReport, BoundaryError> {
        PolicyTestFile::parse(test)
            .and_then(|file| file.run(self.compiled()))
            .map_err(|e| test_error(&e, test, self.unit()))
    }
}

/// [`policy_test`] on a JSON call ([`PolicyTestCall`]), answering an `Answer` of a
/// [`PolicyTestReport`].
#[must_use]
pub fn policy_test_json(call: Value) -> Value {
    answer(call, policy_test)
}

/// [`policy_test_json`] on JSON text.
#[must_use]
pub fn policy_test_json_str(call: &str) -> String {
    text_form(call, policy_test_json)
}
