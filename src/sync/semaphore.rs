//! A strictly FIFO counting semaphore with direct hand-off.
//!
//! # Implementation notes
//!
//! **The fast path is one compare-and-swap.** `state` is one atomic word: the free
//! permits shifted left by two, and two flags, `CLOSED` and `HAS_WAITERS`. An uncontended
//! acquire ([`try_take`](Semaphore::try_take)) is a CAS loop that takes one permit if the
//! semaphore is open and a permit is free; an uncontended release
//! ([`release_permit`](Semaphore::release_permit)) is a CAS loop that gives one back as
//! long as `HAS_WAITERS` is clear. Neither touches the wait queue. Free permits exist only
//! while the queue is empty (see the hand-over below), so the fast acquire never has to ask
//! whether someone is queued: it cannot barge.
//!
//! **The wait queue sits under its own lock.** A `Slab` of slots (tag, waker, status)
//! and a `VecDeque` of their keys, in arrival order, behind an internal
//! `std::sync::Mutex` (loom's under `cfg(loom)`). That lock is taken only to join the
//! queue, on each later poll of a queued waiter, to hand a permit over, to cancel, to
//! close, and to list the waiters. A first poll that finds no free permit takes the lock,
//! retries the CAS (a permit may have come back meanwhile), and otherwise sets
//! `HAS_WAITERS` *by CAS against a state with no free permit*, then queues its slot. So a
//! concurrent release either gave its permit back before the flag was set (the CAS fails,
//! and the waiter retries and takes the permit) or sees the flag and takes the slow path,
//! which needs the queue lock and so finds the waiter queued.
//!
//! **A release hands its permit straight to the head waiter.** On the slow path
//! ([`hand_over_one`](Semaphore::hand_over_one)) the releaser, under the queue lock,
//! pops the head slot, marks it `Granted` and takes its waker; the permit never goes back
//! into `state` while anyone waits, which is what makes the order strictly FIFO and a
//! later `try_acquire` unable to overtake. `HAS_WAITERS` is cleared when the queue
//! empties; if it was set but the queue is empty by the time the releaser has the lock
//! (the last waiter left meanwhile), the permit is freed instead. The waiter holds the
//! permit from the moment it is granted, before it runs: its next poll only removes the
//! slot and returns the permit, and if it is dropped first, its [`Acquire`] passes the
//! permit on to the next head.
//!
//! **The `Outbox` delivers after the lock.** The locked sections only move things into
//! an `Outbox` (`outbox.rs`, shared with the other locks of `sync`): the events to report
//! (in order), the wakers to wake, and the wakers (or whole slots) to drop, such as a
//! waker replaced by a newer one or the waker of a slot that left. Once the lock is
//! released, `Outbox::deliver` reports the events, then wakes, then drops. A single
//! hand-over, the hot path of a chain of hand-overs, skips the `Outbox`: the locked
//! section returns the new holder's tag and waker, and the releaser reports and wakes
//! after the lock. `close` collects the wakers of the waiters it fails and wakes them
//! after the lock too.
//!
//! **Why no waker or observer runs under the lock.** Waking, dropping or replacing a
//! `Waker` runs code we do not control: a waker can own anything, a guard of this very
//! semaphore say, whose drop releases a permit and takes the queue lock again, and a
//! `std::sync::Mutex` is not re-entrant, so that would deadlock (or panic). An
//! [`Observer`] is user code, which may call back into the semaphore
//! ([`waiters`](Semaphore::waiters), say) and take the lock the same way. So no waker is
//! woken, dropped or replaced, and no observer is called, while the lock is held. The one
//! piece of foreign code that runs under it is the `clone` of the polling task's waker as
//! it is stored in the slot, which can neither drop nor wake anything. (tokio fixed the
//! same re-entrancy deadlock in its batch semaphore; the regression tests here are
//! `tests/sync_reentrancy.rs` and the loom models
//! `a_waker_dropped_in_the_queue_may_release_the_lock` and
//! `a_cancelled_waiters_waker_may_release_the_lock`.)
//!
//! **The holder's tag** is kept in `last_tag`, written when a permit is taken at once or
//! handed over, so that a single-permit semaphore can name its holder
//! ([`Mutex::holder`](super::Mutex::holder)) without taking the lock.

