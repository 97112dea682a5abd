//! Wake on write: a cell whose mutation *is* the notification (seed 004).

use super::loom::StdMutex;
use super::{DynObserver, Mutex, MutexGuard, Observer, Tag};
use slab::Slab;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// A [`Mutex`]-protected value that wakes the tasks watching it whenever it is written.
///
/// Seed 004's fix for the lost wake-up: instead of polling and hoping, a task that waits
/// for the data to change leaves its [`Waker`] *beside the data*; a guard that was
/// mutably dereferenced marks itself written, and dropping it wakes every watcher. Rust's
/// `&`/`&mut` distinction tells the two apart: reading through a guard wakes nobody.
///
/// The lock itself is an ordinary FIFO [`Mutex`] ([`mutex`](WakeOnWrite::mutex)); the
/// watchers are a separate list, under their own internal lock, and are woken outside it.
///
/// # Examples
///
/// ```
/// use mutex_playground::sync::{Tag, WakeOnWrite};
/// use futures::{executor::block_on, FutureExt};
///
/// let outbox = WakeOnWrite::new(Vec::<u32>::new());
/// let mut next = Box::pin(outbox.wait_until(Tag(1), |v| !v.is_empty()));
/// assert!(next.as_mut().now_or_never().is_none()); // waiting, waker registered
/// block_on(outbox.lock_tagged(Tag(2))).push(7);     // the write wakes it
/// let mut guard = next.now_or_never().expect("woken and ready");
/// assert_eq!(guard.pop(), Some(7));
/// ```
pub struct WakeOnWrite<T> {
    mutex: Mutex<T, DynObserver>,
    watch: StdMutex<Watch>,
}

struct Watch {
    /// Bumped by every write; a watcher compares it with what it saw.
    version: u64,
    watchers: Slab<(Tag, Option<Waker>)>,
}

/// A guard of a [`WakeOnWrite`]: like a [`MutexGuard`], and if it was mutably
/// dereferenced, dropping it wakes every watcher.
///
/// "Written" means `DerefMut` was used, whether or not the value changed. On drop the
/// watchers are woken first and the lock released right after, so a woken watcher that
/// runs at once simply queues for the lock.
#[must_use = "dropping the guard unlocks at once"]
pub struct WriteGuard<'a, T> {
    guard: MutexGuard<'a, T, DynObserver>,
    cell: &'a WakeOnWrite<T>,
    written: bool,
}

/// The owned form of [`WriteGuard`]: holds an `Arc` of the cell, so it is `'static`.
///
/// `Send` when `T: Send`; `Sync` only when `T: Send + Sync`, since sharing it also shares
/// the `Arc` of the cell ([`cell`](OwnedWriteGuard::cell)), with which another thread
/// could lock.
#[must_use = "dropping the guard unlocks at once"]
pub struct OwnedWriteGuard<T> {
    cell: Arc<WakeOnWrite<T>>,
    tag: Tag,
    written: bool,
    _not_auto_sync: PhantomData<*const ()>,
}

// SAFETY: the guard holds the cell's lock; sending it sends exclusive access to `T`.
unsafe impl<T: Send> Send for OwnedWriteGuard<T> {}
// SAFETY: `&OwnedWriteGuard` gives `&T`, which needs `T: Sync`, and through `cell()` a
// `&Arc<WakeOnWrite<T>>` another thread could lock, which needs `T: Send`.
unsafe impl<T: Send + Sync> Sync for OwnedWriteGuard<T> {}

impl<T> WakeOnWrite<T> {
    /// A cell holding `value`, with nobody watching.
    pub fn new(value: T) -> Self {
        Self::from_mutex(Mutex::with_observer(value, None))
    }

    /// Like [`new`](Self::new); the underlying mutex reports its [`LockEvent`](super::LockEvent)s
    /// to `observer` (watching and waking are not lock events, and are not reported).
    pub fn with_observer(value: T, observer: Arc<dyn Observer>) -> Self {
        Self::from_mutex(Mutex::with_observer(value, Some(observer)))
    }

    fn from_mutex(mutex: Mutex<T, DynObserver>) -> Self {
        WakeOnWrite { mutex, watch: StdMutex::new(Watch { version: 0, watchers: Slab::new() }) }
    }

