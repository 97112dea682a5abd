//! The interpreter: turns a validated [`Scenario`] into task futures that run on the
//! [`Executor`](crate::exec::Executor) against real [`Mutex`]es and
//! [`WakeOnWrite`] cells, recording what they do in the [`Sink`].
//!
//! The executor knows nothing of joins: the futures keep which tasks have finished, and
//! the wakers of the joins waiting for them, in one shared list. A task marks itself
//! finished as its future ends (after its guards are dropped), and wakes the joins that
//! then hold, so a `join` works on any executor (the real-time driver's too).

use super::{Condition, MutexKind, Scenario, Step, WriteAction};
use super::{MAX_BYTES_WITHOUT_YIELD, MAX_EVENTS, MAX_STEPS_WITHOUT_YIELD, MAX_TRACE_TEXT_BYTES};
use crate::exec::{yield_now, BoxFuture, Budget, Clock, EventKind, Halt, MutexId, MutexObserver, Sink, TaskId};
use crate::sync::{broken::try_lock_in_poll_fn, Mutex, OwnedMutexGuard, OwnedWriteGuard, Tag, WakeOnWrite};
use crate::sync::{LockEvent, RwLock, Semaphore, TimeSource};
use crate::sync::{OwnedPolicyMutexGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, Policy, PolicyMutex};
use futures::future::{FutureExt, LocalBoxFuture};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Poll, Waker};

/// One mutex of a running scenario, by its [`MutexKind`]. It holds the value as JSON.
#[derive(Debug)]
pub enum Instance {
    /// An `async` mutex: our FIFO [`Mutex`], reporting its lock events to the run's sink.
    Async(Arc<Mutex<Value, MutexObserver>>),
    /// A `watch` cell: a [`WakeOnWrite`], whose mutex reports to the run's sink.
    Watch(Arc<WakeOnWrite<Value>>),
    /// A `blocking` mutex, simulated (the interpreter records its events itself).
    Blocking(Rc<BlockingMutex>),
    /// A `barging`, `lifo` or `eventually_fair` mutex: a [`PolicyMutex`].
    Policy(Arc<PolicyMutex<Value, MutexObserver>>),
    /// An `rwlock`: our FIFO [`RwLock`].
    RwLock(Arc<RwLock<Value, MutexObserver>>),
    /// A `semaphore`: our FIFO [`Semaphore`]. It guards no value.
    Semaphore(Arc<PermitCount>),
}

/// A `semaphore` of a running scenario: our [`Semaphore`], and who holds its permits
/// (a permit is anonymous to the semaphore, so its observer keeps the holders, in the
/// order they got a permit, from the events it reports).
#[derive(Debug)]
pub struct PermitCount {
    semaphore: Semaphore<PermitObserver>,
    holders: Arc<std::sync::Mutex<Vec<TaskId>>>,
}

/// A semaphore's observer: the run's, and the list of holders.
#[derive(Debug)]
struct PermitObserver {
    run: MutexObserver,
    holders: Arc<std::sync::Mutex<Vec<TaskId>>>,
}

impl crate::sync::Observer for PermitObserver {
    fn on_event(&self, event: LockEvent) {
        if let Ok(mut holders) = self.holders.lock() {
            match event {
                LockEvent::Taken { tag } | LockEvent::Acquired { tag } => holders.push(tag.0 as TaskId),
                LockEvent::Released { tag } => {
                    if let Some(p) = holders.iter().position(|&h| u64::from(h) == tag.0) {
                        holders.remove(p);
                    }
                }
                _ => {}
            }
        }
        self.run.on_event(event);
    }
}

/// A std-like blocking mutex, simulated: locking it while another task holds it would
/// block the only thread forever, so the run records a stall instead of hanging the page.
#[derive(Debug)]
pub struct BlockingMutex {
    value: RefCell<Value>,
    holder: Cell<Option<TaskId>>,
}

fn ids(tags: Vec<Tag>) -> Vec<TaskId> {
    tags.into_iter().map(|t| t.0 as TaskId).collect()
}

impl Instance {
    /// The holders (one, but for the readers of an rwlock and a semaphore's permits), in
    /// the order they took the lock, as the lock itself reports them.
    pub fn holders(&self) -> Vec<TaskId> {
        match self {
            Instance::Async(m) => m.holder().map(|t| t.0 as TaskId).into_iter().collect(),
            Instance::Watch(c) => c.mutex().holder().map(|t| t.0 as TaskId).into_iter().collect(),
            Instance::Blocking(b) => b.holder.get().into_iter().collect(),
            Instance::Policy(m) => m.holder().map(|t| t.0 as TaskId).into_iter().collect(),
            Instance::RwLock(l) => ids(l.holders()),
            Instance::Semaphore(s) => s.holders.lock().map(|h| h.clone()).unwrap_or_default(),
        }
    }

    /// The wait queue in arrival order, as the lock itself reports it.
    pub fn waiters(&self) -> Vec<TaskId> {
        match self {
            Instance::Async(m) => ids(m.waiters()),
            Instance::Watch(c) => ids(c.mutex().waiters()),
            Instance::Blocking(_) => Vec::new(),
            Instance::Policy(m) => ids(m.waiters()),
            Instance::RwLock(l) => ids(l.waiters()),
            Instance::Semaphore(s) => ids(s.semaphore.waiters()),
        }
    }

