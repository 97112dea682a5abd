//! What a run records, and what it means.
//!
//! [`simulate`] runs a [`Scenario`] on the [`Executor`] under a [`Policy`] and returns a
//! [`Run`]: the events, a snapshot at any step ([`Run::snapshot_at`]), the timeline
//! ([`Run::segments`], [`Run::handoffs`]), the transcript, and the [`Analysis`].
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
//! A snapshot is the state *after* a step (step 0 is before the first poll). The run keeps
//! checkpoints, taken from the live locks ([`Mutex::holder`](crate::sync::Mutex::holder)
//! and [`Mutex::waiters`](crate::sync::Mutex::waiters), so the queue shown is the
//! Mutex's own), and replays the events in between: seeking anywhere, forwards or
//! backwards, costs at most one checkpoint interval of events.

mod analysis;
mod realtime;
mod state;

pub use crate::exec::{Event, EventKind, MutexId, Policy, TaskId, WokenBy};
pub use analysis::{Alert, AlertKind, Analysis, TaskStats};
pub use state::{Lane, MutexView, Snapshot, TaskStatus, TaskView};
pub use realtime::drive_realtime;
#[cfg(target_arch = "wasm32")]
pub use realtime::run_realtime;
/// The scenario side of the facade, re-exported so `trace` alone is enough to run one.
pub use crate::scenario::{preset, presets, Preset, Scenario, ScenarioError};
pub use crate::scenario::{MAX_EVENTS, MAX_STEPS_WITHOUT_YIELD, MAX_TRACE_TEXT_BYTES};

use crate::exec::event::Tables;
use crate::exec::{Budget, Clock, Executor, Halt, Sink, StepOutcome};
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
    Deadlock { cycle: Vec<(TaskId, MutexId)> },
    /// These tasks returned `Pending` with nobody holding their waker.
    LostWakeup { tasks: Vec<TaskId> },
    /// A blocking lock stalled the only thread.
    Stalled { task: TaskId, mutex: MutexId, holder: TaskId },
    /// Nothing can run, but there is no cycle and no lost wake-up (e.g. everyone waits
    /// for a task that is itself stuck).
    Stuck,
    /// The scenario's work limit was reached (`limits.max_steps`: steps executed and
    /// polls, counted together).
    StepLimit,
    /// The scenario's virtual time limit was passed.
    TimeLimit,
    /// `task` ran `steps` steps in one poll without yielding: a loop that never awaits
    /// anything that waits. The run cannot go on without it giving up the thread.
    Runaway { task: TaskId, steps: u64 },
    /// The recorded trace reached its size limit ([`MAX_EVENTS`] events or
    /// [`MAX_TRACE_TEXT_BYTES`] bytes of printed lines and values); the run stops there.
    TraceFull { events: u64, text_bytes: u64 },
    /// `Policy::Manual` ran out of choices: pick one of `ready` to go on.
    AwaitingChoice { ready: Vec<TaskId> },
    /// `Policy::Manual` named a task that was not ready then.
    BadChoice { task: TaskId, ready: Vec<TaskId> },
}

/// A stretch of one task's lane on the timeline.
///
/// Steps are half-open: the task is in `lane` in the snapshots `start_step..end_step`
/// (the last segment of each lane ends at `steps() + 1`). Times are the virtual times of
/// those moments; a segment may be zero steps long when busy work moved the clock within
/// one poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub task: TaskId,
    pub lane: Lane,
    pub start_step: u32,
    pub end_step: u32,
    pub start_time: u64,
    pub end_time: u64,
}

/// The lock passing from one task to the next (an arrow on the timeline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Handoff {
    pub mutex: MutexId,
    pub from: TaskId,
    pub to: TaskId,
    pub step: u32,
    pub time: u64,
}

/// A line of the transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub step: u32,
    pub time: u64,
    pub task: TaskId,
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
    pub scenario: Scenario,
    pub policy: Policy,
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
/// The scenario is validated first; identical inputs give identical runs.
pub fn simulate(scenario: &Scenario, policy: &Policy) -> Result<Run, ScenarioError> {
    simulate_with(scenario, policy, false)
}

/// Like [`simulate`], and at *every* step checks that the replayed snapshot's holders and
/// queues equal what the locks themselves report (for tests; slow on big runs).
pub fn simulate_checked(scenario: &Scenario, policy: &Policy) -> Result<Run, ScenarioError> {
    simulate_with(scenario, policy, true)
}

