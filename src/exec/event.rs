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
    /// The step it belongs to: the number of the poll it happened in, or of the poll
    /// about to be made (the wakes and timers [`Executor::step`](super::Executor::step)
    /// collects before it polls). Polls count from 1; step 0 is the setup before the
    /// first poll (spawns, initial values).
    pub step: u32,
    /// Virtual time in milliseconds when it was recorded (busy work can move the time
    /// within one step).
    pub time: u64,
    /// What happened.
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
///
/// In every variant, `task` is a task's index in its scenario ([`TaskId`]) and `mutex`
/// a mutex's index ([`MutexId`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// `task` was added to the executor; it is ready at once (recorded at step 0 for a
    /// scenario's tasks).
    Spawn {
        /// The new task.
        task: TaskId,
    },
    /// The executor polls `task` (this is what one step is).
    Poll {
        /// The task polled.
        task: TaskId,
    },
    /// The poll returned `Pending`; the task is parked at a step of its program.
    Pending {
        /// The task that returned `Pending`.
        task: TaskId,
        /// The label index of the step it is parked at (see
        /// [`Run::label`](crate::trace::Run::label)): its `start` label before its first
        /// step.
        at: u32,
    },
    /// The task's future completed.
    Done {
        /// The task that finished.
        task: TaskId,
    },
    /// `task` was woken, and joins the back of the ready queue unless it is already on it.
    /// Recorded when the executor collects the wake, before it picks the next task to
    /// poll, rather than at the moment of the wake. Wakes of finished tasks are dropped.
    Woken {
        /// The task woken.
        task: TaskId,
        /// What woke it.
        by: WokenBy,
    },
    /// `task` asked for `mutex`. Every acquisition or attempt not folded into
    /// [`Uncontended`](EventKind::Uncontended) starts with one; `Acquired`, `Enqueued`,
    /// `TryFailed` or (a blocking mutex) `Stalled` follows.
    LockRequested {
        /// The task asking.
        task: TaskId,
        /// The mutex it asked for.
        mutex: MutexId,
    },
    /// `task` could not take `mutex` and joined its wait queue.
    Enqueued {
        /// The task now waiting.
        task: TaskId,
        /// The mutex it waits for.
        mutex: MutexId,
        /// Its place in the queue when it joined, 0 being the head: the number of tasks
        /// that were already waiting.
        position: u32,
    },
    /// `task` holds `mutex` from now on: it took it free, or it was handed over by the
    /// previous holder (then recorded in the step of that release, before `task` runs).
    Acquired {
        /// The new holder.
        task: TaskId,
        /// The mutex it holds.
        mutex: MutexId,
    },
    /// `task` let go of `mutex` (its guard was dropped). If others wait, an `Acquired`
    /// for the head of the queue follows at once.
    Released {
        /// The task that held it.
        task: TaskId,
        /// The mutex released.
        mutex: MutexId,
    },
    /// `task` requested, took and released the free `mutex` `times` times in a row, with
    /// nothing else recorded in between: one event for what would otherwise be
    /// `times` × (`LockRequested`, `Acquired`, `Released`), all at this step and time.
    /// Nobody waited and nobody was queued; each cycle is an acquisition with zero wait
    /// and zero hold. (A lock held across anything that records an event, a write, a
    /// print, a poll boundary, is written out in full.)
    Uncontended {
        /// The task that locked and unlocked.
        task: TaskId,
        /// The mutex, free before and after.
        mutex: MutexId,
        /// How many cycles, at least 1.
        times: u32,
    },
    /// `task` gave up waiting for `mutex`: its lock future was dropped while queued (as a
    /// `broken_wait` does on every poll that finds the lock busy). It left the queue.
    Cancelled {
        /// The task that left the queue.
        task: TaskId,
        /// The mutex it no longer waits for.
        mutex: MutexId,
    },
    /// A `try_lock` of `mutex` by `task` was refused: it was held, or others were queued.
    TryFailed {
        /// The task that tried.
        task: TaskId,
        /// The mutex it could not take.
        mutex: MutexId,
    },
    /// The task started sleeping.
    SleepStart {
        /// The task going to sleep.
        task: TaskId,
        /// The virtual time, in ms, at which the sleep ends.
        until: u64,
    },
    /// The task's sleep is over and the task goes on (recorded when it next runs).
    SleepEnd {
        /// The task that slept.
        task: TaskId,
    },
    /// The task worked without yielding for `ms`: the whole executor was blocked.
    Busy {
        /// The task that worked.
        task: TaskId,
        /// How long, in virtual ms; the clock moved forward by as much.
        ms: u64,
    },
    /// The task began a `wait_until` on the watch cell `mutex`: from now it waits (for
    /// the cell's lock, then for writes) until its condition holds.
    Watching {
        /// The waiting task.
        task: TaskId,
        /// The watch cell it waits on.
        mutex: MutexId,
    },
    /// The condition the task was watching for holds (it has the cell's guard).
    WatchEnd {
        /// The task that waited.
        task: TaskId,
        /// The watch cell.
        mutex: MutexId,
    },
    /// `mutex`'s value changed (or, at step 0, its initial value).
    Value {
        /// The mutex whose value it is.
        mutex: MutexId,
        /// The new value: an index into the sink's (and the run's) values, which hold it
        /// rendered as JSON.
        value: u32,
    },
    /// The task printed a line (a `print` or `dbg` step).
    Print {
        /// The task that printed.
        task: TaskId,
        /// The text: an index into the sink's (and the run's) lines. It may hold line
        /// breaks (a `dbg!` of a list, or a printed text with `\n`).
        line: u32,
    },
    /// The task returned `Pending` with nobody holding its waker and no timer set: it
    /// can never run again.
    LostWakeup {
        /// The task that lost its wake-up.
        task: TaskId,
    },
    /// A blocking (std-like) lock of `mutex`, held by `holder`, blocked the only thread.
    Stalled {
        /// The task that tried to lock.
        task: TaskId,
        /// The blocking mutex.
        mutex: MutexId,
        /// The task holding it, which can now never run to release it.
        holder: TaskId,
    },
    /// The task failed at run time (a write that does not fit the value, such as
    /// incrementing a list, or the use of a guard its failed `try_lock` never got); the
    /// step did nothing, and the run goes on.
    Error {
        /// The task whose step failed.
        task: TaskId,
        /// The message: an index into the sink's (and the run's) lines.
        message: u32,
    },
    /// The task's assertion failed (an `assert` step whose condition does not hold): like
    /// a panic, the task ends here. Its guards are dropped next (newest first), then its
    /// `Done`.
    AssertFailed {
        /// The task whose assertion failed.
        task: TaskId,
        /// The mutex whose value it checked.
        mutex: MutexId,
        /// The message, like `assertion failed: count == 1000 (it is 990)`: an index into
        /// the sink's (and the run's) lines.
        message: u32,
    },
    /// The task began to wait for others to finish (a `join` of tasks not finished yet:
    /// `handle.await`). Not recorded for a join that returns at once.
    Joining {
        /// The waiting task (the main task).
        task: TaskId,
        /// The task it waits for; `None`: every other task.
        target: Option<TaskId>,
    },
    /// The tasks `task` was joining have finished; it goes on (recorded when it next runs).
    Joined {
        /// The task that waited.
        task: TaskId,
    },
}

