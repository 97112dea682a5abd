//! A strictly FIFO async reader-writer lock: [`RwLock`], with tokio's semantics.
//!
//! # Why not on the Semaphore
//!
//! tokio builds its `RwLock` on a batch semaphore (a read takes one permit, a write all of
//! them). Ours would need an `acquire_many` with partial grants to the head waiter, which
//! would change the invariant the [`Semaphore`](super::Semaphore)'s fast path and loom
//! models rest on (free permits only while nobody is queued). And [`holders`](RwLock::holders)
//! needs the readers' tags in a list, which needs a lock on every read anyway. So the
//! `RwLock` keeps its holders and its queue behind one internal `std::sync::Mutex` (see
//! `rwlock/raw.rs`): simple to check, and it leaves the Semaphore as it was.

mod raw;

use super::{NoObserver, Observer, Tag, TryLockError};
use raw::{Access, RawRwLock, Wait};
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An async reader-writer lock, served strictly in arrival order: many readers at once,
/// or one writer.
///
/// * A reader gets the lock at once only if no writer holds it *and nobody is queued*;
///   a writer only if nobody holds it and nobody is queued. So a queued writer blocks
///   every reader that comes after it: writers cannot starve.
/// * When the lock becomes available it goes *directly* to the head of the queue: a
///   writer, or, if the head is a reader, that reader and every reader right behind it,
///   up to the first writer. Each is handed the lock (and is a
///   [holder](RwLock::holders)) before it runs.
///
/// # Events
///
/// The same [`LockEvent`](super::LockEvent)s as the [`Mutex`](super::Mutex), one story
/// per acquisition, with the acquirer's tag: `Taken` (got it at once), or `Requested`,
/// `Enqueued { position }` (its index in the queue, the back), then `Acquired` when a
/// release (or a queued writer giving up) hands it over; each reader let in by a batch
/// gets its own `Acquired`. `Released` when a guard is dropped, `Cancelled` when a queued
/// future is dropped, `Requested`, `TryFailed` for a refused `try_read` or `try_write`.
/// Never reported under the internal lock.
///
/// # Examples
///
/// ```
/// use mutex_playground::sync::{RwLock, Tag};
/// use futures::FutureExt;
///
/// let lock = RwLock::new(0);
/// let r1 = lock.try_read_tagged(Tag(1)).unwrap();
/// let r2 = lock.try_read_tagged(Tag(2)).unwrap(); // readers share it
/// let mut w = Box::pin(lock.write_tagged(Tag(3)));
/// assert!(w.as_mut().now_or_never().is_none()); // the writer queues ...
/// assert!(lock.try_read_tagged(Tag(4)).is_err()); // ... and later readers wait behind it
/// assert_eq!(lock.holders(), [Tag(1), Tag(2)]);
/// drop((r1, r2)); // the last reader out hands the lock to the writer
/// assert_eq!(lock.holders(), [Tag(3)]);
/// assert!(lock.is_write_locked());
/// *w.now_or_never().unwrap() += 1;
/// assert_eq!(*lock.try_read().unwrap(), 1);
/// ```
///
/// # Poisoning
///
/// None: a guard dropped while unwinding lets go of the lock like any other time.
///
/// # Send and Sync
///
/// As tokio's: `RwLock<T>` is `Send` when `T: Send`, and `Sync` when `T: Send + Sync`
/// (readers on several threads share `&T`; a writer moves exclusive access). A
/// [`RwLockReadGuard`] is `Send` and `Sync` when `T: Sync` (it only gives `&T`); the
/// [`RwLockWriteGuard`] and both owned guards when `T: Send + Sync`.
pub struct RwLock<T: ?Sized, O: Observer = NoObserver> {
    raw: RawRwLock<O>,
    data: UnsafeCell<T>,
}

// SAFETY: the lock owns `T`; sending it sends `T`.
unsafe impl<T: ?Sized + Send, O: Observer> Send for RwLock<T, O> {}
// SAFETY: `&RwLock<T>` lets several threads hold `&T` at once (readers), which needs
// `T: Sync`, and lets a writer on another thread have `&mut T`, which needs `T: Send`.
// The raw lock admits one writer or any number of readers, never both.
unsafe impl<T: ?Sized + Send + Sync, O: Observer> Sync for RwLock<T, O> {}