fn simulate_with(scenario: &Scenario, policy: &Policy, check_every_step: bool) -> Result<Run, ScenarioError> {
    scenario.validate()?;
    let sink = Sink::new();
    let clock = Clock::new();
    let budget = std::rc::Rc::new(Budget::new(u64::from(scenario.limits.max_steps), MAX_STEPS_WITHOUT_YIELD));
    let mut executor = Executor::new(clock.clone(), sink.clone(), policy.clone()).with_budget(budget.clone());
    let limits = program::TraceLimits {
        max_events: MAX_EVENTS,
        max_text_bytes: MAX_TRACE_TEXT_BYTES,
        max_time_ms: scenario.limits.max_time_ms,
    };
    let prog = program::build(scenario, &clock, &sink, budget.clone(), limits);
    let program::Program { mutexes, labels, tasks } = prog;
    for (future, label) in tasks {
        executor.spawn_labelled(future, label);
    }
    let task_count = scenario.tasks.len();
    let interval = 4096.max(8 * (task_count + mutexes.len()));

    let mut events: Vec<Event> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut state = State::new(task_count, mutexes.len());
    for (i, label) in labels.iter().enumerate() {
        if label.text == "start" {
            state.tasks[label.task as usize].set_at(i as u32);
        }
    }
    let mut step_times = vec![0u64];
    let mut step_ends: Vec<usize> = Vec::new();
    let mut checkpoints = Vec::new();
    let mut recorder = analysis::Recorder::new(task_count, mutexes.len());
    let mut scratch = Tables::default();

    let absorb = |scratch: &mut Tables, state: &mut State, events: &mut Vec<Event>, lines: &mut Vec<String>, values: &mut Vec<String>, recorder: &mut analysis::Recorder| {
        let mut t = std::mem::take(scratch);
        sink.swap(&mut t);
        let base = values.len() as u32;
        let line_base = lines.len() as u32;
        lines.append(&mut t.lines);
        values.append(&mut t.values);
        for mut e in t.events.drain(..) {
            // Every event the engine records names a task of the scenario; one that did
            // not would index past the tables below. Never seen; refused, not trusted.
            if e.kind.task().is_some_and(|task| task as usize >= task_count) {
                debug_assert!(false, "an event names task {:?}, outside the scenario: {e:?}", e.kind.task());
                continue;
            }
            // The sink numbers its tables from zero each time it is drained.
            match &mut e.kind {
                EventKind::Value { value, .. } => *value += base,
                EventKind::Print { line, .. } | EventKind::Error { message: line, .. } => *line += line_base,
                _ => {}
            }
            state.apply(&e, values);
            recorder.observe(&e, state);
            events.push(e);
        }
        *scratch = t; // empty again, keeping its capacity for the next step
    };

    absorb(&mut scratch, &mut state, &mut events, &mut lines, &mut values, &mut recorder);
    step_ends.push(events.len());
    checkpoints.push(Checkpoint { step: 0, event: events.len(), state: live(&state, &mutexes) });

    let end = loop {
        if budget.work() >= budget.max_work() {
            break EndReason::StepLimit;
        }
        if sink.recorded_events() > MAX_EVENTS || sink.text_bytes() > MAX_TRACE_TEXT_BYTES {
            break EndReason::TraceFull { events: sink.recorded_events(), text_bytes: sink.text_bytes() };
        }
        let outcome = executor.step();
        absorb(&mut scratch, &mut state, &mut events, &mut lines, &mut values, &mut recorder);
        match outcome {
            StepOutcome::Polled(_) => {
                step_times.push(clock.now());
                step_ends.push(events.len());
                let step = executor.steps();
                if check_every_step {
                    let live = live(&state, &mutexes);
                    assert_eq!(
                        state.lock_views(),
                        live.lock_views(),
                        "step {step}: the replayed holders/queues differ from the locks' own report"
                    );
                }
                let since = checkpoints.last().map_or(0, |c: &Checkpoint| c.event);
                if events.len() - since >= interval {
                    let cp = live(&state, &mutexes);
                    state = cp.clone();
                    checkpoints.push(Checkpoint { step, event: events.len(), state: cp });
                }
                if clock.now() > scenario.limits.max_time_ms {
                    break EndReason::TimeLimit;
                }
            }
            StepOutcome::Finished => break EndReason::Finished,
            StepOutcome::Halted(Halt::Stalled) => {
                let (task, mutex, holder) = state.stalled.expect("a stall was recorded");
                break EndReason::Stalled { task, mutex, holder };
            }
            StepOutcome::Halted(Halt::Runaway { task, steps }) => break EndReason::Runaway { task, steps },
            StepOutcome::Halted(Halt::WorkLimit) => break EndReason::StepLimit,
            StepOutcome::Halted(Halt::TimeLimit) => break EndReason::TimeLimit,
            StepOutcome::Halted(Halt::TraceFull) => {
                break EndReason::TraceFull { events: sink.recorded_events(), text_bytes: sink.text_bytes() }
            }
            StepOutcome::Quiescent => break state.why_stuck(),
            StepOutcome::NeedChoice(ready) => break EndReason::AwaitingChoice { ready },
            StepOutcome::BadChoice(task) => break EndReason::BadChoice { task, ready: executor.ready() },
        }
    };
    // Events after the last poll (wakes seen while stopping) belong to the last step.
    *step_ends.last_mut().expect("step 0") = events.len();
    let steps = executor.steps();
    let (segments, handoffs, analysis) = recorder.finish(&state, steps, clock.now(), &end, scenario, &lines, &step_times);
    Ok(Run {
        scenario: scenario.clone(),
        policy: policy.clone(),
        end,
        events,
        lines,
        values,
        labels,
        steps,
        step_times,
        step_ends,
        choices: executor.choices().to_vec(),
        checkpoints,
        segments,
        handoffs,
        analysis,
    })
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
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
        s.mutexes[m].holder = inst.holder();
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

    /// Total virtual time of the run.
    pub fn duration(&self) -> u64 {
        *self.step_times.last().unwrap_or(&0)
    }

    /// The state after `step` (clamped to the run).
    pub fn snapshot_at(&self, step: u32) -> Snapshot {
        let step = step.min(self.steps());
        let cp_index = self.checkpoints.partition_point(|c| c.step <= step).saturating_sub(1);
        let cp = &self.checkpoints[cp_index];
        let mut state = cp.state.clone();
        let end = self.step_ends[step as usize];
        for e in &self.events[cp.event.min(end)..end] {
            state.apply(e, &self.values);
        }
        state.snapshot(step, self.time_at(step), self, self.polled_at(step))
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

    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Why the run stopped: finished, deadlock, lost wake-up, stalled, a limit, or (with
    /// `Policy::Manual`) waiting for a choice. The same as the `end` field.
    pub fn end_reason(&self) -> &EndReason {
        &self.end
    }

    /// Why the run stopped, in one sentence naming tasks and mutexes (what the page and
    /// the command line show).
    pub fn end_text(&self) -> String {
        let s = &self.scenario;
        let task = |t: TaskId| s.tasks.get(t as usize).map_or_else(|| format!("task {t}"), |t| t.name.clone());
        let mutex = |m: MutexId| s.mutexes.get(m as usize).map_or_else(|| format!("mutex {m}"), |m| m.name.clone());
        match &self.end {
            EndReason::Finished => "every task finished".into(),
            EndReason::Deadlock { cycle } => {
                let parts: Vec<String> = cycle.iter().map(|(t, m)| format!("{} waits for {}", task(*t), mutex(*m))).collect();
                format!("deadlock: {}", parts.join(", "))
            }
            EndReason::LostWakeup { tasks } => {
                let names: Vec<String> = tasks.iter().map(|t| task(*t)).collect();
                format!("lost wake-up: {} will never run again", names.join(", "))
            }
            EndReason::Stalled { task: t, mutex: m, holder } => {
                format!("stalled: {} blocked the only thread on {}, held by {}", task(*t), mutex(*m), task(*holder))
            }
            EndReason::Stuck => "nothing can run".into(),
            EndReason::StepLimit => format!(
                "stopped at the work limit: {} steps executed and polls (limits.max_steps)",
                group(u64::from(s.limits.max_steps))
            ),
            EndReason::TimeLimit => format!("stopped at the time limit of {} ms (the tasks loop forever)", group(s.limits.max_time_ms)),
            EndReason::Runaway { task: t, steps } => format!(
                "stopped: task {} ran {} steps without yielding (a loop with no .await that waits can never let the others run)",
                task(*t),
                group(*steps)
            ),
            EndReason::TraceFull { events, text_bytes } => format!(
                "stopped early: the recorded run reached its size limit ({} events, {} KiB of printed lines and values; at most {} events and {} KiB)",
                group(*events),
                group(text_bytes / 1024),
                group(MAX_EVENTS),
                group(MAX_TRACE_TEXT_BYTES / 1024)
            ),
            EndReason::AwaitingChoice { .. } => "waiting for your choice".into(),
            EndReason::BadChoice { .. } => "a choice named a task that was not ready".into(),
        }
    }

    /// A policy that replays this run's scheduling choices exactly (and then, if the
    /// run stopped for a choice, stops there again). Append to its `choices` to go on.
    pub fn replay_policy(&self) -> Policy {
        Policy::Manual { choices: self.choices.clone() }
    }

    /// The whole run as JSON (our schema: scenario, policy, end, events with their
    /// texts resolved, transcript, analysis).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a run always serializes")
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
