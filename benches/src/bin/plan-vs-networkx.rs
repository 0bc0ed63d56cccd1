//! kiro's pipeline plan against networkx on the same 100,000-stage random DAG, measured turn
//! about in one run, so that both see the same load on a shared machine.
//!
//! ```text
//! .venv/bin/pip install networkx
//! cargo run --release -p kiro-benches --bin plan-vs-networkx [-- --rounds 10 --python PATH]
//! ```
//!
//! networkx runs in `benches/networkx_plan.py --serve` (a topological sort and
//! `dag_longest_path` on a graph built beforehand); kiro's side is
//! [`kiro::pipeline::plan_pipeline`] on the pipeline model (names resolved, duplicates and
//! cycles checked, waves, earliest and latest times, slack and the critical path, every stage
//! with its names), the returned plan dropped inside the timing. Each round times networkx
//! once and kiro [`KIRO_PER_ROUND`] times. The graphs are checked to be the same (edges,
//! critical-path length and total) before anything is timed.

use kiro::pipeline::plan_pipeline;
use kiro_benches::pipeline::{STAGES, edges, pipeline, random_dag, reference};
use kiro_benches::turnabout::{Peer, load, options, report, time};
use std::hint::black_box;
use std::process::ExitCode;

/// kiro plans per round (one networkx plan takes about as long as 20 of them).
const KIRO_PER_ROUND: usize = 10;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plan-vs-networkx: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let options = options()?;
    let graph = random_dag(STAGES);
    let decl = pipeline(&graph);
    let plan = plan_pipeline(reference(), &decl).map_err(|d| format!("not a DAG: {d:?}"))?;
    let shape = format!(
        "edges {} path {} total {}",
        edges(&graph),
        plan.critical_path.len(),
        plan.total_ms / 1_000
    );
    drop(plan);
    let mut networkx = Peer::start(
        &options.python,
        "networkx_plan.py",
        "install networkx: .venv/bin/pip install networkx",
    )?;
    if networkx.shape != shape {
        return Err(format!(
            "not the same graph: kiro has `{shape}`, networkx `{}`",
            networkx.shape
        ));
    }
    let load_before = load();
    let time_kiro = || time(|| plan_pipeline(reference(), black_box(&decl)));
    // Warm-up: caches, allocator, Python's first call.
    networkx.time("plan")?;
    for _ in 0..3 {
        time_kiro();
    }
    let (mut kiro, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        theirs.push(networkx.time("plan")?);
        for _ in 0..KIRO_PER_ROUND {
            kiro.push(time_kiro());
        }
    }
    drop(networkx);
    println!("100,000-stage DAG, the same on both sides: {shape}");
    let ratio = report(
        ("kiro: plan_pipeline", &kiro),
        ("networkx: topological sort + dag_longest_path", &theirs),
        &load_before,
    );
    if let Some(r) = ratio {
        println!();
        println!(
            "bar (kiro's plan in under 1/10 of networkx's time, wall clock, kiro's mean against \
             networkx's best): {}",
            if r > 10.0 { "met" } else { "not met" }
        );
    }
    Ok(())
}
