//! On random pipelines and timelines: replaying the event log equals stepping live, and a run
//! saved and restored at any event goes on exactly as one never stopped.

use super::fake::{Step, simulate};
use crate::pipeline::{RunOptions, RunState, replay, step};
use crate::policy::CompiledPolicy;
use proptest::prelude::*;
use std::time::Duration;

/// A stage: its needs (indices of earlier stages), retries, backoff and timeout in seconds,
/// whether it may fail, and its scripted attempts `(seconds, success)`.
type StageSpec = (Vec<usize>, u32, u64, Option<u64>, bool, Vec<(u64, bool)>);

fn policy(stages: &[StageSpec], fail_fast: bool) -> CompiledPolicy {
    let mut text = format!("name: p\npipeline:\n  fail_fast: {fail_fast}\n  stages:\n");
    for (i, (needs, retries, backoff, timeout, may_fail, _)) in stages.iter().enumerate() {
        let needs: std::collections::BTreeSet<usize> =
            needs.iter().copied().filter(|&n| n < i).collect();
        let needs: Vec<String> = needs.iter().map(|n| format!("s{n}")).collect();
        text.push_str(&format!(
            "    - {{name: s{i}, needs: [{}], retries: {retries}, backoff: {backoff}s, continue_on_failure: {may_fail}",
            needs.join(", ")
        ));
        if let Some(t) = timeout {
            text.push_str(&format!(", timeout: {t}s"));
        }
        text.push_str("}\n");
    }
    CompiledPolicy::from_text(&text, None).unwrap_or_else(|e| panic!("{text}\n{e}"))
}

fn stage_spec() -> impl Strategy<Value = StageSpec> {
    (
        proptest::collection::vec(0usize..6, 0..3),
        0u32..3,
        0u64..3,
        proptest::option::of(1u64..4),
        any::<bool>(),
        proptest::collection::vec((0u64..5, any::<bool>()), 1..4),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn replay_and_resume_equal_stepping_live(
        stages in proptest::collection::vec(stage_spec(), 1..6),
        fail_fast in any::<bool>(),
        max_parallel in proptest::option::of(1usize..4),
        cancel_at in proptest::option::of(0u64..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let policy = policy(&stages, fail_fast);
        let scripts: Vec<(String, Vec<Step>)> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let steps = s.5.iter().map(|&(secs, success)| Step {
                    takes: Duration::from_secs(secs),
                    success,
                    metrics: serde_json::json!({}),
                });
                (format!("s{i}"), steps.collect())
            })
            .collect();
        let scripts: Vec<(&str, Vec<Step>)> =
            scripts.iter().map(|(n, s)| (n.as_str(), s.clone())).collect();
        let options = RunOptions { max_parallel, fail_fast: None };
        let live = simulate(&policy, &scripts, options, cancel_at);

        // Replay: the same effects and the same final state, byte for byte.
        let again = replay(&policy, &live.log).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(&again.effects, &live.effects);
        let mut state = RunState::new();
        for event in &live.log {
            step(&mut state, &policy, event.clone()).unwrap_or_else(|e| panic!("{e}"));
        }
        let final_bytes = state.save(&policy).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(again.state.save(&policy).ok(), Some(final_bytes.clone()));

        // Resume: stop after any event, save, restore, go on.
        let k = cut.index(live.log.len() + 1);
        let mut state = RunState::new();
        let mut effects = Vec::new();
        for event in &live.log[..k] {
            effects.extend(step(&mut state, &policy, event.clone()).unwrap_or_else(|e| panic!("{e}")));
        }
        let text = state.save(&policy).unwrap_or_else(|e| panic!("{e}"));
        let mut state = RunState::restore(&policy, &text).unwrap_or_else(|e| panic!("{e}"));
        for event in &live.log[k..] {
            effects.extend(step(&mut state, &policy, event.clone()).unwrap_or_else(|e| panic!("{e}")));
        }
        prop_assert_eq!(&effects, &live.effects);
        prop_assert_eq!(state.save(&policy).ok(), Some(final_bytes));
        prop_assert_eq!(state.result(&policy), Some(live.result));
    }
}
