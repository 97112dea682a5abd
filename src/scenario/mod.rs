//! Scenarios: the mutexes and tasks a user configures, as data (serde, JSON).
//!
//! A scenario names its mutexes and gives each task a list of steps. Each task runs its
//! steps `repeat` times (or forever, bounded by the limits); as in Rust, the guards a task
//! still holds at the end of a repetition are dropped there, newest first.
//!
//! # Examples
//!
//! ```
//! use mutex_playground::scenario::Scenario;
//!
//! let json = r#"{
//!   "name": "two incrementers",
//!   "mutexes": [ { "name": "count", "initial": 0 } ],
//!   "tasks": [
//!     { "name": "a", "repeat": 3, "steps": [
//!         { "op": "lock", "mutex": "count" },
//!         { "op": "write", "mutex": "count", "action": { "kind": "increment" } },
//!         { "op": "sleep", "ms": 10 },
//!         { "op": "unlock", "mutex": "count" } ] },
//!     { "name": "b", "start_ms": 5, "steps": [
//!         { "op": "locked_write", "mutex": "count", "action": { "kind": "increment", "by": 10 } },
//!         { "op": "print", "text": "b done" } ] }
//!   ]
//! }"#;
//! let scenario = Scenario::from_json(json).unwrap();
//! assert_eq!(scenario.tasks.len(), 2);
//!
//! let typo = json.replace(r#""unlock", "mutex": "count""#, r#""unlock", "mutex": "dbb""#);
//! let err = Scenario::from_json(&typo).unwrap_err();
//! assert_eq!(err.to_string(), r#"tasks[0].steps[3]: unknown mutex "dbb""#);
//! ```
//!
//! # Steps
//!
//! | `op` | fields | what it does |
//! |---|---|---|
//! | `lock` | `mutex` | `mutex.lock().await`; the guard is held until `unlock` or the end of the repetition |
//! | `read_lock` | `mutex` (`rwlock`) | `rwlock.read().await`: a shared guard, until `unlock` |
//! | `unlock` | `mutex` | drops the guard |
//! | `try_lock` | `mutex` | takes the lock only if it is free and nobody is queued |
//! | `lock_timeout` | `mutex`, `ms` | `timeout(ms, lock())`: leaves the queue after `ms`; goes on, guard or not |
//! | `select` | `mutex`, `ms`, `locked`?, `timed_out`? | `select!` of `sleep(ms)`, polled first, and `lock()` |
//! | `locked_write` | `mutex`, `action` | `*mutex.lock().await = ...` with a temporary guard |
//! | `write` | `mutex`, `action` | writes through a held guard (see below) |
//! | `read` | `mutex`, `key`? | copies the value (or a map entry, `None` if missing) into the task's register |
//! | `dbg` | `name`? | prints `name = {register:#?}`, like `dbg!` |
//! | `print` | `text` | prints a line |
//! | `sleep` | `ms` | `sleep(ms).await`: yields; guards stay held across it |
//! | `busy` | `ms` | works for `ms` without yielding: the whole executor is blocked |
//! | `yield` | | lets the other ready tasks run |
//! | `repeat` | `times`, `steps` | a nested loop |
//! | `wait_until` | `mutex` (`watch`), `until`, `take`? | seed 004's fix: sleeps until a write makes `until` hold |
//! | `broken_wait` | `mutex`, `until`, `take`? | seed 004's bug: try-locks in `poll_fn`, arranging no wake-up |
//! | `join` | `task`? | main only: `handle.await` of task `task`, or of every other task without it |
//! | `assert` | `mutex`, `until` | `assert!` on the value (held guard, or a temporary one); failing ends the task |
//!
//! The `action` of a `write` or `locked_write` ([`WriteAction`]), by its `kind`:
//!
//! | `kind` | fields | what it does |
//! |---|---|---|
//! | `set` | `value` | replaces the value |
//! | `increment` | `by`? (default 1) | adds `by` to a number (`null` counts as 0) |
//! | `set_now` | | sets the value to the virtual time in ms |
//! | `insert_now` | `key` | in a map, sets `key` to the virtual time in ms |
//! | `insert` | `key`, `value` | in a map, sets `key` to `value` (`null` becomes a map) |
//! | `push` | `value` | appends `value` to a list (`null` becomes a list) |
//! | `read_plus` | `by`? (default 1) | sets the value to the number the task last read, plus `by` |
//!
//! A write of the wrong kind of value (incrementing a list, say) changes nothing and is
//! reported as a run-time error ([`EventKind::Error`](crate::exec::EventKind::Error)).
//!
//! # The main task
//!
//! A task marked `"main": true` is the program's `async fn main`: it must be `tasks[0]`
//! (tokio polls `main` first, as the executor polls `tasks[0]` first), start at once and
//! run once. It is the only task that may `join`, since the handles of the spawned tasks
//! live there. A typical one joins the workers and asserts on what they did:
//!
//! ```
//! use mutex_playground::exec::Policy;
//! use mutex_playground::scenario::Scenario;
//! use mutex_playground::trace::{simulate, EndReason};
//!
//! let s = Scenario::from_json(r#"{
//!   "name": "main joins",
//!   "mutexes": [ { "name": "count", "initial": 0 } ],
//!   "tasks": [
//!     { "name": "main", "main": true, "steps": [
//!         { "op": "join" },
//!         { "op": "assert", "mutex": "count", "until": { "kind": "equals", "value": 2 } } ] },
//!     { "name": "a", "steps": [ { "op": "locked_write", "mutex": "count", "action": { "kind": "increment" } } ] },
//!     { "name": "b", "steps": [ { "op": "locked_write", "mutex": "count", "action": { "kind": "increment" } } ] }
//!   ]
//! }"#).unwrap();
//! let run = simulate(&s, &Policy::Fifo).unwrap();
//! assert_eq!(run.end, EndReason::Finished);
//! assert!(run.analysis().alerts.is_empty()); // the assertion held
//! ```
//!
//! Mutex kinds ([`MutexKind`]): `async` (our FIFO [`Mutex`](crate::sync::Mutex), the
//! default), `watch` (a [`WakeOnWrite`](crate::sync::WakeOnWrite) cell), `blocking` (a
//! std-like mutex: locking it while it is held blocks the only thread, so the executor
//! stalls), the other policies `barging`, `lifo` and `eventually_fair` (with
//! `fair_after_ms`), `rwlock` (shared `read_lock`s; `lock` is its write lock) and
//! `semaphore` (with `permits`; it guards no value).

