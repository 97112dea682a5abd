//! The state of a run between two steps, rebuilt by applying events; and its snapshot.

use super::{EndReason, Run};
use crate::exec::{Event, EventKind, MutexId, TaskId};
use serde::Serialize;
use std::collections::VecDeque;

/// What a task is doing, as the task view shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TaskStatus {
    /// Woken, waiting for the executor to poll it.
    Ready,
    /// Queued for `mutex`.
    WaitingLock {
        /// The mutex whose queue it is in.
        mutex: MutexId,
    },
    /// Sleeping until virtual time `until` (guards it holds stay held).
    Sleeping {
        /// Virtual ms at which the sleep ends.
        until: u64,
    },
    /// Waiting for a write to the watch cell `mutex` (while queued for the cell's lock,
    /// it is [`WaitingLock`](TaskStatus::WaitingLock)).
    Watching {
        /// The watch cell it waits on.
        mutex: MutexId,
    },
    /// Waiting for a task to finish (a `join`: `handle.await`).
    Joining {
        /// The task it waits for; `None`: every other task.
        target: Option<TaskId>,
    },
    /// Returned `Pending` for another reason (and something holds its waker).
    Parked,
    /// Finished.
    Done,
    /// Lost its wake-up: `Pending` with nobody holding its waker; it never runs again.
    Stuck,
    /// Blocked the only thread on a blocking lock of `mutex`.
    Blocked {
        /// The blocking mutex it tried to lock.
        mutex: MutexId,
    },
}

/// The colour of a task's timeline lane: what it was doing, including what it held.
///
/// A coarser [`TaskStatus`] that also says whether the task holds a lock: see
/// [`describe`](Lane::describe) for the words and [`colour`](Lane::colour) for the fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// Ready to be polled, holding no lock.
    Ready,
    /// Queued for a lock (whatever else it holds).
    Waiting,
    /// Holding a lock, and ready or parked (not waiting, sleeping or watching).
    Holding,
    /// Sleeping, holding no lock.
    Sleeping,
    /// Sleeping while holding a lock: everyone queued for it waits out the sleep.
    HoldingSleeping,
    /// Waiting for a write to a watch cell.
    Watching,
    /// Parked for another reason (something holds its waker, as while it joins other
    /// tasks), holding no lock.
    Idle,
    /// Finished.
    Done,
    /// Lost its wake-up: it never runs again.
    Stuck,
    /// Blocked the only thread on a blocking lock.
    Blocked,
}

impl Lane {
    /// Lanes in legend order (the page's timeline and the SVG export show this legend).
    pub const LEGEND: [Lane; 9] = [
        Lane::Holding,
        Lane::HoldingSleeping,
        Lane::Waiting,
        Lane::Ready,
        Lane::Sleeping,
        Lane::Watching,
        Lane::Idle,
        Lane::Stuck,
        Lane::Blocked,
    ];

    /// The lane's fill colour, per theme: the one palette of the page's timeline and of
    /// the SVG export (Okabe–Ito hues, readable by colour-blind people).
    pub fn colour(self, dark: bool) -> &'static str {
        match (self, dark) {
            (Lane::Holding, false) => "#0072B2",
            (Lane::Holding, true) => "#3a9ad9",
            (Lane::HoldingSleeping, false) => "#56B4E9",
            (Lane::HoldingSleeping, true) => "#7cc6f0",
            (Lane::Waiting, _) => "#E69F00",
            (Lane::Ready, false) => "#b9c0ca",
            (Lane::Ready, true) => "#5d6673",
            (Lane::Sleeping, false) => "#9ccfb9",
            (Lane::Sleeping, true) => "#2e7d62",
            (Lane::Watching, _) => "#CC79A7",
            (Lane::Idle, false) => "#e3e6ea",
            (Lane::Idle, true) => "#2a2f37",
            (Lane::Done, false) => "#f0f2f4",
            (Lane::Done, true) => "#20242b",
            (Lane::Stuck, _) => "#D55E00",
            (Lane::Blocked, _) => "#a0153e",
        }
    }

    /// Human words for the lane, as a legend shows them.
    pub fn describe(self) -> &'static str {
        match self {
            Lane::Ready => "ready",
            Lane::Waiting => "waiting for a lock",
            Lane::Holding => "holding a lock",
            Lane::Sleeping => "sleeping",
            Lane::HoldingSleeping => "holding a lock while sleeping",
            Lane::Watching => "waiting for a write",
            Lane::Idle => "pending, waiting to be woken",
            Lane::Done => "done",
            Lane::Stuck => "stuck: nothing holds its waker (a lost wake-up)",
            Lane::Blocked => "blocked the thread",
        }
    }
}

