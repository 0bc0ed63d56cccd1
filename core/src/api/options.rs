//! Options, decoded once, here, from the JSON-like value a host gives (a JavaScript object or a
//! Python mapping through the binding's generic conversion, or a field of a JSON call). A wrong
//! option is therefore the same coded error (`KIRO-E003`, or `KIRO-E007` for a format) with the
//! same message in every host.
//!
//! `null` (JavaScript's `undefined` too) stands for an option not given. Unknown option names
//! are errors with a did-you-mean, never silently ignored. Names are written in camelCase
//! (`maxParallel`); the snake_case spelling (`max_parallel`, Python's keywords) is accepted
//! too, and messages use the spelling the host used.

use super::{parse_format, parse_kind};
use crate::baseline::{EarlierRun, decode_history};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::document::Format;
use crate::error::{BoundaryError, ErrorKind};
use crate::gate::Selection;
use crate::pipeline::RunOptions;
use crate::policy::model::GateKind;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The largest integer below which every integral double is exact (2^53).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// The options of `check` and `checkBatch`: which gates to evaluate (all when neither is
/// given), and whether input names the policy does not declare are errors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckOptions {
    /// Only the gate with this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// Only the gates of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<GateKind>,
    /// Refuse input names the policy does not declare (`KIRO-E011`) instead of warning about
    /// them in the answer. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// The earlier runs `baseline(metric)` compares with (docs/baselines.md): each
    /// `{id, verdict, at_ms, metrics}` with optional `policy`, `branch` and `policy_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<EarlierRun>>,
    /// The branch of the current run: a baseline compares with runs on it unless the policy
    /// names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

impl CheckOptions {
    /// Decodes `{gate, kind, strict, history, branch}`.
    ///
    /// # Errors
    /// An input error (`KIRO-E003`) for a value that is not such an object, an option of the
    /// wrong type, an unknown gate kind or an unknown option; `KIRO-E057` for a `history`
    /// that is not a list of runs, `KIRO-E059` for one too long.
    pub fn decode(value: &Value) -> Result<Self, BoundaryError> {
        // The shape in messages stays the common one (the bindings' tests match it).
        let mut options = Reader::new(value, "`{gate, kind, strict}`")?;
        let gate = options.string(&["gate"])?;
        let kind = options
            .string(&["kind"])?
            .map(|k| parse_kind(&k))
            .transpose()
            .map_err(input)?;
        let strict = options.boolean(&["strict"])?;
        let history = options
            .get(&["history"])
            .map(|(_, v)| decode_history(v))
            .transpose()
            .map_err(input)?;
        let branch = options.string(&["branch"])?;
        options.finish()?;
        Ok(Self {
            gate,
            kind,
            strict,
            history,
            branch,
        })
    }

    /// Whether the check compares with earlier runs (`history` given).
    #[must_use]
    pub fn has_history(&self) -> bool {
        self.history.is_some()
    }

    /// The gates these options select.
    #[must_use]
    pub fn selection(&self) -> Selection {
        Selection {
            gate: self.gate.clone(),
            kind: self.kind,
            strict: self.strict.unwrap_or(false),
        }
    }
}

/// The options of starting a pipeline run; each overrides the pipeline's own setting when
/// given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartRunOptions {
    /// How many stages may run at once (a whole number, at least 1). `max_parallel` in
    /// Python.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_parallel: Option<u64>,
    /// Whether a failure cancels the rest. `fail_fast` in Python.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
}

impl StartRunOptions {
    /// Decodes `{maxParallel, failFast}` (or `max_parallel`, `fail_fast`).
    ///
    /// # Errors
    /// An input error (`KIRO-E003`) for a value that is not such an object, a `maxParallel`
    /// that is not a whole number of at least 1, a `failFast` that is not a boolean, or an
    /// unknown option.
    pub fn decode(value: &Value) -> Result<Self, BoundaryError> {
        let mut options = Reader::new(value, "`{maxParallel, failFast}`")?;
        let max_parallel = options.whole(&["maxParallel", "max_parallel"], 1.0)?;
        let fail_fast = options.boolean(&["failFast", "fail_fast"])?;
        options.finish()?;
        Ok(Self {
            max_parallel,
            fail_fast,
        })
    }

    /// The executor's settings for these options.
    #[must_use]
    pub fn run_options(self) -> RunOptions {
        RunOptions {
            max_parallel: self
                .max_parallel
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            fail_fast: self.fail_fast,
        }
    }
}

/// The options of risk scoring and risk-based gating: the components a change touches, the
/// model to score (or to gate by) and the gate to check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskOptions {
    /// The components the change touches, for factors that read its blast radius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<String>>,
    /// Only this risk model (scoring), or the model whose level chooses the gates (gating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Only this gate (gating, before bypasses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
}

