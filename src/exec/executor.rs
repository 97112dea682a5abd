//! A deterministic single-threaded executor: one step is one poll of one task.

use super::budget::{Budget, Halt};
use super::clock::Clock;
use super::event::{EventKind, Sink, TaskId, WokenBy};
use futures::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Wake, Waker};

/// Which ready task runs next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Policy {
    /// The task woken first runs first. The default.
    ///
    /// One ready queue in wake order; a task that yields (wakes itself while it runs)
    /// joins its back like any other wake, and timers fire only when nothing is ready.
    /// tokio's `current_thread` runtime differs in one place: it holds a task that called
    /// `yield_now` back until its run queue is empty (see [`Policy::Tokio`]), so under
    /// `Fifo` a yield lets every task already ready run once, and under tokio it lets
    /// every task ready *or woken before the queue empties* run first.
    #[default]
    Fifo,
    /// Like tokio's `current_thread` runtime: FIFO, except that a task that woke itself
    /// while it ran (`yield_now`) is held back until the ready queue is empty, and the
    /// held-back tasks then rejoin it newest first (tokio defers a yield's wake-up and
    /// wakes the deferred list last in, first out before it parks). Timers fire only
    /// when nothing is ready, as under `Fifo` (tokio also looks at them every 61 polls,
    /// which a virtual clock that stands still while tasks run makes moot).
    ///
    /// The difference can decide a run: here `left` yields first, so under `Fifo` `right`
    /// takes b and yields, `left` takes a and queues for b, and `right` queues for a.
    /// Under `Tokio` both yields are held back, `right` comes back first, takes a, and
    /// both finish. Both are real schedules of the program, and the explorer finds both.
    ///
    /// ```
    /// use mutex_playground::exec::Policy;
    /// use mutex_playground::scenario::Scenario;
    /// use mutex_playground::trace::{simulate, EndReason};
    ///
    /// let s = Scenario::from_json(r#"{"name": "x", "mutexes": [{"name": "a"}, {"name": "b"}], "tasks": [
    ///     {"name": "left", "steps": [{"op": "yield"}, {"op": "lock", "mutex": "a"}, {"op": "lock", "mutex": "b"}]},
    ///     {"name": "right", "steps": [{"op": "lock", "mutex": "b"}, {"op": "yield"}, {"op": "lock", "mutex": "a"}]}
    /// ]}"#).unwrap();
    /// assert!(matches!(simulate(&s, &Policy::Fifo).unwrap().end, EndReason::Deadlock { .. }));
    /// assert_eq!(simulate(&s, &Policy::Tokio).unwrap().end, EndReason::Finished);
    /// ```
    Tokio,
    /// A ready task picked by a seeded pseudo-random generator: same seed, same run.
    Random {
        /// Seeds the generator (xorshift64*): any value, and the same seed gives the same
        /// run. (One value, `0x9E37_79B9_7F4A_7C15`, leaves the generator stuck at 0, so it
        /// always picks the first ready task, like `Fifo`.)
        seed: u64,
    },
    /// The caller's choices, in order (a person playing the scheduler, or a replay of a
    /// recorded run). When they run out, the executor stops and reports the ready set.
    Manual {
        /// The task to poll at each step, step 1 first. A choice naming a task that is
        /// not ready then stops the run with [`StepOutcome::BadChoice`].
        choices: Vec<TaskId>,
    },
}

impl Policy {
    /// Reads a policy as [`Display`](fmt::Display) writes it: `fifo`, `tokio`,
    /// `random:SEED`, or `manual:` followed by task ids joined by dots (`manual:0.1.1`;
    /// `manual:` alone has no choices yet). `None` for anything else.
    ///
    /// ```
    /// use mutex_playground::exec::Policy;
    /// assert_eq!(Policy::parse("manual:0.2"), Some(Policy::Manual { choices: vec![0, 2] }));
    /// assert_eq!(Policy::parse("tokio").unwrap().to_string(), "tokio");
    /// assert_eq!(Policy::parse("manual:0..2"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Policy> {
        match text {
            "fifo" => return Some(Policy::Fifo),
            "tokio" => return Some(Policy::Tokio),
            _ => {}
        }
        if let Some(seed) = text.strip_prefix("random:") {
            return seed.parse().ok().map(|seed| Policy::Random { seed });
        }
        let list = text.strip_prefix("manual:")?;
        if list.is_empty() {
            return Some(Policy::Manual { choices: Vec::new() });
        }
        list.split('.').map(|c| c.parse().ok()).collect::<Option<_>>().map(|choices| Policy::Manual { choices })
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Fifo => f.write_str("fifo"),
            Policy::Tokio => f.write_str("tokio"),
            Policy::Random { seed } => write!(f, "random:{seed}"),
            Policy::Manual { choices } => {
                f.write_str("manual:")?;
                for (i, c) in choices.iter().enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write!(f, "{c}")?;
                }
                Ok(())
            }
        }
    }
}

