//! `kiro watch`: runs a policy's rollback triggers over a live Prometheus. Every interval it
//! queries each metric's PromQL, steps the monitor with the host's clock, shows each
//! trigger's progress, and writes every decision as a JSON line for the host to act on; it
//! exits by the outcome.

mod display;
mod queries;

use super::replay::{boolean_metrics, exit_code, render::final_line};
use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io;
use clap::Args;
use display::Display;
use kiro::monitor::{MonitorDecision, MonitorEvent, MonitorState, step};
use kiro::units::duration::parse_duration;
use kiro::{Code, CompiledPolicy, Diagnostic, KiroError};
use kiro_adapters::prometheus::client::{Client, Config};
use kiro_adapters::prometheus::reading::boolean;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// `kiro watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The policy file (YAML, JSON or TOML) with `triggers`.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The Prometheus server: `http://host:9090` (a path prefix is kept).
    #[arg(long, value_name = "URL")]
    pub prometheus: String,

    /// The PromQL that gives a metric, in the metric's declared unit (`error_rate='100 *
    /// sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))'`). Repeatable; a metric
    /// without a query has no data.
    #[arg(long = "query", value_name = "NAME=PROMQL")]
    pub queries: Vec<String>,

    /// How often to query and observe.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = duration_arg)]
    pub interval: Duration,

    /// Watch this long, then end the analysis (the final verdict says what was seen).
    #[arg(long = "for", value_name = "DURATION", value_parser = duration_arg, conflicts_with = "until_final")]
    pub duration: Option<Duration>,

    /// Watch until the monitor ends (a rollback or promotion is called for) or is
    /// interrupted. The default.
    #[arg(long)]
    pub until_final: bool,

    /// Write every decision as a line of JSON to this file (appended), or `-` for standard
    /// output.
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,

    /// Keep the monitor's state in this file: read at the start when it exists (a restarted
    /// watch resumes), written after every decision.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// How long one query may take.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration_arg)]
    pub timeout: Duration,

    /// How many times a failed query is tried again (connection errors, timeouts, HTTP 5xx
    /// and 429) before it reads as a source error.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retries: u32,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// A duration on the command line (`15s`, `1m30s`), longer than zero.
fn duration_arg(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        0 => Err("must be longer than 0".to_owned()),
        ms => Ok(Duration::from_millis(ms)),
    }
}

/// The host's clock, in milliseconds since 1970.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// What the watch waits for between rounds.
enum Message {
    /// Ctrl-C or SIGTERM.
    Interrupt,
}

/// Where decisions are written as JSON lines.
enum Sink {
    None,
    Stdout,
    File(std::fs::File, PathBuf),
}

impl Sink {
    fn open(path: Option<&Path>) -> Result<Sink, Failure> {
        match path {
            None => Ok(Sink::None),
            Some(p) if io::is_stdin(p) => Ok(Sink::Stdout),
            Some(p) => std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map(|f| Sink::File(f, p.to_owned()))
                .map_err(|e| {
                    Failure::io(format!(
                        "cannot open `{}`: {}",
                        p.display(),
                        io::io_message(&e)
                    ))
                }),
        }
    }

    fn write(&mut self, d: &MonitorDecision) -> Result<(), Failure> {
        let mut line = serde_json::to_string(d).unwrap_or_default();
        line.push('\n');
        let written = match self {
            Sink::None => return Ok(()),
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(line.as_bytes()).and_then(|()| out.flush())
            }
            Sink::File(f, _) => f.write_all(line.as_bytes()).and_then(|()| f.flush()),
        };
        written.map_err(|e| {
            let to = match self {
                Sink::File(_, p) => format!("`{}`", p.display()),
                _ => "standard output".to_owned(),
            };
            Failure::io(format!(
                "cannot write the decisions to {to}: {}",
                io::io_message(&e)
            ))
        })
    }
}

/// The monitor being watched, its state kept in a file when asked.
struct Watched<'a> {
    policy: &'a CompiledPolicy,
    state: MonitorState,
    state_file: Option<&'a Path>,
    sources: Vec<SourceFile>,
    last: Option<MonitorDecision>,
    sink: Sink,
}

