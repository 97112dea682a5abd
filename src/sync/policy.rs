//! A mutex whose hand-off policy is chosen at construction: [`PolicyMutex`].
//!
//! Our [`Mutex`](super::Mutex) is strictly FIFO. The usual alternatives, to show next to
//! it, are the [`Policy`]s here:
//!
//! * [`Policy::Barging`]: a release frees the lock and wakes the head waiter, and
//!   whoever polls first takes it: a newcomer, or the releaser locking again, can
//!   overtake the woken waiter (`futures::lock::Mutex`, `async_lock::Mutex`);
//! * [`Policy::Lifo`]: a release hands the lock straight to the *newest* waiter;
//! * [`Policy::EventuallyFair`]: barging, until the head waiter has waited long enough;
//!   then a release hands the lock straight to it (parking_lot's fair unlock).
//!
//! # Events
//!
//! The same [`LockEvent`](super::LockEvent)s as the `Mutex`, with the same order
//! guarantees (see [`Observer`]), never reported under the internal lock:
//!
//! * `Taken` when a `lock` or `try_lock` takes a free lock at once; under `Barging` (and
//!   `EventuallyFair` before its threshold) that includes taking it while others wait:
//!   a barge;
//! * `Requested`, then `Enqueued { position }` when it must wait (`position` is its index
//!   in arrival order, i.e. the back, under every policy), or `Requested`, then
//!   `Acquired` if the lock came free while it was joining the queue;
//! * `Acquired` when a waiter gets the lock: at the release that hands it over (`Lifo`,
//!   and `EventuallyFair`'s fair hand-off, as for the `Mutex`), or, when a release only
//!   freed the lock (`Barging`), when the woken waiter polls and finds it still free (it
//!   then leaves the queue);
//! * `Released` when a guard is dropped (or a future handed the lock is dropped unpolled);
//! * `Cancelled` when a queued future is dropped; `Requested`, `TryFailed` when a
//!   `try_lock` is refused.
//!
//! A woken waiter that finds the lock taken (someone barged) reports nothing new: it
//! stays queued in its place, and the next release wakes it again.
//!
//! A barge, a LIFO hand-off and a fair hand-off, as an observer sees them:
//!
//! ```
//! use mutex_playground::sync::{LockEvent::*, Observer, Policy, PolicyMutex, Tag, LockEvent};
//! use futures::FutureExt;
//! use std::sync::{Arc, Mutex as StdMutex};
//!
//! #[derive(Default)]
//! struct Log(StdMutex<Vec<LockEvent>>);
//! impl Observer for Log {
//!     fn on_event(&self, event: LockEvent) {
//!         self.0.lock().unwrap().push(event);
//!     }
//! }
//!
//! // Barging: #1 holds, #2 waits; #1 lets go and locks again before #2 runs.
//! let log = Arc::new(Log::default());
//! let mutex = PolicyMutex::with_observer((), Policy::Barging, log.clone());
//! let first = mutex.try_lock_tagged(Tag(1)).unwrap();
//! let mut second = Box::pin(mutex.lock_tagged(Tag(2)));
//! assert!(second.as_mut().now_or_never().is_none());
//! drop(first); // frees the lock and wakes #2 ...
//! let again = mutex.try_lock_tagged(Tag(1)).unwrap(); // ... but #1 barges back in
//! assert!(second.as_mut().now_or_never().is_none()); // #2 lost the race, still queued
//! drop(again);
//! drop(second.now_or_never().unwrap()); // woken again: this time it is free
//! assert_eq!(
//!     *log.0.lock().unwrap(),
//!     [
//!         Taken { tag: Tag(1) },
//!         Requested { tag: Tag(2) },
//!         Enqueued { tag: Tag(2), position: 0 },
//!         Released { tag: Tag(1) },
//!         Taken { tag: Tag(1) }, // the barge
//!         Released { tag: Tag(1) },
//!         Acquired { tag: Tag(2) }, // when #2 polled and found it free
//!         Released { tag: Tag(2) },
//!     ]
//! );
//!
//! // Lifo: #2 then #3 wait; the release hands the lock to #3, the newest.
//! let log = Arc::new(Log::default());
//! let mutex = PolicyMutex::with_observer((), Policy::Lifo, log.clone());
//! let first = mutex.try_lock_tagged(Tag(1)).unwrap();
//! let mut second = Box::pin(mutex.lock_tagged(Tag(2)));
//! let mut third = Box::pin(mutex.lock_tagged(Tag(3)));
//! assert!(second.as_mut().now_or_never().is_none());
//! assert!(third.as_mut().now_or_never().is_none());
//! assert_eq!(mutex.waiters(), [Tag(2), Tag(3)]); // arrival order
//! drop(first);
//! assert_eq!(mutex.holder(), Some(Tag(3))); // handed over before #3 runs
//! assert_eq!(
//!     log.0.lock().unwrap()[5..],
//!     [Released { tag: Tag(1) }, Acquired { tag: Tag(3) }]
//! );
//! # drop(third.now_or_never().unwrap());
//! # drop(second.now_or_never().unwrap());
//! ```
//!
//! A fair hand-off reports what a Lifo one does (`Released` for the holder, then
//! `Acquired` for the head, at the release); see [`Policy::EventuallyFair`].
//!
//! # Implementation
//!
//! The lock is an atomic word for the uncontended path (one compare-and-swap to lock,
//! one to unlock, for every policy) and a queue in arrival order behind an internal
//! `std::sync::Mutex`; see the notes in `policy/raw.rs`. The value cell and guards are
//! the `Mutex`'s, repeated rather than shared: sharing them would have meant changing
//! the `Mutex`'s public types.

