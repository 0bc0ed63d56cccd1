//! Mermaid: a flowchart with the critical path styled.

use crate::pipeline::Plan;
use crate::units::duration::format_duration;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The plan as a Mermaid `flowchart LR`. Stages are nodes `s0`, `s1`… (in policy order)
/// labelled with their name and estimate; the critical path's nodes get the class `critical`
/// and its edges a `linkStyle`, both red and bold.
#[must_use]
pub fn plan_mermaid(plan: &Plan) -> String {
    let mut out = String::from("flowchart LR\n");
    let index: HashMap<&str, usize> = plan
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let critical_edges: HashSet<(&str, &str)> = plan
        .critical_path
        .windows(2)
        .map(|w| (w[0].as_str(), w[1].as_str()))
        .collect();
    for (i, stage) in plan.stages.iter().enumerate() {
        let label = format!(
            "{}<br/>{}",
            escape(&stage.name),
            format_duration(stage.estimate_ms)
        );
        let _ = writeln!(out, "  s{i}[\"{label}\"]");
    }
    let mut critical_links = Vec::new();
    let mut link = 0usize;
    for (i, stage) in plan.stages.iter().enumerate() {
        for need in &stage.needs {
            let Some(from) = index.get(need.as_str()) else {
                continue;
            };
            let _ = writeln!(out, "  s{from} --> s{i}");
            if critical_edges.contains(&(need.as_str(), stage.name.as_str())) {
                critical_links.push(link.to_string());
            }
            link += 1;
        }
    }
    let critical: Vec<String> = plan
        .stages
        .iter()
        .enumerate()
        .filter(|(_, s)| s.critical)
        .map(|(i, _)| format!("s{i}"))
        .collect();
    if !critical.is_empty() {
        out.push_str("  classDef critical stroke:#d62728,stroke-width:3px,color:#d62728\n");
        let _ = writeln!(out, "  class {} critical", critical.join(","));
    }
    if !critical_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d62728,stroke-width:3px",
            critical_links.join(",")
        );
    }
    out
}

/// Text for a quoted Mermaid label: quotes and markup characters as entity codes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