use super::loom::{AtomicU64, AtomicUsize, Ordering, StdMutex};
use super::outbox::Outbox;
use super::{LockEvent, NoObserver, Observer, Tag};
use slab::Slab;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

// `state` packs the available permits (shifted) with two flags.
const CLOSED: usize = 0b01;
/// Set while the wait queue is non-empty: releasers must take the slow path and hand over.
const HAS_WAITERS: usize = 0b10;
const SHIFT: u32 = 2;
const ONE: usize = 1 << SHIFT;
/// Large enough for any real use, small enough that `permits << SHIFT` cannot overflow.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> (SHIFT + 1);

/// A counting semaphore whose waiters are served strictly first in, first out.
///
/// A released permit goes *straight to the head waiter* (it is marked granted and woken);
/// it is never put back where a newcomer could grab it. So a later
/// [`try_acquire`](Semaphore::try_acquire) cannot overtake a queued waiter, and a task
/// that releases and immediately re-acquires goes to the back of the queue.
///
/// The uncontended path is one compare-and-swap on an atomic word; the wait queue sits
/// behind a small internal lock taken only when someone has to wait or be handed a permit.
///
/// The observer `O` receives every [`LockEvent`]; the default, [`NoObserver`], costs
/// nothing.
///
/// # Examples
///
/// ```
/// use mutex_playground::sync::Semaphore;
/// # futures::executor::block_on(async {
/// let sem = Semaphore::new(2);
/// let a = sem.acquire().await.unwrap();
/// let _b = sem.try_acquire().unwrap();
/// assert!(sem.try_acquire().is_err()); // both permits are out
/// drop(a);
/// assert_eq!(sem.available_permits(), 1);
/// # });
/// ```
///
/// # Who holds the permits
///
/// The semaphore lists its [`waiters`](Semaphore::waiters) but not its holders: keeping a
/// list of holders up to date would put a lock on the uncontended path of every acquire
/// and release, which costs more than the rest of that path (measured with
/// `cargo bench --bench mutex`, see `BENCHMARKS.md`: the [`Mutex`](super::Mutex) built on
/// it went from 1.1x to 2.0x the time of `futures::lock::Mutex` uncontended, and from
/// 0.9x to 2.7x on the contended counter). The [`Observer`] knows them: `tag` holds one
/// permit more after each [`Taken`](LockEvent::Taken) or [`Acquired`](LockEvent::Acquired)
/// for it, and one fewer after each [`Released`](LockEvent::Released); a permit
/// [forgotten](SemaphorePermit::forget) stays held for good. (A single permit's holder is
/// what [`Mutex::holder`](super::Mutex::holder) reports, without an observer.)
///
/// ```
/// use mutex_playground::sync::{LockEvent, Observer, Semaphore, Tag};
/// use std::sync::{Arc, Mutex};
///
/// /// The holders, in the order they got their permits, from the events.
/// #[derive(Default)]
/// struct Holders(Mutex<Vec<Tag>>);
///
/// impl Observer for Holders {
///     fn on_event(&self, event: LockEvent) {
///         let mut holders = self.0.lock().unwrap();
///         match event {
///             LockEvent::Taken { tag } | LockEvent::Acquired { tag } => holders.push(tag),
///             LockEvent::Released { tag } => {
///                 let i = holders.iter().position(|&t| t == tag).expect("released by a holder");
///                 holders.remove(i);
///             }
///             _ => {}
///         }
///     }
/// }
///
/// let holders = Arc::new(Holders::default());
/// let sem = Semaphore::with_observer(2, holders.clone());
/// let a = sem.try_acquire_tagged(Tag(1)).unwrap();
/// let _b = sem.try_acquire_tagged(Tag(2)).unwrap();
/// assert_eq!(*holders.0.lock().unwrap(), [Tag(1), Tag(2)]);
/// drop(a);
/// assert_eq!(*holders.0.lock().unwrap(), [Tag(2)]);
/// ```
pub struct Semaphore<O: Observer = NoObserver> {
    state: AtomicUsize,
    waiters: StdMutex<Waiters>,
    observer: O,
    /// Tag of the latest acquisition; for a single-permit semaphore, the holder.
    last_tag: AtomicU64,
}

