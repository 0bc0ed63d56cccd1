//! The `environments` and `strategy` sections as written: the serde model every format is read
//! into.

use crate::document::Spanned;
use crate::units::DurationDecl;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An environment a release passes through: what it takes to enter, how traffic moves to the
/// new version there, who validates and approves, and when deploying is allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentDecl {
    /// The environment's name, unique in the policy.
    pub name: Spanned<String>,
    /// What the environment is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The environments that must be done before this one (default: the one written before
    /// it; `[]` for none). A small graph is allowed (fan-out to regions, then production); a
    /// release walks it in a stable topological order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Vec<Spanned<String>>>,
    /// Gates of the policy that must pass before the release enters the environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Spanned<String>>,
    /// Persona validations run once the new version is deployed here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validations: Vec<Spanned<ValidationDecl>>,
    /// How long the release must stay healthy here, after its rollout, before it may leave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soak: Option<Spanned<DurationDecl>>,
    /// Promote to the next environment without waiting for a `promote` (default `false`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_promote: bool,
    /// The traffic weight the new version gets here once its rollout is done (default 100%):
    /// `0%`, `10%`, `100%` or a bare number of percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Spanned<WeightDecl>>,
    /// The human approvals needed before the release enters the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Spanned<ApprovalDecl>>,
    /// The deployment strategy here (default: the policy's `strategy`, else a direct deploy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Spanned<StrategyDecl>>,
    /// Allow and deny windows: when deploying here is allowed. Deny beats allow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Spanned<WindowRuleDecl>>,
    /// What a window that closes during the rollout does (default `finish`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_close: Option<OnClose>,
}

/// A traffic weight: `10%`, or a bare number of percent (`10`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum WeightDecl {
    /// A bare number of percent.
    Number(f64),
    /// A percentage with its sign: `10%`.
    Text(String),
}

impl std::fmt::Display for WeightDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WeightDecl::Number(n) => write!(f, "{n}"),
            WeightDecl::Text(t) => f.write_str(t),
        }
    }
}

/// One persona's validation of an environment: its named checks, signed off as results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationDecl {
    /// The persona that validates.
    pub persona: Spanned<String>,
    /// The checks, by name (`smoke`, `load`, `pen-test`); a name of a policy gate means that
    /// gate's decision.
    pub checks: Vec<Spanned<String>>,
    /// Whether a failed check stops the release (default `true`); an advisory one is logged.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// The approvals an environment needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalDecl {
    /// The personas whose members may approve.
    pub personas: Vec<Spanned<String>>,
    /// How many different people must approve (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<Spanned<u32>>,
    /// Whether the author of the change is refused as an approver (default `true`).
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub separation_of_duties: bool,
    /// How long an approval stays valid (default: no expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Spanned<DurationDecl>>,
}

/// A strategy: a name (`blue-green`, `rolling`, `canary`, `direct`) for its defaults, or one
/// of `canary:`, `blue_green:`, `rolling:` with settings.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum StrategyDecl {
    /// `blue-green`, `rolling`, `canary` or `direct` with default settings.
    Name(String),
    /// A strategy with settings.
    Full(Box<StrategyForm>),
}

/// The settings of a strategy: exactly one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyForm {
    /// Traffic moved to the new version in steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<Spanned<CanaryDecl>>,
    /// A new stack beside the old, switched over at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blue_green: Option<Spanned<BlueGreenDecl>>,
    /// Instances replaced in batches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling: Option<Spanned<RollingDecl>>,
}

/// Canary settings: explicit `steps`, or a ladder (`step_weight` up to `max_weight`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CanaryDecl {
    /// The steps, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Spanned<CanaryStepDecl>>,
    /// The highest weight any step may set (default 100%); a ladder stops there, never over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weight: Option<Spanned<WeightDecl>>,
    /// A ladder: add this weight at each step until `max_weight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_weight: Option<Spanned<WeightDecl>>,
    /// A ladder's pause after each weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Spanned<DurationDecl>>,
    /// A ladder's analysis after each weight: trigger names of the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analysis: Vec<Spanned<String>>,
}