    /// Tasks waiting for a write (watch cells only).
    pub fn watchers(&self) -> Vec<TaskId> {
        match self {
            Instance::Watch(c) => c.watchers().into_iter().map(|t| t.0 as TaskId).collect(),
            _ => Vec::new(),
        }
    }
}

/// What a [`Label`] marks: a task's start, or one of its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelKind {
    /// Where a task is before it has run any step (before its first poll, and during its
    /// start delay). Each task has exactly one, with the text `start`.
    Start,
    /// A step of the task's program (a `repeat` step, and each step of its body, too).
    Step,
}

/// A place in a task's program, as the task view shows it: its start or one of its steps.
///
/// A run numbers its labels in program order, task by task: the task's start label, then
/// its steps depth first. A task reports the number of the label it is on with each
/// `Pending` ([`EventKind::Pending`]'s `at`), and [`Run::label`](crate::trace::Run::label)
/// looks it up.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    /// The task whose program it is in.
    pub task: TaskId,
    /// A start or a step. Not serialized: in the trace JSON a start label is the one
    /// whose text is `start` and whose path has no `.steps`.
    #[serde(skip)]
    pub kind: LabelKind,
    /// Where it is in the scenario: `tasks[1]` for a start, `tasks[1].steps[2]` for a
    /// step (`tasks[1].steps[2].steps[0]` inside a `repeat`, `tasks[1].steps[2].locked[0]`
    /// and `.timed_out[0]` inside a `select`).
    pub path: String,
    /// What the task view shows: `start`, or the step's [`label`](Step::label), like
    /// `lock(db)`.
    pub text: String,
}

impl Label {
    /// The start label of task `task`: kind [`LabelKind::Start`], text `start`, path
    /// `tasks[{task}]`.
    pub fn start(task: TaskId) -> Label {
        Label { task, kind: LabelKind::Start, path: format!("tasks[{task}]"), text: "start".into() }
    }

    /// The label of `step`, found at `path` in task `task`'s program.
    pub fn step(task: TaskId, path: String, step: &Step) -> Label {
        Label { task, kind: LabelKind::Step, path, text: step.label() }
    }

    /// Whether this is a task's start label (the task has not begun its steps).
    pub fn is_start(&self) -> bool {
        self.kind == LabelKind::Start
    }
}

/// A step with its label index, and its bodies: a `repeat`'s, or a `select`'s `locked`
/// then `timed_out`.
struct Op {
    step: Step,
    label: u32,
    mutex: Option<MutexId>,
    body: Vec<Op>,
    /// A `select`'s `timed_out` (its `locked` is `body`).
    other: Vec<Op>,
}

/// The running scenario: its mutexes, step labels, and the task futures to spawn.
pub struct Program {
    /// The scenario's mutexes, in its order (index = [`MutexId`]): handles to the same
    /// locks the tasks use, to read their holders and queues.
    pub mutexes: Vec<Instance>,
    /// Every label of the program, indexed by the numbers the tasks report (see
    /// [`Label`]).
    pub labels: Vec<Label>,
    /// One future per task, in the scenario's order, with the cell holding the label of
    /// the step it is on. Spawn them in this order (with
    /// [`Executor::spawn_labelled`](crate::exec::Executor::spawn_labelled)), so that task
    /// ids are scenario indices.
    pub tasks: Vec<(BoxFuture, Arc<AtomicU32>)>,
    /// The run's budget, which the tasks tick: give the same one to the executor (or
    /// driver) that polls them.
    pub budget: Rc<Budget>,
    /// What each task keeps that its events do not show (its loop counters and what it
    /// last read), by task id: an explorer needs it to tell two states apart.
    pub locals: Vec<Rc<TaskLocals>>,
}

/// What a running task keeps inside its future that the trace does not record: which
/// round of its loop and of each `repeat` it is in, and its register (what its last
/// `read` copied). Two moments at which every task is at the same step with the same
/// locals, and the locks, values and timers are the same, have the same future.
#[derive(Debug, Default)]
pub struct TaskLocals {
    /// The task's round, then the round of each `repeat` it is inside, outermost first.
    loops: RefCell<Vec<u32>>,
    register: RefCell<Option<Register>>,
}

impl TaskLocals {
    /// Feeds the loop counters and the register into `h`.
    pub fn hash_into<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        self.loops.borrow().hash(h);
        match &*self.register.borrow() {
            None => 0u8.hash(h),
            Some(Register::Value(v)) => (1u8, render(v)).hash(h),
            Some(Register::Entry(e)) => (2u8, e.as_ref().map(render)).hash(h),
        }
    }

    /// The number the task last read, if it is one (what a `read_plus` write adds to).
    fn number(&self) -> Option<Value> {
        match &*self.register.borrow() {
            Some(Register::Value(v) | Register::Entry(Some(v))) if v.is_number() => Some(v.clone()),
            _ => None,
        }
    }

    fn set_register(&self, r: Register) {
        *self.register.borrow_mut() = Some(r);
    }
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("mutexes", &self.mutexes)
            .field("tasks", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

/// How much a run may record: its trace's room. A run has [`TraceRoom::default`]
/// ([`MAX_EVENTS`] events, [`MAX_TRACE_TEXT_BYTES`] of printed lines and values) unless
/// it is one of several made together, as the compare view's are: those share one
/// run's room ([`TraceRoom::shared_by`]), so that together they cost what one run does.
///
/// ```
/// use mutex_playground::scenario::program::TraceRoom;
/// use mutex_playground::scenario::MAX_EVENTS;
///
/// assert_eq!(TraceRoom::default().max_events, MAX_EVENTS);
/// assert_eq!(TraceRoom::shared_by(4).max_events, MAX_EVENTS / 4);
/// assert_eq!(TraceRoom::shared_by(0), TraceRoom::default());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceRoom {
    /// Events recorded, at most.
    pub max_events: u64,
    /// Bytes of printed lines and rendered values, at most.
    pub max_text_bytes: u64,
}

