//! `kiro run`: runs a policy's pipeline. Each stage's `run:` command runs with `sh -c` in its
//! own process group, its output kept in a log file per attempt, its metrics read from the
//! JSON (or YAML) file named in `$KIRO_METRICS`, and its exit gate checked on them. Progress
//! and the stages' output ([`console`](super::console)) go to standard error as they happen,
//! with the end of a failed stage's log; the result, in the chosen format, to standard output.
//! Ctrl-C stops the running stages and still reports the result.

use super::console::{self, Console, StageOutput};
use super::stages::{self, Groups, KillOnDrop, Message, Shown};
use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat, ReportTo, parse_report};
use crate::diagnostics::Failure;
use crate::exit;
use crate::io;
use clap::{Args, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiro::pipeline::{Event, HostRequest, HostRun, RunOptions, RunResult};
use kiro::render::{run_human, run_json, run_junit, run_markdown};
use kiro::units::duration::{format_duration, format_elapsed};
use kiro::{CompiledPolicy, KiroError, Verdict};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// `kiro run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The policy file (YAML, JSON or TOML), or `-` for standard input.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// How to report the result.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,

    /// Where to keep each stage's output and metrics file (default `.kiro/runs/<n>/`, the
    /// next free number).
    #[arg(long, value_name = "DIR")]
    pub logs: Option<PathBuf>,

    /// Run at most this many stages at once (overrides the pipeline's `max_parallel`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_parallel: Option<u32>,

    /// Keep running the stages that do not depend on a failed one (overrides `fail_fast`).
    #[arg(long)]
    pub no_fail_fast: bool,

    /// Exit with status 2 when the verdict is warn.
    #[arg(long)]
    pub fail_on_warn: bool,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT", alias = "format-policy")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour the progress and the report.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the result to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How to show what the stages print, on standard error (it is always in their logs):
    /// `stream` each line as it comes, prefixed by its stage; `group` each attempt's output in
    /// a `::group::` block when it ends (GitHub Actions folds them); `quiet`; `auto` is `group`
    /// when `GITHUB_ACTIONS=true`, else `stream`.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = StageOutput::Auto)]
    pub stage_output: StageOutput,

    /// How many lines from the end of a failed stage's log to show on standard error (0: none).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOG_TAIL)]
    pub log_tail: usize,

    /// Also write the result in another format to a file: `junit=kiro.xml` (replaces the
    /// file), `markdown+=summary.md` (appends, as for `$GITHUB_STEP_SUMMARY`). Repeatable.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report::<RunFormat>)]
    pub reports: Vec<ReportTo<RunFormat>>,
}

/// How many lines of a failed stage's log `kiro run` shows by default.
pub const DEFAULT_LOG_TAIL: usize = 20;

/// How `kiro run` reports the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A line per stage and the verdict.
    Human,
    /// The result's JSON.
    Json,
    /// JUnit XML, one test case per stage.
    Junit,
    /// Markdown for a CI job summary.
    Markdown,
}

/// Runs `kiro run`.
///
/// # Errors
/// A [`Failure`] when the policy cannot be read, is invalid or has no pipeline, or when the
/// log folder cannot be made.
pub fn run(args: &RunArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let policy = &loaded.policy;
    let cannot = |dir: &Path, e: &std::io::Error| {
        Failure::io(format!(
            "cannot make the log folder `{}`: {}",
            dir.display(),
            crate::io::io_message(e)
        ))
    };
    let logs = match &args.logs {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| cannot(dir, &e))?;
            dir.clone()
        }
        None => {
            let root = Path::new(".kiro/runs");
            claim_run_dir(root).map_err(|e| cannot(root, &e))?
        }
    };
    // The host has an action for each stage with a command; the others pass at once.
    let actions: Vec<&str> = policy
        .pipeline()
        .map(|p| p.stages())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.run.is_some())
        .map(|s| s.name.as_str())
        .collect();
    let options = RunOptions {
        max_parallel: args.max_parallel.map(|n| n as usize),
        fail_fast: args.no_fail_fast.then_some(false),
    };
    let run = HostRun::new(policy, &actions, options)
        .map_err(|e| Failure::in_source(e.diagnostics(), &loaded.file))?;
    let stderr_terminal = std::io::stderr().is_terminal();
    let mut progress = Progress::new(stderr_terminal, args.color.enabled(stderr_terminal));
    progress.line(&format!("logs: {}", logs.display()));
    let github_actions = std::env::var("GITHUB_ACTIONS").ok();
    let shown = Shown {
        console: progress.console.clone(),
        mode: args.stage_output.resolve(github_actions.as_deref()),
    };
    let (tx, rx) = mpsc::channel();
    let interrupt = tx.clone();
    // Ctrl-C, SIGTERM and SIGHUP (ctrlc's `termination` feature) all interrupt the run, which
    // kills the stages' process groups. Without a handler (one is already set) the run simply
    // cannot be interrupted.
    let _ = ctrlc::set_handler(move || {
        let _ = interrupt.send(Message::Interrupt);
    });
    let host = Host {
        policy,
        logs: logs.clone(),
        groups: Groups::default(),
        tx,
        shown,
        log_tail: args.log_tail,
    };
    let result = host.drive(run, &rx, &mut progress);
    progress.clear();
    let result = result.ok_or_else(|| Failure::io("the run ended without a result".to_owned()))?;
    // The result is kept beside the logs; failing to write it does not change the verdict.
    let _ = std::fs::write(logs.join("result.json"), run_json(&result));
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let report = render(args.format, &result, args.color.enabled(to_terminal));
    for extra in &args.reports {
        io::write_report(
            &extra.path,
            &render(extra.format, &result, false),
            extra.append,
        )?;
    }
    let code = match result.verdict {
        Verdict::Pass => exit::PASS,
        Verdict::Warn if args.fail_on_warn => exit::WARN_FAILED,
        Verdict::Warn => exit::PASS,
        Verdict::Fail => exit::FAIL,
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code,
    })
}

