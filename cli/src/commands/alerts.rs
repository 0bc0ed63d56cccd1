//! `kiro alerts`: the alert engine offline.
//!
//! - `kiro alerts test FILE...`: test files modelled on `promtool test rules` — input series in
//!   the series notation, extra events (acks, silences, external alerts) at their times, and the
//!   expected notifications, escalations, acknowledgements and silences; a diff on failure,
//!   exit 1.
//! - `kiro alerts replay POLICY --samples FILE`: the notification timeline for recorded metrics.

pub mod render;

use super::{Outcome, load_policy};
use crate::args::{ColorChoice, PolicyFormat};
use crate::diagnostics::{Failure, SourceFile};
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, Subcommand, ValueEnum};
use kiro::alert::{AlertDecision, AlertEvent, AlertState, Effect, step};
use kiro::document::{self, Limits, Node, NodeKind};
use kiro::units::duration::{format_duration, parse_duration};
use kiro::{Code, Diagnostic, Format, KiroError};
use kiro_adapters::samples::{self, Sample, promtool};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `kiro alerts`.
#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AlertsCommand,
}

/// The `kiro alerts` subcommands.
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Run alert test files: expected notifications, escalations, acks and silences.
    Test(TestArgs),
    /// Run the policy's alerting over recorded samples and print the notification timeline.
    Replay(AlertsReplayArgs),
}

/// `kiro alerts test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The test files (YAML).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `kiro alerts replay`.
#[derive(Debug, Args)]
pub struct AlertsReplayArgs {
    /// The policy file with an `alerts` section.
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,

    /// The recorded samples (CSV, JSON lines, a Prometheus `query_range` response, or a
    /// promtool test file's `input_series`), or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub samples: PathBuf,

    /// How to show the timeline.
    #[arg(long, value_enum, default_value_t = AlertsFormat::Human)]
    pub format: AlertsFormat,

    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,

    /// When to colour diagnostics.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the timeline to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro alerts replay` shows the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlertsFormat {
    /// One line per effect.
    Human,
    /// Every decision as a line of JSON.
    Jsonl,
    /// A Markdown table.
    Markdown,
    /// Every notification's payload for its channel (Slack Block Kit, Teams Adaptive Card,
    /// PagerDuty Events v2, email, Alertmanager webhook), as a line of JSON.
    Payloads,
}

impl AlertsArgs {
    /// The colour choice of the subcommand.
    pub fn color(&self) -> ColorChoice {
        match &self.command {
            AlertsCommand::Test(a) => a.color,
            AlertsCommand::Replay(a) => a.color,
        }
    }
}

/// Runs `kiro alerts`.
///
/// # Errors
/// A [`Failure`] when a file cannot be read, a policy is invalid or an event is refused.
pub fn run(args: &AlertsArgs) -> Result<Outcome, Failure> {
    match &args.command {
        AlertsCommand::Test(a) => test(a),
        AlertsCommand::Replay(a) => replay(a),
    }
}

/// How long after the last sample `kiro alerts replay` keeps time running, so that pending
/// notifications and escalations show: one day.
const REPLAY_TAIL_MS: u64 = 86_400_000;
/// The most ticks a replay's tail takes.
const MAX_TAIL_TICKS: usize = 10_000;

/// A sample as the alert engine's observation.
pub(crate) fn observe(sample: &Sample) -> Result<AlertEvent, Diagnostic> {
    // The samples readers give the monitor's observation; the alert engine's has the same JSON.
    let value = serde_json::to_value(&sample.event)
        .map_err(|e| Diagnostic::error(Code::Internal, e.to_string()))?;
    AlertEvent::from_json(&value).map_err(|e| {
        e.diagnostics()
            .first()
            .cloned()
            .unwrap_or_else(|| Diagnostic::error(Code::Internal, "not an event"))
    })
}

