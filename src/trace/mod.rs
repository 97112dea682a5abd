//! What a run records, and what it means.
//!
//! [`simulate`] runs a [`Scenario`] on the [`Executor`] under a [`Policy`] and returns a
//! [`Run`]: the events, a snapshot at any step ([`Run::snapshot_at`]), the timeline
//! ([`Run::segments`], [`Run::handoffs`]), the transcript, and the [`Analysis`].
//!
//! # Examples
//!
//! ```
//! use mutex_playground::exec::Policy;
//! use mutex_playground::scenario::preset;
//! use mutex_playground::trace::{simulate, EndReason};
//!
//! let counter = preset("counter").unwrap();
//! let run = simulate(&counter.scenario, &Policy::Fifo).unwrap();
//! assert_eq!(run.end, EndReason::Finished);
//! assert_eq!(run.snapshot_at(run.steps()).mutexes[0].value, "1000");
//! ```
//!
//! # Snapshots
//!
//! A snapshot is the state *after* a step (step 0 is before the first poll). The run keeps
//! checkpoints, taken from the live locks ([`Mutex::holder`](crate::sync::Mutex::holder)
//! and [`Mutex::waiters`](crate::sync::Mutex::waiters), so the queue shown is the
//! Mutex's own), and replays the events in between: seeking anywhere, forwards or
//! backwards, costs at most one checkpoint interval of events.

mod analysis;
pub mod compare;
pub mod explore;
mod narrate;
mod realtime;
mod state;

pub use crate::exec::{Event, EventKind, MutexId, Policy, TaskId, WokenBy};
/// The scenario side of the facade, re-exported so `trace` alone is enough to run one.
pub use crate::scenario::{preset, presets, Preset, Scenario, ScenarioError};
pub use crate::scenario::{MAX_BYTES_WITHOUT_YIELD, MAX_EVENTS, MAX_STEPS_WITHOUT_YIELD, MAX_TRACE_TEXT_BYTES};
pub use analysis::{Alert, AlertKind, Analysis, TaskStats};
pub use narrate::narrate;
pub use realtime::drive_realtime;
#[cfg(target_arch = "wasm32")]
pub use realtime::run_realtime;
pub use state::{Lane, MutexView, Snapshot, TaskStatus, TaskView};

use crate::exec::event::Tables;
use crate::exec::{Budget, Clock, Executor, Halt, Sink, StepOutcome};
pub use crate::scenario::program::TraceRoom;
use crate::scenario::program::{self, Label};
use serde::Serialize;
use state::State;

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EndReason {
    /// Every task finished.
    Finished,
    /// Tasks wait for each other in a cycle (task, the mutex it waits for), in order:
    /// each waits for a mutex held by the next.
    Deadlock {
        /// The cycle, starting from its lowest task id: each task waits for its mutex,
        /// which the next task holds (the last task's, the first).
        cycle: Vec<(TaskId, MutexId)>,
    },
    /// These tasks returned `Pending` with nobody holding their waker.
    LostWakeup {
        /// The tasks that can never run again, in id order.
        tasks: Vec<TaskId>,
    },
    /// A blocking lock stalled the only thread.
    Stalled {
        /// The task that tried to lock, blocking the thread.
        task: TaskId,
        /// The blocking mutex.
        mutex: MutexId,
        /// The task holding it, which can never run again to release it.
        holder: TaskId,
    },
    /// Nothing can run, but there is no cycle of locks and no lost wake-up (e.g. everyone
    /// waits for a task that is itself stuck, or main joins a task that waits for a lock
    /// main holds).
    Stuck,
    /// The scenario's work limit was reached (`limits.max_steps`: steps executed and
    /// polls, counted together).
    StepLimit,
    /// The scenario's virtual time limit was passed.
    TimeLimit,
    /// `task` ran `steps` steps in one poll without yielding: a loop that never awaits
    /// anything that waits. The run cannot go on without it giving up the thread.
    Runaway {
        /// The task that would not yield.
        task: TaskId,
        /// The steps it ran in that poll ([`MAX_STEPS_WITHOUT_YIELD`]).
        steps: u64,
    },
    /// `task` recorded or copied `bytes` bytes of values and printed lines in one poll,
    /// without yielding (at most [`MAX_BYTES_WITHOUT_YIELD`]).
    Flood {
        /// The task that would not yield.
        task: TaskId,
        /// The bytes it had recorded or copied in that poll when the limit was checked
        /// (more than the limit).
        bytes: u64,
    },
    /// The recorded trace reached its size limit (its [`TraceRoom`]: by default
    /// [`MAX_EVENTS`] events or [`MAX_TRACE_TEXT_BYTES`] bytes of printed lines and
    /// values); the run stops there.
    TraceFull {
        /// Events recorded when it stopped.
        events: u64,
        /// Bytes of printed lines and values recorded when it stopped.
        text_bytes: u64,
        /// The run's room: the most events it could record.
        max_events: u64,
        /// The run's room: the most bytes of text it could record.
        max_text_bytes: u64,
    },
    /// `Policy::Manual` ran out of choices: pick one of `ready` to go on.
    AwaitingChoice {
        /// The tasks ready to run, in wake order: each is a valid next choice.
        ready: Vec<TaskId>,
    },
    /// `Policy::Manual` named a task that was not ready then.
    BadChoice {
        /// The task named.
        task: TaskId,
        /// The tasks that were ready, in wake order.
        ready: Vec<TaskId>,
    },
}

