//! The one serializable diagnostic every host shows, and the stable error codes.
//!
//! Every error kiro reports carries a [`Code`] (`KIRO-E0xx`), a lowercase message without a
//! trailing period, an optional help line and labelled byte spans into the text it came from.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

mod excerpt;
mod locate;

pub use excerpt::Excerpt;
pub use locate::{OffsetUnit, locate_all};

/// A half-open byte range `[start, end)` into a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        if end < start {
            Self {
                start: end,
                end: start,
            }
        } else {
            Self { start, end }
        }
    }

    /// The span shifted right by `offset` bytes.
    #[must_use]
    pub fn offset(self, offset: usize) -> Self {
        Self::new(
            self.start.saturating_add(offset),
            self.end.saturating_add(offset),
        )
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn join(self, other: Self) -> Self {
        Self::new(self.start.min(other.start), self.end.max(other.end))
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal,)*) => {
        /// A stable, machine-readable error code. The list is mirrored by every binding and a
        /// drift test fails when they diverge.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])* $name,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as written in output, e.g. `KIRO-E010`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// What the code means, in a few words.
            #[must_use]
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => concat!($($doc),*).trim_ascii(),)* }
            }

            /// The code for its text form (`KIRO-E010`), if it is one.
            #[must_use]
            pub fn parse(text: &str) -> Option<Code> {
                match text { $($code => Some(Code::$name),)* _ => None }
            }
        }
    };
}

