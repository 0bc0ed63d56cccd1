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

use kiro::{Code, Diagnostic, ErrorKind};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use wasm_bindgen::JsValue;

/// A failure on its way to becoming a thrown JavaScript error.
#[derive(Debug)]
pub struct Failure {
    kind: ErrorKind,
    message: String,
    diagnostics: Vec<Diagnostic>,
    /// An exception the caller's own code threw (a getter): thrown again unchanged.
    rethrow: Option<JsValue>,
}

impl Failure {
    /// A failure carrying a kiro error's kind and diagnostics.
    pub fn from_kiro<E: kiro::KiroError>(error: &E) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
            diagnostics: error.diagnostics().to_vec(),
            rethrow: None,
        }
    }

    /// A failure of `kind` with one diagnostic.
    pub fn new(kind: ErrorKind, diagnostic: Diagnostic) -> Self {
        Self {
            kind,
            message: diagnostic.to_string(),
            diagnostics: vec![diagnostic],
            rethrow: None,
        }
    }

    /// An input failure with one diagnostic about the metrics.
    pub fn input(code: Code, message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Input,
            Diagnostic::error(code, message).with_source("metrics"),
        )
    }

    /// A JavaScript exception raised while reading an argument (the caller's getter threw): it
    /// propagates unchanged, as from the Node.js binding.
    pub fn js(error: &JsValue) -> Self {
        let mut failure = Self::new(
            ErrorKind::Input,
            Diagnostic::error(
                Code::InvalidValue,
                "reading the argument threw an exception",
            ),
        );
        failure.rethrow = Some(error.clone());
        failure
    }

    /// The failure a panic becomes.
    fn panic(what: &str) -> Self {
        Self::new(
            ErrorKind::Internal,
            Diagnostic::error(Code::Internal, format!("internal error: {what}"))
                .with_help("this is a bug in kiro; please report it with the input that caused it"),
        )
    }

    /// The error to throw: a `KiroError` object with `code`, `kind` and `diagnostics`.
    pub fn into_js(self) -> JsValue {
        if let Some(original) = self.rethrow {
            return original;
        }
        let code = self.diagnostics.first().map_or(Code::Internal, |d| d.code);
        let error = js_sys::Error::new(&self.message);
        error.set_name("KiroError");
        let diagnostics = crate::convert::to_js(&self.diagnostics).unwrap_or(JsValue::NULL);
        // Setting own properties on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(&error, &"code".into(), &code.as_str().into());
        let _ = js_sys::Reflect::set(&error, &"kind".into(), &self.kind.as_str().into());
        let _ = js_sys::Reflect::set(&error, &"diagnostics".into(), &diagnostics);
        error.into()
    }
}

impl From<Failure> for JsValue {
    fn from(failure: Failure) -> JsValue {
        failure.into_js()
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `f`, turning a panic into a `KIRO-E099` failure (where panics unwind; see the module
/// docs for `panic = "abort"`).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Failure> {
    PANIC_HOOK.call_once(install_panic_hook);
    catch_unwind(AssertUnwindSafe(f))
        .map_err(|payload| Failure::panic(&panic_message(payload.as_ref())))
}

/// Runs a core call that may fail, turning both its error and a panic into a failure.
pub fn guard<T, E: kiro::KiroError>(f: impl FnOnce() -> Result<T, E>) -> Result<T, Failure> {
    catch(f)?.map_err(|e| Failure::from_kiro(&e))
}

static PANIC_HOOK: Once = Once::new();

/// Installs the panic hook described in the module docs (once, from the first [`catch`]).
fn install_panic_hook() {
    if cfg!(panic = "abort") {
        std::panic::set_hook(Box::new(|info| {
            let what = panic_message(info.payload());
            let what = match info.location() {
                Some(at) => format!("{what} at {}:{}", at.file(), at.line()),
                None => what,
            };
            wasm_bindgen::throw_val(Failure::panic(&what).into_js());
        }));
    }
}