/// A stretch of one task's lane on the timeline.
///
/// Steps are half-open: the task is in `lane` in the snapshots `start_step..end_step`
/// (the last segment of each lane ends at `steps() + 1`). Times are the virtual times of
/// those moments; a segment may be zero steps long when busy work moved the clock within
/// one poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Whose lane.
    pub task: TaskId,
    /// What the task was doing throughout (its colour on the timeline).
    pub lane: Lane,
    /// The first step in this lane.
    pub start_step: u32,
    /// The first step no longer in this lane (exclusive).
    pub end_step: u32,
    /// Virtual ms when it started.
    pub start_time: u64,
    /// Virtual ms when it ended (the run's end time for a lane's last segment).
    pub end_time: u64,
}

/// The lock passing from one task to the next (an arrow on the timeline).
///
/// Recorded when a task acquires a mutex in the same step another task released it: a
/// direct hand-over to the head of the queue, or a free lock taken at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Handoff {
    /// The mutex handed over.
    pub mutex: MutexId,
    /// The task that released it.
    pub from: TaskId,
    /// The task that got it.
    pub to: TaskId,
    /// The step in which both happened.
    pub step: u32,
    /// Virtual ms when `to` got it.
    pub time: u64,
}

/// A line of the transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The step it was printed in.
    pub step: u32,
    /// Virtual ms when it was printed.
    pub time: u64,
    /// The task that printed it.
    pub task: TaskId,
    /// One line of text, without its line break (a multi-line print gives several).
    pub text: String,
}

#[derive(Clone, PartialEq)]
struct Checkpoint {
    step: u32,
    /// Index of the first event after this checkpoint.
    event: usize,
    state: State,
}

/// A finished simulation. Cheap to query; immutable.
///
/// Serializes (and [`to_json`](Run::to_json)) as our trace schema
/// `mutex-playground/trace/v1`: scenario, policy, end, events with their tables,
/// choices, transcript and analysis (not the checkpoints, which are a cache).
#[derive(Clone, PartialEq)]
pub struct Run {
    /// The scenario that ran.
    pub scenario: Scenario,
    /// The policy it ran under.
    pub policy: Policy,
    /// Why it stopped (also [`end_reason`](Run::end_reason)).
    pub end: EndReason,
    events: Vec<Event>,
    lines: Vec<String>,
    values: Vec<String>,
    labels: Vec<Label>,
    steps: u32,
    /// Virtual time at each step (index = step).
    step_times: Vec<u64>,
    /// One past the index of the last event of each step (index = step).
    step_ends: Vec<usize>,
    choices: Vec<TaskId>,
    checkpoints: Vec<Checkpoint>,
    segments: Vec<Segment>,
    handoffs: Vec<Handoff>,
    analysis: Analysis,
    /// The failed assertions, in order: the task, and its message's index in `lines`.
    asserts: Vec<(TaskId, u32)>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("scenario", &self.scenario.name)
            .field("policy", &self.policy)
            .field("end", &self.end)
            .field("steps", &self.steps())
            .field("events", &self.events.len())
            .finish()
    }
}

