//! Prints the medians criterion saved under `target/criterion` and the ratios
//! `docs/performance.md` quotes, as Markdown.
//!
//! Run after `cargo bench -p kiro-benches`:
//!
//! ```text
//! cargo run -q -p kiro-benches --bin bench-report
//! ```
//!
//! Given several criterion directories (one per run, e.g. from `CRITERION_HOME=…`), it reports
//! for each benchmark the median of the runs' medians, which damps noise on a busy machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Median and its 95% confidence interval, in nanoseconds.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    median: f64,
    low: f64,
    high: f64,
}

/// Every `…/new/estimates.json` under `dir`, keyed by the benchmark id (`eval/kiro/gate5`).
fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, Estimate>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if let Some(estimate) = read(&path.join("estimates.json"))
                && let Ok(id) = dir.strip_prefix(root)
            {
                out.insert(id.to_string_lossy().replace('\\', "/"), estimate);
            }
        } else if path
            .file_name()
            .is_none_or(|n| n != "base" && n != "change" && n != "report")
        {
            collect(root, &path, out);
        }
    }
}

fn read(path: &Path) -> Option<Estimate> {
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let median = &json["median"];
    Some(Estimate {
        median: median["point_estimate"].as_f64()?,
        low: median["confidence_interval"]["lower_bound"].as_f64()?,
        high: median["confidence_interval"]["upper_bound"].as_f64()?,
    })
}

/// A duration in the largest unit that keeps it at or above 1.
fn human(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.3} µs", ns / 1e3)
    } else {
        format!("{ns:.2} ns")
    }
}

/// The ratios quoted in the docs: (what, numerator id, denominator id, bar).
const RATIOS: &[(&str, &str, &str, &str)] = &[
    (
        "eval single: cel-interpreter / kiro",
        "eval/cel/single",
        "eval/kiro/single",
        ">= 30",
    ),
    (
        "eval gate5: cel-interpreter / kiro",
        "eval/cel/gate5",
        "eval/kiro/gate5",
        ">= 30",
    ),
    (
        "eval single: evalexpr / kiro",
        "eval/evalexpr/single",
        "eval/kiro/single",
        "",
    ),
    (
        "eval gate5: evalexpr / kiro",
        "eval/evalexpr/gate5",
        "eval/kiro/gate5",
        "",
    ),
    (
        "eval single: kiro / closure",
        "eval/kiro/single",
        "eval/closure/single",
        "",
    ),
    (
        "eval gate5: kiro / closure",
        "eval/kiro/gate5",
        "eval/closure/gate5",
        "",
    ),
    (
        "compile single: cel-interpreter / kiro",
        "compile/cel/single",
        "compile/kiro/single",
        "",
    ),
    (
        "compile gate5: cel-interpreter / kiro",
        "compile/cel/gate5",
        "compile/kiro/gate5",
        "",
    ),
    (
        "compile single: evalexpr / kiro",
        "compile/evalexpr/single",
        "compile/kiro/single",
        "",
    ),
    (
        "compile gate5: evalexpr / kiro",
        "compile/evalexpr/gate5",
        "compile/kiro/gate5",
        "",
    ),
    (
        "batch: kiro eval_columns / closure",
        "batch/kiro_eval_columns",
        "batch/closure",
        "<= 2",
    ),
    (
        "batch: kiro eval_columns, 5% missing / closure",
        "batch/kiro_eval_columns_missing5",
        "batch/closure",
        "",
    ),
    (
        "batch: kiro check_batch / closure",
        "batch/kiro_check_batch",
        "batch/closure",
        "",
    ),
    (
        "batch: kiro check_batch, 5% missing / closure",
        "batch/kiro_check_batch_missing5",
        "batch/closure",
        "",
    ),
    (
        "batch: kiro eval per record / closure",
        "batch/kiro_eval_rows",
        "batch/closure",
        "",
    ),
    (
        "batch: cel-interpreter per record / kiro eval_columns",
        "batch_interpreters/cel_rows",
        "batch/kiro_eval_columns",
        "",
    ),
    (
        "batch: evalexpr per record / kiro eval_columns",
        "batch_interpreters/evalexpr_rows",
        "batch/kiro_eval_columns",
        "",
    ),
    (
        "batch: cel-interpreter per record / kiro eval per record",
        "batch_interpreters/cel_rows",
        "batch/kiro_eval_rows",
        "",
    ),
];

fn main() -> ExitCode {
    let mut roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| PathBuf::from("target"), PathBuf::from);
        roots.push(target.join("criterion"));
    }
    let mut runs: BTreeMap<String, Vec<Estimate>> = BTreeMap::new();
    for root in &roots {
        let mut found = BTreeMap::new();
        collect(root, root, &mut found);
        if found.is_empty() {
            eprintln!(
                "no criterion results under `{}`; run `cargo bench -p kiro-benches` first",
                root.display()
            );
            return ExitCode::FAILURE;
        }
        for (id, estimate) in found {
            runs.entry(id).or_default().push(estimate);
        }
    }
    let estimates: BTreeMap<String, Estimate> = runs
        .into_iter()
        .map(|(id, mut all)| {
            all.sort_by(|a, b| a.median.total_cmp(&b.median));
            let middle = all[all.len() / 2];
            (id, middle)
        })
        .collect();
    println!(
        "{} run(s): {}",
        roots.len(),
        roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!();
    println!("| benchmark | median | 95% interval of the median (that run) |");
    println!("| --- | ---: | ---: |");
    for (id, e) in &estimates {
        println!(
            "| `{id}` | {} | {} – {} |",
            human(e.median),
            human(e.low),
            human(e.high)
        );
    }
    println!();
    println!("| ratio of medians | value | bar | met |");
    println!("| --- | ---: | --- | --- |");
    for &(what, num, den, bar) in RATIOS {
        let (Some(n), Some(d)) = (estimates.get(num), estimates.get(den)) else {
            continue;
        };
        let ratio = n.median / d.median;
        let met = match bar.split_once(' ') {
            Some((">=", k)) => k
                .parse::<f64>()
                .map_or("", |k| if ratio >= k { "yes" } else { "no" }),
            Some(("<=", k)) => k
                .parse::<f64>()
                .map_or("", |k| if ratio <= k { "yes" } else { "no" }),
            _ => "",
        };
        println!("| {what} | {ratio:.2}× | {bar} | {met} |");
    }
    ExitCode::SUCCESS
}