mod raw;

use super::{NoObserver, Observer, Tag, TryLockError};
use raw::{RawPolicyLock, Wait};
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A clock in milliseconds, for [`Policy::EventuallyFair`].
///
/// The playground passes its virtual clock; anything monotonic will do. It is called
/// when a waiter joins the queue and when a release (or a dropped future handed the
/// lock) has waiters to choose from, never while the mutex's internal lock is held, so
/// it may do anything but block on the mutex.
pub trait TimeSource: Send + Sync {
    /// Milliseconds since any fixed origin; must never go back.
    fn now_ms(&self) -> u64;
}

/// What a [`PolicyMutex`]'s release does with waiters queued.
///
/// Every policy takes a *free* lock at once for whoever asks; they differ in whether a
/// release hands the lock to a waiter (who then holds it before it runs, and nobody can
/// overtake it) or frees it for whoever polls first.
#[derive(Clone)]
pub enum Policy {
    /// A release frees the lock and wakes the head waiter, but whoever polls first takes
    /// it (a newcomer, or the releaser locking again, can overtake the woken waiter), as
    /// `futures::lock::Mutex` and `async_lock::Mutex` behave.
    ///
    /// `try_lock` succeeds whenever the lock is free, even with waiters queued. A woken
    /// waiter that finds the lock taken stays in its place in the queue and is woken
    /// again at the next release.
    Barging,
    /// A release hands the lock directly to the *newest* waiter.
    ///
    /// [`waiters`](PolicyMutex::waiters) still lists arrival order, oldest first: the
    /// next to get the lock is the *last* of it. The lock is never free while anyone
    /// waits, so `try_lock` fails whenever anyone holds or waits for it. The oldest
    /// waiter can starve while newcomers keep arriving.
    Lifo,
    /// Barging, until the head waiter has waited at least `after_ms` (by `time`, since it
    /// joined the queue); then a release hands the lock directly to it (parking_lot's
    /// fair-unlock idea).
    ///
    /// With `after_ms: 0` every release with waiters hands over to the head: FIFO. A
    /// barge is only possible while the lock is free, so once the head has waited long
    /// enough it is served at the next release, whoever barged before.
    EventuallyFair {
        /// How long the head waiter may be overtaken before a release serves it.
        after_ms: u64,
        /// The clock that measures it.
        time: Arc<dyn TimeSource>,
    },
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Barging => f.write_str("Barging"),
            Policy::Lifo => f.write_str("Lifo"),
            Policy::EventuallyFair { after_ms, .. } => {
                f.debug_struct("EventuallyFair").field("after_ms", after_ms).field("time", &format_args!("..")).finish()
            }
        }
    }
}