impl Default for TraceRoom {
    fn default() -> Self {
        TraceRoom { max_events: MAX_EVENTS, max_text_bytes: MAX_TRACE_TEXT_BYTES }
    }
}

impl TraceRoom {
    /// One run's room split evenly between `runs` runs (all of it for one, or none).
    pub fn shared_by(runs: usize) -> TraceRoom {
        let n = runs.max(1) as u64;
        TraceRoom { max_events: MAX_EVENTS / n, max_text_bytes: MAX_TRACE_TEXT_BYTES / n }
    }
}

/// What the interpreter checks at every step it executes, beyond the [`Budget`]'s work
/// counts: the size of the recorded trace and virtual time, both of which can grow
/// inside one poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TraceLimits {
    /// The trace's room.
    room: TraceRoom,
    /// Virtual milliseconds, at most.
    max_time_ms: u64,
}

/// Builds the mutexes and task futures of a validated scenario, and the budget every run
/// of it obeys (the scenario's limits and the crate's: [`MAX_STEPS_WITHOUT_YIELD`],
/// [`MAX_BYTES_WITHOUT_YIELD`], and the trace's `room`). Every step the tasks execute
/// is counted against it and checked against the trace limits; when either says stop,
/// the running task halts the run and parks for good.
pub fn build(scenario: &Scenario, clock: &Clock, sink: &Arc<Sink>, room: TraceRoom) -> Program {
    let budget = Rc::new(
        Budget::new(u64::from(scenario.limits.max_steps), MAX_STEPS_WITHOUT_YIELD)
            .with_max_bytes_in_poll(MAX_BYTES_WITHOUT_YIELD),
    );
    let limits = TraceLimits { room, max_time_ms: scenario.limits.max_time_ms };
    let mutexes: Vec<Instance> = scenario
        .mutexes
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let observer = MutexObserver { mutex: i as MutexId, sink: sink.clone() };
            let value = spec.initial.clone();
            sink.push(EventKind::Value { mutex: i as MutexId, value: sink.value(render(&value)) });
            match spec.kind {
                MutexKind::Async => Instance::Async(Arc::new(Mutex::with_observer(value, observer))),
                MutexKind::Watch => Instance::Watch(Arc::new(WakeOnWrite::with_observer(value, Arc::new(observer)))),
                MutexKind::Blocking => {
                    Instance::Blocking(Rc::new(BlockingMutex { value: RefCell::new(value), holder: Cell::new(None) }))
                }
                MutexKind::Barging => {
                    Instance::Policy(Arc::new(PolicyMutex::with_observer(value, Policy::Barging, observer)))
                }
                MutexKind::Lifo => {
                    Instance::Policy(Arc::new(PolicyMutex::with_observer(value, Policy::Lifo, observer)))
                }
                MutexKind::EventuallyFair { after_ms } => {
                    // Virtual time, as the sink stamps it on the events.
                    let time: Arc<dyn TimeSource> = sink.clone();
                    let policy = Policy::EventuallyFair { after_ms, time };
                    Instance::Policy(Arc::new(PolicyMutex::with_observer(value, policy, observer)))
                }
                MutexKind::RwLock => Instance::RwLock(Arc::new(RwLock::with_observer(value, observer))),
                MutexKind::Semaphore { permits } => {
                    let holders = Arc::new(std::sync::Mutex::new(Vec::new()));
                    let observer = PermitObserver { run: observer, holders: holders.clone() };
                    let semaphore = Semaphore::with_observer(permits as usize, observer);
                    Instance::Semaphore(Arc::new(PermitCount { semaphore, holders }))
                }
            }
        })
        .collect();
    let mut labels = Vec::new();
    let mut programs = Vec::new();
    for (t, task) in scenario.tasks.iter().enumerate() {
        let start = labels.len() as u32;
        labels.push(Label::start(t as TaskId));
        let ops = compile(scenario, t as TaskId, &task.steps, &format!("tasks[{t}].steps"), &mut labels);
        programs.push((start, ops));
    }
    let sizes = RefCell::new(scenario.mutexes.iter().map(|m| render(&m.initial).len() as u64).collect());
    let joins = Joins { finished: RefCell::new(vec![false; scenario.tasks.len()]), waiting: RefCell::default() };
    let world = Rc::new(World {
        mutexes,
        clock: clock.clone(),
        sink: sink.clone(),
        budget: budget.clone(),
        limits,
        sizes,
        joins,
    });
    let locals: Vec<Rc<TaskLocals>> = scenario.tasks.iter().map(|_| Rc::default()).collect();
    let tasks = scenario
        .tasks
        .iter()
        .zip(programs)
        .zip(&locals)
        .enumerate()
        .map(|(t, ((spec, (start, ops)), local))| {
            let label = Arc::new(AtomicU32::new(start));
            let ctx = TaskCtx { id: t as TaskId, world: world.clone(), label: label.clone(), local: local.clone() };
            let repeat = if spec.forever { None } else { Some(spec.repeat) };
            (run_task(ctx, spec.start_ms, repeat, Rc::new(ops)).boxed_local(), label)
        })
        .collect();
    // The tasks share the world; the run keeps handles to the same locks, to read their
    // holders and queues at checkpoints.
    let mutexes = world.mutexes.iter().map(Instance::share).collect();
    Program { mutexes, labels, tasks, budget, locals }
}

