//! kiro errors and panics as Python exceptions: the one place that decides which exception
//! class a failure raises and what it carries.
//!
//! Every exception is a [`KiroError`] subclass chosen by [`ErrorKind`], with `.code` (the
//! first diagnostic's `KIRO-E0xx`) and `.diagnostics` (a list of dicts in the shape every kiro
//! host shows). Panics are caught here and become [`InternalError`] (`KIRO-E099`); they never
//! unwind into the interpreter.

use crate::convert;
use kiro::{Code, Diagnostic, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

create_exception!(
    kiro,
    KiroError,
    PyException,
    "Base class of every error kiro raises. `.code` is the stable code (`KIRO-E0xx`) and \
     `.diagnostics` the list of problems found."
);
create_exception!(
    kiro,
    PolicyError,
    KiroError,
    "The policy text could not be read, validated or compiled (KIRO-E001 to KIRO-E031)."
);
create_exception!(
    kiro,
    InputError,
    KiroError,
    "The metrics, batch columns, gate selection or an argument such as `format` is invalid."
);
create_exception!(
    kiro,
    EvaluationError,
    KiroError,
    "A condition could not be computed on the values given (division by zero, overflow)."
);
create_exception!(
    kiro,
    InternalError,
    KiroError,
    "A bug in kiro (KIRO-E099); please report it."
);

/// A failure on its way to becoming a Python exception. Holds no Python objects, so it can
/// cross [`Python::detach`].
#[derive(Debug)]
pub struct Failure {
    kind: ErrorKind,
    message: String,
    diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// A failure carrying a kiro error's kind and diagnostics.
    pub fn from_kiro<E: kiro::KiroError>(error: &E) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
            diagnostics: error.diagnostics().to_vec(),
        }
    }

    /// A failure of `kind` with one diagnostic.
    pub fn new(kind: ErrorKind, diagnostic: Diagnostic) -> Self {
        Self {
            kind,
            message: diagnostic.to_string(),
            diagnostics: vec![diagnostic],
        }
    }

    /// An input failure with one diagnostic about the metrics.
    pub fn input(code: Code, message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Input,
            Diagnostic::error(code, message).with_source("metrics"),
        )
    }

    /// The failure a caught panic becomes.
    fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Self::new(
            ErrorKind::Internal,
            Diagnostic::error(Code::Internal, format!("internal error: {what}"))
                .with_help("this is a bug in kiro; please report it with the input that caused it"),
        )
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> PyErr {
        Python::attach(|py| {
            let err = match failure.kind {
                ErrorKind::Policy => PolicyError::new_err(failure.message),
                ErrorKind::Input => InputError::new_err(failure.message),
                ErrorKind::Evaluation => EvaluationError::new_err(failure.message),
                ErrorKind::Internal => InternalError::new_err(failure.message),
            };
            let code = failure
                .diagnostics
                .first()
                .map_or(Code::Internal, |d| d.code);
            let value = err.value(py);
            let attached = value.setattr("code", code.as_str()).and_then(|()| {
                value.setattr("diagnostics", convert::to_py(py, &failure.diagnostics)?)
            });
            match attached {
                Ok(()) => err,
                Err(other) => other,
            }
        })
    }
}

/// Runs `f`, turning a panic into an [`InternalError`] failure. Needs no GIL.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| Failure::panic(payload.as_ref()))
}

/// Runs a core call that may fail, turning both its error and a panic into a Python exception.
pub fn guard<T, E: kiro::KiroError>(f: impl FnOnce() -> Result<T, E>) -> PyResult<T> {
    Ok(catch(f)?.map_err(|e| Failure::from_kiro(&e))?)
}