/// Runs `scenario` under `policy` until every task is done, nothing can run, the limits
/// are reached, or (with `Policy::Manual`) a choice is needed.
///
/// The scenario is validated first; identical inputs give identical runs. To run a
/// big scenario a slice at a time (so a page stays responsive), use [`Simulation`].
pub fn simulate(scenario: &Scenario, policy: &Policy) -> Result<Run, ScenarioError> {
    Ok(Simulation::new(scenario, policy)?.finish())
}

/// Like [`simulate`], and at *every* step checks that the replayed snapshot's holders and
/// queues equal what the locks themselves report (for tests; slow on big runs).
pub fn simulate_checked(scenario: &Scenario, policy: &Policy) -> Result<Run, ScenarioError> {
    let mut sim = Simulation::new(scenario, policy)?;
    sim.check_every_step = true;
    Ok(sim.finish())
}

/// How far a [`Simulation`] has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Polls so far.
    pub steps: u32,
    /// Work so far: steps executed and polls.
    pub work: u64,
    /// The run's work limit (the scenario's `limits.max_steps`).
    pub max_work: u64,
    /// Events recorded so far.
    pub events: u64,
    /// The most events the run records (its [`TraceRoom`]'s).
    pub max_events: u64,
    /// Whether the run has ended ([`Simulation::finish`] then returns at once).
    pub done: bool,
}

impl Progress {
    /// The fraction of the nearest limit used so far, from 0 to 1: a lower bound of how
    /// far the run is (it may end sooner).
    pub fn fraction(&self) -> f64 {
        let work = self.work as f64 / self.max_work.max(1) as f64;
        let events = self.events as f64 / self.max_events.max(1) as f64;
        if self.done {
            1.0
        } else {
            work.max(events).min(1.0)
        }
    }
}

/// A run in progress: [`simulate`] a slice at a time.
///
/// Slices change nothing in the run: stopping between polls is invisible to the tasks.
/// A slice ends after the poll that used up its work, so one slice takes at most that
/// plus one poll (a poll is bounded by [`MAX_STEPS_WITHOUT_YIELD`]).
///
/// # Examples
///
/// ```
/// use mutex_playground::exec::Policy;
/// use mutex_playground::scenario::preset;
/// use mutex_playground::trace::{simulate, Simulation};
///
/// let counter = preset("counter").unwrap().scenario;
/// let mut sim = Simulation::new(&counter, &Policy::Fifo).unwrap();
/// while !sim.advance(100) {
///     // a page would draw sim.progress() here, and let a frame pass
/// }
/// assert_eq!(sim.finish(), simulate(&counter, &Policy::Fifo).unwrap());
/// ```
pub struct Simulation {
    scenario: Scenario,
    policy: Policy,
    check_every_step: bool,
    sink: std::sync::Arc<Sink>,
    clock: Clock,
    budget: std::rc::Rc<Budget>,
    room: TraceRoom,
    executor: Executor,
    mutexes: Vec<program::Instance>,
    labels: Vec<Label>,
    locals: Vec<std::rc::Rc<program::TaskLocals>>,
    task_count: usize,
    interval: usize,
    events: Vec<Event>,
    lines: Vec<String>,
    values: Vec<String>,
    state: State,
    step_times: Vec<u64>,
    step_ends: Vec<usize>,
    checkpoints: Vec<Checkpoint>,
    recorder: analysis::Recorder,
    scratch: Tables,
    end: Option<EndReason>,
    /// The failed assertions so far, in order: the task, and its message's index in
    /// `lines`.
    asserts: Vec<(TaskId, u32)>,
    /// Whether a task is main, the one that may join the others (the explorer then
    /// orders every task's end against the joins).
    joins: bool,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation").field("scenario", &self.scenario.name).field("progress", &self.progress()).finish()
    }
}

impl Simulation {
    /// Validates `scenario` and sets the run up (nothing is polled yet).
    pub fn new(scenario: &Scenario, policy: &Policy) -> Result<Simulation, ScenarioError> {
        Simulation::with_room(scenario, policy, TraceRoom::default())
    }

