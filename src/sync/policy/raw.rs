//! The lock of a [`PolicyMutex`](super::PolicyMutex) without its value: who holds it, who
//! waits, and what a release does under each [`Policy`].
//!
//! # Implementation notes
//!
//! **One atomic word for the fast path.** `state` holds two flags: `LOCKED` (someone
//! holds the lock, including a waiter it was handed to that has not polled yet) and
//! `HAS_WAITERS` (the queue is not empty). Taking a free lock is a compare-and-swap that
//! sets `LOCKED` whatever `HAS_WAITERS` says: that *is* barging, and under
//! [`Policy::Lifo`] the lock is never free while anyone waits (a release hands it over),
//! so the same CAS cannot overtake there. Letting go with nobody queued is one CAS from
//! `LOCKED` to 0; with `HAS_WAITERS` set it fails and the release takes the slow path
//! under the queue lock. As in the [`Semaphore`](crate::sync::Semaphore), a first poll
//! that finds the lock held takes the queue lock, then either takes the lock (it came free
//! meanwhile) or sets `HAS_WAITERS` *by CAS against a locked state*, and queues: a
//! concurrent release either cleared `LOCKED` first (the CAS fails, and the waiter takes
//! the lock) or sees the flag and needs the queue lock, so finds the waiter queued. While
//! `HAS_WAITERS` is set, `LOCKED` goes from set to clear only under the queue lock.
//!
//! **The queue is in arrival order for every policy.** A `Slab` of slots (tag, waker,
//! status, enqueue time) and a `VecDeque` of their keys, oldest first, behind an internal
//! `std::sync::Mutex` (loom's under `cfg(loom)`). The policy only decides whom a release
//! picks ([`pass_on_locked`](RawPolicyLock::pass_on_locked)):
//!
//! * `Lifo` pops the *back* slot and marks it `Granted`: it holds the lock from then on
//!   (`LOCKED` stays set), and its next poll only collects it;
//! * `EventuallyFair` pops the *front* slot the same way if it has waited at least
//!   `after_ms` by the policy's clock;
//! * otherwise (`Barging`, or `EventuallyFair` before the threshold) the release clears
//!   `LOCKED` and marks the head slot `Woken` (taking its waker, to wake after the lock).
//!   The head stays queued; whoever takes the lock first has it: a newcomer's CAS, or
//!   the woken head when it polls. A queued waiter that polls and finds the lock free
//!   takes it and leaves the queue; one that finds it taken goes back to `Waiting` in its
//!   place, and the holder's release wakes the head again.
//!
//! **No wake-up is lost.** Invariant, under the queue lock: if the lock is free and the
//! queue is not empty, the head is `Woken` (woken, and not polled since). A release with
//! waiters always goes through the queue lock and wakes a `Waiting` head; a `Woken` head
//! that is dropped before it polls passes its wake-up to the new head if the lock is
//! still free (if it is held, the holder's release will wake the new head). This is the
//! bug class of `futures::lock::Mutex` before 0.3.6, where a woken waiter that was
//! dropped took the only wake-up with it.
//!
//! **Nothing foreign runs under the queue lock.** Events, wakes and dropped wakers go
//! through an `Outbox` delivered after the lock, as in the Semaphore (see its notes for
//! why). The policy's [`TimeSource`](super::TimeSource) is foreign code too: it is read
//! *before* the queue lock is taken, so a head that joined after that reading counts as
//! having waited 0 ms.

use super::Policy;
use crate::sync::loom::{AtomicU64, AtomicUsize, Ordering, StdMutex, StdMutexGuard};
use crate::sync::outbox::Outbox;
use crate::sync::{LockEvent, Observer, Tag};
use slab::Slab;
use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

/// Someone holds the lock (or it was handed to a waiter that has not polled yet).
const LOCKED: usize = 0b01;
/// The queue is not empty: a release must take the slow path.
const HAS_WAITERS: usize = 0b10;

pub(crate) struct RawPolicyLock<O> {
    state: AtomicUsize,
    queue: StdMutex<Queue>,
    /// The tag of the latest acquisition: the holder's while `LOCKED` is set.
    holder: AtomicU64,
    policy: Policy,
    observer: O,
}

