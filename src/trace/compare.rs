//! One scenario under several lock policies, side by side: what the compare view shows.
//!
//! [`under`] gives the scenario with every mutex of a policy kind (`async`, `barging`,
//! `lifo`, `eventually_fair`) switched to one policy; [`PolicyStats::of`] sums up a run
//! the way the comparison table does: throughput, the distribution of waits, how often
//! tasks were overtaken, Jain's index, and two verdicts, starvation and convoy.
//!
//! ```
//! use mutex_playground::exec::Policy;
//! use mutex_playground::scenario::{preset, MutexKind};
//! use mutex_playground::trace::compare::{under, PolicyStats};
//! use mutex_playground::trace::simulate;
//!
//! let s = preset("barging-starvation").unwrap().scenario;
//! let stats = |kind| PolicyStats::of(&simulate(&under(&s, kind), &Policy::Fifo).unwrap());
//! let (fifo, barging) = (stats(MutexKind::Async), stats(MutexKind::Barging));
//! assert_eq!(fifo.overtaken, 0);
//! assert!(barging.overtaken > 0 && !barging.starved.is_empty());
//! ```

use super::{AlertKind, Run};
use crate::exec::{EventKind, TaskId};
use crate::scenario::{MutexKind, Scenario, DEFAULT_FAIR_AFTER_MS};
use serde::Serialize;

/// The policies the compare view offers, in its order (the first is our FIFO Mutex).
pub const POLICIES: [MutexKind; 4] = [
    MutexKind::Async,
    MutexKind::Barging,
    MutexKind::Lifo,
    MutexKind::EventuallyFair { after_ms: DEFAULT_FAIR_AFTER_MS },
];

/// The longest chain of direct hand-offs that counts as a convoy: the lock went round
/// its queue twice without ever being free (and at least this many times).
pub const MIN_CONVOY: u64 = 4;

/// `s` with every mutex of a policy kind (see [`MutexKind::is_policy_mutex`]) set to
/// `kind`. An eventually fair mutex keeps its own threshold; the others take `kind`'s.
/// Other kinds (rwlocks, semaphores, watch cells, blocking mutexes) are left as they are.
pub fn under(s: &Scenario, kind: MutexKind) -> Scenario {
    let mut out = s.clone();
    for m in &mut out.mutexes {
        if m.kind.is_policy_mutex() {
            m.kind = match (m.kind, kind) {
                (MutexKind::EventuallyFair { after_ms }, MutexKind::EventuallyFair { .. }) => {
                    MutexKind::EventuallyFair { after_ms }
                }
                _ => kind,
            };
        }
    }
    out
}

/// Whether `s` has a mutex a policy can be chosen for (else there is nothing to compare).
pub fn comparable(s: &Scenario) -> bool {
    s.mutexes.iter().any(|m| m.kind.is_policy_mutex())
}

/// The largest scenario the compare view takes, in bytes of compact JSON. The runs share
/// one run's room for their traces, but each holds its own copy of the scenario and of
/// its program: about 8 bytes for each byte of JSON (measured, BENCHMARKS.md), so four
/// runs of a scenario this big cost about 64 MiB more than the main run alone.
pub const MAX_COMPARE_BYTES: usize = 2 * 1024 * 1024;

/// Why the compare view refuses `s`, if it does: it is bigger than [`MAX_COMPARE_BYTES`].
///
/// ```
/// use mutex_playground::scenario::preset;
/// use mutex_playground::trace::compare::too_big_to_compare;
///
/// assert_eq!(too_big_to_compare(&preset("convoy").unwrap().scenario), None);
/// ```
pub fn too_big_to_compare(s: &Scenario) -> Option<String> {
    let bytes = crate::scenario::canonical_size(s);
    (bytes > MAX_COMPARE_BYTES).then(|| {
        format!(
            "This scenario is too big to compare: {:.1} MiB of JSON, and the compare view takes at most {} MiB \
             (each policy's run holds its own copy).",
            bytes as f64 / (1024.0 * 1024.0),
            MAX_COMPARE_BYTES / (1024 * 1024)
        )
    })
}

