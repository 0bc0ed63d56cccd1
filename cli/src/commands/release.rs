//! `kiro release`: the plan of a release through the policy's environments, and a release
//! driven from the command line with its state in a file the user names.
//!
//! - `kiro release plan POLICY [--at TIME] [--format human|json|markdown|mermaid]`
//! - `kiro release start POLICY --state FILE --version V [--author A] [--previous P]`
//! - `kiro release record POLICY --state FILE EVENT` (an event's JSON; `at_ms` defaults to now)
//! - `kiro release status POLICY --state FILE`
//! - `kiro release replay POLICY --events FILE` (a JSON list of events, or one per line)
//!
//! Exit statuses: 0 the release goes on (or is released), 1 rolled back, halted or rejected,
//! 9 waiting for a person (an approval, a promotion, a retry or abort, a break-glass), 3 an
//! error.

use super::{Outcome, load_policy};
use crate::args::PolicyFormat;
use crate::diagnostics::Failure;
use crate::exit;
use crate::io::{self, InputKind};
use clap::{Args, Subcommand, ValueEnum};
use kiro::KiroError;
use kiro::release::{
    Instruction, Outcome as ReleaseOutcome, Phase, ReleaseDecision, ReleaseEvent, ReleaseState,
    Wait, WaitFor, format_instant, parse_time, step,
};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `kiro release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ReleaseCommand,
}

/// The `kiro release` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Show the path a release takes: environments, approvals, steps, windows.
    Plan(PlanArgs),
    /// Start a release and write its state to a file.
    Start(StartArgs),
    /// Record an event (an approval, a result, a deploy done...) and print what to do next.
    Record(RecordArgs),
    /// Print where a release stands and what it waits for.
    Status(StatusArgs),
    /// Run a recorded event log from the start and print every decision.
    Replay(ReplayArgs),
}

/// The policy, for every subcommand.
#[derive(Debug, Args)]
pub struct PolicyArg {
    /// The policy file (YAML, JSON or TOML).
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,
    /// The policy's format, when its extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub policy_format: Option<PolicyFormat>,
}

/// `kiro release plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub policy: PolicyArg,
    /// The time to show the windows at: RFC 3339 (`2026-12-03T09:00:00Z`) or milliseconds since
    /// the epoch (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How to show the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Write the plan to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `kiro release plan` shows a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Text, one block per environment.
    Human,
    /// The plan's JSON.
    Json,
    /// A Markdown table.
    Markdown,
    /// A Mermaid flowchart.
    Mermaid,
}

/// How decisions are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionFormat {
    /// Text.
    Human,
    /// JSON: the decision (or, for `replay`, the list of decisions).
    Json,
}

/// `kiro release start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub policy: PolicyArg,
    /// The file the release's state is written to (it must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// The version released.
    #[arg(long)]
    pub version: String,
    /// The author of the change (refused as an approver where separation of duties holds).
    #[arg(long)]
    pub author: Option<String>,
    /// The version a roll-back returns to.
    #[arg(long)]
    pub previous: Option<String>,
    /// The time of the start (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How to show the decision.
    #[arg(long, value_enum, default_value_t = DecisionFormat::Human)]
    pub format: DecisionFormat,
}

/// `kiro release record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub policy: PolicyArg,
    /// The release's state file, updated in place.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// The event's JSON, e.g. `{"type": "approve", "environment": "production", "who": "ben",
    /// "persona": "devops"}`; `at_ms` defaults to `--at`, else now.
    #[arg(value_name = "EVENT")]
    pub event: String,
    /// The event's time when its JSON has no `at_ms` (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How to show the decision.
    #[arg(long, value_enum, default_value_t = DecisionFormat::Human)]
    pub format: DecisionFormat,
}

/// `kiro release status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub policy: PolicyArg,
    /// The release's state file.
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// Print the whole log too.
    #[arg(long)]
    pub log: bool,
}

/// `kiro release replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub policy: PolicyArg,
    /// The events: a JSON list, or one JSON object per line.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// How to show the decisions.
    #[arg(long, value_enum, default_value_t = DecisionFormat::Human)]
    pub format: DecisionFormat,
}

/// Runs `kiro release`.
///
/// # Errors
/// A [`Failure`] for a policy, state file or event that cannot be used.
pub fn run(args: &ReleaseArgs) -> Result<Outcome, Failure> {
    match &args.command {
        ReleaseCommand::Plan(a) => plan(a),
        ReleaseCommand::Start(a) => start(a),
        ReleaseCommand::Record(a) => record(a),
        ReleaseCommand::Status(a) => status(a),
        ReleaseCommand::Replay(a) => replay(a),
    }
}