/// What one call to [`Executor::step`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// Polled this task.
    Polled(TaskId),
    /// Every task finished.
    Finished,
    /// Nothing is ready and no timer is set, but some tasks never finished.
    Quiescent,
    /// The run was halted from inside (a stalled thread, a runaway task, a limit): see
    /// [`Budget`]. Nothing runs any more.
    Halted(Halt),
    /// `Manual` policy: these tasks are ready, and a choice is needed.
    NeedChoice(Vec<TaskId>),
    /// A manual choice named a task that is not ready.
    BadChoice(TaskId),
}

/// Bounds for [`Executor::run_to_end`]. Its defaults are also a scenario's default
/// [`Limits`](crate::scenario::Limits) (one definition for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunLimits {
    /// Polls at most (counting those already made).
    pub max_steps: u32,
    /// Virtual milliseconds at most.
    pub max_time_ms: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits { max_steps: 200_000, max_time_ms: 600_000 }
    }
}

/// Why [`Executor::run_until`] or [`Executor::run_to_end`] returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every task finished.
    Finished,
    /// Nothing is ready and no timer is set, but some tasks never finished.
    Quiescent,
    /// The run was halted from inside (see [`Budget`]).
    Halted(Halt),
    /// `Manual` policy: a choice among these ready tasks is needed.
    NeedChoice(Vec<TaskId>),
    /// A manual choice named a task that was not ready.
    BadChoice(TaskId),
    /// `run_until`: virtual time reached the target (nothing else is due by then).
    TimeReached,
    /// `run_to_end`: the step limit was reached.
    StepLimit,
    /// `run_to_end`: virtual time passed the limit.
    TimeLimit,
}

/// A task future, as the executor stores it: boxed, `!Send` allowed, returning `()`.
///
/// An alias of [`LocalBoxFuture`]`<'static, ()>`; make one with
/// [`FutureExt::boxed_local`](futures::FutureExt::boxed_local) (or `Box::pin`).
pub type BoxFuture = LocalBoxFuture<'static, ()>;

/// Values of `Shared::current` that are not task ids.
const NOBODY: u32 = u32::MAX;
const TIMER: u32 = u32::MAX - 1;

struct TaskSlot {
    future: Option<BoxFuture>,
    /// Kept alive for the whole run, so `strong_count` tells whether anyone else holds a
    /// clone: after a `Pending`, 2 (this and `waker`) means nobody can ever wake it.
    waker_arc: Arc<TaskWaker>,
    waker: Waker,
    done: bool,
}

struct TaskWaker {
    id: TaskId,
    shared: Arc<Shared>,
}

struct Shared {
    /// The task being polled, or NOBODY / TIMER; wakes record it as the waker.
    current: AtomicU32,
    /// Wakes not yet moved to the ready queue, in order.
    woken: StdMutex<Vec<(TaskId, WokenBy)>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let by = match self.shared.current.load(Ordering::Relaxed) {
            NOBODY => WokenBy::Executor,
            TIMER => WokenBy::Timer,
            task => WokenBy::Task(task),
        };
        self.shared.woken.lock().unwrap_or_else(|p| p.into_inner()).push((self.id, by));
    }
}