pub mod code;
pub(crate) mod json;
mod presets;
pub mod program;
mod read;
mod validate;
pub(crate) use validate::canonical_size;

pub use presets::{hammer, preset, presets, two_locks, Preset};
pub use validate::{
    ScenarioError, MAX_BYTES_WITHOUT_YIELD, MAX_EVENTS, MAX_JSON_BYTES, MAX_MS, MAX_NESTING, MAX_PROBLEMS,
    MAX_STEPS_TOTAL, MAX_STEPS_WITHOUT_YIELD, MAX_TASKS, MAX_TEXT, MAX_TRACE_TEXT_BYTES,
};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a user configures: mutexes, and tasks made of steps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// The title the page shows: 1 to [`MAX_TEXT`] characters, no control characters.
    pub name: String,
    /// What the scenario shows, for the page; may be empty (it is then left out of the
    /// JSON).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The mutexes and cells the tasks share, named in the steps; a mutex's index here is
    /// its [`MutexId`](crate::exec::MutexId) in a run. At most 1,000, names unique.
    pub mutexes: Vec<MutexSpec>,
    /// The tasks, from 1 to [`MAX_TASKS`]; a task's index here is its
    /// [`TaskId`](crate::exec::TaskId) in a run.
    pub tasks: Vec<TaskSpec>,
    /// Where a run stops if the tasks do not finish first.
    pub limits: Limits,
}

/// One mutex (or cell) the tasks share.
///
/// In JSON its kind's parameters sit beside `kind`: `{"name": "pool", "kind": "semaphore",
/// "permits": 3}`, `{"name": "db", "kind": "eventually_fair", "fair_after_ms": 20}`.
#[derive(Clone, Debug, PartialEq)]
pub struct MutexSpec {
    /// How the steps refer to it: unique in the scenario, 1 to [`MAX_TEXT`] characters,
    /// no control characters.
    pub name: String,
    /// What kind of lock it is (default: `async`).
    pub kind: MutexKind,
    /// The value it holds when the run starts, any JSON up to 64 KiB (default `null`;
    /// a semaphore guards no value, so its must be `null`).
    pub initial: Value,
}

impl Serialize for MutexSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut o = s.serialize_struct("MutexSpec", 4)?;
        o.serialize_field("name", &self.name)?;
        o.serialize_field("kind", self.kind.name())?;
        match self.kind {
            MutexKind::Semaphore { permits } => o.serialize_field("permits", &permits)?,
            MutexKind::EventuallyFair { after_ms } => o.serialize_field("fair_after_ms", &after_ms)?,
            _ => {}
        }
        o.serialize_field("initial", &self.initial)?;
        o.end()
    }
}

/// What kind of lock protects a value, and how it serves its waiters.
///
/// The five mutexes (`async`, `barging`, `lifo`, `eventually_fair`, `blocking`) differ only
/// in who gets the lock when it comes free; the page can run one scenario under each of
/// them side by side. An `rwlock` adds shared [`ReadLock`](Step::ReadLock)s; a `semaphore`
/// lets `permits` tasks in at once and guards no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MutexKind {
    /// Our FIFO async [`Mutex`](crate::sync::Mutex): a release hands the lock to the
    /// longest waiter; nobody is ever overtaken.
    #[default]
    Async,
    /// A [`WakeOnWrite`](crate::sync::WakeOnWrite) cell: an async mutex whose writes
    /// wake the tasks waiting on it.
    Watch,
    /// A std-like blocking mutex: contended, it blocks the whole (only) thread.
    Blocking,
    /// [`Policy::Barging`](crate::sync::Policy::Barging), as `futures::lock::Mutex` and
    /// `async_lock::Mutex` behave: a release frees the lock and wakes the head waiter,
    /// but whoever asks first takes it.
    Barging,
    /// [`Policy::Lifo`](crate::sync::Policy::Lifo): a release hands the lock to the
    /// newest waiter.
    Lifo,
    /// [`Policy::EventuallyFair`](crate::sync::Policy::EventuallyFair): barging, until the
    /// head waiter has waited `after_ms` (virtual); a release then hands it the lock.
    EventuallyFair {
        /// How long the head waiter may be passed over, in virtual ms (at most
        /// [`MAX_MS`]; `fair_after_ms` in JSON, default [`DEFAULT_FAIR_AFTER_MS`]).
        after_ms: u64,
    },
    /// Our FIFO [`RwLock`](crate::sync::RwLock): [`ReadLock`](Step::ReadLock)s share it,
    /// a [`Lock`](Step::Lock) is its write lock, and a queued writer holds back every
    /// later reader (as tokio's does).
    RwLock,
    /// Our FIFO [`Semaphore`](crate::sync::Semaphore): [`Lock`](Step::Lock) takes one of
    /// its permits, [`Unlock`](Step::Unlock) gives it back. It guards no value.
    Semaphore {
        /// How many tasks may hold it at once: 1 to [`MAX_PERMITS`] (`permits` in JSON,
        /// default 1).
        permits: u32,
    },
}

/// The default `fair_after_ms` of an `eventually_fair` mutex, in virtual ms.
pub const DEFAULT_FAIR_AFTER_MS: u64 = 10;
/// The most permits a `semaphore` may have.
pub const MAX_PERMITS: u32 = 1000;

impl MutexKind {
    /// Every kind's name, as `kind` names it in JSON.
    pub const NAMES: [&'static str; 8] =
        ["async", "watch", "blocking", "barging", "lifo", "eventually_fair", "rwlock", "semaphore"];

    /// Its name in JSON.
    pub fn name(self) -> &'static str {
        Self::NAMES[match self {
            MutexKind::Async => 0,
            MutexKind::Watch => 1,
            MutexKind::Blocking => 2,
            MutexKind::Barging => 3,
            MutexKind::Lifo => 4,
            MutexKind::EventuallyFair { .. } => 5,
            MutexKind::RwLock => 6,
            MutexKind::Semaphore { .. } => 7,
        }]
    }

