//! What a run may spend, counted in work rather than polls.
//!
//! A poll can do any amount of work: a `loop` whose body never yields runs inside one
//! poll forever, so bounding polls bounds nothing. The interpreter therefore calls
//! [`Budget::tick`] for every step it executes (every step of a task, every round of a
//! loop, inside one poll or not) and the executor for every poll. When a limit is
//! reached the budget *halts* the run: the running task parks for good, the executor
//! stops at its next step and reports [`StepOutcome::Halted`](super::StepOutcome::Halted)
//! with the reason.
//!
//! # Examples
//!
//! ```
//! use mutex_playground::exec::{Budget, Halt};
//!
//! let budget = Budget::new(10, 3);
//! budget.start_poll(0);
//! assert!(budget.tick(0).is_ok());
//! assert!(budget.tick(0).is_ok());
//! assert_eq!(budget.tick(0), Err(Halt::Runaway { task: 0, steps: 3 }));
//! assert_eq!(budget.halted(), Some(Halt::Runaway { task: 0, steps: 3 }));
//! ```

use super::event::TaskId;
use std::cell::Cell;

/// Why a run was stopped from inside: a stalled thread, a runaway task, or a limit.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Halt {
    /// A blocking lock stalled the only thread: nothing can run again.
    Stalled,
    /// `task` executed `steps` steps in one poll without yielding (a loop that never
    /// awaits anything that waits); the run cannot go on without it giving up the thread.
    Runaway {
        /// The task that would not yield.
        task: TaskId,
        /// The steps it ran in that poll.
        steps: u64,
    },
    /// `task` recorded (or copied) `bytes` bytes of values and printed lines in one poll
    /// without yielding: rendering big values costs in proportion to their size, so
    /// this bounds how long one poll can take when each step is cheap but its data is
    /// not.
    Flood {
        /// The task that would not yield.
        task: TaskId,
        /// The bytes it recorded or copied in that poll.
        bytes: u64,
    },
    /// The run's work limit (steps executed plus polls) was reached.
    WorkLimit,
    /// Virtual time passed the run's limit (busy work can move it inside one poll).
    TimeLimit,
    /// The recorded trace reached its size limit (events, or bytes of text and values).
    TraceFull,
}

/// The work counters of one run. Single-threaded, like the executor.
#[derive(Debug)]
pub struct Budget {
    work: Cell<u64>,
    max_work: u64,
    in_poll: Cell<u64>,
    max_in_poll: u64,
    /// Bytes recorded or copied in this poll: counted from `poll_start_bytes` (the
    /// sink's text size when the poll started) plus `charged`.
    poll_start_bytes: Cell<u64>,
    charged: Cell<u64>,
    max_bytes_in_poll: u64,
    halt: Cell<Option<Halt>>,
}

impl Budget {
    /// A budget of `max_work` units of work in all (polls and steps together), and of
    /// fewer than `max_in_poll` steps in one poll: the `max_in_poll`-th step of a poll
    /// halts the run with [`Halt::Runaway`]. The bytes per poll are unbounded until
    /// [`with_max_bytes_in_poll`](Self::with_max_bytes_in_poll).
    pub fn new(max_work: u64, max_in_poll: u64) -> Budget {
        Budget {
            work: Cell::new(0),
            max_work,
            in_poll: Cell::new(0),
            max_in_poll,
            poll_start_bytes: Cell::new(0),
            charged: Cell::new(0),
            max_bytes_in_poll: u64::MAX,
            halt: Cell::new(None),
        }
    }

    /// Also bounds the bytes a task records or copies in one poll (see [`Halt::Flood`]).
    pub fn with_max_bytes_in_poll(mut self, bytes: u64) -> Budget {
        self.max_bytes_in_poll = bytes;
        self
    }

    /// A poll starts: it costs one unit, and the steps-without-yielding count restarts.
    /// `recorded_bytes` is how much text the run had recorded before it.
    ///
    /// It never fails: a poll past the work limit is stopped by the first step it ticks
    /// (and the simulation and the real-time driver check the work before each poll).
    pub fn start_poll(&self, recorded_bytes: u64) {
        self.work.set(self.work.get().saturating_add(1));
        self.in_poll.set(0);
        self.poll_start_bytes.set(recorded_bytes);
        self.charged.set(0);
    }

    /// Counts `bytes` copied in this poll (a value read into a register) towards the
    /// per-poll byte limit, which the next [`check_bytes`](Self::check_bytes) applies.
    pub fn charge_bytes(&self, bytes: u64) {
        self.charged.set(self.charged.get().saturating_add(bytes));
    }

    /// Checks the bytes `task` recorded (the run's text is now `recorded_bytes`) or
    /// copied in this poll against the limit; halts the run with [`Halt::Flood`] past it.
    pub fn check_bytes(&self, task: TaskId, recorded_bytes: u64) -> Result<(), Halt> {
        let bytes = recorded_bytes.saturating_sub(self.poll_start_bytes.get()).saturating_add(self.charged.get());
        if bytes > self.max_bytes_in_poll {
            return Err(self.halt(Halt::Flood { task, bytes }));
        }
        Ok(())
    }

    /// One step executed by `task` during the current poll. Fails (and halts the run)
    /// if that exceeds a limit, or if the run was already halted.
    #[inline]
    pub fn tick(&self, task: TaskId) -> Result<(), Halt> {
        if let Some(h) = self.halt.get() {
            return Err(h);
        }
        let work = self.work.get() + 1;
        let in_poll = self.in_poll.get() + 1;
        self.work.set(work);
        self.in_poll.set(in_poll);
        if in_poll >= self.max_in_poll {
            return Err(self.halt(Halt::Runaway { task, steps: in_poll }));
        }
        if work > self.max_work {
            return Err(self.halt(Halt::WorkLimit));
        }
        Ok(())
    }

    /// Stops the run for `why` (the first reason given stays) and returns the reason
    /// in force.
    pub fn halt(&self, why: Halt) -> Halt {
        match self.halt.get() {
            Some(first) => first,
            None => {
                self.halt.set(Some(why));
                why
            }
        }
    }

    /// Why the run was halted, if it was.
    pub fn halted(&self) -> Option<Halt> {
        self.halt.get()
    }

    /// Work spent so far (steps executed plus polls).
    pub fn work(&self) -> u64 {
        self.work.get()
    }

    /// The work limit.
    pub fn max_work(&self) -> u64 {
        self.max_work
    }
}
