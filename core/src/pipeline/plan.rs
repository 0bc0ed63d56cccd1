//! The plan of a pipeline: parallel waves, earliest and latest times from the estimates, the
//! critical path and each stage's slack (the critical path method).
//!
//! Everything is in whole milliseconds, and ties are broken by policy order, so the same
//! pipeline always gives the same plan, byte for byte.

use crate::decision::PolicyRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The plan of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// The policy the pipeline belongs to.
    pub policy: PolicyRef,
    /// Every stage, in policy order.
    pub stages: Vec<PlannedStage>,
    /// Stages that may run at the same time: wave 0 needs nothing, wave `k` needs something
    /// of wave `k - 1`. Within a wave, in policy order.
    pub waves: Vec<Vec<String>>,
    /// The longest chain of stages by estimate, first to last.
    pub critical_path: Vec<String>,
    /// The earliest the whole pipeline can finish, from its estimates.
    pub total_ms: u64,
}

/// One stage in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedStage {
    /// The stage's name.
    pub name: String,
    /// The stages it needs.
    pub needs: Vec<String>,
    /// The personas that own it.
    pub personas: Vec<String>,
    /// Its wave (see [`Plan::waves`]).
    pub wave: usize,
    /// Its estimate (0 without one).
    pub estimate_ms: u64,
    /// The earliest it can start: when the last stage it needs finishes.
    pub earliest_start_ms: u64,
    /// The earliest it can finish.
    pub earliest_finish_ms: u64,
    /// The latest it can start without delaying the pipeline.
    pub latest_start_ms: u64,
    /// The latest it can finish without delaying the pipeline.
    pub latest_finish_ms: u64,
    /// How long it can slip without delaying the pipeline.
    pub slack_ms: u64,
    /// Whether it is on [`Plan::critical_path`].
    pub critical: bool,
}

/// Plans a graph already known to be acyclic. `order` is a topological order of the stages;
/// `needs[i]` are the stages stage `i` needs, `estimates[i]` its estimate.
pub(crate) fn plan(
    policy: PolicyRef,
    names: &[&str],
    personas: &[Vec<String>],
    needs: &[Vec<usize>],
    estimates: &[u64],
    order: &[usize],
) -> Plan {
    let n = names.len();
    let mut wave = vec![0usize; n];
    let mut start = vec![0u64; n];
    let mut finish = vec![0u64; n];
    for &s in order {
        let mut w = 0;
        let mut es = 0;
        for &need in &needs[s] {
            w = w.max(wave[need] + 1);
            es = es.max(finish[need]);
        }
        wave[s] = w;
        start[s] = es;
        finish[s] = es.saturating_add(estimates[s]);
    }
    let total = finish.iter().copied().max().unwrap_or(0);

    // Latest times, backwards: a stage must finish before the latest start of what needs it.
    let mut latest_finish = vec![total; n];
    for &s in order.iter().rev() {
        let ls = latest_finish[s].saturating_sub(estimates[s]);
        for &need in &needs[s] {
            latest_finish[need] = latest_finish[need].min(ls);
        }
    }

    // The critical path: from the first stage (in policy order) that finishes last and that
    // nothing needs, back through the first need that finishes exactly when the stage starts.
    let mut needed = vec![false; n];
    for list in needs {
        for &need in list {
            needed[need] = true;
        }
    }
    let mut critical = vec![false; n];
    let mut path = Vec::new();
    if let Some(last) = (0..n).find(|&s| finish[s] == total && !needed[s]) {
        let mut at = last;
        loop {
            critical[at] = true;
            path.push(at);
            let next = needs[at]
                .iter()
                .copied()
                .filter(|&p| finish[p] == start[at])
                .min();
            match next {
                Some(p) if !critical[p] => at = p,
                _ => break,
            }
        }
        path.reverse();
    }

    let mut sizes = vec![0usize; wave.iter().copied().max().map_or(0, |w| w + 1)];
    for &w in &wave {
        sizes[w] += 1;
    }
    let mut waves: Vec<Vec<String>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for s in 0..n {
        waves[wave[s]].push(names[s].to_owned());
    }
    let stages = (0..n)
        .map(|s| {
            let latest_start = latest_finish[s].saturating_sub(estimates[s]);
            PlannedStage {
                name: names[s].to_owned(),
                needs: needs[s].iter().map(|&p| names[p].to_owned()).collect(),
                personas: personas[s].clone(),
                wave: wave[s],
                estimate_ms: estimates[s],
                earliest_start_ms: start[s],
                earliest_finish_ms: finish[s],
                latest_start_ms: latest_start,
                latest_finish_ms: latest_finish[s],
                slack_ms: latest_start.saturating_sub(start[s]),
                critical: critical[s],
            }
        })
        .collect();
    Plan {
        policy,
        stages,
        waves,
        critical_path: path.into_iter().map(|s| names[s].to_owned()).collect(),
        total_ms: total,
    }
}
