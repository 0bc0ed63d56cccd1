//! The one boundary every host wraps.
//!
//! - [`HostPolicy`]: a compiled policy as a binding holds it (with its text and the host's
//!   offset unit): `check`, `check_batch`, `plan` and the options of a run, every error located
//!   in the host's units.
//! - [`options`]: every option decoded once, from a JSON-like host value, so that a wrong
//!   option is the same coded error in every host.
//! - [`call`]: each operation (load, validate, check, batch, plan) as a call and an answer, in
//!   a typed, a `_json` and a `_json_str` form, for hosts that move data.
//! - [`monitor`]: the rollback-trigger monitor as a binding holds it ([`HostMonitor`]), and as a
//!   call and an answer.
//! - [`release`]: a release through the policy's environments as a binding holds it
//!   ([`HostRelease`]), and a release and its plan as calls and answers.
//! - [`risk`]: risk scoring and blast radius ([`HostRisk`]), as calls and answers.
//! - [`alerts`]: the alert engine as a binding holds it ([`HostAlerts`]), and as a call and an
//!   answer.
//! - [`evidence`]: reports a host read (JUnit, coverage, SARIF, Lighthouse) merged into metrics
//!   with their provenance, and checked.
//! - `HostPolicy::render`: a decision or run result rendered as the CLI renders it.
//! - `HostPolicy::status` and `HostPolicy::render_status`: the unified dashboard, as a report
//!   and rendered as `kiro status` renders it.
//! - [`convert`]: the conversion rules the bindings' walks over host values share.
//! - [`schemas`]: the JSON Schemas of everything that crosses the boundary, from which the
//!   host types (`.d.ts`, `.pyi`) are generated.
//!
//! Bindings convert and map errors; they hold no engine logic.

pub mod alerts;
pub mod call;
pub mod convert;
pub mod evidence;
mod host;
pub mod hosted;
pub mod monitor;
pub mod options;
pub mod policytest;
pub mod release;
mod render;
pub mod risk;
pub mod schemas;
mod status;

pub use alerts::{AlertsCall, AlertsReplay, HostAlerts};
pub use call::{
    Answer, BatchCall, BatchVerdicts, CheckCall, ErrorAnswer, LoadCall, PolicyInfo, ValidateAnswer,
};
pub use host::{HostPolicy, validate_text};
pub use hosted::{Host, Hosted};
pub use monitor::{HostMonitor, MonitorCall, MonitorReplay};
pub use options::{
    CheckOptions, RiskOptions, StartRunOptions, StatusOptions, decode_at_ms, decode_components,
    decode_format, decode_imports,
};
pub use policytest::{PolicyTestCall, policy_test, policy_test_json, policy_test_json_str};
pub use release::{HostRelease, ReleaseCall, ReleasePlanCall, ReleaseReplay};
pub use risk::{BlastCall, HostRisk, RiskCall, RiskCheckCall};

use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::Format;
use crate::policy::model::{GateKind, Policy};
use serde_json::Value;

/// The engine's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The JSON Schema of the policy format.
#[must_use]
pub fn policy_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or(Value::Null);
    crate::compose::schema::extend(&mut schema);
    schema
}

/// The JSON Schema of the policy format, pretty-printed with a trailing newline (the form
/// committed as `docs/policy.schema.json`).
#[must_use]
pub fn policy_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&policy_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// A decision's canonical JSON: compact, fields in declaration order, maps sorted.
#[must_use]
pub fn decision_to_json(decision: &Decision) -> String {
    // INVARIANT: decisions hold only finite floats and string-keyed maps, so this cannot fail.
    serde_json::to_string(decision).unwrap_or_default()
}

/// Parses a format name (`yaml`, `json`, `toml`).
///
/// # Errors
/// [`Code::UnsupportedFormat`] for any other name.
pub fn parse_format(name: &str) -> Result<Format, Diagnostic> {
    Format::parse(name).ok_or_else(|| {
        Diagnostic::error(Code::UnsupportedFormat, format!("unknown format `{name}`"))
            .with_help("the formats are `yaml`, `json` and `toml`")
    })
}

/// Parses a gate kind name (`pre-merge`…).
///
/// # Errors
/// [`Code::InvalidValue`] for a name that is not a kind.
pub fn parse_kind(name: &str) -> Result<GateKind, Diagnostic> {
    GateKind::parse(name).ok_or_else(|| {
        let kinds = GateKind::ALL.iter().map(|k| k.as_str());
        let help = crate::diagnostic::did_you_mean(name, kinds).map_or_else(
            || {
                "the kinds are `pre-commit`, `pre-merge`, `pre-deploy`, `post-deploy` and `custom`"
                    .to_owned()
            },
            |s| format!("did you mean `{s}`?"),
        );
        Diagnostic::error(Code::InvalidValue, format!("unknown gate kind `{name}`")).with_help(help)
    })
}