fn replay(args: &AlertsReplayArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy, args.policy_format)?;
    let policy = &loaded.policy;
    let mut state =
        AlertState::new(policy).map_err(|e| Failure::in_source(e.diagnostics(), &loaded.file))?;
    let file = io::read_input(&args.samples, InputKind::Samples)?;
    let sources = [file.clone(), loaded.file.clone()];
    let extension = args.samples.extension().and_then(|e| e.to_str());
    let format = samples::Format::detect(extension, &file.text);
    let read = samples::read(&file.text, format, &policy.metric_names())
        .map_err(|d| Failure::in_sources(&d, &sources))?;
    let mut decisions: Vec<AlertDecision> = Vec::with_capacity(read.len());
    for sample in &read {
        let event =
            observe(sample).map_err(|d| Failure::in_sources(&[sample.locate(&d)], &sources))?;
        let decision = step(&mut state, policy, &event).map_err(|e| {
            let located: Vec<_> = e.diagnostics().iter().map(|d| sample.locate(d)).collect();
            Failure::in_sources(&located, &sources)
        })?;
        decisions.push(decision);
    }
    let last = read.last().map_or(0, |s| s.event.at_ms());
    tail(&mut state, policy, last, &mut decisions)
        .map_err(|e| Failure::in_sources(e.diagnostics(), &sources))?;
    let start = read.first().map_or(0, |s| s.event.at_ms());
    let report = match args.format {
        AlertsFormat::Human => render::human(policy.name(), &decisions, start),
        AlertsFormat::Jsonl => render::jsonl(&decisions),
        AlertsFormat::Markdown => render::markdown(policy.name(), &decisions, start),
        AlertsFormat::Payloads => render::payloads(&decisions),
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

/// Ticks at each wake-up after `from`, up to a day later: what the recording leaves pending.
fn tail(
    state: &mut AlertState,
    policy: &kiro::CompiledPolicy,
    from: u64,
    decisions: &mut Vec<AlertDecision>,
) -> Result<(), kiro::alert::AlertError> {
    for _ in 0..MAX_TAIL_TICKS {
        match state.wake_at_ms(policy) {
            Some(at) if at <= from.saturating_add(REPLAY_TAIL_MS) => {
                let d = step(
                    state,
                    policy,
                    &AlertEvent::Tick {
                        at_ms: at.max(from),
                    },
                )?;
                if !d.effects.is_empty() {
                    decisions.push(d);
                }
            }
            _ => break,
        }
    }
    Ok(())
}

/// The expectation keys of a test, with the effect types each compares.
const EXPECTATIONS: &[(&str, &[&str])] = &[
    ("notifications", &["notify"]),
    ("escalations", &["escalate"]),
    ("acks", &["acked", "ack_expired"]),
    ("silences", &["silence_started", "silence_ended"]),
];

fn test(args: &TestArgs) -> Result<Outcome, Failure> {
    let mut report = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for path in &args.files {
        let file = io::read_input(path, InputKind::Samples)?;
        let results = test_file(path, &file)?;
        for (name, diff) in results {
            match diff {
                None => {
                    passed += 1;
                    report.push_str(&format!("ok    {}: {name}\n", file.name));
                }
                Some(diff) => {
                    failed += 1;
                    report.push_str(&format!("FAIL  {}: {name}\n{diff}", file.name));
                }
            }
        }
    }
    report.push_str(&format!("\n{passed} passed, {failed} failed\n"));
    Ok(Outcome {
        report,
        output: None,
        code: if failed == 0 { exit::PASS } else { exit::FAIL },
    })
}

fn invalid(message: impl Into<String>, node: &Node, label: &str) -> Diagnostic {
    Diagnostic::error(Code::InvalidAlertTest, message)
        .with_label(node.span, label)
        .with_source(samples::SOURCE)
}

/// Runs every test of a file: per test its name and, when it fails, the diff.
fn test_file(path: &Path, file: &SourceFile) -> Result<Vec<(String, Option<String>)>, Failure> {
    let fail = |d: Diagnostic| Failure::in_source(&[d], file);
    let root = document::parse(&file.text, Format::Yaml, &Limits::default())
        .map_err(|d| fail(d.with_source(samples::SOURCE)))?;
    let Some(policy_node) = root.get("policy") else {
        return Err(fail(
            invalid("the test file names no `policy`", &root, "no `policy`")
                .with_help("give `policy: <file>`, relative to the test file"),
        ));
    };
    let NodeKind::String(policy_name) = &policy_node.kind else {
        return Err(fail(invalid(
            "`policy` is not a file name",
            policy_node,
            "not a string",
        )));
    };
    let policy_path = path.parent().unwrap_or(Path::new(".")).join(policy_name);
    let loaded = load_policy(&policy_path, None)?;
    let policy = &loaded.policy;
    let Some(NodeKind::Seq(tests)) = root.get("tests").map(|t| &t.kind) else {
        return Err(fail(invalid(
            "the test file has no `tests` list",
            &root,
            "no `tests`",
        )));
    };
    let metrics = policy.metric_names();
    let mut out = Vec::new();
    for (i, t) in tests.iter().enumerate() {
        let name = match t.get("name").map(|n| &n.kind) {
            Some(NodeKind::String(s)) => s.clone(),
            _ => format!("test {}", i + 1),
        };
        let series = if t.get("input_series").is_some() {
            promtool::read_test(&file.text, &root, t, &metrics)
                .map_err(|d| Failure::in_sources(&d, &[file.clone(), loaded.file.clone()]))?
        } else {
            Vec::new()
        };
        let spec: Value =
            document::deserialize(t).map_err(|d| fail(d.with_source(samples::SOURCE)))?;
        let diff = run_test(policy, t, &spec, &series).map_err(fail)?;
        out.push((name, diff));
    }
    Ok(out)
}

/// A time in a test: `at: 3m` (from 0) or `at_ms: 180000`.
fn time_of(v: &Value) -> Option<Result<u64, String>> {
    if let Some(ms) = v.get("at_ms").and_then(Value::as_u64) {
        return Some(Ok(ms));
    }
    match v.get("at")? {
        Value::String(s) => Some(parse_duration(s)),
        Value::Number(n) if n.as_u64() == Some(0) => Some(Ok(0)),
        other => Some(Err(format!("`at` is `{other}`, not a duration"))),
    }
}

fn run_test(
    policy: &kiro::CompiledPolicy,
    node: &Node,
    spec: &Value,
    series: &[Sample],
) -> Result<Option<String>, Diagnostic> {
    let bad = |message: String| invalid(message, node, "this test");
    let interval = match spec.get("interval").and_then(Value::as_str) {
        Some(t) => parse_duration(t).map_err(|e| bad(format!("`interval`: {e}")))?,
        None => 60_000,
    };
    // Every input, in time order: observations, then the test's events at the same time.
    let mut timeline: Vec<(u64, u8, AlertEvent)> = Vec::new();
    for s in series {
        let e = observe(s)?;
        timeline.push((e.at_ms(), 0, e));
    }
    for (i, ev) in spec
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = time_of(ev)
            .ok_or_else(|| bad(format!("event {} has no `at`", i + 1)))?
            .map_err(|e| bad(format!("event {}: {e}", i + 1)))?;
        let mut ev = ev.clone();
        if let Some(obj) = ev.as_object_mut() {
            obj.remove("at");
            obj.insert("at_ms".into(), Value::from(at));
        }
        let event = AlertEvent::from_json(&ev).map_err(|e| {
            let first = e
                .diagnostics()
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default();
            bad(format!("event {}: {first}", i + 1))
        })?;
        timeline.push((at, 1, event));
    }
    let last = timeline.iter().map(|(t, _, _)| *t).max().unwrap_or(0);
    let until = match spec.get("until").and_then(Value::as_str) {
        Some(t) => parse_duration(t).map_err(|e| bad(format!("`until`: {e}")))?,
        None => last,
    };
    // Ticks at every interval, as promtool evaluates.
    let mut t = 0;
    while t <= until {
        timeline.push((t, 2, AlertEvent::Tick { at_ms: t }));
        t = t.saturating_add(interval.max(1));
    }
    timeline.sort_by_key(|(t, order, _)| (*t, *order));
    let mut state = AlertState::new(policy).map_err(|e| first(&e))?;
    let mut effects: Vec<Value> = Vec::new();
    for (_, _, e) in &timeline {
        let d = step(&mut state, policy, e).map_err(|e| first(&e))?;
        for effect in d.effects {
            effects.push(shown(&effect));
        }
    }
    let mut diff = String::new();
    for (key, kinds) in EXPECTATIONS {
        let Some(expected) = spec.get(*key).and_then(Value::as_array) else {
            continue;
        };
        let expected: Vec<Value> = expected
            .iter()
            .map(normalized)
            .collect::<Result<_, _>>()
            .map_err(bad)?;
        let got: Vec<&Value> = effects
            .iter()
            .filter(|e| {
                e.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| kinds.contains(&t))
            })
            .collect();
        let same =
            expected.len() == got.len() && expected.iter().zip(&got).all(|(x, g)| subset(x, g));
        if !same {
            diff.push_str(&format!("  {key}:\n"));
            for i in 0..expected.len().max(got.len()) {
                match (expected.get(i), got.get(i)) {
                    (Some(x), Some(g)) if subset(x, g) => {
                        diff.push_str(&format!("      {}\n", brief(g)))
                    }
                    (x, g) => {
                        if let Some(x) = x {
                            diff.push_str(&format!("    - {}\n", brief(x)));
                        }
                        if let Some(g) = g {
                            diff.push_str(&format!("    + {}\n", brief(g)));
                        }
                    }
                }
            }
        }
    }
    Ok((!diff.is_empty()).then_some(diff))
}