/// Milliseconds since the epoch, now.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn time(at: Option<&str>) -> Result<u64, Failure> {
    match at {
        None => Ok(now_ms()),
        Some(text) => parse_time(text).ok_or_else(|| {
            Failure::io(format!(
                "`{text}` is not a time: write RFC 3339 (`2026-12-03T09:00:00Z`) or milliseconds since the epoch"
            ))
        }),
    }
}

fn engine(e: &dyn KiroError) -> Failure {
    Failure::in_sources(e.diagnostics(), &[])
}

fn plan(args: &PlanArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy.policy, args.policy.policy_format)?;
    let at = time(args.at.as_deref())?;
    let plan = loaded
        .policy
        .release_plan(at)
        .map_err(|e| Failure::in_source(e.diagnostics(), &loaded.file))?;
    let report = match args.format {
        PlanFormat::Human => plan.to_human(),
        PlanFormat::Json => {
            let mut text = serde_json::to_string_pretty(&plan).unwrap_or_default();
            text.push('\n');
            text
        }
        PlanFormat::Markdown => plan.to_markdown(),
        PlanFormat::Mermaid => plan.to_mermaid(),
    };
    Ok(Outcome {
        report,
        output: args.output.clone(),
        code: exit::PASS,
    })
}

fn start(args: &StartArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy.policy, args.policy.policy_format)?;
    if args.state.exists() {
        return Err(Failure::io(format!(
            "`{}` already exists: a new release needs a new state file",
            args.state.display()
        )));
    }
    let mut state = ReleaseState::new(&loaded.policy).map_err(|e| engine(&e))?;
    let event = ReleaseEvent::Start {
        at_ms: time(args.at.as_deref())?,
        version: args.version.clone(),
        author: args.author.clone(),
        previous: args.previous.clone(),
    };
    let decision = step(&mut state, &loaded.policy, &event).map_err(|e| engine(&e))?;
    save(&state, &loaded.policy, &args.state)?;
    Ok(decision_outcome(&decision, args.format))
}

fn load_state(
    policy: &kiro::CompiledPolicy,
    path: &std::path::Path,
) -> Result<ReleaseState, Failure> {
    let file = io::read_input(path, InputKind::Samples)?;
    ReleaseState::restore(policy, &file.text).map_err(|e| engine(&e))
}

fn save(
    state: &ReleaseState,
    policy: &kiro::CompiledPolicy,
    path: &std::path::Path,
) -> Result<(), Failure> {
    let text = state.save(policy).map_err(|e| engine(&e))?;
    io::write_output(path, &(text + "\n"))
}

fn record(args: &RecordArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy.policy, args.policy.policy_format)?;
    let mut state = load_state(&loaded.policy, &args.state)?;
    let mut value: Value = serde_json::from_str(&args.event)
        .map_err(|e| Failure::io(format!("the event is not JSON: {e}")))?;
    if let Some(map) = value.as_object_mut()
        && !map.contains_key("at_ms")
    {
        map.insert("at_ms".to_owned(), Value::from(time(args.at.as_deref())?));
    }
    let event = ReleaseEvent::from_json(&value).map_err(|e| engine(&e))?;
    let decision = step(&mut state, &loaded.policy, &event).map_err(|e| engine(&e))?;
    save(&state, &loaded.policy, &args.state)?;
    Ok(decision_outcome(&decision, args.format))
}

fn status(args: &StatusArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy.policy, args.policy.policy_format)?;
    let state = load_state(&loaded.policy, &args.state)?;
    let mut report = format!("phase: {}\n", phase_text(state.phase()));
    match state.next() {
        Some(w) => report.push_str(&wait_text(w)),
        None => report.push_str("waits for nothing\n"),
    }
    let log = state.log();
    let shown = if args.log {
        log
    } else {
        &log[log.len().saturating_sub(5)..]
    };
    if !shown.is_empty() {
        report.push_str(if args.log {
            "log:\n"
        } else {
            "last in the log:\n"
        });
        for l in shown {
            let _ = writeln!(
                report,
                "  {} {:<12} {}",
                format_instant(l.at_ms),
                l.kind,
                l.text
            );
        }
    }
    Ok(Outcome {
        report,
        output: None,
        code: code_of(state.phase(), state.next()),
    })
}