struct Waiters {
    slots: Slab<Slot>,
    queue: VecDeque<usize>,
}

struct Slot {
    tag: Tag,
    waker: Option<Waker>,
    status: SlotStatus,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum SlotStatus {
    Waiting,
    Granted,
    Closed,
}

/// [`Semaphore::acquire`] failed because the semaphore was closed (see
/// [`Semaphore::close`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}
impl std::error::Error for AcquireError {}

/// Why [`Semaphore::try_acquire`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// No permit is free (which is always so while others are queued for one).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}
impl std::error::Error for TryAcquireError {}

/// One permit of a [`Semaphore`], held on behalf of a [`Tag`].
///
/// Dropping it releases the permit (reported as [`LockEvent::Released`]): it is handed
/// to the head waiter if there is one, and becomes free otherwise.
#[must_use = "dropping the permit releases it at once"]
pub struct SemaphorePermit<'a, O: Observer = NoObserver> {
    sem: &'a Semaphore<O>,
    tag: Tag,
}

/// The future returned by [`Semaphore::acquire`] and [`Semaphore::acquire_tagged`].
///
/// It asks for its permit when first polled, not when made: a future never polled
/// does not queue.
///
/// # Cancel safety
///
/// Dropping it before it completes is always safe, and what happens depends on where it
/// got to:
///
/// * never polled, or closed out by [`Semaphore::close`]: nothing;
/// * queued: it leaves the queue (reported as [`LockEvent::Cancelled`]), and the waiters
///   behind it move up one place;
/// * handed a permit by a release but not polled since (so it already holds the
///   permit): the permit is passed on as if it had been released, reported as
///   [`LockEvent::Released`] for this tag, then [`LockEvent::Acquired`] for the next
///   waiter, who gets it; with nobody waiting it becomes free.
///
/// No permit is lost, no waiter is stranded, and the waker it left in the queue is
/// dropped (after the internal lock is released).
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a, O: Observer = NoObserver> {
    sem: &'a Semaphore<O>,
    tag: Tag,
    state: AcquireState,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum AcquireState {
    Idle,
    Queued(usize),
    Done,
}

impl Semaphore {
    /// A semaphore with `permits` free permits, open, nobody queued, and no observer.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds `usize::MAX >> 3` (the count shares its word with two flags).
    pub fn new(permits: usize) -> Self {
        Self::with_observer(permits, NoObserver)
    }
}

impl<O: Observer> Semaphore<O> {
    /// Like [`new`](Semaphore::new), reporting every [`LockEvent`] to `observer`.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds `usize::MAX >> 3`.
    pub fn with_observer(permits: usize, observer: O) -> Self {
        assert!(permits <= MAX_PERMITS, "a semaphore holds at most {MAX_PERMITS} permits");
        Semaphore {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: StdMutex::new(Waiters { slots: Slab::new(), queue: VecDeque::new() }),
            observer,
            last_tag: AtomicU64::new(Tag::UNTAGGED.0),
        }
    }

    /// Waits for a permit, untagged ([`Tag::UNTAGGED`]). See
    /// [`acquire_tagged`](Semaphore::acquire_tagged).
    ///
    /// # Errors
    ///
    /// The future fails with [`AcquireError`] if the semaphore is closed, before or
    /// while it waits.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`Acquire`]. Dropping the future leaves the queue, or passes on
    /// a permit that was handed to it but not yet taken.
    pub fn acquire(&self) -> Acquire<'_, O> {
        self.acquire_tagged(Tag::UNTAGGED)
    }

    /// Waits for a permit on behalf of `tag`, joining the back of the queue if none is
    /// free (or others are already queued).
    ///
    /// The returned future does nothing until polled. Its first poll takes a free permit
    /// at once ([`LockEvent::Taken`]) or queues (`Requested`, `Enqueued`); a release then
    /// hands the permit to the head of the queue (`Acquired`) and wakes it.
    ///
    /// # Errors
    ///
    /// The future fails with [`AcquireError`] if the semaphore is closed, before or
    /// while it waits.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`Acquire`]. Dropping the future leaves the queue, or passes on
    /// a permit that was handed to it but not yet taken.
    pub fn acquire_tagged(&self, tag: Tag) -> Acquire<'_, O> {
        Acquire { sem: self, tag, state: AcquireState::Idle }
    }

    /// Takes a permit if one is free *and nobody is queued*, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::Closed`] if the semaphore is closed;
    /// [`TryAcquireError::NoPermits`] if no permit is free, which is always the case
    /// while anyone is queued (a released permit goes to the head of the queue, never to
    /// a `try_acquire`).
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_, O>, TryAcquireError> {
        self.try_acquire_tagged(Tag::UNTAGGED)
    }

    /// [`try_acquire`](Semaphore::try_acquire) on behalf of `tag`.
    ///
    /// Reports [`LockEvent::Taken`] on success, `Requested` then `TryFailed` on failure.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    pub fn try_acquire_tagged(&self, tag: Tag) -> Result<SemaphorePermit<'_, O>, TryAcquireError> {
        match self.try_take() {
            Ok(()) => {
                self.note_taken(tag);
                Ok(SemaphorePermit { sem: self, tag })
            }
            Err(e) => {
                self.emit(LockEvent::Requested { tag });
                self.emit(LockEvent::TryFailed { tag });
                Err(e)
            }
        }
    }

    /// Adds `n` permits: queued waiters are served first, in order; the rest become free.
    ///
    /// # Panics
    ///
    /// If `n`, or the free permits after adding it, exceed `usize::MAX >> 3`.
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::sync::{Semaphore, Tag};
    /// use futures::FutureExt;
    ///
    /// let sem = Semaphore::new(0);
    /// let mut a = Box::pin(sem.acquire_tagged(Tag(1)));
    /// assert!(a.as_mut().now_or_never().is_none()); // queued
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 1); // one went to the waiter
    /// assert_eq!(a.now_or_never().unwrap().unwrap().tag(), Tag(1));
    /// ```
    pub fn add_permits(&self, n: usize) {
        if n == 0 {
            return;
        }
        // Checked first, so that neither `n << SHIFT` nor the check of the new total below
        // can overflow.
        assert!(n <= MAX_PERMITS, "a semaphore holds at most {MAX_PERMITS} permits");
        let mut out = Outbox::default();
        {
            let mut w = self.lock_waiters();
            self.grant_locked(&mut w, n, &mut out);
        }
        out.deliver(&self.observer);
    }

    /// Permits free right now (always 0 while anyone is queued).
    pub fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    /// Closes the semaphore: every queued and future `acquire` fails with [`AcquireError`],
    /// and every `try_acquire` with [`TryAcquireError::Closed`].
    ///
    /// The queued waiters are woken (after the internal lock is released) and their
    /// futures return the error. Permits already held stay valid and can still be
    /// released, and so does a permit already handed to a waiter that has not run yet.
    /// Closing reports no [`LockEvent`]. There is no way to reopen.
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::sync::{Semaphore, TryAcquireError};
    /// use futures::FutureExt;
    ///
    /// let sem = Semaphore::new(1);
    /// let held = sem.try_acquire().unwrap();
    /// let mut waiter = Box::pin(sem.acquire());
    /// assert!(waiter.as_mut().now_or_never().is_none());
    /// sem.close();
    /// assert!(waiter.now_or_never().unwrap().is_err()); // woken with an error
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    /// drop(held); // still fine
    /// ```
    pub fn close(&self) {
        let mut wakers = Vec::new();
        {
            let mut w = self.lock_waiters();
            self.state.fetch_or(CLOSED, Ordering::AcqRel);
            let Waiters { slots, queue } = &mut *w;
            for key in queue.drain(..) {
                let slot = &mut slots[key];
                slot.status = SlotStatus::Closed;
                wakers.extend(slot.waker.take());
            }
            self.state.fetch_and(!HAS_WAITERS, Ordering::AcqRel);
        }
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Whether [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Tags of the queued waiters, head (next to be served) first.
    ///
    /// A waiter that was handed a permit has left the queue, even if it has not run yet.
    /// With several threads this is a snapshot that may be stale by the time it returns.
    pub fn waiters(&self) -> Vec<Tag> {
        let w = self.lock_waiters();
        w.queue.iter().map(|&key| w.slots[key].tag).collect()
    }

    /// Tag of the most recent acquisition (for a single permit: the holder's).
    pub(crate) fn last_tag(&self) -> Tag {
        Tag(self.last_tag.load(Ordering::Acquire))
    }

    /// Releases one permit held by `tag` (the permit itself was forgotten by the caller).
    #[inline]
    pub(crate) fn release(&self, tag: Tag) {
        self.emit(LockEvent::Released { tag });
        self.release_permit();
    }

    /// Takes a free permit without reporting it (for `Debug`, which must not show up in
    /// the trace). Pair with [`release_silent`](Self::release_silent).
    pub(crate) fn try_acquire_silent(&self) -> bool {
        self.try_take().is_ok()
    }

    pub(crate) fn release_silent(&self) {
        self.release_permit();
    }

    #[inline]
    fn release_permit(&self) {
        let mut state = self.state.load(Ordering::Relaxed);
        while state & HAS_WAITERS == 0 {
            match self.state.compare_exchange_weak(state, state + ONE, Ordering::Release, Ordering::Relaxed) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        self.hand_over_one();
    }

    /// Slow path of a release: someone is queued, hand the permit over under the lock;
    /// report it and wake the new holder after the lock (the hot path of a hand-over
    /// chain, so it skips the general `Outbox`).
    #[inline(never)]
    fn hand_over_one(&self) {
        let granted = {
            let mut w = self.lock_waiters();
            self.grant_one_locked(&mut w)
        };
        if let Some((tag, waker)) = granted {
            self.emit(LockEvent::Acquired { tag });
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// Takes a free permit if there is one (never when someone is queued).
    #[inline]
    fn try_take(&self) -> Result<(), TryAcquireError> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            // Invariant: free permits only while the queue is empty, so this cannot barge.
            if state >> SHIFT == 0 {
                return Err(TryAcquireError::NoPermits);
            }
            match self.state.compare_exchange_weak(state, state - ONE, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Ok(()),
                Err(actual) => state = actual,
            }
        }
    }

    /// Hands up to `n` permits to queued waiters in order, then frees what is left.
    /// Must be called with the waiters lock held; the `Acquired` events and the wakes
    /// go into `out`, for after the lock.
    fn grant_locked(&self, w: &mut Waiters, n: usize, out: &mut Outbox) {
        for given in 0..n {
            match self.grant_one_locked(w) {
                Some((tag, waker)) => {
                    out.event(LockEvent::Acquired { tag });
                    if let Some(waker) = waker {
                        out.wake(waker);
                    }
                }
                None => {
                    // The queue is empty and one permit was freed: free the rest too.
                    let rest = n - given - 1;
                    if rest > 0 {
                        let before = self.state.fetch_add(rest << SHIFT, Ordering::Release);
                        assert!((before >> SHIFT) + rest <= MAX_PERMITS, "semaphore permit count overflowed");
                    }
                    return;
                }
            }
        }
    }

    /// Hands one permit to the head waiter (returning its tag and waker, to report and
    /// wake after the lock), or, if nobody is queued, frees it. Must be called with the
    /// waiters lock held.
    #[inline]
    fn grant_one_locked(&self, w: &mut Waiters) -> Option<(Tag, Option<Waker>)> {
        let granted = w.queue.pop_front().map(|key| {
            let slot = &mut w.slots[key];
            slot.status = SlotStatus::Granted;
            self.last_tag.store(slot.tag.0, Ordering::Release);
            (slot.tag, slot.waker.take())
        });
        if w.queue.is_empty() {
            self.state.fetch_and(!HAS_WAITERS, Ordering::AcqRel);
            if granted.is_none() {
                let before = self.state.fetch_add(ONE, Ordering::Release);
                assert!((before >> SHIFT) < MAX_PERMITS, "semaphore permit count overflowed");
            }
        }
        granted
    }

    /// `tag` took a free permit the moment it asked.
    #[inline]
    fn note_taken(&self, tag: Tag) {
        self.last_tag.store(tag.0, Ordering::Release);
        self.emit(LockEvent::Taken { tag });
    }

    /// `tag` took a permit that came back while it was queueing (reported after the
    /// lock).
    #[inline]
    fn note_acquired(&self, tag: Tag) {
        self.last_tag.store(tag.0, Ordering::Release);
        self.emit(LockEvent::Acquired { tag });
    }

    #[inline]
    fn emit(&self, event: LockEvent) {
        self.observer.on_event(event);
    }

    fn lock_waiters(&self) -> super::loom::StdMutexGuard<'_, Waiters> {
        // No foreign code (observer, waker) ever runs under this lock, and the locked
        // sections do not panic short of a slab bug; if it is poisoned anyway, the queue
        // was left consistent between statements, so carry on.
        self.waiters.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// First poll of an `Acquire`: take a permit, or join the queue.
    #[inline]
    fn poll_idle(&self, tag: Tag, cx: &mut Context<'_>) -> IdleOutcome {
        match self.try_take() {
            Ok(()) => {
                self.note_taken(tag);
                IdleOutcome::Acquired
            }
            Err(TryAcquireError::Closed) => IdleOutcome::Closed,
            Err(TryAcquireError::NoPermits) => {
                self.emit(LockEvent::Requested { tag });
                self.enqueue(tag, cx)
            }
        }
    }

    /// Slow path of a first poll: under the waiters lock, retry, else join the queue.
    #[inline(never)]
    fn enqueue(&self, tag: Tag, cx: &mut Context<'_>) -> IdleOutcome {
        let mut w = self.lock_waiters();
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return IdleOutcome::Closed;
            }
            if state >> SHIFT > 0 {
                // A permit came back while we took the lock.
                match self.state.compare_exchange_weak(state, state - ONE, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => {
                        drop(w);
                        self.note_acquired(tag);
                        return IdleOutcome::Acquired;
                    }
                    Err(actual) => state = actual,
                }
                continue;
            }
            // No permit: flag the queue as non-empty, so releasers hand over to us.
            match self.state.compare_exchange_weak(state, state | HAS_WAITERS, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        // Cloning a waker runs no foreign code we must fear: it cannot drop anything.
        let key = w.slots.insert(Slot { tag, waker: Some(cx.waker().clone()), status: SlotStatus::Waiting });
        w.queue.push_back(key);
        let position = w.queue.len() - 1;
        drop(w);
        self.emit(LockEvent::Enqueued { tag, position });
        IdleOutcome::Queued(key)
    }
}

enum IdleOutcome {
    Acquired,
    Closed,
    Queued(usize),
}

impl<O: Observer> fmt::Debug for Semaphore<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(Ordering::Acquire);
        f.debug_struct("Semaphore")
            .field("permits", &(state >> SHIFT))
            .field("closed", &(state & CLOSED != 0))
            .field("queued", &(state & HAS_WAITERS != 0))
            .finish()
    }
}

