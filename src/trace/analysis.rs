//! What a run means: wait and hold times, fairness, throughput, and the alerts
//! (deadlock, lost wake-up, stalled executor, starvation, run-time errors, failed
//! assertions).

use super::state::{Lane, State};
use super::{EndReason, Handoff, Segment};
use crate::exec::{Event, EventKind, MutexId, TaskId};
use crate::scenario::Scenario;
use serde::Serialize;

/// Wait and hold times of one task, in virtual ms and in steps.
///
/// A wait runs from asking for a lock to getting it (or giving up on it: a timeout), a
/// hold from getting it to letting go; an uncontended lock cycle counts as an acquisition with zero wait and zero hold.
/// A wait or a hold still going on when the run ended counts up to the end, and is
/// flagged ([`waiting_at_end`](TaskStats::waiting_at_end),
/// [`holding_at_end`](TaskStats::holding_at_end)): after a deadlock, that wait never ends.
/// The same are counted in steps, for runs in which no virtual time passes (where every
/// wait is 0 ms). The means are over all acquisitions (0 if there were none).
///
/// # Overtaken
///
/// A waiter is *overtaken* when a task that asked for the lock after it gets the lock
/// before it. "Asked" is the order the lock itself sees: the run's
/// [`LockRequested`](EventKind::LockRequested) events, one per mutex in the order they were
/// recorded. They are the `Requested` an async Mutex or a watch cell reports when a lock
/// future is first polled (of a `lock`, `locked_write`, `lock_timeout`, `select`, `wait_until`,
/// or an `assert`'s temporary guard) or a `try_lock` is refused, and what the interpreter records
/// for a blocking mutex's lock. A lock taken at once is a request too: it is written as a
/// `LockRequested` and its `Acquired`, or is one cycle of an
/// [`Uncontended`](EventKind::Uncontended). A wait lasts from its request until the task
/// gets the lock, gives the request up ([`TryFailed`](EventKind::TryFailed): a refused
/// `try_lock`; [`Cancelled`](EventKind::Cancelled): a timeout or a `select`'s sleep, a
/// `broken_wait`'s poll), or
/// the run ends; every acquisition of the same lock in that time by a task that asked later
/// overtakes it once, so a waiter passed by two such tasks is overtaken twice. A request
/// given up ends its turn: asking again is a new request, at the back.
///
/// Our FIFO Mutex hands a released lock to the head of its queue and refuses a `try_lock`
/// while anyone is queued, so under any policy nobody is ever overtaken (a property test
/// checks it on generated scenarios). The other kinds:
/// - a watch cell's lock is the same FIFO Mutex, so 0 too. A task in `wait_until` waiting
///   for a write is on the watch list, not asking for the lock: when woken it asks again,
///   and only that request has a turn;
/// - a blocking mutex has no queue: the first lock that finds it held stalls the only
///   thread, and nothing takes it after that, so 0;
/// - a task that polls with `try_lock` (or `broken_wait`) gives each request up within the
///   poll, so it is never counted as overtaken, however often others get in first.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct TaskStats {
    /// Locks it got, of every mutex together.
    pub acquisitions: u64,
    /// Virtual ms it waited for locks, in all.
    pub wait_total: u64,
    /// Its longest wait, in virtual ms.
    pub wait_max: u64,
    /// `wait_total` per acquisition.
    pub wait_mean: f64,
    /// Virtual ms it held locks, in all (a lock still held when the run ended counts up
    /// to the end).
    pub hold_total: u64,
    /// Its longest hold, in virtual ms.
    pub hold_max: u64,
    /// `hold_total` per acquisition.
    pub hold_mean: f64,
    /// How many times it was overtaken (see "Overtaken" above), over all its waits: once
    /// per acquisition by a task that asked for the lock after it and got it first. Our
    /// FIFO Mutex never lets that happen: 0 for every task of every run; a lock that let
    /// newcomers barge would not.
    pub overtaken: u64,
    /// The most times it was overtaken in one wait (what the starvation alert looks at).
    pub max_overtaken: u64,
    /// Steps it waited for locks, in all.
    pub wait_steps_total: u64,
    /// Its longest wait, in steps.
    pub wait_steps_max: u64,
    /// Steps it held locks, in all.
    pub hold_steps_total: u64,
    /// Its longest hold, in steps.
    pub hold_steps_max: u64,
    /// It was still waiting for a lock when the run ended (its last wait is counted up to
    /// the end; after a deadlock or a lost wake-up, it never ends).
    pub waiting_at_end: bool,
    /// It still held a lock when the run ended (counted up to the end).
    pub holding_at_end: bool,
}