impl EventKind {
    /// The mutex (or watch cell) the event is about, if any.
    pub fn mutex(&self) -> Option<MutexId> {
        use EventKind::*;
        match *self {
            LockRequested { mutex, .. } | Enqueued { mutex, .. } | Acquired { mutex, .. } | Released { mutex, .. } => {
                Some(mutex)
            }
            Uncontended { mutex, .. } | Cancelled { mutex, .. } | TryFailed { mutex, .. } | Value { mutex, .. } => {
                Some(mutex)
            }
            Watching { mutex, .. } | WatchEnd { mutex, .. } | Stalled { mutex, .. } => Some(mutex),
            AssertFailed { mutex, .. } => Some(mutex),
            Spawn { .. } | Poll { .. } | Pending { .. } | Done { .. } | Woken { .. } | SleepStart { .. } => None,
            SleepEnd { .. } | Busy { .. } | Print { .. } | LostWakeup { .. } | Error { .. } => None,
            Joining { .. } | Joined { .. } => None,
        }
    }

    /// The task the event is about, if any.
    pub fn task(&self) -> Option<TaskId> {
        use EventKind::*;
        match *self {
            Spawn { task } | Poll { task } | Pending { task, .. } | Done { task } | Woken { task, .. } => Some(task),
            LockRequested { task, .. } | Enqueued { task, .. } | Acquired { task, .. } | Released { task, .. } => {
                Some(task)
            }
            Uncontended { task, .. } => Some(task),
            Cancelled { task, .. } | TryFailed { task, .. } | SleepStart { task, .. } | SleepEnd { task } => Some(task),
            Busy { task, .. }
            | Watching { task, .. }
            | WatchEnd { task, .. }
            | Print { task, .. }
            | LostWakeup { task } => Some(task),
            Stalled { task, .. } | Error { task, .. } | AssertFailed { task, .. } => Some(task),
            Joining { task, .. } | Joined { task } => Some(task),
            Value { .. } => None,
        }
    }
}

