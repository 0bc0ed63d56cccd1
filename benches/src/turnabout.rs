//! kiro against a Python peer, timed turn about in one run so that both see the same load on a
//! shared machine: the peer runs as a child process (`script --serve`) that first prints a line
//! describing its input (checked against kiro's before anything is timed), then answers each
//! command line on standard input with `<wall seconds> <CPU seconds>` of one timed run.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

/// One timing: wall clock and, where the system tells, this thread's CPU time, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Wall-clock seconds.
    pub wall: f64,
    /// This thread's CPU seconds, when the system tells.
    pub cpu: Option<f64>,
}

/// This thread's CPU time so far (Linux: `/proc/thread-self/schedstat`), in seconds.
fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Times `f` once on this thread.
pub fn time<T>(f: impl FnOnce() -> T) -> Sample {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    drop(std::hint::black_box(f()));
    Sample {
        wall: wall.elapsed().as_secs_f64(),
        cpu: cpu.zip(thread_cpu()).map(|(a, b)| b - a),
    }
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
#[must_use]
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// The command line every comparison bin takes: `--rounds N` and `--python PATH`.
#[derive(Debug)]
pub struct Options {
    /// Rounds of timing.
    pub rounds: usize,
    /// The Python that runs the peer (the project's `.venv` by default).
    pub python: PathBuf,
}

/// Reads [`Options`] from the process's arguments.
///
/// # Errors
/// A message for an unknown argument or a bad count.
pub fn options() -> Result<Options, String> {
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

/// The Python peer, serving timed runs.
pub struct Peer {
    child: Child,
    to: Option<ChildStdin>,
    from: BufReader<ChildStdout>,
    /// The line the peer printed about its input.
    pub shape: String,
}

impl Peer {
    /// Starts `python script --serve` from the benches folder and reads its first line.
    ///
    /// # Errors
    /// A message when the peer cannot start or stops at once (`install` says what it needs).
    pub fn start(python: &Path, script: &str, install: &str) -> Result<Peer, String> {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(script);
        let mut child = Command::new(python)
            .arg(&script)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot run `{} {}`: {e} ({install}, or pass --python)",
                    python.display(),
                    script.display()
                )
            })?;
        let to = child.stdin.take().ok_or("no pipe to the peer")?;
        let from = BufReader::new(child.stdout.take().ok_or("no pipe from the peer")?);
        let mut peer = Peer {
            child,
            to: Some(to),
            from,
            shape: String::new(),
        };
        peer.shape = peer.read_line().map_err(|e| format!("{e} ({install}?)"))?;
        Ok(peer)
    }

    fn read_line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.from.read_line(&mut line) {
            Ok(0) => Err("the Python peer stopped".to_owned()),
            Ok(_) => Ok(line.trim().to_owned()),
            Err(e) => Err(format!("reading from the Python peer: {e}")),
        }
    }

    /// Sends `command` and reads the timing of the run it asks for.
    ///
    /// # Errors
    /// A message when the peer stops or answers something else.
    pub fn time(&mut self, command: &str) -> Result<Sample, String> {
        let to = self.to.as_mut().ok_or("the peer's input is closed")?;
        writeln!(to, "{command}")
            .and_then(|()| to.flush())
            .map_err(|e| format!("writing to the Python peer: {e}"))?;
        let line = self.read_line()?;
        let mut parts = line.split_whitespace().map(str::parse::<f64>);
        match (parts.next(), parts.next()) {
            (Some(Ok(wall)), Some(Ok(cpu))) => Ok(Sample {
                wall,
                cpu: Some(cpu),
            }),
            _ => Err(format!("unexpected answer from the Python peer: `{line}`")),
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.to.take());
        let _ = self.child.wait();
    }
}

/// Prints the timings of both sides and kiro's share of the peer's time as Markdown tables;
/// returns the wall-clock ratio of the peer's best to kiro's mean, the figure bars are set on.
#[must_use]
pub fn report(kiro: (&str, &[Sample]), peer: (&str, &[Sample]), load_before: &str) -> Option<f64> {
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
    println!(
        "load average (1, 5, 15 min): {load_before} before, {} after",
        load()
    );
    println!();
    println!(
        "| what | runs | best | median | mean | CPU best | CPU median | CPU mean |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (what, samples) in [kiro, peer] {
        println!(
            "| {what} | {} | {} | {} |",
            samples.len(),
            ms(wall(samples)),
            ms(cpu(samples))
        );
    }
    println!();
    let ratio = |k: Option<(f64, f64, f64)>, n: Option<(f64, f64, f64)>| {
        k.zip(n).map(|((kb, kmed, kmean), (nb, nmed, nmean))| {
            [nmean / kmean, nb / kb, nmed / kmed, nb / kmean]
        })
    };
    println!(
        "| peer's time / kiro's | mean / mean | best / best | median / median | peer best / kiro mean |\n\
         |---|---:|---:|---:|---:|"
    );
    for (what, r) in [
        ("wall clock", ratio(wall(kiro.1), wall(peer.1))),
        ("CPU time", ratio(cpu(kiro.1), cpu(peer.1))),
    ] {
        if let Some(r) = r {
            println!(
                "| {what} | {:.2} | {:.2} | {:.2} | {:.2} |",
                r[0], r[1], r[2], r[3]
            );
        }
    }
    ratio(wall(kiro.1), wall(peer.1)).map(|r| r[3])
}
