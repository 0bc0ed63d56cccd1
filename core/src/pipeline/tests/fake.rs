//! A deterministic clock and a scripted runner, and a `block_on` that moves the clock only
//! when every future is waiting on it.

use crate::metrics::MetricsInput;
use crate::pipeline::{Stage, StageReport, StageRunner, Timer};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

#[derive(Default)]
struct Clock {
    now: Duration,
    next_id: u64,
    sleepers: BTreeMap<u64, (Duration, Option<Waker>)>,
}

/// Virtual time: sleeping registers a deadline; [`FakeTimer::advance`] jumps to the next one.
#[derive(Default)]
pub struct FakeTimer {
    clock: Mutex<Clock>,
}

impl FakeTimer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Clock> {
        self.clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Moves to the earliest deadline and wakes its sleepers; false when nobody sleeps.
    pub fn advance(&self) -> bool {
        let mut clock = self.lock();
        let Some(next) = clock.sleepers.values().map(|(d, _)| *d).min() else {
            return false;
        };
        clock.now = clock.now.max(next);
        let now = clock.now;
        for (deadline, waker) in clock.sleepers.values_mut() {
            if *deadline <= now
                && let Some(w) = waker.take()
            {
                w.wake();
            }
        }
        true
    }

    pub fn at(&self) -> Duration {
        self.lock().now
    }
}

struct Sleep<'a> {
    timer: &'a FakeTimer,
    id: u64,
}

impl Future for Sleep<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut clock = self.timer.lock();
        let now = clock.now;
        match clock.sleepers.get_mut(&self.id) {
            Some((deadline, _)) if *deadline <= now => Poll::Ready(()),
            Some((_, waker)) => {
                *waker = Some(cx.waker().clone());
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

impl Drop for Sleep<'_> {
    fn drop(&mut self) {
        self.timer.lock().sleepers.remove(&self.id);
    }
}

#[async_trait]
impl Timer for FakeTimer {
    fn now(&self) -> Duration {
        self.lock().now
    }

    async fn sleep(&self, duration: Duration) {
        let id = {
            let mut clock = self.lock();
            let id = clock.next_id;
            clock.next_id += 1;
            let deadline = clock.now + duration;
            clock.sleepers.insert(id, (deadline, None));
            id
        };
        Sleep { timer: self, id }.await;
    }
}

struct Flag(AtomicBool);

impl futures::task::ArcWake for Flag {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs `future` to completion on `timer`'s virtual time.
pub fn block_on<F: Future>(timer: &FakeTimer, future: F) -> F::Output {
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = futures::task::waker(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    for _ in 0..1_000_000 {
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        if !flag.0.load(Ordering::SeqCst) {
            assert!(
                timer.advance(),
                "deadlock: every future waits and nothing sleeps"
            );
        }
    }
    panic!("the run did not end");
}

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

/// Runs stages by script (a stage without one succeeds at once; the last step repeats), and
/// records concurrency, starts and cancellations.
pub struct FakeRunner<'t> {
    timer: &'t FakeTimer,
    scripts: HashMap<String, Vec<Step>>,
    running: AtomicUsize,
    pub max_running: AtomicUsize,
    pub starts: Mutex<Vec<(String, u32, u64)>>,
    pub dropped: Mutex<Vec<String>>,
}

impl<'t> FakeRunner<'t> {
    pub fn new(timer: &'t FakeTimer, scripts: &[(&str, Vec<Step>)]) -> Self {
        Self {
            timer,
            scripts: scripts
                .iter()
                .map(|(n, s)| ((*n).to_owned(), s.clone()))
                .collect(),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
            starts: Mutex::new(Vec::new()),
            dropped: Mutex::new(Vec::new()),
        }
    }

    pub fn dropped(&self) -> Vec<String> {
        self.dropped.lock().map(|d| d.clone()).unwrap_or_default()
    }

    pub fn starts(&self) -> Vec<(String, u32, u64)> {
        self.starts.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

struct Guard<'r, 't> {
    runner: &'r FakeRunner<'t>,
    stage: String,
    done: bool,
}

impl Drop for Guard<'_, '_> {
    fn drop(&mut self) {
        self.runner.running.fetch_sub(1, Ordering::SeqCst);
        if !self.done
            && let Ok(mut d) = self.runner.dropped.lock()
        {
            d.push(self.stage.clone());
        }
    }
}

#[async_trait]
impl StageRunner for FakeRunner<'_> {
    async fn run(&self, stage: &Stage, attempt: u32) -> StageReport {
        let script = self.scripts.get(&stage.name).cloned().unwrap_or_default();
        let step = script
            .get(attempt as usize - 1)
            .or(script.last())
            .cloned()
            .unwrap_or_else(|| ok(0));
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        if let Ok(mut s) = self.starts.lock() {
            s.push((
                stage.name.clone(),
                attempt,
                self.timer.at().as_millis() as u64,
            ));
        }
        let mut guard = Guard {
            runner: self,
            stage: stage.name.clone(),
            done: false,
        };
        self.timer.sleep(step.takes).await;
        guard.done = true;
        drop(guard);
        if step.success {
            let metrics = MetricsInput::from_json(&step.metrics).unwrap_or_default();
            StageReport::success(metrics)
        } else {
            StageReport::failure("exit status 1")
        }
    }
}