impl Instance {
    fn share(&self) -> Instance {
        match self {
            Instance::Async(m) => Instance::Async(m.clone()),
            Instance::Watch(c) => Instance::Watch(c.clone()),
            Instance::Blocking(b) => Instance::Blocking(b.clone()),
            Instance::Policy(m) => Instance::Policy(m.clone()),
            Instance::RwLock(l) => Instance::RwLock(l.clone()),
            Instance::Semaphore(s) => Instance::Semaphore(s.clone()),
        }
    }
}

fn compile(s: &Scenario, task: TaskId, steps: &[Step], path: &str, labels: &mut Vec<Label>) -> Vec<Op> {
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let here = format!("{path}[{i}]");
            let label = labels.len() as u32;
            labels.push(Label::step(task, here.clone(), step));
            // Each body's labels follow the step's, depth first (`locked` before `timed_out`).
            let mut bodies =
                step.bodies().map(|(field, steps)| compile(s, task, steps, &format!("{here}.{field}"), labels));
            let body = bodies.next().unwrap_or_default();
            let other = bodies.next().unwrap_or_default();
            let mutex = step.mutex().and_then(|m| s.mutex_index(m)).map(|m| m as MutexId);
            Op { step: step.clone(), label, mutex, body, other }
        })
        .collect()
}

struct World {
    mutexes: Vec<Instance>,
    clock: Clock,
    sink: Arc<Sink>,
    budget: Rc<Budget>,
    limits: TraceLimits,
    /// The size of each mutex's value as last rendered: what a `read` copies.
    sizes: RefCell<Vec<u64>>,
    /// Which tasks have finished, and who waits to join them.
    joins: Joins,
}

/// Which tasks have finished, and the `join`s waiting for them: how a join is woken when
/// the tasks it waits for end. The interpreter keeps it (the executor knows nothing of
/// joins): a task marks itself finished as its future ends, after its guards are
/// dropped, and wakes the joins that now hold, in the order they began to wait. A
/// joining task's waker is kept here, so the executor sees it can still be woken.
struct Joins {
    /// By task id.
    finished: RefCell<Vec<bool>>,
    /// (the joining task, the task it waits for or `None` for every other, its waker).
    waiting: RefCell<Vec<(TaskId, Option<TaskId>, Waker)>>,
}

impl Joins {
    /// Whether `target` (`None`: every task but `me`) has finished.
    fn done(&self, me: TaskId, target: Option<TaskId>) -> bool {
        let finished = self.finished.borrow();
        match target {
            Some(t) => finished.get(t as usize).copied().unwrap_or(false),
            None => finished.iter().enumerate().all(|(t, &done)| done || t == me as usize),
        }
    }

    /// Task `task` has finished: wakes the joins it completes.
    fn finish(&self, task: TaskId) {
        if let Some(done) = self.finished.borrow_mut().get_mut(task as usize) {
            *done = true;
        }
        let woken: Vec<Waker> = {
            let mut waiting = self.waiting.borrow_mut();
            let (woken, still): (Vec<_>, Vec<_>) =
                std::mem::take(&mut *waiting).into_iter().partition(|&(me, target, _)| self.done(me, target));
            *waiting = still;
            woken.into_iter().map(|(_, _, waker)| waker).collect()
        };
        // Woken after the borrow ends: a waker may do anything.
        woken.into_iter().for_each(Waker::wake);
    }

