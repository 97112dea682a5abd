//! The schedule search: depth first over the scheduling choices, with equal states
//! merged and commuting steps tried in one order only.

use super::probe::{independent, Access};
use super::Ending;
use crate::exec::{MutexId, Policy, TaskId};
use crate::scenario::{Scenario, ScenarioError};
use crate::trace::{EndReason, Simulation};
use std::collections::HashMap;

/// How much of the schedule space an [`Explorer`] searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every schedule, up to equivalence: equal states are explored once, and of two
    /// steps that touch different locks only one order is tried (sleep sets). Finding
    /// no deadlock this way, without hitting the state budget, is a proof for the
    /// scenario as written.
    Exhaustive,
    /// Only the schedules that switch away from a task that could go on running at
    /// most this many times (a preemption bound, as CHESS does). Most bugs need very
    /// few; "none found" means none within the bound.
    Preemptions(u32),
    /// This many random schedules, each picked the way PCT does: the tasks get random
    /// priorities, the highest ready one runs, and at two random steps the running
    /// task drops to the lowest priority. Seeded: the same seed finds the same runs.
    Sample {
        /// How many schedules to run.
        runs: u32,
        /// Seeds the generator.
        seed: u64,
    },
}

impl std::fmt::Display for Mode {
    /// What was searched, for a result's heading: "every schedule", "at most 2
    /// preemptions", "500 random schedules (seed 1)".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Exhaustive => f.write_str("every schedule"),
            Mode::Preemptions(n) => write!(f, "schedules with at most {n} preemptions"),
            Mode::Sample { runs, seed } => write!(f, "{runs} random schedules (seed {seed})"),
        }
    }
}

/// What a schedule led to, as the explorer tells results apart: runs that finish with
/// different values are different outcomes, and so are deadlocks of different cycles, and
/// runs that finish with different failed assertions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Every task finished, no assertion failed, and the mutexes hold these values (JSON,
    /// by mutex id).
    Finished(Vec<String>),
    /// Every task finished (those whose assertion failed ended there), and the mutexes
    /// hold `values`.
    AssertionFailed {
        /// The assertions that failed, as
        /// [`Run::failed_assertions`](crate::trace::Run::failed_assertions) writes them
        /// (`main: count == 2 (it is 1)`), sorted.
        failed: Vec<String>,
        /// The mutexes' values at the end (JSON, by mutex id).
        values: Vec<String>,
    },
    /// A deadlock: each task waits for its mutex, held by the next (as
    /// [`EndReason::Deadlock`]).
    Deadlock(Vec<(TaskId, MutexId)>),
    /// Any other ending (failed assertions on the way are not told apart here).
    Other(Ending),
}

impl Outcome {
    /// What the run `sim` led to; `None` if it has not ended (or ended on a bad choice,
    /// which is no schedule).
    pub(crate) fn of(sim: &Simulation) -> Option<Outcome> {
        Some(match sim.end()? {
            EndReason::Finished => {
                let failed = sim.failed_assertions();
                if failed.is_empty() {
                    Outcome::Finished(sim.values_now())
                } else {
                    Outcome::AssertionFailed { failed, values: sim.values_now() }
                }
            }
            EndReason::Deadlock { cycle } => Outcome::Deadlock(cycle.clone()),
            other => Outcome::Other(Ending::of(other)?),
        })
    }

    /// In words, with `scenario`'s names: "finishes with count = 3", "deadlock: left waits
    /// for b, right waits for a", "ends in a lost wake-up", "an assertion fails (main:
    /// count == 2 (it is 1)), and it finishes with count = 1".
    pub fn describe(&self, scenario: &Scenario) -> String {
        let values = |values: &[String]| {
            let values: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(m, v)| format!("{} = {v}", scenario.mutex_name(m as MutexId)))
                .collect();
            values.join(", ")
        };
        match self {
            Outcome::Finished(v) => format!("finishes with {}", values(v)),
            Outcome::AssertionFailed { failed, values: v } => {
                let what = if failed.len() == 1 { "an assertion fails" } else { "assertions fail" };
                format!("{what} ({}), and it finishes with {}", failed.join("; "), values(v))
            }
            Outcome::Deadlock(cycle) => {
                let waits: Vec<String> = cycle
                    .iter()
                    .map(|&(t, m)| format!("{} waits for {}", scenario.task_name(t), scenario.mutex_name(m)))
                    .collect();
                format!("deadlock: {}", waits.join(", "))
            }
            Outcome::Other(ending) => format!("ends in {}", ending.describe()),
        }
    }

    /// The ending it is a case of.
    pub fn ending(&self) -> Ending {
        match self {
            Outcome::Finished(_) => Ending::Finished,
            Outcome::AssertionFailed { .. } => Ending::AssertionFailed,
            Outcome::Deadlock(_) => Ending::Deadlock,
            Outcome::Other(e) => *e,
        }
    }
}

