//! The async `Mutex`: a single-permit [`Semaphore`] around an `UnsafeCell<T>`.

use super::semaphore::{Acquire, Semaphore};
use super::{NoObserver, Observer, Tag};
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An async mutual-exclusion lock, fair by arrival: tasks get the lock in the order they
/// asked for it.
///
/// [`lock`](Mutex::lock) waits without blocking the thread, so the guard may be held
/// across `.await`. When a guard is dropped the lock goes *directly* to the task at the
/// head of the queue, so a task that unlocks and immediately locks again queues behind
/// everyone already waiting (this is what the reader/writer scenario shows).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use mutex_playground::sync::Mutex;
/// # futures::executor::block_on(async {
/// let count = Arc::new(Mutex::new(0));
/// *count.lock().await += 1;
/// assert_eq!(*count.lock().await, 1);
/// # });
/// ```
///
/// # Poisoning
///
/// There is none: if a task panics while holding the guard, the guard's `Drop` runs
/// during unwinding and the lock is simply released, with whatever was written before
/// the panic (unlike `std::sync::Mutex`, whose `lock` then returns an error forever). See
/// [`MutexGuard`] for an example.
///
/// # Observing it
///
/// Every acquisition may carry a [`Tag`] ([`lock_tagged`](Mutex::lock_tagged)); the
/// mutex reports its [`holder`](Mutex::holder) and its queue in order
/// ([`waiters`](Mutex::waiters)), and sends [`LockEvent`](super::LockEvent)s to the
/// observer given to [`with_observer`](Mutex::with_observer). The observer is the type
/// parameter `O`; the default, [`NoObserver`], costs nothing.
///
/// # Send and Sync
///
/// `Mutex<T>` is `Send` and `Sync` when `T: Send`. `T: Sync` is *not* needed: the mutex
/// hands out access to `T` to one thread at a time, which is exactly what `Send` allows.
/// (The seed text asked for `T: Send + Sync`, which is stricter than necessary; it would
/// forbid e.g. `Mutex<Cell<u32>>`, which is sound.)
///
/// Both guards are `Send` when `T: Send`, so they may be held across an `.await` on a
/// multi-threaded runtime. A [`MutexGuard`] is `Sync` when `T: Sync`, because sharing
/// `&MutexGuard` shares only `&T`. An [`OwnedMutexGuard`] is `Sync` only when
/// `T: Send + Sync`: sharing it also shares its `Arc<Mutex<T>>`
/// ([`mutex`](OwnedMutexGuard::mutex)), with which another thread could lock.
pub struct Mutex<T: ?Sized, O: Observer = NoObserver> {
    semaphore: Semaphore<O>,
    data: UnsafeCell<T>,
}

// SAFETY: the semaphore hands the single permit to one holder at a time, and only the
// holder (through its guard) reaches `data`; moving access between threads needs only
// `T: Send`, as for `std::sync::Mutex`. The observer is `Send + Sync` by its trait.
unsafe impl<T: ?Sized + Send, O: Observer> Send for Mutex<T, O> {}
// SAFETY: as above: `&Mutex<T>` gives no access to `T` without the permit.
unsafe impl<T: ?Sized + Send, O: Observer> Sync for Mutex<T, O> {}

/// Exclusive access to a [`Mutex`]'s value; dropping it unlocks (and hands the lock to
/// the next waiter).
///
/// Made by [`Mutex::lock`], [`lock_tagged`](Mutex::lock_tagged) and
/// [`try_lock`](Mutex::try_lock); it dereferences to the value. Dropping it reports
/// [`LockEvent::Released`](super::LockEvent::Released), then hands the lock straight to
/// the head of the queue, if anyone waits.
///
/// # Poisoning
///
/// None: if the holder panics, the guard is dropped while unwinding and the lock is
/// released like any other time; whatever was written before the panic stays.
///
/// # Examples
///
/// A thread that panics while holding the lock leaves it unlocked, with its write:
///
/// ```
/// use mutex_playground::sync::Mutex;
/// use std::sync::Arc;
///
/// let mutex = Arc::new(Mutex::new(0));
/// let m = mutex.clone();
/// let crashed = std::thread::spawn(move || {
///     let mut guard = futures::executor::block_on(m.lock());
///     *guard = 1;
///     panic!("while holding the lock");
/// })
/// .join();
/// assert!(crashed.is_err());
/// assert_eq!(*mutex.try_lock().unwrap(), 1); // released, not poisoned
/// ```
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct MutexGuard<'a, T: ?Sized, O: Observer = NoObserver> {
    lock: &'a Mutex<T, O>,
    tag: Tag,
}