impl TaskStats {
    fn add_wait(&mut self, ms: u64, steps: u64) {
        self.wait_total += ms;
        self.wait_max = self.wait_max.max(ms);
        self.wait_steps_total += steps;
        self.wait_steps_max = self.wait_steps_max.max(steps);
    }

    fn add_hold(&mut self, ms: u64, steps: u64) {
        self.hold_total += ms;
        self.hold_max = self.hold_max.max(ms);
        self.hold_steps_total += steps;
        self.hold_steps_max = self.hold_steps_max.max(steps);
    }
}

/// What kind of problem an alert reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Tasks wait for each other's locks in a cycle; with FIFO hand-over, for good.
    Deadlock,
    /// A task returned `Pending` with nobody holding its waker, and never ran again.
    LostWakeup,
    /// A blocking lock blocked the only thread.
    Stalled,
    /// A task was overtaken, in one wait, more times than there are other tasks (so one of
    /// them got in ahead of it twice), or never got the lock it asked for while others took
    /// it again and again.
    Starvation,
    /// A step failed at run time (see [`EventKind::Error`]).
    Error,
    /// An assertion failed, and its task ended there (see [`EventKind::AssertFailed`]).
    AssertionFailed,
}

/// A problem found in the run, with the moment it happened (for "jump to").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// What kind of problem.
    pub kind: AlertKind,
    /// The step it happened at, to jump to (for starvation, the run's last step).
    pub step: u32,
    /// Virtual ms at that step.
    pub time: u64,
    /// The tasks involved: a deadlock's cycle in order, a stall's blocked task then the
    /// holder, otherwise the one task.
    pub tasks: Vec<TaskId>,
    /// The mutexes involved (a deadlock's, in the cycle's order, or a stall's); may be
    /// empty.
    pub mutexes: Vec<MutexId>,
    /// One sentence, naming tasks and mutexes by their names.
    pub message: String,
}

/// The run's numbers and alerts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// Each task's numbers, by [`TaskId`].
    pub tasks: Vec<TaskStats>,
    /// Locks taken in the run, all tasks and mutexes together.
    pub acquisitions: u64,
    /// Acquisitions per virtual second (0 if no time passed).
    pub throughput_per_s: f64,
    /// Jain's fairness index over acquisitions per task that asked for a lock: 1 is
    /// perfectly even, 1/n is one task getting everything.
    pub jain_fairness: f64,
    /// The problems found, in step order.
    pub alerts: Vec<Alert>,
}

/// A wait-for cycle: (task, the mutex it waits for), each held by the next task.
type Cycle = Vec<(TaskId, MutexId)>;

pub(super) struct Recorder {
    stats: Vec<TaskStats>,
    /// When each task asked for each mutex (task → (mutex, time, step, acquisitions of it
    /// then)).
    asked: Vec<Option<(MutexId, u64, u32, u64)>>,
    /// The locks each task holds, and since when (time, step).
    held_at: Vec<Vec<(MutexId, u64, u32)>>,
    /// Per mutex, the requests so far (the last request's turn), and its waiters in the
    /// order they asked: (turn, task, times overtaken in this wait). A request leaves when
    /// its task gets the lock or gives the request up.
    turns: Vec<u64>,
    waiting: Vec<std::collections::VecDeque<(u64, TaskId, u64)>>,
    acquisitions_of: Vec<u64>,
    /// The latest release per mutex: (task, step).
    released: Vec<Option<(TaskId, u32)>>,
    lanes: Vec<(Lane, u32, u64)>,
    /// Per task, the index of its latest closed segment (to reopen it, see `record`).
    last_segment: Vec<Option<usize>>,
    segments: Vec<Segment>,
    handoffs: Vec<Handoff>,
    alerts: Vec<Alert>,
    errors: Vec<(TaskId, u32, u64, u32)>,
    /// Failed assertions: task, mutex, step, time, message line.
    asserts: Vec<(TaskId, MutexId, u32, u64, u32)>,
    lost: Vec<(TaskId, u32, u64)>,
    stalled: Option<(TaskId, MutexId, TaskId, u32, u64)>,
    /// Wait-for cycles as they formed (while other tasks may still run): cycle, step, time.
    cycles: Vec<(Cycle, u32, u64)>,
    last_step: u32,
    last_time: u64,
}

