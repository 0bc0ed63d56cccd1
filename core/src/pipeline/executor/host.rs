//! Running a pipeline from a host's event loop (asyncio, Node.js, a browser).
//!
//! [`HostRun`] owns an [`Executor`](super::Executor) and turns what it needs into
//! [`HostRequest`]s a host can carry out with its own primitives: start an attempt of a stage
//! (call a function), cancel one (cancel its task), set and clear a timer. The host reports
//! back with [`HostRun::complete`] and [`HostRun::fire`] and calls [`HostRun::step`] with the
//! time; every decision (order, `max_parallel`, timeouts, retries and backoff, exit gates,
//! fail-fast) stays in the executor, so every binding runs pipelines the same way.
//!
//! A host loop:
//!
//! ```
//! use kiro::pipeline::{HostRun, HostRequest, RunOptions, StageReport};
//! use kiro::{CompiledPolicy, MetricsInput};
//!
//! let policy = CompiledPolicy::from_text(
//!     "name: demo\npipeline:\n  stages:\n    - {name: build}\n    - {name: test, needs: [build]}\n",
//!     None,
//! )
//! .expect("valid policy");
//! let mut run = HostRun::new(&policy, &["build", "test"], RunOptions::default()).expect("a pipeline");
//! let mut started = Vec::new();
//! loop {
//!     let step = run.step(0.0);
//!     for request in &step.requests {
//!         if let HostRequest::Start { id, stage, .. } = request {
//!             started.push(stage.clone());
//!             run.complete(*id, StageReport::success(MetricsInput::default()));
//!         }
//!     }
//!     if step.done {
//!         break;
//!     }
//! }
//! assert_eq!(started, ["build", "test"]);
//! assert_eq!(run.result().expect("done").verdict, kiro::Verdict::Pass);
//! ```

use super::{Event, Executor, RunOptions, RunResult, Stage, StageReport, StageRunner, Timer};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::error::CheckError;
use crate::metrics::MetricsInput;
use crate::policy::CompiledPolicy;
use async_trait::async_trait;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Something the host must do for the run to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostRequest {
    /// Start attempt `attempt` of `stage`; report its end with [`HostRun::complete`]`(id, …)`.
    Start {
        /// Names this attempt in [`HostRun::complete`] and [`HostRequest::Cancel`].
        id: u64,
        /// The stage.
        stage: String,
        /// The attempt, from 1.
        attempt: u32,
    },
    /// Stop the attempt `id` (a timeout, or fail-fast): its result is no longer wanted.
    Cancel {
        /// The attempt.
        id: u64,
    },
    /// Call [`HostRun::fire`]`(id)` after `ms` milliseconds.
    SetTimer {
        /// Names this timer in [`HostRun::fire`] and [`HostRequest::ClearTimer`].
        id: u64,
        /// The delay, in milliseconds.
        ms: u64,
    },
    /// The timer `id` is no longer needed.
    ClearTimer {
        /// The timer.
        id: u64,
    },
}

/// What one [`HostRun::step`] produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostStep {
    /// What the host must do now, in order.
    pub requests: Vec<HostRequest>,
    /// What happened since the last step, in order.
    pub events: Vec<Event>,
    /// True when the run is over: [`HostRun::result`] holds its result. The requests of the
    /// last step still need carrying out (they cancel what was running).
    pub done: bool,
}

/// A slot a future waits on until the host fills it.
enum Slot<T> {
    Waiting(Option<Waker>),
    Filled(T),
}

/// What the executor's futures and the host share.
#[derive(Default)]
struct Shared {
    now: Duration,
    next_id: u64,
    requests: Vec<HostRequest>,
    events: Vec<Event>,
    attempts: HashMap<u64, Slot<StageReport>>,
    timers: HashMap<u64, Slot<()>>,
    /// When each timer set and not yet fired or cleared is due.
    deadlines: HashMap<u64, Duration>,
    interrupted: bool,
    interrupt_waker: Option<Waker>,
}

type Lock = Arc<Mutex<Shared>>;

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn fire(&mut self, id: u64) {
        self.deadlines.remove(&id);
        fill(self.timers.get_mut(&id), ());
    }
}

/// Fills `slot` and wakes its future; false when nobody waits on it (any more).
fn fill<T>(slot: Option<&mut Slot<T>>, value: T) -> bool {
    match slot {
        Some(slot @ Slot::Waiting(_)) => {
            if let Slot::Waiting(Some(waker)) = std::mem::replace(slot, Slot::Filled(value)) {
                waker.wake();
            }
            true
        }
        _ => false,
    }
}