    /// The method whose future takes its (exclusive) lock, in the Rust the playground
    /// writes and reads: an rwlock's `write`, a semaphore's `acquire`, else `lock`.
    pub fn lock_method(self) -> &'static str {
        match self {
            MutexKind::RwLock => "write",
            MutexKind::Semaphore { .. } => "acquire",
            _ => "lock",
        }
    }

    /// The method that tries [`lock_method`](Self::lock_method)'s lock without waiting.
    pub fn try_lock_method(self) -> &'static str {
        match self {
            MutexKind::RwLock => "try_write",
            MutexKind::Semaphore { .. } => "try_acquire",
            _ => "try_lock",
        }
    }

    /// The kind named `name`, with its parameters at their defaults.
    ///
    /// ```
    /// use mutex_playground::scenario::MutexKind;
    /// assert_eq!(MutexKind::named("semaphore"), Some(MutexKind::Semaphore { permits: 1 }));
    /// assert_eq!(MutexKind::named("fifo"), None);
    /// ```
    pub fn named(name: &str) -> Option<MutexKind> {
        Some(match name {
            "async" => MutexKind::Async,
            "watch" => MutexKind::Watch,
            "blocking" => MutexKind::Blocking,
            "barging" => MutexKind::Barging,
            "lifo" => MutexKind::Lifo,
            "eventually_fair" => MutexKind::EventuallyFair { after_ms: DEFAULT_FAIR_AFTER_MS },
            "rwlock" => MutexKind::RwLock,
            "semaphore" => MutexKind::Semaphore { permits: 1 },
            _ => return None,
        })
    }

    /// Whether it is one of the mutexes whose policies the compare view sets side by side.
    pub fn is_policy_mutex(self) -> bool {
        matches!(self, MutexKind::Async | MutexKind::Barging | MutexKind::Lifo | MutexKind::EventuallyFair { .. })
    }

    /// Whether it guards a value (all but a semaphore).
    pub fn has_value(self) -> bool {
        !matches!(self, MutexKind::Semaphore { .. })
    }
}

/// One task: a name, when it starts, how often it runs its steps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskSpec {
    /// Shown in the task view, the timeline and the alerts: 1 to [`MAX_TEXT`]
    /// characters, no control characters; need not be unique.
    pub name: String,
    /// Whether this task is the program's `async fn main` (default false; left out of the
    /// JSON when false). At most one task is, and it must be `tasks[0]`, start at once
    /// (`start_ms` 0), run once (`repeat` 1, not `forever`). Only it may
    /// [`Join`](Step::Join): the handles of the spawned tasks live there.
    #[serde(skip_serializing_if = "is_false")]
    pub main: bool,
    /// Virtual milliseconds before the task's first step (at most [`MAX_MS`]; default 0).
    pub start_ms: u64,
    /// How many times the steps run (default 1, at most 1,000,000; 0 runs them never);
    /// ignored when `forever`.
    pub repeat: u32,
    /// Run the steps until the run's limits stop it (like the seeds' `loop {}`).
    #[serde(skip_serializing_if = "is_false")]
    pub forever: bool,
    /// What the task does, in order, on each repetition.
    pub steps: Vec<Step>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn value_name() -> String {
    "value".to_string()
}