impl Watched<'_> {
    /// The time of the next event: the host's clock, but never at or before the last event
    /// (a clock set back, or a state saved by a host whose clock ran ahead).
    fn next_ms(&self) -> u64 {
        let now = now_ms();
        self.state.last_ms().map_or(now, |last| now.max(last + 1))
    }

    /// Steps the monitor, writes the decision and the state, shows it.
    fn take(&mut self, event: &MonitorEvent, display: &mut Display) -> Result<(), Failure> {
        let decision = step(&mut self.state, self.policy, event)
            .map_err(|e| Failure::in_sources(e.diagnostics(), &self.sources))?;
        self.sink.write(&decision)?;
        self.save()?;
        display.decision(self.last.as_ref(), &decision);
        self.last = Some(decision);
        Ok(())
    }

    fn save(&self) -> Result<(), Failure> {
        let Some(path) = self.state_file else {
            return Ok(());
        };
        let text = self
            .state
            .save(self.policy)
            .map_err(|e| Failure::in_sources(e.diagnostics(), &self.sources))?;
        // Written beside the file, then renamed over it: a crash never leaves half a state.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| {
                Failure::io(format!(
                    "cannot write the state to `{}`: {}",
                    path.display(),
                    io::io_message(&e)
                ))
            })
    }

    fn ended(&self) -> bool {
        self.last
            .as_ref()
            .is_some_and(|d| d.final_verdict.is_some())
    }
}

/// The monitor's state: read from `path` when it exists, else new.
fn initial_state(
    policy: &CompiledPolicy,
    path: Option<&Path>,
    policy_file: &SourceFile,
) -> Result<(MonitorState, Option<SourceFile>), Failure> {
    let new =
        || MonitorState::new(policy).map_err(|e| Failure::in_source(e.diagnostics(), policy_file));
    let Some(path) = path.filter(|p| p.exists()) else {
        return Ok((new()?, None));
    };
    let file = io::read_input(path, io::InputKind::Samples)?;
    let file = SourceFile {
        source: "state".to_owned(),
        ..file
    };
    let state = MonitorState::restore(policy, &file.text).map_err(|e| {
        let located: Vec<Diagnostic> = e
            .diagnostics()
            .iter()
            .map(|d| d.clone().with_source("state"))
            .collect();
        Failure::in_sources(&located, std::slice::from_ref(&file))
    })?;
    if state.is_ended() {
        return Err(Failure::diagnostic(
            Diagnostic::error(
                Code::UnexpectedEvent,
                format!(
                    "the monitor saved in `{}` has already ended",
                    path.display()
                ),
            )
            .with_help("remove the state file to watch a new deployment"),
        ));
    }
    Ok((state, Some(file)))
}