/// All the schedules found that lead to one [`Outcome`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// What they lead to.
    pub outcome: Outcome,
    /// How many of the schedules tried end so (with equal states merged, a schedule
    /// counts once however many ways lead to its states).
    pub schedules: u64,
    /// The shortest of them: the task polled at each step. As `Policy::Manual` it
    /// replays the run (a `policy=manual:…` link).
    pub shortest: Vec<TaskId>,
}

/// What a search found so far, or in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// What was searched.
    pub mode: Mode,
    /// The outcomes, most common first (then in [`Outcome`] order).
    pub classes: Vec<Class>,
    /// Distinct states reached (points at which a choice was made).
    pub states: u64,
    /// Schedules that reached an ending.
    pub schedules: u64,
    /// Polls run, replays included: the search's work.
    pub polls: u64,
    /// Whether the search is over.
    pub done: bool,
    /// Whether it stopped at one of its budgets (states, depth, memory) before it had
    /// searched everything the mode asks for (then no result is a proof).
    pub truncated: bool,
    /// Schedules that led to outcomes past the first [`MAX_CLASSES`], which are counted
    /// here and not listed.
    pub unlisted: u64,
}

impl Report {
    /// Whether this is every outcome the scenario can have: an exhaustive search that
    /// ended within its budget.
    pub fn is_complete(&self) -> bool {
        self.done && !self.truncated && self.mode == Mode::Exhaustive
    }
}

/// A point of the search with choices left to try.
struct Node {
    /// How many choices lead here (`path[..depth]`).
    depth: usize,
    /// The ready tasks here.
    ready: Vec<TaskId>,
    /// Choices still to try here, the next one last.
    todo: Vec<TaskId>,
    /// Steps that need not be tried from here: each was tried from an earlier state,
    /// and everything since commutes with it.
    sleep: Vec<(TaskId, Access)>,
    /// Steps tried from here, with what they touched.
    tried: Vec<(TaskId, Access)>,
    /// Preemptions on the way here.
    preemptions: u32,
    /// The task ids it holds at most (counted against [`MAX_STORED`]).
    stored: u64,
}

/// Searches the schedules of a scenario a slice at a time ([`advance`](Explorer::advance)),
/// so a page can draw between slices, show [`report`](Explorer::report) as it grows,
/// and stop whenever it likes.
///
/// Every schedule is a real run: the explorer drives a [`Simulation`] under
/// `Policy::Manual`, one choice at a time, and to go back to an earlier point it runs
/// the choices up to it again (futures cannot be copied), as loom does.
///
/// # Examples
///
/// ```
/// use mutex_playground::scenario::preset;
/// use mutex_playground::trace::explore::{Ending, Explorer, Mode};
///
/// let deadlock = preset("deadlock").unwrap().scenario;
/// let mut explorer = Explorer::new(&deadlock, Mode::Exhaustive).unwrap();
/// while !explorer.advance(10_000) {}
/// let report = explorer.report();
/// assert!(report.is_complete());
/// // Each task sleeps holding its first lock, so every schedule deadlocks.
/// assert_eq!(report.classes.len(), 1);
/// assert_eq!(report.classes[0].outcome.ending(), Ending::Deadlock);
/// ```
pub struct Explorer {
    scenario: Scenario,
    mode: Mode,
    max_states: u64,
    max_depth: usize,
    max_polls: u64,
    /// Task ids held by the stack and the seen states (against [`MAX_STORED`]).
    stored: u64,
    unlisted: u64,
    /// Whether equal states are merged and commuting steps tried once (off: the
    /// baseline the reductions are measured against).
    reduce: bool,
    sim: Option<Simulation>,
    /// The choices that lead to where `sim` is.
    path: Vec<TaskId>,
    stack: Vec<Node>,
    /// Each state seen, with the steps not tried from it (its sleep set, by task).
    seen: HashMap<u64, Vec<TaskId>>,
    classes: Vec<Class>,
    states: u64,
    schedules: u64,
    polls: u64,
    done: bool,
    truncated: bool,
    /// Whether the first run has been made.
    started: bool,
    /// The choices the search starts after (see [`Explorer::starting_after`]).
    start: Vec<TaskId>,
    /// `Sample`: runs made, the generator, and the length of the first run (the
    /// priority change points of the later runs fall within it).
    runs: u32,
    rng: u64,
    first_length: Option<u64>,
    sampling: Option<Sampling>,
    /// Units of work spent (see [`Explorer::advance`]).
    work: u64,
    /// What setting a run of the scenario up costs, in the same units.
    setup: u64,
}