impl Recorder {
    pub(super) fn new(tasks: usize, mutexes: usize) -> Recorder {
        Recorder {
            stats: vec![TaskStats::default(); tasks],
            asked: vec![None; tasks],
            held_at: vec![Vec::new(); tasks],
            turns: vec![0; mutexes],
            waiting: vec![Default::default(); mutexes],
            acquisitions_of: vec![0; mutexes],
            released: vec![None; mutexes],
            lanes: vec![(Lane::Ready, 0, 0); tasks],
            last_segment: vec![None; tasks],
            segments: Vec::new(),
            handoffs: Vec::new(),
            alerts: Vec::new(),
            errors: Vec::new(),
            asserts: Vec::new(),
            lost: Vec::new(),
            stalled: None,
            cycles: Vec::new(),
            last_step: 0,
            last_time: 0,
        }
    }

    /// `times` acquisitions of `mutex` by a request of this `turn`: each still waiting that
    /// asked before it is overtaken that many times.
    fn overtake(&mut self, mutex: MutexId, turn: u64, times: u64) {
        for w in self.waiting[mutex as usize].iter_mut().take_while(|w| w.0 < turn) {
            w.2 += times;
            let stats = &mut self.stats[w.1 as usize];
            stats.overtaken += times;
            stats.max_overtaken = stats.max_overtaken.max(w.2);
        }
    }

