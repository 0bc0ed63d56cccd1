//! The unified dashboard at the boundary: `HostPolicy::status` (the report) and
//! `HostPolicy::render_status` (the report rendered as the CLI's `kiro status` renders it).

use super::host::HostPolicy;
use super::options::StatusOptions;
use crate::error::{BoundaryError, CheckError};
use crate::metrics::MetricsInput;
use crate::render::{StatusFormat, render_status, status_units};
use crate::status::{StatusReport, status};
use serde_json::Value;

impl HostPolicy {
    /// The dashboard for `metrics` (the JSON value a check takes) with `options`
    /// (`{history, atMs}`, decoded by [`StatusOptions::decode`]): the persona panels with
    /// their thresholds, the shared metrics, the alerts active at the moment and each
    /// metric's history.
    ///
    /// # Errors
    /// An input error for bad options; `KIRO-E030` for a policy without `health`; the
    /// metrics' errors as for a check; a history event the policy or the alert engine refuses.
    pub fn status(&self, metrics: &Value, options: &Value) -> Result<StatusReport, BoundaryError> {
        let options = StatusOptions::decode(options)?;
        self.status_with(metrics, &options)
    }

    /// [`HostPolicy::status`] with options already decoded.
    ///
    /// # Errors
    /// As [`HostPolicy::status`].
    pub fn status_with(
        &self,
        metrics: &Value,
        options: &StatusOptions,
    ) -> Result<StatusReport, BoundaryError> {
        let history = options.history.as_deref().unwrap_or(&[]);
        MetricsInput::from_json(metrics)
            .map_err(CheckError::input)
            .and_then(|input| status(self.compiled(), &input, history, options.at_ms))
            .map_err(|e| self.locate(e.into()))
    }

    /// [`HostPolicy::status`] rendered in `options.format` (`human`, the default, without
    /// colour; `markdown`; `html`, a self-contained page; `json`): the same text `kiro status`
    /// prints.
    ///
    /// # Errors
    /// As [`HostPolicy::status`].
    pub fn render_status(&self, metrics: &Value, options: &Value) -> Result<String, BoundaryError> {
        let options = StatusOptions::decode(options)?;
        let report = self.status_with(metrics, &options)?;
        let format = match options.format.as_deref() {
            // INVARIANT: `StatusOptions::decode` checked the name.
            Some(name) => StatusFormat::parse(name).unwrap_or(StatusFormat::Human),
            None => StatusFormat::Human,
        };
        Ok(render_status(
            &report,
            format,
            &status_units(self.compiled()),
            false,
        ))
    }
}