struct Queue {
    slots: Slab<Slot>,
    /// Keys of the queued slots in arrival order, oldest first (whatever the policy).
    arrivals: VecDeque<usize>,
}

impl Queue {
    fn remove_arrival(&mut self, key: usize) {
        if let Some(pos) = self.arrivals.iter().position(|&k| k == key) {
            self.arrivals.remove(pos);
        }
    }
}

struct Slot {
    tag: Tag,
    waker: Option<Waker>,
    status: Status,
    /// When it joined the queue, by the policy's clock (0 unless `EventuallyFair`).
    since_ms: u64,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Status {
    /// Queued, with its waker stored.
    Waiting,
    /// Queued, and woken by a release that freed the lock; its waker was taken. It races
    /// for the lock when it polls. Only ever the head.
    Woken,
    /// Handed the lock by a release and out of the queue: it holds the lock until it
    /// polls (and gets it) or is dropped (and passes it on).
    Granted,
}

/// Where one lock future got to.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Wait {
    /// Not polled yet: it has not asked.
    Idle,
    /// Queued in this slot (or handed the lock, not yet collected).
    Queued(usize),
    /// Returned the lock.
    Done,
}

impl<O: Observer> RawPolicyLock<O> {
    pub(crate) fn new(policy: Policy, observer: O) -> Self {
        RawPolicyLock {
            state: AtomicUsize::new(0),
            queue: StdMutex::new(Queue { slots: Slab::new(), arrivals: VecDeque::new() }),
            holder: AtomicU64::new(Tag::UNTAGGED.0),
            policy,
            observer,
        }
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.state.load(Ordering::Acquire) & LOCKED != 0
    }

    pub(crate) fn holder(&self) -> Option<Tag> {
        if self.is_locked() {
            Some(Tag(self.holder.load(Ordering::Acquire)))
        } else {
            None
        }
    }

    pub(crate) fn waiters(&self) -> Vec<Tag> {
        let q = self.lock_queue();
        q.arrivals.iter().map(|&key| q.slots[key].tag).collect()
    }

    /// `try_lock`: takes the lock if it is free (whoever waits), reporting `Taken`, or
    /// reports `Requested`, `TryFailed`.
    pub(crate) fn try_lock(&self, tag: Tag) -> bool {
        if self.try_take() {
            self.note_taken(tag);
            true
        } else {
            self.emit(LockEvent::Requested { tag });
            self.emit(LockEvent::TryFailed { tag });
            false
        }
    }

    /// One poll of a lock future for `tag` that got to `wait`.
    ///
    /// # Panics
    ///
    /// If `wait` is `Done`.
    #[inline]
    pub(crate) fn poll_lock(&self, tag: Tag, wait: &mut Wait, cx: &mut Context<'_>) -> Poll<()> {
        match *wait {
            Wait::Idle => {
                if self.try_take() {
                    self.note_taken(tag);
                    *wait = Wait::Done;
                    return Poll::Ready(());
                }
                self.emit(LockEvent::Requested { tag });
                match self.enqueue(tag, cx) {
                    None => {
                        *wait = Wait::Done;
                        Poll::Ready(())
                    }
                    Some(key) => {
                        *wait = Wait::Queued(key);
                        Poll::Pending
                    }
                }
            }
            Wait::Queued(key) => {
                let poll = self.poll_queued(key, cx);
                if poll.is_ready() {
                    *wait = Wait::Done;
                }
                poll
            }
            Wait::Done => panic!("a `PolicyMutex` lock future polled after it completed"),
        }
    }

    /// A lock future was dropped: if it was queued, it leaves the queue, or passes on
    /// the lock it was handed.
    #[inline]
    pub(crate) fn drop_wait(&self, wait: Wait) {
        if let Wait::Queued(key) = wait {
            self.cancel(key);
        }
    }

    /// The holder `tag` lets go: reports `Released`, then frees the lock or hands it on.
    #[inline]
    pub(crate) fn release(&self, tag: Tag) {
        self.emit(LockEvent::Released { tag });
        self.unlock();
    }

    /// Takes a free lock without reporting it (for `Debug`, which must not show up in a
    /// trace). Pair with [`unlock_silent`](Self::unlock_silent).
    pub(crate) fn try_lock_silent(&self) -> bool {
        self.try_take()
    }