    /// Sees each event after it was applied to `state`.
    pub(super) fn observe(&mut self, e: &Event, state: &State) {
        self.last_step = e.step;
        self.last_time = e.time;
        match e.kind {
            EventKind::LockRequested { task, mutex } => {
                self.asked[task as usize] = Some((mutex, e.time, e.step, self.acquisitions_of[mutex as usize]));
                let m = mutex as usize;
                self.turns[m] += 1;
                // Turns only grow, so the queue stays in the order the tasks asked.
                self.waiting[m].push_back((self.turns[m], task, 0));
            }
            EventKind::Acquired { task, mutex } => {
                let s = &mut self.stats[task as usize];
                s.acquisitions += 1;
                if let Some((m, since, since_step, _)) = self.asked[task as usize].take() {
                    if m == mutex {
                        s.add_wait(e.time - since, u64::from(e.step - since_step));
                    }
                }
                // Its request's turn ends; whoever asked before it and still waits is
                // overtaken. (A task that took it without a request came after all of them.)
                let queue = &mut self.waiting[mutex as usize];
                let turn = match queue.iter().position(|w| w.1 == task) {
                    Some(i) => queue.remove(i).map_or(u64::MAX, |(turn, ..)| turn),
                    None => u64::MAX,
                };
                self.overtake(mutex, turn, 1);
                self.acquisitions_of[mutex as usize] += 1;
                self.held_at[task as usize].push((mutex, e.time, e.step));
                if let Some((from, step)) = self.released[mutex as usize] {
                    if step == e.step && from != task {
                        self.handoffs.push(Handoff { mutex, from, to: task, step: e.step, time: e.time });
                    }
                }
            }
            EventKind::Released { task, mutex } => {
                let held = &mut self.held_at[task as usize];
                if let Some(p) = held.iter().rposition(|&(m, ..)| m == mutex) {
                    let (_, since, since_step) = held.remove(p);
                    self.stats[task as usize].add_hold(e.time - since, u64::from(e.step - since_step));
                }
                self.released[mutex as usize] = Some((task, e.step));
            }
            EventKind::Uncontended { task, mutex, times } => {
                // `times` acquisitions, none waited, none held for any time.
                let times = u64::from(times);
                // Each cycle asked after everyone waiting: it would overtake them all. (Not
                // with our locks: a lock is taken at once only while nobody is queued.)
                self.overtake(mutex, u64::MAX, times);
                self.stats[task as usize].acquisitions += times;
                self.acquisitions_of[mutex as usize] += times;
                self.released[mutex as usize] = Some((task, e.step));
            }
            EventKind::Enqueued { task, .. } => {
                // Follow waits from the new waiter: task → the mutex it waits for → its
                // holders → ... Back at `task` means a cycle has just formed (with a
                // hand-off, for good).
                if let Some(path) = state.wait_cycle(task) {
                    self.cycles.push((path, e.step, e.time));
                }
            }
            EventKind::TryFailed { task, mutex } | EventKind::Cancelled { task, mutex } => {
                // A wait given up (a timeout) was a wait all the same.
                if let Some((m, since, since_step, _)) = self.asked[task as usize].take() {
                    if m == mutex {
                        self.stats[task as usize].add_wait(e.time - since, u64::from(e.step - since_step));
                    }
                }
                self.waiting[mutex as usize].retain(|w| w.1 != task);
            }
            EventKind::LostWakeup { task } => self.lost.push((task, e.step, e.time)),
            EventKind::Stalled { task, mutex, holder } => self.stalled = Some((task, mutex, holder, e.step, e.time)),
            EventKind::Error { task, message } => self.errors.push((task, e.step, e.time, message)),
            EventKind::AssertFailed { task, mutex, message } => {
                self.asserts.push((task, mutex, e.step, e.time, message))
            }
            _ => {}
        }
        if let Some(task) = e.kind.task() {
            let lane = state.lane(task);
            let (current, step, time) = self.lanes[task as usize];
            if lane != current {
                if e.step > step || e.time > time {
                    self.last_segment[task as usize] = Some(self.segments.len());
                    self.segments.push(Segment {
                        task,
                        lane: current,
                        start_step: step,
                        end_step: e.step,
                        start_time: time,
                        end_time: e.time,
                    });
                    self.lanes[task as usize] = (lane, e.step, e.time);
                } else {
                    // A lane left and come back to within the instant (a lock released
                    // and taken again in one poll): the segment just closed goes on.
                    let last = self.last_segment[task as usize].filter(|&i| {
                        let seg = &self.segments[i];
                        seg.lane == lane && (seg.end_step, seg.end_time) == (e.step, e.time)
                    });
                    self.lanes[task as usize] = match last {
                        Some(i) => {
                            // Emptied here (other tasks' indices stay put), dropped at the end.
                            self.last_segment[task as usize] = None;
                            let seg = &mut self.segments[i];
                            (seg.end_step, seg.end_time) = (seg.start_step, seg.start_time);
                            (seg.lane, seg.start_step, seg.start_time)
                        }
                        None => (lane, e.step, e.time),
                    };
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // internal: the run's parts, passed once
    pub(super) fn finish(
        mut self,
        state: &State,
        steps: u32,
        now: u64,
        end: &EndReason,
        scenario: &Scenario,
        lines: &[String],
        step_times: &[u64],
    ) -> (Vec<Segment>, Vec<Handoff>, Analysis) {
        // Each lane's final state lasts past the run: its segment ends one step after the
        // last, so a timeline drawn over `0..=steps + 1` shows it.
        for (task, &(lane, step, time)) in self.lanes.iter().enumerate() {
            self.segments.push(Segment {
                task: task as TaskId,
                lane,
                start_step: step,
                end_step: steps + 1,
                start_time: time,
                end_time: now,
            });
        }
        // The segments emptied when their lane came back within an instant.
        self.segments.retain(|s| (s.start_step, s.start_time) != (s.end_step, s.end_time));
        self.segments.sort_by_key(|s| (s.task, s.start_step, s.start_time));
        // Waits and holds still going on count up to the end, flagged.
        for (t, s) in self.stats.iter_mut().enumerate() {
            if let (Some((_, since, since_step, _)), true) = (self.asked[t], state.tasks[t].waiting_on.is_some()) {
                s.add_wait(now.saturating_sub(since), u64::from(steps.saturating_sub(since_step)));
                s.waiting_at_end = true;
            }
            for &(_, since, since_step) in &self.held_at[t] {
                s.add_hold(now.saturating_sub(since), u64::from(steps.saturating_sub(since_step)));
                s.holding_at_end = true;
            }
        }
        let task = |t: TaskId| scenario.task_name(t);
        let mutex = |m: MutexId| scenario.mutex_name(m);
        let time_of = |step: u32| step_times.get(step as usize).copied().unwrap_or(now);
        let mut alerts = std::mem::take(&mut self.alerts);
        let mut cycles = std::mem::take(&mut self.cycles);
        if let EndReason::Deadlock { cycle } = end {
            if !cycles.iter().any(|(c, _, _)| c == cycle) {
                let step = cycle.iter().map(|&(t, _)| state.tasks[t as usize].waiting_since).max().unwrap_or(steps);
                cycles.push((cycle.clone(), step, time_of(step)));
            }
        }
        for (cycle, step, time) in cycles {
            let waits: Vec<String> = cycle
                .iter()
                .enumerate()
                .map(|(i, &(t, m))| {
                    format!("{} waits for {}, held by {}", task(t), mutex(m), task(cycle[(i + 1) % cycle.len()].0))
                })
                .collect();
            alerts.push(Alert {
                kind: AlertKind::Deadlock,
                step,
                time,
                tasks: cycle.iter().map(|&(t, _)| t).collect(),
                mutexes: cycle.iter().map(|&(_, m)| m).collect(),
                message: format!(
                    "Deadlock: {}. Each waits for the next forever; taking the locks in one global order avoids it.",
                    waits.join("; ")
                ),
            });
        }
        for &(t, step, time) in &self.lost {
            if state.status(t) == super::TaskStatus::Stuck {
                alerts.push(Alert {
                    kind: AlertKind::LostWakeup,
                    step,
                    time,
                    tasks: vec![t],
                    mutexes: vec![],
                    message: format!(
                        "Lost wake-up: {} returned Pending without leaving its waker anywhere (no lock queue, \
                         no timer, no watch list), so nothing can ever poll it again.",
                        task(t)
                    ),
                });
            }
        }
        if let Some((t, m, holder, step, time)) = self.stalled {
            alerts.push(Alert {
                kind: AlertKind::Stalled,
                step,
                time,
                tasks: vec![t, holder],
                mutexes: vec![m],
                message: format!(
                    "Stalled executor: {} blocked the only thread locking the blocking mutex {}, which {} holds \
                     across an .await; {} can never run again to release it, and neither can anything else.",
                    task(t),
                    mutex(m),
                    task(holder),
                    task(holder)
                ),
            });
        }
        for &(t, step, time, line) in &self.errors {
            let text = lines.get(line as usize).map_or("", String::as_str);
            alerts.push(Alert {
                kind: AlertKind::Error,
                step,
                time,
                tasks: vec![t],
                mutexes: vec![],
                message: format!("{}: {text}", task(t)),
            });
        }
        for &(t, m, step, time, line) in &self.asserts {
            let text = lines.get(line as usize).map_or("", String::as_str);
            let what = text.strip_prefix("assertion failed: ").unwrap_or(text);
            alerts.push(Alert {
                kind: AlertKind::AssertionFailed,
                step,
                time,
                tasks: vec![t],
                mutexes: vec![m],
                message: format!(
                    "Assertion failed: {}: {what}. Like a panic, it ended {} there, dropping its guards.",
                    task(t),
                    task(t)
                ),
            });
        }
        // Starvation: overtaken in one wait more times than there are other tasks, so one
        // of them asked after it and got in ahead of it twice (it was lapped; FIFO lets
        // nobody overtake at all), or a task that never got a lock it asked for while
        // others got it many times.
        let n = self.stats.len() as u64;
        for (i, s) in self.stats.iter().enumerate() {
            let never = s.acquisitions == 0
                && self.asked[i].is_some_and(|(m, _, _, seen)| self.acquisitions_of[m as usize] - seen >= 2 * n.max(2));
            if s.max_overtaken > n.saturating_sub(1).max(1) || never {
                let message = if never {
                    format!(
                        "Starvation: {} never got the lock it asked for while others took it again and again.",
                        task(i as TaskId)
                    )
                } else {
                    format!(
                        "Starvation: {} was overtaken {} times in one wait by tasks that asked for the lock after it: \
                         one of them got in ahead of it at least twice.",
                        task(i as TaskId),
                        s.max_overtaken
                    )
                };
                alerts.push(Alert {
                    kind: AlertKind::Starvation,
                    step: steps,
                    time: now,
                    tasks: vec![i as TaskId],
                    mutexes: vec![],
                    message,
                });
            }
        }
        alerts.sort_by_key(|a| a.step);
        for s in &mut self.stats {
            if s.acquisitions > 0 {
                s.hold_mean = s.hold_total as f64 / s.acquisitions as f64;
                s.wait_mean = s.wait_total as f64 / s.acquisitions as f64;
            }
        }
        let counts: Vec<f64> =
            self.stats.iter().filter(|s| s.acquisitions > 0).map(|s| s.acquisitions as f64).collect();
        let sum: f64 = counts.iter().sum();
        let sq: f64 = counts.iter().map(|x| x * x).sum();
        let jain = if counts.is_empty() || sq == 0.0 { 1.0 } else { sum * sum / (counts.len() as f64 * sq) };
        let acquisitions: u64 = self.stats.iter().map(|s| s.acquisitions).sum();
        let analysis = Analysis {
            tasks: self.stats,
            acquisitions,
            throughput_per_s: if now == 0 { 0.0 } else { acquisitions as f64 * 1000.0 / now as f64 },
            jain_fairness: jain,
            alerts,
        };
        (self.segments, self.handoffs, analysis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `kinds` to a recorder of `tasks` tasks and `mutexes` mutexes, one step each.
    fn record(tasks: usize, mutexes: usize, kinds: &[EventKind]) -> Recorder {
        let state = State::new(tasks, mutexes);
        let mut r = Recorder::new(tasks, mutexes);
        for (i, &kind) in kinds.iter().enumerate() {
            r.observe(&Event { step: i as u32 + 1, time: 0, kind }, &state);
        }
        r
    }

    /// Each task's (`overtaken`, `max_overtaken`) after `kinds`, with 3 tasks and 2 mutexes.
    fn overtaken(kinds: &[EventKind]) -> Vec<(u64, u64)> {
        record(3, 2, kinds).stats.iter().map(|s| (s.overtaken, s.max_overtaken)).collect()
    }

    use EventKind::{Acquired, Cancelled, LockRequested, Released, TryFailed, Uncontended};
    const A: TaskId = 0;
    const B: TaskId = 1;
    const C: TaskId = 2;
    const M: MutexId = 0;

    #[test]
    fn a_waiter_is_overtaken_only_by_a_task_that_asked_after_it() {
        let (a, b, c, m) = (A, B, C, M);
        // In order (FIFO): nobody is overtaken, though a and b each waited while others got
        // the lock (the old count said 1 for a and 2 for b).
        let fifo = [
            Acquired { task: c, mutex: m },
            LockRequested { task: a, mutex: m },
            LockRequested { task: b, mutex: m },
            Released { task: c, mutex: m },
            Acquired { task: a, mutex: m },
            Released { task: a, mutex: m },
            Acquired { task: b, mutex: m },
        ];
        assert_eq!(overtaken(&fifo), [(0, 0); 3]);
        // b asked after a and got it first (a barging or LIFO lock would): a is overtaken,
        // and again by c, who asked later still; nobody else is.
        let barging = [
            LockRequested { task: a, mutex: m },
            LockRequested { task: b, mutex: m },
            Acquired { task: b, mutex: m },
            Released { task: b, mutex: m },
            LockRequested { task: c, mutex: m },
            Acquired { task: c, mutex: m },
            Released { task: c, mutex: m },
            Acquired { task: a, mutex: m },
        ];
        assert_eq!(overtaken(&barging), [(2, 2), (0, 0), (0, 0)]);
    }

    #[test]
    fn one_acquisition_overtakes_every_earlier_waiter_once() {
        let (a, b, c, m) = (A, B, C, M);
        let kinds = [
            LockRequested { task: a, mutex: m },
            LockRequested { task: b, mutex: m },
            LockRequested { task: c, mutex: m },
            Acquired { task: c, mutex: m },
        ];
        assert_eq!(overtaken(&kinds), [(1, 1), (1, 1), (0, 0)]);
        // Taken at once (a held-back `Taken` is written as a request and an acquisition)
        // or in an uncontended cycle, past waiters: each cycle overtakes each of them.
        let kinds = [
            LockRequested { task: a, mutex: m },
            LockRequested { task: b, mutex: m },
            LockRequested { task: c, mutex: m },
            Acquired { task: c, mutex: m },
            Released { task: c, mutex: m },
            Uncontended { task: c, mutex: m, times: 3 },
        ];
        assert_eq!(overtaken(&kinds), [(4, 4), (4, 4), (0, 0)]);
    }

    #[test]
    fn a_request_given_up_ends_its_turn_and_only_the_same_lock_counts() {
        let (a, b, c, m) = (A, B, C, M);
        let kinds = [
            LockRequested { task: a, mutex: m },
            LockRequested { task: b, mutex: m },
            Acquired { task: b, mutex: m }, // a: 1 in its first wait
            Cancelled { task: a, mutex: m },
            LockRequested { task: c, mutex: m },
            TryFailed { task: c, mutex: m },
            Released { task: b, mutex: m },
            LockRequested { task: b, mutex: m },
            LockRequested { task: a, mutex: m }, // a asks again, now behind b
            Acquired { task: b, mutex: m },      // b asked first this time: nobody overtaken
            LockRequested { task: c, mutex: 1 },
            Acquired { task: c, mutex: 1 }, // another lock: overtakes nobody
            LockRequested { task: c, mutex: m },
            Released { task: b, mutex: m },
            Acquired { task: c, mutex: m }, // a: 1 in its second wait
        ];
        assert_eq!(overtaken(&kinds), [(2, 1), (0, 0), (0, 0)]);
    }

    /// The definition, written out as plainly as possible: every request's wait runs from
    /// its event to its task's acquisition, giving up, or the end; each acquisition of the
    /// same lock in between whose request came later overtakes it once.
    fn reference(tasks: usize, kinds: &[EventKind]) -> Vec<(u64, u64)> {
        // (task, mutex, request index, end index); acquisitions: (mutex, index, request index).
        let mut waits: Vec<(TaskId, MutexId, usize, usize)> = Vec::new();
        let mut acquisitions: Vec<(MutexId, usize, usize)> = Vec::new();
        for (i, &kind) in kinds.iter().enumerate() {
            let open = |waits: &mut Vec<(TaskId, MutexId, usize, usize)>, t: TaskId, m: MutexId| {
                waits.iter_mut().find(|w| w.0 == t && w.1 == m && w.3 == usize::MAX).map(|w| {
                    w.3 = i;
                    w.2
                })
            };
            match kind {
                LockRequested { task, mutex } => waits.push((task, mutex, i, usize::MAX)),
                Acquired { task, mutex } => {
                    let asked = open(&mut waits, task, mutex).unwrap_or(i);
                    acquisitions.push((mutex, i, asked));
                }
                Cancelled { task, mutex } | TryFailed { task, mutex } => {
                    open(&mut waits, task, mutex);
                }
                Uncontended { mutex, times, .. } => acquisitions.extend((0..times).map(|_| (mutex, i, i))),
                _ => {}
            }
        }
        let mut out = vec![(0, 0); tasks];
        for &(t, m, start, end) in &waits {
            let n = acquisitions.iter().filter(|&&(am, at, asked)| am == m && start < at && at < end && asked > start);
            let n = n.count() as u64;
            out[t as usize].0 += n;
            out[t as usize].1 = out[t as usize].1.max(n);
        }
        out
    }

    /// Random lock histories in which any waiter may get a free lock (any order, not only
    /// FIFO), some requests are given up and some cycles are uncontended: the recorder
    /// counts what the definition says.
    #[test]
    fn the_count_follows_the_definition_on_any_acquisition_order() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (tasks, mutexes) = (4usize, 2usize);
        let mut overtakings = 0;
        for round in 0..2_000 {
            // Per task: None idle, Some((m, false)) waiting for m, Some((m, true)) holding it.
            let mut task_state: Vec<Option<(MutexId, bool)>> = vec![None; tasks];
            let mut holder: Vec<Option<TaskId>> = vec![None; mutexes];
            let mut kinds = Vec::new();
            for _ in 0..next(40) {
                let t = next(tasks as u64) as TaskId;
                let m = next(mutexes as u64) as MutexId;
                let (task, mutex) = (t, m);
                match (task_state[t as usize], next(5)) {
                    (None, 0..=2) => {
                        kinds.push(LockRequested { task, mutex });
                        task_state[t as usize] = Some((m, false));
                    }
                    (None, _) if holder[m as usize].is_none() => {
                        kinds.push(Uncontended { task, mutex, times: next(3) as u32 + 1 });
                    }
                    (Some((m, false)), 0..=2) if holder[m as usize].is_none() => {
                        kinds.push(Acquired { task, mutex: m });
                        holder[m as usize] = Some(t);
                        task_state[t as usize] = Some((m, true));
                    }
                    (Some((m, false)), 3) => {
                        kinds.push(if next(2) == 0 {
                            Cancelled { task, mutex: m }
                        } else {
                            TryFailed { task, mutex: m }
                        });
                        task_state[t as usize] = None;
                    }
                    (Some((m, true)), _) => {
                        kinds.push(Released { task, mutex: m });
                        holder[m as usize] = None;
                        task_state[t as usize] = None;
                    }
                    _ => {}
                }
            }
            let counted: Vec<(u64, u64)> =
                record(tasks, mutexes, &kinds).stats.iter().map(|s| (s.overtaken, s.max_overtaken)).collect();
            assert_eq!(counted, reference(tasks, &kinds), "round {round}: {kinds:?}");
            overtakings += counted.iter().map(|c| c.0).sum::<u64>();
        }
        assert!(overtakings > 100, "the histories hardly ever overtake: {overtakings}");
    }

    /// Feeds `kinds` to a recorder for the fairness preset's 8 tasks and 1 lock, and
    /// returns the starvation alerts' messages.
    fn starvation(kinds: &[EventKind]) -> Vec<String> {
        let scenario = crate::scenario::preset("fairness").expect("a preset").scenario;
        let r = record(8, 1, kinds);
        let state = State::new(8, 1);
        let steps = kinds.len() as u32;
        let (_, _, analysis) = r.finish(&state, steps, 0, &EndReason::Finished, &scenario, &[], &[]);
        analysis.alerts.into_iter().filter(|a| a.kind == AlertKind::Starvation).map(|a| a.message).collect()
    }

    #[test]
    fn a_waiter_lapped_by_a_later_task_is_starving() {
        // t0 waits while t1 asks, gets and gives back the lock `times` times.
        let lapped = |times: usize| -> Vec<EventKind> {
            let cycle =
                [LockRequested { task: 1, mutex: M }, Acquired { task: 1, mutex: M }, Released { task: 1, mutex: M }];
            let mut kinds = vec![LockRequested { task: 0, mutex: M }];
            kinds.extend(cycle.iter().cycle().take(3 * times));
            kinds
        };
        // 7 times is unfair, but no more than there are other tasks: no alert.
        assert_eq!(starvation(&lapped(7)), Vec::<String>::new());
        assert_eq!(
            starvation(&lapped(8)),
            ["Starvation: t0 was overtaken 8 times in one wait by tasks that asked for the lock after it: one of \
              them got in ahead of it at least twice."]
        );
        // Waiting in turn while everyone else gets the lock once is fair.
        let mut in_turn: Vec<EventKind> = (0..8).map(|t| LockRequested { task: t, mutex: M }).collect();
        for t in 0..8 {
            in_turn.extend([Acquired { task: t, mutex: M }, Released { task: t, mutex: M }]);
        }
        assert_eq!(starvation(&in_turn), Vec::<String>::new());
    }
}