    /// [`Simulation::new`], recording at most `room` (less than a run's own room when
    /// several runs share it, as the compare view's do).
    pub fn with_room(scenario: &Scenario, policy: &Policy, room: TraceRoom) -> Result<Simulation, ScenarioError> {
        scenario.validate()?;
        Ok(Simulation::validated_in(scenario, policy, room))
    }

    /// [`Simulation::new`] of a scenario already validated (the explorer sets up the
    /// same scenario's run again and again).
    pub(crate) fn validated(scenario: &Scenario, policy: &Policy) -> Simulation {
        Simulation::validated_in(scenario, policy, TraceRoom::default())
    }

    fn validated_in(scenario: &Scenario, policy: &Policy, room: TraceRoom) -> Simulation {
        let sink = Sink::new();
        let clock = Clock::new();
        let program::Program { mutexes, labels, tasks, budget, locals } = program::build(scenario, &clock, &sink, room);
        let mut executor = Executor::new(clock.clone(), sink.clone(), policy.clone()).with_budget(budget.clone());
        for (future, label) in tasks {
            executor.spawn_labelled(future, label);
        }
        let task_count = scenario.tasks.len();
        let mut state = State::new(task_count, mutexes.len());
        for (i, label) in labels.iter().enumerate() {
            if label.is_start() {
                state.tasks[label.task as usize].set_at(i as u32);
            }
        }
        let mut sim = Simulation {
            scenario: scenario.clone(),
            policy: policy.clone(),
            check_every_step: false,
            interval: 4096.max(8 * (task_count + mutexes.len())),
            recorder: analysis::Recorder::new(task_count, mutexes.len()),
            sink,
            clock,
            budget,
            room,
            executor,
            mutexes,
            labels,
            locals,
            task_count,
            events: Vec::new(),
            lines: Vec::new(),
            values: Vec::new(),
            state,
            step_times: vec![0],
            step_ends: Vec::new(),
            checkpoints: Vec::new(),
            scratch: Tables::default(),
            end: None,
            asserts: Vec::new(),
            joins: scenario.tasks.iter().any(|t| t.main),
        };
        sim.absorb();
        sim.step_ends.push(sim.events.len());
        sim.checkpoints.push(Checkpoint { step: 0, event: sim.events.len(), state: live(&sim.state, &sim.mutexes) });
        sim
    }

    /// How far the run has got.
    pub fn progress(&self) -> Progress {
        Progress {
            steps: self.executor.steps(),
            work: self.budget.work(),
            max_work: self.budget.max_work(),
            events: self.events.len() as u64,
            max_events: self.room.max_events,
            done: self.end.is_some(),
        }
    }

    /// Runs until `work` more units (steps executed and polls) are spent, or the run
    /// ends. Returns whether it has ended.
    pub fn advance(&mut self, work: u64) -> bool {
        let until = self.budget.work().saturating_add(work);
        while self.end.is_none() && self.budget.work() < until {
            self.end = self.step();
        }
        self.end.is_some()
    }

    /// Runs to the end and returns the run.
    pub fn finish(mut self) -> Run {
        while !self.advance(u64::MAX) {}
        // Events after the last poll (wakes seen while stopping) belong to the last step.
        *self.step_ends.last_mut().expect("step 0") = self.events.len();
        let end = self.end.take().expect("ended");
        let steps = self.executor.steps();
        let (segments, handoffs, analysis) = self.recorder.finish(
            &self.state,
            steps,
            self.clock.now(),
            &end,
            &self.scenario,
            &self.lines,
            &self.step_times,
        );
        Run {
            scenario: self.scenario,
            policy: self.policy,
            end,
            events: self.events,
            lines: self.lines,
            values: self.values,
            labels: self.labels,
            steps,
            step_times: self.step_times,
            step_ends: self.step_ends,
            choices: self.executor.choices().to_vec(),
            checkpoints: self.checkpoints,
            segments,
            handoffs,
            analysis,
            asserts: self.asserts,
        }
    }