/// The run's result in `format`.
fn render(format: RunFormat, result: &RunResult, color: bool) -> String {
    match format {
        RunFormat::Human => run_human(result, color),
        RunFormat::Json => run_json(result),
        RunFormat::Junit => run_junit(result),
        RunFormat::Markdown => run_markdown(result),
    }
}

/// Makes and returns `root/<n>`, `n` one more than the largest number there. The folder is
/// claimed by creating it, which succeeds for one process only: two runs started together
/// never share a folder (the one that loses takes the next number).
fn claim_run_dir(root: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(root)?;
    let mut next = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    loop {
        next += 1;
        let dir = root.join(next.to_string());
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// The host side of a run: the clock, the stage processes and Ctrl-C, around the core's
/// state machine ([`HostRun`]).
struct Host<'p> {
    policy: &'p CompiledPolicy,
    logs: PathBuf,
    groups: Groups,
    tx: mpsc::Sender<Message>,
    shown: Shown,
    /// How many lines of a failed stage's log to show.
    log_tail: usize,
}

impl Host<'_> {
    /// The run loop: steps the run at the current time, carries out its requests, and waits
    /// for the next attempt to end, the next timer to fall due, or Ctrl-C. However it ends,
    /// every process group it started is killed.
    fn drive(
        &self,
        mut run: HostRun,
        rx: &Receiver<Message>,
        progress: &mut Progress,
    ) -> Option<RunResult> {
        let _kill = KillOnDrop(self.groups.clone());
        let origin = Instant::now();
        let now = || origin.elapsed().as_secs_f64() * 1000.0;
        // Per stage, the log of its latest attempt.
        let mut last_log: HashMap<String, PathBuf> = HashMap::new();
        loop {
            let step = run.step(now());
            for event in &step.events {
                progress.event(event);
                if let Event::Failed { stage, .. } = event
                    && let Some(log) = last_log.get(stage)
                {
                    self.show_tail(stage, log);
                }
            }
            for request in step.requests {
                match request {
                    HostRequest::Start { id, stage, attempt } => {
                        let stages = self
                            .policy
                            .pipeline()
                            .map(|p| p.stages())
                            .unwrap_or_default();
                        if let Some(position) = stages.iter().position(|s| s.name == stage) {
                            let stage = &stages[position];
                            let stem = stages::file_stem(&stage.name, position);
                            if stage.run.is_some() {
                                last_log.insert(
                                    stage.name.clone(),
                                    stages::log_file(&self.logs, &stem, attempt),
                                );
                            }
                            let attempt = stages::Attempt {
                                stage: stage.clone(),
                                stem,
                                id,
                                attempt,
                            };
                            stages::start(attempt, &self.logs, &self.groups, &self.tx, &self.shown);
                        }
                    }
                    HostRequest::Cancel { id } => self.groups.cancel(id),
                    // The loop wakes at the state's next due time; no timer of its own needed.
                    HostRequest::SetTimer { .. } | HostRequest::ClearTimer { .. } => {}
                }
            }
            if step.done {
                return run.result().cloned();
            }
            let message = match run.state().next_due_ms() {
                Some(due) => {
                    // The state's clock is the loop's, in whole milliseconds: wake a
                    // millisecond late rather than a fraction early.
                    #[expect(clippy::cast_precision_loss, reason = "milliseconds of one run")]
                    let wait = (due as f64 - now()).max(0.0) + 1.0;
                    match rx.recv_timeout(Duration::from_secs_f64(wait / 1000.0)) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return run.result().cloned(),
                    }
                }
                None => match rx.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return run.result().cloned(),
                },
            };
            // Everything that has happened by now, then one step.
            for message in message.into_iter().chain(rx.try_iter()) {
                match message {
                    Message::Ended(id, report) => run.complete(id, report),
                    Message::Interrupt => run.interrupt(),
                }
            }
        }
    }
}

