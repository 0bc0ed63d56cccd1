//! The stage processes of `kiro run`: each attempt's `run:` command runs with `sh -c` in its own
//! process group, on a thread of its own that waits for it and reports its end on a channel.
//! Its standard output and error share one pipe, copied to the attempt's log file and shown as
//! [`console`](super::console) says.
//! [`Groups`] knows every group still running, so that a cancelled attempt (a timeout,
//! fail-fast, Ctrl-C) and every way the run ends take the command's whole group with them.

use super::console::{self, Console, StageOutput};
use kiro::pipeline::{ActionFailure, Stage, StageReport};
use kiro::{Format, MetricsInput};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long an attempt waits, once its command has exited, for the rest of its output: a
/// process it left in the background may hold the pipe open, and must not hold up the run.
const DRAIN_WAIT: Duration = Duration::from_secs(2);

/// Where the stages' output is shown (besides their logs).
#[derive(Clone)]
pub struct Shown {
    /// Standard error.
    pub console: Console,
    /// How: `stream`, `group` or `quiet` (resolved, never `auto`).
    pub mode: StageOutput,
}

/// What the run loop hears about.
pub enum Message {
    /// Attempt `id` ended.
    Ended(u64, StageReport),
    /// Ctrl-C.
    Interrupt,
}

#[derive(Default)]
struct Live {
    /// Attempt id -> the process group of its command.
    running: HashMap<u64, u32>,
    /// Attempts cancelled before their command started.
    cancelled: HashSet<u64>,
}

/// The process groups of the attempts running now. Dropping it kills them all.
#[derive(Clone, Default)]
pub struct Groups(Arc<Mutex<Live>>);

impl Groups {
    fn lock(&self) -> MutexGuard<'_, Live> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes that attempt `id` runs as group `pid`; false (and the group is killed) when the
    /// attempt was cancelled while its command started.
    fn register(&self, id: u64, pid: u32) -> bool {
        let mut live = self.lock();
        if live.cancelled.remove(&id) {
            drop(live);
            kill_group(pid);
            return false;
        }
        live.running.insert(id, pid);
        true
    }

    /// Attempt `id`'s command exited by itself.
    fn exited(&self, id: u64) {
        self.lock().running.remove(&id);
    }

    /// Stops attempt `id`: kills its group, or keeps it from starting.
    pub fn cancel(&self, id: u64) {
        let mut live = self.lock();
        match live.running.remove(&id) {
            Some(pid) => {
                drop(live);
                kill_group(pid);
            }
            None => {
                live.cancelled.insert(id);
            }
        }
    }

    /// Kills every group still running.
    pub fn kill_all(&self) {
        let pids: Vec<u32> = self.lock().running.drain().map(|(_, pid)| pid).collect();
        for pid in pids {
            kill_group(pid);
        }
    }
}

/// Kills every group still running when the run loop ends, however it ends (a panic too).
pub struct KillOnDrop(pub Groups);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.0.kill_all();
    }
}

/// Starts `attempt` on a thread of its own; its end is sent to `tx`. A stage without a
/// command is not started here (the run has no action for it).
pub fn start(attempt: Attempt, logs: &Path, groups: &Groups, tx: &Sender<Message>, shown: &Shown) {
    let logs = logs.to_path_buf();
    let groups = groups.clone();
    let tx = tx.clone();
    let shown = shown.clone();
    std::thread::spawn(move || {
        let report = run_attempt(&attempt, &logs, &groups, &shown);
        // The loop is gone when the run is over; nothing is waiting for this report then.
        let _ = tx.send(Message::Ended(attempt.id, report));
    });
}

/// The log file of attempt `attempt` of the stage whose files are named `stem`.
pub fn log_file(logs: &Path, stem: &str, attempt: u32) -> PathBuf {
    logs.join(format!("{stem}.{attempt}.log"))
}

/// One attempt of a stage: attempt `id` (number `attempt`) of `stage`, whose files in the logs
/// folder are named `stem` ([`file_stem`]).
pub struct Attempt {
    /// The stage.
    pub stage: Stage,
    /// What its files are named.
    pub stem: String,
    /// The run's id of this attempt.
    pub id: u64,
    /// The attempt's number (1 for the first).
    pub attempt: u32,
}