/// One step of a task. See the [module docs](self) for what each does.
///
/// Every `mutex` field names one of the scenario's [`mutexes`](Scenario::mutexes).
/// Validation also follows which guards a task holds at each step: a step that needs a
/// guard the task cannot hold there, or locks one it already holds, is refused.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    /// `mutex.lock().await`: waits in the mutex's FIFO queue, or, for a blocking mutex
    /// held by another task, stalls the executor. The guard is held until an
    /// [`Unlock`](Step::Unlock) or the end of the repetition.
    Lock {
        /// The mutex to lock; the task must not hold it already.
        mutex: String,
    },
    /// `rwlock.read().await`: a shared guard of an [`RwLock`](MutexKind::RwLock), held
    /// with other readers' until an [`Unlock`](Step::Unlock) or the end of the repetition.
    /// It waits while a writer holds the lock or anyone is queued ahead (FIFO). Only for
    /// an `rwlock`; a read guard can [`Read`](Step::Read) but not write.
    ReadLock {
        /// The rwlock to read-lock; the task must not hold it already.
        mutex: String,
    },
    /// Drops the task's newest guard of `mutex`. If a `try_lock` of it failed, there is
    /// no guard: a run-time error.
    Unlock {
        /// The mutex whose guard to drop.
        mutex: String,
    },
    /// Takes the lock only if it is free and nobody is queued, never waiting; on failure
    /// the task goes on without the guard. Not for blocking mutexes.
    TryLock {
        /// The mutex to try; the task must not hold it already.
        mutex: String,
    },
    /// `tokio::time::timeout(ms, mutex.lock()).await`: queues for the lock like
    /// [`Lock`](Step::Lock), but if `ms` of virtual time pass first, the lock future is
    /// dropped: the task leaves the queue (cancel safe: a lock handed to it in the
    /// meantime goes on to the next waiter) and goes on without the guard. Not for
    /// blocking mutexes.
    LockTimeout {
        /// The mutex to lock; the task must not hold it already.
        mutex: String,
        /// Virtual milliseconds to wait at most, up to [`MAX_MS`].
        ms: u64,
    },
    /// `tokio::select!` of a sleep and a lock, the sleep polled first (`biased;`):
    ///
    /// ```text
    /// tokio::select! {
    ///     biased;
    ///     _ = sleep(Duration::from_millis(ms)) => { /* timed_out */ }
    ///     guard = mutex.lock() => { /* locked */ }
    /// }
    /// ```
    ///
    /// The task queues for the lock as a [`Lock`](Step::Lock) does. If it gets the lock
    /// before `ms` of virtual time have passed, it runs `locked` holding the guard (which
    /// is dropped at the end of `locked` if the branch has not dropped it); otherwise the
    /// lock future is dropped (the task leaves the queue) and it runs `timed_out`. The
    /// sleep is polled first: if the timer has fired by the time the task runs, the sleep
    /// branch wins even if the lock was handed to the task in the meantime; the lock
    /// future, dropped holding the lock, passes it on to the next waiter (our locks are
    /// cancel safe). For every kind but `blocking` (an rwlock's write lock, a semaphore's
    /// permit).
    Select {
        /// The mutex to lock; the task must not hold it already.
        mutex: String,
        /// Virtual milliseconds the sleep lasts, up to [`MAX_MS`].
        ms: u64,
        /// What runs with the lock: it starts with the guard held, and must drop every
        /// other guard it takes (as a [`Repeat`](Step::Repeat)'s body). Empty by default
        /// (left out of the JSON when empty).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        locked: Vec<Step>,
        /// What runs when the sleep wins; it must drop every guard it takes. Empty by
        /// default (left out of the JSON when empty).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        timed_out: Vec<Step>,
    },
    /// `*mutex.lock().await = ...`: locks, writes and unlocks, with a temporary guard.
    LockedWrite {
        /// The mutex to write; the task must not hold it already.
        mutex: String,
        /// The write.
        action: WriteAction,
    },
    /// Writes through the guard of `mutex` the task holds.
    Write {
        /// The mutex to write; the task must hold it (a run-time error if its
        /// `try_lock` failed).
        mutex: String,
        /// The write.
        action: WriteAction,
    },
    /// Copies the value of `mutex`, through the guard the task holds, into the task's
    /// register (what [`Dbg`](Step::Dbg) prints).
    Read {
        /// The mutex to read; the task must hold it.
        mutex: String,
        /// A map key: copy only that entry (`None` if the value has no such entry).
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// Prints the register like `dbg!`: `name = {register:#?}`, or `name = ()` if
    /// nothing was read yet.
    Dbg {
        /// The name printed before `=` (default `value`).
        name: String,
    },
    /// Prints a line.
    Print {
        /// The line, up to [`MAX_TEXT`] characters; it may hold line breaks and tabs.
        text: String,
    },
    /// `sleep(ms).await`: yields until the virtual clock has moved on by `ms`; guards stay
    /// held across it.
    Sleep {
        /// Virtual milliseconds, at most [`MAX_MS`].
        ms: u64,
    },
    /// Works for `ms` without yielding: the clock moves on by `ms` inside the poll, and
    /// every other task waits, the whole executor blocked.
    Busy {
        /// Virtual milliseconds, at most [`MAX_MS`].
        ms: u64,
    },
    /// `yield_now().await`: lets the other ready tasks run first.
    Yield,
    /// A nested loop: runs `steps` `times` times.
    Repeat {
        /// How many rounds, at most 1,000,000 (0 skips the body).
        times: u32,
        /// The body; it must drop every guard it takes, and only those. Repeats nest at
        /// most [`MAX_NESTING`] deep.
        steps: Vec<Step>,
    },
    /// Seed 004's fix: sleeps with its waker beside the data of a watch cell until a
    /// write makes `until` true ([`WakeOnWrite::wait_until`](crate::sync::WakeOnWrite::wait_until)).
    WaitUntil {
        /// The watch cell to wait on (its kind must be `watch`); the task must not hold it.
        mutex: String,
        /// What must hold of the value.
        until: Condition,
        /// Once it holds, take one item into the register: the first element of a list,
        /// or else the whole value (leaving `null`).
        #[serde(skip_serializing_if = "is_false")]
        take: bool,
    },
    /// Seed 004's bug: try-locks in `poll_fn` and returns `Pending` without arranging a
    /// wake-up ([`broken::try_lock_in_poll_fn`](crate::sync::broken::try_lock_in_poll_fn)):
    /// if its first poll does not succeed, nothing wakes the task again (a lost wake-up).
    BrokenWait {
        /// The mutex to try (`async` or `watch`, not blocking); the task must not hold it.
        mutex: String,
        /// What must hold of the value.
        until: Condition,
        /// Once it holds, take one item into the register, as for
        /// [`WaitUntil`](Step::WaitUntil).
        #[serde(skip_serializing_if = "is_false")]
        take: bool,
    },
    /// `handle.await` in `main`: waits until task `task` has finished, or, without a
    /// `task`, until every other task has (a loop over the handles). Only the
    /// [main task](TaskSpec::main) may join. A task that already finished is joined at
    /// once (a second join of it too); a task that never finishes (a `forever` one, or
    /// one stuck) is waited for forever: the run then ends at its limits, or as stuck.
    /// A task that ended on a failed [`Assert`](Step::Assert) counts as finished (its
    /// `handle.await` returns then, with the panic as an `Err`).
    Join {
        /// The task to wait for, by its index in [`tasks`](Scenario::tasks): not the
        /// main task itself. `None`: every other task.
        #[serde(skip_serializing_if = "Option::is_none")]
        task: Option<u32>,
    },
    /// `assert!` of the value of `mutex`: checked through the guard the task holds, or
    /// else through a temporary guard (`*mutex.lock().await`, queuing like a
    /// [`LockedWrite`](Step::LockedWrite)). If `until` holds, nothing else happens. If
    /// not, the task panics: a run-time error is recorded
    /// ([`EventKind::AssertFailed`](crate::exec::EventKind::AssertFailed), e.g.
    /// `assertion failed: count == 1000 (it is 990)`), and the task ends there, its
    /// guards dropped newest first. (In a real program a panic in `main` ends the
    /// process; here the other tasks go on.)
    Assert {
        /// The mutex whose value to check.
        mutex: String,
        /// What must hold of the value.
        until: Condition,
    },
}

/// The kinds of [`Step`], as the `op` of a step's JSON names them.
///
/// # Examples
///
/// ```
/// use mutex_playground::scenario::{Step, StepKind};
///
/// assert_eq!(StepKind::of(&Step::Yield), StepKind::Yield);
/// assert_eq!(StepKind::TryLock.name(), "try_lock");
/// assert_eq!(StepKind::ALL.len(), 19);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// [`Step::Lock`].
    Lock,
    /// [`Step::ReadLock`].
    ReadLock,
    /// [`Step::Unlock`].
    Unlock,
    /// [`Step::TryLock`].
    TryLock,
    /// [`Step::LockTimeout`].
    LockTimeout,
    /// [`Step::Select`].
    Select,
    /// [`Step::LockedWrite`].
    LockedWrite,
    /// [`Step::Write`].
    Write,
    /// [`Step::Read`].
    Read,
    /// [`Step::Dbg`].
    Dbg,
    /// [`Step::Print`].
    Print,
    /// [`Step::Sleep`].
    Sleep,
    /// [`Step::Busy`].
    Busy,
    /// [`Step::Yield`].
    Yield,
    /// [`Step::Repeat`].
    Repeat,
    /// [`Step::WaitUntil`].
    WaitUntil,
    /// [`Step::BrokenWait`].
    BrokenWait,
    /// [`Step::Join`].
    Join,
    /// [`Step::Assert`].
    Assert,
}

