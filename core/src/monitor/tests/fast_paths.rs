//! The monitor's fast paths give what the plain ones give: [`advance`] the decision's states
//! and effects, the selected percentile the sorted one.

use super::super::window::percentile;
use super::super::*;
use super::properties::{events, policy};
use proptest::prelude::*;

/// The percentile by sorting every value, as the definition says.
fn sorted_percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let last = values.len().saturating_sub(1);
    let rank = p / 100.0 * last as f64;
    let lo = (rank.floor() as usize).min(last);
    let hi = (rank.ceil() as usize).min(last);
    match (values.get(lo), values.get(hi)) {
        (Some(&a), Some(&b)) => a + (b - a) * (rank - lo as f64),
        _ => f64::NAN,
    }
}

proptest! {
    #[test]
    fn the_selected_percentile_is_the_sorted_one(
        values in prop::collection::vec(-1e6f64..1e6, 0..60),
        p in 0.0f64..=100.0,
    ) {
        let want = sorted_percentile(values.clone(), p);
        let got = percentile(values, p);
        prop_assert!(want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()));
    }

    #[test]
    fn advance_gives_the_states_and_effects_of_the_decision(events in events(120, true)) {
        let policy = policy();
        let mut fast = MonitorState::new(&policy).expect("has triggers");
        let mut full = fast.clone();
        for event in &events {
            let want = step(&mut full, &policy, event);
            let got = advance(&mut fast, &policy, event);
            match (want, got) {
                (Ok(want), Ok(got)) => {
                    let states: Vec<TriggerState> = got.states().collect();
                    prop_assert_eq!(got.effects(), want.effects.as_slice());
                    prop_assert_eq!(got.final_verdict(), want.final_verdict.as_ref());
                    prop_assert_eq!(
                        states,
                        want.triggers.iter().map(|t| t.state).collect::<Vec<_>>()
                    );
                    prop_assert_eq!(got.decision(), want);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "step {:?} but advance {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }
}
