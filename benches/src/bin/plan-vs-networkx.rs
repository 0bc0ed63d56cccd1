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
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// kiro plans per round (one networkx plan takes about as long as 20 of them).
const KIRO_PER_ROUND: usize = 10;

/// One timing: wall clock and, where the system tells, this thread's CPU time, in seconds.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: Option<f64>,
}

/// This thread's CPU time so far (Linux: `/proc/thread-self/schedstat`), in seconds.
fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Best, median and mean of some times.
fn stats(mut times: Vec<f64>) -> Option<(f64, f64, f64)> {
    if times.is_empty() {
        return None;
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    Some((times[0], times[times.len() / 2], mean))
}

/// The 1-, 5- and 15-minute load averages (Linux), for the record.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

struct Options {
    rounds: usize,
    python: PathBuf,
}

fn options() -> Result<Options, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut options = Options {
        rounds: 10,
        python: root.join("../.venv/bin/python"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--rounds", Some(n)) => {
                options.rounds = n
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--rounds takes a positive number")?;
            }
            ("--python", Some(path)) => options.python = PathBuf::from(path),
            _ => {
                return Err(format!(
                    "unknown argument `{arg}` (--rounds N, --python PATH)"
                ));
            }
        }
    }
    Ok(options)
}

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

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("networkx_plan.py");
    let mut child = Command::new(&options.python)
        .arg(&script)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run `{} {}`: {e} (install networkx: .venv/bin/pip install networkx, \
                 or pass --python)",
                options.python.display(),
                script.display()
            )
        })?;
    let mut to_networkx = child.stdin.take().ok_or("no pipe to networkx")?;
    let mut from_networkx = BufReader::new(child.stdout.take().ok_or("no pipe from networkx")?);
    let mut line = String::new();
    let mut read_line = |line: &mut String| -> Result<(), String> {
        line.clear();
        match from_networkx.read_line(line) {
            Ok(0) => Err("networkx stopped (is it installed?)".to_owned()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("reading from networkx: {e}")),
        }
    };
    read_line(&mut line)?;
    if line.trim() != shape {
        return Err(format!(
            "not the same graph: kiro has `{shape}`, networkx `{}`",
            line.trim()
        ));
    }

    let load_before = load();
    let mut time_networkx = |line: &mut String| -> Result<Sample, String> {
        writeln!(to_networkx, "plan").map_err(|e| format!("writing to networkx: {e}"))?;
        to_networkx
            .flush()
            .map_err(|e| format!("writing to networkx: {e}"))?;
        read_line(line)?;
        let mut parts = line.split_whitespace().map(str::parse::<f64>);
        match (parts.next(), parts.next()) {
            (Some(Ok(wall)), Some(Ok(cpu))) => Ok(Sample {
                wall,
                cpu: Some(cpu),
            }),
            _ => Err(format!(
                "unexpected answer from networkx: `{}`",
                line.trim()
            )),
        }
    };
    let time_kiro = || -> Sample {
        let (wall, cpu) = (Instant::now(), thread_cpu());
        drop(black_box(plan_pipeline(reference(), black_box(&decl))));
        Sample {
            wall: wall.elapsed().as_secs_f64(),
            cpu: cpu.zip(thread_cpu()).map(|(a, b)| b - a),
        }
    };
    // Warm-up: caches, allocator, Python's first call.
    time_networkx(&mut line)?;
    for _ in 0..3 {
        time_kiro();
    }
    let (mut kiro, mut networkx) = (Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        networkx.push(time_networkx(&mut line)?);
        for _ in 0..KIRO_PER_ROUND {
            kiro.push(time_kiro());
        }
    }
    drop(to_networkx);
    let _ = child.wait();

    report(&shape, &kiro, &networkx, &load_before);
    Ok(())
}

fn report(shape: &str, kiro: &[Sample], networkx: &[Sample], load_before: &str) {
    let wall = |s: &[Sample]| stats(s.iter().map(|s| s.wall).collect());
    let cpu = |s: &[Sample]| stats(s.iter().filter_map(|s| s.cpu).collect());
    let ms = |t: Option<(f64, f64, f64)>| {
        t.map_or_else(
            || "n/a | n/a | n/a".to_owned(),
            |(best, median, mean)| {
                format!(
                    "{:.1} ms | {:.1} ms | {:.1} ms",
                    best * 1e3,
                    median * 1e3,
                    mean * 1e3
                )
            },
        )
    };
    println!("100,000-stage DAG, the same on both sides: {shape}");
    println!(
        "load average (1, 5, 15 min): {load_before} before, {} after",
        load()
    );
    println!();
    println!(
        "| what | runs | best | median | mean | CPU best | CPU median | CPU mean |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|"
    );
    println!(
        "| kiro: plan_pipeline | {} | {} | {} |",
        kiro.len(),
        ms(wall(kiro)),
        ms(cpu(kiro))
    );
    println!(
        "| networkx: topological sort + dag_longest_path | {} | {} | {} |",
        networkx.len(),
        ms(wall(networkx)),
        ms(cpu(networkx))
    );
    println!();
    let ratio = |k: Option<(f64, f64, f64)>, n: Option<(f64, f64, f64)>| {
        k.zip(n).map(|((kb, kmed, kmean), (nb, nmed, nmean))| {
            [nmean / kmean, nb / kb, nmed / kmed, nb / kmean]
        })
    };
    println!(
        "| kiro's share of networkx's time | mean / mean | best / best | median / median | kiro mean / networkx best |\n\
         |---|---:|---:|---:|---:|"
    );
    for (what, r) in [
        ("wall clock", ratio(wall(kiro), wall(networkx))),
        ("CPU time", ratio(cpu(kiro), cpu(networkx))),
    ] {
        if let Some(r) = r {
            println!(
                "| {what} | 1/{:.1} | 1/{:.1} | 1/{:.1} | 1/{:.1} |",
                r[0], r[1], r[2], r[3]
            );
        }
    }
    if let Some(r) = ratio(wall(kiro), wall(networkx)) {
        println!();
        println!(
            "bar (kiro's plan in under 1/10 of networkx's time, wall clock, kiro's mean against \
             networkx's best): {}",
            if r[3] > 10.0 { "met" } else { "not met" }
        );
    }
}