impl StepKind {
    /// Every kind, in the order the module docs list them.
    pub const ALL: [StepKind; 19] = [
        StepKind::Lock,
        StepKind::ReadLock,
        StepKind::Unlock,
        StepKind::TryLock,
        StepKind::LockTimeout,
        StepKind::Select,
        StepKind::LockedWrite,
        StepKind::Write,
        StepKind::Read,
        StepKind::Dbg,
        StepKind::Print,
        StepKind::Sleep,
        StepKind::Busy,
        StepKind::Yield,
        StepKind::Repeat,
        StepKind::WaitUntil,
        StepKind::BrokenWait,
        StepKind::Join,
        StepKind::Assert,
    ];

    /// The kind of `step`.
    pub fn of(step: &Step) -> StepKind {
        match step {
            Step::Lock { .. } => StepKind::Lock,
            Step::ReadLock { .. } => StepKind::ReadLock,
            Step::Unlock { .. } => StepKind::Unlock,
            Step::TryLock { .. } => StepKind::TryLock,
            Step::LockTimeout { .. } => StepKind::LockTimeout,
            Step::Select { .. } => StepKind::Select,
            Step::LockedWrite { .. } => StepKind::LockedWrite,
            Step::Write { .. } => StepKind::Write,
            Step::Read { .. } => StepKind::Read,
            Step::Dbg { .. } => StepKind::Dbg,
            Step::Print { .. } => StepKind::Print,
            Step::Sleep { .. } => StepKind::Sleep,
            Step::Busy { .. } => StepKind::Busy,
            Step::Yield => StepKind::Yield,
            Step::Repeat { .. } => StepKind::Repeat,
            Step::WaitUntil { .. } => StepKind::WaitUntil,
            Step::BrokenWait { .. } => StepKind::BrokenWait,
            Step::Join { .. } => StepKind::Join,
            Step::Assert { .. } => StepKind::Assert,
        }
    }

    /// Every kind's name, in the order of [`ALL`](StepKind::ALL).
    pub const NAMES: [&'static str; 19] = [
        "lock",
        "read_lock",
        "unlock",
        "try_lock",
        "lock_timeout",
        "select",
        "locked_write",
        "write",
        "read",
        "dbg",
        "print",
        "sleep",
        "busy",
        "yield",
        "repeat",
        "wait_until",
        "broken_wait",
        "join",
        "assert",
    ];

    /// Its name in a step's JSON (`"op": "try_lock"`).
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The kind named `name` in a step's JSON.
    pub fn named(name: &str) -> Option<StepKind> {
        Self::NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
    }
}

/// A write through a guard, by its `kind`.
///
/// A write that does not fit the value (incrementing a list, say) changes nothing and
/// records a run-time error.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WriteAction {
    /// Replace the value.
    Set {
        /// The new value, any JSON up to 64 KiB.
        value: Value,
    },
    /// Add `by` (default 1) to a number; `null` counts as 0. An `i64` result that would
    /// overflow is an error; any other number (a float, or an integer past `i64::MAX`)
    /// is added to as a float.
    Increment {
        /// What to add; may be negative.
        by: i64,
    },
    /// Set the value to the virtual time in ms.
    SetNow,
    /// In a map (object), set `key` to the virtual time in ms (seed 002's `insert`);
    /// `null` becomes a map.
    InsertNow {
        /// The entry to set.
        key: String,
    },
    /// In a map (object), set `key` to `value` (`map.insert(key, value)`); `null`
    /// becomes a map.
    Insert {
        /// The entry to set.
        key: String,
        /// Its new value, any JSON up to 64 KiB.
        value: Value,
    },
    /// Append to a list; `null` becomes a list.
    Push {
        /// The item to append, any JSON up to 64 KiB.
        value: Value,
    },
    /// Set the value to the number this task last copied with a [`Read`](Step::Read),
    /// plus `by` (default 1): `let v = *guard; ... *guard = v + 1;`. Between the read and
    /// this write the lock may have been released and re-taken, and others may have
    /// written: their writes are then lost (the lost-update preset). An error if the
    /// task has not read a number.
    ReadPlus {
        /// What to add to the number read; may be negative.
        by: i64,
    },
}

/// When a `wait_until` / `broken_wait` is satisfied.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// A non-empty list, map or string, or any number or boolean (even `0` or `false`):
    /// anything but `null` and empty collections.
    NonEmpty,
    /// A number at least `value`.
    AtLeast {
        /// The smallest number that satisfies it.
        value: i64,
    },
    /// Exactly `value`.
    Equals {
        /// The value to compare with (JSON equality: `1` and `1.0` differ).
        value: Value,
    },
}

impl Condition {
    /// Whether the condition holds for the value `v`.
    pub fn holds(&self, v: &Value) -> bool {
        match self {
            Condition::NonEmpty => match v {
                Value::Null => false,
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                Value::String(s) => !s.is_empty(),
                _ => true,
            },
            Condition::AtLeast { value } => {
                v.as_i64().is_some_and(|x| x >= *value) || v.as_f64().is_some_and(|x| x >= *value as f64)
            }
            Condition::Equals { value } => v == value,
        }
    }

    /// The condition on a value called `name`, as an assertion states it: `count == 1000`,
    /// `count >= 5`, `jobs is non-empty`.
    ///
    /// ```
    /// use mutex_playground::scenario::Condition;
    ///
    /// assert_eq!(Condition::AtLeast { value: 5 }.describe("count"), "count >= 5");
    /// assert_eq!(Condition::Equals { value: "a".into() }.describe("s"), r#"s == "a""#);
    /// assert_eq!(Condition::NonEmpty.describe("jobs"), "jobs is non-empty");
    /// ```
    pub fn describe(&self, name: &str) -> String {
        match self {
            Condition::NonEmpty => format!("{name} is non-empty"),
            Condition::AtLeast { value } => format!("{name} >= {value}"),
            Condition::Equals { value } => format!("{name} == {value}"),
        }
    }
}