/// An async mutex whose hand-off [`Policy`] is chosen at construction: barging, LIFO, or
/// eventually fair. The FIFO one is [`Mutex`](super::Mutex).
///
/// The API is the `Mutex`'s: tagged and untagged `lock`, `try_lock` and their owned
/// forms, [`holder`](PolicyMutex::holder), [`waiters`](PolicyMutex::waiters) (arrival
/// order, oldest first, under every policy), events to an [`Observer`] (the docs of
/// `src/sync/policy.rs` say when each policy reports which). No poisoning: a guard dropped
/// while unwinding releases the lock.
///
/// # Examples
///
/// ```
/// use mutex_playground::sync::{Policy, PolicyMutex, Tag};
/// use futures::FutureExt;
///
/// let mutex = PolicyMutex::new(0, Policy::Barging);
/// let held = mutex.try_lock_tagged(Tag(1)).unwrap();
/// let mut waiter = Box::pin(mutex.lock_tagged(Tag(2)));
/// assert!(waiter.as_mut().now_or_never().is_none()); // queued
/// drop(held); // the lock is free; #2 is woken to take it ...
/// assert_eq!(mutex.holder(), None);
/// *mutex.try_lock_tagged(Tag(3)).unwrap() += 1; // ... but #3 barges in first
/// assert_eq!(*waiter.now_or_never().unwrap(), 1);
/// ```
///
/// # Send and Sync
///
/// As for [`Mutex`](super::Mutex): `PolicyMutex<T>` is `Send` and `Sync` when `T: Send`;
/// a [`PolicyMutexGuard`] is `Send` when `T: Send` and `Sync` when `T: Sync`; an
/// [`OwnedPolicyMutexGuard`] is `Send` when `T: Send` and `Sync` when `T: Send + Sync`.
pub struct PolicyMutex<T: ?Sized, O: Observer = NoObserver> {
    raw: RawPolicyLock<O>,
    data: UnsafeCell<T>,
}

// SAFETY: the raw lock lets one holder at a time have the lock, and only the holder
// (through its guard) reaches `data`; moving access between threads needs only
// `T: Send`, as for `std::sync::Mutex`. The observer and the policy's clock are
// `Send + Sync` by their traits.
unsafe impl<T: ?Sized + Send, O: Observer> Send for PolicyMutex<T, O> {}
// SAFETY: as above: `&PolicyMutex<T>` gives no access to `T` without holding the lock.
unsafe impl<T: ?Sized + Send, O: Observer> Sync for PolicyMutex<T, O> {}

/// Exclusive access to a [`PolicyMutex`]'s value; dropping it unlocks.
///
/// Dropping it reports [`LockEvent::Released`](super::LockEvent::Released), then lets the
/// lock go as the mutex's [`Policy`] says: handed to a waiter, or freed (and the head
/// waiter woken).
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct PolicyMutexGuard<'a, T: ?Sized, O: Observer = NoObserver> {
    lock: &'a PolicyMutex<T, O>,
    tag: Tag,
}

// SAFETY: `&PolicyMutexGuard` only gives `&T`, so sharing the guard is sharing `&T`,
// which needs `T: Sync`. (This replaces the auto impl, which would have asked for
// `T: Send` through `&PolicyMutex<T>`.)
unsafe impl<T: ?Sized + Sync, O: Observer> Sync for PolicyMutexGuard<'_, T, O> {}

