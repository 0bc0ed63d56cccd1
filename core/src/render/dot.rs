//! Graphviz DOT: one box per stage, an edge per `needs`, the critical path in red.

use crate::pipeline::Plan;
use crate::units::duration::format_duration;
use std::collections::HashSet;
use std::fmt::Write as _;

const CRITICAL: &str = "color=\"#d62728\", fontcolor=\"#d62728\", penwidth=2";

/// The plan as a Graphviz `digraph`, left to right. Each stage shows its estimate and slack;
/// the stages and edges of the critical path are red and bold.
#[must_use]
pub fn plan_dot(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&plan.policy.name));
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\"];\n");
    for stage in &plan.stages {
        let label = format!(
            "{}\n{} (slack {})",
            stage.name,
            format_duration(stage.estimate_ms),
            format_duration(stage.slack_ms)
        );
        let style = if stage.critical {
            format!(", {CRITICAL}")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} [label={}{style}];",
            quote(&stage.name),
            quote(&label)
        );
    }
    let critical: HashSet<(&str, &str)> = plan
        .critical_path
        .windows(2)
        .map(|w| (w[0].as_str(), w[1].as_str()))
        .collect();
    for stage in &plan.stages {
        for need in &stage.needs {
            let style = if critical.contains(&(need.as_str(), stage.name.as_str())) {
                format!(" [{CRITICAL}]")
            } else {
                String::new()
            };
            let _ = writeln!(out, "  {} -> {}{style};", quote(need), quote(&stage.name));
        }
    }
    out.push_str("}\n");
    out
}

/// A DOT string: quoted, with `"` and `\` escaped and line breaks as `\n`.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
