//! Synchronisation primitives the playground teaches with.
//!
//! Everything here is runtime-agnostic (no executor, no web dependency) and correct on
//! many threads; the playground merely drives it from one.
//!
//! * [`Semaphore`]: strictly FIFO, no barging: a released permit goes straight to the
//!   head waiter, so a later `try_acquire` can never overtake a queued waiter.
//! * [`Mutex`]: a single-permit semaphore around an `UnsafeCell<T>`; no poisoning.
//! * [`PolicyMutex`]: a mutex whose hand-off [`Policy`] is chosen at construction, to
//!   show beside the FIFO one: [`Barging`](Policy::Barging) (a release frees the lock
//!   and whoever polls first takes it, as `futures::lock` and `async_lock` do),
//!   [`Lifo`](Policy::Lifo) (the newest waiter is served first), or
//!   [`EventuallyFair`](Policy::EventuallyFair) (barging until the head has waited long
//!   enough by a [`TimeSource`], then a hand-off).
//! * [`RwLock`]: a strictly FIFO reader-writer lock with tokio's semantics: a queued
//!   writer holds back every later reader; the head and the readers right behind it are
//!   let in together.
//! * [`WakeOnWrite`]: a cell whose mutation *is* the notification (seed 004).
//! * [`broken`]: a deliberately wrong `poll_fn` try-lock that loses its wake-up.
//!
//! # Observability
//!
//! Each acquisition carries a caller-supplied [`Tag`] (the playground passes the task
//! id). A `Mutex` reports its holder ([`Mutex::holder`]) and its wait queue in order
//! ([`Mutex::waiters`]), and sends [`LockEvent`]s to an optional [`Observer`]. So do the
//! other locks: a [`PolicyMutex`] its [`holder`](PolicyMutex::holder) and its queue in
//! arrival order whatever the policy, an [`RwLock`] its [`holders`](RwLock::holders)
//! and [`waiters`](RwLock::waiters); a [`Semaphore`] its waiters (its holders are known
//! from the events, see its docs).
//!
//! The observer is a type parameter (`Mutex<T, O>`, default [`NoObserver`]), so the
//! events reach it through a direct, inlinable call: a traced lock costs what the
//! observer does, not an indirect call per event. `Arc<dyn Observer>` is an observer too,
//! for when the type has to be chosen at run time.
//!
//! # Examples
//!
//! An observer that records every event of one mutex:
//!
//! ```
//! use mutex_playground::sync::{LockEvent, Mutex, Observer, Tag};
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
//! let log = Arc::new(Log::default());
//! let mutex = Mutex::with_observer(0, log.clone());
//! futures::executor::block_on(async {
//!     *mutex.lock_tagged(Tag(7)).await += 1;
//! });
//! assert_eq!(
//!     *log.0.lock().unwrap(),
//!     [
//!         LockEvent::Taken { tag: Tag(7) },
//!         LockEvent::Released { tag: Tag(7) },
//!     ]
//! );
//! ```

pub mod broken;
mod loom;
mod mutex;
mod outbox;
mod policy;
mod rwlock;
mod semaphore;
mod wake_on_write;

pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use policy::{
    OwnedPolicyLock, OwnedPolicyMutexGuard, Policy, PolicyLock, PolicyMutex, PolicyMutexGuard, TimeSource,
};
pub use rwlock::{
    OwnedRwLockRead, OwnedRwLockReadGuard, OwnedRwLockWrite, OwnedRwLockWriteGuard, RwLock, RwLockRead,
    RwLockReadGuard, RwLockWrite, RwLockWriteGuard,
};
pub use semaphore::{Acquire, AcquireError, Semaphore, SemaphorePermit, TryAcquireError};
pub use wake_on_write::{Changed, OwnedWriteGuard, WakeOnWrite, WriteGuard};

use std::fmt;

/// Who is asking: an opaque caller-supplied label carried by every waiter and holder.
///
/// The playground uses the task id. [`Tag::UNTAGGED`] is used by the untagged methods.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Tag(pub u64);

impl Tag {
    /// The tag of acquisitions made through the untagged methods (`lock`, `acquire`, ...).
    pub const UNTAGGED: Tag = Tag(u64::MAX);
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Tag::UNTAGGED {
            f.write_str("untagged")
        } else {
            write!(f, "#{}", self.0)
        }
    }
}