/// Like [`PolicyMutexGuard`], but owning an `Arc` of the mutex, so it is `'static`.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedPolicyMutexGuard<T: ?Sized, O: Observer = NoObserver> {
    lock: Arc<PolicyMutex<T, O>>,
    tag: Tag,
    // Opt out of the auto `Sync` (which would follow `Arc<PolicyMutex<T>>`, i.e. `T: Send`).
    _not_auto_sync: PhantomData<*const ()>,
}

// SAFETY: the guard holds the lock; moving it moves exclusive access to `T` to another
// thread, which needs `T: Send` (the `PhantomData` raw pointer removed the auto impl).
unsafe impl<T: ?Sized + Send, O: Observer> Send for OwnedPolicyMutexGuard<T, O> {}
// SAFETY: `&OwnedPolicyMutexGuard` gives `&T`, which needs `T: Sync`, and through
// `mutex()` a `&Arc<PolicyMutex<T>>` another thread could lock, which needs `T: Send`.
unsafe impl<T: ?Sized + Send + Sync, O: Observer> Sync for OwnedPolicyMutexGuard<T, O> {}

/// The future of [`PolicyMutex::lock`] and [`lock_tagged`](PolicyMutex::lock_tagged).
///
/// It asks for the lock when first polled, not when made: a future never polled does not
/// queue.
///
/// # Cancel safety
///
/// Dropping it before it completes is always safe; what happens depends on where it got
/// to:
///
/// * never polled: nothing;
/// * queued: it leaves the queue ([`LockEvent::Cancelled`](super::LockEvent::Cancelled)),
///   and the others keep their order. If a release had freed the lock and woken it to
///   take it (`Barging`, or `EventuallyFair` before its threshold) and the lock is still
///   free, its wake-up passes to the new head, so no wake-up is lost;
/// * handed the lock by a release (`Lifo`, or `EventuallyFair`'s fair hand-off) but not
///   polled since, so it already holds the lock: the lock is passed on as if released,
///   reported as `Released` for this tag, then as the policy says: `Acquired` for the
///   waiter it hands the lock to, or the lock is freed (and the head woken, or nobody
///   waits).
///
/// No lock is lost, no waiter is stranded, and the waker it left in the queue is dropped
/// after the internal lock is released.
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct PolicyLock<'a, T: ?Sized, O: Observer = NoObserver> {
    mutex: &'a PolicyMutex<T, O>,
    tag: Tag,
    wait: Wait,
}

/// The future of [`PolicyMutex::lock_owned`] and
/// [`lock_owned_tagged`](PolicyMutex::lock_owned_tagged): a [`PolicyLock`] that owns an
/// `Arc` of the mutex.
///
/// # Cancel safety
///
/// As [`PolicyLock`]; dropping it also drops the `Arc`.
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct OwnedPolicyLock<T: ?Sized, O: Observer = NoObserver> {
    /// `None` once the guard took it.
    mutex: Option<Arc<PolicyMutex<T, O>>>,
    tag: Tag,
    wait: Wait,
}

impl<T> PolicyMutex<T> {
    /// An unlocked mutex holding `value`, with the given hand-off policy and no observer.
    pub fn new(value: T, policy: Policy) -> Self {
        Self::with_observer(value, policy, NoObserver)
    }
}

impl<T, O: Observer> PolicyMutex<T, O> {
    /// An unlocked mutex that reports every [`LockEvent`](super::LockEvent) to `observer`.
    pub fn with_observer(value: T, policy: Policy, observer: O) -> Self {
        PolicyMutex { raw: RawPolicyLock::new(policy, observer), data: UnsafeCell::new(value) }
    }

    /// The value, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized, O: Observer> PolicyMutex<T, O> {
    /// The hand-off policy it was made with.
    pub fn policy(&self) -> &Policy {
        self.raw.policy()
    }

