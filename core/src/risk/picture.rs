//! Pictures of the dependency graph with a change's blast radius highlighted: Graphviz DOT and
//! a Mermaid flowchart.
//!
//! Components are nodes `c0`, `c1`… in name order, labelled with their name (and, when
//! affected, the distance); an arrow `a -> b` reads "a depends on b". Changed components are
//! drawn red and bold, the other affected ones orange, the rest grey; the edges a change
//! travels along (from a dependency to an affected dependent) are drawn red.

use super::graph::{BlastRadius, DependencyGraph};
use std::fmt::Write as _;

/// How each component is drawn.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Changed,
    Affected(u32),
    Clear,
}

fn marks(graph: &DependencyGraph, blast: Option<&BlastRadius>) -> Vec<Mark> {
    graph
        .components
        .iter()
        .map(|c| {
            let found = blast.and_then(|b| b.affected.iter().find(|a| a.component == c.name));
            match found {
                Some(a) if a.distance == 0 => Mark::Changed,
                Some(a) => Mark::Affected(a.distance),
                None => Mark::Clear,
            }
        })
        .collect()
}

/// Whether the edge "`dependent` depends on `dependency`" carries the change: the dependency
/// is affected and the dependent is reached one step further.
fn hot(marks: &[Mark], dependent: usize, dependency: usize) -> bool {
    let distance = |m: Mark| match m {
        Mark::Changed => Some(0),
        Mark::Affected(d) => Some(d),
        Mark::Clear => None,
    };
    match (
        marks.get(dependency).copied().and_then(distance),
        marks.get(dependent).copied().and_then(distance),
    ) {
        (Some(a), Some(b)) => b == a + 1,
        _ => false,
    }
}

fn title(blast: Option<&BlastRadius>) -> String {
    blast.map_or_else(String::new, |b| {
        format!(
            "blast radius {:.1}% of the weight: {} of {} components",
            b.radius * 100.0,
            b.affected.len(),
            b.components
        )
    })
}

/// The graph in Graphviz DOT.
#[must_use]
pub fn dot(graph: &DependencyGraph, blast: Option<&BlastRadius>) -> String {
    let marks = marks(graph, blast);
    let mut out = String::from("digraph dependencies {\n  rankdir=LR;\n");
    if blast.is_some() {
        let _ = writeln!(out, "  label=\"{}\";", dot_escape(&title(blast)));
        out.push_str("  labelloc=t;\n");
    }
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=white];\n");
    for (i, (c, m)) in graph.components.iter().zip(&marks).enumerate() {
        let name = dot_escape(&c.name);
        let attrs = match m {
            Mark::Changed => format!(
                "label=\"{name}\\nchanged\", fillcolor=\"#f4cccc\", color=\"#d62728\", penwidth=3"
            ),
            Mark::Affected(d) => format!(
                "label=\"{name}\\ndistance {d}\", fillcolor=\"#fce5cd\", color=\"#e69138\", penwidth=2"
            ),
            Mark::Clear => format!("label=\"{name}\", color=\"#999999\", fontcolor=\"#666666\""),
        };
        let _ = writeln!(out, "  c{i} [{attrs}];");
    }
    for (a, c) in graph.components.iter().enumerate() {
        for &b in &c.depends_on {
            if hot(&marks, a, b) {
                let _ = writeln!(out, "  c{a} -> c{b} [color=\"#d62728\", penwidth=2];");
            } else {
                let _ = writeln!(out, "  c{a} -> c{b};");
            }
        }
    }
    out.push_str("}\n");
    out
}

/// The graph as a Mermaid `flowchart LR`.
#[must_use]
pub fn mermaid(graph: &DependencyGraph, blast: Option<&BlastRadius>) -> String {
    let marks = marks(graph, blast);
    let mut out = String::new();
    if blast.is_some() {
        let _ = writeln!(
            out,
            "---\ntitle: {}\n---",
            crate::render::mermaid::escape(&title(blast))
        );
    }
    out.push_str("flowchart LR\n");
    for (i, (c, m)) in graph.components.iter().zip(&marks).enumerate() {
        let name = crate::render::mermaid::escape(&c.name);
        let label = match m {
            Mark::Changed => format!("{name}<br/>changed"),
            Mark::Affected(d) => format!("{name}<br/>distance {d}"),
            Mark::Clear => name,
        };
        let _ = writeln!(out, "  c{i}[\"{label}\"]");
    }
    let mut link = 0usize;
    let mut hot_links = Vec::new();
    for (a, c) in graph.components.iter().enumerate() {
        for &b in &c.depends_on {
            let _ = writeln!(out, "  c{a} --> c{b}");
            if hot(&marks, a, b) {
                hot_links.push(link.to_string());
            }
            link += 1;
        }
    }
    let class = |wanted: fn(Mark) -> bool| -> Vec<String> {
        marks
            .iter()
            .enumerate()
            .filter(|(_, m)| wanted(**m))
            .map(|(i, _)| format!("c{i}"))
            .collect()
    };
    let changed = class(|m| m == Mark::Changed);
    let affected = class(|m| matches!(m, Mark::Affected(_)));
    if !changed.is_empty() {
        out.push_str("  classDef changed fill:#f4cccc,stroke:#d62728,stroke-width:3px\n");
        let _ = writeln!(out, "  class {} changed", changed.join(","));
    }
    if !affected.is_empty() {
        out.push_str("  classDef affected fill:#fce5cd,stroke:#e69138,stroke-width:2px\n");
        let _ = writeln!(out, "  class {} affected", affected.join(","));
    }
    if !hot_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d62728,stroke-width:2px",
            hot_links.join(",")
        );
    }
    out
}

fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