/// Runs `!Send` task futures one poll at a time against a virtual [`Clock`], recording
/// every poll, wake and timer in a [`Sink`].
///
/// Wakers are real `std::task::Waker`s: a task is polled only after something woke it
/// (the Mutex handing it the lock, a timer, a write to a watch cell, its own yield).
/// Given the same tasks and [`Policy`], every run is identical, and every choice is
/// recorded ([`Executor::choices`]) so a run can be replayed with `Policy::Manual`.
///
/// After each `Pending` it checks whether anything still holds the task's waker (a lock
/// queue, a timer, a watch list) or a wake is already recorded; if not, the task can
/// never run again, and [`EventKind::LostWakeup`] is recorded (unless the budget halted
/// the run, which parks the running task for good on purpose).
///
/// # Examples
///
/// ```
/// use futures::FutureExt;
/// use mutex_playground::exec::{Clock, Executor, Policy, Sink, StepOutcome};
///
/// let sink = Sink::new();
/// let clock = Clock::new();
/// let mut ex = Executor::new(clock.clone(), sink.clone(), Policy::Fifo);
/// let c = clock.clone();
/// ex.spawn(async move { c.sleep(5).await }.boxed_local());
/// assert_eq!(ex.step(), StepOutcome::Polled(0)); // sleeps
/// assert_eq!(ex.step(), StepOutcome::Polled(0)); // the clock jumped to 5 ms
/// assert_eq!(clock.now(), 5);
/// assert_eq!(ex.step(), StepOutcome::Finished);
/// ```
pub struct Executor {
    tasks: Vec<TaskSlot>,
    ready: VecDeque<TaskId>,
    is_ready: Vec<bool>,
    shared: Arc<Shared>,
    clock: Clock,
    sink: Arc<Sink>,
    policy: Policy,
    rng: u64,
    manual_next: usize,
    choices: Vec<TaskId>,
    /// `Policy::Tokio`: tasks that yielded, held back until the ready queue is empty.
    deferred: Vec<TaskId>,
    steps: u32,
    budget: Rc<Budget>,
    /// Label index each task is parked at, set by the interpreter as it goes.
    labels: Vec<Arc<AtomicU32>>,
}

impl Executor {
    /// An executor with no tasks, at step 0, recording into `sink` and sleeping on
    /// `clock`, that picks the next task by `policy`, with an unlimited budget (see
    /// [`with_budget`](Self::with_budget)).
    ///
    /// The tasks' sleeps must use the same `clock`, and `sink` must belong to this
    /// thread (see [`Sink`]).
    pub fn new(clock: Clock, sink: Arc<Sink>, policy: Policy) -> Executor {
        let rng = match policy {
            Policy::Random { seed } => seed ^ 0x9E37_79B9_7F4A_7C15,
            _ => 0,
        };
        Executor {
            tasks: Vec::new(),
            ready: VecDeque::new(),
            is_ready: Vec::new(),
            shared: Arc::new(Shared { current: AtomicU32::new(NOBODY), woken: StdMutex::new(Vec::new()) }),
            clock,
            sink,
            policy,
            rng,
            manual_next: 0,
            choices: Vec::new(),
            deferred: Vec::new(),
            steps: 0,
            budget: Rc::new(Budget::new(u64::MAX, u64::MAX)),
            labels: Vec::new(),
        }
    }

    /// Adds a task; it is ready at once (behind the tasks already ready). Returns its id:
    /// ids count from 0 in spawn order. Records [`EventKind::Spawn`].
    pub fn spawn(&mut self, future: BoxFuture) -> TaskId {
        self.spawn_labelled(future, Arc::new(AtomicU32::new(0)))
    }

    /// Like [`spawn`](Self::spawn), with a cell where the task's code writes the label
    /// index of the step it is on: read after each poll that returns `Pending`, and
    /// recorded as [`EventKind::Pending`]'s `at`. (`spawn` gives a cell stuck at 0.)
    pub fn spawn_labelled(&mut self, future: BoxFuture, label: Arc<AtomicU32>) -> TaskId {
        let id = self.tasks.len() as TaskId;
        let waker_arc = Arc::new(TaskWaker { id, shared: self.shared.clone() });
        let waker = Waker::from(waker_arc.clone());
        self.tasks.push(TaskSlot { future: Some(future), waker_arc, waker, done: false });
        self.is_ready.push(true);
        self.ready.push_back(id);
        self.labels.push(label);
        self.sink.push(EventKind::Spawn { task: id });
        id
    }

    /// Polls so far: the number of the last step run (0 before the first).
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Every scheduling choice made so far, in order: the task polled at step `i + 1` is
    /// `choices()[i]`. As `Policy::Manual { choices }`, it replays the run.
    pub fn choices(&self) -> &[TaskId] {
        &self.choices
    }

    /// Tasks ready to run, in wake order (the order `Policy::Fifo` runs them; under
    /// `Policy::Tokio`, the tasks held back after a yield follow, in the order they will
    /// rejoin the queue).
    ///
    /// Takes `&mut self` because it first moves the wakes recorded since the last step
    /// onto the ready queue, recording their [`EventKind::Woken`] events.
    pub fn ready(&mut self) -> Vec<TaskId> {
        self.collect_wakes();
        self.ready.iter().chain(self.deferred.iter().rev()).copied().collect()
    }

