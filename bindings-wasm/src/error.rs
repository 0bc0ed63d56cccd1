//! kiro errors and panics as JavaScript errors: the one place that decides what a thrown error
//! carries.
//!
//! Every error is an `Error` named `KiroError` with `code` (the first diagnostic's
//! `KIRO-E0xx`), `kind` (`policy`, `input`, `evaluation`, `internal`) and `diagnostics` (plain
//! objects in the shape every kiro host shows).
//!
//! # Panics
//! `wasm32-unknown-unknown` on stable Rust is built with `panic = "abort"`: `catch_unwind`
//! cannot catch anything and a panic would trap with a bare `RuntimeError: unreachable`. So the
//! panic hook installed by [`install_panic_hook`] does the boundary's work itself: it throws the
//! `KIRO-E099` `KiroError` from inside the hook, so the host sees the same error as from the
//! native bindings. The aborted call may have left the instance inconsistent (its shadow stack,
//! borrows, the panic count), so the package's JavaScript entry points (`js/`) replace the
//! instance with a fresh one before that error reaches the caller; objects created before are
//! then stale and throw if used. Built with `panic = "unwind"`, [`catch`] catches the panic like
//! the native bindings do and the hook stays out of the way.

use kiro::{BoundaryError, Code, Diagnostic, ErrorKind, KiroError};
use std::sync::Once;
use wasm_bindgen::JsValue;

/// A failure on its way to becoming a thrown JavaScript error: a core [`BoundaryError`], or an
/// exception from the caller's own code to throw again.
#[derive(Debug)]
pub struct Failure {
    error: BoundaryError,
    /// An exception the caller's own code threw (a getter): thrown again unchanged.
    rethrow: Option<JsValue>,
}

impl<E: Into<BoundaryError>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self {
            error: error.into(),
            rethrow: None,
        }
    }
}

impl Failure {
    /// A JavaScript exception raised while reading an argument (the caller's getter threw): it
    /// propagates unchanged, as from the Node.js binding.
    pub fn js(error: &JsValue) -> Self {
        Self {
            error: BoundaryError::new(
                ErrorKind::Input,
                Diagnostic::error(
                    Code::InvalidValue,
                    "reading the argument threw an exception",
                ),
            ),
            rethrow: Some(error.clone()),
        }
    }

    /// The kiro error this failure is, or the failure itself when it is an exception from the
    /// caller's own code (which must propagate unchanged).
    pub fn into_boundary(self) -> Result<BoundaryError, Failure> {
        match self.rethrow {
            None => Ok(self.error),
            Some(_) => Err(self),
        }
    }

    /// The error to throw: a `KiroError` object with `code`, `kind` and `diagnostics`.
    pub fn into_js(self) -> JsValue {
        let Self { error, rethrow } = self;
        if let Some(original) = rethrow {
            return original;
        }
        let thrown = js_sys::Error::new(&error.shown());
        thrown.set_name("KiroError");
        let diagnostics = crate::convert::to_js(&error.diagnostics).unwrap_or(JsValue::NULL);
        // Setting own properties on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(&thrown, &"code".into(), &error.code().as_str().into());
        let _ = js_sys::Reflect::set(&thrown, &"kind".into(), &error.kind.as_str().into());
        let _ = js_sys::Reflect::set(&thrown, &"diagnostics".into(), &diagnostics);
        thrown.into()
    }
}

impl From<Failure> for JsValue {
    fn from(failure: Failure) -> JsValue {
        failure.into_js()
    }
}

/// Runs `f`, turning a panic into a `KIRO-E099` failure (where panics unwind; see the module
/// docs for `panic = "abort"`).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Failure> {
    PANIC_HOOK.call_once(install_panic_hook);
    Ok(kiro::catch_panic(f)?)
}

/// Runs a core call that may fail, turning both its error and a panic into a failure.
pub fn guard<T, E: KiroError>(f: impl FnOnce() -> Result<T, E>) -> Result<T, Failure> {
    PANIC_HOOK.call_once(install_panic_hook);
    Ok(kiro::guard(f)?)
}

static PANIC_HOOK: Once = Once::new();

/// Installs the panic hook described in the module docs (once, from the first [`catch`] or
/// [`guard`]).
fn install_panic_hook() {
    if cfg!(panic = "abort") {
        std::panic::set_hook(Box::new(|info| {
            let what = kiro::panic_message(info.payload());
            let what = match info.location() {
                Some(at) => format!("{what} at {}:{}", at.file(), at.line()),
                None => what,
            };
            wasm_bindgen::throw_val(Failure::from(BoundaryError::internal(&what)).into_js());
        }));
    }
}