    /// `handle.await`: ready once `target` (`None`: every other task) has finished.
    async fn join(&self, me: TaskId, target: Option<TaskId>) {
        std::future::poll_fn(|cx| {
            // A waker is cloned and dropped outside the borrow: it may do anything.
            let (ready, waker) = if self.done(me, target) { (true, None) } else { (false, Some(cx.waker().clone())) };
            let old = {
                let mut waiting = self.waiting.borrow_mut();
                let mine = waiting.iter().position(|w| w.0 == me);
                match (mine, waker) {
                    (Some(i), Some(waker)) => Some(std::mem::replace(&mut waiting[i], (me, target, waker)).2),
                    (Some(i), None) => Some(waiting.remove(i).2),
                    (None, Some(waker)) => {
                        waiting.push((me, target, waker));
                        None
                    }
                    (None, None) => None,
                }
            };
            drop(old);
            if ready {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

/// What a step leaves to the steps after it: go on, or end the task (a failed assertion
/// panics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Next,
    Panic,
}

/// What `read` put aside, printed by `dbg`.
#[derive(Debug)]
enum Register {
    Value(Value),
    Entry(Option<Value>),
}

struct TaskCtx {
    id: TaskId,
    world: Rc<World>,
    label: Arc<AtomicU32>,
    local: Rc<TaskLocals>,
}

impl TaskCtx {
    /// Counts one step of this task; `false` if the run must stop here (the budget is
    /// then halted with the reason, and the caller parks the task for good).
    #[inline]
    fn tick(&self) -> bool {
        let w = &*self.world;
        if w.budget.tick(self.id).is_err() {
            return false;
        }
        let text = w.sink.text_bytes();
        if w.budget.check_bytes(self.id, text).is_err() {
            return false;
        }
        let room = w.limits.room;
        let why = if w.sink.recorded_events() > room.max_events || text > room.max_text_bytes {
            Halt::TraceFull
        } else if w.clock.now() > w.limits.max_time_ms {
            Halt::TimeLimit
        } else {
            return true;
        };
        w.budget.halt(why);
        false
    }
}

/// Where a halted task waits: forever (the executor stops at its next step).
async fn park<T>() -> T {
    std::future::pending::<T>().await
}
/// A guard a task holds, of whichever kind of lock.
enum Guard {
    Async(OwnedMutexGuard<Value, MutexObserver>),
    Watch(OwnedWriteGuard<Value>),
    Blocking(BlockingGuard),
    Policy(OwnedPolicyMutexGuard<Value, MutexObserver>),
    Read(OwnedRwLockReadGuard<Value, MutexObserver>),
    Write(OwnedRwLockWriteGuard<Value, MutexObserver>),
    /// Held for its `Drop`, which gives the permit back.
    Permit {
        /// Never read: held for its `Drop`.
        _permit: Permit,
    },
}

/// One permit of a scenario's semaphore, taken for `task`: dropping it gives it back
/// (reported as `Released`; a queued waiter is handed the permit).
struct Permit {
    count: Arc<PermitCount>,
    task: TaskId,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.count.semaphore.release(Tag(u64::from(self.task)));
    }
}

struct BlockingGuard {
    lock: Rc<BlockingMutex>,
    mutex: MutexId,
    task: TaskId,
    sink: Arc<Sink>,
}

impl Drop for BlockingGuard {
    fn drop(&mut self) {
        self.lock.holder.set(None);
        self.sink.push(EventKind::Released { task: self.task, mutex: self.mutex });
    }
}

impl Guard {
    fn value(&self) -> Value {
        self.with(Value::clone)
    }

    fn with<R>(&self, f: impl FnOnce(&Value) -> R) -> R {
        match self {
            Guard::Async(g) => f(g),
            Guard::Watch(g) => f(g),
            Guard::Blocking(b) => f(&b.lock.value.borrow()),
            Guard::Policy(g) => f(g),
            Guard::Read(g) => f(g),
            Guard::Write(g) => f(g),
            // Validated: nothing reads a semaphore.
            Guard::Permit { .. } => f(&Value::Null),
        }
    }

    /// `f` on the value, or an error for a guard that cannot write (validation refuses
    /// such writes; this keeps a run that gets one anyway alive).
    fn with_mut<R>(&mut self, f: impl FnOnce(&mut Value) -> Result<R, String>) -> Result<R, String> {
        match self {
            Guard::Async(g) => f(g),
            Guard::Watch(g) => f(g),
            Guard::Blocking(b) => f(&mut b.lock.value.borrow_mut()),
            Guard::Policy(g) => f(g),
            Guard::Write(g) => f(g),
            Guard::Read(_) => Err("a read guard cannot write".into()),
            Guard::Permit { .. } => Err("a semaphore guards no value".into()),
        }
    }
}

fn render(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Applies a write (`read`: the number the task last read, for `read_plus`); a type
/// mismatch is an error message.
fn apply(action: &WriteAction, v: &mut Value, now: u64, read: Option<Value>) -> Result<(), String> {
    match action {
        WriteAction::ReadPlus { by } => {
            let mut sum = read.ok_or("the task has not read a number")?;
            apply(&WriteAction::Increment { by: *by }, &mut sum, now, None)?;
            *v = sum;
        }
        WriteAction::Set { value } => *v = value.clone(),
        WriteAction::Increment { by } => {
            *v = match &*v {
                Value::Null => Value::from(*by),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => Value::from(i.checked_add(*by).ok_or("the number overflowed")?),
                    None => Value::from(n.as_f64().unwrap_or(0.0) + *by as f64),
                },
                other => return Err(format!("cannot increment {}", kind_of(other))),
            }
        }
        WriteAction::SetNow => *v = Value::from(now),
        WriteAction::InsertNow { key } => match v {
            Value::Null => *v = serde_json::json!({ key.clone(): now }),
            Value::Object(map) => {
                map.insert(key.clone(), Value::from(now));
            }
            other => return Err(format!("cannot insert a key into {}", kind_of(other))),
        },
        WriteAction::Insert { key, value } => match v {
            Value::Null => *v = serde_json::json!({ key.clone(): value.clone() }),
            Value::Object(map) => {
                map.insert(key.clone(), value.clone());
            }
            other => return Err(format!("cannot insert a key into {}", kind_of(other))),
        },
        WriteAction::Push { value } => match v {
            Value::Null => *v = Value::Array(vec![value.clone()]),
            Value::Array(items) => items.push(value.clone()),
            other => return Err(format!("cannot push onto {}", kind_of(other))),
        },
    }
    Ok(())
}

/// Takes one item of work: the first element of a list, or the whole value otherwise.
fn take(v: &mut Value) -> Value {
    match v {
        Value::Array(items) if !items.is_empty() => items.remove(0),
        other => std::mem::take(other),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

async fn run_task(mut ctx: TaskCtx, start_ms: u64, repeat: Option<u32>, ops: Rc<Vec<Op>>) {
    if start_ms > 0 {
        let sleep = ctx.world.clock.sleep(start_ms);
        ctx.world.sink.push(EventKind::SleepStart { task: ctx.id, until: sleep.deadline() });
        sleep.await;
        ctx.world.sink.push(EventKind::SleepEnd { task: ctx.id });
    }
    let mut round = 0u32;
    ctx.local.loops.borrow_mut().push(0);
    while repeat.is_none_or(|n| round < n) {
        // A round counts even with no steps: `loop {}` must not spin inside one poll.
        if !ctx.tick() {
            return park().await;
        }
        let mut held: Vec<(MutexId, Guard)> = Vec::new();
        let flow = run_ops(&mut ctx, &ops, &mut held).await;
        // End of the loop body (or a panic): guards still held drop here, newest first.
        while let Some((_, guard)) = held.pop() {
            drop(guard);
        }
        if flow == Flow::Panic {
            break;
        }
        round = round.saturating_add(1);
        // A task that loops forever does the same every round: it keeps no count, so an
        // explorer sees the state repeat.
        ctx.local.loops.borrow_mut()[0] = if repeat.is_some() { round } else { 0 };
    }
    ctx.world.joins.finish(ctx.id);
}

/// Boxed, because it recurses through `repeat` and `select`.
fn run_ops<'a>(ctx: &'a mut TaskCtx, ops: &'a [Op], held: &'a mut Vec<(MutexId, Guard)>) -> LocalBoxFuture<'a, Flow> {
    async move {
        for op in ops {
            ctx.label.store(op.label, Ordering::Relaxed);
            if !ctx.tick() {
                return park().await;
            }
            if run_op(ctx, op, held).await == Flow::Panic {
                return Flow::Panic;
            }
        }
        Flow::Next
    }
    .boxed_local()
}

/// Takes mutex `m` for the task: a read lock if `shared` (an rwlock's), else the lock.
async fn lock(ctx: &TaskCtx, m: MutexId, shared: bool) -> Guard {
    let tag = Tag(ctx.id as u64);
    match &ctx.world.mutexes[m as usize] {
        Instance::Async(mx) => Guard::Async(mx.clone().lock_owned_tagged(tag).await),
        Instance::Policy(mx) => Guard::Policy(mx.clone().lock_owned_tagged(tag).await),
        Instance::RwLock(l) if shared => Guard::Read(l.clone().read_owned_tagged(tag).await),
        Instance::RwLock(l) => Guard::Write(l.clone().write_owned_tagged(tag).await),
        Instance::Semaphore(count) => {
            match count.semaphore.acquire_tagged(tag).await {
                Ok(permit) => permit.forget(),
                Err(_) => unreachable!("a scenario's semaphore is never closed"),
            }
            Guard::Permit { _permit: Permit { count: count.clone(), task: ctx.id } }
        }
        Instance::Watch(cell) => Guard::Watch(cell.clone().lock_owned_tagged(tag).await),
        Instance::Blocking(b) => {
            let sink = &ctx.world.sink;
            sink.push(EventKind::LockRequested { task: ctx.id, mutex: m });
            match b.holder.get() {
                None => {
                    b.holder.set(Some(ctx.id));
                    sink.push(EventKind::Acquired { task: ctx.id, mutex: m });
                    Guard::Blocking(BlockingGuard { lock: b.clone(), mutex: m, task: ctx.id, sink: sink.clone() })
                }
                Some(holder) => {
                    // A real std::sync::Mutex would block this thread here, and with it
                    // every task, including the holder: nothing can ever run again.
                    sink.push(EventKind::Stalled { task: ctx.id, mutex: m, holder });
                    ctx.world.budget.halt(Halt::Stalled);
                    park::<()>().await;
                    unreachable!("a stalled executor never polls again")
                }
            }
        }
    }
}

/// Races mutex `m`'s lock against a sleep of `ms`, polling the sleep first if
/// `sleep_first` (a biased `select!`) or the lock first (`timeout`); the guard if the lock
/// won. The loser is dropped before this returns: a lock future dropped while queued
/// leaves the queue (`Cancelled`), and one dropped holding a lock handed to it meanwhile
/// passes it on (our locks are cancel safe), both before the sleep's end is recorded.
async fn lock_or_sleep(ctx: &TaskCtx, m: MutexId, ms: u64, sleep_first: bool) -> Option<Guard> {
    use futures::future::{select, Either};
    let sink = &ctx.world.sink;
    let sleep = ctx.world.clock.sleep(ms);
    sink.push(EventKind::SleepStart { task: ctx.id, until: sleep.deadline() });
    let locked = {
        let lock = std::pin::pin!(lock(ctx, m, false));
        if sleep_first {
            match select(sleep, lock).await {
                Either::Left(((), _lock)) => None,
                Either::Right((guard, _timer)) => Some(guard),
            }
        } else {
            match select(lock, sleep).await {
                Either::Left((guard, _timer)) => Some(guard),
                Either::Right(((), _lock)) => None,
            }
        }
    };
    sink.push(EventKind::SleepEnd { task: ctx.id });
    locked
}

async fn run_op(ctx: &mut TaskCtx, op: &Op, held: &mut Vec<(MutexId, Guard)>) -> Flow {
    let id = ctx.id;
    let sink = ctx.world.sink.clone();
    let error = |message: String| {
        let message = sink.line(message);
        sink.push(EventKind::Error { task: id, message });
    };
    let m = op.mutex.unwrap_or(0);
    let find = |held: &mut Vec<(MutexId, Guard)>| held.iter().rposition(|(hm, _)| *hm == m);
    match &op.step {
        Step::Lock { .. } | Step::ReadLock { .. } => {
            let guard = lock(ctx, m, matches!(op.step, Step::ReadLock { .. })).await;
            held.push((m, guard));
        }
        Step::TryLock { .. } => {
            let tag = Tag(id as u64);
            let guard = match &ctx.world.mutexes[m as usize] {
                Instance::Async(mx) => mx.clone().try_lock_owned_tagged(tag).ok().map(Guard::Async),
                Instance::Watch(cell) => cell.clone().try_lock_owned_tagged(tag).ok().map(Guard::Watch),
                Instance::Blocking(_) => None,
                Instance::Policy(mx) => mx.clone().try_lock_owned_tagged(tag).ok().map(Guard::Policy),
                Instance::RwLock(l) => l.clone().try_write_owned_tagged(tag).ok().map(Guard::Write),
                Instance::Semaphore(count) => count.semaphore.try_acquire_tagged(tag).ok().map(|permit| {
                    permit.forget();
                    Guard::Permit { _permit: Permit { count: count.clone(), task: id } }
                }),
            };
            if let Some(g) = guard {
                held.push((m, g));
            }
        }
        Step::LockTimeout { ms, .. } => {
            // `timeout(ms, lock)`: whichever finishes first; the other future is dropped.
            // Dropping a queued lock future leaves the queue (`Cancelled`), and a lock
            // handed to it meanwhile passes on: the Mutex is cancel safe.
            if let Some(guard) = lock_or_sleep(ctx, m, *ms, false).await {
                held.push((m, guard));
            }
        }
        Step::Select { ms, .. } => {
            // `tokio::select! { biased; _ = sleep => .., guard = lock => .. }`: the sleep is
            // polled first. If its timer has fired, it wins even if the lock was handed to
            // the task meanwhile: the lock future is then dropped holding the lock, and
            // passes it on (`Released`, then `Acquired` for the next waiter). Dropping it
            // while it waits leaves the queue (`Cancelled`).
            match lock_or_sleep(ctx, m, *ms, true).await {
                Some(guard) => {
                    held.push((m, guard));
                    let flow = run_ops(ctx, &op.body, held).await;
                    if flow == Flow::Panic {
                        return Flow::Panic;
                    }
                    // The branch's end drops its guard of the mutex, if it still holds one
                    // (validation lets it hold no other it took).
                    if let Some(i) = find(held) {
                        drop(held.remove(i));
                    }
                }
                None => {
                    if run_ops(ctx, &op.other, held).await == Flow::Panic {
                        return Flow::Panic;
                    }
                }
            }
        }
        Step::Unlock { mutex } => match find(held) {
            Some(i) => drop(held.remove(i)),
            None => error(format!(
                "drop of the {mutex:?} guard, but the task does not hold it \
                 (its try_lock failed, or its lock_timeout timed out)"
            )),
        },
        Step::LockedWrite { action, .. } => {
            let mut guard = lock(ctx, m, false).await;
            write(ctx, m, &mut guard, action);
        }
        Step::Write { mutex, action } => match find(held) {
            Some(i) => write(ctx, m, &mut held[i].1, action),
            None => error(format!("write to {mutex:?} without holding its guard (its try_lock failed)")),
        },
        Step::Read { mutex, key } => match find(held) {
            Some(i) => {
                // Copying the value costs as much as its size: counted against the poll.
                ctx.world.budget.charge_bytes(ctx.world.sizes.borrow().get(m as usize).copied().unwrap_or(0));
                let v = held[i].1.value();
                ctx.local.set_register(match key {
                    Some(k) => Register::Entry(v.get(k).cloned()),
                    None => Register::Value(v),
                });
            }
            None => error(format!("read of {mutex:?} without holding its guard (its try_lock failed)")),
        },
        Step::Dbg { name } => {
            let text = match &*ctx.local.register.borrow() {
                Some(Register::Entry(e)) => format!("{name} = {e:#?}"),
                Some(Register::Value(v)) => format!("{name} = {v:#?}"),
                None => format!("{name} = ()"),
            };
            let line = sink.line(text);
            sink.push(EventKind::Print { task: id, line });
        }
        Step::Print { text } => {
            let line = sink.line(text.clone());
            sink.push(EventKind::Print { task: id, line });
        }
        Step::Sleep { ms } => {
            let sleep = ctx.world.clock.sleep(*ms);
            sink.push(EventKind::SleepStart { task: id, until: sleep.deadline() });
            sleep.await;
            sink.push(EventKind::SleepEnd { task: id });
        }
        Step::Busy { ms } => {
            sink.push(EventKind::Busy { task: id, ms: *ms });
            ctx.world.clock.advance(*ms);
            sink.set_time(ctx.world.clock.now());
        }
        Step::Yield => yield_now().await,
        Step::Repeat { times, .. } => {
            ctx.local.loops.borrow_mut().push(0);
            for round in 0..*times {
                // Each round counts, so nested repeats of nothing still add up.
                if !ctx.tick() {
                    return park().await;
                }
                if let Some(last) = ctx.local.loops.borrow_mut().last_mut() {
                    *last = round;
                }
                if run_ops(ctx, &op.body, held).await == Flow::Panic {
                    return Flow::Panic;
                }
                ctx.label.store(op.label, Ordering::Relaxed);
            }
            ctx.local.loops.borrow_mut().pop();
        }
        Step::WaitUntil { until, take: take_it, .. } => {
            let Instance::Watch(cell) = &ctx.world.mutexes[m as usize] else { unreachable!("validated: a watch cell") };
            sink.push(EventKind::Watching { task: id, mutex: m });
            let cond = until.clone();
            let mut guard = Guard::Watch(cell.clone().wait_until_owned(Tag(id as u64), move |v| cond.holds(v)).await);
            sink.push(EventKind::WatchEnd { task: id, mutex: m });
            if *take_it {
                take_into_register(ctx, m, &mut guard);
            }
        }
        Step::BrokenWait { until, take: take_it, .. } => {
            let take_it = *take_it;
            let cond: Condition = until.clone();
            // Taking an item changes the value: render it right there, under the lock
            // the poll_fn holds (re-locking afterwards would be a second, untagged
            // acquisition that no task made).
            let check = move |v: &mut Value| {
                if !cond.holds(v) {
                    return Poll::Pending;
                }
                Poll::Ready(if take_it { Some((take(v), render(v))) } else { None })
            };
            let tag = Tag(id as u64);
            let taken = match &ctx.world.mutexes[m as usize] {
                Instance::Async(mx) => try_lock_in_poll_fn(mx, tag, check).await,
                Instance::Watch(cell) => try_lock_in_poll_fn(cell.mutex(), tag, check).await,
                _ => unreachable!("validated: async or watch"),
            };
            if let Some((item, rendered)) = taken {
                ctx.local.set_register(Register::Value(item));
                ctx.world.note_size(m, &rendered);
                sink.push(EventKind::Value { mutex: m, value: sink.value(rendered) });
            }
        }
        Step::Join { task: target } => {
            let joins = &ctx.world.joins;
            if !joins.done(id, *target) {
                sink.push(EventKind::Joining { task: id, target: *target });
                joins.join(id, *target).await;
                sink.push(EventKind::Joined { task: id });
            }
        }
        Step::Assert { mutex, until } => {
            // Comparing the value costs as much as its size: counted against the poll.
            ctx.world.budget.charge_bytes(ctx.world.sizes.borrow().get(m as usize).copied().unwrap_or(0));
            let check = |v: &Value| (!until.holds(v)).then(|| shown(v));
            let failed = match find(held) {
                Some(i) => held[i].1.with(check),
                // `assert!(cond(&*m.lock().await))`: the temporary guard is dropped at the
                // end of the condition, before the panic.
                None => lock(ctx, m, true).await.with(check),
            };
            if let Some(it_is) = failed {
                let message = sink.line(format!("assertion failed: {} (it is {it_is})", until.describe(mutex)));
                sink.push(EventKind::AssertFailed { task: id, mutex: m, message });
                return Flow::Panic;
            }
        }
    }
    Flow::Next
}

/// A value as an assertion message shows it: its JSON, cut at 80 characters.
fn shown(v: &Value) -> String {
    let text = render(v);
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn write(ctx: &TaskCtx, m: MutexId, guard: &mut Guard, action: &WriteAction) {
    let now = ctx.world.clock.now();
    let sink = &ctx.world.sink;
    let read = matches!(action, WriteAction::ReadPlus { .. }).then(|| ctx.local.number()).flatten();
    match guard.with_mut(|v| apply(action, v, now, read).map(|()| render(v))) {
        Ok(rendered) => {
            ctx.world.note_size(m, &rendered);
            sink.push(EventKind::Value { mutex: m, value: sink.value(rendered) })
        }
        Err(message) => {
            let message = sink.line(format!("{}: {message}", action.label()));
            sink.push(EventKind::Error { task: ctx.id, message });
        }
    }
}

fn take_into_register(ctx: &mut TaskCtx, m: MutexId, guard: &mut Guard) {
    let sink = ctx.world.sink.clone();
    let Ok((item, rendered)) = guard.with_mut(|v| {
        let item = take(v);
        Ok((item, render(v)))
    }) else {
        return;
    };
    ctx.local.set_register(Register::Value(item));
    ctx.world.note_size(m, &rendered);
    sink.push(EventKind::Value { mutex: m, value: sink.value(rendered) });
}

impl World {
    fn note_size(&self, m: MutexId, rendered: &str) {
        if let Some(size) = self.sizes.borrow_mut().get_mut(m as usize) {
            *size = rendered.len() as u64;
        }
    }
}