/// Shared access to an [`RwLock`]'s value; dropping it lets go (and, if it was the last
/// reader, hands the lock to the head of the queue).
#[must_use = "dropping the guard unlocks at once"]
pub struct RwLockReadGuard<'a, T: ?Sized, O: Observer = NoObserver> {
    lock: &'a RwLock<T, O>,
    tag: Tag,
}

// SAFETY: a read guard only ever gives `&T`; moving it to another thread, or sharing it,
// shares `&T` there, which needs `T: Sync` (and its drop only touches the raw lock,
// which is thread-safe). These replace the auto impls, which would have asked for
// `T: Send + Sync` through `&RwLock<T>`, as tokio's do.
unsafe impl<T: ?Sized + Sync, O: Observer> Send for RwLockReadGuard<'_, T, O> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync, O: Observer> Sync for RwLockReadGuard<'_, T, O> {}

/// Exclusive access to an [`RwLock`]'s value; dropping it lets go and hands the lock to
/// the head of the queue.
#[must_use = "dropping the guard unlocks at once"]
pub struct RwLockWriteGuard<'a, T: ?Sized, O: Observer = NoObserver> {
    lock: &'a RwLock<T, O>,
    tag: Tag,
}

/// Like [`RwLockReadGuard`], owning an `Arc` of the lock, so it is `'static`.
#[must_use = "dropping the guard unlocks at once"]
pub struct OwnedRwLockReadGuard<T: ?Sized, O: Observer = NoObserver> {
    lock: Arc<RwLock<T, O>>,
    tag: Tag,
}

/// Like [`RwLockWriteGuard`], owning an `Arc` of the lock, so it is `'static`.
#[must_use = "dropping the guard unlocks at once"]
pub struct OwnedRwLockWriteGuard<T: ?Sized, O: Observer = NoObserver> {
    lock: Arc<RwLock<T, O>>,
    tag: Tag,
}

/// The future of [`RwLock::read`] and [`read_tagged`](RwLock::read_tagged).
///
/// It asks for the lock when first polled, not when made: a future never polled does not
/// queue. The other three lock futures ([`RwLockWrite`], [`OwnedRwLockRead`],
/// [`OwnedRwLockWrite`]) behave the same way.
///
/// # Cancel safety
///
/// Dropping it before it completes is always safe; what happens depends on where it got
/// to:
///
/// * never polled: nothing;
/// * queued: it leaves the queue ([`LockEvent::Cancelled`](super::LockEvent::Cancelled))
///   and the others keep their order; if it was a writer that kept readers behind it
///   waiting while the lock is read-held, those readers get the lock at once (`Acquired`
///   each);
/// * handed the lock by a release but not polled since (so it is already a holder): it
///   lets go as its guard would, reported as `Released` for this tag, and the lock goes
///   on to the next in line (`Acquired`), or becomes free.
///
/// No lock is lost, no waiter is stranded, and the waker it left in the queue is dropped
/// after the internal lock is released.
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct RwLockRead<'a, T: ?Sized, O: Observer = NoObserver> {
    lock: &'a RwLock<T, O>,
    tag: Tag,
    wait: Wait,
}

/// The future of [`RwLock::write`] and [`write_tagged`](RwLock::write_tagged).
///
/// # Cancel safety
///
/// As [`RwLockRead`].
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct RwLockWrite<'a, T: ?Sized, O: Observer = NoObserver> {
    lock: &'a RwLock<T, O>,
    tag: Tag,
    wait: Wait,
}

/// The future of [`RwLock::read_owned`] and [`read_owned_tagged`](RwLock::read_owned_tagged).
///
/// # Cancel safety
///
/// As [`RwLockRead`]; dropping it also drops its `Arc` of the lock.
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct OwnedRwLockRead<T: ?Sized, O: Observer = NoObserver> {
    /// `None` once the guard took it.
    lock: Option<Arc<RwLock<T, O>>>,
    tag: Tag,
    wait: Wait,
}

