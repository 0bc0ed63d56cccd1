//! The dependency graph and a change's blast radius over it.
//!
//! An edge `a depends on b` means a change to `b` can break `a`. The set a change can affect is
//! every component that depends on a changed one, transitively: a breadth-first walk from the
//! changed components against the direction of "depends on", each component at its shortest
//! distance. Cycles are allowed (two services calling each other): the walk visits each
//! component once, and the report names the cycles the affected set touches.
//!
//! The weighted blast radius is the affected components' share of the graph's weight, each
//! component weighing its criticality times its traffic: 0 when nothing is affected, 1 when
//! everything is. It is a percentage, and a factor reads it as `blast_radius`.

use super::model::GraphDecl;
use crate::diagnostic::{Code, Diagnostic, Span, did_you_mean, push_error};
use crate::document::Spanned;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A compiled dependency graph: components sorted by name, edges from each dependency to the
/// components that depend on it.
#[derive(Debug, Clone)]
pub struct DependencyGraph {
    pub(crate) components: Vec<Component>,
    /// Node `i` is component `i`; an edge `b -> a` says `a` depends on `b`.
    pub(crate) graph: DiGraph<usize, ()>,
    /// The components' total weight (criticality × traffic), above zero.
    pub(crate) total: f64,
    /// The components in a cycle, each cycle sorted by name, cycles sorted.
    pub(crate) cycles: Vec<Vec<usize>>,
}

/// One component as compiled.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub name: String,
    pub criticality: f64,
    pub traffic: f64,
    /// The components it depends on (indices), in the order written.
    pub depends_on: Vec<usize>,
}

impl Component {
    fn weight(&self) -> f64 {
        self.criticality * self.traffic
    }
}

/// What a change can affect, and how much of the graph that is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BlastRadius {
    /// The components the change touches, sorted.
    pub changed: Vec<String>,
    /// Every affected component (the changed ones at distance 0), by distance then name.
    pub affected: Vec<Affected>,
    /// The affected components' share of the graph's weight, from 0 to 1.
    pub radius: f64,
    /// The affected components' weight (criticality × traffic, summed).
    pub affected_weight: f64,
    /// The whole graph's weight.
    pub total_weight: f64,
    /// How many components the graph has.
    pub components: usize,
    /// The cycles of the graph that the affected set enters, each sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cycles: Vec<Vec<String>>,
}

/// One affected component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Affected {
    /// Its name.
    pub component: String,
    /// Dependency hops from the nearest changed component (0 for a changed one).
    pub distance: u32,
    /// The component it is reached through on a shortest path (none for a changed one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Its criticality.
    pub criticality: f64,
    /// Its traffic weight.
    pub traffic: f64,
}