/// Where a run's events go. Shared by the executor, the interpreter and the Mutex
/// observers.
///
/// # One thread
///
/// A run is single-threaded, and recording is on the hot path of every poll and every
/// lock event, so the sink takes no lock: it belongs to the thread that created it, and
/// every method checks (cheaply, by the address of a thread-local) that it is called on
/// that thread, panicking otherwise. It is `Send + Sync` only so that a Mutex observer
/// (which must be) can hold it; using it from another thread is a bug it reports.
///
/// # Uncontended cycles
///
/// Lock events come through [`lock_event`](Sink::lock_event), which holds back an
/// immediate acquisition ([`LockEvent::Taken`]) for as long as nothing else is recorded.
/// If the same task then releases the same mutex, that cycle joins a held-back run of
/// such cycles, and the run is written as one [`EventKind::Uncontended`] when anything
/// else happens: another event, a new step or time, or a read of the events. So the
/// hot path of a traced uncontended lock touches two words of the sink and no event,
/// and the order of events is always what happened.
pub struct Sink {
    /// Address of the owner thread's marker (see [`thread_mark`]).
    owner: usize,
    step: Cell<u32>,
    time: Cell<u64>,
    /// Whose cycles are held back: `task | mutex << 32` (see "Uncontended cycles").
    held_key: Cell<u64>,
    /// What is held back: a [`Held`] state in the low bits, and in the high 32 bits
    /// the number of whole cycles in the run.
    held: Cell<u64>,
    /// Events already drained by `take`/`swap` (for [`Sink::recorded_events`]).
    drained: Cell<u64>,
    /// Bytes of lines and values stored since the sink was made.
    text_bytes: Cell<u64>,
    tables: UnsafeCell<Tables>,
}

/// What [`Sink::lock_event`] has not written yet, in the low bits of `Sink::held`.
struct Held;

impl Held {
    /// Nothing (the run count is 0 too).
    const NOTHING: u64 = 0;
    /// A run of `count` cycles, and then a `Taken` not yet released.
    const TAKEN: u64 = 1;
    /// A run of `count` cycles, the last one released.
    const RUN: u64 = 2;
    const STATE: u64 = 0b11;
    /// One cycle more in the count.
    const ONE: u64 = 1 << 32;
    /// A run this long is written out before it would overflow.
    const MAX_RUN: u64 = (u32::MAX as u64) << 32;

