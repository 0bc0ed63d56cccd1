//! Hooks for the binding's own tests, not part of the `kiro` package's API.

use crate::convert;
use crate::error::raise;
use kiro::api::{CheckOptions, decode_format, validate_text};
use kiro::{CompiledPolicy, Diagnostic, OffsetUnit, catch_panic, guard};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use serde::Serialize;

/// One value the engine produces, twice: as the Python object the binding returns for it and
/// as the core's canonical JSON text, for `tests/test_serializer.py` to compare.
///
/// `what` names the value: `"check"` (the decision of `metrics`, or the diagnostics when the
/// policy or the check fails), `"plan"` (the pipeline's plan, or the diagnostics),
/// `"validate"` (the policy's diagnostics) or `"schema"` (the policy format's JSON Schema).
/// Raises what `Policy.check` raises for metrics the binding rejects itself.
#[pyfunction]
#[pyo3(signature = (what, policy = None, format = None, metrics = None, gate = None, kind = None))]
pub fn _serialized_for_test<'py>(
    py: Python<'py>,
    what: &str,
    policy: Option<PyBackedStr>,
    format: Option<&str>,
    metrics: Option<&Bound<'py, PyAny>>,
    gate: Option<String>,
    kind: Option<&str>,
) -> PyResult<(Bound<'py, PyAny>, String)> {
    let text = policy.as_deref().unwrap_or("");
    let format = decode_format(&format.into()).map_err(raise)?;
    let compiled = || guard(|| CompiledPolicy::from_text(text, format));
    match what {
        "check" => {
            let options = serde_json::json!({ "gate": gate, "kind": kind });
            let selection = CheckOptions::decode(&options).map_err(raise)?.selection();
            let metrics = match metrics {
                Some(metrics) => convert::metrics_to_json(metrics)?,
                None => serde_json::Value::Object(serde_json::Map::new()),
            };
            let decision = compiled().and_then(|p| guard(|| p.check_value(&metrics, &selection)));
            match decision {
                Ok(decision) => Ok((
                    convert::to_py(py, &decision)?,
                    kiro::decision_to_json(&decision),
                )),
                Err(e) => pair(py, &e.diagnostics),
            }
        }
        "plan" => match compiled().and_then(|p| guard(|| p.plan().cloned())) {
            Ok(plan) => pair(py, &plan),
            Err(e) => pair(py, &e.diagnostics),
        },
        "validate" => {
            let diagnostics: Vec<Diagnostic> =
                catch_panic(|| validate_text(text, format, OffsetUnit::CodePoints))
                    .map_err(raise)?;
            pair(py, &diagnostics)
        }
        "schema" => pair(py, &catch_panic(kiro::policy_schema).map_err(raise)?),
        _ => Err(PyValueError::new_err(format!("unknown value `{what}`"))),
    }
}

/// `value` converted by the binding, and its JSON text.
fn pair<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<(Bound<'py, PyAny>, String)> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((convert::to_py(py, value)?, text))
}