    /// The underlying mutex, to read its [`holder`](Mutex::holder) and
    /// [`waiters`](Mutex::waiters).
    ///
    /// Locking it directly bypasses the cell: writes through its guard wake nobody.
    pub fn mutex(&self) -> &Mutex<T, DynObserver> {
        &self.mutex
    }

    /// Locks the cell on behalf of `tag`. Writing through the guard wakes the watchers
    /// when it is dropped.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, exactly as [`Mutex::lock`]: a dropped future leaves the lock queue,
    /// or passes on a lock that was handed to it but not yet taken.
    pub async fn lock_tagged(&self, tag: Tag) -> WriteGuard<'_, T> {
        WriteGuard { guard: self.mutex.lock_tagged(tag).await, cell: self, written: false }
    }

    /// [`lock_tagged`](Self::lock_tagged) returning an owned guard.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, exactly as [`Mutex::lock`]; dropping the future also drops the `Arc`
    /// it was given.
    pub async fn lock_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedWriteGuard<T> {
        self.mutex.acquire(tag).await;
        OwnedWriteGuard { cell: self, tag, written: false, _not_auto_sync: PhantomData }
    }

    /// Takes the lock on behalf of `tag` if it is free and nobody is queued; never waits.
    ///
    /// # Errors
    ///
    /// [`TryLockError`](super::TryLockError) if the lock is held or anyone is queued for
    /// it; the `Arc` is dropped.
    pub fn try_lock_owned_tagged(self: Arc<Self>, tag: Tag) -> Result<OwnedWriteGuard<T>, super::TryLockError> {
        self.mutex.try_take(tag)?;
        Ok(OwnedWriteGuard { cell: self, tag, written: false, _not_auto_sync: PhantomData })
    }

    /// Completes after the next write to the cell (one that happens after this call).
    ///
    /// The version to compare with is read here, when the future is made, so a write
    /// between this call and the first poll counts. If no write has come by its first
    /// poll, the future joins the watch list (as `tag`, see [`watchers`](Self::watchers))
    /// until it completes. It takes no lock of the value.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future takes it off the watch list (its waker is dropped
    /// after the watch lock is released). It holds nothing else, and other watchers are
    /// not affected.
    ///
    /// # Examples
    ///
    /// ```
    /// use mutex_playground::sync::{Tag, WakeOnWrite};
    /// use futures::{executor::block_on, FutureExt};
    ///
    /// let cell = WakeOnWrite::new(0);
    /// let mut changed = Box::pin(cell.changed(Tag(1)));
    /// assert!(changed.as_mut().now_or_never().is_none());
    /// assert_eq!(cell.watchers(), vec![Tag(1)]);
    /// let _ = *block_on(cell.lock_tagged(Tag(2))); // a read: still waiting
    /// assert!(changed.as_mut().now_or_never().is_none());
    /// *block_on(cell.lock_tagged(Tag(2))) += 1; // a write: done
    /// assert!(changed.now_or_never().is_some());
    /// ```
    pub fn changed(&self, tag: Tag) -> Changed<'_, T> {
        let since = self.lock_watch().version;
        Changed { cell: self, tag, since, key: None }
    }

    /// Locks the cell and returns the guard once `pred` holds for the value; until then
    /// the task sleeps with its waker registered beside the data, and every write wakes
    /// it to check again.
    ///
    /// The condition is checked under the lock, and the cell's version is read before the
    /// lock is let go, so no write can be missed: one that slips in before the task joins
    /// the watch list makes it check again at once. `pred` is called once per lock taken,
    /// with the lock held.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe. The future never holds the lock across an `.await`: it waits either in
    /// the lock queue (dropping it then behaves as dropping [`Mutex::lock`]: it leaves the
    /// queue, or passes on a lock handed to it) or on the watch list (dropping it then
    /// takes it off the list).
    pub async fn wait_until<F: FnMut(&T) -> bool>(&self, tag: Tag, mut pred: F) -> WriteGuard<'_, T> {
        loop {
            let guard = self.lock_tagged(tag).await;
            if pred(&guard) {
                return guard;
            }
            // Read the version while still holding the lock: every write needs the lock,
            // so none can slip in between the check above and this registration.
            let changed = self.changed(tag);
            drop(guard);
            changed.await;
        }
    }

    /// [`wait_until`](Self::wait_until) returning an owned guard.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`wait_until`](Self::wait_until); dropping the future also drops
    /// the `Arc` it was given.
    pub async fn wait_until_owned<F: FnMut(&T) -> bool>(self: Arc<Self>, tag: Tag, mut pred: F) -> OwnedWriteGuard<T> {
        loop {
            let guard = self.clone().lock_owned_tagged(tag).await;
            if pred(&guard) {
                return guard;
            }
            let since = self.lock_watch().version;
            drop(guard);
            Changed { cell: &*self, tag, since, key: None }.await;
        }
    }

    /// Tags of the tasks waiting for the next write, in registration order.
    ///
    /// A watcher is listed from its first poll until it completes or is dropped (a write
    /// wakes it but does not remove it; it leaves when it next runs).
    pub fn watchers(&self) -> Vec<Tag> {
        self.lock_watch().watchers.iter().map(|(_, (tag, _))| *tag).collect()
    }

    fn lock_watch(&self) -> super::loom::StdMutexGuard<'_, Watch> {
        self.watch.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A write happened: bump the version and wake every watcher (outside the lock: no
    /// waker is woken or dropped while the watch lock is held).
    fn notify(&self) {
        let wakers: Vec<Waker> = {
            let mut watch = self.lock_watch();
            watch.version += 1;
            watch.watchers.iter_mut().filter_map(|(_, (_, waker))| waker.take()).collect()
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl<T: fmt::Debug> fmt::Debug for WakeOnWrite<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakeOnWrite").field("mutex", &self.mutex).field("watchers", &self.watchers()).finish()
    }
}

/// Future of [`WakeOnWrite::changed`]: completes after the next write to the cell.
///
/// # Cancel safety
///
/// Dropping it takes it off the watch list; see [`WakeOnWrite::changed`].
#[must_use = "futures do nothing unless polled"]
pub struct Changed<'a, T> {
    cell: &'a WakeOnWrite<T>,
    tag: Tag,
    since: u64,
    key: Option<usize>,
}

