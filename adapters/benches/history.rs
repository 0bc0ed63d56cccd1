//! The history stores measured: record 100,000 decisions into SQLite and into PostgreSQL, one
//! transaction each as `kiro check --record` does, and query a 5-run baseline (the last five
//! passing decisions of a policy on a branch) — decisions per second and query latency.
//!
//! ```sh
//! cargo bench -p kiro-adapters --features postgres --bench history
//! KIRO_BENCH_DECISIONS=10000 cargo bench -p kiro-adapters --features postgres --bench history
//! ```
//!
//! Both stores keep their default durability: SQLite in WAL mode with `synchronous=FULL` (the
//! write-ahead log synced at each commit), a PostgreSQL cluster made by `initdb` in a scratch
//! folder with `fsync` and `synchronous_commit` on, over TCP on the loopback. Without
//! `--bench` (as `cargo test --benches` runs it) it records 200 decisions, to show it works.

#![allow(clippy::unwrap_used, reason = "a bench fails by panicking")]
#![allow(missing_docs, reason = "a bench binary")]

#[path = "../tests/postgres_server/mod.rs"]
mod postgres_server;

use kiro::{Decision, Format, Selection};
use kiro_adapters::history::{Context, Filter, History, Location, Store};
use std::path::Path;
use std::time::{Duration, Instant};

const BRANCHES: [&str; 10] = [
    "main", "mr-1", "mr-2", "mr-3", "mr-4", "mr-5", "mr-6", "mr-7", "mr-8", "mr-9",
];

/// The kova decisions for pass, warn and fail metrics, with their inputs.
fn decisions() -> Vec<(Decision, serde_json::Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kova");
    let policy = std::fs::read_to_string(root.join("kiro.yaml")).unwrap();
    let policy = kiro::CompiledPolicy::from_text(&policy, None).unwrap();
    ["pass", "warn", "fail"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(root.join(format!("metrics/{name}.json"))).unwrap();
            let decision = policy
                .check_text(&text, Format::Json, &Selection::default())
                .unwrap();
            let inputs = serde_json::json!({
                "metrics": serde_json::from_str::<serde_json::Value>(&text).unwrap(),
                "metrics_file": format!("metrics/{name}.json"),
            });
            (decision, inputs)
        })
        .collect()
}

struct Figures {
    store: &'static str,
    recorded: usize,
    record_time: Duration,
    latencies: Vec<Duration>,
    baseline_ids: Vec<i64>,
}

fn measure(store: &'static str, location: &Location, n: usize, queries: usize) -> Figures {
    let made = decisions();
    let mut history = History::open(location).unwrap();
    let start = Instant::now();
    for i in 0..n {
        // Five in seven pass, one warns, one fails; ten branches, a minute apart.
        let (decision, inputs) = &made[match i % 7 {
            3 => 1,
            5 => 2,
            _ => 0,
        }];
        let context = Context {
            at_ms: 1_764_547_200_000 + 60_000 * i as u64,
            commit: Some(format!("{i:040x}")),
            branch: Some(BRANCHES[(i / 3) % BRANCHES.len()].to_owned()),
            environment: None,
            pipeline: Some(i.to_string()),
        };
        history.record(decision, inputs, &context).unwrap();
    }
    let record_time = start.elapsed();
    let (latencies, baseline_ids) = query(&mut history, queries);
    Figures {
        store,
        recorded: n,
        record_time,
        latencies,
        baseline_ids,
    }
}

/// Times `queries` 5-run baselines: the latencies, sorted, and the runs found.
fn query(history: &mut History, queries: usize) -> (Vec<Duration>, Vec<i64>) {
    let filter = Filter::baseline("kova-web", Some("main"), 5);
    let mut latencies = Vec::with_capacity(queries);
    let mut baseline_ids = Vec::new();
    for _ in 0..queries {
        let start = Instant::now();
        let records = history.records(&filter).unwrap();
        latencies.push(start.elapsed());
        baseline_ids = records.iter().map(|r| r.entry.id).collect();
    }
    assert_eq!(baseline_ids.len(), 5);
    latencies.sort_unstable();
    (latencies, baseline_ids)
}

fn report(f: &Figures) {
    let rate = f.recorded as f64 / f.record_time.as_secs_f64();
    let at = |q: f64| {
        let i = ((f.latencies.len() as f64 - 1.0) * q).round() as usize;
        f.latencies[i].as_secs_f64() * 1e3
    };
    println!(
        "{:<10} recorded {} decisions in {:.1} s: {:.0} decisions/s; 5-run baseline query \
         (n={}): median {:.3} ms, p95 {:.3} ms (runs {:?})",
        f.store,
        f.recorded,
        f.record_time.as_secs_f64(),
        rate,
        f.latencies.len(),
        at(0.5),
        at(0.95),
        f.baseline_ids
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full {
        std::env::var("KIRO_BENCH_DECISIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000)
    } else {
        200
    };
    let queries = if full { 1_000 } else { 20 };

    let dir = tempfile::tempdir().unwrap();
    let sqlite = measure(
        "SQLite",
        &Location::File(dir.path().join("history.db")),
        n,
        queries,
    );
    report(&sqlite);
    let size = std::fs::metadata(dir.path().join("history.db")).map_or(0, |m| m.len());
    println!("SQLite     file {:.0} MB", size as f64 / 1e6);

    match postgres_server::PgServer::start(true) {
        Some(server) => {
            let url = server.database("bench");
            let location = Location::Postgres(url);
            let mut pg = measure("PostgreSQL", &location, n, queries);
            report(&pg);
            // Right after a bulk load the planner has no statistics yet and may fetch every
            // row of the branch; autovacuum's ANALYZE comes within a minute. The query again
            // once it has them, as a history that grows run by run always does.
            server.psql("bench", "ANALYZE kiro_decisions");
            let mut history = History::open(&location).unwrap();
            (pg.latencies, pg.baseline_ids) = query(&mut history, queries);
            pg.store = "PG+ANALYZE";
            report(&pg);
            println!(
                "PostgreSQL table {}",
                server.psql(
                    "bench",
                    "SELECT pg_size_pretty(pg_total_relation_size('kiro_decisions'))"
                )
            );
        }
        None => println!("PostgreSQL SKIPPED (see above)"),
    }
}