/// `Sample`: the run in progress.
struct Sampling {
    sim: Simulation,
    choices: Vec<TaskId>,
    /// Each task's priority: the highest ready one runs.
    priority: Vec<u64>,
    /// The steps at which the running task drops to the lowest priority.
    changes: [u64; 2],
}

impl std::fmt::Debug for Explorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explorer").field("mode", &self.mode).field("states", &self.states).finish_non_exhaustive()
    }
}

/// The most states a search visits unless told otherwise ([`Explorer::with_max_states`]).
pub const MAX_STATES: u64 = 200_000;
/// The most choices on one schedule the search follows unless told otherwise
/// ([`Explorer::with_max_depth`]): going back to a point means running the choices up to
/// it again, so this also bounds the work of one step of the search.
pub const MAX_DEPTH: usize = 20_000;
/// The most task ids the search keeps at once (its stack's ready sets and the seen
/// states' sleep sets): 4 million, 16 MiB. A scenario with thousands of tasks reaches it
/// long before its state budget.
pub const MAX_STORED: u64 = 4_000_000;
/// The most polls a search runs unless told otherwise ([`Explorer::with_max_polls`]),
/// replays included.
pub const MAX_POLLS: u64 = 100_000_000;
/// The most outcomes a report lists; schedules that lead to others are counted
/// ([`Report::unlisted`]).
pub const MAX_CLASSES: usize = 100;

impl Explorer {
    /// A search of `scenario`'s schedules (validated here; nothing runs yet).
    pub fn new(scenario: &Scenario, mode: Mode) -> Result<Explorer, ScenarioError> {
        scenario.validate()?;
        Ok(Explorer {
            scenario: scenario.clone(),
            mode,
            max_states: MAX_STATES,
            max_depth: MAX_DEPTH,
            max_polls: MAX_POLLS,
            stored: 0,
            unlisted: 0,
            reduce: true,
            sim: None,
            path: Vec::new(),
            stack: Vec::new(),
            seen: HashMap::new(),
            classes: Vec::new(),
            states: 0,
            schedules: 0,
            polls: 0,
            done: false,
            truncated: false,
            started: false,
            start: Vec::new(),
            runs: 0,
            first_length: None,
            sampling: None,
            work: 0,
            // About 8 polls' worth per task and mutex, and a unit per 64 bytes of the
            // scenario's JSON (copying its values and texts), measured natively.
            setup: 8 * (scenario.tasks.len() + scenario.mutexes.len()) as u64
                + crate::scenario::canonical_size(scenario) as u64 / 64,
            rng: match mode {
                Mode::Sample { seed, .. } => seed ^ 0x9E37_79B9_7F4A_7C15 | 1,
                _ => 0,
            },
        })
    }

    /// Stops the search after `max` distinct states (then [`Report::truncated`]).
    pub fn with_max_states(mut self, max: u64) -> Explorer {
        self.max_states = max;
        self
    }

    /// Searches only the schedules that begin with `choices` (the ways on from that
    /// point of a run, as the scheduler game asks). Choices that are not a valid
    /// beginning leave nothing to search.
    pub fn starting_after(mut self, choices: &[TaskId]) -> Explorer {
        self.start = choices.to_vec();
        self
    }

    /// Follows no schedule past `max` choices (then [`Report::truncated`]).
    pub fn with_max_depth(mut self, max: usize) -> Explorer {
        self.max_depth = max;
        self
    }

    /// Stops the search after `max` polls, replays included (then [`Report::truncated`]).
    pub fn with_max_polls(mut self, max: u64) -> Explorer {
        self.max_polls = max;
        self
    }

    /// Without the reductions: every schedule is run to its end, equal states and
    /// commuting steps included (a "state" is then every point of choice visited). The
    /// baseline for measuring them; the outcomes are the same, found more slowly.
    pub fn without_reduction(mut self) -> Explorer {
        self.reduce = false;
        self
    }

