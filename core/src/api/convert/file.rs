//! Reading a policy file a host has opened, with the rules every host applies: only a regular
//! file (a FIFO, a device or a socket may never end, or never start), and at most the engine's
//! limit on a text ([`Limits::max_bytes`], 16 MiB: the CLI's limit on every input too),
//! checked from the file's metadata before reading and again while reading (a file that grows,
//! or one whose metadata says nothing, cannot make the host read more).

use crate::diagnostic::{Code, Diagnostic};
use crate::document::{Format, Limits};
use crate::error::PolicyError;
use std::fs::Metadata;
use std::io::{self, Read};
use std::path::Path;

/// Why a policy file could not be read.
#[derive(Debug)]
pub enum FileError {
    /// The host's own I/O failed, or the file is not one kiro reads: a directory
    /// ([`io::ErrorKind::IsADirectory`]) or another file that is not regular
    /// ([`io::ErrorKind::InvalidInput`], saying what it is). The host reports it as it reports
    /// its I/O errors (`OSError`, an `Error` with an errno `code`).
    Io(io::Error),
    /// kiro refused the content: larger than the limit ([`Code::TooLarge`]) or not UTF-8
    /// ([`Code::Syntax`]).
    Policy(PolicyError),
}

/// The most a host reads of a policy file, in bytes.
#[must_use]
pub fn max_policy_bytes() -> u64 {
    Limits::default().max_bytes as u64
}

/// Reads the policy file at `path` that the host opened as `reader` (on Unix without waiting
/// for a writer, `O_NONBLOCK`, so that opening a FIFO cannot block), `metadata` being what the
/// open file says of itself: its text, and its format as [`super::policy_file`] tells it.
///
/// # Errors
/// [`FileError::Io`] for a file that is not regular or cannot be read; [`FileError::Policy`]
/// for one larger than [`max_policy_bytes`] or not UTF-8.
pub fn read_policy_file(
    path: &Path,
    metadata: &Metadata,
    reader: impl Read,
    format: Option<Format>,
) -> Result<(String, Option<Format>), FileError> {
    if !metadata.is_file() {
        return Err(FileError::Io(not_regular(metadata)));
    }
    let limit = max_policy_bytes();
    if metadata.len() > limit {
        return Err(FileError::Policy(too_large(path, Some(metadata.len()))));
    }
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::Policy(too_large(path, None)));
    }
    super::policy_file(path, bytes, format).map_err(FileError::Policy)
}

/// The error for a file that is not regular, naming what it is.
fn not_regular(metadata: &Metadata) -> io::Error {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return io::Error::new(io::ErrorKind::IsADirectory, "it is a directory");
    }
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_char_device() {
            "a character device"
        } else if kind.is_block_device() {
            "a block device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "a special file"
        }
    };
    #[cfg(not(unix))]
    let what = "a special file";
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    )
}

fn too_large(path: &Path, size: Option<u64>) -> PolicyError {
    let limit_mib = max_policy_bytes() / (1024 * 1024);
    let size = size.map_or_else(
        || format!("larger than {limit_mib} MiB"),
        |s| {
            let tenths = s.saturating_mul(10) / (1024 * 1024);
            format!("{}.{} MiB", tenths / 10, tenths % 10)
        },
    );
    PolicyError::new(vec![
        Diagnostic::error(
            Code::TooLarge,
            format!(
                "policy file `{}` is too large: {size}, more than the limit of {limit_mib} MiB",
                path.display()
            ),
        )
        .with_help(format!("kiro reads policies of at most {limit_mib} MiB"))
        .with_source(path.display().to_string()),
    ])
}