/// Runs `kiro watch`.
///
/// # Errors
/// A [`Failure`] when the policy is invalid or has no triggers, a `--query` is not
/// `NAME=PROMQL` or names an undeclared metric, the URL is not a Prometheus URL, the state
/// file cannot be read or belongs to another policy, or the decisions or the state cannot be
/// written. A Prometheus that is down, slow or answers nonsense is not a failure: each query
/// reads as a source error in the trace.
pub fn run(args: &WatchArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let policy = &loaded.policy;
    let metrics = policy.metric_names();
    let queries = queries::parse(&args.queries, &metrics).map_err(Failure::diagnostic)?;
    let booleans = boolean_metrics(policy);
    let config = Config {
        timeout: args.timeout,
        retries: args.retries,
        ..Config::default()
    };
    let client = Client::new(&args.prometheus, config).map_err(|message| {
        Failure::diagnostic(
            Diagnostic::error(Code::InvalidValue, message).with_source("--prometheus"),
        )
    })?;
    let (state, state_source) = initial_state(policy, args.state.as_deref(), &loaded.file)?;
    let resumed = state.last_ms().is_some();
    let mut sources = vec![loaded.file.clone()];
    sources.extend(state_source);
    let stdout_jsonl = args.jsonl.as_deref().is_some_and(io::is_stdin);
    let mut watched = Watched {
        policy,
        state,
        state_file: args.state.as_deref(),
        sources,
        last: None,
        sink: Sink::open(args.jsonl.as_deref())?,
    };

    let (tx, rx) = mpsc::channel();
    // Ctrl-C and SIGTERM (the `termination` feature of ctrlc). Without a handler (one is
    // already set) the watch simply cannot be interrupted.
    let _ = ctrlc::set_handler(move || {
        let _ = tx.send(Message::Interrupt);
    });

    let start_ms = watched.next_ms();
    let started = Instant::now();
    let mut display = Display::new(std::io::stderr().is_terminal(), start_ms);
    display.line(&format!(
        "watching {} with {} every {}{}{}",
        policy.name(),
        client.url(),
        kiro::units::duration::format_duration(millis(args.interval)),
        args.duration.map_or_else(String::new, |d| format!(
            " for {}",
            kiro::units::duration::format_duration(millis(d))
        )),
        if resumed {
            " (resumed from the saved state)"
        } else {
            ""
        }
    ));
    let unqueried: Vec<&str> = metrics
        .iter()
        .copied()
        .filter(|m| !queries.contains_key(*m))
        .collect();
    if !unqueried.is_empty() {
        display.line(&format!("no query, so no data: {}", unqueried.join(", ")));
    }

    let mut next_round = started;
    let mut interrupted = false;
    // The last deadline a tick was sent for: a deadline is woken for once.
    let mut woken: Option<u64> = None;
    while !watched.ended() {
        let now = Instant::now();
        let end_at = args.duration.map(|d| started + d);
        if end_at.is_some_and(|end| now >= end) {
            let at_ms = watched.next_ms();
            watched.take(&MonitorEvent::End { at_ms }, &mut display)?;
            break;
        }
        if now >= next_round {
            let at_ms = watched.next_ms();
            let values: BTreeMap<_, _> = queries
                .iter()
                .map(|(metric, promql)| {
                    let reading = client.query(promql, at_ms);
                    let reading = if booleans.contains(&metric.as_str()) {
                        boolean(reading)
                    } else {
                        reading
                    };
                    (metric.clone(), reading)
                })
                .collect();
            watched.take(&MonitorEvent::Observe { at_ms, values }, &mut display)?;
            // The next round keeps the cadence; a round that overran starts the next at once.
            next_round += args.interval;
            continue;
        }
        // Wait for the next round, the end, or a deadline the monitor asked to be woken at.
        let wake_ms = watched
            .last
            .as_ref()
            .and_then(|d| d.wake_at_ms)
            .filter(|w| woken != Some(*w));
        let wake = wake_ms.map(|w| now + Duration::from_millis(w.saturating_sub(now_ms())));
        let until = [Some(next_round), end_at, wake]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(next_round);
        match rx.recv_timeout(until.saturating_duration_since(now)) {
            Ok(Message::Interrupt) => {
                interrupted = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(until.saturating_duration_since(now));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if wake.is_some_and(|w| Instant::now() >= w && Instant::now() < next_round) {
            woken = wake_ms;
            let at_ms = watched.next_ms();
            watched.take(&MonitorEvent::Tick { at_ms }, &mut display)?;
        }
    }
    if interrupted {
        // The saved state stays at the last observation, so that a restarted watch resumes;
        // the abort's decision (what had been seen) is written for the host.
        let at_ms = watched.next_ms();
        watched.state_file = None;
        watched.take(
            &MonitorEvent::Abort {
                at_ms,
                reason: Some("interrupted".to_owned()),
            },
            &mut display,
        )?;
    }
    display.clear();
    let verdict = watched.last.as_ref().and_then(|d| d.final_verdict.as_ref());
    let summary = verdict.map_or_else(
        || "the watch ended without a verdict".to_owned(),
        |f| {
            format!(
                "{} {}",
                crate::commands::replay::render::offset(f.at_ms, start_ms),
                final_line(f)
            )
        },
    );
    let code = if interrupted {
        exit::INTERRUPTED
    } else {
        verdict.map_or(exit::PASS, exit_code)
    };
    let report = if stdout_jsonl {
        eprintln!("{summary}");
        String::new()
    } else {
        format!("{summary}\n")
    };
    Ok(Outcome {
        report,
        output: None,
        code,
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