fn first(e: &kiro::alert::AlertError) -> Diagnostic {
    e.diagnostics()
        .first()
        .cloned()
        .unwrap_or_else(|| Diagnostic::error(Code::Internal, "an error without a diagnostic"))
}

/// An effect as a test compares it: `at` as a duration, the notification's alerts in full left
/// out.
fn shown(effect: &Effect) -> Value {
    let mut v = serde_json::to_value(effect).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        if obj.get("type").and_then(Value::as_str) == Some("notify") {
            obj.remove("alerts");
        }
        if let Some(ms) = obj.remove("at_ms").and_then(|m| m.as_u64()) {
            obj.insert("at".into(), Value::String(format_duration(ms)));
        }
        for key in ["until_ms"] {
            if let Some(ms) = obj.remove(key).and_then(|m| m.as_u64()) {
                obj.insert("until".into(), Value::String(format_duration(ms)));
            }
        }
    }
    v
}

/// An expected effect with `at` read as a duration and written as the engine's effects are
/// shown.
fn normalized(v: &Value) -> Result<Value, String> {
    let mut v = v.clone();
    if let Some(obj) = v.as_object_mut() {
        if let Some(at) = time_of(&Value::Object(obj.clone())) {
            obj.remove("at_ms");
            obj.insert("at".into(), Value::String(format_duration(at?)));
        }
        if let Some(Value::String(u)) = obj.get("until").cloned() {
            obj.insert(
                "until".into(),
                Value::String(format_duration(parse_duration(&u)?)),
            );
        }
    }
    Ok(v)
}

/// Whether `actual` has everything `expected` has (objects key by key; arrays item by item,
/// same length; the rest equal).
fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(x), Value::Object(a)) => x
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av))),
        (Value::Array(x), Value::Array(a)) => {
            x.len() == a.len() && x.iter().zip(a).all(|(x, a)| subset(x, a))
        }
        (Value::Number(x), Value::Number(a)) => x.as_f64() == a.as_f64(),
        (x, a) => x == a,
    }
}

fn brief(v: &Value) -> String {
    v.to_string()
}
