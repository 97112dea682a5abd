//! The compare view's runs: the scenario under two to four lock policies (see
//! [`trace::compare`](crate::trace::compare)), each simulated a slice per animation frame
//! like the main run, so a big scenario never blocks the page; together they record at
//! most what one run does ([`TraceRoom::shared_by`]).

use super::{now_ms, Model, SLICE_MS};
use crate::exec::Policy;
use crate::scenario::{MutexKind, Scenario};
use crate::trace::compare::{under, PolicyStats};
use crate::trace::{Run, Simulation, TraceRoom};
use std::cell::RefCell;
use std::rc::Rc;

/// The fewest and most policies the view sets side by side.
pub const MIN_POLICIES: usize = 2;
/// See [`MIN_POLICIES`].
pub const MAX_POLICIES: usize = 4;

/// One column of the comparison.
#[derive(Clone, Debug)]
pub enum Column {
    /// Still being simulated: the share of the step limit done so far, 0 to 1.
    Pending(f64),
    /// The run, and its numbers.
    Done(Rc<Run>, Rc<PolicyStats>),
    /// The scenario does not run under this policy (a message to show).
    Failed(String),
}

/// Runs are compared by pointer (a view's props are compared every render, and a run is
/// never changed once made).
impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Column::Pending(a), Column::Pending(b)) => a == b,
            (Column::Done(a, _), Column::Done(b, _)) => Rc::ptr_eq(a, b),
            (Column::Failed(a), Column::Failed(b)) => a == b,
            _ => false,
        }
    }
}

/// The comparison of the scenario on screen under a few policies.
#[derive(Clone)]
pub struct Compare {
    /// The policies, in the columns' order (2 to 4, no two alike).
    pub kinds: Vec<MutexKind>,
    /// The scenario compared: the comparison is redone when the one on screen changes.
    pub scenario: Rc<Scenario>,
    /// The scheduler every column runs with (the page's watch-mode one).
    pub policy: Policy,
    /// Each policy's column, in `kinds`' order.
    pub columns: Vec<Column>,
    sims: Rc<RefCell<Vec<Option<Simulation>>>>,
}

impl PartialEq for Compare {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.sims, &other.sims) && self.kinds == other.kinds && self.columns == other.columns
    }
}

impl std::fmt::Debug for Compare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compare").field("kinds", &self.kinds).field("columns", &self.columns).finish_non_exhaustive()
    }
}

impl Compare {
    /// Whether a column is still being simulated.
    pub fn running(&self) -> bool {
        self.columns.iter().any(|c| matches!(c, Column::Pending(_)))
    }

    /// The runs done so far, by column.
    pub fn runs(&self) -> impl Iterator<Item = Option<&Rc<Run>>> {
        self.columns.iter().map(|c| match c {
            Column::Done(run, _) => Some(run),
            _ => None,
        })
    }
}

/// `kinds` made a valid choice of policies: policy kinds only, no two alike, at most
/// [`MAX_POLICIES`]; fewer than [`MIN_POLICIES`] are topped up from the default order.
pub fn normalise(kinds: &[MutexKind]) -> Vec<MutexKind> {
    let mut out: Vec<MutexKind> = Vec::new();
    for &k in kinds.iter().chain(crate::trace::compare::POLICIES.iter()) {
        let alike = |o: &MutexKind| o.name() == k.name();
        if k.is_policy_mutex() && !out.iter().any(alike) && (out.len() < MIN_POLICIES || kinds.iter().any(alike)) {
            out.push(k);
        }
        if out.len() == MAX_POLICIES {
            break;
        }
    }
    out
}

impl Model {
    /// Compares the scenario on screen under `kinds` (see [`normalise`]); starts the runs.
    pub(super) fn open_compare(&mut self, kinds: &[MutexKind]) {
        // Nothing to compare without a mutex whose policy can change (the view says so by
        // offering nothing; a link's `compare=` is then dropped).
        if !crate::trace::compare::comparable(&self.scenario) {
            self.compare = None;
            return;
        }
        // Nor a scenario too big for four more runs of it: said, as a link's bad value is.
        if let Some(why) = crate::trace::compare::too_big_to_compare(&self.scenario) {
            self.compare = None;
            self.notice = Some(why);
            return;
        }
        let kinds = normalise(kinds);
        let policy = self.policy.clone();
        // The runs share one run's room for their traces: a comparison costs at most what
        // the main run does, whatever the scenario (a big one's columns stop sooner).
        let room = TraceRoom::shared_by(kinds.len());
        let mut sims = Vec::new();
        let columns = kinds
            .iter()
            .map(|&k| match Simulation::with_room(&under(&self.scenario, k), &policy, room) {
                Ok(sim) => {
                    sims.push(Some(sim));
                    Column::Pending(0.0)
                }
                Err(e) => {
                    sims.push(None);
                    Column::Failed(e.to_string())
                }
            })
            .collect();
        let sims = Rc::new(RefCell::new(sims));
        self.compare = Some(Compare { kinds, scenario: self.scenario.clone(), policy, columns, sims });
        // Small runs are done at once: the view opens with its numbers.
        self.compare_slice();
    }

    /// One slice of the comparison's runs: about [`SLICE_MS`] of work, then the next frame.
    pub(super) fn compare_slice(&mut self) {
        let Some(c) = self.compare.as_mut() else { return };
        let started = now_ms();
        let mut sims = c.sims.borrow_mut();
        for (column, slot) in c.columns.iter_mut().zip(sims.iter_mut()) {
            let Some(sim) = slot.as_mut() else { continue };
            let mut done = false;
            while !done && now_ms() - started < SLICE_MS {
                done = sim.advance(2_000);
            }
            if done {
                let run = slot.take().expect("the simulation is here").finish();
                let stats = PolicyStats::of(&run);
                *column = Column::Done(Rc::new(run), Rc::new(stats));
            } else {
                *column = Column::Pending(sim.progress().fraction());
                break;
            }
        }
    }

    /// Redoes the comparison if the scenario or the scheduler changed under it (and closes
    /// it if the scenario has no policy mutex left). Called by every re-run of the main
    /// run, which is what a change of either makes.
    pub(super) fn follow_compare(&mut self) {
        let stale =
            self.compare.as_ref().filter(|c| !Rc::ptr_eq(&c.scenario, &self.scenario) || c.policy != self.policy);
        if let Some(kinds) = stale.map(|c| c.kinds.clone()) {
            self.open_compare(&kinds);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::MutexKind::*;

    #[test]
    fn a_choice_of_policies_is_normalised() {
        let fair = EventuallyFair { after_ms: 10 };
        assert_eq!(normalise(&[]), [Async, Barging]);
        assert_eq!(normalise(&[Lifo]), [Lifo, Async]);
        assert_eq!(normalise(&[Lifo, Lifo, RwLock, Barging]), [Lifo, Barging]);
        assert_eq!(normalise(&[Async, Barging, Lifo, fair, Async]), [Async, Barging, Lifo, fair]);
    }
}
