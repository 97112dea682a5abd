//! The event vocabulary of a run, and the sink everything writes it to.
//!
//! It lives in `exec` because the executor is its first writer (polls, wakes, timers);
//! the Mutex observers and the scenario interpreter write to the same [`Sink`].
//! [`trace`](crate::trace) re-exports it and builds snapshots and analysis on it.

use crate::sync::{LockEvent, Observer, Tag};
use serde::Serialize;
use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::sync::Arc;

/// A task's index in its scenario.
pub type TaskId = u32;
/// A mutex's index in its scenario.
pub type MutexId = u32;

/// One thing that happened, at a step (poll number) and a virtual time (ms).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub step: u32,
    pub time: u64,
    pub kind: EventKind,
}

/// Who woke a task.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "task", rename_all = "snake_case")]
pub enum WokenBy {
    /// Another task (or itself, when yielding) during its poll.
    Task(TaskId),
    /// A timer firing (the clock reached a sleep's deadline).
    Timer,
    /// Outside any poll (e.g. the start of the run).
    Executor,
}

/// What happened. Compact and `Copy`: texts and values live in the sink's tables.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Spawn { task: TaskId },
    /// The executor polls `task` (this is what one step is).
    Poll { task: TaskId },
    /// The poll returned `Pending`; the task is parked at step `at` (a label index).
    Pending { task: TaskId, at: u32 },
    /// The task's future completed.
    Done { task: TaskId },
    Woken { task: TaskId, by: WokenBy },
    LockRequested { task: TaskId, mutex: MutexId },
    Enqueued { task: TaskId, mutex: MutexId, position: u32 },
    Acquired { task: TaskId, mutex: MutexId },
    Released { task: TaskId, mutex: MutexId },
    Cancelled { task: TaskId, mutex: MutexId },
    TryFailed { task: TaskId, mutex: MutexId },
    /// The task started sleeping until virtual time `until`.
    SleepStart { task: TaskId, until: u64 },
    SleepEnd { task: TaskId },
    /// The task worked without yielding for `ms`: the whole executor was blocked.
    Busy { task: TaskId, ms: u64 },
    /// The task registered to be woken by the next write to `mutex` (a watch cell).
    Watching { task: TaskId, mutex: MutexId },
    /// The condition the task was watching for holds (it has the cell's guard).
    WatchEnd { task: TaskId, mutex: MutexId },
    /// `mutex`'s value changed; the new value is the sink's value `value`.
    Value { mutex: MutexId, value: u32 },
    /// The task printed the sink's line `line`.
    Print { task: TaskId, line: u32 },
    /// The task returned `Pending` with nobody holding its waker and no timer set: it
    /// can never run again.
    LostWakeup { task: TaskId },
    /// A blocking (std-like) lock of `mutex`, held by `holder`, blocked the only thread.
    Stalled { task: TaskId, mutex: MutexId, holder: TaskId },
    /// The task failed at run time (message `message` in the sink's lines).
    Error { task: TaskId, message: u32 },
}

impl EventKind {
    /// The task the event is about, if any.
    pub fn task(&self) -> Option<TaskId> {
        use EventKind::*;
        match *self {
            Spawn { task } | Poll { task } | Pending { task, .. } | Done { task } | Woken { task, .. } => Some(task),
            LockRequested { task, .. } | Enqueued { task, .. } | Acquired { task, .. } | Released { task, .. } => Some(task),
            Cancelled { task, .. } | TryFailed { task, .. } | SleepStart { task, .. } | SleepEnd { task } => Some(task),
            Busy { task, .. } | Watching { task, .. } | WatchEnd { task, .. } | Print { task, .. } | LostWakeup { task } => Some(task),
            Stalled { task, .. } | Error { task, .. } => Some(task),
            Value { .. } => None,
        }
    }
}

/// Where a run's events go. Shared by the executor, the interpreter and the Mutex
/// observers.
///
/// # One thread
/// A run is single-threaded, and recording is on the hot path of every poll and every
/// lock event, so the sink takes no lock: it belongs to the thread that created it, and
/// every method checks (cheaply, by the address of a thread-local) that it is called on
/// that thread, panicking otherwise. It is `Send + Sync` only so that a Mutex observer
/// (which must be) can hold it; using it from another thread is a bug it reports.
pub struct Sink {
    /// Address of the owner thread's marker (see [`thread_mark`]).
    owner: usize,
    step: Cell<u32>,
    time: Cell<u64>,
    tables: UnsafeCell<Tables>,
}

