//! The stage graph: the `needs` of every stage as flat index arrays, a topological order, or
//! the cycles that prevent one (found with petgraph's strongly connected components).
//!
//! Stages are `u32` indices in policy order. Nothing here recurses on the graph, so a chain of
//! 100,000 stages is as safe as a short one.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::VecDeque;
use std::ops::Range;
use std::slice;

/// Per stage, the stages it needs (resolved, no repeats, in the order written), all in one
/// array: stage `s` needs `targets[spans[s].0..spans[s].1]`. A stage's list is written when
/// its names are resolved, so the lists need not lie in policy order.
#[derive(Debug)]
pub(crate) struct Needs {
    spans: Vec<(u32, u32)>,
    targets: Vec<u32>,
    /// Whether every stage needs only stages before it, so far.
    backwards: bool,
}

impl Needs {
    /// Room for `stages` stages and `edges` needs.
    pub(crate) fn with_capacity(stages: usize, edges: usize) -> Self {
        Self {
            spans: Vec::with_capacity(stages),
            targets: Vec::with_capacity(edges),
            backwards: true,
        }
    }

    /// Adds the next stage, needing nothing yet.
    pub(crate) fn push_stage(&mut self) {
        self.spans.push((0, 0));
    }

    /// Sets the list of `stage` (added already) to `list`.
    pub(crate) fn set(&mut self, stage: usize, list: &[u32]) {
        self.backwards &= list.iter().all(|&p| (p as usize) < stage);
        let start = index(self.targets.len());
        self.targets.extend_from_slice(list);
        self.spans[stage] = (start, index(self.targets.len()));
    }

    /// How many stages there are.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The stages `stage` needs.
    pub(crate) fn of(&self, stage: usize) -> &[u32] {
        let (start, end) = self.spans[stage];
        self.targets
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// Whether every stage needs only stages declared before it, which makes policy order a
    /// topological order.
    pub(crate) fn in_policy_order(&self) -> bool {
        self.backwards
    }

    /// Every list as its own vector of indices, in policy order.
    pub(crate) fn to_lists(&self) -> Vec<Vec<usize>> {
        (0..self.len())
            .map(|s| self.of(s).iter().map(|&p| p as usize).collect())
            .collect()
    }
}

/// A stage index as stored: pipelines are far smaller than 4 billion stages or needs.
pub(crate) fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Per stage, the stages that need it, in policy order, in one array: stage `s` is needed by
/// `targets[offsets[s]..offsets[s + 1]]`.
struct Dependents {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Dependents {
    /// The reverse of `needs`.
    fn of_needs(needs: &Needs) -> Self {
        let n = needs.len();
        let mut offsets = vec![0u32; n + 1];
        for &need in &needs.targets {
            offsets[need as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets.clone();
        let mut targets = vec![0u32; needs.targets.len()];
        for stage in 0..n {
            for &need in needs.of(stage) {
                let at = &mut cursor[need as usize];
                targets[*at as usize] = index(stage);
                *at += 1;
            }
        }
        Self { offsets, targets }
    }

    /// The stages that need `stage`.
    fn of(&self, stage: usize) -> &[u32] {
        self.targets
            .get(self.offsets[stage] as usize..self.offsets[stage + 1] as usize)
            .unwrap_or_default()
    }
}

/// A topological order of the stages: each after everything it needs.
#[derive(Debug)]
pub(crate) enum Order {
    /// Policy order, for this many stages: each needs only stages declared before it (the
    /// usual case, which needs no sorting).
    Policy(usize),
    /// The order Kahn's algorithm found.
    Sorted(Vec<u32>),
}

impl Order {
    /// The stages in this order (`.rev()` for the reverse).
    pub(crate) fn stages(&self) -> Stages<'_> {
        match self {
            Order::Policy(n) => Stages::Policy(0..*n),
            Order::Sorted(order) => Stages::Sorted(order.iter()),
        }
    }
}

/// The stages of an [`Order`], as indices.
pub(crate) enum Stages<'a> {
    Policy(Range<usize>),
    Sorted(slice::Iter<'a, u32>),
}

impl Iterator for Stages<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Stages::Policy(range) => range.next(),
            Stages::Sorted(order) => order.next().map(|&s| s as usize),
        }
    }
}

impl DoubleEndedIterator for Stages<'_> {
    fn next_back(&mut self) -> Option<usize> {
        match self {
            Stages::Policy(range) => range.next_back(),
            Stages::Sorted(order) => order.next_back().map(|&s| s as usize),
        }
    }
}

/// A topological order of the stages, or every cycle: one per strongly connected component,
/// each as the stages in flow order, starting from the component's first stage in policy
/// order.
///
/// When every stage needs only earlier ones, policy order is the answer. Otherwise the order
/// comes from Kahn's algorithm over flat arrays (one pass, no recursion; ties in policy order
/// of becoming ready); only when it cannot order every stage is the petgraph graph built, to
/// find the cycles.
pub(crate) fn topological_order(needs: &Needs) -> Result<Order, Vec<Vec<usize>>> {
    let n = needs.len();
    if needs.in_policy_order() {
        return Ok(Order::Policy(n));
    }
    let dependents = Dependents::of_needs(needs);
    let mut waiting: Vec<u32> = needs.spans.iter().map(|&(s, e)| e - s).collect();
    let mut order: Vec<u32> = Vec::with_capacity(n);
    order.extend((0..n).filter(|&s| waiting[s] == 0).map(index));
    let mut head = 0;
    while let Some(&stage) = order.get(head) {
        head += 1;
        for &next in dependents.of(stage as usize) {
            let w = &mut waiting[next as usize];
            *w -= 1;
            if *w == 0 {
                order.push(next);
            }
        }
    }
    if order.len() == n {
        Ok(Order::Sorted(order))
    } else {
        Err(cycles(needs))
    }
}

/// Cycles beyond this many are not reported one by one.
pub(crate) const MAX_CYCLES: usize = 100;

fn cycles(needs: &Needs) -> Vec<Vec<usize>> {
    let mut graph: DiGraph<(), (), u32> = DiGraph::with_capacity(needs.len(), needs.targets.len());
    for _ in 0..needs.len() {
        graph.add_node(());
    }
    for stage in 0..needs.len() {
        for &need in needs.of(stage) {
            graph.add_edge(NodeIndex::new(need as usize), NodeIndex::new(stage), ());
        }
    }
    let graph = &graph;
    let mut components: Vec<Vec<usize>> = kosaraju_scc(graph)
        .into_iter()
        .map(|c| c.into_iter().map(NodeIndex::index).collect::<Vec<_>>())
        .filter(|c| c.len() > 1 || c.first().is_some_and(|&s| needs.of(s).contains(&index(s))))
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