/// The future of [`RwLock::write_owned`] and
/// [`write_owned_tagged`](RwLock::write_owned_tagged).
///
/// # Cancel safety
///
/// As [`RwLockRead`]; dropping it also drops its `Arc` of the lock.
///
/// # Panics
///
/// Polling it again after it returned `Ready` panics.
#[must_use = "futures do nothing unless polled"]
pub struct OwnedRwLockWrite<T: ?Sized, O: Observer = NoObserver> {
    /// `None` once the guard took it.
    lock: Option<Arc<RwLock<T, O>>>,
    tag: Tag,
    wait: Wait,
}

impl<T> RwLock<T> {
    /// An unlocked `RwLock` holding `value`, with nobody queued and no observer.
    pub fn new(value: T) -> Self {
        Self::with_observer(value, NoObserver)
    }
}

impl<T, O: Observer> RwLock<T, O> {
    /// An unlocked `RwLock` that reports every [`LockEvent`](super::LockEvent) to
    /// `observer`.
    pub fn with_observer(value: T, observer: O) -> Self {
        RwLock { raw: RawRwLock::new(observer), data: UnsafeCell::new(value) }
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized, O: Observer> RwLock<T, O> {
    /// Waits for shared access, untagged ([`Tag::UNTAGGED`]). See
    /// [`read_tagged`](RwLock::read_tagged).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`].
    pub fn read(&self) -> RwLockRead<'_, T, O> {
        self.read_tagged(Tag::UNTAGGED)
    }

    /// Waits for shared access on behalf of `tag`: at once if no writer holds the lock
    /// and nobody is queued, otherwise at the back of the queue.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`].
    pub fn read_tagged(&self, tag: Tag) -> RwLockRead<'_, T, O> {
        RwLockRead { lock: self, tag, wait: Wait::Idle }
    }