impl Host<'_> {
    /// Shows the last lines of `log`, the log of failed `stage`'s latest attempt.
    fn show_tail(&self, stage: &str, log: &Path) {
        if self.log_tail == 0 {
            return;
        }
        let lines = console::tail(log, self.log_tail);
        if lines.is_empty() {
            return;
        }
        let mut block = Vec::with_capacity(lines.len() + 1);
        block.push(format!(
            "{stage}: the last {} of `{}`:",
            if lines.len() == 1 {
                "line".to_owned()
            } else {
                format!("{} lines", lines.len())
            },
            log.display()
        ));
        block.extend(lines.into_iter().map(|l| format!("  {l}")));
        self.shown.console.block(&block);
    }
}

/// The live display on standard error: a spinner per running stage on a terminal, a line per
/// event otherwise.
struct Progress {
    origin: Instant,
    color: bool,
    /// Standard error, above the spinners.
    console: Console,
    live: Option<(MultiProgress, HashMap<String, ProgressBar>)>,
}

impl Progress {
    fn new(terminal: bool, color: bool) -> Self {
        let live = terminal.then(|| {
            (
                MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                HashMap::new(),
            )
        });
        Self {
            origin: Instant::now(),
            color,
            console: Console::new(live.as_ref().map(|(multi, _)| multi.clone())),
            live,
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn line(&self, text: &str) {
        self.console.line(text);
    }

    fn event(&mut self, event: &Event) {
        let stage = event.stage().to_owned();
        let what = match event {
            Event::Queued { .. } => return,
            Event::Started { attempt, .. } => {
                let label = if *attempt > 1 {
                    format!("{stage} (attempt {attempt})")
                } else {
                    stage.clone()
                };
                if let Some((multi, bars)) = &mut self.live {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.set_message(label);
                    bar.enable_steady_tick(Duration::from_millis(100));
                    if let Some(old) = bars.insert(stage, bar) {
                        old.finish_and_clear();
                    }
                    return;
                }
                format!(
                    "started{}",
                    if *attempt > 1 {
                        format!(" (attempt {attempt})")
                    } else {
                        String::new()
                    }
                )
            }
            Event::Retried {
                reason, backoff_ms, ..
            } => format!(
                "{}, retrying in {}",
                self.paint("33", &format!("failed: {reason}")),
                format_duration(*backoff_ms)
            ),
            Event::TimedOut { timeout_ms, .. } => self.paint(
                "31",
                &format!("timed out after {}", format_duration(*timeout_ms)),
            ),
            Event::Passed {
                verdict,
                duration_ms,
                ..
            } => {
                let gate =
                    verdict.map_or_else(String::new, |v| format!(", exit gate {}", v.as_str()));
                format!(
                    "{} in {}{gate}",
                    self.paint("32", "passed"),
                    format_elapsed(*duration_ms)
                )
            }
            Event::Failed {
                reason, allowed, ..
            } => {
                let note = if *allowed {
                    " (continue_on_failure)"
                } else {
                    ""
                };
                format!(
                    "{}{note}: {reason}",
                    self.paint(if *allowed { "33" } else { "31" }, "failed")
                )
            }
            Event::Cancelled { reason, .. } => {
                format!("{}: {reason}", self.paint("2", "cancelled"))
            }
            Event::Skipped { reason, .. } => format!("{}: {reason}", self.paint("2", "skipped")),
        };
        let done = !matches!(event, Event::Retried { .. } | Event::TimedOut { .. });
        if let Some((_, bars)) = &mut self.live
            && done
            && let Some(bar) = bars.remove(event.stage())
        {
            bar.finish_and_clear();
        }
        let elapsed = self.origin.elapsed().as_secs_f64();
        self.line(&format!("[{elapsed:>7.1}s] {stage}: {what}"));
    }

    fn clear(&mut self) {
        if let Some((multi, bars)) = &mut self.live {
            for (_, bar) in bars.drain() {
                bar.finish_and_clear();
            }
            let _ = multi.clear();
        }
    }
}