/// Where a run stops if the tasks do not finish first.
///
/// Whatever these say, a run also stops at [`MAX_EVENTS`] recorded events,
/// [`MAX_TRACE_TEXT_BYTES`] of recorded text and values, and when a task runs
/// [`MAX_STEPS_WITHOUT_YIELD`] steps, or records or copies more than
/// [`MAX_BYTES_WITHOUT_YIELD`] bytes, in one poll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Work at most: every step a task executes (inside one poll or not, each round
    /// of a `repeat` or `forever` loop included) and every poll counts one. From 1 to
    /// 5,000,000 (default 200,000).
    pub max_steps: u32,
    /// Virtual milliseconds at most: the run stops once time passes it. At most
    /// [`MAX_MS`] (default 600,000).
    pub max_time_ms: u64,
}

fn default_max_steps() -> u32 {
    crate::exec::RunLimits::default().max_steps
}
fn default_max_time() -> u64 {
    crate::exec::RunLimits::default().max_time_ms
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_steps: default_max_steps(), max_time_ms: default_max_time() }
    }
}

/// Read through a `serde_json::Value` field by field (as [`Scenario::from_json`] does,
/// without validating): one reader, whatever the format.
impl<'de> Deserialize<'de> for Scenario {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scenario, D::Error> {
        let value = Value::deserialize(d)?;
        read::scenario(&value).map_err(serde::de::Error::custom)
    }
}

