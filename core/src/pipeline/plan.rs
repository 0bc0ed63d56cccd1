//! The plan of a pipeline: parallel waves, earliest and latest times from the estimates, the
//! critical path and each stage's slack (the critical path method).
//!
//! Everything is in whole milliseconds, and ties are broken by policy order, so the same
//! pipeline always gives the same plan, byte for byte.
//!
//! A plan names every stage several times (in its own entry, in the `needs` of the stages
//! that need it, in its wave, on the critical path), so names are [`Name`]s: copied without
//! allocating (a long name is shared), serialized as plain strings.

use super::graph::{Needs, Order};
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
    #[schemars(with = "Vec<Vec<String>>")]
    pub waves: Vec<Vec<Name>>,
    /// The longest chain of stages by estimate, first to last.
    #[schemars(with = "Vec<String>")]
    pub critical_path: Vec<Name>,
    /// The earliest the whole pipeline can finish, from its estimates.
    pub total_ms: u64,
}

/// One stage in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedStage {
    /// The stage's name.
    #[schemars(with = "String")]
    pub name: Name,
    /// The stages it needs.
    #[schemars(with = "Vec<String>")]
    pub needs: Vec<Name>,
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

/// A stage name in a plan: a string that is cheap to copy, because a plan mentions each stage
/// several times. Short names (up to 23 bytes: most names) are held inline without an
/// allocation, longer ones are shared; a `Name` reads as a `&str` and serializes as a plain
/// string. (`smol_str`'s `SmolStr`; measured against `String` and `Arc<str>` in
/// docs/performance.md.)
pub type Name = smol_str::SmolStr;

/// What a plan is made of: the stages as resolved by the compiler.
pub(crate) struct Input<'a> {
    /// The stage names, in policy order.
    pub names: &'a [Name],
    /// Per stage, its personas.
    pub personas: Vec<Vec<String>>,
    /// Per stage, the stages it needs.
    pub needs: &'a Needs,
    /// Per stage, its estimate.
    pub estimates: &'a [u64],
    /// A topological order of the stages.
    pub order: &'a Order,
}

/// Plans a graph already known to be acyclic: waves and earliest times forwards along the
/// order, latest times backwards, then the critical path; plain index arrays throughout.
pub(crate) fn plan(policy: PolicyRef, input: Input<'_>) -> Plan {
    let Input {
        names,
        personas,
        needs,
        estimates,
        order,
    } = input;
    let n = names.len();
    let mut wave = vec![0u32; n];
    let mut start = vec![0u64; n];
    let mut finish = vec![0u64; n];
    for s in order.stages() {
        let (mut w, mut es) = (0, 0);
        for &need in needs.of(s) {
            let need = need as usize;
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
    let mut needed = vec![false; n];
    for s in order.stages().rev() {
        let latest_start = latest_finish[s].saturating_sub(estimates[s]);
        for &need in needs.of(s) {
            let need = need as usize;
            latest_finish[need] = latest_finish[need].min(latest_start);
            needed[need] = true;
        }
    }

    // The critical path: from the first stage (in policy order) that finishes last and that
    // nothing needs, back through the first need that finishes exactly when the stage starts.
    let mut critical = vec![false; n];
    let mut path = Vec::new();
    if let Some(last) = (0..n).find(|&s| finish[s] == total && !needed[s]) {
        let mut at = last;
        loop {
            critical[at] = true;
            path.push(at);
            let next = needs
                .of(at)
                .iter()
                .map(|&p| p as usize)
                .filter(|&p| finish[p] == start[at])
                .min();
            match next {
                Some(p) if !critical[p] => at = p,
                _ => break,
            }
        }
        path.reverse();
    }

    let mut sizes = vec![0usize; wave.iter().copied().max().map_or(0, |w| w as usize + 1)];
    for &w in &wave {
        sizes[w as usize] += 1;
    }
    let mut waves: Vec<Vec<Name>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for (name, &w) in names.iter().zip(&wave) {
        waves[w as usize].push(name.clone());
    }
    let stages = personas
        .into_iter()
        .enumerate()
        .map(|(s, personas)| {
            let ls = latest_finish[s].saturating_sub(estimates[s]);
            PlannedStage {
                name: names[s].clone(),
                needs: needs
                    .of(s)
                    .iter()
                    .map(|&p| names[p as usize].clone())
                    .collect(),
                personas,
                wave: wave[s] as usize,
                estimate_ms: estimates[s],
                earliest_start_ms: start[s],
                earliest_finish_ms: finish[s],
                latest_start_ms: ls,
                latest_finish_ms: latest_finish[s],
                slack_ms: ls.saturating_sub(start[s]),
                critical: critical[s],
            }
        })
        .collect();
    Plan {
        policy,
        stages,
        waves,
        critical_path: path.into_iter().map(|s| names[s].clone()).collect(),
        total_ms: total,
    }
}