    /// `Policy::Manual`: adds `task` to the choices still to make, so a run that stopped
    /// for a choice ([`StepOutcome::NeedChoice`]) goes on with it at the next step. (An
    /// explorer walks the schedules this way, one choice at a time.) Other policies
    /// choose for themselves: nothing happens.
    pub fn choose(&mut self, task: TaskId) {
        if let Policy::Manual { choices } = &mut self.policy {
            choices.push(task);
        }
    }

    /// Counts work against `budget` (the default budget is unlimited): each poll starts
    /// with [`Budget::start_poll`], and once the budget is halted, [`step`](Self::step)
    /// returns [`StepOutcome::Halted`]. The tasks' code shares the same budget and calls
    /// [`Budget::tick`] for each step it runs.
    pub fn with_budget(mut self, budget: Rc<Budget>) -> Executor {
        self.budget = budget;
        self
    }

    /// Moves recorded wakes onto the ready queue (a task already ready stays put).
    fn collect_wakes(&mut self) {
        let woken = std::mem::take(&mut *self.shared.woken.lock().unwrap_or_else(|p| p.into_inner()));
        for (task, by) in woken {
            let i = task as usize;
            if self.tasks[i].done {
                continue;
            }
            self.sink.push(EventKind::Woken { task, by });
            if !self.is_ready[i] {
                self.is_ready[i] = true;
                if self.policy == Policy::Tokio && by == WokenBy::Task(task) {
                    self.deferred.push(task);
                } else {
                    self.ready.push_back(task);
                }
            }
        }
    }

    /// Fires due timers until some task is ready; false if there are none left.
    fn advance_clock(&mut self) -> bool {
        while self.ready.is_empty() {
            if !self.clock.has_timers() {
                return false;
            }
            let wakers = self.clock.fire_next();
            self.sink.set_time(self.clock.now());
            // Wakes while `current` is TIMER are attributed to the timer.
            self.shared.current.store(TIMER, Ordering::Relaxed);
            wakers.into_iter().for_each(Waker::wake);
            self.shared.current.store(NOBODY, Ordering::Relaxed);
            self.collect_wakes();
        }
        true
    }

    /// Runs one step: picks a ready task by the policy and polls it once.
    ///
    /// If no task is ready, it first fires the earliest timers (the clock jumps to their
    /// deadline) until one is. It polls nothing, and says why, if the budget is halted,
    /// if every task is done, if nothing is ready and no timer is set, or (`Manual`) if a
    /// choice is missing or names a task that is not ready.
    pub fn step(&mut self) -> StepOutcome {
        if let Some(halt) = self.budget.halted() {
            return StepOutcome::Halted(halt);
        }
        // Wakes and timers from here on belong to the step about to run.
        self.sink.set_now(self.steps + 1, self.clock.now());
        self.collect_wakes();
        if self.ready.is_empty() {
            // Tokio: the tasks held back after a yield rejoin the empty queue, newest first.
            self.ready.extend(self.deferred.drain(..).rev());
        }
        if self.ready.is_empty() && !self.advance_clock() {
            return if self.tasks.iter().all(|t| t.done) { StepOutcome::Finished } else { StepOutcome::Quiescent };
        }
        let index = match &self.policy {
            Policy::Fifo | Policy::Tokio => 0,
            Policy::Random { .. } => {
                // xorshift64*: small, fast, and the same everywhere.
                self.rng ^= self.rng >> 12;
                self.rng ^= self.rng << 25;
                self.rng ^= self.rng >> 27;
                let r = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
                (r % self.ready.len() as u64) as usize
            }
            Policy::Manual { choices } => {
                let Some(&choice) = choices.get(self.manual_next) else {
                    return StepOutcome::NeedChoice(self.ready.iter().copied().collect());
                };
                match self.ready.iter().position(|&t| t == choice) {
                    Some(i) => {
                        self.manual_next += 1;
                        i
                    }
                    None => return StepOutcome::BadChoice(choice),
                }
            }
        };
        let task = self.ready.remove(index).expect("index within the ready queue");
        self.is_ready[task as usize] = false;
        self.choices.push(task);
        self.poll_task(task);
        StepOutcome::Polled(task)
    }

