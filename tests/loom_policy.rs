//! Loom models of the PolicyMutex: every interleaving of its atomic word and its queue
//! lock is explored. Run with `scripts/loom.sh`.
//!
//! As in `loom_mutex.rs`, the value cell is not tracked by loom, so each model checks
//! mutual exclusion with a loom `AtomicBool` that every holder sets on entry and clears
//! on exit; a lost wake-up shows as a thread blocked for ever in `block_on`, which loom
//! reports as a deadlock.
#![cfg(loom)]

mod loom_common;

use loom::future::block_on;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;
use loom_common::{builder, critical, poll_once};
use mutex_playground::sync::{OwnedPolicyMutexGuard, Policy, PolicyMutex, Tag, TimeSource};
use std::future::Future;
use std::sync::Arc;
use std::task::Context;

/// A clock that stands still: with `after_ms: 0` every release with waiters is a fair
/// hand-off, with a large one it never is.
struct Frozen;

impl TimeSource for Frozen {
    fn now_ms(&self) -> u64 {
        0
    }
}

fn fair(after_ms: u64) -> Policy {
    Policy::EventuallyFair { after_ms, time: Arc::new(Frozen) }
}

/// Two threads lock and unlock, one of them twice (so it can re-lock as the other
/// waits, and barge).
fn two_threads(policy: Policy) {
    builder(4).check(move || {
        let mutex = Arc::new(PolicyMutex::new(0usize, policy.clone()));
        let inside = Arc::new(AtomicBool::new(false));
        let other = {
            let (mutex, inside) = (mutex.clone(), inside.clone());
            thread::spawn(move || {
                let mut g = block_on(mutex.lock_tagged(Tag(1)));
                critical(&inside, &mut g);
            })
        };
        for _ in 0..2 {
            let mut g = block_on(mutex.lock_tagged(Tag(0)));
            critical(&inside, &mut g);
        }
        other.join().unwrap();
        assert_eq!(*mutex.try_lock().expect("free at the end"), 3);
        assert_eq!(mutex.waiters(), vec![]);
    });
}

#[test]
fn barging_two_threads() {
    two_threads(Policy::Barging);
}

#[test]
fn lifo_two_threads() {
    two_threads(Policy::Lifo);
}

#[test]
fn eventually_fair_two_threads() {
    two_threads(fair(0));
}

/// Three threads: a woken waiter racing a newcomer and the releaser.
#[test]
fn barging_three_threads() {
    builder(3).check(|| {
        let mutex = Arc::new(PolicyMutex::new(0usize, Policy::Barging));
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

/// The `futures::lock` bug class. #1 is queued (from this thread, before the race); a
/// second thread queues behind it (or finds the lock free); the release wakes #1 to take
/// the free lock, and a third thread drops #1 meanwhile, maybe after the wake-up and
/// before #1 ever polls. The wake-up must reach #2 whatever the interleaving: a lost one
/// leaves #2 blocked, which loom reports as a deadlock.
fn woken_waiter_dropped(policy: Policy) {
    builder(4).check(move || {
        let mutex = Arc::new(PolicyMutex::new(0usize, policy.clone()));
        let inside = Arc::new(AtomicBool::new(false));
        let holder = mutex.try_lock_tagged(Tag(0)).unwrap();
        let mut first = Box::pin(mutex.clone().lock_owned_tagged(Tag(1)));
        assert!(poll_once(first.as_mut()).is_pending());

        let second = {
            let (mutex, inside) = (mutex.clone(), inside.clone());
            thread::spawn(move || {
                let mut g = block_on(mutex.lock_tagged(Tag(2)));
                critical(&inside, &mut g);
            })
        };
        let canceller = thread::spawn(move || drop(first));
        drop(holder);
        canceller.join().unwrap();
        second.join().unwrap();
        assert_eq!(mutex.waiters(), vec![]);
        assert_eq!(*mutex.try_lock().expect("the lock was not lost"), 1);
    });
}

#[test]
fn barging_a_woken_waiter_dropped_passes_the_wake_up_on() {
    woken_waiter_dropped(Policy::Barging);
}

#[test]
fn eventually_fair_a_woken_waiter_dropped_passes_the_wake_up_on() {
    woken_waiter_dropped(fair(1_000));
}

/// The same race when the release *hands* the lock to #1 (Lifo with one waiter ahead of
/// the thread, or a fair hand-off): dropping #1 must pass the lock on.
#[test]
fn lifo_cancel_during_hand_over() {
    woken_waiter_dropped(Policy::Lifo);
}

#[test]
fn eventually_fair_cancel_during_hand_over() {
    woken_waiter_dropped(fair(0));
}

/// A barging `try_lock` races the release and the woken waiter: whoever wins, one at a
/// time, and the waiter is served in the end.
#[test]
fn barging_try_lock_racing_a_release_and_the_woken_waiter() {
    builder(4).check(|| {
        let mutex = Arc::new(PolicyMutex::new(0usize, Policy::Barging));
        let inside = Arc::new(AtomicBool::new(false));
        let barged = Arc::new(AtomicUsize::new(0));
        let holder = mutex.try_lock_tagged(Tag(0)).unwrap();
        let waiter = {
            let (mutex, inside) = (mutex.clone(), inside.clone());
            thread::spawn(move || {
                let mut g = block_on(mutex.lock_tagged(Tag(1)));
                critical(&inside, &mut g);
            })
        };
        let barger = {
            let (mutex, inside, barged) = (mutex.clone(), inside.clone(), barged.clone());
            thread::spawn(move || {
                if let Ok(mut g) = mutex.try_lock_tagged(Tag(2)) {
                    critical(&inside, &mut g);
                    barged.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        drop(holder);
        waiter.join().unwrap();
        barger.join().unwrap();
        let g = mutex.try_lock().expect("free at the end");
        assert_eq!(*g, 1 + barged.load(Ordering::SeqCst));
    });
}

/// A waker that owns a guard; dropping its last clone releases the lock.
struct GuardWaker {
    _guard: std::sync::Mutex<Option<OwnedPolicyMutexGuard<usize>>>,
}

impl std::task::Wake for GuardWaker {
    fn wake(self: Arc<Self>) {}
}

/// The holder's guard lives only in the waker the queue keeps for #1; #1 is cancelled
/// while another thread queues. The cancel drops that waker after the queue lock (or it
/// would deadlock on it), and the lock it releases reaches the other thread.
#[test]
fn barging_a_cancelled_waiters_waker_may_release_the_lock() {
    builder(4).check(|| {
        let mutex = Arc::new(PolicyMutex::new(0usize, Policy::Barging));
        let guard = mutex.clone().try_lock_owned_tagged(Tag(0)).unwrap();
        let mut first = Box::pin(mutex.clone().lock_owned_tagged(Tag(1)));
        let waker = std::task::Waker::from(Arc::new(GuardWaker { _guard: std::sync::Mutex::new(Some(guard)) }));
        assert!(first.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        drop(waker); // the queue holds the only clone now
        let other = {
            let mutex = mutex.clone();
            thread::spawn(move || *block_on(mutex.lock_owned_tagged(Tag(2))) += 1)
        };
        drop(first);
        other.join().unwrap();
        assert_eq!(mutex.waiters(), vec![]);
        assert_eq!(*mutex.try_lock().expect("free at the end"), 1);
    });
}