impl<'a, O: Observer> SemaphorePermit<'a, O> {
    /// The tag this permit was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// Keeps the permit out of circulation for good: it is not released on drop, and no
    /// [`LockEvent::Released`] is reported. The semaphore then has one permit fewer.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl<O: Observer> Drop for SemaphorePermit<'_, O> {
    #[inline]
    fn drop(&mut self) {
        self.sem.release(self.tag);
    }
}

impl<O: Observer> fmt::Debug for SemaphorePermit<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").field("tag", &self.tag).finish()
    }
}

impl<'a, O: Observer> Future for Acquire<'a, O> {
    type Output = Result<SemaphorePermit<'a, O>, AcquireError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `Acquire` is `Unpin`: all its fields are.
        let this = self.get_mut();
        let (sem, tag) = (this.sem, this.tag);
        match this.state {
            AcquireState::Idle => match sem.poll_idle(tag, cx) {
                IdleOutcome::Acquired => {
                    this.state = AcquireState::Done;
                    Poll::Ready(Ok(SemaphorePermit { sem, tag }))
                }
                IdleOutcome::Closed => {
                    this.state = AcquireState::Done;
                    Poll::Ready(Err(AcquireError(())))
                }
                IdleOutcome::Queued(key) => {
                    this.state = AcquireState::Queued(key);
                    Poll::Pending
                }
            },
            AcquireState::Queued(key) => this.poll_queued(key, cx),
            AcquireState::Done => panic!("`Acquire` polled after it completed"),
        }
    }
}

