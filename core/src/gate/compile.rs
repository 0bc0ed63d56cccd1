//! The `gates` section: each gate's criteria, compiled by the criteria compiler.

use super::model::GateDecl;
use crate::criteria::{self, Context, GateSet, GateSource, unique_names};
use crate::diagnostic::Diagnostic;
use crate::document::Spanned;

/// Compiles the policy's gates against its metrics and personas, adding every problem to
/// `diagnostics`: gate `i` of the set is gate `i` of the policy.
pub(crate) fn compile(
    cx: Context<'_>,
    gates: &[Spanned<GateDecl>],
    diagnostics: &mut Vec<Diagnostic>,
) -> GateSet {
    unique_names(gates.iter().map(|g| &g.name), "gate", diagnostics);
    // Rule 0 is the policy's baseline; each gate with its own `baseline:` has the next one.
    let mut rules = 0;
    let sources = gates.iter().map(|gate| GateSource {
        name: &gate.name,
        kind: gate.kind,
        owners: gate.owners.iter().collect(),
        score: gate.score.as_ref(),
        criteria: &gate.criteria,
        baseline_rule: if gate.baseline.is_some() {
            rules += 1;
            rules
        } else {
            0
        },
    });
    criteria::compile(cx, sources, diagnostics)
}