impl RiskOptions {
    /// Decodes `{changed, model, gate}`.
    ///
    /// # Errors
    /// An input error (`KIRO-E003`) for a value that is not such an object, an option of the
    /// wrong type or an unknown option.
    pub fn decode(value: &Value) -> Result<Self, BoundaryError> {
        let mut options = Reader::new(value, "`{changed, model, gate}`")?;
        let changed = options.strings(&["changed"])?;
        let model = options.string(&["model"])?;
        let gate = options.string(&["gate"])?;
        options.finish()?;
        Ok(Self {
            changed,
            model,
            gate,
        })
    }
}

/// The options of the dashboard (`status`, `renderStatus`): the history of alert events
/// (observations, and any acks, silences or external alerts, in time order), the moment, and
/// the format to render in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusOptions {
    /// The alert events up to (and beyond) the moment, in time order: `{"type": "observe",
    /// "at_ms": …, "values": {…}}`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<crate::alert::AlertEvent>>,
    /// The moment shown (ms on the host's clock); default: the history's last time. `at_ms`
    /// in Python.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<u64>,
    /// `human` (the default), `markdown`, `html` or `json`: for `renderStatus` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl StatusOptions {
    /// Decodes `{history, atMs, format}` (or `at_ms`).
    ///
    /// # Errors
    /// An input error (`KIRO-E003`) for a value that is not such an object, a `history` that
    /// is not a list of alert events (naming the first bad one), an `atMs` that is not a whole
    /// number, a `format` that is not a status format, or an unknown option.
    pub fn decode(value: &Value) -> Result<Self, BoundaryError> {
        let mut options = Reader::new(value, "`{history, atMs, format}`")?;
        let history = match options.get(&["history"]) {
            None => None,
            Some((_, Value::Array(items))) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        crate::alert::AlertEvent::from_json(item).map_err(|e| {
                            let why = crate::error::KiroError::diagnostics(&e)
                                .first()
                                .map(|d| d.message.clone());
                            invalid(format!("history event {i}: {}", why.unwrap_or_default()))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some((_, other)) => {
                return Err(invalid(format!(
                    "option `history` must be an array of alert events, not {}",
                    type_name(other)
                )));
            }
        };
        let at_ms = options.whole(&["atMs", "at_ms"], 0.0)?;
        let format = options.string(&["format"])?;
        if let Some(f) = &format {
            crate::render::StatusFormat::parse(f).map_err(input)?;
        }
        options.finish()?;
        Ok(Self {
            history,
            at_ms,
            format,
        })
    }
}

/// A list of component names given as a host value (the change of a blast radius).
///
/// # Errors
/// An input error (`KIRO-E003`) for a value that is not an array of strings.
pub fn decode_components(value: &Value) -> Result<Vec<String>, BoundaryError> {
    strings_of("the changed components", value)
}

/// A time on the host's clock given as a host value: a whole number of milliseconds.
///
/// # Errors
/// An input error (`KIRO-E003`) for anything else.
pub fn decode_at_ms(value: &Value) -> Result<u64, BoundaryError> {
    match value.as_f64().filter(|n| n.fract() == 0.0) {
        Some(n) if (0.0..EXACT_INTEGERS).contains(&n) =>
        {
            #[expect(clippy::cast_possible_truncation, reason = "integral and below 2^53")]
            #[expect(clippy::cast_sign_loss, reason = "not negative")]
            Ok(n as u64)
        }
        _ => Err(invalid(format!(
            "a time must be a whole number of milliseconds, at least 0, not {value}"
        ))),
    }
}

/// `value` as a list of strings; `what` names it in the message.
fn strings_of(what: &str, value: &Value) -> Result<Vec<String>, BoundaryError> {
    let wrong = || {
        invalid(format!(
            "{what} must be an array of strings, not {}",
            type_name(value)
        ))
    };
    let items = value.as_array().ok_or_else(wrong)?;
    items
        .iter()
        .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
        .collect()
}

/// A policy's `format` given as a host value: `null` (detect it from the text), `"yaml"`,
/// `"json"` or `"toml"`.
///
/// # Errors
/// An input error: `KIRO-E007` for another name, `KIRO-E003` for a value that is not a
/// string.
pub fn decode_format(value: &Value) -> Result<Option<Format>, BoundaryError> {
    match value {
        Value::Null => Ok(None),
        Value::String(name) => parse_format(name).map(Some).map_err(input),
        other => Err(invalid(format!(
            "the format must be a string (`yaml`, `json` or `toml`), not {}",
            type_name(other)
        ))),
    }
}

/// Decodes the texts of a policy's imported files (docs/composition.md): an object mapping each
/// path to its text, or null for none.
///
/// # Errors
/// An input error (`KIRO-E003`) for a value that is not such an object.
pub fn decode_imports(value: &Value) -> Result<crate::compose::Sources, BoundaryError> {
    match value {
        Value::Null => Ok(crate::compose::Sources::new()),
        Value::Object(map) => map
            .iter()
            .map(|(path, text)| match text {
                Value::String(text) => Ok((path.clone(), text.clone())),
                other => Err(invalid(format!(
                    "the text of imported file `{path}` must be a string, not {}",
                    type_name(other)
                ))),
            })
            .collect(),
        other => Err(invalid(format!(
            "the imports must be an object of paths to texts, not {}",
            type_name(other)
        ))),
    }
}

/// The JSON Schema of a format option: one of the three names, or `null`.
pub(crate) fn format_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "enum": ["yaml", "json", "toml", null] })
}

