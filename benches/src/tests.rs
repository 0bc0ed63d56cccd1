use super::*;
use kiro::condition::compile_condition;
use kiro::tri::Tri;
use kiro::{CompiledPolicy, Selection};

#[test]
fn the_generator_is_deterministic_and_misses_about_the_requested_share() {
    let a = Records::generate(5_000, 7, 5);
    let b = Records::generate(5_000, 7, 5);
    let missing = a.base.iter().flatten().filter(|v| v.is_nan()).count();
    assert_eq!(a.declared.len(), b.declared.len());
    for (x, y) in a.base.iter().flatten().zip(b.base.iter().flatten()) {
        assert!(x.to_bits() == y.to_bits());
    }
    // 5% of 25,000 values.
    assert!((1_000..1_500).contains(&missing), "{missing} missing");
    assert_eq!(
        Records::generate(100, 7, 0)
            .base
            .iter()
            .flatten()
            .filter(|v| v.is_nan())
            .count(),
        0
    );
}

#[test]
fn the_baseline_expressions_say_what_the_kiro_conditions_say() {
    let metrics = lookup();
    let gate = compile_condition(GATE, &metrics).expect("the gate compiles");
    let single = compile_condition(SINGLE, &metrics).expect("the comparison compiles");
    let records = Records::generate(2_000, 11, 0);
    let mut passed = 0;
    for i in 0..records.len() {
        let r = records.record(i);
        let by_hand = gate_by_hand(r[0], r[1], r[2], r[3], r[4]);
        passed += usize::from(by_hand);
        assert_eq!(
            gate.eval(&r),
            Ok(Tri::from_bool(by_hand)),
            "record {i}: {r:?}"
        );
        assert_eq!(
            single.eval(&r),
            Ok(Tri::from_bool(r[0] >= 0.9)),
            "record {i}: {r:?}"
        );
    }
    // Neither almost nothing nor almost everything passes.
    assert!((200..1_000).contains(&passed), "{passed} of 2000 passed");
    assert_eq!(gate.eval(&PASSING), Ok(Tri::True));
}

#[test]
fn columns_and_the_batch_check_agree_with_the_closure() {
    let records = Records::generate(3_000, 3, 0);
    let mut by_hand = vec![0; records.len()];
    eval_by_hand(records.columns(), &mut by_hand, gate_by_hand);
    let mut branchless = vec![0; records.len()];
    eval_by_hand(records.columns(), &mut branchless, gate_by_hand_branchless);
    assert_eq!(branchless, by_hand);
    let gate = compile_condition(GATE, &lookup()).expect("the gate compiles");
    let mut columns = vec![0; records.len()];
    gate.eval_columns(&records.columns(), &mut columns);
    assert_eq!(columns, by_hand);

    let policy = CompiledPolicy::from_text(GATE_POLICY, None).expect("the policy compiles");
    let batch = records.batch().expect("the batch is valid");
    let result = policy
        .check_batch(&batch, &Selection::default())
        .expect("the batch checks");
    let expected: Vec<u8> = by_hand
        .iter()
        .map(|&t| {
            if t == 2 {
                kiro::gate::CODE_PASS
            } else {
                kiro::gate::CODE_FAIL
            }
        })
        .collect();
    assert_eq!(result.verdicts, expected);
}

#[test]
fn missing_values_fail_the_gate_and_are_unknown_to_the_condition() {
    let records = Records::generate(2_000, 5, 5);
    let gate = compile_condition(GATE, &lookup()).expect("the gate compiles");
    let mut out = vec![0; records.len()];
    gate.eval_columns(&records.columns(), &mut out);
    assert!(out.contains(&(Tri::Unknown as u8)));
    let policy = CompiledPolicy::from_text(GATE_POLICY, None).expect("the policy compiles");
    let batch = records.batch().expect("the batch is valid");
    let result = policy
        .check_batch(&batch, &Selection::default())
        .expect("the batch checks");
    for (i, (&t, &v)) in out.iter().zip(&result.verdicts).enumerate() {
        let expected = if t == Tri::True as u8 {
            kiro::gate::CODE_PASS
        } else {
            kiro::gate::CODE_FAIL
        };
        assert_eq!(v, expected, "record {i}");
    }
}

#[test]
fn the_kova_example_compiles_and_fails() {
    let policy = CompiledPolicy::from_text(KOVA_POLICY, None).expect("the kova policy compiles");
    let metrics: serde_json::Value = serde_json::from_str(KOVA_FAIL_METRICS).expect("valid json");
    let decision = policy
        .check_value(&metrics, &Selection::default())
        .expect("the metrics fit");
    assert_eq!(decision.verdict, kiro::Verdict::Fail);
}

#[test]
fn the_monitor_state_does_not_grow_with_the_stream() {
    use kiro::monitor::{MonitorState, advance};
    let policy = CompiledPolicy::from_text(monitor::MONITOR_POLICY, None)
        .expect("the bench policy compiles");
    let events = monitor::events(3 * monitor::THIRTY_DAYS / 30);
    let mut state = MonitorState::new(&policy).expect("has triggers");
    let mut sizes = Vec::new();
    for (i, event) in events.iter().enumerate() {
        advance(&mut state, &policy, event).expect("valid events");
        // Once a day, after the longest window (1h) has filled.
        if (i + 1) % (monitor::THIRTY_DAYS / 30) == 0 {
            sizes.push(state.save(&policy).expect("saves").len());
        }
    }
    let min = *sizes.iter().min().expect("three days measured");
    let max = *sizes.iter().max().expect("three days measured");
    // The same samples in every window, only their digits differ.
    assert!(max - min < min / 20, "state sizes per day: {sizes:?}");
}
