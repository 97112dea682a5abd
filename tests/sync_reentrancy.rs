//! No foreign code runs under an internal lock.
//!
//! A `Waker` can own anything, a guard of the very lock that stores it included, and an
//! observer is user code. If either ran while the semaphore's queue lock (or the watch
//! list's lock, or the clock's borrow) was held, a drop that releases the same lock would
//! take that internal lock again on the same thread and hang (or panic). tokio had this
//! bug in its batch semaphore (`release_permits_at_drop` is its regression test); these
//! are ours, one per site. Each runs on a thread with a deadline, so a regression fails
//! the test instead of hanging the suite.
#![cfg(not(loom))]

mod common;

use common::{owning_waker, poll_with, within_deadline};
use futures::task::noop_waker;
use futures::FutureExt;
use mutex_playground::sync::{LockEvent, Mutex, Observer, OwnedMutexGuard, OwnedWriteGuard, Tag, WakeOnWrite};
use std::sync::{Arc, Mutex as StdMutex, OnceLock, Weak};
use std::task::Poll;

#[test]
fn a_replaced_waker_that_releases_the_lock_is_dropped_outside_the_queue_lock() {
    within_deadline("re-poll with a new waker", || {
        let mutex = Arc::new(Mutex::new(0u32));
        let guard: OwnedMutexGuard<u32> = mutex.clone().try_lock_owned_tagged(Tag(1)).unwrap();
        let mut waiter = Box::pin(mutex.clone().lock_owned_tagged(Tag(2)));
        {
            // The waker the queue keeps is the only owner of the holder's guard.
            let waker = owning_waker(guard);
            assert!(poll_with(&mut waiter, &waker).is_pending());
        }
        assert_eq!(mutex.holder(), Some(Tag(1)));
        // A different waker replaces the stored one; dropping the old releases the lock,
        // which is handed straight to the waiter.
        assert!(poll_with(&mut waiter, &noop_waker()).is_pending());
        assert_eq!(mutex.holder(), Some(Tag(2)));
        let guard = poll_with(&mut waiter, &noop_waker());
        assert!(matches!(guard, Poll::Ready(ref g) if g.tag() == Tag(2)));
    });
}

#[test]
fn a_cancelled_waiters_waker_that_releases_the_lock_is_dropped_outside_the_queue_lock() {
    within_deadline("cancel with a waiter behind", || {
        let mutex = Arc::new(Mutex::new(0u32));
        let guard = mutex.clone().try_lock_owned_tagged(Tag(1)).unwrap();
        let mut first = Box::pin(mutex.clone().lock_owned_tagged(Tag(2)));
        let mut second = Box::pin(mutex.clone().lock_owned_tagged(Tag(3)));
        assert!(poll_with(&mut first, &owning_waker(guard)).is_pending());
        assert!(poll_with(&mut second, &noop_waker()).is_pending());
        assert_eq!(mutex.waiters(), vec![Tag(2), Tag(3)]);
        // Cancelling #2 drops its waker, which releases #1's guard: the lock must go to #3.
        drop(first);
        assert_eq!(mutex.waiters(), vec![]);
        assert_eq!(mutex.holder(), Some(Tag(3)));
        assert!(second.now_or_never().is_some());
    });
}

#[test]
fn a_watchers_old_waker_that_writes_the_cell_is_dropped_outside_the_watch_lock() {
    within_deadline("watch list", || {
        let cell = Arc::new(WakeOnWrite::new(0u32));
        let mut guard: OwnedWriteGuard<u32> = cell.clone().try_lock_owned_tagged(Tag(1)).unwrap();
        *guard = 1; // written: its drop notifies the watchers (takes the watch lock)
        let mut changed = Box::pin(cell.changed(Tag(2)));
        assert!(poll_with(&mut changed, &owning_waker(guard)).is_pending());
        assert_eq!(cell.watchers(), vec![Tag(2)]);
        // Replacing the waker drops the guard: the write lands, and the watcher sees it.
        assert!(poll_with(&mut changed, &noop_waker()).is_pending());
        assert!(poll_with(&mut changed, &noop_waker()).is_ready());
        assert_eq!(*futures::executor::block_on(cell.lock_tagged(Tag(3))), 1);
    });
}

#[test]
fn a_dropped_watchers_waker_that_writes_the_cell_is_dropped_outside_the_watch_lock() {
    within_deadline("watch list drop", || {
        let cell = Arc::new(WakeOnWrite::new(0u32));
        let mut guard = cell.clone().try_lock_owned_tagged(Tag(1)).unwrap();
        *guard = 1;
        let mut changed = Box::pin(cell.changed(Tag(2)));
        assert!(poll_with(&mut changed, &owning_waker(guard)).is_pending());
        drop(changed);
        assert_eq!(cell.watchers(), vec![]);
        assert!(cell.clone().try_lock_owned_tagged(Tag(3)).is_ok(), "the write's guard was released");
    });
}

/// An observer that asks its own mutex for the queue on every event.
#[derive(Default)]
struct Reentrant {
    mutex: OnceLock<Weak<Mutex<u32, Arc<Reentrant>>>>,
    seen: StdMutex<Vec<Seen>>,
}

/// An event, with the queue and the holder the observer read back when it came.
type Seen = (LockEvent, Vec<Tag>, Option<Tag>);

impl Observer for Reentrant {
    fn on_event(&self, event: LockEvent) {
        let mutex = self.mutex.get().and_then(Weak::upgrade).expect("set before use");
        let (waiters, holder) = (mutex.waiters(), mutex.holder());
        self.seen.lock().unwrap().push((event, waiters, holder));
    }
}

#[test]
fn an_observer_may_call_back_into_its_mutex() {
    within_deadline("observer", || {
        let observer = Arc::new(Reentrant::default());
        let mutex = Arc::new(Mutex::with_observer(0u32, observer.clone()));
        observer.mutex.set(Arc::downgrade(&mutex)).ok().unwrap();
        let first = mutex.try_lock_tagged(Tag(1)).unwrap();
        let mut second = Box::pin(mutex.lock_tagged(Tag(2)));
        assert!(poll_with(&mut second, &noop_waker()).is_pending());
        drop(first);
        drop(second.now_or_never().expect("handed over"));
        let seen = observer.seen.lock().unwrap().clone();
        let events: Vec<LockEvent> = seen.iter().map(|s| s.0).collect();
        assert_eq!(
            events,
            [
                LockEvent::Taken { tag: Tag(1) },
                LockEvent::Requested { tag: Tag(2) },
                LockEvent::Enqueued { tag: Tag(2), position: 0 },
                LockEvent::Released { tag: Tag(1) },
                LockEvent::Acquired { tag: Tag(2) },
                LockEvent::Released { tag: Tag(2) },
            ]
        );
        // Each event is reported after it took effect: the queue the observer reads
        // already has #2 at `Enqueued`, and #2 holds the lock at `Acquired`.
        assert_eq!(seen[2].1, vec![Tag(2)]);
        assert_eq!(seen[4].2, Some(Tag(2)));
    });
}