impl DependencyGraph {
    /// Compiles the `graph` declaration, adding any problems to `diagnostics`.
    pub(crate) fn compile(
        decl: &Spanned<GraphDecl>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<DependencyGraph> {
        let before = diagnostics.len();
        let names: Vec<&str> = decl.components.keys().map(String::as_str).collect();
        if names.is_empty() {
            push_error(
                diagnostics,
                Code::InvalidComponent,
                "the dependency graph has no components",
                decl.span,
                "empty graph",
            );
            return None;
        }
        let mut components = Vec::with_capacity(names.len());
        for (name, c) in &decl.components {
            let mut weight = |w: Option<&Spanned<f64>>, what: &str| match w {
                None => 1.0,
                Some(w) if w.value.is_finite() && w.value >= 0.0 => w.value,
                Some(w) => {
                    push_error(
                        diagnostics,
                        Code::InvalidComponent,
                        format!("the {what} of component `{name}` is `{}`", w.value),
                        w.span,
                        "not a finite number from 0 up",
                    )
                    .help = Some(format!("give a {what} of 0 or more (default 1)"));
                    1.0
                }
            };
            let criticality = weight(c.criticality.as_ref(), "criticality");
            let traffic = weight(c.traffic.as_ref(), "traffic");
            let mut depends_on = Vec::new();
            for dep in &c.depends_on {
                match names.binary_search(&dep.as_str()) {
                    Ok(i) => {
                        if !depends_on.contains(&i) {
                            depends_on.push(i);
                        }
                    }
                    Err(_) => diagnostics.push(unknown_component(
                        &dep.value,
                        Some(dep.span),
                        names.iter().copied(),
                    )),
                }
            }
            components.push(Component {
                name: name.clone(),
                criticality,
                traffic,
                depends_on,
            });
        }
        let total: f64 = components.iter().map(Component::weight).sum();
        if diagnostics.len() == before && !(total > 0.0 && total.is_finite()) {
            push_error(
                diagnostics,
                Code::InvalidComponent,
                "every component of the dependency graph weighs 0",
                decl.span,
                "no weight",
            )
            .help = Some("a component weighs its criticality times its traffic".into());
        }
        if diagnostics.len() != before {
            return None;
        }
        let mut graph = DiGraph::with_capacity(components.len(), 0);
        for i in 0..components.len() {
            graph.add_node(i);
        }
        for (a, c) in components.iter().enumerate() {
            for &b in &c.depends_on {
                graph.add_edge(NodeIndex::new(b), NodeIndex::new(a), ());
            }
        }
        let mut cycles: Vec<Vec<usize>> = tarjan_scc(&graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || scc.first().is_some_and(|n| graph.contains_edge(*n, *n)))
            .map(|scc| {
                let mut ids: Vec<usize> = scc.iter().map(|n| n.index()).collect();
                ids.sort_unstable();
                ids
            })
            .collect();
        cycles.sort();
        Some(DependencyGraph {
            components,
            graph,
            total,
            cycles,
        })
    }

    /// The component names, sorted.
    #[must_use]
    pub fn component_names(&self) -> Vec<&str> {
        self.components.iter().map(|c| c.name.as_str()).collect()
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.components
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .ok()
    }

    /// The blast radius of a change to `changed`.
    ///
    /// # Errors
    /// `KIRO-E166` for every name that is not a component (with "did you mean").
    pub fn blast(&self, changed: &[String]) -> Result<BlastRadius, Vec<Diagnostic>> {
        let mut start = Vec::new();
        let mut errors = Vec::new();
        for name in changed {
            match self.index_of(name.trim()) {
                Some(i) => start.push(i),
                None => errors.push(
                    unknown_component(name, None, self.component_names()).with_source("changed"),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        start.sort_unstable();
        start.dedup();
        let n = self.components.len();
        let mut distance: Vec<Option<u32>> = vec![None; n];
        let mut via: Vec<Option<usize>> = vec![None; n];
        let mut queue = VecDeque::new();
        for &s in &start {
            distance[s] = Some(0);
            queue.push_back(s);
        }
        while let Some(node) = queue.pop_front() {
            let d = distance[node].unwrap_or(0);
            let mut next: Vec<usize> = self
                .graph
                .neighbors(NodeIndex::new(node))
                .map(|m| m.index())
                .collect();
            next.sort_unstable();
            for m in next {
                if distance[m].is_none() {
                    distance[m] = Some(d + 1);
                    via[m] = Some(node);
                    queue.push_back(m);
                }
            }
        }
        let mut affected: Vec<(u32, usize)> = distance
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.map(|d| (d, i)))
            .collect();
        affected.sort_unstable();
        // A fold from +0: `sum` of no floats is -0, which would be written `-0.0`.
        let affected_weight = affected
            .iter()
            .map(|&(_, i)| self.components[i].weight())
            .fold(0.0, |total, w| total + w);
        let name = |i: usize| self.components[i].name.clone();
        Ok(BlastRadius {
            changed: start.iter().map(|&i| name(i)).collect(),
            affected: affected
                .iter()
                .map(|&(d, i)| Affected {
                    component: name(i),
                    distance: d,
                    via: via[i].map(name),
                    criticality: self.components[i].criticality,
                    traffic: self.components[i].traffic,
                })
                .collect(),
            radius: (affected_weight / self.total).clamp(0.0, 1.0),
            affected_weight,
            total_weight: self.total,
            components: n,
            cycles: self
                .cycles
                .iter()
                .filter(|cycle| cycle.iter().any(|&i| distance[i].is_some()))
                .map(|cycle| cycle.iter().map(|&i| name(i)).collect())
                .collect(),
        })
    }
}

/// `KIRO-E166`: `name` is not a component.
fn unknown_component<'a>(
    name: &str,
    span: Option<Span>,
    names: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    let names: Vec<&str> = names.into_iter().collect();
    let help = did_you_mean(name, names.iter().copied()).map_or_else(
        || format!("the components are {}", list(&names)),
        |s| format!("did you mean `{s}`?"),
    );
    let d = Diagnostic::error(
        Code::UnknownComponent,
        format!("`{name}` is not a component of the dependency graph"),
    )
    .with_help(help);
    match span {
        Some(span) => d.with_label(span, "not a component"),
        None => d,
    }
}

fn list(names: &[&str]) -> String {
    const SHOWN: usize = 8;
    let mut out: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        out.push(format!("and {} more", names.len() - SHOWN));
    }
    out.join(", ")
}
