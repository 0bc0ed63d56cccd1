//! [`HostPolicy`]: a compiled policy as a binding holds it, with its source text and the unit
//! its host counts string offsets in, so that every error it reports points at the right text
//! in that host. Each binding's `Policy` class wraps one; its methods are this type's, with
//! the host's values converted in and out.

use super::options::{CheckOptions, StartRunOptions, decode_imports};
use crate::compose::Sources;
use crate::decision::Decision;
use crate::diagnostic::{Diagnostic, OffsetUnit, locate_all};
use crate::document::Format;
use crate::error::{BoundaryError, CheckError, KiroError};
use crate::gate::{Batch, BatchResult, RecordVerdict};
use crate::health::HealthReport;
use crate::metrics::MetricsInput;
use crate::pipeline::{Plan, RunOptions};
use crate::policy::CompiledPolicy;
use crate::release::ReleasePlan;
use serde_json::Value;
use std::sync::Arc;

/// The diagnostic source of policy text (`Diagnostic::source`).
const POLICY: &str = "policy";

/// A compiled policy with the text it was compiled from, for a host that counts offsets in
/// `unit`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    compiled: CompiledPolicy,
    text: Arc<str>,
    /// The texts of the files the policy imports, by path.
    imports: Arc<Sources>,
    unit: OffsetUnit,
}

impl HostPolicy {
    /// Compiles `text` (in `format`, or detected from the text when `None`).
    ///
    /// # Errors
    /// A policy error whose labels are located in `text` in `unit`.
    pub fn load(
        text: &str,
        format: Option<Format>,
        unit: OffsetUnit,
    ) -> Result<Self, BoundaryError> {
        Self::load_with(text, format, &Value::Null, unit)
    }

    /// Compiles `text` as [`HostPolicy::load`] does, with the texts of the files it imports:
    /// `imports`, a host value mapping each path to its text (null: none), decoded by
    /// [`decode_imports`].
    ///
    /// # Errors
    /// An input error for `imports` that is not such a map; a policy error whose labels are
    /// located in the text each is about (`source`: `policy` or an imported path) in `unit`.
    pub fn load_with(
        text: &str,
        format: Option<Format>,
        imports: &Value,
        unit: OffsetUnit,
    ) -> Result<Self, BoundaryError> {
        let imports = decode_imports(imports)?;
        match CompiledPolicy::from_sources(text, format, &imports) {
            Ok(compiled) => Ok(Self {
                compiled,
                text: Arc::from(text),
                imports: Arc::new(imports),
                unit,
            }),
            Err(e) => Err(located(BoundaryError::from_kiro(&e), text, &imports, unit)),
        }
    }

    /// The compiled policy.
    #[must_use]
    pub fn compiled(&self) -> &CompiledPolicy {
        &self.compiled
    }

    /// The text the policy was compiled from.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The unit offsets are given in.
    #[must_use]
    pub fn unit(&self) -> OffsetUnit {
        self.unit
    }

    /// The error, with every label about the policy text located in it.
    #[must_use]
    pub fn locate(&self, mut error: BoundaryError) -> BoundaryError {
        error.diagnostics = self.compiled.remap(error.diagnostics);
        located(error, &self.text, &self.imports, self.unit)
    }

    /// Checks one set of metrics (the JSON value a binding's walk over its host's metrics
    /// gives) with `options` (`{gate, kind, strict}`, decoded by [`CheckOptions::decode`]).
    ///
    /// # Errors
    /// An input error for bad options or metrics; an evaluation error (its labels located in
    /// the policy text) when a condition cannot be computed.
    pub fn check(&self, metrics: &Value, options: &Value) -> Result<Decision, BoundaryError> {
        let options = CheckOptions::decode(options)?;
        self.check_with(metrics, &options)
    }

    /// [`HostPolicy::check`] with options already decoded.
    ///
    /// # Errors
    /// As [`HostPolicy::check`].
    pub fn check_with(
        &self,
        metrics: &Value,
        options: &CheckOptions,
    ) -> Result<Decision, BoundaryError> {
        let selection = options.selection();
        let result = match &options.history {
            Some(history) => self.compiled.check_value_with_history(
                metrics,
                &selection,
                history,
                options.branch.as_deref(),
            ),
            None => self.compiled.check_value(metrics, &selection),
        };
        result.map_err(|e| self.locate(BoundaryError::from_kiro(&e)))
    }

