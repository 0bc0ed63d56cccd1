//! From condition results to a criterion outcome, with the missing-data rule.

use crate::criteria::model::MissingRule;
use crate::decision::Outcome;
use crate::tri::Tri;

/// The outcome of a criterion whose pass condition gave `pass` and whose warn condition (if it
/// has one, evaluated when `pass` is false) gave `warn`; and the missing-data rule when it
/// decided.
///
/// A pass condition known to be false is never overruled into a pass: when only the warn
/// condition is unknown, the missing-data rule decides between fail, warn and undecided, and
/// `on_missing: pass` reads as warn.
pub(crate) fn criterion_outcome(
    pass: Tri,
    warn: Option<Tri>,
    rule: MissingRule,
) -> (Outcome, Option<MissingRule>) {
    let decided = match (pass, warn) {
        (Tri::True, _) => Some(Outcome::Pass),
        (Tri::False, None | Some(Tri::False)) => Some(Outcome::Fail),
        (Tri::False, Some(Tri::True)) => Some(Outcome::Warn),
        (Tri::Unknown, _) | (Tri::False, Some(Tri::Unknown)) => None,
    };
    match decided {
        Some(outcome) => (outcome, None),
        None => {
            let outcome = match rule {
                // The pass condition is known false; only the warn condition is unknown.
                MissingRule::Pass if pass == Tri::False => Outcome::Warn,
                MissingRule::Pass => Outcome::Pass,
                MissingRule::Warn => Outcome::Warn,
                MissingRule::Inconclusive => Outcome::Unknown,
                // `hold` is rejected for criteria at compile time; failing closed is the safe
                // reading should it ever get here.
                MissingRule::Fail | MissingRule::Hold => Outcome::Fail,
            };
            (outcome, Some(rule))
        }
    }
}

/// The weight a criterion earns: all for pass, half for warn, none otherwise.
pub(crate) fn earned(outcome: Outcome, weight: f64) -> f64 {
    match outcome {
        Outcome::Pass => weight,
        Outcome::Warn => weight / 2.0,
        Outcome::Fail | Outcome::Unknown => 0.0,
    }
}