    /// Waits for the lock, untagged ([`Tag::UNTAGGED`]). See
    /// [`lock_tagged`](PolicyMutex::lock_tagged).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`PolicyLock`].
    pub fn lock(&self) -> PolicyLock<'_, T, O> {
        self.lock_tagged(Tag::UNTAGGED)
    }

    /// Waits for the lock on behalf of `tag`.
    ///
    /// The first poll takes the lock if it is free (even with others queued, under
    /// `Barging` and `EventuallyFair`), and otherwise joins the back of the queue. How a
    /// queued waiter gets the lock is the [`Policy`]'s business.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`PolicyLock`]. Dropping the future leaves the queue, passes on a
    /// lock that was handed to it, or passes on the wake-up it was given.
    pub fn lock_tagged(&self, tag: Tag) -> PolicyLock<'_, T, O> {
        PolicyLock { mutex: self, tag, wait: Wait::Idle }
    }

    /// [`lock`](PolicyMutex::lock) returning a guard that owns an `Arc` of the mutex.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`PolicyLock`]; dropping the future also drops the `Arc`.
    pub fn lock_owned(self: Arc<Self>) -> OwnedPolicyLock<T, O> {
        self.lock_owned_tagged(Tag::UNTAGGED)
    }

    /// [`lock_tagged`](PolicyMutex::lock_tagged) returning a guard that owns an `Arc` of
    /// the mutex.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`PolicyLock`]; dropping the future also drops the `Arc`.
    pub fn lock_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedPolicyLock<T, O> {
        OwnedPolicyLock { mutex: Some(self), tag, wait: Wait::Idle }
    }

    /// Takes the lock if it is free; never waits. Untagged.
    ///
    /// Under `Barging` and `EventuallyFair` it succeeds whenever the lock is free, even
    /// with waiters queued (that is barging); under `Lifo` the lock is never free while
    /// anyone waits, so it fails whenever the lock is held.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held.
    pub fn try_lock(&self) -> Result<PolicyMutexGuard<'_, T, O>, TryLockError> {
        self.try_lock_tagged(Tag::UNTAGGED)
    }

    /// [`try_lock`](PolicyMutex::try_lock) on behalf of `tag`: reports `Taken`, or
    /// `Requested` then `TryFailed`.
    ///
    /// # Errors
    ///
    /// As [`try_lock`](PolicyMutex::try_lock).
    pub fn try_lock_tagged(&self, tag: Tag) -> Result<PolicyMutexGuard<'_, T, O>, TryLockError> {
        match self.raw.try_lock(tag) {
            true => Ok(PolicyMutexGuard { lock: self, tag }),
            false => Err(TryLockError::new()),
        }
    }

    /// [`try_lock`](PolicyMutex::try_lock) returning an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_lock`](PolicyMutex::try_lock); the `Arc` is dropped.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedPolicyMutexGuard<T, O>, TryLockError> {
        self.try_lock_owned_tagged(Tag::UNTAGGED)
    }

    /// [`try_lock_tagged`](PolicyMutex::try_lock_tagged) returning an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_lock`](PolicyMutex::try_lock); the `Arc` is dropped.
    pub fn try_lock_owned_tagged(self: Arc<Self>, tag: Tag) -> Result<OwnedPolicyMutexGuard<T, O>, TryLockError> {
        match self.raw.try_lock(tag) {
            true => Ok(OwnedPolicyMutexGuard { lock: self, tag, _not_auto_sync: PhantomData }),
            false => Err(TryLockError::new()),
        }
    }

    /// Direct access to the value: `&mut self` proves nobody else holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The tag of the current holder, or `None` if the lock is free. A waiter the lock
    /// was handed to (`Lifo`, fair hand-off) holds it from that moment; a waiter only
    /// woken to race for it (`Barging`) does not, until it polls and takes it.
    ///
    /// Exact from one thread; with several, a racy snapshot.
    pub fn holder(&self) -> Option<Tag> {
        self.raw.holder()
    }

    /// Whether someone holds the lock (including a waiter it was handed to that has not
    /// run yet).
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }

    /// Tags of the queued waiters in *arrival* order, oldest first, under every policy.
    ///
    /// Under `Lifo` the next to be served is the *last* of them; under `Barging` it is
    /// whoever polls first once the lock is free (the head is the one woken). A waiter
    /// handed the lock has left the queue; one woken to race for it has not.
    pub fn waiters(&self) -> Vec<Tag> {
        self.raw.waiters()
    }

    /// Takes a free lock without events, for `Debug`.
    fn peek<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        if self.raw.try_lock_silent() {
            // SAFETY: we hold the lock until `unlock_silent` below.
            let r = f(Some(unsafe { &*self.data.get() }));
            self.raw.unlock_silent();
            r
        } else {
            f(None)
        }
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for PolicyMutex<T, O> {
    /// Never waits: shows the value if the lock is free right now, `<locked>` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.peek(|value| {
            let mut d = f.debug_struct("PolicyMutex");
            d.field("policy", self.policy());
            match value {
                Some(v) => d.field("data", &v),
                None => d.field("data", &format_args!("<locked>")),
            };
            d.finish()
        })
    }
}