    /// The end of a run whose trace is full.
    fn trace_full(&self) -> EndReason {
        EndReason::TraceFull {
            events: self.sink.recorded_events(),
            text_bytes: self.sink.text_bytes(),
            max_events: self.room.max_events,
            max_text_bytes: self.room.max_text_bytes,
        }
    }

    /// One step of the executor and what it recorded; the end reason if the run ended.
    fn step(&mut self) -> Option<EndReason> {
        if self.budget.work() >= self.budget.max_work() {
            return Some(EndReason::StepLimit);
        }
        if self.sink.recorded_events() > self.room.max_events || self.sink.text_bytes() > self.room.max_text_bytes {
            return Some(self.trace_full());
        }
        let outcome = self.executor.step();
        self.absorb();
        match outcome {
            StepOutcome::Polled(_) => {
                self.step_times.push(self.clock.now());
                self.step_ends.push(self.events.len());
                let step = self.executor.steps();
                if self.check_every_step {
                    let live = live(&self.state, &self.mutexes);
                    assert_eq!(
                        self.state.lock_views(),
                        live.lock_views(),
                        "step {step}: the replayed holders/queues differ from the locks' own report"
                    );
                }
                let since = self.checkpoints.last().map_or(0, |c| c.event);
                if self.events.len() - since >= self.interval {
                    let cp = live(&self.state, &self.mutexes);
                    self.state = cp.clone();
                    self.checkpoints.push(Checkpoint { step, event: self.events.len(), state: cp });
                }
                (self.clock.now() > self.scenario.limits.max_time_ms).then_some(EndReason::TimeLimit)
            }
            StepOutcome::Finished => Some(EndReason::Finished),
            StepOutcome::Halted(Halt::Stalled) => {
                let (task, mutex, holder) = self.state.stalled.expect("a stall was recorded");
                Some(EndReason::Stalled { task, mutex, holder })
            }
            StepOutcome::Halted(Halt::Runaway { task, steps }) => Some(EndReason::Runaway { task, steps }),
            StepOutcome::Halted(Halt::Flood { task, bytes }) => Some(EndReason::Flood { task, bytes }),
            StepOutcome::Halted(Halt::WorkLimit) => Some(EndReason::StepLimit),
            StepOutcome::Halted(Halt::TimeLimit) => Some(EndReason::TimeLimit),
            StepOutcome::Halted(Halt::TraceFull) => Some(self.trace_full()),
            StepOutcome::Quiescent => Some(self.state.why_stuck()),
            StepOutcome::NeedChoice(ready) => Some(EndReason::AwaitingChoice { ready }),
            StepOutcome::BadChoice(task) => Some(EndReason::BadChoice { task, ready: self.executor.ready() }),
        }
    }

    /// Moves what the sink recorded into the run's tables, the replayed state and the
    /// analysis.
    fn absorb(&mut self) {
        let mut t = std::mem::take(&mut self.scratch);
        self.sink.swap(&mut t);
        let base = self.values.len() as u32;
        let line_base = self.lines.len() as u32;
        self.lines.append(&mut t.lines);
        self.values.append(&mut t.values);
        for mut e in t.events.drain(..) {
            // Every event the engine records names a task of the scenario; one that did
            // not would index past the tables below. Never seen; refused, not trusted.
            if e.kind.task().is_some_and(|task| task as usize >= self.task_count) {
                debug_assert!(false, "an event names task {:?}, outside the scenario: {e:?}", e.kind.task());
                continue;
            }
            // The sink numbers its tables from zero each time it is drained.
            match &mut e.kind {
                EventKind::Value { value, .. } => *value += base,
                EventKind::Print { line, .. } | EventKind::Error { message: line, .. } => *line += line_base,
                EventKind::AssertFailed { task, message, .. } => {
                    *message += line_base;
                    self.asserts.push((*task, *message));
                }
                _ => {}
            }
            self.state.apply(&e);
            self.recorder.observe(&e, &self.state);
            self.events.push(e);
        }
        self.scratch = t; // empty again, keeping its capacity for the next step
    }
}