    /// Waits for exclusive access, untagged. See [`write_tagged`](RwLock::write_tagged).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`].
    pub fn write(&self) -> RwLockWrite<'_, T, O> {
        self.write_tagged(Tag::UNTAGGED)
    }

    /// Waits for exclusive access on behalf of `tag`: at once if nobody holds the lock
    /// and nobody is queued, otherwise at the back of the queue, where it holds back
    /// every reader that comes after it.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`].
    pub fn write_tagged(&self, tag: Tag) -> RwLockWrite<'_, T, O> {
        RwLockWrite { lock: self, tag, wait: Wait::Idle }
    }

    /// [`read`](RwLock::read) with a guard that owns an `Arc` of the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`]; dropping the future also drops the `Arc`.
    pub fn read_owned(self: Arc<Self>) -> OwnedRwLockRead<T, O> {
        self.read_owned_tagged(Tag::UNTAGGED)
    }

    /// [`read_tagged`](RwLock::read_tagged) with a guard that owns an `Arc` of the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`]; dropping the future also drops the `Arc`.
    pub fn read_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedRwLockRead<T, O> {
        OwnedRwLockRead { lock: Some(self), tag, wait: Wait::Idle }
    }

    /// [`write`](RwLock::write) with a guard that owns an `Arc` of the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`]; dropping the future also drops the `Arc`.
    pub fn write_owned(self: Arc<Self>) -> OwnedRwLockWrite<T, O> {
        self.write_owned_tagged(Tag::UNTAGGED)
    }

    /// [`write_tagged`](RwLock::write_tagged) with a guard that owns an `Arc` of the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: see [`RwLockRead`]; dropping the future also drops the `Arc`.
    pub fn write_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedRwLockWrite<T, O> {
        OwnedRwLockWrite { lock: Some(self), tag, wait: Wait::Idle }
    }

    /// Takes shared access if a reader could have it at once (no writer holds the lock,
    /// nobody is queued); never waits. Untagged.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if a writer holds the lock or anyone is queued.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T, O>, TryLockError> {
        self.try_read_tagged(Tag::UNTAGGED)
    }

    /// [`try_read`](RwLock::try_read) on behalf of `tag`: `Taken`, or `Requested` then
    /// `TryFailed`.
    ///
    /// # Errors
    ///
    /// As [`try_read`](RwLock::try_read).
    pub fn try_read_tagged(&self, tag: Tag) -> Result<RwLockReadGuard<'_, T, O>, TryLockError> {
        match self.raw.try_acquire(Access::Read, tag) {
            true => Ok(RwLockReadGuard { lock: self, tag }),
            false => Err(TryLockError::new()),
        }
    }

    /// Takes exclusive access if nobody holds the lock (and so nobody is queued); never
    /// waits. Untagged.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if anyone holds the lock.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T, O>, TryLockError> {
        self.try_write_tagged(Tag::UNTAGGED)
    }

    /// [`try_write`](RwLock::try_write) on behalf of `tag`.
    ///
    /// # Errors
    ///
    /// As [`try_write`](RwLock::try_write).
    pub fn try_write_tagged(&self, tag: Tag) -> Result<RwLockWriteGuard<'_, T, O>, TryLockError> {
        match self.raw.try_acquire(Access::Write, tag) {
            true => Ok(RwLockWriteGuard { lock: self, tag }),
            false => Err(TryLockError::new()),
        }
    }

    /// [`try_read`](RwLock::try_read) with an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_read`](RwLock::try_read); the `Arc` is dropped.
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T, O>, TryLockError> {
        self.try_read_owned_tagged(Tag::UNTAGGED)
    }

    /// [`try_read_tagged`](RwLock::try_read_tagged) with an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_read`](RwLock::try_read); the `Arc` is dropped.
    pub fn try_read_owned_tagged(self: Arc<Self>, tag: Tag) -> Result<OwnedRwLockReadGuard<T, O>, TryLockError> {
        match self.raw.try_acquire(Access::Read, tag) {
            true => Ok(OwnedRwLockReadGuard { lock: self, tag }),
            false => Err(TryLockError::new()),
        }
    }

    /// [`try_write`](RwLock::try_write) with an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_write`](RwLock::try_write); the `Arc` is dropped.
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T, O>, TryLockError> {
        self.try_write_owned_tagged(Tag::UNTAGGED)
    }

    /// [`try_write_tagged`](RwLock::try_write_tagged) with an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_write`](RwLock::try_write); the `Arc` is dropped.
    pub fn try_write_owned_tagged(self: Arc<Self>, tag: Tag) -> Result<OwnedRwLockWriteGuard<T, O>, TryLockError> {
        match self.raw.try_acquire(Access::Write, tag) {
            true => Ok(OwnedRwLockWriteGuard { lock: self, tag }),
            false => Err(TryLockError::new()),
        }
    }

    /// Direct access to the value: `&mut self` proves nobody else holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Tags of the holders: the readers in the order they got the lock, or the one
    /// writer. A waiter the lock was handed to is a holder from that moment, before it
    /// runs. Exact from one thread; with several, a snapshot.
    pub fn holders(&self) -> Vec<Tag> {
        self.raw.holders()
    }

    /// Tags of the queued readers and writers in arrival order, head (next to be
    /// served) first.
    pub fn waiters(&self) -> Vec<Tag> {
        self.raw.waiters()
    }

    /// Whether a writer holds the lock (including one it was handed to that has not run
    /// yet).
    pub fn is_write_locked(&self) -> bool {
        self.raw.is_write_locked()
    }

    /// Whether anyone holds the lock, reader or writer.
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for RwLock<T, O> {
    /// Never waits and reports nothing: shows the value if a reader could have it right
    /// now, `<locked>` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Ends the peek even if the value's `Debug` panics.
        struct Unpeek<'a, O: Observer>(&'a RawRwLock<O>);
        impl<O: Observer> Drop for Unpeek<'_, O> {
            fn drop(&mut self) {
                self.0.unpeek();
            }
        }
        let mut d = f.debug_struct("RwLock");
        if self.raw.peek() {
            let _unpeek = Unpeek(&self.raw);
            // SAFETY: the peek is a read lock (it keeps writers out) until `_unpeek` is
            // dropped, after the value is formatted.
            d.field("data", &unsafe { &*self.data.get() });
        } else {
            d.field("data", &format_args!("<locked>"));
        }
        d.finish()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

/// The `Future`, `Drop` and `Debug` impls of a borrowing lock future.
macro_rules! borrowed_lock_future {
    ($fut:ident, $guard:ident, $access:expr) => {
        impl<'a, T: ?Sized, O: Observer> Future for $fut<'a, T, O> {
            type Output = $guard<'a, T, O>;

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                // Unpin: all its fields are.
                let this = self.get_mut();
                let (lock, tag) = (this.lock, this.tag);
                lock.raw.poll_acquire($access, tag, &mut this.wait, cx).map(|()| $guard { lock, tag })
            }
        }

        impl<T: ?Sized, O: Observer> Drop for $fut<'_, T, O> {
            fn drop(&mut self) {
                self.lock.raw.drop_wait(self.wait);
            }
        }

        impl<T: ?Sized, O: Observer> fmt::Debug for $fut<'_, T, O> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($fut)).field("tag", &self.tag).field("wait", &self.wait).finish()
            }
        }
    };
}