impl<T> Future for Changed<'_, T> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut watch = this.cell.lock_watch();
        if watch.version != this.since {
            let left = this.key.take().map(|key| watch.watchers.remove(key));
            drop(watch);
            drop(left); // a waker may own anything: dropped outside the watch lock
            return Poll::Ready(());
        }
        let replaced = match this.key {
            None => {
                this.key = Some(watch.watchers.insert((this.tag, Some(cx.waker().clone()))));
                None
            }
            Some(key) => {
                let slot = &mut watch.watchers[key].1;
                match slot {
                    Some(old) if old.will_wake(cx.waker()) => None,
                    _ => slot.replace(cx.waker().clone()),
                }
            }
        };
        drop(watch);
        drop(replaced);
        Poll::Pending
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let left = self.cell.lock_watch().watchers.remove(key);
            drop(left); // after the watch lock (the temporary guard above is gone)
        }
    }
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changed").field("tag", &self.tag).field("since", &self.since).finish()
    }
}

impl<T> WriteGuard<'_, T> {
    /// Whether this guard was mutably dereferenced (and so will wake the watchers when
    /// dropped).
    pub fn was_written(&self) -> bool {
        self.written
    }
}

impl<T> Deref for WriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.written = true;
        &mut self.guard
    }
}

impl<T> Drop for WriteGuard<'_, T> {
    fn drop(&mut self) {
        // Wakes first; the lock itself is released right after, when `guard` drops, so
        // a woken watcher that polls at once simply queues for it.
        if self.written {
            self.cell.notify();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for WriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> OwnedWriteGuard<T> {
    /// The cell this guard locks.
    pub fn cell(&self) -> &Arc<WakeOnWrite<T>> {
        &self.cell
    }

    /// Whether this guard was mutably dereferenced (and so will wake the watchers when
    /// dropped).
    pub fn was_written(&self) -> bool {
        self.written
    }
}

impl<T> Deref for OwnedWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the cell mutex's single permit (taken in
        // `lock_owned_tagged`, given back in `drop`), so no `&mut T` exists elsewhere.
        unsafe { &*self.cell.mutex.data_ptr() }
    }
}

impl<T> DerefMut for OwnedWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.written = true;
        // SAFETY: as in `deref`, and `&mut self` means no `&T` from this guard is alive.
        unsafe { &mut *self.cell.mutex.data_ptr() }
    }
}

impl<T> Drop for OwnedWriteGuard<T> {
    fn drop(&mut self) {
        if self.written {
            self.cell.notify();
        }
        self.cell.mutex.release(self.tag);
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