    /// Searches until about `work` more units are spent or the search is over; returns
    /// whether it is over. A unit is about a poll's time: the runs' own work (each step
    /// executed, each poll, a unit per 256 bytes recorded), replays included, plus the
    /// search's bookkeeping (a state's fingerprint and ready set a unit per 8 tasks,
    /// setting a run up 8 units per task and a unit per 64 bytes of scenario), so a
    /// slice's time follows `work` whatever the scenario. One step of the search (a
    /// replay, at most [`MAX_DEPTH`] choices deep) can overrun it.
    pub fn advance(&mut self, work: u64) -> bool {
        let until = self.work.saturating_add(work);
        while !self.done && self.work < until {
            if self.polls >= self.max_polls {
                self.truncated = true;
                self.done = true;
                break;
            }
            match self.mode {
                Mode::Sample { runs, .. } => self.sample_step(runs),
                _ => self.search_step(),
            }
        }
        self.done
    }

    /// What it found so far.
    pub fn report(&self) -> Report {
        let mut classes = self.classes.clone();
        classes.sort_by(|a, b| b.schedules.cmp(&a.schedules).then_with(|| a.outcome.cmp(&b.outcome)));
        Report {
            mode: self.mode,
            classes,
            states: self.states,
            schedules: self.schedules,
            polls: self.polls,
            done: self.done,
            truncated: self.truncated,
            unlisted: self.unlisted,
        }
    }

    /// A fresh run that has made `choices` and waits for the next (or has ended).
    fn replay(&mut self, choices: &[TaskId]) -> Simulation {
        let policy = Policy::Manual { choices: choices.to_vec() };
        let mut sim = Simulation::validated(&self.scenario, &policy);
        self.polls += sim.run_to_choice(u64::MAX);
        self.work += self.setup + sim.cost();
        sim
    }

    /// Counts a schedule that ended; `false` if it has not ended.
    fn record(&mut self, sim: &Simulation, choices: &[TaskId]) -> bool {
        let Some(outcome) = Outcome::of(sim) else { return false };
        self.schedules += 1;
        let full = self.classes.len() >= MAX_CLASSES;
        match self.classes.iter_mut().find(|c| c.outcome == outcome) {
            Some(class) => {
                class.schedules += 1;
                if choices.len() < class.shortest.len() {
                    class.shortest = choices.to_vec();
                }
            }
            None if full => self.unlisted += 1,
            None => self.classes.push(Class { outcome, schedules: 1, shortest: choices.to_vec() }),
        }
        true
    }

    /// One step of the depth-first search: takes the next choice of the deepest point
    /// that has one left.
    fn search_step(&mut self) {
        if self.stack.is_empty() {
            if self.started {
                self.done = true;
                return;
            }
            self.started = true;
            // The start: run to the first choice (after the given ones).
            let start = self.start.clone();
            let sim = self.replay(&start);
            self.path = start;
            self.arrive(sim, Vec::new(), 0);
            if self.stack.is_empty() {
                self.done = true;
            }
            return;
        }
        let top = self.stack.len() - 1;
        let Some(task) = self.stack[top].todo.pop() else {
            if let Some(node) = self.stack.pop() {
                self.stored -= node.stored;
            }
            return;
        };
        let depth = self.stack[top].depth;
        // Go back to this point if the run is elsewhere.
        let mut sim = match self.sim.take() {
            Some(sim) if self.path.len() == depth => sim,
            _ => {
                self.path.truncate(depth);
                let path = self.path.clone();
                self.replay(&path)
            }
        };
        let before = sim.cost();
        sim.choose(task);
        self.polls += 1 + sim.run_to_choice(1);
        self.work += sim.cost() - before;
        let access = sim.last_access();
        let node = &mut self.stack[top];
        let preempted = u32::from(
            node.depth > 0 && {
                let last = self.path[node.depth - 1];
                last != task && node.ready.contains(&last)
            },
        );
        let preemptions = node.preemptions + preempted;
        // A step commutes with every earlier sibling and slept step that touches none of
        // its locks: those stay asleep below it.
        let sleep: Vec<(TaskId, Access)> = match self.mode {
            Mode::Exhaustive if self.reduce => {
                node.sleep.iter().chain(&node.tried).filter(|(_, a)| independent(*a, access)).copied().collect()
            }
            _ => Vec::new(),
        };
        node.tried.push((task, access));
        self.path.push(task);
        self.arrive(sim, sleep, preemptions);
    }