impl Scenario {
    /// Parses and validates a scenario. Every error names its place, e.g.
    /// `tasks[2].steps[3]: unknown mutex "dbb"`. Never panics.
    pub fn from_json(json: &str) -> Result<Scenario, ScenarioError> {
        if json.len() > MAX_JSON_BYTES {
            return Err(ScenarioError::new(
                "",
                format!("the scenario is {} KiB; the limit is {} KiB", json.len() / 1024, MAX_JSON_BYTES / 1024),
            ));
        }
        let value: Value = serde_json::from_str(json).map_err(|e| ScenarioError::new("", e.to_string()))?;
        let scenario = read::scenario(&value)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as JSON that `from_json` reads back: pretty, unless pretty would
    /// be over the import limit ([`MAX_JSON_BYTES`]); then compact, which validation
    /// guarantees fits.
    pub fn to_json(&self) -> String {
        let compact = serde_json::to_string(self).expect("a scenario always serializes");
        if compact.len() <= MAX_JSON_BYTES / 3 {
            // Only try pretty where it is likely to fit (checked below either way).
            let pretty = pretty_json(&compact);
            if pretty.len() <= MAX_JSON_BYTES {
                return pretty;
            }
        }
        compact
    }

    /// Checks names, references, held guards and limits. See [`ScenarioError`].
    pub fn validate(&self) -> Result<(), ScenarioError> {
        validate::validate(self)
    }

    /// Every problem that stops the scenario from running, in order (the first is
    /// [`validate`](Scenario::validate)'s error), at most [`MAX_PROBLEMS`]: an editor shows
    /// each at its field. The name, each mutex and each task are checked apart; within a
    /// task's steps only the first problem is reported (the rest depend on it).
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::scenario::Scenario;
    ///
    /// let s: Scenario = serde_json::from_str(r#"{"name": "two typos", "mutexes": [{"name": "m"}],
    ///     "tasks": [{"name": "a", "steps": [{"op": "lock", "mutex": "n"}]},
    ///               {"name": "b", "steps": [{"op": "unlock", "mutex": "m"}]}]}"#).unwrap();
    /// let paths: Vec<String> = s.problems().into_iter().map(|e| e.path).collect();
    /// assert_eq!(paths, ["tasks[0].steps[0]", "tasks[1].steps[0]"]);
    /// ```
    pub fn problems(&self) -> Vec<ScenarioError> {
        validate::problems(self, MAX_PROBLEMS)
    }

    /// Renames mutex `from` to `to`, in its spec and in every step that names it (nested
    /// steps too). Nothing happens if there is no mutex `from`. (Two mutexes may then share
    /// a name: validation says so.)
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::scenario::{preset, Step};
    ///
    /// let mut s = preset("deadlock").unwrap().scenario;
    /// s.rename_mutex("a", "left");
    /// assert!(s.mutexes.iter().any(|m| m.name == "left"));
    /// assert!(s.tasks.iter().flat_map(|t| &t.steps).all(|step| step.mutex() != Some("a")));
    /// assert!(s.validate().is_ok());
    /// ```
    pub fn rename_mutex(&mut self, from: &str, to: &str) {
        let Some(i) = self.mutex_index(from) else { return };
        self.mutexes[i].name = to.to_string();
        fn rename(steps: &mut [Step], from: &str, to: &str) {
            for step in steps {
                if let Some(m) = step.mutex_mut().filter(|m| *m == from) {
                    *m = to.to_string();
                }
                for (_, body) in step.bodies_mut() {
                    rename(body, from, to);
                }
            }
        }
        for task in &mut self.tasks {
            rename(&mut task.steps, from, to);
        }
    }

    /// Swaps tasks `a` and `b` (by index), and the joins that name them, so that every
    /// `join` still waits for the same task. Nothing happens if either is out of range.
    /// (Moving the main task away from `tasks[0]` makes the scenario invalid: validation
    /// says so.)
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::scenario::{Scenario, Step};
    ///
    /// let mut s = Scenario::from_json(r#"{"name": "x", "tasks": [
    ///     {"name": "main", "main": true, "steps": [{"op": "join", "task": 1}]},
    ///     {"name": "a", "steps": []}, {"name": "b", "steps": []}]}"#).unwrap();
    /// s.swap_tasks(1, 2);
    /// assert_eq!(s.tasks[0].steps, [Step::Join { task: Some(2) }]);
    /// assert_eq!(s.tasks[2].name, "a");
    /// ```
    pub fn swap_tasks(&mut self, a: usize, b: usize) {
        if a >= self.tasks.len() || b >= self.tasks.len() {
            return;
        }
        self.tasks.swap(a, b);
        let (a, b) = (a as u32, b as u32);
        self.renumber_joins(|t| {
            Some(if t == a {
                b
            } else if t == b {
                a
            } else {
                t
            })
        });
    }

    /// Inserts `task` at index `at` (clamped to the number of tasks), renumbering the joins
    /// of the tasks it moves down.
    pub fn insert_task(&mut self, at: usize, task: TaskSpec) {
        let at = at.min(self.tasks.len());
        self.tasks.insert(at, task);
        let at = at as u32;
        self.renumber_joins(|t| Some(if t >= at { t + 1 } else { t }));
    }

    /// Removes task `at` and returns it (`None` if out of range), renumbering the joins of
    /// the tasks after it. A join of the removed task is removed too: its handle is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::scenario::{Scenario, Step};
    ///
    /// let mut s = Scenario::from_json(r#"{"name": "x", "tasks": [
    ///     {"name": "main", "main": true, "steps": [{"op": "join", "task": 1}, {"op": "join", "task": 2}]},
    ///     {"name": "a", "steps": []}, {"name": "b", "steps": []}]}"#).unwrap();
    /// s.remove_task(1);
    /// assert_eq!(s.tasks[0].steps, [Step::Join { task: Some(1) }]);
    /// assert!(s.validate().is_ok());
    /// ```
    pub fn remove_task(&mut self, at: usize) -> Option<TaskSpec> {
        if at >= self.tasks.len() {
            return None;
        }
        let removed = self.tasks.remove(at);
        let at = at as u32;
        self.renumber_joins(|t| match t.cmp(&at) {
            std::cmp::Ordering::Less => Some(t),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(t - 1),
        });
        Some(removed)
    }

    /// Gives every `join` of a task its new number `f(old)`, or removes it where `f` says
    /// `None` (nested steps too).
    fn renumber_joins(&mut self, f: impl Fn(u32) -> Option<u32>) {
        fn walk(steps: &mut Vec<Step>, f: &dyn Fn(u32) -> Option<u32>) {
            steps.retain_mut(|step| match step {
                Step::Repeat { .. } | Step::Select { .. } => {
                    for (_, body) in step.bodies_mut() {
                        walk(body, f);
                    }
                    true
                }
                Step::Join { task: Some(t) } => match f(*t) {
                    Some(n) => {
                        *t = n;
                        true
                    }
                    None => false,
                },
                _ => true,
            });
        }
        for task in &mut self.tasks {
            walk(&mut task.steps, &f);
        }
    }

    /// Index of the mutex called `name`.
    pub fn mutex_index(&self, name: &str) -> Option<usize> {
        self.mutexes.iter().position(|m| m.name == name)
    }

    /// The step at `path`, as labels and errors name it: `tasks[1].steps[2]`, inside a
    /// `repeat` `tasks[1].steps[2].steps[0]`, inside a `select`
    /// `tasks[1].steps[2].locked[0]` or `.timed_out[0]`. `None` if there is none there.
    ///
    /// ```
    /// use mutex_playground::scenario::{Scenario, Step};
    ///
    /// let s = Scenario::from_json(r#"{"name": "x", "mutexes": [{"name": "m"}], "tasks": [{"name": "t", "steps": [
    ///     {"op": "select", "mutex": "m", "ms": 30, "timed_out": [{"op": "print", "text": "late"}]}]}]}"#).unwrap();
    /// assert!(matches!(s.step_at("tasks[0].steps[0]"), Some(Step::Select { .. })));
    /// assert_eq!(s.step_at("tasks[0].steps[0].timed_out[0]"), Some(&Step::Print { text: "late".into() }));
    /// assert_eq!(s.step_at("tasks[0].steps[0].locked[0]"), None);
    /// assert_eq!(s.step_at("tasks[0].steps[0].steps[0]"), None);
    /// assert_eq!(s.step_at("tasks[9]"), None);
    /// ```
    pub fn step_at(&self, path: &str) -> Option<&Step> {
        let (t, mut rest) = path.strip_prefix("tasks[")?.split_once(']')?;
        let mut list: &[Step] = &self.tasks.get(t.parse::<usize>().ok()?)?.steps;
        let mut field = "steps";
        loop {
            let (name, after) = rest.strip_prefix('.')?.split_once('[')?;
            let (i, after) = after.split_once(']')?;
            if name != field {
                return None;
            }
            let step = list.get(i.parse::<usize>().ok()?)?;
            if after.is_empty() {
                return Some(step);
            }
            // Deeper: the next field names one of the step's bodies.
            let next = after.strip_prefix('.')?.split_once('[')?.0;
            (field, list) = step.bodies().find(|(f, _)| *f == next)?;
            rest = after;
        }
    }

    /// The name of task `task` (by index), or `task N` if there is no such task.
    pub fn task_name(&self, task: u32) -> String {
        self.tasks.get(task as usize).map_or_else(|| format!("task {task}"), |t| t.name.clone())
    }

    /// The name of mutex `mutex` (by index), or `mutex N` if there is no such mutex.
    pub fn mutex_name(&self, mutex: u32) -> String {
        self.mutexes.get(mutex as usize).map_or_else(|| format!("mutex {mutex}"), |m| m.name.clone())
    }
}

/// What `serde_json::to_string_pretty` writes (two-space indents, `": "`, `[]` and `{}` when
/// empty), laid out from the compact JSON that `serde_json::to_string` wrote. Serializing twice,
/// compact and pretty, would put a second copy of every scenario type's serializer into the page.
fn pretty_json(compact: &str) -> String {
    let b = compact.as_bytes();
    let mut out = Vec::with_capacity(b.len() + b.len() / 2);
    let mut depth = 0usize;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.extend_from_slice(&b[start..(i + 1).min(b.len())]);
            }
            b'[' | b'{' => {
                out.push(c);
                match b.get(i + 1) {
                    Some(&close @ (b']' | b'}')) => {
                        out.push(close);
                        i += 1;
                    }
                    _ => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            b',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(c),
        }
        i += 1;
    }
    // Only ASCII was added, and strings were copied whole.
    String::from_utf8(out).unwrap_or_default()
}