/// One task in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// What it is doing.
    pub status: TaskStatus,
    /// Its lane on the timeline at this step.
    pub lane: Lane,
    /// Mutexes it holds, oldest first.
    pub holds: Vec<MutexId>,
    /// The step of its program it is on (where it last returned `Pending`), as its label
    /// like `lock(db)`; `start` before it has begun its steps.
    pub at: String,
    /// Where that step is in the scenario, like `tasks[1].steps[2]` (`tasks[1]` for
    /// `start`).
    pub at_path: String,
    /// Whether it has begun its steps: false before its first poll and during its start
    /// delay (`start_ms`).
    pub started: bool,
}

/// One mutex in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MutexView {
    /// The tasks holding it, in the order they took it: at most one, but for the readers
    /// of an rwlock and the permits of a semaphore (a task the lock was handed to holds it
    /// from the hand-over, before it runs).
    pub holders: Vec<TaskId>,
    /// The wait queue, in arrival order (head first: for every kind but `lifo`, the next
    /// to get the lock).
    pub queue: Vec<TaskId>,
    /// Tasks waiting for a write (watch cells).
    pub watchers: Vec<TaskId>,
    /// The value, as JSON.
    pub value: String,
    /// Virtual ms since when it has been held without a break; `None` while it is free.
    pub held_since: Option<u64>,
    /// Step of the latest change of its value (0 for the initial value).
    pub written_at: Option<u32>,
}

/// Everything the UI draws at one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The step it is the state after (0: before the first poll).
    pub step: u32,
    /// Virtual ms after that step.
    pub time: u64,
    /// The task polled at this step (the one that just ran); `None` at step 0.
    pub polled: Option<TaskId>,
    /// Each mutex, by [`MutexId`].
    pub mutexes: Vec<MutexView>,
    /// Each task, by [`TaskId`].
    pub tasks: Vec<TaskView>,
    /// The whole executor is blocked (task, mutex, holder).
    pub stalled: Option<(TaskId, MutexId, TaskId)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TaskState {
    done: bool,
    parked: bool,
    stuck: bool,
    blocked: Option<MutexId>,
    pub(super) waiting_on: Option<MutexId>,
    pub(super) waiting_since: u32,
    sleeping_until: Option<u64>,
    watching: Option<MutexId>,
    /// Joining: the task it waits for (`None`: every other task).
    pub(super) joining: Option<Option<TaskId>>,
    pub(super) holds: Vec<MutexId>,
    at: u32,
}

impl TaskState {
    pub(super) fn set_at(&mut self, label: u32) {
        self.at = label;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct MutexState {
    pub(super) holders: Vec<TaskId>,
    pub(super) queue: VecDeque<TaskId>,
    pub(super) watchers: Vec<TaskId>,
    value: u32,
    held_since: Option<u64>,
    written_at: Option<u32>,
}

/// The state between steps. Applying a step's events to the state after the previous
/// step gives the state after this one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct State {
    pub(super) tasks: Vec<TaskState>,
    pub(super) mutexes: Vec<MutexState>,
    pub(super) stalled: Option<(TaskId, MutexId, TaskId)>,
}

impl MutexState {
    /// The index of its value in the run's values.
    pub(super) fn value_index(&self) -> u32 {
        self.value
    }
}

impl State {
    /// Feeds what the future depends on into `h` (not the history: since when a lock
    /// is held or a task waits, or where a value was written): see
    /// `Simulation::fingerprint`.
    pub(super) fn hash_into<H: std::hash::Hasher>(&self, values: &[String], h: &mut H) {
        use std::hash::Hash;
        for t in &self.tasks {
            (t.done, t.stuck, t.blocked, t.waiting_on, t.sleeping_until, t.watching, t.joining, &t.holds, t.at).hash(h);
        }
        for m in &self.mutexes {
            (&m.holders, &m.queue, &m.watchers, values.get(m.value as usize)).hash(h);
        }
        self.stalled.hash(h);
    }

    pub(super) fn new(tasks: usize, mutexes: usize) -> State {
        State {
            tasks: vec![
                TaskState {
                    done: false,
                    parked: false,
                    stuck: false,
                    blocked: None,
                    waiting_on: None,
                    waiting_since: 0,
                    sleeping_until: None,
                    watching: None,
                    joining: None,
                    holds: Vec::new(),
                    at: 0,
                };
                tasks
            ],
            mutexes: vec![
                MutexState {
                    holders: Vec::new(),
                    queue: VecDeque::new(),
                    watchers: Vec::new(),
                    value: 0,
                    held_since: None,
                    written_at: None
                };
                mutexes
            ],
            stalled: None,
        }
    }