// SAFETY: `&MutexGuard` only gives `&T`, so sharing the guard between threads is
// sharing `&T`, which needs `T: Sync`. (An explicit impl replaces the auto impl, which
// would only have asked for `T: Send` through `&Mutex<T>`.)
unsafe impl<T: ?Sized + Sync, O: Observer> Sync for MutexGuard<'_, T, O> {}

/// Like [`MutexGuard`], but owning an `Arc` of the mutex, so it is `'static` and can be
/// moved into another task or thread.
///
/// Made by [`Mutex::lock_owned`] and the other `*_owned` methods. Dropping it unlocks,
/// as a [`MutexGuard`] does, and then drops its `Arc`.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedMutexGuard<T: ?Sized, O: Observer = NoObserver> {
    lock: Arc<Mutex<T, O>>,
    tag: Tag,
    // Opt out of the auto `Sync` (which would follow `Arc<Mutex<T>>`, i.e. `T: Send`).
    _not_auto_sync: PhantomData<*const ()>,
}

// SAFETY: the guard owns the lock; moving it moves exclusive access to `T` to another
// thread, which needs `T: Send` (the `PhantomData` raw pointer removed the auto impl).
unsafe impl<T: ?Sized + Send, O: Observer> Send for OwnedMutexGuard<T, O> {}
// SAFETY: `&OwnedMutexGuard` gives `&T`, which needs `T: Sync`, and through `mutex()`
// a `&Arc<Mutex<T>>` another thread could lock, which needs `Mutex<T>: Sync`, i.e.
// `T: Send`.
unsafe impl<T: ?Sized + Send + Sync, O: Observer> Sync for OwnedMutexGuard<T, O> {}

/// [`Mutex::try_lock`] (or one of its variants) found the lock held, or other tasks
/// queued for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is held, or has tasks waiting for it")
    }
}
impl std::error::Error for TryLockError {}

