//! kiro errors and panics as Python exceptions: the one place that decides which exception
//! class a failure raises and what it carries.
//!
//! Every exception is a [`KiroError`] subclass chosen by [`ErrorKind`], with `.code` (the
//! first diagnostic's `KIRO-E0xx`) and `.diagnostics` (a list of dicts in the shape every kiro
//! host shows). The failures themselves are the core's [`BoundaryError`]s: `kiro::guard` and
//! `kiro::catch_panic` turn errors and panics into them (a panic becomes [`InternalError`],
//! `KIRO-E099`), so panics never unwind into the interpreter; [`raise`] makes the exception.

use crate::convert;
use kiro::{BoundaryError, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    kiro,
    KiroError,
    PyException,
    "Base class of every error kiro raises. `.code` is the stable code (`KIRO-E0xx`), `.kind` \
     what could not be used (`policy`, `input`, `evaluation`, `internal`) and `.diagnostics` \
     the list of problems found."
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

/// The Python exception a core error raises: a [`KiroError`] subclass chosen by its
/// [`ErrorKind`], with `.code`, `.kind` and `.diagnostics`. Takes a [`BoundaryError`] or any kiro error
/// that becomes one (`PolicyError`, `CheckError`). A function, not `From`: the orphan rule
/// keeps this crate from implementing `From<BoundaryError>` (a core type) for [`PyErr`] (a pyo3
/// type), so calls map with `.map_err(raise)?`.
pub fn raise(error: impl Into<BoundaryError>) -> PyErr {
    let error = error.into();
    let code = error.code();
    Python::attach(|py| {
        let err = match error.kind {
            ErrorKind::Policy => PolicyError::new_err(error.shown()),
            ErrorKind::Input => InputError::new_err(error.shown()),
            ErrorKind::Evaluation => EvaluationError::new_err(error.shown()),
            ErrorKind::Internal => InternalError::new_err(error.shown()),
        };
        let value = err.value(py);
        let attached = value
            .setattr("code", code.as_str())
            .and_then(|()| value.setattr("kind", error.kind.as_str()))
            .and_then(|()| value.setattr("diagnostics", convert::to_py(py, &error.diagnostics)?));
        match attached {
            Ok(()) => err,
            Err(other) => other,
        }
    })
}