/// Waits for the host to fill slot `id` of the map `pick` chooses; tells the host when it is
/// dropped before that (with `on_drop`).
struct HostWait<T: 'static> {
    shared: Lock,
    id: u64,
    pick: fn(&mut Shared) -> &mut HashMap<u64, Slot<T>>,
    on_drop: fn(u64) -> HostRequest,
    done: bool,
}

impl<T: 'static> HostWait<T> {
    /// Makes a slot in the map `pick` chooses, asks the host with the request `ask` makes of
    /// its id, and waits on the slot.
    fn ask(
        shared: &Lock,
        pick: fn(&mut Shared) -> &mut HashMap<u64, Slot<T>>,
        ask: impl FnOnce(u64) -> HostRequest,
        on_drop: fn(u64) -> HostRequest,
    ) -> Self {
        let mut guard = lock(shared);
        let id = guard.id();
        pick(&mut guard).insert(id, Slot::Waiting(None));
        guard.requests.push(ask(id));
        Self {
            shared: Arc::clone(shared),
            id,
            pick,
            on_drop,
            done: false,
        }
    }
}

impl<T: 'static> Future for HostWait<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = &mut *self;
        let mut shared = lock(&this.shared);
        let slots = (this.pick)(&mut shared);
        match slots.remove(&this.id) {
            Some(Slot::Filled(value)) => {
                drop(shared);
                this.done = true;
                Poll::Ready(value)
            }
            Some(Slot::Waiting(_)) | None => {
                slots.insert(this.id, Slot::Waiting(Some(cx.waker().clone())));
                Poll::Pending
            }
        }
    }
}

impl<T: 'static> Drop for HostWait<T> {
    fn drop(&mut self) {
        if !self.done {
            let mut shared = lock(&self.shared);
            (self.pick)(&mut shared).remove(&self.id);
            shared.deadlines.remove(&self.id);
            shared.requests.push((self.on_drop)(self.id));
        }
    }
}

/// The runner: asks the host to start attempts of the stages it has actions for; the others
/// succeed at once with no observations (as a stage without `run:` does in `kiro run`).
struct HostRunner {
    shared: Lock,
    actions: BTreeSet<String>,
}

#[async_trait]
impl StageRunner for HostRunner {
    async fn run(&self, stage: &Stage, attempt: u32) -> StageReport {
        if !self.actions.contains(&stage.name) {
            return StageReport::success(MetricsInput::default());
        }
        let stage = stage.name.clone();
        let wait = HostWait::ask(
            &self.shared,
            |s| &mut s.attempts,
            |id| HostRequest::Start { id, stage, attempt },
            |id| HostRequest::Cancel { id },
        );
        wait.await
    }
}

/// The timer: the host's clock as of the last step, and its timers.
struct HostTimer {
    shared: Lock,
}

#[async_trait]
impl Timer for HostTimer {
    fn now(&self) -> Duration {
        lock(&self.shared).now
    }

    async fn sleep(&self, duration: Duration) {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        let wait = HostWait::ask(
            &self.shared,
            |s| &mut s.timers,
            |id| HostRequest::SetTimer { id, ms },
            |id| HostRequest::ClearTimer { id },
        );
        {
            let mut shared = lock(&self.shared);
            let due = shared.now.saturating_add(duration);
            shared.deadlines.insert(wait.id, due);
        }
        wait.await;
    }
}

/// Completes when the host interrupts the run.
struct Interrupted {
    shared: Lock,
}

impl Future for Interrupted {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = lock(&self.shared);
        if shared.interrupted {
            Poll::Ready(())
        } else {
            shared.interrupt_waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Notes that the run's future wants polling again.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

type RunFuture = Pin<Box<dyn Future<Output = Option<RunResult>> + Send>>;

/// A pipeline run driven by a host's event loop. See the [module docs](self).
pub struct HostRun {
    shared: Lock,
    future: Option<RunFuture>,
    result: Option<RunResult>,
    woken: Arc<Woken>,
}

impl std::fmt::Debug for HostRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostRun")
            .field("done", &self.future.is_none())
            .finish_non_exhaustive()
    }
}