// SAFETY: every access to the `Cell`s and the `UnsafeCell` goes through `Sink::check`,
// which panics unless it runs on the thread that created the sink; no two live threads
// share a thread-local's address, so only one thread ever touches the contents. Dropping
// the sink (from any thread) needs the last `Arc`, i.e. exclusive access, and `Tables`
// is `Send`.
unsafe impl Sync for Sink {}
// SAFETY: as above.
unsafe impl Send for Sink {}

/// The address of this thread's marker: distinct for any two threads alive at once.
fn thread_mark() -> usize {
    thread_local! {
        static MARK: u8 = const { 0 };
    }
    MARK.with(|m| m as *const u8 as usize)
}

/// The sink's contents.
#[derive(Debug, Default, Clone)]
pub struct Tables {
    pub events: Vec<Event>,
    /// Printed lines and error messages, indexed by `Print::line` / `Error::message`.
    pub lines: Vec<String>,
    /// Values, rendered as JSON, indexed by `Value::value`.
    pub values: Vec<String>,
}

impl Sink {
    /// A sink owned by the current thread.
    pub fn new() -> Arc<Sink> {
        Sink::with_capacity(1024)
    }

    /// A sink owned by the current thread, with room for `events` events before it
    /// grows.
    pub fn with_capacity(events: usize) -> Arc<Sink> {
        let tables = Tables { events: Vec::with_capacity(events), ..Tables::default() };
        Arc::new(Sink { owner: thread_mark(), step: Cell::new(0), time: Cell::new(0), tables: UnsafeCell::new(tables) })
    }

    #[inline]
    fn check(&self) {
        assert!(thread_mark() == self.owner, "a run's Sink was used from another thread than the one that created it");
    }

    /// Runs `f` on the tables. `f` must not call back into the sink (none of the
    /// closures below do).
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut Tables) -> R) -> R {
        self.check();
        // SAFETY: `check` proved we are on the owner thread, and no method of the sink
        // is re-entered while `f` runs, so this is the only reference to the tables.
        f(unsafe { &mut *self.tables.get() })
    }

    /// Sets the step and virtual time stamped on the events that follow.
    pub fn set_now(&self, step: u32, time: u64) {
        self.check();
        self.step.set(step);
        self.time.set(time);
    }

    pub fn set_time(&self, time: u64) {
        self.check();
        self.time.set(time);
    }

    #[inline]
    pub fn push(&self, kind: EventKind) {
        self.with(|t| t.events.push(Event { step: self.step.get(), time: self.time.get(), kind }));
    }

    /// Stores a line of text and returns its index.
    pub fn line(&self, text: String) -> u32 {
        self.with(|t| {
            t.lines.push(text);
            (t.lines.len() - 1) as u32
        })
    }

    /// Stores a rendered value and returns its index.
    pub fn value(&self, json: String) -> u32 {
        self.with(|t| {
            t.values.push(json);
            (t.values.len() - 1) as u32
        })
    }

    pub fn event_count(&self) -> usize {
        self.with(|t| t.events.len())
    }

    /// Takes everything recorded so far.
    pub fn take(&self) -> Tables {
        self.with(std::mem::take)
    }

    /// Swaps the recorded tables with `other` (pass empty tables with capacity to
    /// drain the sink without reallocating).
    pub fn swap(&self, other: &mut Tables) {
        self.with(|t| std::mem::swap(t, other))
    }
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Sink");
        if thread_mark() == self.owner {
            self.with(|t| d.field("events", &t.events.len()).field("lines", &t.lines.len()).field("values", &t.values.len()));
        }
        d.finish_non_exhaustive()
    }
}

/// Turns one mutex's [`LockEvent`]s into [`EventKind`]s. The tag is the task id.
#[derive(Debug)]
pub struct MutexObserver {
    pub mutex: MutexId,
    pub sink: Arc<Sink>,
}

impl Observer for MutexObserver {
    fn on_event(&self, event: LockEvent) {
        let task = |tag: Tag| tag.0 as TaskId;
        let mutex = self.mutex;
        let kind = match event {
            LockEvent::Requested { tag } => EventKind::LockRequested { task: task(tag), mutex },
            LockEvent::Enqueued { tag, position } => EventKind::Enqueued { task: task(tag), mutex, position: position as u32 },
            LockEvent::Acquired { tag } => EventKind::Acquired { task: task(tag), mutex },
            LockEvent::Released { tag } => EventKind::Released { task: task(tag), mutex },
            LockEvent::Cancelled { tag } => EventKind::Cancelled { task: task(tag), mutex },
            LockEvent::TryFailed { tag } => EventKind::TryFailed { task: task(tag), mutex },
        };
        self.sink.push(kind);
    }
}