    pub(super) fn apply(&mut self, e: &Event) {
        use EventKind::*;
        match e.kind {
            Spawn { .. } | LockRequested { .. } | TryFailed { .. } | Print { .. } | Error { .. } | Busy { .. } => {}
            // The guards' releases and the task's end follow.
            AssertFailed { .. } => {}
            Joining { task, target } => self.tasks[task as usize].joining = Some(target),
            Joined { task } => self.tasks[task as usize].joining = None,
            // Taken and given back within the step: the lock is as free as it was.
            Uncontended { .. } => {}
            Poll { task } => {
                let t = &mut self.tasks[task as usize];
                t.parked = false;
            }
            Pending { task, at } => {
                let t = &mut self.tasks[task as usize];
                t.parked = true;
                t.at = at;
            }
            Done { task } => {
                let t = &mut self.tasks[task as usize];
                t.done = true;
                t.parked = false;
                t.sleeping_until = None;
                t.watching = None;
                t.joining = None;
            }
            Woken { task, .. } => self.tasks[task as usize].parked = false,
            Enqueued { task, mutex, .. } => {
                self.mutexes[mutex as usize].queue.push_back(task);
                let t = &mut self.tasks[task as usize];
                t.waiting_on = Some(mutex);
                t.waiting_since = e.step;
            }
            Acquired { task, mutex } => {
                let m = &mut self.mutexes[mutex as usize];
                if m.queue.front() == Some(&task) {
                    m.queue.pop_front();
                } else if let Some(p) = m.queue.iter().position(|&q| q == task) {
                    m.queue.remove(p);
                }
                m.holders.push(task);
                m.held_since.get_or_insert(e.time);
                let t = &mut self.tasks[task as usize];
                t.waiting_on = None;
                t.holds.push(mutex);
            }
            Released { task, mutex } => {
                let m = &mut self.mutexes[mutex as usize];
                if let Some(p) = m.holders.iter().position(|&h| h == task) {
                    m.holders.remove(p);
                    if m.holders.is_empty() {
                        m.held_since = None;
                    }
                }
                let t = &mut self.tasks[task as usize];
                if let Some(p) = t.holds.iter().rposition(|&h| h == mutex) {
                    t.holds.remove(p);
                }
            }
            Cancelled { task, mutex } => {
                let m = &mut self.mutexes[mutex as usize];
                if let Some(p) = m.queue.iter().position(|&q| q == task) {
                    m.queue.remove(p);
                }
                self.tasks[task as usize].waiting_on = None;
            }
            SleepStart { task, until } => self.tasks[task as usize].sleeping_until = Some(until),
            SleepEnd { task } => self.tasks[task as usize].sleeping_until = None,
            Watching { task, mutex } => {
                self.tasks[task as usize].watching = Some(mutex);
                let w = &mut self.mutexes[mutex as usize].watchers;
                if !w.contains(&task) {
                    w.push(task);
                }
            }
            WatchEnd { task, mutex } => {
                self.tasks[task as usize].watching = None;
                self.mutexes[mutex as usize].watchers.retain(|&w| w != task);
            }
            Value { mutex, value } => {
                let m = &mut self.mutexes[mutex as usize];
                m.value = value;
                m.written_at = Some(e.step);
            }
            LostWakeup { task } => self.tasks[task as usize].stuck = true,
            Stalled { task, mutex, holder } => {
                self.tasks[task as usize].blocked = Some(mutex);
                self.stalled = Some((task, mutex, holder));
            }
        }
    }

    /// Holders and queues only: what must agree with the locks' own report.
    pub(super) fn lock_views(&self) -> Vec<(Vec<TaskId>, Vec<TaskId>)> {
        self.mutexes.iter().map(|m| (m.holders.clone(), m.queue.iter().copied().collect())).collect()
    }