    /// Runs steps until everything due by virtual time `time` has run, then moves the
    /// clock to `time` (if it is not past it already, e.g. by busy work).
    ///
    /// Stops early if the run ends or (`Manual`) a choice is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::FutureExt;
    /// use mutex_playground::exec::{Clock, Executor, Policy, Sink, Stop};
    ///
    /// let clock = Clock::new();
    /// let mut ex = Executor::new(clock.clone(), Sink::new(), Policy::Fifo);
    /// let c = clock.clone();
    /// ex.spawn(async move { c.sleep(100).await }.boxed_local());
    /// assert_eq!(ex.run_until(40), Stop::TimeReached);
    /// assert_eq!(clock.now(), 40);
    /// assert_eq!(ex.run_until(1_000), Stop::Finished);
    /// assert_eq!(clock.now(), 100); // finished at the timer, not at the target
    /// ```
    pub fn run_until(&mut self, time: u64) -> Stop {
        loop {
            self.collect_wakes();
            if self.ready.is_empty() && self.budget.halted().is_none() {
                match self.clock.next_deadline() {
                    Some(deadline) if deadline > time => {
                        let now = self.clock.now();
                        if now < time {
                            self.clock.advance(time - now);
                        }
                        return Stop::TimeReached;
                    }
                    _ => {}
                }
            }
            match self.step() {
                StepOutcome::Polled(_) => {}
                other => return Stop::from_outcome(other),
            }
        }
    }

    /// Runs steps until the run ends, a limit is reached, or (`Manual`) a choice is
    /// needed.
    ///
    /// The step limit is checked before each step, the time limit after each poll (busy
    /// work can move the clock inside one).
    pub fn run_to_end(&mut self, limits: RunLimits) -> Stop {
        loop {
            if self.steps >= limits.max_steps {
                return Stop::StepLimit;
            }
            match self.step() {
                StepOutcome::Polled(_) if self.clock.now() > limits.max_time_ms => return Stop::TimeLimit,
                StepOutcome::Polled(_) => {}
                other => return Stop::from_outcome(other),
            }
        }
    }

    fn poll_task(&mut self, task: TaskId) {
        self.steps += 1;
        self.budget.start_poll(self.sink.text_bytes());
        self.sink.set_now(self.steps, self.clock.now());
        self.sink.push(EventKind::Poll { task });
        self.shared.current.store(task, Ordering::Relaxed);
        let slot = &mut self.tasks[task as usize];
        let mut cx = Context::from_waker(&slot.waker);
        let future = slot.future.as_mut().expect("a finished task is never ready");
        let poll = future.as_mut().poll(&mut cx);
        self.shared.current.store(NOBODY, Ordering::Relaxed);
        // Busy work inside the poll may have moved the clock.
        self.sink.set_time(self.clock.now());
        match poll {
            Poll::Ready(()) => {
                slot.done = true;
                slot.future = None; // drops whatever the task still held
                self.sink.push(EventKind::Done { task });
            }
            Poll::Pending => {
                let at = self.labels[task as usize].load(Ordering::Relaxed);
                self.sink.push(EventKind::Pending { task, at });
                // Anyone holding a clone of this task's waker (a lock queue, a timer, a
                // watch list), or a wake already recorded, means it can run again.
                let held_elsewhere = Arc::strong_count(&slot.waker_arc) > 2;
                let woken = self.shared.woken.lock().unwrap_or_else(|p| p.into_inner()).iter().any(|w| w.0 == task);
                // A task parked by a halt is not a lost wake-up: the run stops anyway.
                if !held_elsewhere && !woken && self.budget.halted().is_none() {
                    self.sink.push(EventKind::LostWakeup { task });
                }
            }
        }
    }
}

impl Stop {
    fn from_outcome(outcome: StepOutcome) -> Stop {
        match outcome {
            StepOutcome::Finished => Stop::Finished,
            StepOutcome::Quiescent => Stop::Quiescent,
            StepOutcome::Halted(h) => Stop::Halted(h),
            StepOutcome::NeedChoice(ready) => Stop::NeedChoice(ready),
            StepOutcome::BadChoice(task) => Stop::BadChoice(task),
            StepOutcome::Polled(_) => unreachable!("a poll does not stop a run"),
        }
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("tasks", &self.tasks.len())
            .field("ready", &self.ready)
            .field("steps", &self.steps)
            .field("clock", &self.clock)
            .field("policy", &self.policy)
            .finish()
    }
}
