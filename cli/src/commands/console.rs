//! Where `kiro run` shows what its stages print: every line goes to the attempt's log file as it
//! comes, and to standard error, as [`StageOutput`] says — prefixed by the stage as it happens
//! (`stream`), in one `::group::` block per attempt when it ends (`group`, for GitHub Actions),
//! or not at all (`quiet`). Standard error, because standard output carries the result (a
//! JSON or JUnit report must stay parseable); the progress display is on standard error too,
//! and every line goes through [`Console`] so that a live spinner is never torn by one.

use clap::ValueEnum;
use indicatif::MultiProgress;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// How `kiro run` shows the output of its stages (always kept in their log files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageOutput {
    /// `group` under GitHub Actions (`GITHUB_ACTIONS=true`), `stream` elsewhere.
    Auto,
    /// Each line as it comes, prefixed by its stage: `build | compiling…`.
    Stream,
    /// Each attempt's output in one `::group::` block when it ends, which GitHub Actions folds.
    Group,
    /// Not shown; only in the log files (a failing stage still shows the end of its log).
    Quiet,
}

impl StageOutput {
    /// `auto` resolved: `group` when `github_actions` (the value of `GITHUB_ACTIONS`) is
    /// `true`, else `stream`.
    #[must_use]
    pub fn resolve(self, github_actions: Option<&str>) -> Self {
        match self {
            StageOutput::Auto if github_actions == Some("true") => StageOutput::Group,
            StageOutput::Auto => StageOutput::Stream,
            other => other,
        }
    }
}

/// Standard error, shared by the run loop and the threads that read the stages' output: whole
/// lines only, and above the live spinners when there are some.
#[derive(Clone)]
pub struct Console {
    live: Option<MultiProgress>,
    lock: Arc<Mutex<()>>,
}

impl Console {
    /// The console; `live` draws the spinners.
    pub fn new(live: Option<MultiProgress>) -> Self {
        Self {
            live,
            lock: Arc::default(),
        }
    }

    /// Writes `lines` together: no other line comes between them.
    pub fn block<S: AsRef<str>>(&self, lines: &[S]) {
        let _held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        match &self.live {
            Some(multi) => {
                let text: Vec<&str> = lines.iter().map(AsRef::as_ref).collect();
                let _ = multi.println(text.join("\n"));
            }
            None => {
                let mut err = std::io::stderr().lock();
                for line in lines {
                    let _ = writeln!(err, "{}", line.as_ref());
                }
            }
        }
    }

    /// Writes one line.
    pub fn line(&self, text: &str) {
        self.block(&[text]);
    }
}

/// The longest line shown at once: a longer one is shown in pieces of this many bytes.
const MAX_LINE: usize = 64 * 1024;

/// Copies what `from` gives to `log` as it comes, byte for byte, and, in `stream` mode, each
/// line to `console` after `prefix`. Returns at the end of `from` (every writer closed).
pub fn copy_output(
    mut from: impl Read,
    mut log: File,
    console: Option<(&Console, &str)>,
) -> std::io::Result<()> {
    let mut buffer = [0u8; 8192];
    let mut line = Vec::new();
    let show = |line: &[u8]| {
        if let Some((console, prefix)) = console {
            let text = String::from_utf8_lossy(line);
            console.line(&format!("{prefix}{}", text.trim_end_matches('\r')));
        }
    };
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buffer[..n];
        log.write_all(chunk)?;
        if console.is_none() {
            continue;
        }
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            match piece.strip_suffix(b"\n") {
                Some(end) => {
                    line.extend_from_slice(end);
                    show(&line);
                    line.clear();
                }
                None => {
                    line.extend_from_slice(piece);
                    if line.len() >= MAX_LINE {
                        show(&line);
                        line.clear();
                    }
                }
            }
        }
    }
    if !line.is_empty() {
        show(&line);
    }
    log.flush()
}

/// The most of a log's end [`tail`] reads, in bytes.
const MAX_TAIL_BYTES: u64 = 256 * 1024;

/// The last `n` lines of the file at `path` (read from at most its last 256 KiB); none when
/// it cannot be read.
pub fn tail(path: &Path, n: usize) -> Vec<String> {
    let read = || -> std::io::Result<Vec<u8>> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(MAX_TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.take(MAX_TAIL_BYTES).read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let Ok(bytes) = read() else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.trim_end_matches('\r').to_owned())
        .collect()
}

/// The whole of an attempt's log as lines, in a `::group::` block named `title`.
pub fn group(title: &str, log: &Path) -> Vec<String> {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let mut lines = Vec::with_capacity(text.lines().count() + 2);
    lines.push(format!("::group::{title}"));
    lines.extend(text.lines().map(|l| l.trim_end_matches('\r').to_owned()));
    lines.push("::endgroup::".to_owned());
    lines
}