/// The schema of a canary `pause`: a duration or `until_promoted`.
fn pause_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let duration = generator.subschema_for::<DurationDecl>();
    schemars::json_schema!({
        "anyOf": [duration, { "const": "until_promoted" }, { "type": "null" }]
    })
}

/// One canary step: exactly one of `set_weight`, `pause`, `analysis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CanaryStepDecl {
    /// Send this share of traffic to the new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_weight: Option<Spanned<WeightDecl>>,
    /// Wait: a duration (`5m`), or `until_promoted` for a human's `promote`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "pause_schema")]
    pub pause: Option<Spanned<DurationDecl>>,
    /// Run an analysis over these triggers of the policy and wait for its result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analysis: Vec<Spanned<String>>,
}

/// Blue-green settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlueGreenDecl {
    /// Triggers analysed on the new stack before traffic switches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_promotion_analysis: Vec<Spanned<String>>,
    /// Triggers analysed after the switch, before the old stack goes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_promotion_analysis: Vec<Spanned<String>>,
    /// Switch this long after the new stack is ready, without a `promote` (default: wait for
    /// one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_promotion_delay: Option<Spanned<DurationDecl>>,
    /// Wait for a `promote` before switching, whatever the delay (default `false`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual_promotion: bool,
    /// Keep the old stack this long after the switch (default 30s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay: Option<Spanned<DurationDecl>>,
}

/// Rolling settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollingDecl {
    /// Each batch: a share of instances (`25%`) or, with `replicas`, a count (default 25%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<Spanned<WeightDecl>>,
    /// The number of instances, for batches by count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Spanned<u32>>,
    /// How many instances may be unavailable during a batch (count or `%`; default 25%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<Spanned<WeightDecl>>,
    /// How many instances may be added over the desired count (count or `%`; default 25%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<Spanned<WeightDecl>>,
    /// A pause after each batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Spanned<DurationDecl>>,
    /// An analysis after each batch: trigger names of the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analysis: Vec<Spanned<String>>,
}

/// An allow or deny window: exactly one of `allow`/`deny` naming its kind, and either a
/// recurring rule (`cron` with `duration`) or a one-off range (`from`, `to`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowRuleDecl {
    /// The window's name, shown whenever it is in force.
    pub name: Spanned<String>,
    /// `allow` or `deny`.
    pub kind: Spanned<WindowKind>,
    /// A cron rule (5 fields: minute hour day-of-month month day-of-week) for when the window
    /// opens, read in `tz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<Spanned<String>>,
    /// How long each opening of a recurring window lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Spanned<DurationDecl>>,
    /// A one-off window's start: a civil date-time in `tz` (`2026-12-20T00:00`) or a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Spanned<String>>,
    /// A one-off window's end (exclusive), as `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Spanned<String>>,
    /// The IANA time zone the rule is read in (default `UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<Spanned<String>>,
}

/// Whether a window allows or denies deploying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    /// Deploying is allowed inside (and, when an environment has allow windows, only inside).
    Allow,
    /// Deploying is refused inside, whatever allows it.
    Deny,
}

impl WindowKind {
    /// As written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::Allow => "allow",
            WindowKind::Deny => "deny",
        }
    }
}

/// What a window that closes during a rollout does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnClose {
    /// A rollout already under way in the environment finishes.
    #[default]
    Finish,
    /// The rollout stops before its next step until a window opens again.
    StopAtNextStep,
}

// By hand rather than `untagged`: an untagged enum buffers its input, which loses the spans of
// the names inside (`Spanned` reads them from kiro's document reader directly).
impl<'de> Deserialize<'de> for StrategyDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StrategyDecl;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a strategy name or a map with `canary`, `blue_green` or `rolling`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StrategyDecl, E> {
                Ok(StrategyDecl::Name(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<StrategyDecl, A::Error> {
                StrategyForm::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|f| StrategyDecl::Full(Box::new(f)))
            }
        }
        d.deserialize_any(V)
    }
}
