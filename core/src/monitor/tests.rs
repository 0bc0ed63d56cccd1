//! Tests of the monitor beyond the corpus: windows' arithmetic, the memory bound, and
//! properties over random event streams (replay equals live stepping, resuming from any
//! snapshot equals never stopping, state size stays bounded).

mod fast_paths;
mod properties;
mod slo_properties;

use super::*;
use crate::diagnostic::Code;
use std::collections::BTreeMap;

fn policy(text: &str) -> CompiledPolicy {
    CompiledPolicy::from_text(text, None).expect("the test policy compiles")
}

fn observe(at_ms: u64, values: &[(&str, Reading)]) -> MonitorEvent {
    MonitorEvent::Observe {
        at_ms,
        values: values
            .iter()
            .map(|(n, r)| ((*n).to_owned(), r.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[test]
fn a_window_refuses_more_samples_than_its_bound_and_keeps_its_state() {
    let p = policy(
        "name: t\nmetrics: {x: {}}\nwindows: {w: {count: x, over: 1h}}\ntriggers:\n  - {name: t, when: w > 0, action: warn}\n",
    );
    let mut state = MonitorState::new(&p).expect("a monitor");
    let full = (0..MAX_WINDOW_SAMPLES as u64)
        .map(|i| state::Sample {
            at_ms: i,
            value: 1.0,
            to: None,
        })
        .collect();
    state.windows[0].samples = full;
    state.last_ms = Some(MAX_WINDOW_SAMPLES as u64 - 1);
    state.last_observation_ms = state.last_ms;
    let before = state.save(&p).expect("saves");
    let at = MAX_WINDOW_SAMPLES as u64;
    let error = step(&mut state, &p, &observe(at, &[("x", Reading::Number(1.0))]))
        .expect_err("one sample too many");
    assert_eq!(crate::KiroError::code(&error), Code::WindowTooDense);
    assert_eq!(state.save(&p).expect("saves"), before);
    // Once the oldest sample has left the window, the observation fits.
    let at = 3_600_000;
    step(&mut state, &p, &observe(at, &[("x", Reading::Number(1.0))])).expect("fits");
    assert_eq!(state.window_samples(), MAX_WINDOW_SAMPLES);
}

#[test]
fn a_state_restores_only_under_its_own_policy_and_kind() {
    let text = "name: t\nmetrics: {x: {}}\ntriggers:\n  - {name: t, when: x > 0, action: warn}\n";
    let p = policy(text);
    let other = policy(&text.replace("x > 0", "x > 1"));
    let state = MonitorState::new(&p).expect("a monitor");
    let saved = state.save(&p).expect("saves");
    assert!(saved.starts_with(r#"{"format":1,"kind":"monitor","policy":"sha256:"#));
    let code =
        |r: Result<MonitorState, MonitorError>| crate::KiroError::code(&r.expect_err("refused"));
    assert_eq!(
        code(MonitorState::restore(&other, &saved)),
        Code::StatePolicyMismatch
    );
    assert_eq!(
        code(MonitorState::restore(
            &p,
            &saved.replace("\"monitor\"", "\"pipeline-run\"")
        )),
        Code::InvalidState
    );
    assert_eq!(
        code(MonitorState::restore(
            &p,
            &saved.replace("\"format\":1", "\"format\":2")
        )),
        Code::InvalidState
    );
    assert_eq!(code(MonitorState::restore(&p, "[]")), Code::InvalidState);
    assert_eq!(MonitorState::restore(&p, &saved).expect("restores"), state);
}

#[test]
fn window_samples_keep_their_exact_bits_through_a_save() {
    let p = policy(
        "name: t\nmetrics: {x: {unit: ms}}\nwindows: {w: {avg: x, over: 1h}}\ntriggers:\n  - {name: t, when: w > 1ms, action: warn}\n",
    );
    let mut state = MonitorState::new(&p).expect("a monitor");
    let values = [0.1, 1.0 / 3.0, 2.0f64.sqrt(), 1e-300, 12_345.678_901_234_5];
    for (i, v) in values.iter().enumerate() {
        step(
            &mut state,
            &p,
            &observe(i as u64, &[("x", Reading::Number(*v))]),
        )
        .expect("steps");
    }
    let restored = MonitorState::restore(&p, &state.save(&p).expect("saves")).expect("restores");
    let bits = |s: &MonitorState| -> Vec<u64> {
        s.windows[0]
            .samples
            .iter()
            .map(|x| x.value.to_bits())
            .collect()
    };
    assert_eq!(bits(&restored), bits(&state));
}

#[test]
fn percentiles_interpolate_between_the_closest_ranks() {
    let p = policy(
        "name: t\nmetrics: {x: {}}\nwindows:\n  p0: {percentile: 0, of: x, over: 1h}\n  p50: {percentile: 50, of: x, over: 1h}\n  p100: {percentile: 100, of: x, over: 1h}\n  p25: {percentile: 25, of: x, over: 1h}\ntriggers:\n  - {name: t, when: p0 >= 0 and p50 >= 0 and p100 >= 0 and p25 >= 0, action: warn}\n",
    );
    let mut state = MonitorState::new(&p).expect("a monitor");
    let mut last = None;
    for (i, v) in [40.0, 10.0, 30.0, 20.0].iter().enumerate() {
        last = Some(
            step(
                &mut state,
                &p,
                &observe(i as u64, &[("x", Reading::Number(*v))]),
            )
            .expect("steps"),
        );
    }
    let values = &last.expect("a decision").triggers[0].tiers[0].values;
    assert_eq!(values["p0"], 10.0);
    assert_eq!(values["p25"], 17.5);
    assert_eq!(values["p50"], 25.0);
    assert_eq!(values["p100"], 40.0);
}

#[test]
fn the_seed_triggers_compile_as_written() {
    let text = include_str!("../../../examples/kova/triggers.yaml");
    let p = policy(text);
    let monitor = p.monitor().expect("triggers");
    assert_eq!(
        monitor.trigger_names(),
        [
            "error-rate",
            "availability",
            "performance-regression",
            "security-incident",
            "api-errors"
        ]
    );
    assert_eq!(monitor.longest_window_ms(), 300_000);
}