fn replay(args: &ReplayArgs) -> Result<Outcome, Failure> {
    let loaded = load_policy(&args.policy.policy, args.policy.policy_format)?;
    let file = io::read_input(&args.events, InputKind::Samples)?;
    let values: Vec<Value> = match serde_json::from_str::<Value>(&file.text) {
        Ok(Value::Array(items)) => items,
        _ => file
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .map_err(|e| Failure::io(format!("line {}: not JSON: {e}", i + 1)))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut state = ReleaseState::new(&loaded.policy).map_err(|e| engine(&e))?;
    let mut decisions = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let event = ReleaseEvent::from_json(v).map_err(|e| engine(&e))?;
        let decision = step(&mut state, &loaded.policy, &event).map_err(|e| {
            let mut ds = e.diagnostics().to_vec();
            for d in &mut ds {
                d.message = format!("event {i}: {}", d.message);
            }
            Failure::in_sources(&ds, &[])
        })?;
        decisions.push(decision);
    }
    let report = match args.format {
        DecisionFormat::Json => {
            let mut t = serde_json::to_string_pretty(&decisions).unwrap_or_default();
            t.push('\n');
            t
        }
        DecisionFormat::Human => decisions.iter().map(decision_text).collect(),
    };
    Ok(Outcome {
        report,
        output: None,
        code: code_of(state.phase(), state.next()),
    })
}

/// 0 going on or released; 1 halted or rejected; 9 waiting for a person.
fn code_of(phase: &Phase, next: Option<&Wait>) -> u8 {
    match phase {
        Phase::Done(ReleaseOutcome::Rejected) | Phase::Halted => exit::FAIL,
        _ => match next.map(|w| w.wait_for) {
            Some(WaitFor::Approval | WaitFor::Promotion | WaitFor::Decision) => exit::WAITING,
            _ => exit::PASS,
        },
    }
}

fn decision_outcome(decision: &ReleaseDecision, format: DecisionFormat) -> Outcome {
    let report = match format {
        DecisionFormat::Json => {
            let mut t = serde_json::to_string_pretty(decision).unwrap_or_default();
            t.push('\n');
            t
        }
        DecisionFormat::Human => decision_text(decision),
    };
    Outcome {
        report,
        output: None,
        code: code_of(&decision.phase, decision.next.as_ref()),
    }
}

fn phase_text(phase: &Phase) -> String {
    match phase {
        Phase::Done(ReleaseOutcome::Released) => "done: released".to_owned(),
        Phase::Done(ReleaseOutcome::Rejected) => "done: rejected".to_owned(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default(),
    }
}

fn wait_text(w: &Wait) -> String {
    let mut t = format!(
        "waits for {}: {}\n",
        serde_json::to_value(w.wait_for)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        w.reason
    );
    if let Some(u) = w.until_ms {
        let _ = writeln!(t, "  until {}", format_instant(u));
    }
    let _ = writeln!(t, "  unblocked by {}", w.unblock);
    t
}

fn decision_text(d: &ReleaseDecision) -> String {
    let mut t = format!(
        "{} {} → {}{} at {}%\n",
        format_instant(d.at_ms),
        d.event,
        phase_text(&d.phase),
        d.environment
            .as_deref()
            .map(|e| format!(" in {e}"))
            .unwrap_or_default(),
        d.weight
    );
    for i in &d.instructions {
        match i {
            Instruction::Wait(w) => {
                for line in wait_text(w).lines() {
                    let _ = writeln!(t, "  {line}");
                }
            }
            Instruction::Deploy {
                environment,
                version,
                weight,
                reason,
            } => {
                let _ = writeln!(
                    t,
                    "  deploy {version} to {environment} at {weight}%: {reason}"
                );
            }
            Instruction::SetWeight {
                environment,
                weight,
                reason,
            } => {
                let _ = writeln!(t, "  set weight {weight}% in {environment}: {reason}");
            }
            Instruction::RunAnalysis {
                environment,
                triggers,
                reason,
                ..
            } => {
                let _ = writeln!(
                    t,
                    "  run analysis [{}] in {environment}: {reason}",
                    triggers.join(", ")
                );
            }
            Instruction::ScaleDown {
                environment,
                reason,
            } => {
                let _ = writeln!(t, "  scale down the old stack in {environment}: {reason}");
            }
            Instruction::Promote { from, to, reason } => {
                let _ = writeln!(t, "  promote {from} → {to}: {reason}");
            }
            Instruction::RollBack {
                environment,
                to,
                reason,
            } => {
                let _ = writeln!(
                    t,
                    "  roll back {environment}{}: {reason}",
                    to.as_deref()
                        .map(|v| format!(" to {v}"))
                        .unwrap_or_default()
                );
            }
            Instruction::Done { reason, .. } => {
                let _ = writeln!(t, "  done: {reason}");
            }
        }
    }
    t
}