    fn key(task: TaskId, mutex: MutexId) -> u64 {
        u64::from(task) | u64::from(mutex) << 32
    }
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
#[inline]
fn thread_mark() -> usize {
    thread_local! {
        static MARK: u8 = const { 0 };
    }
    MARK.with(|m| m as *const u8 as usize)
}

/// The sink's contents.
///
/// The indices in the events (`Value::value`, `Print::line`, `Error::message`) count from
/// 0 in the tables they were taken with: each [`Sink::take`] or [`Sink::swap`] starts new
/// tables, numbered from 0 again.
#[derive(Debug, Default, Clone)]
pub struct Tables {
    /// The events, in the order they happened.
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
        Arc::new(Sink {
            owner: thread_mark(),
            step: Cell::new(0),
            time: Cell::new(0),
            held_key: Cell::new(0),
            held: Cell::new(Held::NOTHING),
            drained: Cell::new(0),
            text_bytes: Cell::new(0),
            tables: UnsafeCell::new(tables),
        })
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
        self.write_held_back();
        self.step.set(step);
        self.time.set(time);
    }

    /// The virtual time stamped on the events now (what an eventually fair lock measures
    /// its waiters' waits with: see [`TimeSource`](crate::sync::TimeSource)).
    pub fn now(&self) -> u64 {
        self.check();
        self.time.get()
    }

    /// Sets the virtual time stamped on the events that follow; the step stays.
    pub fn set_time(&self, time: u64) {
        self.write_held_back();
        self.time.set(time);
    }

    /// Records `kind` now.
    #[inline]
    pub fn push(&self, kind: EventKind) {
        self.write_held_back();
        self.push_now(kind);
    }

    /// Appends an event, without looking at what is held back.
    #[inline]
    fn push_now(&self, kind: EventKind) {
        self.with(|t| t.events.push(Event { step: self.step.get(), time: self.time.get(), kind }));
    }

    /// Records a lock event of `mutex` (the tag is the task id), folding uncontended
    /// cycles into [`EventKind::Uncontended`] (see "Uncontended cycles" above).
    #[inline]
    pub fn lock_event(&self, mutex: MutexId, event: LockEvent) {
        self.check();
        let held = self.held.get();
        match event {
            LockEvent::Taken { tag }
                if held & Held::STATE == Held::RUN && self.held_key.get() == Held::key(tag.0 as TaskId, mutex) =>
            {
                // The next cycle of the same run.
                self.held.set(held - Held::RUN + Held::TAKEN);
            }
            LockEvent::Taken { tag } if held == Held::NOTHING => {
                self.held_key.set(Held::key(tag.0 as TaskId, mutex));
                self.held.set(Held::TAKEN);
            }
            LockEvent::Released { tag }
                if held & Held::STATE == Held::TAKEN
                    && held < Held::MAX_RUN
                    && self.held_key.get() == Held::key(tag.0 as TaskId, mutex) =>
            {
                self.held.set(held + Held::ONE - Held::TAKEN + Held::RUN);
            }
            other => self.lock_event_slow(mutex, other),
        }
    }

    /// A lock event that does not continue what is held back: that is written out
    /// first, then the event (a `Taken` is held back in turn).
    #[inline(never)]
    fn lock_event_slow(&self, mutex: MutexId, event: LockEvent) {
        let task = |tag: Tag| tag.0 as TaskId;
        self.write_held_back();
        match event {
            LockEvent::Taken { tag } => {
                self.held_key.set(Held::key(task(tag), mutex));
                self.held.set(Held::TAKEN);
            }
            LockEvent::Requested { tag } => self.push_now(EventKind::LockRequested { task: task(tag), mutex }),
            LockEvent::Enqueued { tag, position } => {
                self.push_now(EventKind::Enqueued { task: task(tag), mutex, position: position as u32 })
            }
            LockEvent::Acquired { tag } => self.push_now(EventKind::Acquired { task: task(tag), mutex }),
            LockEvent::Released { tag } => self.push_now(EventKind::Released { task: task(tag), mutex }),
            LockEvent::Cancelled { tag } => self.push_now(EventKind::Cancelled { task: task(tag), mutex }),
            LockEvent::TryFailed { tag } => self.push_now(EventKind::TryFailed { task: task(tag), mutex }),
        }
    }

