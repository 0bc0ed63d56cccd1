//! `kiro schema`: the JSON Schema of the policy format.

use super::Outcome;
use crate::exit;

/// Runs `kiro schema`: the schema committed as `docs/policy.schema.json`.
pub fn run() -> Outcome {
    Outcome {
        report: kiro::policy_schema_json(),
        output: None,
        code: exit::PASS,
    }
}