codes! {
    /// the text is not well-formed YAML, JSON or TOML
    Syntax = "KIRO-E001",
    /// a key that the policy format does not have
    UnknownField = "KIRO-E002",
    /// a value of the wrong type or shape, or a required key is absent
    InvalidValue = "KIRO-E003",
    /// two items share one name
    DuplicateName = "KIRO-E004",
    /// a name refers to something that is not declared
    UnknownReference = "KIRO-E005",
    /// the input is larger or more deeply nested than kiro accepts
    TooLarge = "KIRO-E006",
    /// the format of the input could not be determined or is not supported
    UnsupportedFormat = "KIRO-E007",
    /// the stages depend on each other in a cycle
    Cycle = "KIRO-E008",
    /// a condition is not well-formed
    ConditionSyntax = "KIRO-E010",
    /// a condition names a metric the policy does not declare
    UnknownMetric = "KIRO-E011",
    /// units or types do not fit together
    TypeMismatch = "KIRO-E012",
    /// a unit kiro does not know
    UnknownUnit = "KIRO-E013",
    /// an unknown function or a wrong number of arguments
    UnknownFunction = "KIRO-E014",
    /// a condition is nested too deeply or is too long
    ConditionTooComplex = "KIRO-E015",
    /// a division by zero
    DivisionByZero = "KIRO-E016",
    /// arithmetic produced a value that is not a finite number
    NonFinite = "KIRO-E017",
    /// metrics input is not well-formed
    InputSyntax = "KIRO-E020",
    /// metrics input is not an object of names to values
    InputNotObject = "KIRO-E021",
    /// a metric value is invalid: NaN, infinite, the wrong type or the wrong unit
    InvalidMetricValue = "KIRO-E022",
    /// a command-line metric override is not `name=value`
    InvalidOverride = "KIRO-E023",
    /// nothing matches the gate selection
    EmptySelection = "KIRO-E030",
    /// a weight, score threshold or limit is out of range
    InvalidSetting = "KIRO-E031",
    /// batch columns differ in length or type
    InvalidBatch = "KIRO-E032",
    /// the policy has no pipeline to plan or run
    NoPipeline = "KIRO-E033",
    /// a saved state kiro cannot read: malformed, of another kind, or of an unknown or newer format
    InvalidState = "KIRO-E040",
    /// a saved state belongs to a different policy
    StatePolicyMismatch = "KIRO-E041",
    /// an event is earlier than the last one the state has seen
    TimeWentBackwards = "KIRO-E042",
    /// an event for something the state does not know or does not wait for, or after it is done
    UnexpectedEvent = "KIRO-E043",
    /// two observations of a monitor carry the same time
    DuplicateObservation = "KIRO-E050",
    /// an approval or rejection by a persona that may not approve that trigger
    NotAnApprover = "KIRO-E051",
    /// observations come too densely for a window to hold them
    WindowTooDense = "KIRO-E052",
    /// the policy has no triggers to monitor
    NoTriggers = "KIRO-E053",
    /// `baseline(…)` written with other than a metric name and an optional known aggregate
    BaselineCall = "KIRO-E054",
    /// `baseline(…)` where no earlier runs can be given (outside gate and stage criteria)
    BaselineNotHere = "KIRO-E055",
    /// a `baseline:` block that is not valid (`last` below 1 or above the limit, unknown `include`)
    InvalidBaseline = "KIRO-E056",
    /// the earlier runs given as history are not a list of runs of the expected shape
    InvalidHistory = "KIRO-E057",
    /// a value in an earlier run does not fit its metric (NaN, infinite, wrong unit or type)
    InvalidHistoryValue = "KIRO-E058",
    /// more earlier runs than kiro reads in one check
    HistoryTooLong = "KIRO-E059",
    /// a report (JUnit, coverage, SARIF, Lighthouse) is not well-formed or ends too early
    ReportSyntax = "KIRO-E070",
    /// a report is of another format than the flag it was passed with, or of no known format
    ReportWrongFormat = "KIRO-E071",
    /// a report of a version kiro does not read
    ReportVersion = "KIRO-E072",
    /// a report is well-formed but a value in it is invalid
    ReportInvalidValue = "KIRO-E073",
    /// two inputs give different values for one metric
    ReportConflict = "KIRO-E074",
    /// a report declares a DTD of its own (entities are never expanded)
    ReportDtd = "KIRO-E075",
    /// a report path or pattern matches no file
    ReportNotFound = "KIRO-E076",
    /// a history database written by a newer kiro (a schema version this one does not read)
    HistoryVersion = "KIRO-E080",
    /// a file given as a history database is not one, or is damaged
    HistoryCorrupt = "KIRO-E081",
    /// a history database stayed locked by another writer past the wait
    HistoryLocked = "KIRO-E082",
    /// a history database cannot be opened, read or written (a missing folder, a read-only disk)
    HistoryIo = "KIRO-E083",
    /// a PostgreSQL history server that cannot be reached (refused, timed out, gone mid-query)
    HistoryUnreachable = "KIRO-E084",
    /// a PostgreSQL history server that refused the login (password, role, database, permission)
    HistoryAccess = "KIRO-E085",
    /// a PostgreSQL history URL that cannot be read
    HistoryUrl = "KIRO-E086",
    /// an internal error in kiro itself; please report it
    Internal = "KIRO-E099",
    /// environments depend on each other in a cycle
    EnvironmentCycle = "KIRO-E100",
    /// a traffic weight that is not a whole percent from 0 to 100, is above the max weight, or decreases
    InvalidWeight = "KIRO-E101",
    /// a deploy window whose cron rule or date range is not valid
    InvalidWindow = "KIRO-E102",
    /// a time zone the bundled time zone database does not know
    UnknownTimeZone = "KIRO-E103",
    /// the policy has no environments to release through
    NoEnvironments = "KIRO-E104",
    /// an event for a release that is already done
    ReleaseDone = "KIRO-E105",
    /// an approval or rejection from a persona the environment does not ask
    NotAskedApprover = "KIRO-E106",
    /// the author of a change cannot approve it (separation of duties)
    AuthorApproval = "KIRO-E107",
    /// the same approval, validation result or event given twice
    DuplicateEvent = "KIRO-E108",
    /// an event names an environment, persona, check, gate or trigger the release does not know
    UnknownReleaseReference = "KIRO-E109",
    /// an event the release does not wait for now
    NotWaiting = "KIRO-E110",
    /// a break-glass override without a reason or a named approver
    IncompleteBreakGlass = "KIRO-E111",
    /// a promotion past a failed, inconclusive or erroring analysis
    AnalysisNotPassed = "KIRO-E112",
    /// a strategy or canary step that is not well-formed
    InvalidStrategy = "KIRO-E113",
    /// no risk model of that name, or no `risk` section
    UnknownRiskModel = "KIRO-E160",
    /// a risk factor's transform that does not make sense (bounds, bands)
    InvalidTransform = "KIRO-E161",
    /// a risk factor's weight that does not make sense (zero, negative, not finite)
    InvalidRiskWeight = "KIRO-E162",
    /// risk level thresholds that are not ascending within 0 to 100
    InvalidLevels = "KIRO-E163",
    /// a risk factor without exactly one value and one transform that fits it
    InvalidFactor = "KIRO-E164",
    /// a risk model that refuses missing inputs found a factor without data
    MissingRiskInput = "KIRO-E165",
    /// a component that the dependency graph does not have
    UnknownComponent = "KIRO-E166",
    /// a dependency graph node with a criticality or traffic weight that does not make sense
    InvalidComponent = "KIRO-E167",
    /// a mitigation that does not make sense
    InvalidMitigation = "KIRO-E168",
    /// the policy has no dependency graph
    NoDependencyGraph = "KIRO-E169",
    /// change data that cannot be used for training or scoring (a bad value, column or date)
    InvalidChangeData = "KIRO-E170",
    /// training data that cannot give a model (too few rows, one class, a constant column)
    UnusableTrainingData = "KIRO-E171",
    /// a model file from another kiro version or format, or changed since it was written
    InvalidModelFile = "KIRO-E172",
    /// a risk-based gating rule that names no gate or level
    InvalidRiskGating = "KIRO-E173",
    /// a path that is not a git repository, a shallow clone, or a revision range that names
    /// nothing
    InvalidRepository = "KIRO-E174",
    /// an informational criterion that is also `key` or has a `weight`
    InformationalScored = "KIRO-E175",
    /// a policy test file that cannot be read as one (a missing or malformed key, a case
    /// without expectations)
    InvalidPolicyTest = "KIRO-E176",
    /// a policy test names a gate, criterion or metric the policy does not declare
    UnknownTestReference = "KIRO-E177",
    /// no policy test files where `kiro test` was pointed
    NoPolicyTests = "KIRO-E178",
    /// a label matcher that cannot be read, or whose regular expression is invalid
    InvalidMatcher = "KIRO-E130",
    /// a route or escalation level names a receiver that is not declared
    UnknownReceiver = "KIRO-E131",
    /// inhibition rules whose alerts could mute each other
    InhibitionCycle = "KIRO-E132",
    /// a silence that would mute everything, has no matchers, no reason or author, or is too long
    SilenceRefused = "KIRO-E133",
    /// escalation levels out of order
    EscalationOrder = "KIRO-E134",
    /// a template that does not parse or names an unknown field
    InvalidTemplate = "KIRO-E135",
    /// an acknowledgement or expiry for an alert or silence the engine does not hold
    UnknownAlert = "KIRO-E136",
    /// more live alerts, groups or silences than the engine keeps
    AlertLimit = "KIRO-E137",
    /// the policy has no `alerts` section
    NoAlerts = "KIRO-E138",
    /// an alert test file that cannot be run
    InvalidAlertTest = "KIRO-E139",
    /// a report holds the error its tool wrote instead of its results
    ReportToolError = "KIRO-E140",
    /// an imported file that the host did not give or that does not exist
    ImportNotFound = "KIRO-E190",
    /// files that import each other in a cycle
    ImportCycle = "KIRO-E191",
    /// two definitions of one name from different files, or an `override` that replaces nothing
    ImportConflict = "KIRO-E192",
    /// a gate uses a template that is not declared or imported
    UnknownTemplate = "KIRO-E193",
    /// a template argument that is missing, unknown or not a literal of its parameter's unit
    TemplateArgument = "KIRO-E194",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Code::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{text}`")))
    }
}

impl JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({ "type": "string", "enum": codes })
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input can be used but is probably not what was meant.
    Warning,
}

/// A labelled span of the source a diagnostic points at.
///
/// Offsets count bytes of UTF-8 in the core; a binding hands them to its host in the host's
/// own unit ([`Diagnostic::locate`]: UTF-16 code units in JavaScript, code points in Python),
/// together with the line and column of the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Label {
    /// Where the span starts: an offset into the source text (bytes in Rust and the CLI,
    /// UTF-16 code units in JavaScript, code points in Python).
    pub start: usize,
    /// One past the end of the span, in the same unit as `start`.
    pub end: usize,
    /// The 1-based line of `start`, once located in the source text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The 1-based column of `start` on its line, counted in the same unit as the offsets,
    /// once located in the source text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What is wrong here, in a few words.
    pub label: String,
}

/// One problem found in an input, in the form every host shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// The stable error code.
    pub code: Code,
    /// What is wrong: lowercase, no trailing period, user input in backticks.
    pub message: String,
    /// How to fix it, when kiro can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// Where in the source text, if the problem has a place.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Which input the spans point into (`policy`, `metrics`, a file name), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Diagnostic {
    /// An error diagnostic with no location.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            help: None,
            severity: Severity::Error,
            labels: Vec::new(),
            source: None,
        }
    }

    /// Adds a labelled span.
    #[must_use]
    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label {
            start: span.start,
            end: span.end,
            line: None,
            column: None,
            label: label.into(),
        });
        self
    }

    /// Sets the help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Names the input the spans point into.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Shifts every label by `offset` bytes (for text embedded in a larger document).
    #[must_use]
    pub fn shifted(mut self, offset: usize) -> Self {
        for label in &mut self.labels {
            label.start = label.start.saturating_add(offset);
            label.end = label.end.saturating_add(offset);
        }
        self
    }

    /// Points every label at `span` instead (for text whose inner positions cannot be mapped
    /// into the document, such as a condition written with escapes).
    #[must_use]
    pub fn relabelled(mut self, span: Span) -> Self {
        for label in &mut self.labels {
            label.start = span.start;
            label.end = span.end;
        }
        self
    }

    /// The span of the first label, if any.
    #[must_use]
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| Span::new(l.start, l.end))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Pushes an error labelled at `span` onto `diagnostics` and returns it, so the caller can add
/// help or more labels. Every compiler of a policy section reports through this.
pub(crate) fn push_error<'d>(
    diagnostics: &'d mut Vec<Diagnostic>,
    code: Code,
    message: impl Into<String>,
    span: Span,
    label: &str,
) -> &'d mut Diagnostic {
    diagnostics.push(Diagnostic::error(code, message).with_label(span, label));
    let last = diagnostics.len() - 1;
    &mut diagnostics[last]
}

/// Suggests the closest of `candidates` to `word`, if one is close enough to be a typo.
///
/// Case does not count (`Key` suggests `key`, `kb` suggests `KB`), and a candidate that has
/// `word` as one of its `-`, `_` or `.` separated parts is close (`merge` suggests
/// `pre-merge`).
#[must_use]
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let candidate = c.to_lowercase();
            let score = if candidate == word {
                3.0
            } else if !word.is_empty() && candidate.split(['-', '_', '.']).any(|p| p == word) {
                2.0
            } else {
                strsim::jaro_winkler(&word, &candidate)
            };
            (score, c)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn did_you_mean_ignores_case_and_finds_a_part_of_a_name() {
        let kinds = [
            "pre-commit",
            "pre-merge",
            "pre-deploy",
            "post-deploy",
            "custom",
        ];
        assert_eq!(did_you_mean("merge", kinds), Some("pre-merge"));
        assert_eq!(did_you_mean("Custom", kinds), Some("custom"));
        assert_eq!(did_you_mean("kb", ["B", "KB", "MB", "KiB"]), Some("KB"));
        assert_eq!(
            did_you_mean("Metrics", ["metrics", "gates"]),
            Some("metrics")
        );
        assert_eq!(did_you_mean("treshold", ["threshold"]), Some("threshold"));
        assert_eq!(did_you_mean("zzz", kinds), None);
        assert_eq!(did_you_mean("", kinds), None);
    }
}
