//! kiro errors and panics as JavaScript errors: the one place that decides what a thrown error
//! carries.
//!
//! Every error is an `Error` named `KiroError` with `code` (the first diagnostic's
//! `KIRO-E0xx`), `kind` (`policy`, `input`, `evaluation`, `internal`) and `diagnostics` (plain
//! objects in the shape every kiro host shows). The failures themselves are the core's
//! [`BoundaryError`]s: its `guard` and `catch_panic` turn errors and panics (`KIRO-E099`) into
//! them, so panics never unwind into Node.

#![forbid(unsafe_code)]

use kiro::{BoundaryError, Code, Diagnostic, ErrorKind};
use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Status};

/// The failure a napi call made while converting becomes (a JavaScript getter that threw, a
/// value that could not be read).
pub fn napi_failure(error: napi::Error) -> BoundaryError {
    BoundaryError::new(
        ErrorKind::Input,
        Diagnostic::error(
            Code::InvalidValue,
            format!("could not read the argument: {}", error.reason),
        ),
    )
}

/// Whether `failure` came from [`napi_failure`] while reading a JavaScript value (a getter that
/// threw leaves its exception pending, and [`throw`] lets it propagate unchanged). Metrics
/// conversion reports everything else with the core's codes (`KIRO-E006`, `E021`, `E022`),
/// never with [`Code::InvalidValue`].
pub fn is_napi_failure(failure: &BoundaryError) -> bool {
    failure.code() == Code::InvalidValue
}

/// The error to throw: a `KiroError` object with `code`, `kind` and `diagnostics`.
pub fn throw(failure: BoundaryError, env: &Env) -> napi::Error {
    let built = (|| -> napi::Result<napi::Error> {
        let mut error: Object<'_> =
            env.create_error(napi::Error::new(Status::GenericFailure, failure.shown()))?;
        error.set("name", "KiroError")?;
        error.set("code", failure.code().as_str())?;
        error.set("kind", failure.kind.as_str())?;
        error.set("diagnostics", env.to_js_value(&failure.diagnostics)?)?;
        Ok(napi::Error::from(error.to_unknown()))
    })();
    // If even building the error object failed, throw a plain error with the message.
    built.unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, failure.shown()))
}

/// Converts a core result (a [`BoundaryError`], or a kiro error that becomes one) into what a
/// `#[napi]` function returns.
pub trait OrThrow<T> {
    /// The value, or the failure thrown as a `KiroError`.
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T, E: Into<BoundaryError>> OrThrow<T> for Result<T, E> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|f| throw(f.into(), env))
    }
}

/// A file that could not be read, as Node reports it: an `Error` whose `code` is the errno name
/// (`ENOENT`, `EACCES`, …) and whose `path` is the file. Not a `KiroError`: kiro never saw the
/// text.
pub fn io_error(env: &Env, path: &std::path::Path, error: &std::io::Error) -> napi::Error {
    use std::io::ErrorKind as Io;
    let code = match error.kind() {
        Io::NotFound => "ENOENT",
        Io::PermissionDenied => "EACCES",
        Io::IsADirectory => "EISDIR",
        Io::InvalidInput => "EINVAL",
        _ => "EIO",
    };
    let message = format!("{code}: cannot read `{}`: {error}", path.display());
    let built = (|| -> napi::Result<napi::Error> {
        let mut object: Object<'_> =
            env.create_error(napi::Error::new(Status::GenericFailure, message.clone()))?;
        object.set("code", code)?;
        object.set("path", path.display().to_string())?;
        Ok(napi::Error::from(object.to_unknown()))
    })();
    built.unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, message))
}
