//! The JSON Schemas of every type that crosses the boundary: decisions, diagnostics, plans,
//! run results, monitor and alert events and decisions, options, calls and answers. The host types are generated from them (the
//! TypeScript interfaces of the Node and WebAssembly packages, the Python `TypedDict`s), and
//! a check fails when the committed copies differ (`scripts/generate-types.sh`).

use super::alerts::{AlertsCall, AlertsReplay};
use super::call::{
    Answer, BatchCall, BatchVerdicts, CheckCall, ErrorAnswer, LoadCall, PolicyInfo, ValidateAnswer,
};
use super::monitor::{MonitorCall, MonitorReplay};
use super::options::{CheckOptions, RiskOptions, StartRunOptions, StatusOptions};
use super::release::{ReleaseCall, ReleasePlanCall, ReleaseReplay};
use super::risk::{BlastCall, RiskCall, RiskCheckCall};
use crate::alert::{AlertDecision, AlertEvent};
use crate::decision::Decision;
use crate::diagnostic::{Code, Diagnostic, OffsetUnit};
use crate::error::ErrorKind;
use crate::health::HealthReport;
use crate::monitor::{MonitorDecision, MonitorEvent};
use crate::pipeline::{Event, Plan, RunResult};
use crate::risk::{BlastRadius, RiskGatedDecision, RiskReport};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// Adds `T`'s schema, and every schema it refers to, to `generator`'s definitions.
fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
    let _ = generator.subschema_for::<T>();
}

/// One JSON Schema (draft 2020-12) whose `$defs` hold every boundary type by name, each with
/// its documentation. The root is an object with one optional property per top-level type, so
/// that tools which only follow references from the root reach them all.
#[must_use]
pub fn boundary_schema() -> Value {
    // The serialize contract: a field is required when it is always written, as in every
    // answer; the calls' and options' optional fields are skipped when absent, so optional.
    let mut generator = SchemaGenerator::new(SchemaSettings::draft2020_12().for_serialize());
    add::<Decision>(&mut generator);
    add::<crate::gate::RecordVerdict>(&mut generator);
    add::<Diagnostic>(&mut generator);
    add::<Code>(&mut generator);
    add::<ErrorKind>(&mut generator);
    add::<OffsetUnit>(&mut generator);
    add::<Plan>(&mut generator);
    add::<RunResult>(&mut generator);
    add::<Event>(&mut generator);
    add::<MonitorEvent>(&mut generator);
    add::<MonitorDecision>(&mut generator);
    add::<MonitorReplay>(&mut generator);
    add::<AlertEvent>(&mut generator);
    add::<AlertDecision>(&mut generator);
    add::<AlertsReplay>(&mut generator);
    add::<HealthReport>(&mut generator);
    add::<crate::status::StatusReport>(&mut generator);
    add::<StatusOptions>(&mut generator);
    add::<CheckOptions>(&mut generator);
    add::<StartRunOptions>(&mut generator);
    add::<LoadCall>(&mut generator);
    add::<CheckCall>(&mut generator);
    add::<BatchCall>(&mut generator);
    add::<MonitorCall>(&mut generator);
    add::<AlertsCall>(&mut generator);
    add::<PolicyInfo>(&mut generator);
    add::<BatchVerdicts>(&mut generator);
    add::<ErrorAnswer>(&mut generator);
    add::<ValidateAnswer>(&mut generator);
    add::<Answer<PolicyInfo>>(&mut generator);
    add::<Answer<Decision>>(&mut generator);
    add::<Answer<BatchVerdicts>>(&mut generator);
    add::<Answer<Plan>>(&mut generator);
    add::<Answer<MonitorReplay>>(&mut generator);
    add::<crate::release::ReleaseEvent>(&mut generator);
    add::<crate::release::ReleaseDecision>(&mut generator);
    add::<ReleaseCall>(&mut generator);
    add::<ReleaseReplay>(&mut generator);
    add::<ReleasePlanCall>(&mut generator);
    add::<crate::release::ReleasePlan>(&mut generator);
    add::<Answer<ReleaseReplay>>(&mut generator);
    add::<Answer<crate::release::ReleasePlan>>(&mut generator);
    add::<RiskCall>(&mut generator);
    add::<BlastCall>(&mut generator);
    add::<RiskReport>(&mut generator);
    add::<BlastRadius>(&mut generator);
    add::<Answer<Vec<RiskReport>>>(&mut generator);
    add::<Answer<BlastRadius>>(&mut generator);
    add::<RiskCheckCall>(&mut generator);
    add::<RiskOptions>(&mut generator);
    add::<crate::evidence::EvidenceSummary>(&mut generator);
    add::<crate::risk::fit::ChangeScore>(&mut generator);
    add::<crate::risk::fit::Evaluation>(&mut generator);
    add::<super::evidence::EvidenceReport>(&mut generator);
    add::<crate::release::LogEntry>(&mut generator);
    add::<crate::release::Wait>(&mut generator);
    add::<Answer<RiskGatedDecision>>(&mut generator);
    add::<Answer<AlertsReplay>>(&mut generator);
    add::<super::policytest::PolicyTestCall>(&mut generator);
    add::<Answer<crate::policytest::PolicyTestReport>>(&mut generator);
    let definitions = generator.take_definitions(true);
    let properties: Map<String, Value> = definitions
        .keys()
        .map(|name| (name.clone(), json!({ "$ref": format!("#/$defs/{name}") })))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "KiroBoundary",
        "description": "Every type that crosses kiro's boundary, by name (generated from the core; do not edit).",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "$defs": definitions,
    })
}

/// [`boundary_schema`] pretty-printed with a trailing newline: the form committed as
/// `schemas/boundary.schema.json`.
#[must_use]
pub fn boundary_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&boundary_schema()).unwrap_or_default();
    text.push('\n');
    text
}
