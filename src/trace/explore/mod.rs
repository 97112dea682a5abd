//! Every schedule: the scheduling choices of a scenario searched for where they lead.
//!
//! A run waits for a choice wherever more than one task could run next (timers that
//! fire at the same virtual instant make several tasks ready at once). The [`Explorer`]
//! tries each choice, depth first, with equal states merged and steps that touch
//! different locks tried in one order only, or within a preemption bound, or by
//! sampling; each run that ends is a schedule, and its [`Outcome`] (its [`Ending`], and
//! the final values or the deadlock's cycle) is what it reports, with the shortest
//! schedule to each as choices that `Policy::Manual` replays. [`minimise`] shrinks a
//! schedule to fewer preemptions with the same outcome; [`fork`] runs another task at
//! one step of a run. [`outlook`] is the scheduler game's question, answered by a search
//! from the game's point: do the choices left still change the ending?
//!
//! # Examples
//!
//! ```
//! use mutex_playground::scenario::{preset, Scenario};
//! use mutex_playground::trace::explore::{outlook, Ending, Outlook};
//!
//! // The deadlock preset: each task takes its first lock, then sleeps; while one sleeps
//! // the other is the only one ready, so every schedule deadlocks.
//! let deadlock = preset("deadlock").unwrap().scenario;
//! assert_eq!(outlook(&deadlock, &[], 1_000), Outlook::Decided(Ending::Deadlock));
//!
//! // Yielding instead of sleeping, a task can be polled again at once: run left to the
//! // end first and nobody waits; interleave them and they deadlock.
//! let yielding = Scenario::from_json(r#"{"name": "yielding", "mutexes": [{"name": "a"}, {"name": "b"}],
//!     "tasks": [
//!       {"name": "left", "steps": [{"op": "lock", "mutex": "a"}, {"op": "yield"}, {"op": "lock", "mutex": "b"}]},
//!       {"name": "right", "steps": [{"op": "lock", "mutex": "b"}, {"op": "yield"}, {"op": "lock", "mutex": "a"}]}
//!     ]}"#).unwrap();
//! assert_eq!(outlook(&yielding, &[], 1_000), Outlook::Open(vec![Ending::Finished, Ending::Deadlock]));
//! // Once both hold their first lock, it is decided.
//! assert_eq!(outlook(&yielding, &[0, 1], 1_000), Outlook::Decided(Ending::Deadlock));
//! ```

mod probe;
mod search;
mod shrink;

pub use search::{Class, Explorer, Mode, Outcome, Report};
pub use search::{MAX_CLASSES, MAX_DEPTH, MAX_POLLS, MAX_STATES, MAX_STORED};
pub use shrink::{fork, minimise, replay, Schedule, MAX_MINIMISE_POLLS, MAX_MINIMISE_RUNS};

use super::EndReason;
use crate::exec::TaskId;
use crate::scenario::Scenario;

/// How a run ended, as the scheduler game tells endings apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ending {
    /// Every task finished.
    Finished,
    /// Every task finished, but an assertion failed (its task ended there). Only an
    /// [`Outcome`] tells this one: [`Ending::of`] an end reason alone says `Finished`.
    AssertionFailed,
    /// A cycle of waits.
    Deadlock,
    /// A task lost its wake-up.
    LostWakeup,
    /// A blocking lock stalled the thread.
    Stalled,
    /// Nothing could run for another reason.
    Stuck,
    /// The scenario's time limit stopped it (tasks that loop forever, with sleeps).
    TimeLimit,
    /// Another limit stopped it (work, a task that would not yield, the trace's size).
    Limit,
}

impl Ending {
    /// The ending of a finished run; `None` while it waits for a choice (or was given a
    /// task that was not ready).
    pub fn of(end: &EndReason) -> Option<Ending> {
        Some(match end {
            EndReason::Finished => Ending::Finished,
            EndReason::Deadlock { .. } => Ending::Deadlock,
            EndReason::LostWakeup { .. } => Ending::LostWakeup,
            EndReason::Stalled { .. } => Ending::Stalled,
            EndReason::Stuck => Ending::Stuck,
            EndReason::TimeLimit => Ending::TimeLimit,
            EndReason::StepLimit
            | EndReason::Runaway { .. }
            | EndReason::Flood { .. }
            | EndReason::TraceFull { .. } => Ending::Limit,
            EndReason::AwaitingChoice { .. } | EndReason::BadChoice { .. } => return None,
        })
    }

    /// In words, after "ends in": "every task finishing", "a deadlock".
    pub fn describe(self) -> &'static str {
        match self {
            Ending::Finished => "every task finishing",
            Ending::AssertionFailed => "a failed assertion",
            Ending::Deadlock => "a deadlock",
            Ending::LostWakeup => "a lost wake-up",
            Ending::Stalled => "a stalled executor",
            Ending::Stuck => "nothing able to run",
            Ending::TimeLimit => "the scenario's time limit",
            Ending::Limit => "a limit of the scenario",
        }
    }
}

/// What the choices left can still change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outlook {
    /// Every way on ends like this: the choices left do not change the outcome.
    Decided(Ending),
    /// The choices left decide between (at least) these endings.
    Open(Vec<Ending>),
    /// More ways on than the budget allows trying, without two endings found yet.
    Unknown,
}

/// What the choices after `choices` can still change in `scenario`: an exhaustive
/// [`Explorer`] search from that point (equal states merged, commuting steps tried once),
/// stopped as soon as two different endings are found (the outcome is then open), or
/// after `max_runs` schedules (or 50 states per run allowed) without a verdict. An
/// invalid scenario, or choices that are not a valid prefix, give [`Outlook::Unknown`].
pub fn outlook(scenario: &Scenario, choices: &[TaskId], max_runs: usize) -> Outlook {
    let Ok(explorer) = Explorer::new(scenario, Mode::Exhaustive) else { return Outlook::Unknown };
    let max_runs = max_runs as u64;
    let mut explorer = explorer.starting_after(choices).with_max_states(max_runs.saturating_mul(50));
    loop {
        let done = explorer.advance(1_000);
        let report = explorer.report();
        // (A vector, not a set: there are few endings, and a set type of its own would
        // cost the page its code.)
        let mut endings: Vec<Ending> = Vec::new();
        for c in &report.classes {
            if !endings.contains(&c.outcome.ending()) {
                endings.push(c.outcome.ending());
            }
        }
        if endings.len() > 1 {
            endings.sort();
            return Outlook::Open(endings);
        }
        if report.schedules > max_runs || (done && (report.truncated || report.unlisted > 0)) {
            return Outlook::Unknown;
        }
        if done {
            return endings.pop().map_or(Outlook::Unknown, Outlook::Decided);
        }
    }
}
