//! What the explorer asks of a [`Simulation`] beyond what a page needs: to go on with a
//! chosen task, a fingerprint of the state it is in, and what the last step touched.

use crate::exec::{EventKind, TaskId};
use crate::trace::{EndReason, Simulation};
use std::hash::{Hash, Hasher};

/// The shared objects a step touched, as a set of bits: bit `m` for mutex (or cell) `m`
/// (mutexes from 63 on share bit 63), and every bit for a step that moved the clock
/// (busy work), which every other step may read.
///
/// Which tasks have finished is an object too, read by a `join` and written by every
/// task's end: in a scenario with a main task (the only one that joins), a step in which
/// a task finishes, starts a join or comes back from one touches [`JOINS`] (bit 63,
/// shared with the mutexes from 63 on: more steps ordered, never fewer). A join that
/// returns at once needs no bit: every task it reads has already finished, and no step
/// still to come can change that. (This is on the safe side: a join that waits changes
/// nothing another task can see, so fewer orders might do; more orders cost states, never
/// outcomes.)
pub(crate) type Access = u64;

/// The bit of the finished tasks (see [`Access`]).
pub(crate) const JOINS: Access = 1 << 63;

/// Whether two steps, taken from the same state, commute: they touch no object in
/// common, so either order reaches the same state. A step that moved the clock commutes
/// with none: even a step that touches no lock reads the clock (a sleep's deadline, a
/// task's start delay, a write of the time), so `MAX & 0 == 0` would wrongly let it.
pub(crate) fn independent(a: Access, b: Access) -> bool {
    a & b == 0 && a != Access::MAX && b != Access::MAX
}

impl Simulation {
    /// Goes on with `task` after the run stopped for a choice
    /// ([`EndReason::AwaitingChoice`]) under `Policy::Manual`; runs that one step.
    /// Returns `false` (and changes nothing) if the run was not waiting for a choice.
    pub(crate) fn choose(&mut self, task: TaskId) -> bool {
        if !matches!(self.end, Some(EndReason::AwaitingChoice { .. })) {
            return false;
        }
        self.end = None;
        self.executor.choose(task);
        self.end = self.step();
        true
    }

    /// Runs until the run ends or waits for a choice, at most `max_steps` polls more.
    /// Returns the polls made.
    pub(crate) fn run_to_choice(&mut self, max_steps: u64) -> u64 {
        let mut polls = 0;
        while self.end.is_none() && polls < max_steps {
            self.end = self.step();
            polls += 1;
        }
        polls
    }

    /// What the run has cost so far, in units of about a poll: the work its budget
    /// counted (each step executed and each poll) and a unit per 256 bytes of values
    /// and lines it recorded (a poll that renders a big value costs as much).
    pub(crate) fn cost(&self) -> u64 {
        self.budget.work() + self.sink.text_bytes() / 256
    }

    /// How the run ended, or `AwaitingChoice` with the ready tasks; `None` while it can
    /// go on.
    pub(crate) fn end(&self) -> Option<&EndReason> {
        self.end.as_ref()
    }

    /// The values of the mutexes now, rendered as JSON, by mutex id.
    pub(crate) fn values_now(&self) -> Vec<String> {
        self.state
            .mutexes
            .iter()
            .map(|m| self.values.get(m.value_index() as usize).cloned().unwrap_or_default())
            .collect()
    }

    /// A fingerprint of everything the future of the run depends on: the virtual time,
    /// the ready tasks (as a set: a manual choice can take any of them), each task's
    /// step, loop counters, register, sleep and wait, each lock's holder, queue,
    /// watchers and value. Two moments with equal fingerprints have the same futures
    /// (up to a 64-bit hash collision, and up to the work already spent, which only a
    /// run that hits its work limit notices).
    pub(crate) fn fingerprint(&mut self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.clock.now().hash(&mut h);
        let mut ready = self.executor.ready();
        ready.sort_unstable();
        ready.hash(&mut h);
        self.state.hash_into(&self.values, &mut h);
        for local in &self.locals {
            local.hash_into(&mut h);
        }
        // The assertions that failed are part of the outcome: two moments alike but for
        // them lead to different outcomes.
        self.failed_assertions().hash(&mut h);
        h.finish()
    }

    /// The assertions that failed so far, as [`Run::failed_assertions`](crate::trace::Run::failed_assertions)
    /// writes them, sorted: failures in two tasks that do not touch each other's locks
    /// fail in either order, and are one outcome.
    pub(crate) fn failed_assertions(&self) -> Vec<String> {
        let mut failed: Vec<String> = self
            .asserts
            .iter()
            .map(|&(t, line)| {
                let text = self.lines.get(line as usize).map_or("", String::as_str);
                crate::trace::assertion_text(&self.scenario, t, text)
            })
            .collect();
        failed.sort_unstable();
        failed
    }

    /// The objects the last step touched (see [`Access`]).
    pub(crate) fn last_access(&self) -> Access {
        let n = self.step_ends.len();
        let from = if n >= 2 { self.step_ends[n - 2] } else { 0 };
        let to = self.step_ends.last().copied().unwrap_or(0).min(self.events.len());
        let mut access = 0;
        for e in &self.events[from.min(to)..to] {
            match e.kind {
                EventKind::Busy { .. } => return Access::MAX,
                EventKind::Done { .. } | EventKind::Joining { .. } | EventKind::Joined { .. } if self.joins => {
                    access |= JOINS;
                }
                ref kind => {
                    if let Some(m) = kind.mutex() {
                        access |= 1 << m.min(63);
                    }
                }
            }
        }
        access
    }
}
