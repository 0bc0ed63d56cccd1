//! Reading input files and standard input with a size limit, and telling formats by extension.

use crate::diagnostics::{Failure, SourceFile};
use kiro::{Code, Diagnostic, Format};
use std::io::{self, Read};
use std::path::Path;

/// The largest input kiro reads: 16 MiB, the engine's own limit.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// What an input is, for messages and for the code of its syntax errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A policy (source `policy`).
    Policy,
    /// Metrics input (source `metrics`).
    Metrics,
    /// Recorded samples for `kiro replay` (source `samples`).
    Samples,
    /// A report given as evidence (`--junit`, ...; source `report`, replaced by its name).
    Report,
    /// A policy test file for `kiro test` (source `test`).
    Test,
    /// Earlier runs for baselines (`--baseline-runs`; source `history`).
    History,
}

impl InputKind {
    /// The `source` of the engine's diagnostics about this input.
    pub fn source(self) -> &'static str {
        match self {
            InputKind::Policy => "policy",
            InputKind::Metrics => kiro::metrics::input::SOURCE,
            InputKind::Samples => "samples",
            InputKind::Report => "report",
            InputKind::Test => kiro::policytest::SOURCE,
            InputKind::History => "history",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            InputKind::Policy => "policy",
            InputKind::Metrics => "metrics",
            InputKind::Samples => "samples",
            InputKind::Report => "report",
            InputKind::Test => "test",
            InputKind::History => "earlier runs",
        }
    }
}

/// Whether `path` means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name of `path` in messages: as given, `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a policy or metrics file (or standard input for `-`) as UTF-8 text, through
/// [`read_bounded`]: at most [`MAX_INPUT_BYTES`], and only from a regular file (standard input
/// may be a pipe).
///
/// # Errors
/// A [`Failure`] for a file that cannot be read or is not a regular file, is too large
/// ([`Code::TooLarge`]) or is not UTF-8 ([`Code::Syntax`] for a policy, [`Code::InputSyntax`]
/// for metrics).
pub fn read_input(path: &Path, kind: InputKind) -> Result<SourceFile, Failure> {
    let name = display_name(path);
    let bytes = if is_stdin(path) {
        read_limited(io::stdin().lock(), MAX_INPUT_BYTES)
    } else {
        read_bounded(path, MAX_INPUT_BYTES)
    }
    .map_err(|e| match e {
        ReadError::TooLarge(size) => too_large(&name, kind, size),
        e => Failure::io(format!("cannot read {} file `{name}`: {e}", kind.noun())),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let code = match kind {
            InputKind::Policy => Code::Syntax,
            InputKind::Metrics | InputKind::Samples => Code::InputSyntax,
            InputKind::History => Code::InvalidHistory,
            InputKind::Report => Code::ReportSyntax,
            InputKind::Test => Code::InvalidPolicyTest,
        };
        Failure::diagnostic(
            Diagnostic::error(
                code,
                format!(
                    "{} file `{name}` is not UTF-8 text (invalid byte at offset {at})",
                    kind.noun()
                ),
            )
            .with_help("save the file as UTF-8"),
        )
    })?;
    Ok(SourceFile {
        source: kind.source().to_owned(),
        name,
        text,
    })
}

/// Why [`read_bounded`] read nothing.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(io::Error),
    /// The path names something that is not a regular file (a named pipe, a device, a socket,
    /// a directory): reading it could block forever or never end.
    NotRegular(&'static str),
    /// More than the limit: the size from the metadata, or `None` when found while reading.
    TooLarge(Option<u64>),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => f.write_str(&io_message(e)),
            ReadError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge(_) => f.write_str("it is too large"),
        }
    }
}

/// Reads the regular file at `path` (symbolic links followed), at most `limit` bytes.
///
/// Every file kiro reads goes through here. The file is opened without blocking (opening a
/// named pipe with no writer would wait forever), then refused unless it is a regular file;
/// its size is checked against `limit` from the metadata before anything is read, and again
/// while reading (a file may grow, and special files report size 0), so that memory never
/// exceeds `limit` plus one byte, whatever the path names.
///
/// # Errors
/// A [`ReadError`].
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Reads of a regular file ignore O_NONBLOCK; only the open of a FIFO is affected.
        #[expect(
            clippy::cast_possible_wrap,
            reason = "open flags are small positive bits"
        )]
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(describe_type(&metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge(Some(metadata.len())));
    }
    read_limited(file, limit)
}

/// Whether the process was started with standard output open. When it was not (`kiro check …
/// >&-`), Rust's runtime opens `/dev/null` read-write in its place before `main`, so a report
/// written there would be lost without a word. That is what this recognises: standard output
/// being `/dev/null` opened read-write, which a shell's `> /dev/null` (write-only) never is.
#[must_use]
pub fn stdout_is_open() -> bool {
    #[cfg(unix)]
    {
        use rustix::fs::{FileType, OFlags, fcntl_getfl, fstat, major, minor};
        let out = rustix::stdio::stdout();
        let Ok(stat) = fstat(out) else {
            return false;
        };
        let null = FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
            && major(stat.st_rdev) == 1
            && minor(stat.st_rdev) == 3;
        let read_write = fcntl_getfl(out).is_ok_and(|flags| flags & OFlags::RWMODE == OFlags::RDWR);
        !(null && read_write)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// What a file that is not a regular file is, for messages.
fn describe_type(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Reads at most `limit` bytes from `reader` (standard input, or a file that grew after its
/// size was checked); more is [`ReadError::TooLarge`].
fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(None));
    }
    Ok(bytes)
}

fn too_large(name: &str, kind: InputKind, size: Option<u64>) -> Failure {
    let size = size.map_or_else(|| "larger than 16 MiB".to_owned(), |s| mib(s) + " MiB");
    Failure::diagnostic(
        Diagnostic::error(
            Code::TooLarge,
            format!(
                "{} file `{name}` is too large: {size}, more than the limit of 16 MiB",
                kind.noun()
            ),
        )
        .with_help("kiro reads policies and metrics of at most 16 MiB"),
    )
}

/// A size in MiB with one decimal.
fn mib(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// An I/O error in kiro's style: lowercase, no `(os error N)`.
pub fn io_message(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => {
            let text = error.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => "unknown error".to_owned(),
            }
        }
    }
}

/// The format of a file by its extension (`yaml`, `yml`, `json`, `toml`), if it tells.
pub fn format_by_extension(path: &Path) -> Option<Format> {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
}

/// Writes `text` to `path`.
///
/// # Errors
/// A [`Failure`] when the file cannot be written.
pub fn write_output(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| {
        Failure::io(format!(
            "cannot write `{}`: {}",
            path.display(),
            io_message(&e)
        ))
    })
}

/// Writes a further report to `path`: replacing the file, or appended to it (a CI job summary
/// others write to as well).
///
/// # Errors
/// A [`Failure`] naming the file when it cannot be written.
pub fn write_report(path: &Path, text: &str, append: bool) -> Result<(), Failure> {
    if !append {
        return write_output(path, text);
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| {
            Failure::io(format!(
                "cannot append to `{}`: {}",
                path.display(),
                io_message(&e)
            ))
        })
}

#[cfg(test)]
mod tests;
