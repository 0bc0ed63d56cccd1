//! A decision or a run result a host holds, rendered for people and CI systems the way the CLI
//! renders it (`kiro render`): human, Markdown, JUnit XML or the canonical JSON.

use super::host::HostPolicy;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{BoundaryError, ErrorKind};
use crate::render::{MetricUnits, Saved, SavedFormat};
use serde_json::Value;

impl HostPolicy {
    /// `saved` (a decision or a run result of this policy, as the host holds its JSON form)
    /// rendered in `format` (`human`, the default when null; `markdown`, `junit`, `json`),
    /// values in the policy's declared units, without colour.
    ///
    /// # Errors
    /// `KIRO-E003` for an unknown format or a decision of another policy (its hash differs);
    /// `KIRO-E020` for a value that is neither a decision nor a run result.
    pub fn render(&self, saved: &Value, format: &Value) -> Result<String, BoundaryError> {
        let input = |d: Diagnostic| BoundaryError::new(ErrorKind::Input, d);
        let format = match format {
            Value::Null => SavedFormat::Human,
            Value::String(name) => SavedFormat::parse(name).map_err(input)?,
            other => {
                return Err(input(Diagnostic::error(
                    Code::InvalidValue,
                    format!("the format is a string such as \"markdown\", not {other}"),
                )));
            }
        };
        let saved = Saved::from_json(saved.clone()).map_err(input)?;
        let hash = self.compiled().hash();
        if saved.policy_hash() != hash {
            return Err(input(Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "the value to render came from another policy: its hash is {}, this policy's {hash}",
                    saved.policy_hash()
                ),
            )));
        }
        let units = MetricUnits::from_policy(self.compiled());
        Ok(saved.render(format, &units, false))
    }
}
