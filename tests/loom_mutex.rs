//! Loom models of the Mutex: every interleaving of the semaphore's atomics and internal
//! lock is explored. Run with `scripts/loom.sh`
//! (`RUSTFLAGS="--cfg loom" cargo test --release --target-dir target/loom --test loom_mutex`).
//!
//! The value cell is a plain `std::cell::UnsafeCell`, which loom does not track, so each
//! model checks mutual exclusion explicitly with a loom `AtomicBool` "inside" flag that
//! every holder sets on entry and clears on exit.
#![cfg(loom)]

mod loom_common;

use loom::future::block_on;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;
use loom_common::{builder, critical, poll_once};
use mutex_playground::sync::{Mutex, Tag};
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

#[test]
fn two_tasks_lock_and_unlock() {
    builder(5).check(|| {
        let mutex = Arc::new(Mutex::new(0usize));
        let inside = Arc::new(AtomicBool::new(false));
        let other = {
            let (mutex, inside) = (mutex.clone(), inside.clone());
            thread::spawn(move || {
                let mut g = block_on(mutex.lock_tagged(Tag(1)));
                critical(&inside, &mut g);
            })
        };
        {
            let mut g = block_on(mutex.lock_tagged(Tag(0)));
            critical(&inside, &mut g);
        }
        other.join().unwrap();
        assert_eq!(*mutex.try_lock().expect("free at the end"), 2);
        assert_eq!(mutex.waiters(), vec![]);
    });
}

#[test]
fn three_tasks_lock_and_unlock() {
    builder(3).check(|| {
        let mutex = Arc::new(Mutex::new(0usize));
        let inside = Arc::new(AtomicBool::new(false));
        let others: Vec<_> = (1..3)
            .map(|t| {
                let (mutex, inside) = (mutex.clone(), inside.clone());
                thread::spawn(move || {
                    let mut g = block_on(mutex.lock_tagged(Tag(t)));
                    critical(&inside, &mut g);
                })
            })
            .collect();
        {
            let mut g = block_on(mutex.lock_tagged(Tag(0)));
            critical(&inside, &mut g);
        }
        for t in others {
            t.join().unwrap();
        }
        assert_eq!(*mutex.try_lock().expect("free at the end"), 3);
    });
}

/// A queued waiter is dropped while the holder releases (possibly handing the lock to
/// it). The lock must end up with the other waiter (or free), never lost: if it were
/// lost, the blocking waiter would never be woken and loom reports a deadlock.
#[test]
fn cancel_during_hand_over() {
    builder(5).check(|| {
        let mutex = Arc::new(Mutex::new(0usize));
        let inside = Arc::new(AtomicBool::new(false));
        let holder = mutex.try_lock_tagged(Tag(0)).unwrap();
        // Queue the waiter that will be cancelled, from this thread, before the race.
        let mut cancelled = Box::pin(mutex.clone().lock_owned_tagged(Tag(1)));
        assert!(poll_once(cancelled.as_mut()).is_pending());

        let canceller = thread::spawn(move || drop(cancelled));
        let blocker = {
            let (mutex, inside) = (mutex.clone(), inside.clone());
            thread::spawn(move || {
                let mut g = block_on(mutex.lock_tagged(Tag(2)));
                critical(&inside, &mut g);
            })
        };
        drop(holder);
        canceller.join().unwrap();
        blocker.join().unwrap();
        assert_eq!(mutex.waiters(), vec![]);
        assert_eq!(*mutex.try_lock().expect("the lock was not lost"), 1);
    });
}

/// `try_lock` races the release that hands the lock to a queued waiter: it must fail
/// whatever the interleaving (no barging), and the waiter must get the lock.
#[test]
fn try_lock_racing_a_release_cannot_barge() {
    builder(5).check(|| {
        let mutex = Arc::new(Mutex::new(0usize));
        let holder = mutex.try_lock_tagged(Tag(0)).unwrap();
        let mut waiter = Box::pin(mutex.lock_tagged(Tag(1)));
        assert!(poll_once(waiter.as_mut()).is_pending());

        let barger = {
            let mutex = mutex.clone();
            thread::spawn(move || mutex.try_lock_tagged(Tag(2)).is_ok())
        };
        drop(holder);
        assert!(!barger.join().unwrap(), "try_lock overtook a queued waiter");
        let Poll::Ready(mut g) = poll_once(waiter.as_mut()) else { panic!("waiter not served") };
        *g += 1;
        assert_eq!(mutex.holder(), Some(Tag(1)));
    });
}