impl Step {
    /// A short label for the step, as the task view shows it: `lock(db)`, `sleep(350)`.
    pub fn label(&self) -> String {
        match self {
            Step::Lock { mutex } => format!("lock({mutex})"),
            Step::ReadLock { mutex } => format!("read_lock({mutex})"),
            Step::Unlock { mutex } => format!("drop({mutex} guard)"),
            Step::TryLock { mutex } => format!("try_lock({mutex})"),
            Step::LockTimeout { mutex, ms } => format!("timeout({ms} ms, {mutex}.lock())"),
            Step::Select { mutex, ms, .. } => format!("select(lock({mutex}) | sleep({ms}))"),
            Step::LockedWrite { mutex, action } => format!("{mutex}.lock().{}", action.label()),
            Step::Write { mutex, action } => format!("{mutex}.{}", action.label()),
            Step::Read { mutex, key: Some(k) } => format!("read {mutex}[{k:?}]"),
            Step::Read { mutex, key: None } => format!("read {mutex}"),
            Step::Dbg { name } => format!("dbg!({name})"),
            Step::Print { text } => format!("println!({text:?})"),
            Step::Sleep { ms } => format!("sleep({ms} ms)"),
            Step::Busy { ms } => format!("busy({ms} ms, no yield)"),
            Step::Yield => "yield_now()".into(),
            Step::Repeat { times, .. } => format!("repeat {times}×"),
            Step::WaitUntil { mutex, .. } => format!("wait_until({mutex})"),
            Step::BrokenWait { mutex, .. } => format!("poll_fn(try_lock {mutex})"),
            Step::Join { task: None } => "join(all)".into(),
            Step::Join { task: Some(t) } => format!("join(task {t})"),
            Step::Assert { mutex, until } => format!("assert!({})", until.describe(mutex)),
        }
    }

    /// The step lists nested in this step, with the names of their fields: a `repeat`'s
    /// `steps`, a `select`'s `locked` and `timed_out` (in that order); none for the
    /// other kinds.
    ///
    /// ```
    /// use mutex_playground::scenario::Step;
    ///
    /// let select = Step::Select { mutex: "m".into(), ms: 30, locked: vec![Step::Yield], timed_out: vec![] };
    /// let names: Vec<&str> = select.bodies().map(|(field, _)| field).collect();
    /// assert_eq!(names, ["locked", "timed_out"]);
    /// assert_eq!(Step::Yield.bodies().count(), 0);
    /// ```
    pub fn bodies(&self) -> impl Iterator<Item = (&'static str, &[Step])> {
        type Body<'a> = Option<(&'static str, &'a [Step])>;
        let (a, b): (Body<'_>, Body<'_>) = match self {
            Step::Repeat { steps, .. } => (Some(("steps", steps)), None),
            Step::Select { locked, timed_out, .. } => (Some(("locked", locked)), Some(("timed_out", timed_out))),
            _ => (None, None),
        };
        a.into_iter().chain(b)
    }

    /// The step lists nested in this step, to change them (see [`bodies`](Step::bodies)).
    pub fn bodies_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut Vec<Step>)> {
        type Body<'a> = Option<(&'static str, &'a mut Vec<Step>)>;
        let (a, b): (Body<'_>, Body<'_>) = match self {
            Step::Repeat { steps, .. } => (Some(("steps", steps)), None),
            Step::Select { locked, timed_out, .. } => (Some(("locked", locked)), Some(("timed_out", timed_out))),
            _ => (None, None),
        };
        a.into_iter().chain(b)
    }

    /// The mutex the step names, to change it (`None` for a step that names none).
    pub fn mutex_mut(&mut self) -> Option<&mut String> {
        match self {
            Step::Lock { mutex }
            | Step::ReadLock { mutex }
            | Step::Unlock { mutex }
            | Step::TryLock { mutex }
            | Step::LockTimeout { mutex, .. }
            | Step::Select { mutex, .. }
            | Step::LockedWrite { mutex, .. }
            | Step::Write { mutex, .. }
            | Step::Read { mutex, .. }
            | Step::WaitUntil { mutex, .. }
            | Step::BrokenWait { mutex, .. }
            | Step::Assert { mutex, .. } => Some(mutex),
            Step::Dbg { .. } | Step::Print { .. } | Step::Sleep { .. } | Step::Busy { .. } | Step::Yield => None,
            Step::Repeat { .. } | Step::Join { .. } => None,
        }
    }

    /// The mutex the step names, if any.
    pub fn mutex(&self) -> Option<&str> {
        match self {
            Step::Lock { mutex }
            | Step::ReadLock { mutex }
            | Step::Unlock { mutex }
            | Step::TryLock { mutex }
            | Step::LockTimeout { mutex, .. }
            | Step::Select { mutex, .. }
            | Step::LockedWrite { mutex, .. }
            | Step::Write { mutex, .. }
            | Step::Read { mutex, .. }
            | Step::WaitUntil { mutex, .. }
            | Step::BrokenWait { mutex, .. }
            | Step::Assert { mutex, .. } => Some(mutex),
            _ => None,
        }
    }
}

impl WriteAction {
    fn label(&self) -> String {
        match self {
            WriteAction::Set { value } => format!("set({value})"),
            WriteAction::Increment { by } => format!("+= {by}"),
            WriteAction::SetNow => "set(now)".into(),
            WriteAction::InsertNow { key } => format!("insert({key:?}, now)"),
            WriteAction::Insert { key, value } => format!("insert({key:?}, {value})"),
            WriteAction::Push { value } => format!("push({value})"),
            WriteAction::ReadPlus { by } => format!("= read + {by}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_lays_out_as_serde_json_does() {
        let values = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"a": [], "b": {}, "c": [[], [{}], {"d": [1, -2.5, null, true]}]}),
            serde_json::json!(["quote \" and \\ backslash", "\\", "\\\"", "{[,:]}", "tab\tnew\nline", "é ✓ \u{1}"]),
            serde_json::json!({"k\"ey": {"x:y": "a,b", "": ""}}),
            serde_json::json!("just a string"),
            serde_json::json!(12),
        ];
        for v in &values {
            let compact = serde_json::to_string(v).unwrap();
            assert_eq!(pretty_json(&compact), serde_json::to_string_pretty(v).unwrap(), "{compact}");
        }
        let scenarios = presets().into_iter().map(|p| p.scenario).chain([hammer(3, 2, true)]);
        for s in &scenarios.collect::<Vec<_>>() {
            assert_eq!(pretty_json(&serde_json::to_string(s).unwrap()), serde_json::to_string_pretty(s).unwrap());
            assert_eq!(Scenario::from_json(&s.to_json()).as_ref(), Ok(s));
        }
    }
}

#[cfg(test)]
mod step_kinds {
    use super::StepKind;

    #[test]
    fn step_kinds_are_listed_in_declaration_order() {
        for (i, &k) in StepKind::ALL.iter().enumerate() {
            assert_eq!(k as usize, i, "{k:?}");
            assert_eq!(StepKind::named(k.name()), Some(k));
        }
        assert_eq!(StepKind::named("fly"), None);
    }
}