/// A run summed up as the comparison table shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyStats {
    /// Locks taken, all tasks and mutexes together.
    pub acquisitions: u64,
    /// Acquisitions per virtual second.
    pub throughput_per_s: f64,
    /// Virtual ms the run lasted.
    pub duration: u64,
    /// Every acquisition's wait, in virtual ms, sorted (an uncontended lock waited 0; a
    /// wait still going on at the end counts up to the end; a wait given up, by a timeout
    /// or a refused `try_lock`, is not an acquisition and is left out).
    pub waits: Vec<u64>,
    /// The median wait (nearest rank), in virtual ms; 0 without acquisitions.
    pub wait_p50: u64,
    /// The 99th percentile wait (nearest rank).
    pub wait_p99: u64,
    /// The longest wait.
    pub wait_max: u64,
    /// Times any task was overtaken (see [`TaskStats`](super::TaskStats)), all together.
    pub overtaken: u64,
    /// Jain's fairness index over acquisitions per task.
    pub jain: f64,
    /// The tasks the analysis found starved (a starvation alert each).
    pub starved: Vec<TaskId>,
    /// The longest chain of direct hand-offs of one lock: each release handed it straight
    /// to a task that had queued for it, the lock never free in between.
    pub handoff_chain: u64,
    /// The convoy verdict: some lock's `handoff_chain` went round its queue at least twice
    /// (twice the tasks that ever queued for it) and at least [`MIN_CONVOY`] times, so its
    /// waiters moved in lockstep, each at the pace of the hand-offs before it.
    pub convoy: bool,
    /// Why the run ended, in one sentence.
    pub end: String,
}