/// `try_lock` racing a plain release (nobody queued): it either fails because the lock
/// is still held, or succeeds after the release; never while the holder is inside.
#[test]
fn try_lock_racing_a_plain_release() {
    builder(5).check(|| {
        let mutex = Arc::new(Mutex::new(0usize));
        let inside = Arc::new(AtomicBool::new(false));
        let successes = Arc::new(AtomicUsize::new(0));
        let mut holder = mutex.try_lock_tagged(Tag(0)).unwrap();
        let other = {
            let (mutex, inside, successes) = (mutex.clone(), inside.clone(), successes.clone());
            thread::spawn(move || {
                if let Ok(mut g) = mutex.try_lock_tagged(Tag(1)) {
                    critical(&inside, &mut g);
                    successes.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        critical(&inside, &mut holder);
        drop(holder);
        other.join().unwrap();
        let g = mutex.try_lock().expect("free at the end");
        assert_eq!(*g, 1 + successes.load(Ordering::SeqCst));
    });
}

/// A waker that owns a guard; dropping its last clone releases the lock.
struct GuardWaker {
    /// Never read: held for its `Drop`.
    _guard: std::sync::Mutex<Option<mutex_playground::sync::OwnedMutexGuard<usize>>>,
}

impl std::task::Wake for GuardWaker {
    fn wake(self: Arc<Self>) {}
}

fn guard_waker(guard: mutex_playground::sync::OwnedMutexGuard<usize>) -> std::task::Waker {
    std::task::Waker::from(Arc::new(GuardWaker { _guard: std::sync::Mutex::new(Some(guard)) }))
}

/// A lock future, boxed.
type Waiter = std::pin::Pin<Box<dyn Future<Output = mutex_playground::sync::OwnedMutexGuard<usize>>>>;

/// A waiter queued behind the holder #0, whose guard lives only in the waker the queue
/// keeps for the waiter (#1); and a second thread (#2) queueing for the lock meanwhile.
/// Returns the mutex, the "inside" flag, the waiter, and the second thread.
fn guard_in_the_queue() -> (Arc<Mutex<usize>>, Arc<AtomicBool>, Waiter, thread::JoinHandle<()>) {
    let mutex = Arc::new(Mutex::new(0usize));
    let inside = Arc::new(AtomicBool::new(false));
    let guard = mutex.clone().try_lock_owned_tagged(Tag(0)).unwrap();
    let mut first: std::pin::Pin<Box<dyn Future<Output = _>>> = Box::pin(mutex.clone().lock_owned_tagged(Tag(1)));
    let waker = guard_waker(guard);
    assert!(first.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    drop(waker); // the queue holds the only clone now
    let other = {
        let (mutex, inside) = (mutex.clone(), inside.clone());
        thread::spawn(move || {
            let mut g = block_on(mutex.lock_owned_tagged(Tag(2)));
            critical(&inside, &mut g);
        })
    };
    (mutex, inside, first, other)
}

/// Re-polling the waiter with another waker drops the stored one, which releases the
/// lock: the release must not run under the queue's lock (loom reports the deadlock if
/// it does), and whatever the interleaving with the second thread, the lock is handed
/// on in order and nobody is stranded.
#[test]
fn a_waker_dropped_in_the_queue_may_release_the_lock() {
    builder(4).check(|| {
        let (mutex, inside, first, other) = guard_in_the_queue();
        // A new waker: the old one (and the guard in it) is dropped, handing the lock on.
        let mut g = block_on(first);
        critical(&inside, &mut g);
        drop(g);
        other.join().unwrap();
        assert_eq!(*mutex.try_lock().expect("free at the end"), 2);
    });
}

/// The waiter that keeps the guard-owning waker is cancelled while the other thread
/// queues behind it: the cancel path drops the waker after its lock, and the released
/// lock reaches the other thread.
#[test]
fn a_cancelled_waiters_waker_may_release_the_lock() {
    builder(4).check(|| {
        let (mutex, _inside, first, other) = guard_in_the_queue();
        drop(first); // cancel: leaves the queue, drops the waker, releases the lock
        other.join().unwrap();
        assert_eq!(mutex.waiters(), vec![]);
        assert_eq!(*mutex.try_lock().expect("free at the end"), 1);
    });
}
