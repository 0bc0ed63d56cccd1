//! kiro's rollback monitor against pandas on 30 days of 15-second observations of 20 metrics
//! through 10 triggers (`kiro_benches::monitor`), measured turn about in one run.
//!
//! ```text
//! .venv/bin/pip install pandas
//! cargo run --release -p kiro-benches --bin monitor-vs-pandas [-- --rounds 10 --python PATH]
//! ```
//!
//! pandas runs in `benches/monitor_pandas.py --serve` (rolling windows, the held-for logic
//! vectorised with NumPy) on a DataFrame built beforehand; kiro's side replays the same
//! observations, built beforehand as events, from a new monitor with
//! [`kiro::monitor::advance`] (state, windows, counters and effects; the decisions with their
//! explanations not written). Both sides must find the same actions at the same times before
//! anything is timed.

use kiro::CompiledPolicy;
use kiro_benches::monitor::{MONITOR_POLICY, THIRTY_DAYS, backtest, digest, events};
use kiro_benches::turnabout::{Peer, Sample, load, options, report, time};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("monitor-vs-pandas: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let options = options()?;
    let policy = CompiledPolicy::from_text(MONITOR_POLICY, None).map_err(|e| e.to_string())?;
    let events = events(THIRTY_DAYS);
    let (state, acts) = backtest(&policy, &events);
    let (n, d) = digest(&acts);
    let day = backtest(&policy, &events[..THIRTY_DAYS / 30]).0;
    let size = |s: &kiro::monitor::MonitorState| s.save(&policy).map(|t| t.len());
    let sizes = (size(&day), size(&state));
    drop(state);
    let shape = format!("acts {n} digest {d}");
    let mut pandas = Peer::start(
        &options.python,
        "monitor_pandas.py",
        "install pandas: .venv/bin/pip install pandas",
    )?;
    if pandas.shape != shape {
        return Err(format!(
            "the two sides found different actions: kiro `{shape}`, pandas `{}`",
            pandas.shape
        ));
    }
    let load_before = load();
    let time_kiro = || time(|| backtest(&policy, &events));
    pandas.time("run")?;
    time_kiro();
    let (mut kiro, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        theirs.push(pandas.time("run")?);
        kiro.push(time_kiro());
    }
    drop(pandas);
    println!(
        "{THIRTY_DAYS} observations of 20 metrics, 10 triggers; the same {n} actions on both sides"
    );
    let ratio = report(
        ("kiro: advance over every observation", &kiro),
        ("pandas: rolling windows + vectorised held-for", &theirs),
        &load_before,
    );
    let best = |f: fn(&Sample) -> Option<f64>| {
        kiro.iter()
            .filter_map(f)
            .min_by(f64::total_cmp)
            .unwrap_or(f64::NAN)
    };
    let (wall, cpu) = (best(|s| Some(s.wall)), best(|s| s.cpu));
    println!();
    println!(
        "kiro, best run: {:.2} µs per observation wall clock, {:.2} µs CPU time \
         ({:.0} observations per CPU second)",
        wall / THIRTY_DAYS as f64 * 1e6,
        cpu / THIRTY_DAYS as f64 * 1e6,
        THIRTY_DAYS as f64 / cpu
    );
    if let (Ok(day), Ok(month)) = sizes {
        println!("saved monitor state: {day} bytes after 1 day, {month} bytes after 30 days");
    }
    if let Some(r) = ratio {
        println!(
            "bar (kiro at least 50x faster than pandas, pandas' best against kiro's mean): {}",
            if r >= 50.0 { "met" } else { "not met" }
        );
    }
    Ok(())
}