impl HostRun {
    /// A run of `policy`'s pipeline in which the host has an action for each stage named in
    /// `actions`; the other stages succeed at once with no observations.
    ///
    /// # Errors
    /// [`Code::EmptySelection`] when the policy has no pipeline; [`Code::UnknownReference`]
    /// for each action that names no stage (with a suggestion when one is close).
    pub fn new(
        policy: &CompiledPolicy,
        actions: &[&str],
        options: RunOptions,
    ) -> Result<Self, CheckError> {
        let pipeline = policy.pipeline().ok_or_else(super::no_pipeline)?;
        let names = || pipeline.stages.iter().map(|s| s.name.as_str());
        let unknown: Vec<Diagnostic> = actions
            .iter()
            .filter(|a| !names().any(|n| n == **a))
            .map(|a| unknown_action(a, did_you_mean(a, names())))
            .collect();
        if !unknown.is_empty() {
            return Err(CheckError::Input(unknown));
        }
        let shared = Lock::default();
        let runner = HostRunner {
            shared: Arc::clone(&shared),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        };
        let timer = HostTimer {
            shared: Arc::clone(&shared),
        };
        let interrupted = Interrupted {
            shared: Arc::clone(&shared),
        };
        let events = Arc::clone(&shared);
        let policy = policy.clone();
        let future: RunFuture = Box::pin(async move {
            let executor = Executor::new(&policy, &runner, &timer).ok()?;
            let on_event = |event: &Event| lock(&events).events.push(event.clone());
            Some(
                executor
                    .with_options(options)
                    .run_until(interrupted, on_event)
                    .await,
            )
        });
        Ok(Self {
            shared,
            future: Some(future),
            result: None,
            woken: Arc::default(),
        })
    }

    /// Moves the run on at the host's time `now_ms` (milliseconds since any fixed origin; a
    /// time earlier than the last one counts as the last one) and returns what the host must
    /// do and what happened. Timers whose delay is over by `now_ms` count as fired.
    pub fn step(&mut self, now_ms: f64) -> HostStep {
        {
            let mut shared = lock(&self.shared);
            let now = Duration::try_from_secs_f64(now_ms.max(0.0) / 1000.0).unwrap_or(shared.now);
            shared.now = shared.now.max(now);
            let now = shared.now;
            let due: Vec<u64> = shared
                .deadlines
                .iter()
                .filter(|&(_, &at)| at <= now)
                .map(|(&id, _)| id)
                .collect();
            for id in due {
                shared.fire(id);
            }
        }
        if let Some(future) = self.future.as_mut() {
            let waker = Waker::from(Arc::clone(&self.woken));
            let mut cx = Context::from_waker(&waker);
            loop {
                self.woken.0.store(false, Ordering::Release);
                if let Poll::Ready(result) = future.as_mut().poll(&mut cx) {
                    self.result = result;
                    self.future = None;
                    break;
                }
                if !self.woken.0.load(Ordering::Acquire) {
                    break;
                }
            }
        }
        let mut shared = lock(&self.shared);
        HostStep {
            requests: std::mem::take(&mut shared.requests),
            events: std::mem::take(&mut shared.events),
            done: self.future.is_none(),
        }
    }

    /// The attempt `id` ended with `report`. A report for an attempt that was cancelled (or
    /// that does not exist) is ignored. Call [`HostRun::step`] next.
    pub fn complete(&mut self, id: u64, report: StageReport) {
        let mut shared = lock(&self.shared);
        fill(shared.attempts.get_mut(&id), report);
    }

    /// The timer `id` fired. A cleared or unknown timer is ignored. Call [`HostRun::step`]
    /// next.
    pub fn fire(&mut self, id: u64) {
        lock(&self.shared).fire(id);
    }

    /// Interrupts the run (Ctrl-C, a cancelled host task): at the next [`HostRun::step`] the
    /// running attempts are cancelled, the pending stages skipped, and the run fails as
    /// interrupted.
    pub fn interrupt(&mut self) {
        let mut shared = lock(&self.shared);
        shared.interrupted = true;
        if let Some(waker) = shared.interrupt_waker.take() {
            waker.wake();
        }
    }

    /// The run's result, once a [`HostStep`] said it is done.
    #[must_use]
    pub fn result(&self) -> Option<&RunResult> {
        self.result.as_ref()
    }
}

fn unknown_action(name: &str, suggestion: Option<&str>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        Code::UnknownReference,
        format!("there is an action for `{name}`, but the pipeline has no stage of that name"),
    )
    .with_source("actions");
    match suggestion {
        Some(s) => diagnostic.with_help(format!("did you mean `{s}`?")),
        None => diagnostic.with_help("every action must be named after a stage of the pipeline"),
    }
}
