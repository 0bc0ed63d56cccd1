//! kiro errors and panics as JavaScript errors: the one place that decides what a thrown error
//! carries.
//!
//! Every error is an `Error` named `KiroError` with `code` (the first diagnostic's
//! `KIRO-E0xx`), `kind` (`policy`, `input`, `evaluation`, `internal`) and `diagnostics` (plain
//! objects in the shape every kiro host shows). Panics are caught here and become `KIRO-E099`
//! errors; they never unwind into Node.

#![forbid(unsafe_code)]

use kiro::{Code, Diagnostic, ErrorKind};
use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Status};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A failure on its way to becoming a thrown JavaScript error.
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

    /// A failure from a napi call made while converting (a JavaScript getter that threw, a
    /// value that could not be read).
    pub fn napi(error: &napi::Error) -> Self {
        Self::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidValue,
                format!("could not read the argument: {}", error.reason),
            ),
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

    /// The error to throw: a `KiroError` object with `code`, `kind` and `diagnostics`.
    pub fn throw(self, env: &Env) -> napi::Error {
        let code = self.diagnostics.first().map_or(Code::Internal, |d| d.code);
        let built = (|| -> napi::Result<napi::Error> {
            let mut error: Object<'_> = env.create_error(napi::Error::new(
                Status::GenericFailure,
                self.message.clone(),
            ))?;
            error.set("name", "KiroError")?;
            error.set("code", code.as_str())?;
            error.set("kind", self.kind.as_str())?;
            error.set("diagnostics", env.to_js_value(&self.diagnostics)?)?;
            Ok(napi::Error::from(error.to_unknown()))
        })();
        // If even building the error object failed, throw a plain error with the message.
        built.unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, self.message))
    }
}

/// Converts a `Result<T, Failure>` into what a `#[napi]` function returns.
pub trait OrThrow<T> {
    /// The value, or the failure thrown as a `KiroError`.
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for Result<T, Failure> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|f| f.throw(env))
    }
}

/// Runs `f`, turning a panic into a `KIRO-E099` failure.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| Failure::panic(payload.as_ref()))
}

/// Runs a core call that may fail, turning both its error and a panic into a failure.
pub fn guard<T, E: kiro::KiroError>(f: impl FnOnce() -> Result<T, E>) -> Result<T, Failure> {
    catch(f)?.map_err(|e| Failure::from_kiro(&e))
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
