//! A state machine as a binding holds it: the policy beside the state, events in (typed, or the
//! JSON value a binding's walk over its host's event gives), decisions out, snapshot and
//! restore, and a recorded list of events replayed from a new state. The monitor
//! ([`HostMonitor`](super::HostMonitor)), the release ([`HostRelease`](super::HostRelease)) and
//! the alert engine ([`HostAlerts`](super::HostAlerts)) are each a [`Host`] of their state;
//! what differs between them is only what their state answers besides.

use crate::error::BoundaryError;
use crate::policy::CompiledPolicy;
use serde::Serialize;
use serde_json::Value;

/// A state machine a host drives through a [`Host`]: how to start, restore, read an event,
/// step and save one. Every error is a coded [`BoundaryError`]; a refused event leaves the
/// state unchanged.
pub trait Hosted: Sized {
    /// What it takes.
    type Event;
    /// What it answers at each event.
    type Decision;
    /// What a list of events answers: every decision and the state they leave
    /// (`MonitorReplay`, `ReleaseReplay`, `AlertsReplay`).
    type Replay: Serialize;

    /// The answer of a list of events: its decisions and the saved state after the last.
    fn replayed(decisions: Vec<Self::Decision>, state: String) -> Self::Replay;

    /// A new state for `policy`.
    ///
    /// # Errors
    /// When the policy lacks the section the machine runs.
    fn start(policy: &CompiledPolicy) -> Result<Self, BoundaryError>;

    /// A state saved by [`Hosted::save`], read back under `policy`.
    ///
    /// # Errors
    /// `KIRO-E040` for text that is not such a state, `KIRO-E041` for another policy's.
    fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, BoundaryError>;

    /// An event from its JSON form.
    ///
    /// # Errors
    /// `KIRO-E003` for a value that is not an event.
    fn event(value: &Value) -> Result<Self::Event, BoundaryError>;

    /// Takes one event.
    ///
    /// # Errors
    /// The machine's own refusals (time going backwards, an event it does not wait for, …).
    fn step(
        &mut self,
        policy: &CompiledPolicy,
        event: &Self::Event,
    ) -> Result<Self::Decision, BoundaryError>;

    /// The state as canonical JSON text.
    ///
    /// # Errors
    /// `KIRO-E040` if the state cannot be written (never for a state the machine made).
    fn save(&self, policy: &CompiledPolicy) -> Result<String, BoundaryError>;
}

/// A state machine of one policy, driven by the host's events. Cheap to clone (the policy is
/// shared).
#[derive(Debug, Clone)]
pub struct Host<M> {
    pub(super) policy: CompiledPolicy,
    pub(super) state: M,
}

impl<M: Hosted> Host<M> {
    /// A new machine of `policy`.
    ///
    /// # Errors
    /// As [`Hosted::start`].
    pub fn start(policy: &CompiledPolicy) -> Result<Self, BoundaryError> {
        Ok(Self {
            policy: policy.clone(),
            state: M::start(policy)?,
        })
    }

    /// The machine saved by [`Host::snapshot`], continued under `policy`.
    ///
    /// # Errors
    /// As [`Hosted::restore`].
    pub fn restore(policy: &CompiledPolicy, text: &str) -> Result<Self, BoundaryError> {
        Ok(Self {
            policy: policy.clone(),
            state: M::restore(policy, text)?,
        })
    }

    /// Runs `events` (each a JSON value, as [`Host::step_value`] reads it) from a new machine:
    /// every decision, and the machine they leave.
    ///
    /// # Errors
    /// As [`Host::start`]; the first refused event's error, its messages naming its index.
    pub fn replay(
        policy: &CompiledPolicy,
        events: &[Value],
    ) -> Result<(Self, Vec<M::Decision>), BoundaryError> {
        let mut machine = Self::start(policy)?;
        let decisions = machine.step_all(events)?;
        Ok((machine, decisions))
    }

    /// Takes `events` in order (each as [`Host::step_value`] reads it): their decisions.
    ///
    /// # Errors
    /// The first refused event's error, its messages naming the event's index; the events
    /// before it have been taken.
    pub fn step_all(&mut self, events: &[Value]) -> Result<Vec<M::Decision>, BoundaryError> {
        events
            .iter()
            .enumerate()
            .map(|(i, event)| self.step_value(event).map_err(|e| at_event(e, i)))
            .collect()
    }

    /// Takes one event: the decision at it. A refused event leaves the machine unchanged.
    ///
    /// # Errors
    /// As [`Hosted::step`].
    pub fn step(&mut self, event: &M::Event) -> Result<M::Decision, BoundaryError> {
        self.state.step(&self.policy, event)
    }

    /// Takes one event given as its JSON form.
    ///
    /// # Errors
    /// `KIRO-E003` for a value that is not an event; as [`Host::step`] otherwise.
    pub fn step_value(&mut self, event: &Value) -> Result<M::Decision, BoundaryError> {
        let event = M::event(event)?;
        self.step(&event)
    }

    /// A new machine of `policy` fed `events`, or the one saved in `state` fed them: the
    /// machine they leave and their decisions (the boundary calls `monitor`, `release` and
    /// `alerts`).
    ///
    /// # Errors
    /// As [`Host::replay`], or [`Host::restore`] and [`Host::step_all`].
    pub fn feed(
        policy: &CompiledPolicy,
        state: Option<&str>,
        events: &[Value],
    ) -> Result<(Self, Vec<M::Decision>), BoundaryError> {
        match state {
            None => Self::replay(policy, events),
            Some(text) => {
                let mut machine = Self::restore(policy, text)?;
                let decisions = machine.step_all(events)?;
                Ok((machine, decisions))
            }
        }
    }

    /// [`Host::feed`] answered as the machine's replay: every decision and the state saved after
    /// the last event (what the boundary calls and the bindings' `replay…` methods return).
    ///
    /// # Errors
    /// As [`Host::feed`] and [`Host::snapshot`].
    pub fn feed_replay(
        policy: &CompiledPolicy,
        state: Option<&str>,
        events: &[Value],
    ) -> Result<M::Replay, BoundaryError> {
        let (machine, decisions) = Self::feed(policy, state, events)?;
        Ok(M::replayed(decisions, machine.snapshot()?))
    }

    /// The machine saved as canonical JSON text (continue it with [`Host::restore`]).
    ///
    /// # Errors
    /// As [`Hosted::save`].
    pub fn snapshot(&self) -> Result<String, BoundaryError> {
        self.state.save(&self.policy)
    }
}

/// The error of the event at `index` of a list: its messages say which event.
fn at_event(mut error: BoundaryError, index: usize) -> BoundaryError {
    for d in &mut error.diagnostics {
        d.message = format!("event {index}: {}", d.message);
    }
    if let Some(first) = error.diagnostics.first() {
        error.message = format!("{}: {}", first.code.as_str(), first.message);
    }
    error
}
