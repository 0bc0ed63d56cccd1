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
}

impl InputKind {
    /// The `source` of the engine's diagnostics about this input.
    pub fn source(self) -> &'static str {
        match self {
            InputKind::Policy => "policy",
            InputKind::Metrics => kiro::metrics::input::SOURCE,
            InputKind::Samples => "samples",
            InputKind::Report => "report",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            InputKind::Policy => "policy",
            InputKind::Metrics => "metrics",
            InputKind::Samples => "samples",
            InputKind::Report => "report",
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

/// Reads a policy or metrics file (or standard input for `-`) as UTF-8 text. A file larger
/// than [`MAX_INPUT_BYTES`] is refused from its metadata, before anything is read.
///
/// # Errors
/// A [`Failure`] for a file that cannot be read, is too large ([`Code::TooLarge`]) or is not
/// UTF-8 ([`Code::Syntax`] for a policy, [`Code::InputSyntax`] for metrics).
pub fn read_input(path: &Path, kind: InputKind) -> Result<SourceFile, Failure> {
    let name = display_name(path);
    let bytes = if is_stdin(path) {
        read_limited(io::stdin().lock(), &name, kind)?
    } else {
        let cannot = |e: &io::Error| {
            Failure::io(format!(
                "cannot read {} file `{name}`: {}",
                kind.noun(),
                io_message(e)
            ))
        };
        let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
        let metadata = file.metadata().map_err(|e| cannot(&e))?;
        if metadata.is_dir() {
            return Err(Failure::io(format!(
                "cannot read {} file `{name}`: it is a directory",
                kind.noun()
            )));
        }
        if metadata.len() > MAX_INPUT_BYTES {
            return Err(too_large(&name, kind, Some(metadata.len())));
        }
        read_limited(file, &name, kind)?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let code = match kind {
            InputKind::Policy => Code::Syntax,
            InputKind::Metrics | InputKind::Samples => Code::InputSyntax,
            InputKind::Report => Code::ReportSyntax,
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

/// Reads at most [`MAX_INPUT_BYTES`] from `reader` (standard input, or a file that is not a
/// regular file or grew after its size was checked).
fn read_limited(reader: impl Read, name: &str, kind: InputKind) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Failure::io(format!(
                "cannot read {} file `{name}`: {}",
                kind.noun(),
                io_message(&e)
            ))
        })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(name, kind, None));
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

#[cfg(test)]
mod tests;
