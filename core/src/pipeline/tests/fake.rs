//! A scripted host on virtual time that drives the run's state machine directly: every stage
//! has an action, run by script (a stage without one succeeds at once; the last step
//! repeats); it records concurrency, starts and cancellations.

use crate::metrics::MetricsInput;
use crate::pipeline::{
    Event, RunEffect, RunEvent, RunOptions, RunResult, RunState, StageReport, step,
};
use crate::policy::CompiledPolicy;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// One scripted attempt: how long it takes, whether it succeeds, what it reports.
#[derive(Clone)]
pub struct Step {
    pub takes: Duration,
    pub success: bool,
    pub metrics: serde_json::Value,
}

pub fn ok(secs: u64) -> Step {
    Step {
        takes: Duration::from_secs(secs),
        success: true,
        metrics: serde_json::json!({}),
    }
}

pub fn fail(secs: u64) -> Step {
    Step {
        takes: Duration::from_secs(secs),
        success: false,
        metrics: serde_json::json!({}),
    }
}

pub fn reporting(secs: u64, metrics: serde_json::Value) -> Step {
    Step {
        takes: Duration::from_secs(secs),
        success: true,
        metrics,
    }
}

/// What a scripted run gave, and what the host saw.
pub struct Simulated {
    pub result: RunResult,
    pub events: Vec<Event>,
    /// The stages whose running attempt was cancelled.
    pub dropped: Vec<String>,
    pub max_running: usize,
    /// `(stage, attempt, ms)` of every start.
    pub starts: Vec<(String, u32, u64)>,
    /// Every event the machine took.
    pub log: Vec<RunEvent>,
    /// Every effect it gave.
    pub effects: Vec<RunEffect>,
}

struct Host<'p> {
    policy: &'p CompiledPolicy,
    scripts: HashMap<String, Vec<Step>>,
    state: RunState,
    now: u64,
    /// Attempt id -> (stage, when it ends, what it reports).
    ends: BTreeMap<u64, (String, u64, StageReport)>,
    timers: BTreeMap<u64, u64>,
    out: Simulated,
}

impl Host<'_> {
    fn feed(&mut self, event: RunEvent) {
        let effects = step(&mut self.state, self.policy, event.clone())
            .unwrap_or_else(|e| panic!("{event:?}: {e}"));
        self.out.log.push(event);
        for effect in effects {
            self.out.effects.push(effect.clone());
            match effect {
                RunEffect::StartAttempt { id, stage, attempt } => {
                    let script = self.scripts.get(&stage).cloned().unwrap_or_default();
                    let step = script
                        .get(attempt as usize - 1)
                        .or(script.last())
                        .cloned()
                        .unwrap_or_else(|| ok(0));
                    let report = if step.success {
                        StageReport::success(
                            MetricsInput::from_json(&step.metrics).unwrap_or_default(),
                        )
                    } else {
                        StageReport::failure("exit status 1")
                    };
                    let takes = step.takes.as_millis() as u64;
                    self.out.starts.push((stage.clone(), attempt, self.now));
                    self.ends.insert(id, (stage, self.now + takes, report));
                    self.out.max_running = self.out.max_running.max(self.ends.len());
                }
                RunEffect::CancelAttempt { id } => {
                    if let Some((stage, ..)) = self.ends.remove(&id) {
                        self.out.dropped.push(stage);
                    }
                }
                RunEffect::SetTimer { id, at_ms, .. } => {
                    self.timers.insert(id, at_ms);
                }
                RunEffect::ClearTimer { id } => {
                    self.timers.remove(&id);
                }
                RunEffect::Progress { event } => self.out.events.push(event),
                RunEffect::Finished { result } => self.out.result = *result,
            }
        }
    }
}

/// Runs `policy`'s pipeline by `scripts` on virtual time, interrupted at `cancel_at` seconds.
pub fn simulate(
    policy: &CompiledPolicy,
    scripts: &[(&str, Vec<Step>)],
    options: RunOptions,
    cancel_at: Option<u64>,
) -> Simulated {
    let pipeline = policy.pipeline().unwrap_or_else(|| panic!("no pipeline"));
    let mut host = Host {
        policy,
        scripts: scripts
            .iter()
            .map(|(n, s)| ((*n).to_owned(), s.clone()))
            .collect(),
        state: RunState::new(),
        now: 0,
        ends: BTreeMap::new(),
        timers: BTreeMap::new(),
        out: Simulated {
            result: RunResult {
                policy: crate::decision::PolicyRef {
                    name: String::new(),
                    hash: String::new(),
                    sources: Vec::new(),
                },
                verdict: crate::decision::Verdict::Fail,
                summary: String::new(),
                interrupted: false,
                duration_ms: 0,
                stages: Vec::new(),
            },
            events: Vec::new(),
            dropped: Vec::new(),
            max_running: 0,
            starts: Vec::new(),
            log: Vec::new(),
            effects: Vec::new(),
        },
    };
    let mut cancel_at = cancel_at.map(|s| s * 1000);
    host.feed(RunEvent::Start {
        at_ms: 0,
        actions: pipeline.stages().iter().map(|s| s.name.clone()).collect(),
        options,
    });
    for _ in 0..1_000_000 {
        let now = host.now;
        let due: Vec<u64> = host
            .ends
            .iter()
            .filter(|(_, (_, at, _))| *at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            if let Some((_, _, report)) = host.ends.remove(&id) {
                host.feed(RunEvent::Completed {
                    at_ms: now,
                    id,
                    report,
                });
            }
        }
        if cancel_at.is_some_and(|at| at <= now) {
            host.feed(RunEvent::Interrupt { at_ms: now });
            cancel_at = None;
        }
        host.feed(RunEvent::Tick { at_ms: now });
        if host.state.finished() {
            return host.out;
        }
        host.timers.retain(|_, at| *at > now);
        host.now = host
            .ends
            .values()
            .map(|(_, at, _)| *at)
            .chain(host.timers.values().copied())
            .chain(cancel_at)
            .min()
            .unwrap_or_else(|| panic!("deadlock: every attempt waits and no timer is set"));
    }
    panic!("the run did not end");
}