fn run_attempt(a: &Attempt, logs: &Path, groups: &Groups, shown: &Shown) -> StageReport {
    let (stage, id, attempt) = (&a.stage, a.id, a.attempt);
    let Some(command) = &stage.run else {
        return StageReport::success(MetricsInput::default());
    };
    let log_path = log_file(logs, &a.stem, attempt);
    let metrics_path = logs.join(format!("{}.{attempt}.metrics.json", a.stem));
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
    // One pipe for both streams keeps their lines in the order the command wrote them.
    let pipe = std::io::pipe().and_then(|(reader, writer)| {
        let copy = writer.try_clone()?;
        Ok((reader, Stdio::from(writer), Stdio::from(copy)))
    });
    let (reader, stdout, stderr) = match pipe {
        Ok(ends) => ends,
        Err(e) => return StageReport::failure(format!("cannot make a pipe for its output: {e}")),
    };
    let _ = std::fs::remove_file(&metrics_path);
    let mut cmd = shell(command);
    cmd.envs(&stage.env)
        .env("KIRO_METRICS", absolute(&metrics_path))
        .env("KIRO_STAGE", &stage.name)
        .env("KIRO_ATTEMPT", attempt.to_string())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    if let Some(dir) = &stage.workdir {
        cmd.current_dir(dir);
    }
    let spawned = cmd.spawn();
    // The command's copies of the pipe's writing end: the reader sees the end of the output
    // once the command (and whatever it started) has closed its own.
    drop(cmd);
    let mut child = match spawned {
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
    let drained = copy_in_background(reader, log, &stage.name, shown);
    if !groups.register(id, child.id()) {
        let _ = child.wait();
        return StageReport::failure("cancelled before it started");
    }
    let status = child.wait();
    groups.exited(id);
    let _ = drained.recv_timeout(DRAIN_WAIT);
    let status = match status {
        Ok(status) => status,
        Err(e) => return StageReport::failure(format!("cannot wait for the command: {e}")),
    };
    let report = if status.success() {
        read_metrics(&metrics_path)
    } else {
        failed(stage, &status, &metrics_path)
    };
    if shown.mode == StageOutput::Group {
        let mut title = stage.name.clone();
        if attempt > 1 {
            title.push_str(&format!(" (attempt {attempt})"));
        }
        if let Some(detail) = report.detail.as_ref().filter(|_| !report.success) {
            title.push_str(&format!(": {detail}"));
        }
        shown.console.block(&console::group(&title, &log_path));
    }
    report
}

/// Copies the command's output from `reader` to `log` (and the console, in `stream` mode) on
/// a thread of its own; the receiver hears when all of it is copied.
fn copy_in_background(
    reader: std::io::PipeReader,
    log: std::fs::File,
    stage: &str,
    shown: &Shown,
) -> mpsc::Receiver<()> {
    let (done, drained) = mpsc::channel();
    let prefix = format!("{stage} | ");
    let shown = shown.clone();
    std::thread::spawn(move || {
        let console = (shown.mode == StageOutput::Stream).then_some((&shown.console, &*prefix));
        // A log that cannot be written fails no stage: the command's status decides.
        let _ = console::copy_output(reader, log, console);
        let _ = done.send(());
    });
    drained
}

/// The report of a command that exited with `status`, not 0: a failure with its exit status,
/// and, when its exit gate decides on a failure, the metrics it wrote anyway.
fn failed(stage: &Stage, status: &std::process::ExitStatus, metrics: &Path) -> StageReport {
    let report = StageReport::failure(exit_detail(status)).with_exit_code(status.code());
    if stage.on_action_failure != ActionFailure::Gate {
        return report;
    }
    let read = read_metrics(metrics);
    if read.success {
        return report.with_metrics(read.metrics);
    }
    let detail = match (&report.detail, &read.detail) {
        (Some(exit), Some(problem)) => format!("{exit}; {problem}"),
        (exit, _) => exit.clone().unwrap_or_default(),
    };
    StageReport::failure(detail).with_exit_code(status.code())
}

/// The longest file stem [`file_stem`] gives, in bytes: with `.<attempt>.metrics.json` after
/// it, a file name stays well under the usual limit of 255 bytes.
const MAX_STEM: usize = 160;

/// A stage name as a file name, unique and lossless: ASCII letters, digits, `-` and `_` are
/// kept and every other byte of the name's UTF-8 is written `%XX` (so `a/b` is `a%2Fb` and
/// `a_b` stays `a_b`; a Cyrillic name keeps all its bytes). The encoding is one to one, so two
/// stages never share a file. A name whose encoding is longer than [`MAX_STEM`] keeps its first
/// part and ends with `~` and the stage's position in the pipeline (`~` is never kept as
/// itself, so such a stem cannot equal the encoding of another name).
pub fn file_stem(name: &str, position: usize) -> String {
    let mut stem = String::with_capacity(name.len());
    for &b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_') {
            stem.push(char::from(b));
        } else {
            stem.push_str(&format!("%{b:02X}"));
        }
    }
    if stem.len() > MAX_STEM {
        let suffix = format!("~{position}");
        let mut cut = MAX_STEM - suffix.len();
        // Never split a `%XX`.
        while stem.get(..cut).is_some_and(|head| {
            let tail = &head.as_bytes()[head.len().saturating_sub(2)..];
            tail.contains(&b'%')
        }) {
            cut -= 1;
        }
        stem.truncate(cut);
        stem.push_str(&suffix);
    }
    stem
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("cmd");
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

/// The metrics a stage wrote to `$KIRO_METRICS`: none when it wrote nothing. The file is read
/// as every input is ([`crate::io::read_bounded`]): a named pipe, a device or a link to one is
/// refused without blocking, and more than the input limit fails the stage before it is read.
fn read_metrics(path: &Path) -> StageReport {
    use crate::io::{MAX_INPUT_BYTES, ReadError, read_bounded};
    let bytes = match read_bounded(path, MAX_INPUT_BYTES) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return StageReport::success(MetricsInput::default());
        }
        Err(ReadError::TooLarge(_)) => {
            return StageReport::failure(format!(
                "$KIRO_METRICS is larger than the limit of {} MiB ({})",
                MAX_INPUT_BYTES / (1024 * 1024),
                kiro::Code::TooLarge.as_str()
            ));
        }
        Err(e) => return StageReport::failure(format!("cannot read $KIRO_METRICS: {e}")),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return StageReport::failure(format!(
            "$KIRO_METRICS is not UTF-8 text ({})",
            kiro::Code::InputSyntax.as_str()
        ));
    };
    if text.trim().is_empty() {
        return StageReport::success(MetricsInput::default());
    }
    match MetricsInput::parse(&text, Format::detect(&text)) {
        Ok(metrics) => StageReport::success(metrics),
        Err(d) => StageReport::failure(format!("$KIRO_METRICS: {} ({})", d.message, d.code)),
    }
}

/// Kills process group `pid` with everything in it. The shell's `kill` reaches a whole group
/// without unsafe code.
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -KILL -{pid} 2>/dev/null"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    {
        let _ = Command::new("taskkill")
            .args(["/F", "/T", "/PID", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