/// The `Future`, `Drop` and `Debug` impls of an owned lock future.
macro_rules! owned_lock_future {
    ($fut:ident, $guard:ident, $access:expr) => {
        impl<T: ?Sized, O: Observer> Future for $fut<T, O> {
            type Output = $guard<T, O>;

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                // Unpin: all its fields are.
                let this = self.get_mut();
                let tag = this.tag;
                let lock = this.lock.as_ref().expect(concat!("`", stringify!($fut), "` polled after it completed"));
                match lock.raw.poll_acquire($access, tag, &mut this.wait, cx) {
                    Poll::Ready(()) => Poll::Ready($guard { lock: this.lock.take().expect("checked above"), tag }),
                    Poll::Pending => Poll::Pending,
                }
            }
        }

        impl<T: ?Sized, O: Observer> Drop for $fut<T, O> {
            fn drop(&mut self) {
                if let Some(lock) = &self.lock {
                    lock.raw.drop_wait(self.wait);
                }
            }
        }

        impl<T: ?Sized, O: Observer> fmt::Debug for $fut<T, O> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($fut)).field("tag", &self.tag).field("wait", &self.wait).finish()
            }
        }
    };
}

borrowed_lock_future!(RwLockRead, RwLockReadGuard, Access::Read);
borrowed_lock_future!(RwLockWrite, RwLockWriteGuard, Access::Write);
owned_lock_future!(OwnedRwLockRead, OwnedRwLockReadGuard, Access::Read);
owned_lock_future!(OwnedRwLockWrite, OwnedRwLockWriteGuard, Access::Write);

impl<T: ?Sized, O: Observer> RwLockReadGuard<'_, T, O> {
    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> RwLockWriteGuard<'_, T, O> {
    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> OwnedRwLockReadGuard<T, O> {
    /// The lock this guard holds.
    pub fn rwlock(&self) -> &Arc<RwLock<T, O>> {
        &self.lock
    }

    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> OwnedRwLockWriteGuard<T, O> {
    /// The lock this guard holds.
    pub fn rwlock(&self) -> &Arc<RwLock<T, O>> {
        &self.lock
    }

    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> Deref for RwLockReadGuard<'_, T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read guard exists only while its holder has shared access: no writer
        // holds the lock, so nobody has `&mut T`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Deref for OwnedRwLockReadGuard<T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `RwLockReadGuard::deref`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Deref for RwLockWriteGuard<'_, T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a write guard exists only while its holder has exclusive access: no
        // other guard can hand out `&T` or `&mut T` at the same time.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> DerefMut for RwLockWriteGuard<'_, T, O> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` means no `&T` from this guard is alive.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Deref for OwnedRwLockWriteGuard<T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `RwLockWriteGuard::deref`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> DerefMut for OwnedRwLockWriteGuard<T, O> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `RwLockWriteGuard::deref_mut`.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Drop for RwLockReadGuard<'_, T, O> {
    fn drop(&mut self) {
        self.lock.raw.release(Access::Read, self.tag);
    }
}

impl<T: ?Sized, O: Observer> Drop for OwnedRwLockReadGuard<T, O> {
    fn drop(&mut self) {
        self.lock.raw.release(Access::Read, self.tag);
    }
}

impl<T: ?Sized, O: Observer> Drop for RwLockWriteGuard<'_, T, O> {
    fn drop(&mut self) {
        self.lock.raw.release(Access::Write, self.tag);
    }
}

impl<T: ?Sized, O: Observer> Drop for OwnedRwLockWriteGuard<T, O> {
    fn drop(&mut self) {
        self.lock.raw.release(Access::Write, self.tag);
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for RwLockReadGuard<'_, T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for RwLockWriteGuard<'_, T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for OwnedRwLockReadGuard<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for OwnedRwLockWriteGuard<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