    /// The search has reached the state `sim` is in, along `self.path`.
    fn arrive(&mut self, mut sim: Simulation, sleep: Vec<(TaskId, Access)>, preemptions: u32) {
        let ready = match sim.end() {
            Some(EndReason::AwaitingChoice { ready }) => ready.clone(),
            _ => {
                let path = std::mem::take(&mut self.path);
                self.record(&sim, &path);
                self.path = path;
                self.sim = None;
                return;
            }
        };
        if self.path.len() >= self.max_depth {
            // Too deep to go back to cheaply: this branch is not searched further.
            self.truncated = true;
            self.sim = None;
            return;
        }
        // Fingerprinting and keeping the ready set cost about a unit per 8 tasks.
        self.work += (self.scenario.tasks.len() + ready.len()) as u64 / 8;
        let mut key = sim.fingerprint();
        if let Mode::Preemptions(_) = self.mode {
            // The same state with more preemptions spent, or after another task, has
            // fewer ways on within the bound.
            let last = self.path.last().copied().unwrap_or(u32::MAX);
            key = key.rotate_left(17) ^ (u64::from(preemptions) << 32 | u64::from(last)).wrapping_mul(0x9E37_79B9);
        }
        let asleep: Vec<TaskId> = sleep.iter().map(|(t, _)| *t).collect();
        if !self.reduce {
            // Every visit is a new state: nothing is merged.
            key = self.states;
        }
        let todo: Vec<TaskId> = match self.seen.get_mut(&key) {
            Some(before) => {
                // Seen: only the steps asleep then but awake now are new.
                let new: Vec<TaskId> =
                    before.iter().copied().filter(|t| !asleep.contains(t) && ready.contains(t)).collect();
                before.retain(|t| asleep.contains(t));
                new
            }
            None => {
                if self.states >= self.max_states {
                    self.truncated = true;
                    self.done = true;
                    return;
                }
                self.states += 1;
                self.stored += asleep.len() as u64 + 1;
                self.seen.insert(key, asleep.clone());
                ready.iter().copied().filter(|t| !asleep.contains(t)).collect()
            }
        };
        let mut todo: Vec<TaskId> = match self.mode {
            Mode::Preemptions(bound) => {
                let last = self.path.last().copied().filter(|l| ready.contains(l));
                todo.into_iter().filter(|&t| preemptions + u32::from(last.is_some_and(|l| l != t)) <= bound).collect()
            }
            _ => todo,
        };
        if todo.is_empty() {
            self.sim = None;
            return;
        }
        todo.reverse(); // the first ready task is tried first
        let stored = (2 * ready.len() + todo.len() + sleep.len()) as u64;
        self.stored += stored;
        if self.stored > MAX_STORED {
            self.truncated = true;
            self.done = true;
            return;
        }
        self.stack.push(Node { depth: self.path.len(), ready, todo, sleep, tried: Vec::new(), preemptions, stored });
        self.sim = Some(sim);
    }

    /// `Sample`: one choice of the run in progress (a new run, picked the PCT way,
    /// when none is).
    fn sample_step(&mut self, runs: u32) {
        let Some(mut run) = self.sampling.take() else {
            if self.runs >= runs {
                self.done = true;
                return;
            }
            self.runs += 1;
            // Random distinct priorities, and two change points within the first run's
            // length (the first run has none).
            let n = self.scenario.tasks.len();
            let mut priority: Vec<u64> = (0..n as u64).map(|i| i + 2).collect();
            for i in (1..n).rev() {
                let j = (self.next_random() % (i as u64 + 1)) as usize;
                priority.swap(i, j);
            }
            let changes = match self.first_length {
                Some(length) => [self.next_random() % length, self.next_random() % length],
                None => [u64::MAX; 2],
            };
            let start = self.start.clone();
            let sim = self.replay(&start);
            self.sampling = Some(Sampling { sim, choices: start, priority, changes });
            return;
        };
        let ready = match run.sim.end() {
            Some(EndReason::AwaitingChoice { ready }) => ready.clone(),
            _ => {
                self.first_length.get_or_insert(run.choices.len().max(1) as u64);
                self.record(&run.sim, &run.choices);
                return;
            }
        };
        if run.choices.len() >= self.max_depth {
            self.truncated = true;
            return;
        }
        self.work += ready.len() as u64 / 8;
        let highest = |priority: &[u64]| ready.iter().copied().max_by_key(|&t| priority.get(t as usize).copied());
        let Some(mut task) = highest(&run.priority) else { return };
        let step = run.choices.len() as u64;
        if let Some(k) = run.changes.iter().position(|&c| c == step) {
            run.priority[task as usize] = k as u64; // below every starting priority
            task = highest(&run.priority).unwrap_or(task);
        }
        self.states += 1;
        run.choices.push(task);
        let before = run.sim.cost();
        run.sim.choose(task);
        self.polls += 1 + run.sim.run_to_choice(1);
        self.work += run.sim.cost() - before;
        self.sampling = Some(run);
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*, as the executor's random policy.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}