impl<'a, T: ?Sized, O: Observer> Future for PolicyLock<'a, T, O> {
    type Output = PolicyMutexGuard<'a, T, O>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `PolicyLock` is `Unpin`: all its fields are.
        let this = self.get_mut();
        let (mutex, tag) = (this.mutex, this.tag);
        mutex.raw.poll_lock(tag, &mut this.wait, cx).map(|()| PolicyMutexGuard { lock: mutex, tag })
    }
}

impl<T: ?Sized, O: Observer> Drop for PolicyLock<'_, T, O> {
    #[inline]
    fn drop(&mut self) {
        self.mutex.raw.drop_wait(self.wait);
    }
}

impl<T: ?Sized, O: Observer> fmt::Debug for PolicyLock<'_, T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyLock").field("tag", &self.tag).field("wait", &self.wait).finish()
    }
}

impl<T: ?Sized, O: Observer> Future for OwnedPolicyLock<T, O> {
    type Output = OwnedPolicyMutexGuard<T, O>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `OwnedPolicyLock` is `Unpin`: all its fields are.
        let this = self.get_mut();
        let tag = this.tag;
        let mutex = this.mutex.as_ref().expect("`OwnedPolicyLock` polled after it completed");
        match mutex.raw.poll_lock(tag, &mut this.wait, cx) {
            Poll::Ready(()) => {
                let lock = this.mutex.take().expect("checked above");
                Poll::Ready(OwnedPolicyMutexGuard { lock, tag, _not_auto_sync: PhantomData })
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: ?Sized, O: Observer> Drop for OwnedPolicyLock<T, O> {
    #[inline]
    fn drop(&mut self) {
        if let Some(mutex) = &self.mutex {
            mutex.raw.drop_wait(self.wait);
        }
    }
}

impl<T: ?Sized, O: Observer> fmt::Debug for OwnedPolicyLock<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPolicyLock").field("tag", &self.tag).field("wait", &self.wait).finish()
    }
}

impl<T: ?Sized, O: Observer> PolicyMutexGuard<'_, T, O> {
    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> Deref for PolicyMutexGuard<'_, T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while its holder has the lock, so no other guard
        // can hand out `&mut T` at the same time.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> DerefMut for PolicyMutexGuard<'_, T, O> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` means no `&T` from this guard is alive.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Drop for PolicyMutexGuard<'_, T, O> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw.release(self.tag);
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for PolicyMutexGuard<'_, T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized, O: Observer> OwnedPolicyMutexGuard<T, O> {
    /// The mutex this guard locks.
    pub fn mutex(&self) -> &Arc<PolicyMutex<T, O>> {
        &self.lock
    }

    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> Deref for OwnedPolicyMutexGuard<T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `PolicyMutexGuard::deref`: this guard holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> DerefMut for OwnedPolicyMutexGuard<T, O> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `PolicyMutexGuard::deref_mut`.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Drop for OwnedPolicyMutexGuard<T, O> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw.release(self.tag);
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for OwnedPolicyMutexGuard<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
