//! `kiro run`: runs a policy's pipeline. Each stage's `run:` command runs with `sh -c` in its
//! own process group, its output kept in a log file per attempt, its metrics read from the
//! JSON (or YAML) file named in `$KIRO_METRICS`, and its exit gate checked on them. Progress
//! goes to standard error as it happens; the result, in the chosen format, to standard output.
//! Ctrl-C stops the running stages and still reports the result.

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::Failure;
use crate::exit;
use async_trait::async_trait;
use clap::{Args, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiro::pipeline::duration::{format_duration, format_elapsed};
use kiro::pipeline::{Event, Executor, RunOptions, Stage, StageReport, StageRunner, Timer};
use kiro::render::{run_human, run_json, run_junit, run_markdown};
use kiro::{Format, KiroError, MetricsInput, Verdict};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Stdio;
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
}

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
    let logs = match &args.logs {
        Some(dir) => dir.clone(),
        None => next_run_dir(Path::new(".kiro/runs")),
    };
    std::fs::create_dir_all(&logs).map_err(|e| {
        Failure::io(format!(
            "cannot make the log folder `{}`: {}",
            logs.display(),
            crate::io::io_message(&e)
        ))
    })?;
    let runner = ShellRunner { logs: logs.clone() };
    let timer = TokioTimer {
        origin: Instant::now(),
    };
    let executor = Executor::new(policy, &runner, &timer)
        .map_err(|e| Failure::in_source(e.diagnostics(), &loaded.file))?
        .with_options(RunOptions {
            max_parallel: args.max_parallel.map(|n| n as usize),
            fail_fast: args.no_fail_fast.then_some(false),
        });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::io(format!("cannot start the runtime: {e}")))?;
    let stderr_terminal = std::io::stderr().is_terminal();
    let mut progress = Progress::new(stderr_terminal, args.color.enabled(stderr_terminal));
    progress.line(&format!("logs: {}", logs.display()));
    let result = runtime.block_on(async {
        let interrupt = async {
            // Without a Ctrl-C handler the run simply cannot be interrupted.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        executor
            .run_until(interrupt, |event| progress.event(event))
            .await
    });
    progress.clear();
    // The result is kept beside the logs; failing to write it does not change the verdict.
    let _ = std::fs::write(logs.join("result.json"), run_json(&result));
    let report = match args.format {
        RunFormat::Human => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            run_human(&result, args.color.enabled(to_terminal))
        }
        RunFormat::Json => run_json(&result),
        RunFormat::Junit => run_junit(&result),
        RunFormat::Markdown => run_markdown(&result),
    };
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

/// `.kiro/runs/<n>`: one more than the largest number there.
fn next_run_dir(root: &Path) -> PathBuf {
    let last = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse::<u64>().ok())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    root.join((last + 1).to_string())
}

/// A stage name as a file name: letters, digits, `.`, `-` and `_` kept, the rest `_`.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Time from the tokio clock.
struct TokioTimer {
    origin: Instant,
}

#[async_trait]
impl Timer for TokioTimer {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Runs `run:` commands with `sh -c`; a stage without one succeeds at once with no metrics.
struct ShellRunner {
    logs: PathBuf,
}

#[async_trait]
impl StageRunner for ShellRunner {
    async fn run(&self, stage: &Stage, attempt: u32) -> StageReport {
        let Some(command) = &stage.run else {
            return StageReport::success(MetricsInput::default());
        };
        let stem = format!("{}.{attempt}", file_stem(&stage.name));
        let log_path = self.logs.join(format!("{stem}.log"));
        let metrics_path = self.logs.join(format!("{stem}.metrics.json"));
        let log = match std::fs::File::create(&log_path) {
            Ok(file) => file,
            Err(e) => {
                return StageReport::failure(format!(
                    "cannot write the log `{}`: {}",
                    log_path.display(),
                    crate::io::io_message(&e)
                ));
            }
        };
        let (stdout, stderr) = match log.try_clone() {
            Ok(copy) => (Stdio::from(copy), Stdio::from(log)),
            Err(e) => return StageReport::failure(format!("cannot share the log: {e}")),
        };
        let _ = std::fs::remove_file(&metrics_path);
        let mut cmd = shell(command);
        cmd.envs(&stage.env)
            .env("KIRO_METRICS", absolute(&metrics_path))
            .env("KIRO_STAGE", &stage.name)
            .env("KIRO_ATTEMPT", attempt.to_string())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true);
        #[cfg(unix)]
        cmd.process_group(0);
        if let Some(dir) = &stage.workdir {
            cmd.current_dir(dir);
        }
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => {
                let place = stage
                    .workdir
                    .as_deref()
                    .map_or_else(String::new, |d| format!(" in `{d}`"));
                return StageReport::failure(format!(
                    "cannot start the command{place}: {}",
                    crate::io::io_message(&e)
                ));
            }
        };
        // Dropped before the child: a cancelled stage takes its whole process group with it.
        let mut group = GroupGuard {
            id: child.id(),
            armed: true,
        };
        let status = child.wait().await;
        group.armed = false;
        let status = match status {
            Ok(status) => status,
            Err(e) => return StageReport::failure(format!("cannot wait for the command: {e}")),
        };
        if !status.success() {
            return StageReport::failure(exit_detail(&status));
        }
        read_metrics(&metrics_path)
    }
}

#[cfg(unix)]
fn shell(command: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(not(unix))]
fn shell(command: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("cmd");
    cmd.arg("/C").arg(command);
    cmd
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn exit_detail(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "the command did not exit normally".to_owned(),
    }
}

/// The metrics a stage wrote to `$KIRO_METRICS`: none when it wrote nothing.
fn read_metrics(path: &Path) -> StageReport {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return StageReport::success(MetricsInput::default());
        }
        Err(e) => {
            return StageReport::failure(format!(
                "cannot read $KIRO_METRICS: {}",
                crate::io::io_message(&e)
            ));
        }
    };
    if text.trim().is_empty() {
        return StageReport::success(MetricsInput::default());
    }
    match MetricsInput::parse(&text, Format::detect(&text)) {
        Ok(metrics) => StageReport::success(metrics),
        Err(d) => StageReport::failure(format!("$KIRO_METRICS: {} ({})", d.message, d.code)),
    }
}

/// Kills a stage's process group when the stage is dropped while its command runs (a timeout,
/// fail-fast, Ctrl-C), so that the command's own children go too.
struct GroupGuard {
    id: Option<u32>,
    armed: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        if self.armed
            && let Some(id) = self.id
        {
            // The shell's `kill` reaches a whole group without unsafe code.
            let _ = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("kill -KILL -{id} 2>/dev/null"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The live display on standard error: a spinner per running stage on a terminal, a line per
/// event otherwise.
struct Progress {
    origin: Instant,
    color: bool,
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
        match &self.live {
            Some((multi, _)) => {
                let _ = multi.println(text);
            }
            None => eprintln!("{text}"),
        }
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
