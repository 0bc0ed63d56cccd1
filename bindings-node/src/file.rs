//! Reading a policy file for `Policy.fromPath`: opened without waiting (a FIFO with no writer
//! must not block the event loop's thread), then read by the core's rule
//! (`kiro::api::convert::read_policy_file`: regular files only, at most 16 MiB, from the
//! metadata and while reading).

#![forbid(unsafe_code)]

use kiro::Format;
use kiro::api::convert::{FileError, read_policy_file};
use std::fs::OpenOptions;
use std::path::Path;

/// The text of the policy file at `path` and its format (`format`, else the extension's).
pub fn read_policy(
    path: &Path,
    format: Option<Format>,
) -> Result<(String, Option<Format>), FileError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(FileError::Io)?;
    let metadata = file.metadata().map_err(FileError::Io)?;
    read_policy_file(path, &metadata, file, format)
}