impl PolicyStats {
    /// Sums up `run`.
    pub fn of(run: &Run) -> PolicyStats {
        let s = &run.scenario;
        let (tasks, mutexes) = (s.tasks.len(), s.mutexes.len());
        // Per task: when it asked for a lock it has not had yet.
        let mut asked: Vec<Option<u64>> = vec![None; tasks];
        let mut queued = vec![false; tasks];
        let mut waits = Vec::new();
        // Per mutex: the step of its latest release, the current chain, its waiters (each
        // once it is sorted and deduplicated below).
        let mut released_at: Vec<Option<u32>> = vec![None; mutexes];
        let mut chain = vec![0u64; mutexes];
        let mut longest = vec![0u64; mutexes];
        let mut waiters: Vec<Vec<TaskId>> = vec![Vec::new(); mutexes];
        for e in run.events() {
            match e.kind {
                EventKind::LockRequested { task, .. } => asked[task as usize] = Some(e.time),
                EventKind::Enqueued { task, mutex, .. } => {
                    queued[task as usize] = true;
                    waiters[mutex as usize].push(task);
                }
                EventKind::Acquired { task, mutex } => {
                    let m = mutex as usize;
                    if let Some(since) = asked[task as usize].take() {
                        waits.push(e.time.saturating_sub(since));
                    }
                    let handed = std::mem::take(&mut queued[task as usize]) && released_at[m] == Some(e.step);
                    chain[m] = if handed { chain[m] + 1 } else { 0 };
                    longest[m] = longest[m].max(chain[m]);
                }
                EventKind::Released { mutex, .. } => released_at[mutex as usize] = Some(e.step),
                EventKind::Uncontended { mutex, times, .. } => {
                    waits.extend(std::iter::repeat_n(0, times as usize));
                    chain[mutex as usize] = 0;
                }
                EventKind::Cancelled { task, .. } | EventKind::TryFailed { task, .. } => {
                    asked[task as usize] = None;
                    queued[task as usize] = false;
                }
                _ => {}
            }
        }
        // Waits still going on count up to the end, like the analysis's.
        let end = run.duration();
        waits.extend(asked.iter().flatten().map(|&since| end.saturating_sub(since)));
        waits.sort_unstable();
        let rank = |p: usize| match waits.len() {
            0 => 0,
            n => waits[(n * p).div_ceil(100).clamp(1, n) - 1],
        };
        let a = run.analysis();
        for w in &mut waiters {
            w.sort_unstable();
            w.dedup();
        }
        let convoy = (0..mutexes).any(|m| longest[m] >= MIN_CONVOY && longest[m] >= 2 * waiters[m].len() as u64);
        PolicyStats {
            acquisitions: a.acquisitions,
            throughput_per_s: a.throughput_per_s,
            duration: end,
            wait_p50: rank(50),
            wait_p99: rank(99),
            wait_max: waits.last().copied().unwrap_or(0),
            waits,
            overtaken: a.tasks.iter().map(|t| t.overtaken).sum(),
            jain: a.jain_fairness,
            starved: a
                .alerts
                .iter()
                .filter(|x| x.kind == AlertKind::Starvation)
                .flat_map(|x| x.tasks.clone())
                .collect(),
            handoff_chain: longest.iter().copied().max().unwrap_or(0),
            convoy,
            end: run.end_text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::Policy;
    use crate::scenario::preset;
    use crate::trace::simulate;

    #[test]
    fn a_scenario_over_the_size_limit_is_not_compared() {
        let mut s = preset("convoy").expect("a preset").scenario;
        s.description = "x".repeat(MAX_COMPARE_BYTES);
        let why = too_big_to_compare(&s).expect("too big");
        assert!(why.contains("2.0 MiB of JSON") && why.contains("at most 2 MiB"), "{why}");
        s.description = "x".repeat(MAX_COMPARE_BYTES - 10_000);
        assert_eq!(too_big_to_compare(&s), None);
    }

    fn stats(id: &str, kind: MutexKind) -> PolicyStats {
        let s = preset(id).expect("a preset").scenario;
        PolicyStats::of(&simulate(&under(&s, kind), &Policy::Fifo).expect("valid"))
    }

    #[test]
    fn under_switches_only_the_policy_mutexes() {
        let s = preset("rwlock").unwrap().scenario;
        assert_eq!(under(&s, MutexKind::Lifo), s, "an rwlock has no policy to switch");
        assert!(!comparable(&s));
        let s = preset("counter").unwrap().scenario;
        assert!(under(&s, MutexKind::Lifo).mutexes.iter().all(|m| m.kind == MutexKind::Lifo));
    }

    #[test]
    fn the_percentiles_are_nearest_rank() {
        let st = stats("fairness", MutexKind::Async);
        assert_eq!(st.waits.len() as u64, st.acquisitions, "one wait per acquisition");
        let n = st.waits.len();
        assert_eq!(st.wait_p50, st.waits[n.div_ceil(2) - 1]);
        assert_eq!(st.wait_p99, st.waits[(n * 99).div_ceil(100) - 1]);
        assert_eq!(st.wait_max, *st.waits.last().unwrap());
    }

    #[test]
    fn fifo_hands_off_in_a_convoy_and_barging_does_not() {
        let fifo = stats("convoy", MutexKind::Async);
        assert!(fifo.convoy, "FIFO's chain: {}", fifo.handoff_chain);
        assert_eq!(fifo.overtaken, 0);
        let barging = stats("convoy", MutexKind::Barging);
        assert!(barging.handoff_chain < fifo.handoff_chain, "{} vs {}", barging.handoff_chain, fifo.handoff_chain);
    }

    #[test]
    fn barging_starves_the_polite_task_and_fair_policies_do_not() {
        let barging = stats("barging-starvation", MutexKind::Barging);
        assert_eq!(barging.starved, [1], "polite starves: {barging:?}");
        for kind in [MutexKind::Async, MutexKind::EventuallyFair { after_ms: 10 }] {
            let st = stats("barging-starvation", kind);
            assert!(st.starved.is_empty(), "{kind:?}: {st:?}");
            assert!(st.wait_max < barging.wait_max, "{kind:?}");
        }
    }
}
