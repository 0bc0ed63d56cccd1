//! `kiro validate`: every problem in a policy, or a one-line confirmation.

use super::{LoadedPolicy, Outcome, load_policy};
use crate::args::ValidateArgs;
use crate::diagnostics::Failure;
use crate::exit;

/// Runs `kiro validate`.
///
/// # Errors
/// A [`Failure`] with every problem found when the policy cannot be read or is invalid.
pub fn run(args: &ValidateArgs) -> Result<Outcome, Failure> {
    let LoadedPolicy { policy, file, .. } = load_policy(&args.policy, args.policy_format)?;
    let count = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let report = format!(
        "`{}` is valid: policy `{}` with {}, {} and {} ({})\n",
        file.name,
        policy.name(),
        count(policy.gate_names().len(), "gate", "gates"),
        count(policy.metric_names().len(), "metric", "metrics"),
        count(policy.persona_names().len(), "persona", "personas"),
        policy.hash()
    );
    Ok(Outcome {
        report,
        output: None,
        code: exit::PASS,
    })
}