fn input(diagnostic: Diagnostic) -> BoundaryError {
    BoundaryError::new(ErrorKind::Input, diagnostic)
}

fn invalid(message: String) -> BoundaryError {
    input(Diagnostic::error(Code::InvalidValue, message))
}

/// How a value's type is named in messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the options of an options object one by one, then rejects the names left.
struct Reader<'a> {
    map: Option<&'a Map<String, Value>>,
    known: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    /// `shape` shows what the object looks like, for the message.
    fn new(value: &'a Value, shape: &str) -> Result<Self, BoundaryError> {
        match value {
            Value::Null => Ok(Self {
                map: None,
                known: Vec::new(),
            }),
            Value::Object(map) => Ok(Self {
                map: Some(map),
                known: Vec::new(),
            }),
            other => Err(invalid(format!(
                "the options must be an object like {shape}, not {}",
                type_name(other)
            ))),
        }
    }

    /// The option under any of `names` (the first is the documented one): the spelling used
    /// and the value, unless absent or `null`.
    fn get(&mut self, names: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        self.known.extend_from_slice(names);
        let map = self.map?;
        names
            .iter()
            .find_map(|&n| map.get(n).map(|v| (n, v)))
            .filter(|(_, v)| !v.is_null())
    }

    fn string(&mut self, names: &[&'static str]) -> Result<Option<String>, BoundaryError> {
        match self.get(names) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.clone())),
            Some((name, other)) => Err(invalid(format!(
                "option `{name}` must be a string, not {}",
                type_name(other)
            ))),
        }
    }

    fn strings(&mut self, names: &[&'static str]) -> Result<Option<Vec<String>>, BoundaryError> {
        match self.get(names) {
            None => Ok(None),
            Some((name, value)) => strings_of(&format!("option `{name}`"), value).map(Some),
        }
    }

    fn boolean(&mut self, names: &[&'static str]) -> Result<Option<bool>, BoundaryError> {
        match self.get(names) {
            None => Ok(None),
            Some((_, Value::Bool(b))) => Ok(Some(*b)),
            Some((name, other)) => Err(invalid(format!(
                "option `{name}` must be a boolean, not {}",
                type_name(other)
            ))),
        }
    }

    /// A whole number of at least `min`.
    fn whole(&mut self, names: &[&'static str], min: f64) -> Result<Option<u64>, BoundaryError> {
        let Some((name, value)) = self.get(names) else {
            return Ok(None);
        };
        let number = value.as_f64().filter(|n| n.fract() == 0.0);
        match number {
            Some(n) if (min..EXACT_INTEGERS).contains(&n) =>
            {
                #[expect(clippy::cast_possible_truncation, reason = "integral and below 2^53")]
                #[expect(clippy::cast_sign_loss, reason = "at least `min`, which is positive")]
                Ok(Some(n as u64))
            }
            _ => Err(invalid(format!(
                "option `{name}` must be a whole number of at least {min}, not {value}"
            ))),
        }
    }

    /// Fails on the first option that was not read.
    fn finish(self) -> Result<(), BoundaryError> {
        let Some(map) = self.map else {
            return Ok(());
        };
        let Some(unknown) = map.keys().find(|k| !self.known.contains(&k.as_str())) else {
            return Ok(());
        };
        let documented: Vec<&str> = self
            .known
            .iter()
            .copied()
            .filter(|n| !n.contains('_'))
            .collect();
        let help = did_you_mean(unknown, self.known.iter().copied()).map_or_else(
            || {
                let names: Vec<String> = documented.iter().map(|n| format!("`{n}`")).collect();
                format!("the options are {}", names.join(", "))
            },
            |s| format!("did you mean `{s}`?"),
        );
        Err(input(
            Diagnostic::error(Code::InvalidValue, format!("unknown option `{unknown}`"))
                .with_help(help),
        ))
    }
}

#[cfg(test)]
mod tests;