impl TryLockError {
    /// For the other locks of `sync`, which refuse a `try_lock` with the same error.
    pub(crate) fn new() -> Self {
        TryLockError(())
    }
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`, with nobody queued and no observer.
    pub fn new(value: T) -> Self {
        Mutex { semaphore: Semaphore::new(1), data: UnsafeCell::new(value) }
    }
}

impl<T, O: Observer> Mutex<T, O> {
    /// An unlocked mutex that reports every [`LockEvent`](super::LockEvent) to `observer`.
    pub fn with_observer(value: T, observer: O) -> Self {
        Mutex { semaphore: Semaphore::with_observer(1, observer), data: UnsafeCell::new(value) }
    }

    /// The value, consuming the mutex (no locking needed: we own it).
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized, O: Observer> Mutex<T, O> {
    /// Waits for the lock, untagged ([`Tag::UNTAGGED`]). See
    /// [`lock_tagged`](Mutex::lock_tagged).
    ///
    /// The future asks for the lock when first polled, not when made.
    ///
    /// # Cancel safety
    ///
    /// This method is cancel safe. If the future is dropped before it completes:
    ///
    /// * before its first poll, nothing happens: it had not asked yet;
    /// * while queued, it leaves the queue
    ///   ([`LockEvent::Cancelled`](super::LockEvent::Cancelled)) and the waiters behind
    ///   it move up one place;
    /// * after the lock was handed to it (it was already the [`holder`](Mutex::holder))
    ///   but before it was polled again, the lock passes straight to the next waiter
    ///   (`Released` for this tag, then `Acquired` for the new head), or becomes free if
    ///   nobody waits.
    ///
    /// The lock is never lost and no waker is kept. Once the future has returned the
    /// guard, it is the guard that holds the lock. See [`Acquire`].
    pub async fn lock(&self) -> MutexGuard<'_, T, O> {
        // Not `self.lock_tagged(..).await`: one state machine fewer on the fast path.
        self.acquire(Tag::UNTAGGED).await;
        MutexGuard { lock: self, tag: Tag::UNTAGGED }
    }

    /// Waits for the lock on behalf of `tag` (the playground passes the task id), joining
    /// the back of the FIFO queue if it is held.
    ///
    /// The lock is served strictly in arrival order; the queue is visible through
    /// [`waiters`](Mutex::waiters), and a waiter the lock is handed to is the
    /// [`holder`](Mutex::holder) at once, before it even runs.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, exactly as [`lock`](Mutex::lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::sync::{Mutex, Tag};
    /// use futures::FutureExt;
    ///
    /// let mutex = Mutex::new(());
    /// let first = mutex.try_lock_tagged(Tag(1)).unwrap();
    /// let mut second = Box::pin(mutex.lock_tagged(Tag(2)));
    /// let mut third = Box::pin(mutex.lock_tagged(Tag(3)));
    /// assert!(second.as_mut().now_or_never().is_none()); // queued
    /// assert!(third.as_mut().now_or_never().is_none()); // queued behind #2
    /// assert_eq!(mutex.waiters(), vec![Tag(2), Tag(3)]);
    ///
    /// drop(first); // hands the lock straight to #2 ...
    /// assert_eq!(mutex.holder(), Some(Tag(2)));
    /// assert!(mutex.try_lock().is_err()); // ... so nobody can barge in
    /// assert!(third.as_mut().now_or_never().is_none());
    /// let guard = second.now_or_never().expect("#2 holds the lock");
    /// assert_eq!(guard.tag(), Tag(2));
    /// ```
    pub async fn lock_tagged(&self, tag: Tag) -> MutexGuard<'_, T, O> {
        self.acquire(tag).await;
        MutexGuard { lock: self, tag }
    }

    /// Takes the lock if it is free and nobody is queued; never waits.
    ///
    /// Fails while anyone holds the lock *or waits for it*: a released lock is handed to
    /// the head of the queue, never left for a `try_lock` to grab.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or anyone is queued for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::sync::Mutex;
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(mutex.try_lock().is_err());
    /// drop(guard);
    /// assert_eq!(*mutex.try_lock().unwrap(), 1);
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T, O>, TryLockError> {
        self.try_lock_tagged(Tag::UNTAGGED)
    }

    /// [`try_lock`](Mutex::try_lock) on behalf of `tag`.
    ///
    /// # Errors
    ///
    /// As [`try_lock`](Mutex::try_lock).
    pub fn try_lock_tagged(&self, tag: Tag) -> Result<MutexGuard<'_, T, O>, TryLockError> {
        match self.semaphore.try_acquire_tagged(tag) {
            Ok(permit) => {
                permit.forget();
                Ok(MutexGuard { lock: self, tag })
            }
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Waits for the lock and returns a guard that owns an `Arc` of the mutex, so it is
    /// `'static` and can move to another task or thread.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, exactly as [`lock`](Mutex::lock); dropping the future also drops the
    /// `Arc` it was given.
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// let mutex = Arc::new(Mutex::new(Vec::new()));
    /// let mut guard = futures::executor::block_on(mutex.clone().lock_owned());
    /// std::thread::spawn(move || guard.push(1)).join().unwrap(); // unlocked there
    /// assert_eq!(*mutex.try_lock().unwrap(), [1]);
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T, O> {
        self.acquire(Tag::UNTAGGED).await;
        OwnedMutexGuard { lock: self, tag: Tag::UNTAGGED, _not_auto_sync: PhantomData }
    }

    /// [`lock_owned`](Mutex::lock_owned) on behalf of `tag`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, exactly as [`lock`](Mutex::lock); dropping the future also drops the
    /// `Arc` it was given.
    pub async fn lock_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedMutexGuard<T, O> {
        self.acquire(tag).await;
        OwnedMutexGuard { lock: self, tag, _not_auto_sync: PhantomData }
    }

    /// [`try_lock`](Mutex::try_lock) returning an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_lock`](Mutex::try_lock); the `Arc` is dropped.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T, O>, TryLockError> {
        self.try_lock_owned_tagged(Tag::UNTAGGED)
    }

    /// [`try_lock_owned`](Mutex::try_lock_owned) on behalf of `tag`.
    ///
    /// # Errors
    ///
    /// As [`try_lock`](Mutex::try_lock); the `Arc` is dropped.
    pub fn try_lock_owned_tagged(self: Arc<Self>, tag: Tag) -> Result<OwnedMutexGuard<T, O>, TryLockError> {
        match self.semaphore.try_acquire_tagged(tag) {
            Ok(permit) => permit.forget(),
            Err(_) => return Err(TryLockError(())),
        }
        Ok(OwnedMutexGuard { lock: self, tag, _not_auto_sync: PhantomData })
    }

    /// Direct access to the value: `&mut self` proves nobody else holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The tag of the current holder, or `None` if unlocked. A waiter the lock was handed
    /// to holds it from that moment, even before it is polled again. A lock taken by an
    /// untagged method reports [`Tag::UNTAGGED`].
    ///
    /// Exact when the mutex is used from one thread (as in the playground); with several
    /// threads it is a racy snapshot, like any such query.
    pub fn holder(&self) -> Option<Tag> {
        if self.is_locked() {
            Some(self.semaphore.last_tag())
        } else {
            None
        }
    }

    /// Tags of the tasks queued for the lock, head (next to get it) first.
    ///
    /// The holder is not in it, even one that was handed the lock and has not run yet.
    pub fn waiters(&self) -> Vec<Tag> {
        self.semaphore.waiters()
    }

    /// Whether someone holds the lock (including a waiter it was handed to that has not
    /// run yet).
    pub fn is_locked(&self) -> bool {
        self.semaphore.available_permits() == 0
    }

    /// A raw pointer to the value, for the wake-on-write cell's owned guards.
    pub(crate) fn data_ptr(&self) -> *mut T {
        self.data.get()
    }

    /// Takes the single permit for `tag` and keeps it out of circulation; the caller
    /// must call [`release`](Self::release) exactly once.
    ///
    /// A plain future rather than an `async fn`, so that `lock` is a single state machine.
    #[inline]
    pub(crate) fn acquire(&self, tag: Tag) -> TakePermit<'_, O> {
        TakePermit(self.semaphore.acquire_tagged(tag))
    }

    /// Takes the permit for `tag` if free (as `try_lock`), keeping it out of circulation;
    /// the caller must call [`release`](Self::release) exactly once.
    pub(crate) fn try_take(&self, tag: Tag) -> Result<(), TryLockError> {
        match self.semaphore.try_acquire_tagged(tag) {
            Ok(permit) => {
                permit.forget();
                Ok(())
            }
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Gives back the permit taken by [`acquire`](Self::acquire) or a `try_lock`.
    #[inline]
    pub(crate) fn release(&self, tag: Tag) {
        self.semaphore.release(tag);
    }

    /// `try_lock` without events or tag bookkeeping, for `Debug`.
    fn peek<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        if self.is_locked() {
            return f(None);
        }
        // Not taking the permit here would race with a locker on another thread; take
        // it without reporting, for the instant of the read.
        /// Gives the silent permit back even if `f` panics (a value's `Debug` may).
        struct Release<'a, O: Observer>(&'a Semaphore<O>);
        impl<O: Observer> Drop for Release<'_, O> {
            fn drop(&mut self) {
                self.0.release_silent();
            }
        }
        match self.semaphore.try_acquire_silent() {
            true => {
                let _release = Release(&self.semaphore);
                // SAFETY: we hold the only permit until `_release` is dropped, after `f`
                // returns or unwinds.
                f(Some(unsafe { &*self.data.get() }))
            }
            false => f(None),
        }
    }
}

