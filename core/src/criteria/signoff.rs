//! Persona sign-off over the gates and criteria a persona owns.

use super::{GateRule, PersonaRule};
use crate::decision::{Outcome, Signoff, Verdict};

/// Why a persona rejected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Reason {
    /// An owned gate failed.
    GateFailed { gate: usize },
    /// An owned key criterion failed.
    KeyFailed { gate: usize, criterion: usize },
    /// More conditions than the persona accepts.
    TooManyConditions { count: usize, max: usize },
}

/// The sign-off of `persona` over the evaluated gates `selected` (indices into `gates`), given
/// each selected gate's criterion outcomes and verdict. Calls `on_condition(gate, criterion)`
/// for each condition of approval and `on_reason` for each reason to reject, in policy order.
/// Returns `None` when the persona owns nothing evaluated.
pub(crate) fn signoff(
    persona: &PersonaRule,
    gates: &[GateRule],
    selected: &[usize],
    outcomes: &[Vec<Outcome>],
    verdicts: &[Verdict],
    mut on_condition: impl FnMut(usize, usize),
    mut on_reason: impl FnMut(Reason),
) -> Option<Signoff> {
    let mut owns_any = false;
    let mut conditions = 0;
    let mut rejected = false;
    for (i, &g) in selected.iter().enumerate() {
        if !persona.touches_gate(g) {
            continue;
        }
        owns_any = true;
        let gate_owned = persona.gates.contains(&g);
        if gate_owned && verdicts.get(i) == Some(&Verdict::Fail) {
            rejected = true;
            on_reason(Reason::GateFailed { gate: g });
        }
        let Some(gate_outcomes) = outcomes.get(i) else {
            continue;
        };
        for (c, (criterion, &outcome)) in gates[g]
            .criteria
            .iter()
            .zip(gate_outcomes.iter())
            .enumerate()
        {
            // An informational criterion never counts towards a sign-off.
            if criterion.informational || !persona.owns_criterion(g, c) {
                continue;
            }
            match outcome {
                Outcome::Pass => {}
                Outcome::Fail if criterion.key => {
                    rejected = true;
                    on_reason(Reason::KeyFailed {
                        gate: g,
                        criterion: c,
                    });
                }
                Outcome::Fail | Outcome::Warn | Outcome::Unknown => {
                    conditions += 1;
                    on_condition(g, c);
                }
            }
        }
    }
    if !owns_any {
        return None;
    }
    if conditions > persona.max_conditions {
        rejected = true;
        on_reason(Reason::TooManyConditions {
            count: conditions,
            max: persona.max_conditions,
        });
    }
    Some(if rejected {
        Signoff::Rejected
    } else if conditions > 0 {
        Signoff::ApprovedWithConditions
    } else {
        Signoff::Approved
    })
}