impl<'a, O: Observer> Acquire<'a, O> {
    /// A re-poll while queued: refresh the waker, or collect the granted permit.
    #[inline(never)]
    fn poll_queued(&mut self, key: usize, cx: &mut Context<'_>) -> Poll<Result<SemaphorePermit<'a, O>, AcquireError>> {
        let (sem, tag) = (self.sem, self.tag);
        let mut w = sem.lock_waiters();
        let slot = &mut w.slots[key];
        match slot.status {
            SlotStatus::Waiting => {
                // Keep one waker; replace it only if the task's waker changed. The old
                // one is dropped after the lock: its drop may release this semaphore.
                let replaced = match &slot.waker {
                    Some(old) if old.will_wake(cx.waker()) => None,
                    _ => slot.waker.replace(cx.waker().clone()),
                };
                drop(w);
                drop(replaced);
                Poll::Pending
            }
            status => {
                let slot = w.slots.remove(key);
                drop(w);
                drop(slot); // its waker, if any, outside the lock
                self.state = AcquireState::Done;
                match status {
                    SlotStatus::Granted => Poll::Ready(Ok(SemaphorePermit { sem, tag })),
                    _ => Poll::Ready(Err(AcquireError(()))),
                }
            }
        }
    }

    /// Dropped while queued: leave the queue, or pass on a permit granted but not taken.
    #[inline(never)]
    fn cancel(&mut self, key: usize) {
        let sem = self.sem;
        let mut out = Outbox::default();
        {
            let mut w = sem.lock_waiters();
            let slot = w.slots.remove(key);
            match slot.status {
                SlotStatus::Waiting => {
                    if let Some(pos) = w.queue.iter().position(|&k| k == key) {
                        w.queue.remove(pos);
                    }
                    if w.queue.is_empty() {
                        sem.state.fetch_and(!HAS_WAITERS, Ordering::AcqRel);
                    }
                    out.event(LockEvent::Cancelled { tag: slot.tag });
                }
                SlotStatus::Granted => {
                    // We were handed a permit but never took it: pass it on.
                    out.event(LockEvent::Released { tag: slot.tag });
                    sem.grant_locked(&mut w, 1, &mut out);
                }
                SlotStatus::Closed => {}
            }
            // The slot's waker may own anything: drop it after the lock, with the rest.
            out.discard = slot.waker;
        }
        out.deliver(&sem.observer);
    }
}

impl<O: Observer> Drop for Acquire<'_, O> {
    #[inline]
    fn drop(&mut self) {
        if let AcquireState::Queued(key) = self.state {
            self.cancel(key);
        }
    }
}

impl<O: Observer> fmt::Debug for Acquire<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("tag", &self.tag).field("state", &self.state).finish()
    }
}