    /// Writes out what is held back, if anything, as it happened.
    #[inline]
    fn write_held_back(&self) {
        self.check();
        if self.held.get() != Held::NOTHING {
            self.flush_held_back();
        }
    }

    /// The held-back run as one `Uncontended`, then a held-back `Taken` as the
    /// `LockRequested` and `Acquired` it stands for.
    #[cold]
    #[inline(never)]
    fn flush_held_back(&self) {
        let held = self.held.replace(Held::NOTHING);
        let key = self.held_key.get();
        let (task, mutex) = (key as TaskId, (key >> 32) as MutexId);
        let times = (held >> 32) as u32;
        if times > 0 {
            self.push_now(EventKind::Uncontended { task, mutex, times });
        }
        if held & Held::STATE == Held::TAKEN {
            self.push_now(EventKind::LockRequested { task, mutex });
            self.push_now(EventKind::Acquired { task, mutex });
        }
    }

    /// Events recorded since the sink was made, drained or not (a held-back lock
    /// cycle not counted): what a run's trace-size limit is checked against.
    #[inline]
    pub fn recorded_events(&self) -> u64 {
        let pending = self.with(|t| t.events.len() as u64); // checks the thread first
        self.drained.get() + pending
    }

    /// Bytes of lines and values stored since the sink was made.
    #[inline]
    pub fn text_bytes(&self) -> u64 {
        self.check();
        self.text_bytes.get()
    }

    /// Stores a line of text and returns its index.
    pub fn line(&self, text: String) -> u32 {
        self.check();
        self.text_bytes.set(self.text_bytes.get() + text.len() as u64);
        self.with(|t| {
            t.lines.push(text);
            (t.lines.len() - 1) as u32
        })
    }

    /// Stores a rendered value and returns its index.
    pub fn value(&self, json: String) -> u32 {
        self.check();
        self.text_bytes.set(self.text_bytes.get() + json.len() as u64);
        self.with(|t| {
            t.values.push(json);
            (t.values.len() - 1) as u32
        })
    }

    /// Events recorded so far (held-back lock events written out first).
    pub fn event_count(&self) -> usize {
        self.write_held_back();
        self.with(|t| t.events.len())
    }

    /// Takes everything recorded so far.
    pub fn take(&self) -> Tables {
        self.write_held_back();
        let tables = self.with(std::mem::take);
        self.drained.set(self.drained.get() + tables.events.len() as u64);
        tables
    }

    /// Swaps the recorded tables with `other` (pass empty tables with capacity to
    /// drain the sink without reallocating).
    pub fn swap(&self, other: &mut Tables) {
        self.write_held_back();
        self.with(|t| std::mem::swap(t, other));
        self.drained.set(self.drained.get() + other.events.len() as u64);
    }
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Sink");
        if thread_mark() == self.owner {
            self.with(|t| {
                d.field("events", &t.events.len()).field("lines", &t.lines.len()).field("values", &t.values.len())
            });
        }
        d.finish_non_exhaustive()
    }
}

/// The run's virtual time, for an eventually fair lock.
impl crate::sync::TimeSource for Sink {
    fn now_ms(&self) -> u64 {
        self.now()
    }
}

/// Turns one mutex's [`LockEvent`]s into [`EventKind`]s. The tag is the task id.
#[derive(Debug)]
pub struct MutexObserver {
    /// The mutex's index in the scenario, stamped on each event.
    pub mutex: MutexId,
    /// Where the events go. It belongs to one thread, so the mutex may only be used on
    /// that thread (the sink panics otherwise).
    pub sink: Arc<Sink>,
}

impl Observer for MutexObserver {
    #[inline]
    fn on_event(&self, event: LockEvent) {
        self.sink.lock_event(self.mutex, event);
    }
}