    pub(crate) fn unlock_silent(&self) {
        self.unlock();
    }

    /// Sets `LOCKED` if it is clear, whoever is queued.
    #[inline]
    fn try_take(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & LOCKED != 0 {
                return false;
            }
            match self.state.compare_exchange_weak(state, state | LOCKED, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(actual) => state = actual,
            }
        }
    }

    #[inline]
    fn unlock(&self) {
        // Held with nobody queued, the state is exactly LOCKED; with HAS_WAITERS set the
        // CAS fails and the queue decides.
        if self.state.compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed).is_err() {
            self.unlock_slow();
        }
    }

    /// A release with waiters: under the queue lock, hand the lock over or free it and
    /// wake the head; report and wake after the lock.
    #[inline(never)]
    fn unlock_slow(&self) {
        let now = self.now_ms();
        let mut out = Outbox::default();
        {
            let mut q = self.lock_queue();
            self.pass_on_locked(&mut q, now, &mut out);
        }
        out.deliver(&self.observer);
    }

    /// The holder lets go (a release, or a dropped future refusing a hand-over). Must be
    /// called with the queue lock held; `now` was read before it was taken.
    ///
    /// Hands the lock to the waiter the policy picks (`Acquired`, its waker woken), or
    /// frees it and wakes the head to race for it, or just frees it if nobody waits.
    fn pass_on_locked(&self, q: &mut Queue, now: u64, out: &mut Outbox) {
        let pick = match &self.policy {
            Policy::Barging => None,
            Policy::Lifo => q.arrivals.pop_back(),
            Policy::EventuallyFair { after_ms, .. } => match q.arrivals.front() {
                Some(&head) if now.saturating_sub(q.slots[head].since_ms) >= *after_ms => q.arrivals.pop_front(),
                _ => None,
            },
        };
        if let Some(key) = pick {
            let slot = &mut q.slots[key];
            debug_assert_ne!(slot.status, Status::Granted);
            slot.status = Status::Granted;
            self.holder.store(slot.tag.0, Ordering::Release);
            out.event(LockEvent::Acquired { tag: slot.tag });
            if let Some(waker) = slot.waker.take() {
                out.wake(waker);
            }
            if q.arrivals.is_empty() {
                self.state.fetch_and(!HAS_WAITERS, Ordering::AcqRel);
            }
            return;
        }
        if q.arrivals.is_empty() {
            // The last waiter left before we got the queue lock.
            self.state.fetch_and(!(LOCKED | HAS_WAITERS), Ordering::Release);
        } else {
            self.state.fetch_and(!LOCKED, Ordering::Release);
            self.wake_head_locked(q, out);
        }
    }

    /// Wakes the head to race for the free lock, unless it was woken already and has not
    /// polled since. Must be called with the queue lock held.
    fn wake_head_locked(&self, q: &mut Queue, out: &mut Outbox) {
        if let Some(&head) = q.arrivals.front() {
            let slot = &mut q.slots[head];
            if slot.status == Status::Waiting {
                slot.status = Status::Woken;
                if let Some(waker) = slot.waker.take() {
                    out.wake(waker);
                }
            }
        }
    }

    /// Slow path of a first poll: under the queue lock, take the lock if it came free,
    /// else join the back of the queue. `None` if it took the lock.
    #[inline(never)]
    fn enqueue(&self, tag: Tag, cx: &mut Context<'_>) -> Option<usize> {
        let since_ms = self.now_ms();
        let mut q = self.lock_queue();
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & LOCKED == 0 {
                // Freed while we took the queue lock: take it, as any newcomer may.
                match self.state.compare_exchange_weak(state, state | LOCKED, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => {
                        drop(q);
                        self.note_acquired(tag);
                        return None;
                    }
                    Err(actual) => state = actual,
                }
                continue;
            }
            // Held: flag the queue, so that the holder's release takes the slow path.
            let flagged = state | HAS_WAITERS;
            match self.state.compare_exchange_weak(state, flagged, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        // Cloning a waker runs no foreign code we must fear: it cannot drop anything.
        let key = q.slots.insert(Slot { tag, waker: Some(cx.waker().clone()), status: Status::Waiting, since_ms });
        q.arrivals.push_back(key);
        let position = q.arrivals.len() - 1;
        drop(q);
        self.emit(LockEvent::Enqueued { tag, position });
        Some(key)
    }

    /// A later poll of a queued future: collect a lock handed over, take a free lock, or
    /// stay in place with a fresh waker.
    #[inline(never)]
    fn poll_queued(&self, key: usize, cx: &mut Context<'_>) -> Poll<()> {
        let mut q = self.lock_queue();
        if q.slots[key].status == Status::Granted {
            let slot = q.slots.remove(key);
            drop(q);
            drop(slot); // its waker, if any, outside the lock
            return Poll::Ready(());
        }
        if self.try_take() {
            // Whoever polls first takes a free lock: this waiter leaves the queue.
            let slot = q.slots.remove(key);
            q.remove_arrival(key);
            if q.arrivals.is_empty() {
                self.state.fetch_and(!HAS_WAITERS, Ordering::AcqRel);
            }
            drop(q);
            let tag = slot.tag;
            drop(slot); // its waker, if any, outside the lock
                        // `Acquired`, not `Taken`: it asked, and waited, before it got the lock.
            self.note_acquired(tag);
            return Poll::Ready(());
        }
        // Someone else has the lock: stay in place. If this waiter was woken to race for
        // it, it lost; it is `Waiting` again, and the holder's release wakes the head.
        let slot = &mut q.slots[key];
        slot.status = Status::Waiting;
        // Keep one waker; replace it only if the task's waker changed. The old one is
        // dropped after the lock: its drop may release this very lock.
        let replaced = match &slot.waker {
            Some(old) if old.will_wake(cx.waker()) => None,
            _ => slot.waker.replace(cx.waker().clone()),
        };
        drop(q);
        drop(replaced);
        Poll::Pending
    }

    fn note_taken(&self, tag: Tag) {
        self.holder.store(tag.0, Ordering::Release);
        self.emit(LockEvent::Taken { tag });
    }

    fn note_acquired(&self, tag: Tag) {
        self.holder.store(tag.0, Ordering::Release);
        self.emit(LockEvent::Acquired { tag });
    }

    /// Dropped while queued or handed the lock: see `PolicyLock`'s cancel safety.
    #[inline(never)]
    fn cancel(&self, key: usize) {
        let now = self.now_ms();
        let mut out = Outbox::default();
        {
            let mut q = self.lock_queue();
            let slot = q.slots.remove(key);
            match slot.status {
                Status::Waiting | Status::Woken => {
                    q.remove_arrival(key);
                    out.event(LockEvent::Cancelled { tag: slot.tag });
                    if q.arrivals.is_empty() {
                        self.state.fetch_and(!HAS_WAITERS, Ordering::AcqRel);
                    } else if slot.status == Status::Woken && self.state.load(Ordering::Acquire) & LOCKED == 0 {
                        // It was woken to take the free lock and never will: pass the
                        // wake-up on, or it is lost. (If the lock is held, the holder's
                        // release wakes the new head.)
                        self.wake_head_locked(&mut q, &mut out);
                    }
                }
                Status::Granted => {
                    // It was handed the lock and never took it: pass it on.
                    out.event(LockEvent::Released { tag: slot.tag });
                    self.pass_on_locked(&mut q, now, &mut out);
                }
            }
            // The slot's waker may own anything: drop it after the lock, with the rest.
            out.discard = slot.waker;
        }
        out.deliver(&self.observer);
    }

    /// The policy's clock, if it has one (0 otherwise). Foreign code: never call it with
    /// the queue lock held.
    fn now_ms(&self) -> u64 {
        match &self.policy {
            Policy::EventuallyFair { time, .. } => time.now_ms(),
            _ => 0,
        }
    }

    #[inline]
    fn emit(&self, event: LockEvent) {
        self.observer.on_event(event);
    }

    fn lock_queue(&self) -> StdMutexGuard<'_, Queue> {
        // No foreign code runs under this lock; if it is poisoned anyway (a slab bug), the
        // queue was left consistent between statements, so carry on.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