/// A failed assertion as `main: count == 1000 (it is 990)`, from its task and message.
fn assertion_text(s: &Scenario, task: TaskId, message: &str) -> String {
    format!("{}: {}", s.task_name(task), message.strip_prefix("assertion failed: ").unwrap_or(message))
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The replayed state with each lock's holder and queue as the lock reports them.
fn live(state: &State, mutexes: &[program::Instance]) -> State {
    let mut s = state.clone();
    for (m, inst) in mutexes.iter().enumerate() {
        s.mutexes[m].holders = inst.holders();
        s.mutexes[m].queue = inst.waiters().into();
    }
    s
}

impl Run {
    /// Number of steps (polls). Valid snapshot steps are `0..=steps()`.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Virtual time (ms) after `step`.
    pub fn time_at(&self, step: u32) -> u64 {
        let i = (step as usize).min(self.step_times.len() - 1);
        self.step_times[i]
    }

    /// The last step at or before virtual time `ms`: where a playhead shared with a run of
    /// another length stands (step 0 before anything happened; the last step after the
    /// end).
    pub fn step_at_time(&self, ms: u64) -> u32 {
        self.step_times.partition_point(|&t| t <= ms).saturating_sub(1) as u32
    }

    /// Total virtual time of the run.
    pub fn duration(&self) -> u64 {
        *self.step_times.last().unwrap_or(&0)
    }

    /// The state after `step` (clamped to the run).
    pub fn snapshot_at(&self, step: u32) -> Snapshot {
        let step = step.min(self.steps());
        self.state_at(step).snapshot(step, self.time_at(step), self, self.polled_at(step))
    }

    /// Each mutex's holders and its queue (head first) at `step`: the part of
    /// [`snapshot_at`](Run::snapshot_at) a view of the locks alone needs (the compare
    /// view's columns), without building every task's view.
    pub fn locks_at(&self, step: u32) -> Vec<(Vec<TaskId>, Vec<TaskId>)> {
        self.state_at(step.min(self.steps())).lock_views()
    }

    /// The replayed state at `step` (at most [`steps`](Run::steps)): the nearest
    /// checkpoint's, with the events since.
    fn state_at(&self, step: u32) -> State {
        let cp_index = self.checkpoints.partition_point(|c| c.step <= step).saturating_sub(1);
        let cp = &self.checkpoints[cp_index];
        let mut state = cp.state.clone();
        let end = self.step_ends[step as usize];
        for e in &self.events[cp.event.min(end)..end] {
            state.apply(e);
        }
        state
    }

    /// The task polled at `step` (none at step 0).
    pub fn polled_at(&self, step: u32) -> Option<TaskId> {
        if step == 0 {
            return None;
        }
        self.choices.get(step as usize - 1).copied()
    }

    /// Every event, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events of one step.
    pub fn events_at(&self, step: u32) -> &[Event] {
        let s = (step as usize).min(self.step_ends.len() - 1);
        let start = if s == 0 { 0 } else { self.step_ends[s - 1] };
        &self.events[start..self.step_ends[s]]
    }

    /// A printed line or error message by index.
    pub fn line(&self, index: u32) -> &str {
        self.lines.get(index as usize).map_or("", String::as_str)
    }

    /// A recorded value (JSON) by index.
    pub fn value(&self, index: u32) -> &str {
        self.values.get(index as usize).map_or("null", String::as_str)
    }

    /// The label (`lock(db)`) and place (`tasks[1].steps[2]`) of a step of the program.
    pub fn label(&self, index: u32) -> Option<&Label> {
        self.labels.get(index as usize)
    }

    /// The scheduling choices made (the task polled at each step), for replay.
    pub fn choices(&self) -> &[TaskId] {
        &self.choices
    }

    /// With `Policy::Manual`, the tasks the player can pick next.
    pub fn ready_at_end(&self) -> Vec<TaskId> {
        match &self.end {
            EndReason::AwaitingChoice { ready } | EndReason::BadChoice { ready, .. } => ready.clone(),
            _ => Vec::new(),
        }
    }

    /// The transcript: printed lines (multi-line `dbg!` output split), in order.
    pub fn transcript(&self) -> Vec<Line> {
        let mut out = Vec::new();
        for e in &self.events {
            if let EventKind::Print { task, line } = e.kind {
                for text in self.line(line).split('\n') {
                    out.push(Line { step: e.step, time: e.time, task, text: text.to_string() });
                }
            }
        }
        out
    }

    /// The transcript as plain text, one line each.
    pub fn transcript_text(&self) -> String {
        self.transcript().into_iter().map(|l| l.text + "\n").collect()
    }

    /// Each task's lane on the timeline, as segments in time order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Every hand-over of a lock from one task to the next.
    pub fn handoffs(&self) -> &[Handoff] {
        &self.handoffs
    }

    /// What the run means: wait and hold times per task, fairness, throughput, and the
    /// alerts.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Why the run stopped: finished, deadlock, lost wake-up, stalled, a limit, or (with
    /// `Policy::Manual`) waiting for a choice. The same as the `end` field.
    pub fn end_reason(&self) -> &EndReason {
        &self.end
    }

    /// The assertions that failed, in the order they failed, each as its task's name and
    /// what did not hold: `main: count == 1000 (it is 990)`.
    pub fn failed_assertions(&self) -> Vec<String> {
        self.asserts.iter().map(|&(t, line)| assertion_text(&self.scenario, t, self.line(line))).collect()
    }

    /// Why the run stopped, in one sentence naming tasks and mutexes (what the page and
    /// the command line show), and the first assertion that failed, if one did: "every
    /// task finished, but an assertion failed: main: count == 1000 (it is 990)".
    pub fn end_text(&self) -> String {
        let text = self.end_reason_text();
        let failed = self.failed_assertions();
        let Some(first) = failed.first() else { return text };
        let more = match failed.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        match self.end {
            EndReason::Finished => format!("every task finished, but an assertion failed: {first}{more}"),
            _ => format!("{text}; an assertion failed before: {first}{more}"),
        }
    }

    /// [`end_text`](Run::end_text) without the assertions.
    fn end_reason_text(&self) -> String {
        let s = &self.scenario;
        let task = |t: TaskId| s.task_name(t);
        let mutex = |m: MutexId| s.mutex_name(m);
        match &self.end {
            EndReason::Finished => "every task finished".into(),
            EndReason::Deadlock { cycle } => {
                let parts: Vec<String> =
                    cycle.iter().map(|(t, m)| format!("{} waits for {}", task(*t), mutex(*m))).collect();
                format!("deadlock: {}", parts.join(", "))
            }
            EndReason::LostWakeup { tasks } => {
                let names: Vec<String> = tasks.iter().map(|t| task(*t)).collect();
                format!("lost wake-up: {} will never run again", names.join(", "))
            }
            EndReason::Stalled { task: t, mutex: m, holder } => {
                format!("stalled: {} blocked the only thread on {}, held by {}", task(*t), mutex(*m), task(*holder))
            }
            EndReason::Stuck => {
                // A join that can never return says why better than nothing.
                let end = self.snapshot_at(self.steps());
                let joins: Vec<String> = end
                    .tasks
                    .iter()
                    .enumerate()
                    .filter_map(|(t, view)| match view.status {
                        TaskStatus::Joining { target: Some(j) } => {
                            Some(format!("{} waits for {} to finish", task(t as TaskId), task(j)))
                        }
                        TaskStatus::Joining { target: None } => {
                            Some(format!("{} waits for every other task to finish", task(t as TaskId)))
                        }
                        _ => None,
                    })
                    .collect();
                if joins.is_empty() {
                    "nothing can run".into()
                } else {
                    format!("nothing can run: {}, which never happens", joins.join(", "))
                }
            }
            EndReason::StepLimit => format!(
                "stopped at the work limit: {} steps executed and polls (limits.max_steps)",
                group(u64::from(s.limits.max_steps))
            ),
            EndReason::TimeLimit => {
                format!("stopped at the time limit of {} ms (the tasks loop forever)", group(s.limits.max_time_ms))
            }
            EndReason::Runaway { task: t, steps } => format!(
                "stopped: task {} ran {} steps without yielding \
                 (a loop with no .await that waits can never let the others run)",
                task(*t),
                group(*steps)
            ),
            EndReason::Flood { task: t, bytes } => format!(
                "stopped: task {} wrote {} KiB of values and printed lines in one go, without yielding \
                 (at most {} KiB between two .awaits that wait)",
                task(*t),
                group(bytes / 1024),
                group(MAX_BYTES_WITHOUT_YIELD / 1024)
            ),
            EndReason::TraceFull { events, text_bytes, max_events, max_text_bytes } => format!(
                "stopped early: the recorded run reached its size limit ({} events, {} KiB of printed lines \
                 and values; at most {} events and {} KiB{})",
                group(*events),
                group(text_bytes / 1024),
                group(*max_events),
                group(max_text_bytes / 1024),
                if *max_events < MAX_EVENTS { ", its share of one run's room" } else { "" }
            ),
            EndReason::AwaitingChoice { .. } => "waiting for your choice".into(),
            EndReason::BadChoice { .. } => "a choice named a task that was not ready".into(),
        }
    }

    /// The outcome and the analysis as text, for after the transcript: steps, time and
    /// the end reason, the totals, a row per task (locks, wait times, how many times a task
    /// that asked for a lock after it got it first, hold times) and the alerts. What the
    /// command line prints and the transcript export ends with.
    pub fn report(&self) -> String {
        use std::fmt::Write as _;
        let a = &self.analysis;
        let mut out = String::new();
        let _ =
            writeln!(out, "\n--- {} steps, {} ms virtual, ended: {}", self.steps(), self.duration(), self.end_text());
        let _ = writeln!(
            out,
            "acquisitions {}, throughput {:.1}/s, Jain fairness {:.3}",
            a.acquisitions, a.throughput_per_s, a.jain_fairness
        );
        let _ = writeln!(
            out,
            "{:<24} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "task", "locks", "wait ms", "max wait", "overtaken", "hold ms", "max hold"
        );
        for (t, s) in self.scenario.tasks.iter().zip(&a.tasks) {
            let _ = writeln!(
                out,
                "{:<24} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
                t.name, s.acquisitions, s.wait_total, s.wait_max, s.overtaken, s.hold_total, s.hold_max
            );
        }
        for alert in &a.alerts {
            let _ = writeln!(out, "ALERT at step {} ({} ms): {}", alert.step, alert.time, alert.message);
        }
        out
    }

    /// The transcript export: the printed lines (or a line saying nothing was printed),
    /// then the [`report`](Run::report).
    pub fn transcript_export(&self) -> String {
        let lines = self.transcript_text();
        let lines = if lines.is_empty() { "(nothing was printed)\n".to_string() } else { lines };
        lines + &self.report()
    }

    /// A policy that replays this run's scheduling choices exactly (and then, if the
    /// run stopped for a choice, stops there again). Append to its `choices` to go on.
    pub fn replay_policy(&self) -> Policy {
        Policy::Manual { choices: self.choices.clone() }
    }

    /// The whole run as JSON (our schema: scenario, policy, end, events with their
    /// texts resolved, transcript, analysis).
    pub fn to_json(&self) -> String {
        // Sized up front from what the run holds (an event is about 70 bytes of JSON,
        // the texts appear twice: as lines and in the transcript), so that a big export
        // is not copied from one doubled buffer to the next, which would hold both.
        let text: usize = self.lines.iter().chain(&self.values).map(|s| s.len() + 8).sum();
        let labels: usize = self.labels.iter().map(|l| l.path.len() + l.text.len() + 40).sum();
        let mut out = Vec::with_capacity(self.events.len() * 80 + 2 * text + labels + 64 * 1024);
        serde_json::to_writer(&mut out, self).expect("a run always serializes");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

impl Serialize for Run {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Doc<'a> {
            schema: &'static str,
            scenario: &'a Scenario,
            policy: &'a Policy,
            end: &'a EndReason,
            steps: u32,
            events: &'a [Event],
            lines: &'a [String],
            values: &'a [String],
            labels: &'a [Label],
            choices: &'a [TaskId],
            transcript: Vec<Line>,
            analysis: &'a Analysis,
        }
        Doc {
            schema: "mutex-playground/trace/v1",
            scenario: &self.scenario,
            policy: &self.policy,
            end: &self.end,
            steps: self.steps(),
            events: &self.events,
            lines: &self.lines,
            values: &self.values,
            labels: &self.labels,
            choices: &self.choices,
            transcript: self.transcript(),
            analysis: &self.analysis,
        }
        .serialize(serializer)
    }
}
