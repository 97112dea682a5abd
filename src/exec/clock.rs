//! The virtual clock: time only moves when the executor says so.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Virtual time in milliseconds, shared by the executor and the tasks' sleeps.
///
/// Time advances in two ways only: the executor jumps to the next timer when no task is
/// ready, and busy work ([`Clock::advance`]) moves it forward *without yielding*, which is
/// what blocking the executor means. Timers due at the same instant fire in the order
/// they were set, so runs are deterministic.
///
/// Clones share the same time and timers. It is `!Send`: a run lives on one thread.
#[derive(Clone, Default)]
pub struct Clock {
    inner: Rc<RefCell<Inner>>,
}

#[derive(Default)]
struct Inner {
    now: u64,
    next_seq: u64,
    /// (deadline, sequence) → the sleeping task's waker.
    timers: BTreeMap<(u64, u64), Waker>,
}

impl Clock {
    /// A clock at 0 ms with no timers.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// Virtual milliseconds since the start of the run.
    pub fn now(&self) -> u64 {
        self.inner.borrow().now
    }

    /// Moves time forward by `ms` without firing anything (busy work). Saturates at
    /// `u64::MAX` ms.
    ///
    /// Timers that become due are not woken here: they fire at the executor's next
    /// [`fire_next`](Clock::fire_next), which does not move time back.
    pub fn advance(&self, ms: u64) {
        let mut inner = self.inner.borrow_mut();
        inner.now = inner.now.saturating_add(ms);
    }

    /// A future that completes once virtual time reaches `now() + ms` (the deadline is
    /// fixed here, when the future is made).
    ///
    /// Its first poll sets a timer holding the task's waker, unless the deadline has
    /// already passed, in which case it completes at once. `sleep(0)` therefore completes
    /// without yielding.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future removes its timer, and with it the task's waker
    /// (dropped after the clock's internal borrow ends).
    pub fn sleep(&self, ms: u64) -> Sleep {
        let deadline = self.now().saturating_add(ms);
        Sleep { clock: self.clone(), deadline, key: None }
    }

    /// The earliest pending deadline, in virtual ms, or `None` if no timer is set.
    pub fn next_deadline(&self) -> Option<u64> {
        self.inner.borrow().timers.keys().next().map(|&(d, _)| d)
    }

    /// Whether any timer is set.
    pub fn has_timers(&self) -> bool {
        !self.inner.borrow().timers.is_empty()
    }

    /// Jumps to the earliest deadline (if it is in the future) and returns the wakers of
    /// every timer due by then, in the order they were set.
    pub fn fire_next(&self) -> Vec<Waker> {
        let mut inner = self.inner.borrow_mut();
        let Some(&(deadline, _)) = inner.timers.keys().next() else { return Vec::new() };
        inner.now = inner.now.max(deadline);
        let now = inner.now;
        let later = inner.timers.split_off(&(now + 1, 0));
        let due = std::mem::replace(&mut inner.timers, later);
        due.into_values().collect()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("Clock").field("now", &inner.now).field("timers", &inner.timers.len()).finish()
    }
}

/// Future of [`Clock::sleep`]: completes once virtual time reaches its
/// [`deadline`](Sleep::deadline).
///
/// # Cancel safety
///
/// Dropping it removes its timer (and the waker the timer held).
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    clock: Clock,
    deadline: u64,
    key: Option<(u64, u64)>,
}

impl Sleep {
    /// The virtual time, in ms, at which it completes.
    pub fn deadline(&self) -> u64 {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // No waker is dropped while the clock is borrowed: a waker can own anything,
        // including a `Sleep` of this clock, whose drop borrows it again.
        let mut inner = self.clock.inner.borrow_mut();
        if inner.now >= self.deadline {
            let left = self.key.and_then(|key| inner.timers.remove(&key));
            drop(inner);
            drop(left);
            self.key = None;
            return Poll::Ready(());
        }
        let (key, replaced) = match self.key {
            Some(key) => match inner.timers.get_mut(&key) {
                Some(waker) if waker.will_wake(cx.waker()) => (key, None),
                Some(waker) => (key, Some(std::mem::replace(waker, cx.waker().clone()))),
                None => {
                    // Fired, but time was then rewound? Never happens; re-arm anyway.
                    (key, inner.timers.insert(key, cx.waker().clone()))
                }
            },
            None => {
                let key = (self.deadline, inner.next_seq);
                inner.next_seq += 1;
                (key, inner.timers.insert(key, cx.waker().clone()))
            }
        };
        drop(inner);
        self.key = Some(key);
        drop(replaced);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let left = self.clock.inner.borrow_mut().timers.remove(&key);
            drop(left); // after the borrow: a waker's drop may use the clock
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline).finish()
    }
}
