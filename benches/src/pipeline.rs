//! The pipeline benchmarks' graph: a random DAG that `benches/benches/pipeline.rs` plans, the
//! `plan-vs-networkx` bin times against networkx, and `benches/networkx_plan.py` builds with
//! the same xorshift generator, so every side works on the same graph.

use kiro::decision::PolicyRef;
use kiro::document::Spanned;
use kiro::pipeline::model::{PipelineDecl, StageDecl};
use kiro::units::DurationDecl;
use std::fmt::Write as _;

/// How many stages the compared graph has.
pub const STAGES: usize = 100_000;

/// Per stage `i`, its needs (sorted, no repeats) and its estimate in seconds: up to 3 needs
/// among the 1,000 stages before it, an estimate of 1 to 600 seconds. The generator
/// (xorshift64, shifts 13, 7, 17) is the one `benches/networkx_plan.py` uses.
#[must_use]
pub fn random_dag(n: usize) -> Vec<(Vec<usize>, u64)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let k = if i == 0 { 0 } else { next() % 4 };
            let mut needs: Vec<usize> = (0..k)
                .map(|_| i - 1 - (next() % (i as u64).min(1_000)) as usize)
                .collect();
            needs.sort_unstable();
            needs.dedup();
            (needs, 1 + next() % 600)
        })
        .collect()
}

/// The graph as a pipeline model, as a policy reader would give it: stage `i` is named
/// `s{i}`, needs its needs by name and has its estimate in seconds (`"42s"`).
#[must_use]
pub fn pipeline(graph: &[(Vec<usize>, u64)]) -> PipelineDecl {
    let spanned = |v: String| Spanned::new(Default::default(), v);
    let stages = graph
        .iter()
        .enumerate()
        .map(|(i, (needs, secs))| {
            Spanned::new(
                Default::default(),
                StageDecl {
                    name: spanned(format!("s{i}")),
                    description: None,
                    needs: needs.iter().map(|j| spanned(format!("s{j}"))).collect(),
                    personas: Vec::new(),
                    gate: None,
                    criteria: None,
                    score: None,
                    timeout: None,
                    retries: None,
                    backoff: None,
                    retry_on: None,
                    on_action_failure: None,
                    continue_on_failure: false,
                    estimate: Some(Spanned::new(
                        Default::default(),
                        DurationDecl::Text(format!("{secs}s")),
                    )),
                    run: None,
                    env: Default::default(),
                    workdir: None,
                },
            )
        })
        .collect();
    PipelineDecl {
        description: None,
        fail_fast: None,
        max_parallel: None,
        stages,
    }
}

/// The graph as a policy in YAML (`name: bench`), the same stages as [`pipeline`].
#[must_use]
pub fn yaml(graph: &[(Vec<usize>, u64)]) -> String {
    let mut text = String::from("name: bench\npipeline:\n  stages:\n");
    for (i, (needs, secs)) in graph.iter().enumerate() {
        let needs: Vec<String> = needs.iter().map(|j| format!("s{j}")).collect();
        let _ = writeln!(
            text,
            "    - {{name: s{i}, needs: [{}], estimate: {secs}s}}",
            needs.join(", ")
        );
    }
    text
}

/// The policy the plans are made for (a plan names its policy).
#[must_use]
pub fn reference() -> PolicyRef {
    PolicyRef {
        name: "bench".into(),
        hash: String::new(),
        sources: Vec::new(),
    }
}

/// How many `needs` the graph has in all.
#[must_use]
pub fn edges(graph: &[(Vec<usize>, u64)]) -> usize {
    graph.iter().map(|(needs, _)| needs.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape `benches/networkx_plan.py` prints for its graph: if the generators drift
    /// apart, the comparison is off.
    #[test]
    fn the_graph_is_the_one_networkx_builds() {
        let graph = random_dag(STAGES);
        assert_eq!(edges(&graph), 149_593);
        let plan = kiro::pipeline::plan_pipeline(reference(), &pipeline(&graph)).expect("a DAG");
        assert_eq!(plan.waves.len(), 380);
        assert_eq!(plan.critical_path.len(), 345);
        assert_eq!(plan.total_ms, 130_295_000);
    }
}