/// What happened to one acquisition, as reported to an [`Observer`].
///
/// Every variant names the [`Tag`] of the acquisition it is about. For a [`Semaphore`]
/// with several permits, "the lock" below means one permit; for an [`RwLock`], a read or
/// write acquisition of it. What each [`Policy`] of a [`PolicyMutex`] reports is in the
/// [`PolicyMutex`]'s docs.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum LockEvent {
    /// `tag` asked for the lock and took it at once: a `Requested` immediately followed
    /// by `Acquired`, reported as one event (the common case, and the one on the hot
    /// path). Also what a successful `try_lock` reports. For the FIFO locks nobody was
    /// queued; a [`PolicyMutex`] that only frees the lock at a release (`Barging`, or
    /// `EventuallyFair` before its threshold) may be taken past its waiters: a barge.
    Taken {
        /// Who took the lock.
        tag: Tag,
    },
    /// `tag` asked for the lock and could not take it at once (first poll of `lock()`,
    /// or a `try_lock`); `Enqueued`, `Acquired` (the lock came free meanwhile) or
    /// `TryFailed` follows (nothing does if a [`Semaphore`] was closed in the meantime;
    /// a `Mutex` never closes).
    Requested {
        /// Who asked.
        tag: Tag,
    },
    /// `tag` could not take the lock and joined the wait queue.
    Enqueued {
        /// Who joined the queue.
        tag: Tag,
        /// Its place in the queue when it joined: 0 is the head (next to get the lock);
        /// always the back, since nobody is ever queued ahead of those already waiting.
        position: usize,
    },
    /// `tag` now holds the lock: handed over by the previous holder (or by
    /// [`Semaphore::add_permits`]) while it waited, or taken because it came free
    /// between `Requested` and queueing. Reported when the hand-over happens, which may
    /// be before `tag`'s task runs again. A [`PolicyMutex`] release that only freed the
    /// lock hands nothing over: the waiter it woke reports `Acquired` when it polls and
    /// takes the lock (and nothing if someone took it first: it stays queued).
    Acquired {
        /// The new holder.
        tag: Tag,
    },
    /// `tag` let go of the lock: its guard or permit was dropped, or its `lock()` future
    /// was dropped after the lock had been handed to it but before it was polled (the
    /// lock then passes on, and an `Acquired` for the next waiter follows; for a
    /// [`PolicyMutex`], as its policy says, which may be freeing the lock).
    Released {
        /// The holder that let go.
        tag: Tag,
    },
    /// `tag` gave up waiting: its `lock()` future was dropped while queued. It left the
    /// queue; the waiters behind it moved up one place.
    Cancelled {
        /// The waiter that left the queue.
        tag: Tag,
    },
    /// A `try_lock` by `tag` was refused (the lock was held, or others were queued); it
    /// follows a `Requested`, and `tag` did not join the queue.
    TryFailed {
        /// Who tried.
        tag: Tag,
    },
}

/// Receives [`LockEvent`]s from a [`Mutex`], [`PolicyMutex`], [`RwLock`] or
/// [`Semaphore`].
///
/// Called synchronously by the thread that made the event happen, and never while the
/// primitive's internal lock is held, so an observer may call back into the primitive
/// (ask for its [`waiters`](Mutex::waiters), say). With one thread, as in the
/// playground, events arrive in exactly the order they happened; with several threads,
/// each thread's events arrive in order, but events of different threads may arrive in
/// a different order than they took effect (each is reported just after it did).
pub trait Observer: Send + Sync {
    /// Called once per event, just after it took effect, on the thread that caused it.
    ///
    /// It runs inline in `lock`, `try_lock`, a guard's drop and the like, so whatever it
    /// costs, every lock operation costs. It should not panic: the panic unwinds out of
    /// the operation that reported the event, which may then not finish its work (a
    /// release reported but its permit never given back, a waiter handed the lock but
    /// never woken).
    fn on_event(&self, event: LockEvent);
}

/// The default [`Observer`]: ignores every event, and compiles to nothing.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct NoObserver;

impl Observer for NoObserver {
    #[inline(always)]
    fn on_event(&self, _event: LockEvent) {}
}

impl<O: Observer + ?Sized> Observer for std::sync::Arc<O> {
    #[inline]
    fn on_event(&self, event: LockEvent) {
        (**self).on_event(event)
    }
}

/// An observer chosen at run time, or none: what a [`WakeOnWrite`] reports to (its
/// events are not on a hot path, so one type serves every use).
pub type DynObserver = Option<std::sync::Arc<dyn Observer>>;

/// No observer, or one.
impl<O: Observer> Observer for Option<O> {
    #[inline]
    fn on_event(&self, event: LockEvent) {
        if let Some(o) = self {
            o.on_event(event)
        }
    }
}