    /// The verdict path of [`HostPolicy::check`]: the same metrics and options, and the
    /// decision's verdict with each criterion's outcome (`{verdict, criteria}`), without
    /// explanations. The same errors as `check` for the same input.
    ///
    /// # Errors
    /// As [`HostPolicy::check`].
    pub fn verdict_value(
        &self,
        metrics: &Value,
        options: &Value,
    ) -> Result<RecordVerdict, BoundaryError> {
        let options = CheckOptions::decode(options)?;
        let mut out = RecordVerdict::new();
        self.verdict_into(metrics, &options, &mut out)?;
        Ok(out)
    }

    /// [`HostPolicy::verdict_value`] with options already decoded, into `out` (its buffers
    /// reused), for a binding that keeps one per policy or per loop.
    ///
    /// # Errors
    /// As [`HostPolicy::check`].
    pub fn verdict_into(
        &self,
        metrics: &Value,
        options: &CheckOptions,
        out: &mut RecordVerdict,
    ) -> Result<(), BoundaryError> {
        let selection = options.selection();
        let result = match &options.history {
            Some(history) => self.compiled.verdict_value_with_history(
                metrics,
                &selection,
                history,
                options.branch.as_deref(),
                out,
            ),
            None => self.compiled.verdict_value_into(metrics, &selection, out),
        };
        result.map_err(|e| self.locate(BoundaryError::from_kiro(&e)))
    }

    /// Checks many records given as columns, with `options` as in [`HostPolicy::check`].
    ///
    /// # Errors
    /// An input error for bad options; as `CompiledPolicy::check_batch` otherwise.
    pub fn check_batch(
        &self,
        batch: &Batch,
        options: &Value,
    ) -> Result<BatchResult, BoundaryError> {
        self.check_batch_with(batch, &CheckOptions::decode(options)?)
    }

    /// [`HostPolicy::check_batch`] with options already decoded.
    ///
    /// # Errors
    /// As `CompiledPolicy::check_batch`.
    pub fn check_batch_with(
        &self,
        batch: &Batch,
        options: &CheckOptions,
    ) -> Result<BatchResult, BoundaryError> {
        self.compiled
            .check_batch(batch, &options.selection())
            .map_err(|e| self.locate(BoundaryError::from_kiro(&e)))
    }

    /// The plan of the policy's pipeline.
    ///
    /// # Errors
    /// An input error when the policy has no pipeline.
    pub fn plan(&self) -> Result<&Plan, BoundaryError> {
        self.compiled
            .plan()
            .map_err(|e| self.locate(BoundaryError::from_kiro(&e)))
    }

    /// The dashboard's health for `metrics` (the JSON value a check takes): every persona
    /// panel and shared metric.
    ///
    /// # Errors
    /// `KIRO-E030` for a policy without `health`; the metrics' errors as for a check.
    pub fn health(&self, metrics: &Value) -> Result<HealthReport, BoundaryError> {
        MetricsInput::from_json(metrics)
            .map_err(CheckError::input)
            .and_then(|input| self.compiled.health_of(&input))
            .map_err(|e| self.locate(e.into()))
    }

    /// The whole path a release takes through the policy's environments, with every window
    /// shown at `at_ms` (ms since the Unix epoch, the host's clock).
    ///
    /// # Errors
    /// `KIRO-E104` for a policy without environments.
    pub fn release_plan(&self, at_ms: u64) -> Result<ReleasePlan, BoundaryError> {
        self.compiled
            .release_plan(at_ms)
            .map_err(|e| self.locate(e.into()))
    }

    /// The settings of a run started with `options` (`{maxParallel, failFast}`, decoded by
    /// [`StartRunOptions::decode`]).
    ///
    /// # Errors
    /// An input error for bad options.
    pub fn run_options(&self, options: &Value) -> Result<RunOptions, BoundaryError> {
        Ok(StartRunOptions::decode(options)?.run_options())
    }
}

/// Every problem in a policy text, located in it in `unit`; empty when it is valid.
#[must_use]
pub fn validate_text(text: &str, format: Option<Format>, unit: OffsetUnit) -> Vec<Diagnostic> {
    match CompiledPolicy::from_text(text, format) {
        Ok(_) => Vec::new(),
        Err(e) => locate_all(e.diagnostics().to_vec(), POLICY, text, unit),
    }
}

/// The error with its labels located in `text` (the policy) and in the imported files'
/// texts, in `unit`, and the excerpt of the line under the first one.
fn located(error: BoundaryError, text: &str, imports: &Sources, unit: OffsetUnit) -> BoundaryError {
    let mut error = error.with_excerpt(POLICY, text);
    for (path, text) in imports {
        error = error.with_excerpt(path, text);
    }
    error.diagnostics = locate_all(error.diagnostics, POLICY, text, unit);
    for (path, text) in imports {
        error.diagnostics = locate_all(error.diagnostics, path, text, unit);
    }
    error
}
