//! Unit tests of the risk section: the arithmetic's promises, as properties.

use crate::policy::CompiledPolicy;
use proptest::prelude::*;

/// A policy of `weights.len()` linear factors `x0`, `x1`… over 0..1000.
fn policy(weights: &[f64]) -> CompiledPolicy {
    let mut text = String::from("name: p\nmetrics:\n");
    for i in 0..weights.len() {
        text.push_str(&format!("  x{i}: {{unit: count}}\n"));
    }
    text.push_str("risk:\n  models:\n    - name: m\n      factors:\n");
    for (i, w) in weights.iter().enumerate() {
        text.push_str(&format!(
            "        - {{name: f{i}, value: x{i}, linear: {{from: 0, to: 1000}}, weight: {w}}}\n"
        ));
    }
    CompiledPolicy::from_text(&text, None).expect("a valid policy")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The printed contributions add up to the printed score, whatever the weights and values,
    /// and the score stays within 0..=100.
    #[test]
    fn contributions_add_up_to_the_score(
        factors in prop::collection::vec((1u32..1000, 0u32..=1200), 1..8)
    ) {
        let weights: Vec<f64> = factors.iter().map(|(w, _)| f64::from(*w) / 10.0).collect();
        let policy = policy(&weights);
        let metrics: serde_json::Map<String, serde_json::Value> = factors
            .iter()
            .enumerate()
            .map(|(i, (_, v))| (format!("x{i}"), serde_json::json!(v)))
            .collect();
        let reports = policy
            .score_risk_value(&serde_json::Value::Object(metrics), None, None)
            .expect("valid metrics");
        let report = &reports[0];
        let score = report.score.expect("a score");
        let tenths: i64 = report
            .factors
            .iter()
            .map(|f| (f.contribution * 10.0).round() as i64)
            .sum();
        prop_assert_eq!(tenths, (score * 10.0).round() as i64);
        prop_assert!((0.0..=100.0).contains(&score));
        for f in &report.factors {
            // Each printed contribution is within a tenth of its exact value.
            let exact = 100.0 * f.share * f.risk;
            prop_assert!((f.contribution - exact).abs() <= 0.1 + 1e-9, "{} vs {}", f.contribution, exact);
        }
    }
}

#[test]
fn a_numeric_expression_compiles_and_evaluates() {
    let names: std::collections::BTreeMap<String, crate::condition::MetricInfo> = [
        ("a", crate::units::Unit::BYTES),
        ("b", crate::units::Unit::BYTES),
    ]
    .iter()
    .enumerate()
    .map(|(slot, (n, unit))| {
        (
            (*n).to_owned(),
            crate::condition::MetricInfo { slot, unit: *unit },
        )
    })
    .collect();
    let (program, unit) = crate::condition::compile_number("a / b", &names).expect("compiles");
    assert_eq!(unit.dimension, crate::units::Dimension::Ratio);
    assert_eq!(program.eval_number(&[1.0, 4.0]).ok(), Some(0.25));
    assert!(program.eval_number(&[f64::NAN, 4.0]).is_ok_and(f64::is_nan));
    assert!(crate::condition::compile_number("a > b", &names).is_err());
}

/// A policy whose graph has components `c0`… with the edges `(a, b)`: `a` depends on `b`.
fn graph_policy(n: usize, edges: &[(usize, usize)], weights: &[u32]) -> CompiledPolicy {
    let mut text = String::from("name: g\nrisk:\n  graph:\n    components:\n");
    for i in 0..n {
        let deps: Vec<String> = edges
            .iter()
            .filter(|(a, _)| *a == i)
            .map(|(_, b)| format!("c{b}"))
            .collect();
        text.push_str(&format!(
            "      c{i}: {{traffic: {}, depends_on: [{}]}}\n",
            weights.get(i).copied().unwrap_or(1),
            deps.join(", ")
        ));
    }
    CompiledPolicy::from_text(&text, None).expect("a valid graph")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Over any graph (cycles included): each affected component is reached through a
    /// dependency one step nearer, and more changed components never make a smaller radius.
    #[test]
    fn blast_radius_is_a_shortest_path_walk_and_monotone(
        n in 1usize..8,
        edges in prop::collection::vec((0usize..8, 0usize..8), 0..20),
        weights in prop::collection::vec(1u32..5, 8),
        changed in prop::collection::vec(0usize..8, 0..4),
        more in 0usize..8,
    ) {
        let edges: Vec<(usize, usize)> = edges.into_iter().filter(|(a, b)| *a < n && *b < n).collect();
        let policy = graph_policy(n, &edges, &weights);
        let names: Vec<String> = changed.iter().filter(|&&c| c < n).map(|c| format!("c{c}")).collect();
        let blast = policy.blast_radius(&names).expect("known components");
        for a in &blast.affected {
            match &a.via {
                None => prop_assert_eq!(a.distance, 0),
                Some(via) => {
                    let parent = blast.affected.iter().find(|p| &p.component == via).expect("via is affected");
                    prop_assert_eq!(parent.distance + 1, a.distance);
                    let (ai, vi): (usize, usize) = (a.component[1..].parse().unwrap_or(0), via[1..].parse().unwrap_or(0));
                    prop_assert!(edges.contains(&(ai, vi)));
                }
            }
        }
        let mut larger = names.clone();
        larger.push(format!("c{}", more % n));
        let bigger = policy.blast_radius(&larger).expect("known components");
        prop_assert!(bigger.radius >= blast.radius);
        prop_assert!((0.0..=1.0).contains(&blast.radius));
    }
}
