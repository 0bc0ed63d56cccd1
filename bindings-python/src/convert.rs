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
use kiro::{Batch, BatchResult, Format};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// Reads a policy file: its text, and its format from the extension when not given (`None`
/// when the extension says nothing: the core detects it from the text).
pub fn read_policy(path: &Path, format: Option<Format>) -> PyResult<(String, Option<Format>)> {
    let bytes = std::fs::read(path).map_err(|e| {
        // OSError(errno, strerror, filename) becomes FileNotFoundError and friends.
        PyOSError::new_err((
            e.raw_os_error().unwrap_or(0),
            e.to_string(),
            path.display().to_string(),
        ))
    })?;
    kiro::api::convert::policy_file(path, bytes, format).map_err(raise)
}

/// Python metrics (a mapping of names to numbers, unit strings, booleans, `None` or nested
/// mappings) as the JSON value `CompiledPolicy::check_value` reads.
pub fn metrics_to_json(metrics: &Bound<'_, PyAny>) -> PyResult<Value> {
    metrics::read(metrics)
}

/// A mapping of metric names to columns (sequences, or any object with the buffer protocol
/// such as `array.array` or a NumPy array) as a core [`Batch`].
pub fn batch(columns: &Bound<'_, PyAny>) -> PyResult<Batch> {
    columns::read(columns)
}

/// A batch result as `{"verdicts": bytes, "counts": {"pass", "warn", "fail", "error"}}`.
pub fn batch_result<'py>(py: Python<'py>, result: &BatchResult) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    dict.set_item("verdicts", PyBytes::new(py, &result.verdicts))?;
    dict.set_item("counts", to_py(py, &result.counts)?)?;
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
