//! The stage graph: a topological order, or the cycles that prevent one (found with
//! petgraph's strongly connected components).
//!
//! Edges run from a stage to the stages that need it (the direction work flows). Nothing here
//! recurses on the graph, so a chain of 100,000 stages is as safe as a short one.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::VecDeque;

/// A topological order of the stages (each after everything it needs, ties in policy order
/// of becoming ready), or every cycle: one per strongly connected component, each as the
/// stages in flow order, starting from the component's first stage in policy order.
///
/// The order comes from Kahn's algorithm over flat arrays (one pass, no recursion); only when
/// it cannot order every stage is the petgraph graph built, to find the cycles.
pub(crate) fn topological_order(needs: &[Vec<usize>]) -> Result<Vec<usize>, Vec<Vec<usize>>> {
    let n = needs.len();
    // Who needs each stage, as one flat array: `targets[offsets[s]..offsets[s + 1]]`.
    let mut offsets = vec![0usize; n + 1];
    for list in needs {
        for &need in list {
            offsets[need + 1] += 1;
        }
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut cursor = offsets.clone();
    let mut targets = vec![0usize; offsets[n]];
    for (stage, list) in needs.iter().enumerate() {
        for &need in list {
            targets[cursor[need]] = stage;
            cursor[need] += 1;
        }
    }
    let mut waiting: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut order: Vec<usize> = Vec::with_capacity(n);
    order.extend((0..n).filter(|&s| waiting[s] == 0));
    let mut head = 0;
    while let Some(&stage) = order.get(head) {
        head += 1;
        for &next in &targets[offsets[stage]..offsets[stage + 1]] {
            waiting[next] -= 1;
            if waiting[next] == 0 {
                order.push(next);
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err(cycles(needs))
    }
}

/// Cycles beyond this many are not reported one by one.
pub(crate) const MAX_CYCLES: usize = 100;

fn cycles(needs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let edges: usize = needs.iter().map(Vec::len).sum();
    let mut graph: DiGraph<(), (), u32> = DiGraph::with_capacity(needs.len(), edges);
    for _ in needs {
        graph.add_node(());
    }
    for (stage, list) in needs.iter().enumerate() {
        for &need in list {
            graph.add_edge(NodeIndex::new(need), NodeIndex::new(stage), ());
        }
    }
    let graph = &graph;
    let mut components: Vec<Vec<usize>> = kosaraju_scc(graph)
        .into_iter()
        .map(|c| c.into_iter().map(NodeIndex::index).collect::<Vec<_>>())
        .filter(|c| c.len() > 1 || c.first().is_some_and(|&s| needs[s].contains(&s)))
        .collect();
    components.sort_by_key(|c| c.iter().copied().min());
    components.truncate(MAX_CYCLES);
    let mut scratch = Scratch::new(graph.node_count());
    components
        .iter()
        .map(|c| scratch.shortest_cycle(graph, c))
        .collect()
}

/// Buffers for the searches, reset member by member so that many small cycles in a large
/// graph cost no more than their own size.
struct Scratch {
    inside: Vec<bool>,
    seen: Vec<bool>,
    parent: Vec<Option<usize>>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            inside: vec![false; n],
            seen: vec![false; n],
            parent: vec![None; n],
        }
    }

    /// The shortest cycle through the component's first stage (in policy order), by
    /// breadth-first search inside the component. Ties go to the path through stages earlier
    /// in the policy, because neighbours are visited sorted.
    fn shortest_cycle(&mut self, graph: &DiGraph<(), (), u32>, members: &[usize]) -> Vec<usize> {
        let start = members.iter().copied().min().unwrap_or_default();
        for &m in members {
            self.inside[m] = true;
        }
        let path = self.search(graph, start);
        for &m in members {
            self.inside[m] = false;
            self.seen[m] = false;
            self.parent[m] = None;
        }
        path
    }

    fn search(&mut self, graph: &DiGraph<(), (), u32>, start: usize) -> Vec<usize> {
        let mut queue = VecDeque::from([start]);
        self.seen[start] = true;
        while let Some(node) = queue.pop_front() {
            let mut next: Vec<usize> = graph
                .neighbors(NodeIndex::new(node))
                .map(NodeIndex::index)
                .filter(|&m| self.inside[m])
                .collect();
            next.sort_unstable();
            next.dedup();
            for m in next {
                if m == start {
                    // Walk back from `node` to `start`.
                    let mut path = vec![node];
                    let mut at = node;
                    while let Some(p) = self.parent[at] {
                        path.push(p);
                        at = p;
                    }
                    path.reverse();
                    return path;
                }
                if !self.seen[m] {
                    self.seen[m] = true;
                    self.parent[m] = Some(node);
                    queue.push_back(m);
                }
            }
        }
        // A strongly connected component always has a cycle through each member.
        vec![start]
    }
}
