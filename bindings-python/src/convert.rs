//! Conversion between Python objects and kiro's data: the entry points the binding's functions
//! call. Each direction takes the route measured fastest (docs/performance.md, "The Python
//! conversion"):
//!
//! - **in**, metrics: a hand-written walk of the Python mapping into a JSON value ([`metrics`]);
//! - **in**, batches: columns through the buffer protocol or item by item ([`columns`]);
//! - **out**, every result: a serde serializer that builds Python objects ([`serializer`]).
//!
//! `pythonize` is not an option: it does not support pyo3 0.30 yet.

use crate::error::raise;
use crate::{columns, metrics, serializer};
use kiro::api::convert::{FileError, read_policy_file};
use kiro::{Batch, BatchResult, Format};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde::Serialize;
use serde_json::Value;
use std::fs::OpenOptions;
use std::path::Path;

/// Reads a policy file: its text, and its format from the extension when not given (`None`
/// when the extension says nothing: the core detects it from the text). The file is opened
/// without waiting (a FIFO with no writer must not block) and read by the core's rule
/// (`kiro::api::convert::read_policy_file`): regular files only (else `OSError` `EINVAL`,
/// `IsADirectoryError` for a directory), at most 16 MiB (else `PolicyError` `KIRO-E006`),
/// from the metadata and while reading.
pub fn read_policy(
    py: Python<'_>,
    path: &Path,
    format: Option<Format>,
) -> PyResult<(String, Option<Format>)> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let read = options.open(path).map_err(FileError::Io).and_then(|file| {
        let metadata = file.metadata().map_err(FileError::Io)?;
        read_policy_file(path, &metadata, file, format)
    });
    read.map_err(|e| match e {
        FileError::Io(e) => os_error(py, path, &e),
        FileError::Policy(e) => raise(e),
    })
}

/// An I/O error as `OSError(errno, strerror, filename)`, which Python makes
/// `FileNotFoundError`, `IsADirectoryError` and friends.
fn os_error(py: Python<'_>, path: &Path, error: &std::io::Error) -> PyErr {
    let errno = error.raw_os_error().unwrap_or_else(|| {
        let name = match error.kind() {
            std::io::ErrorKind::IsADirectory => "EISDIR",
            _ => "EINVAL",
        };
        py.import("errno")
            .and_then(|m| m.getattr(name))
            .and_then(|n| n.extract::<i32>())
            .unwrap_or(0)
    });
    PyOSError::new_err((errno, error.to_string(), path.display().to_string()))
}

/// Python metrics (a mapping of names to numbers, unit strings, booleans, `None` or nested
/// mappings) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &Bound<'_, PyAny>) -> PyResult<Value> {
    caught(|| metrics::read(metrics))
}

/// Runs a walk over host values with panics caught: a panic becomes `InternalError`
/// (`KIRO-E099`, a `KiroError`), never pyo3's `PanicException`, which `except Exception` does
/// not catch. The walks hold no panicking code (audited: what they iterate is a snapshot; no
/// `unwrap`, no indexing out of their own bounds); this makes it a guarantee.
pub fn caught<T>(walk: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    kiro::catch_panic(walk).map_err(raise)?
}

/// A mapping of metric names to columns (sequences, or any object with the buffer protocol
/// such as `array.array` or a NumPy array), or a data frame, as a core [`Batch`]; `nan` says
/// what a NaN means ([`columns::Nan`]).
pub fn batch(columns: &Bound<'_, PyAny>, nan: columns::Nan) -> PyResult<Batch> {
    caught(|| columns::read(columns, nan))
}

/// A batch result as `{"verdicts": bytes, "counts": {"pass", "warn", "fail", "error"}}`.
pub fn batch_result<'py>(py: Python<'py>, result: &BatchResult) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    dict.set_item("verdicts", PyBytes::new(py, &result.verdicts))?;
    dict.set_item("counts", to_py(py, &result.counts)?)?;
    if !result.warnings.is_empty() {
        dict.set_item("warnings", to_py(py, &result.warnings)?)?;
    }
    Ok(dict.into_any())
}

/// Any serde value (a decision, diagnostics, a plan, the JSON Schema) as plain Python data:
/// what `json.loads` makes of the value's JSON.
pub fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    serializer::to_py(py, value)
}
