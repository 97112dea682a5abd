//! The explorer as the page runs it: a search made a slice per animation frame, what it
//! found, the schedules minimised on request, and the forks taken from the main run.

use super::{now_ms, Model, SLICE_MS};
use crate::exec::{Policy, TaskId};
use crate::scenario::Scenario;
use crate::trace::explore::{self, Explorer, Mode as SearchMode, Outcome, Report, Schedule};
use std::cell::RefCell;
use std::rc::Rc;

/// The most distinct states a search in the page visits (a native run can go further).
pub const PAGE_MAX_STATES: u64 = 100_000;
/// The deepest schedule a search in the page follows: going back to a point replays
/// the choices up to it within one slice, so this bounds a slice's overrun.
pub const PAGE_MAX_DEPTH: usize = 5_000;
/// The most polls a search in the page runs (about 20 to 60 s of searching).
pub const PAGE_MAX_POLLS: u64 = 20_000_000;

/// A search of the current scenario's schedules, running or done.
#[derive(Clone)]
pub struct Search {
    explorer: Rc<RefCell<Explorer>>,
    /// The scenario searched: results are shown only while it is the one on screen.
    pub scenario: Rc<Scenario>,
    /// What it has found so far.
    pub report: Report,
    /// Whether it is still searching (not done and not stopped).
    pub running: bool,
    /// Milliseconds spent searching so far (for states per second).
    pub busy_ms: f64,
    /// Schedules minimised on request, by the outcome they lead to.
    pub minimised: Vec<Schedule>,
}

impl PartialEq for Search {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.explorer, &other.explorer)
            && self.report == other.report
            && self.running == other.running
            && self.minimised == other.minimised
    }
}

impl Search {
    /// States searched per second so far.
    pub fn rate(&self) -> f64 {
        if self.busy_ms > 0.0 {
            self.report.states as f64 * 1000.0 / self.busy_ms
        } else {
            0.0
        }
    }

    /// The minimised schedule for `outcome`, if one was asked for.
    pub fn minimised_for(&self, outcome: &Outcome) -> Option<&Schedule> {
        self.minimised.iter().find(|s| &s.outcome == outcome)
    }
}

/// A fork taken from the main run: at `step`, `task` ran instead; `before` is the
/// scheduler policy to go back to.
#[derive(Clone, Debug, PartialEq)]
pub struct Fork {
    /// The step (the number of choices before it) at which another task was run.
    pub step: u32,
    /// The task run there instead.
    pub task: TaskId,
    /// The policy before the fork (FIFO, random, or an earlier fork's schedule).
    pub before: Policy,
}

impl Model {
    /// Starts a search of the scenario on screen (any earlier one is dropped).
    pub(super) fn explore(&mut self, mode: SearchMode) {
        match Explorer::new(&self.scenario, mode) {
            Ok(e) => {
                self.search = Some(Search {
                    report: e.report(),
                    explorer: Rc::new(RefCell::new(
                        e.with_max_states(PAGE_MAX_STATES)
                            .with_max_depth(PAGE_MAX_DEPTH)
                            .with_max_polls(PAGE_MAX_POLLS),
                    )),
                    scenario: self.scenario.clone(),
                    running: true,
                    busy_ms: 0.0,
                    minimised: Vec::new(),
                })
            }
            Err(e) => self.notice = Some(format!("This scenario cannot be explored: {e}")),
        }
    }

    /// One slice of the search: [`SLICE_MS`] of work, then the next frame.
    pub(super) fn explore_slice(&mut self) {
        let Some(search) = self.search.as_mut().filter(|s| s.running) else { return };
        if !Rc::ptr_eq(&search.scenario, &self.scenario) {
            // The scenario changed under it: its results would describe another one.
            self.search = None;
            return;
        }
        let started = now_ms();
        let mut explorer = search.explorer.borrow_mut();
        let mut done = false;
        while !done && now_ms() - started < SLICE_MS {
            done = explorer.advance(200);
        }
        search.report = explorer.report();
        drop(explorer);
        search.busy_ms += now_ms() - started;
        search.running = !done;
    }

    /// Stops the search; what it found stays.
    pub(super) fn stop_exploring(&mut self) {
        if let Some(s) = self.search.as_mut() {
            s.running = false;
        }
    }

    /// Minimises the schedule `choices` of the current search (kept with its outcome).
    pub(super) fn minimise(&mut self, choices: &[TaskId]) {
        let Some(search) = self.search.as_mut() else { return };
        match explore::minimise(&search.scenario, choices) {
            Some(small) => {
                search.minimised.retain(|s| s.outcome != small.outcome);
                search.minimised.push(small);
            }
            None => self.notice = Some("That schedule no longer runs to its end in this scenario.".into()),
        }
    }

    /// Plays `choices` from step 0 in watch mode (a `manual:` policy, so a link too).
    pub(super) fn replay(&mut self, choices: Vec<TaskId>) {
        self.forks.clear();
        self.watch_schedule(choices, false);
        self.playing = self.steps() > 0;
    }

    /// Runs `task` at the playhead instead of the task the run chose there, then FIFO.
    pub(super) fn fork_here(&mut self, task: TaskId) {
        let Some(run) = self.loaded.as_ref().map(|l| &l.run) else { return };
        let step = self.step.min(run.steps());
        let prefix = &run.choices()[..step as usize];
        let Some(other) = explore::fork(&self.scenario, prefix, task) else {
            self.notice = Some("That task cannot run at this step.".into());
            return;
        };
        self.forks.push(Fork { step, task, before: self.policy.clone() });
        self.watch_schedule(other.choices, true);
    }

    /// Goes back to before fork `i` (and every later one).
    pub(super) fn unfork(&mut self, i: usize) {
        let Some(fork) = self.forks.get(i).cloned() else { return };
        self.forks.truncate(i);
        self.policy = fork.before;
        self.step = fork.step;
        self.playing = false;
        self.rerun(true);
    }

    fn watch_schedule(&mut self, choices: Vec<TaskId>, keep_step: bool) {
        self.mode = super::Mode::Watch;
        self.choices.clear();
        self.policy = Policy::Manual { choices };
        if !keep_step {
            self.step = 0;
        }
        self.playing = false;
        self.rerun(keep_step);
    }

    /// The scenario changed: a schedule of the old one (a replay, forks) means nothing
    /// for it, and FIFO takes over again; a search of it stops.
    pub(super) fn forget_schedules(&mut self) {
        if matches!(self.policy, Policy::Manual { .. }) {
            self.policy = Policy::Fifo;
        }
        self.forks.clear();
        self.search = None;
    }
}