/// Future of [`Mutex::acquire`]: the semaphore's `Acquire`, with the permit forgotten
/// (the guard built by the caller releases it).
pub(crate) struct TakePermit<'a, O: Observer>(Acquire<'a, O>);

impl<O: Observer> Future for TakePermit<'_, O> {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match Pin::new(&mut self.0).poll(cx) {
            Poll::Ready(Ok(permit)) => {
                permit.forget();
                Poll::Ready(())
            }
            Poll::Ready(Err(_)) => unreachable!("a Mutex never closes its semaphore"),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for Mutex<T, O> {
    /// Never waits: shows the value if the lock is free right now, `<locked>` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.peek(|value| {
            let mut d = f.debug_struct("Mutex");
            match value {
                Some(v) => d.field("data", &v),
                None => d.field("data", &format_args!("<locked>")),
            };
            d.finish()
        })
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized, O: Observer> MutexGuard<'_, T, O> {
    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> Deref for MutexGuard<'_, T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while its holder has the single permit, so no
        // other guard can hand out `&mut T` at the same time.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> DerefMut for MutexGuard<'_, T, O> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` means no `&T` from this guard is alive.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Drop for MutexGuard<'_, T, O> {
    #[inline]
    fn drop(&mut self) {
        self.lock.release(self.tag);
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for MutexGuard<'_, T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized, O: Observer> OwnedMutexGuard<T, O> {
    /// The mutex this guard locks.
    pub fn mutex(&self) -> &Arc<Mutex<T, O>> {
        &self.lock
    }

    /// The tag this guard was acquired for.
    pub fn tag(&self) -> Tag {
        self.tag
    }
}

impl<T: ?Sized, O: Observer> Deref for OwnedMutexGuard<T, O> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `MutexGuard::deref`: this guard holds the single permit.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> DerefMut for OwnedMutexGuard<T, O> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `MutexGuard::deref_mut`.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, O: Observer> Drop for OwnedMutexGuard<T, O> {
    #[inline]
    fn drop(&mut self) {
        self.lock.release(self.tag);
    }
}

impl<T: ?Sized + fmt::Debug, O: Observer> fmt::Debug for OwnedMutexGuard<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