    /// A cycle of waits through `start`, if there is one: `start` waits for a mutex held
    /// by a task that waits for a mutex held by ... `start`. Each entry is a task and the
    /// mutex it waits for, starting from the cycle's lowest task id (so it reads the same
    /// whichever task it was found from). A lock with several holders (readers, permits)
    /// is waited on through each of them. Allocates nothing unless a holder waits too (it
    /// runs at every `Enqueued`).
    pub(super) fn wait_cycle(&self, start: TaskId) -> Option<Vec<(TaskId, MutexId)>> {
        // Depth first: each task on the path, the mutex it waits for, and which of that
        // mutex's holders to follow next.
        let mut path: Vec<(TaskId, MutexId, usize)> = vec![(start, self.tasks[start as usize].waiting_on?, 0)];
        // The tasks put on the path, once one is (the start is).
        let mut seen: Vec<bool> = Vec::new();
        while let Some(top) = path.last_mut() {
            let (_, m, next) = *top;
            let Some(&h) = self.mutexes[m as usize].holders.get(next) else {
                path.pop();
                continue;
            };
            top.2 += 1;
            if h == start {
                let mut cycle: Vec<(TaskId, MutexId)> = path.iter().map(|&(t, m, _)| (t, m)).collect();
                let min = cycle.iter().enumerate().min_by_key(|(_, (t, _))| *t).map_or(0, |(i, _)| i);
                cycle.rotate_left(min);
                return Some(cycle);
            }
            if let Some(hm) = self.tasks[h as usize].waiting_on {
                if seen.is_empty() {
                    seen = vec![false; self.tasks.len()];
                    seen[start as usize] = true;
                }
                if !std::mem::replace(&mut seen[h as usize], true) {
                    path.push((h, hm, 0));
                }
            }
        }
        None
    }

    pub(super) fn status(&self, task: TaskId) -> TaskStatus {
        let t = &self.tasks[task as usize];
        if t.done {
            TaskStatus::Done
        } else if let Some(mutex) = t.blocked {
            TaskStatus::Blocked { mutex }
        } else if t.stuck {
            TaskStatus::Stuck
        } else if !t.parked {
            TaskStatus::Ready
        } else if let Some(mutex) = t.waiting_on {
            TaskStatus::WaitingLock { mutex }
        } else if let Some(until) = t.sleeping_until {
            TaskStatus::Sleeping { until }
        } else if let Some(mutex) = t.watching {
            TaskStatus::Watching { mutex }
        } else if let Some(target) = t.joining {
            TaskStatus::Joining { target }
        } else {
            TaskStatus::Parked
        }
    }

    pub(super) fn lane(&self, task: TaskId) -> Lane {
        let holds = !self.tasks[task as usize].holds.is_empty();
        match self.status(task) {
            TaskStatus::Done => Lane::Done,
            TaskStatus::Blocked { .. } => Lane::Blocked,
            TaskStatus::Stuck => Lane::Stuck,
            TaskStatus::WaitingLock { .. } => Lane::Waiting,
            TaskStatus::Sleeping { .. } if holds => Lane::HoldingSleeping,
            TaskStatus::Sleeping { .. } => Lane::Sleeping,
            TaskStatus::Watching { .. } => Lane::Watching,
            _ if holds => Lane::Holding,
            TaskStatus::Ready => Lane::Ready,
            TaskStatus::Parked | TaskStatus::Joining { .. } => Lane::Idle,
        }
    }

    /// Why nothing can run: a cycle of waits, a lost wake-up, or neither.
    pub(super) fn why_stuck(&self) -> EndReason {
        // Wait-for graph: a task waiting for a mutex points to the mutex's holders.
        for start in 0..self.tasks.len() as TaskId {
            if let Some(cycle) = self.wait_cycle(start) {
                return EndReason::Deadlock { cycle };
            }
        }
        let lost: Vec<TaskId> = (0..self.tasks.len())
            .filter(|&t| self.tasks[t].stuck && !self.tasks[t].done)
            .map(|t| t as TaskId)
            .collect();
        if !lost.is_empty() {
            return EndReason::LostWakeup { tasks: lost };
        }
        EndReason::Stuck
    }

    pub(super) fn snapshot(&self, step: u32, time: u64, run: &Run, polled: Option<TaskId>) -> Snapshot {
        Snapshot {
            step,
            time,
            polled,
            mutexes: self
                .mutexes
                .iter()
                .map(|m| MutexView {
                    holders: m.holders.clone(),
                    queue: m.queue.iter().copied().collect(),
                    watchers: m.watchers.clone(),
                    value: run.value(m.value).to_string(),
                    held_since: m.held_since,
                    written_at: m.written_at,
                })
                .collect(),
            tasks: (0..self.tasks.len())
                .map(|t| {
                    let state = &self.tasks[t];
                    let label = run.label(state.at);
                    TaskView {
                        status: self.status(t as TaskId),
                        lane: self.lane(t as TaskId),
                        holds: state.holds.clone(),
                        at: label.map_or_else(String::new, |l| l.text.clone()),
                        at_path: label.map_or_else(String::new, |l| l.path.clone()),
                        started: state.done || label.is_some_and(|l| !l.is_start()),
                    }
                })
                .collect(),
            stalled: self.stalled,
        }
    }
}
