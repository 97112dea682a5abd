//! Other schedules from one: the same outcome with fewer preemptions ([`minimise`]),
//! and another task at one step with the default order after it ([`fork`]).

use super::search::Outcome;
use crate::exec::{Policy, TaskId};
use crate::scenario::Scenario;
use crate::trace::{EndReason, Simulation};

/// A schedule run to its end: its choices, what it led to, and its preemptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The task polled at each step.
    pub choices: Vec<TaskId>,
    /// What it led to.
    pub outcome: Outcome,
    /// How many times it switched away from a task that could have gone on.
    pub preemptions: u32,
}

/// Runs `scenario`, asking `pick(step, ready, last)` at each choice (it must name a
/// ready task). `None` if the scenario is invalid, the run did not end within its own
/// limits, or a pick was not ready.
fn drive(scenario: &Scenario, mut pick: impl FnMut(usize, &[TaskId], Option<TaskId>) -> TaskId) -> Option<Schedule> {
    let mut sim = Simulation::new(scenario, &Policy::Manual { choices: Vec::new() }).ok()?;
    sim.run_to_choice(u64::MAX);
    let mut choices: Vec<TaskId> = Vec::new();
    let mut preemptions = 0;
    while let Some(EndReason::AwaitingChoice { ready }) = sim.end() {
        let last = choices.last().copied();
        let task = pick(choices.len(), ready, last);
        if !ready.contains(&task) {
            return None;
        }
        if last.is_some_and(|l| l != task && ready.contains(&l)) {
            preemptions += 1;
        }
        choices.push(task);
        sim.choose(task);
        sim.run_to_choice(1);
    }
    Some(Schedule { outcome: Outcome::of(&sim)?, choices, preemptions })
}

/// `schedule` run to its end (its outcome and preemptions); `None` if it is not a
/// complete schedule of `scenario`.
pub fn replay(scenario: &Scenario, schedule: &[TaskId]) -> Option<Schedule> {
    let mut bad = false;
    let run = drive(scenario, |step, ready, _| match schedule.get(step) {
        Some(&t) => t,
        None => {
            bad = true;
            ready[0]
        }
    })?;
    (!bad).then_some(run)
}

/// The most schedules [`minimise`] tries.
pub const MAX_MINIMISE_RUNS: usize = 200;
/// The most polls [`minimise`] spends, all its runs together (a long schedule gets
/// fewer tries, so minimising never keeps the page busy for long).
pub const MAX_MINIMISE_POLLS: usize = 200_000;

/// A schedule with the same outcome as `schedule` and as few preemptions as a greedy
/// search finds: at each preemption in turn it lets the preempted task go on until it
/// waits, then follows the original order again, and keeps the change if the outcome is
/// the same with fewer preemptions; until no change helps, or [`MAX_MINIMISE_RUNS`]
/// runs or [`MAX_MINIMISE_POLLS`] polls. `None` if `schedule` is not a complete schedule of `scenario`.
///
/// ```
/// use mutex_playground::scenario::preset;
/// use mutex_playground::trace::explore::{minimise, replay};
///
/// let s = preset("hidden-deadlock").unwrap().scenario;
/// // A deadlocking schedule with a needless switch at the start (left first is FIFO's
/// // own order; right first at 10 ms is what deadlocks).
/// let found = replay(&s, &[1, 0, 1, 0]).unwrap();
/// let small = minimise(&s, &found.choices).unwrap();
/// assert_eq!(small.outcome, found.outcome);
/// assert!(small.preemptions <= found.preemptions);
/// ```
pub fn minimise(scenario: &Scenario, schedule: &[TaskId]) -> Option<Schedule> {
    let mut best = replay(scenario, schedule)?;
    // Each run costs about a schedule's length in polls.
    let runs_allowed = MAX_MINIMISE_RUNS.min(MAX_MINIMISE_POLLS / best.choices.len().max(1));
    let mut runs = 2; // the replay, and finding the preemption points
    'improve: while best.preemptions > 0 && runs < runs_allowed {
        runs += 1;
        for at in preemption_points(scenario, &best.choices) {
            if runs >= runs_allowed {
                break 'improve;
            }
            runs += 1;
            let plan = &best.choices;
            let mut resumed: Option<usize> = None;
            let candidate = drive(scenario, |step, ready, last| {
                if step < at {
                    return plan[step];
                }
                if resumed.is_none() {
                    // Let the preempted task go on while it can.
                    match last {
                        Some(l) if ready.contains(&l) => return l,
                        _ => resumed = Some(at),
                    }
                }
                let next = resumed.as_mut().expect("resumed");
                match plan.get(*next) {
                    Some(&t) if ready.contains(&t) => {
                        *next += 1;
                        t
                    }
                    _ => last.filter(|l| ready.contains(l)).unwrap_or(ready[0]),
                }
            });
            if let Some(c) = candidate.filter(|c| c.outcome == best.outcome && c.preemptions < best.preemptions) {
                best = c;
                continue 'improve;
            }
        }
        break;
    }
    Some(best)
}

/// The steps of `schedule` at which it preempts (switches away from a ready task).
fn preemption_points(scenario: &Scenario, schedule: &[TaskId]) -> Vec<usize> {
    let mut points = Vec::new();
    let _ = drive(scenario, |step, ready, last| {
        let t = schedule.get(step).copied().unwrap_or(ready[0]);
        if last.is_some_and(|l| l != t && ready.contains(&l)) {
            points.push(step);
        }
        t
    });
    points
}

/// The schedule that makes `prefix`, then runs `task` (which must be ready there),
/// then goes on in FIFO order to the end: another future from the same point. `None`
/// if `prefix` is not a valid beginning or `task` is not ready after it.
///
/// ```
/// use mutex_playground::exec::Policy;
/// use mutex_playground::scenario::preset;
/// use mutex_playground::trace::explore::{fork, Outcome};
/// use mutex_playground::trace::simulate;
///
/// let s = preset("hidden-deadlock").unwrap().scenario;
/// let fifo = simulate(&s, &Policy::Fifo).unwrap();
/// // At step 2 (both woke at 10 ms) FIFO ran left; run right there instead.
/// let other = fork(&s, &fifo.choices()[..2], 1).unwrap();
/// assert!(matches!(other.outcome, Outcome::Deadlock(_)));
/// ```
pub fn fork(scenario: &Scenario, prefix: &[TaskId], task: TaskId) -> Option<Schedule> {
    drive(scenario, |step, ready, _| match step.cmp(&prefix.len()) {
        std::cmp::Ordering::Less => prefix[step],
        std::cmp::Ordering::Equal => task,
        std::cmp::Ordering::Greater => ready[0],
    })
}
