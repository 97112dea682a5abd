//! The Mutex's contract: mutual exclusion, strict FIFO, cancel safety, wakers, no
//! poisoning, observability. Each test drives futures by hand where order matters.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{Probe, Recorder};
use futures::FutureExt;
use mutex_playground::sync::{LockEvent, Mutex, MutexGuard, OwnedMutexGuard, Semaphore, Tag, TryAcquireError};
use std::sync::Arc;
use std::task::Poll;

/// Seed 000's test, verbatim in spirit, on tokio's multi-threaded runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seed_counter_on_tokio_multi_thread() {
    let mut set = tokio::task::JoinSet::new();
    let count = Arc::new(Mutex::new(0));
    for _ in 0..10 {
        let my_count = Arc::clone(&count);
        set.spawn(async move {
            for _ in 0..100 {
                *my_count.lock().await += 1;
            }
        });
    }
    while set.join_next().await.is_some() {}
    assert_eq!(*count.clone().lock().await, 1000);
}

/// The same on the `futures` thread pool, with a yield inside the critical section so
/// that tasks really queue.
#[test]
fn seed_counter_on_futures_thread_pool() {
    let pool = futures::executor::ThreadPool::builder().pool_size(4).create().unwrap();
    let count = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let my_count = count.clone();
            let (tx, rx) = futures::channel::oneshot::channel();
            pool.spawn_ok(async move {
                for _ in 0..100 {
                    let mut guard = my_count.lock().await;
                    let seen = *guard;
                    // Suspend while holding the guard: without mutual exclusion another
                    // thread would read the same `seen` and an increment would be lost.
                    yield_now().await;
                    *guard = seen + 1;
                }
                tx.send(()).unwrap();
            });
            rx
        })
        .collect();
    futures::executor::block_on(futures::future::join_all(handles));
    assert_eq!(*futures::executor::block_on(count.lock()), 1000);
}

async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

#[test]
fn waiters_acquire_in_arrival_order() {
    let mutex = Mutex::new(Vec::new());
    let probe = Probe::new();
    let first = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut futs: Vec<_> = (1..=6).map(|i| Box::pin(mutex.lock_tagged(Tag(i)))).collect();
    for f in &mut futs {
        assert!(probe.poll(f.as_mut()).is_pending());
    }
    assert_eq!(mutex.waiters(), (1..=6).map(Tag).collect::<Vec<_>>());
    assert_eq!(mutex.holder(), Some(Tag(0)));
    drop(first);
    // Poll them in reverse: only the head can have the lock.
    for (i, f) in futs.iter_mut().enumerate().rev() {
        let ready = probe.poll(f.as_mut());
        assert_eq!(ready.is_ready(), i == 0, "only the head waiter holds the lock");
        if let Poll::Ready(mut g) = ready {
            g.push(i + 1);
        }
    }
    // Now drain in order: each release hands the lock to the next in line.
    for (i, f) in futs.iter_mut().enumerate().skip(1) {
        assert_eq!(mutex.holder(), Some(Tag(i as u64 + 1)));
        let Poll::Ready(mut g) = probe.poll(f.as_mut()) else { panic!("waiter {} not served", i + 1) };
        g.push(i + 1);
    }
    assert_eq!(futures::executor::block_on(mutex.lock()).clone(), vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn cancelling_at_every_queue_position_keeps_fifo_and_strands_no_one() {
    for cancel_at in 0..5 {
        let mutex = Mutex::new(());
        let probe = Probe::new();
        let holder = mutex.try_lock_tagged(Tag(99)).unwrap();
        let mut futs: Vec<_> = (0..5).map(|i| Some(Box::pin(mutex.lock_tagged(Tag(i))))).collect();
        for f in futs.iter_mut().flatten() {
            assert!(probe.poll(f.as_mut()).is_pending());
        }
        futs[cancel_at] = None; // dropped while queued
        let expected: Vec<Tag> = (0..5).filter(|&i| i != cancel_at as u64).map(Tag).collect();
        assert_eq!(mutex.waiters(), expected);
        drop(holder);
        let mut order = Vec::new();
        for _ in 0..4 {
            let mut served = None;
            for (i, f) in futs.iter_mut().enumerate() {
                if let Some(fut) = f {
                    if let Poll::Ready(g) = probe.poll(fut.as_mut()) {
                        assert!(served.is_none(), "two waiters ready at once");
                        served = Some((i, g));
                    }
                }
            }
            let (i, guard) = served.expect("someone must be served");
            order.push(i as u64);
            futs[i] = None;
            drop(guard);
        }
        assert_eq!(order, expected.iter().map(|t| t.0).collect::<Vec<_>>());
        assert!(!mutex.is_locked());
        assert!(mutex.try_lock().is_ok());
    }
}

#[test]
fn cancelling_after_hand_over_passes_the_lock_on() {
    let recorder = Arc::new(Recorder::default());
    let mutex = Mutex::with_observer(0, recorder.clone());
    let probe = Probe::new();
    let holder = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut a = Box::pin(mutex.lock_tagged(Tag(1)));
    let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
    assert!(probe.poll(a.as_mut()).is_pending());
    assert!(probe.poll(b.as_mut()).is_pending());
    drop(holder); // hands the lock to `a` ...
    assert_eq!(mutex.holder(), Some(Tag(1)));
    drop(a); // ... which is dropped before it ever sees it
    assert_eq!(mutex.holder(), Some(Tag(2)), "the lock went on to the next waiter");
    assert!(probe.poll(b.as_mut()).is_ready());
    let events = recorder.take();
    // (the guard `b` got was dropped at once, hence the last Released)
    let tail: Vec<_> = events.iter().rev().take(5).rev().cloned().collect();
    assert_eq!(
        tail,
        vec![
            LockEvent::Released { tag: Tag(0) },
            LockEvent::Acquired { tag: Tag(1) },
            LockEvent::Released { tag: Tag(1) },
            LockEvent::Acquired { tag: Tag(2) },
            LockEvent::Released { tag: Tag(2) },
        ]
    );
}

#[test]
fn cancelling_the_last_waiter_leaves_the_lock_free_after_release() {
    let mutex = Mutex::new(());
    let probe = Probe::new();
    let holder = mutex.try_lock().unwrap();
    let mut a = Box::pin(mutex.lock());
    assert!(probe.poll(a.as_mut()).is_pending());
    assert_eq!(probe.held_elsewhere(), 1, "the queue holds our waker");
    drop(a);
    assert_eq!(probe.held_elsewhere(), 0, "cancelling took the waker out");
    drop(holder);
    assert!(mutex.try_lock().is_ok(), "fast path works again once the queue emptied");
}

#[test]
fn try_lock_cannot_overtake_a_queued_waiter() {
    let mutex = Mutex::new(());
    let probe = Probe::new();
    let holder = mutex.try_lock().unwrap();
    let mut waiter = Box::pin(mutex.lock());
    assert!(probe.poll(waiter.as_mut()).is_pending());
    assert!(mutex.try_lock().is_err(), "held");
    drop(holder);
    // Released, but handed straight to the waiter: still no barging.
    assert!(mutex.try_lock().is_err(), "try_lock overtook a queued waiter");
    let Poll::Ready(guard) = probe.poll(waiter.as_mut()) else { panic!() };
    drop(guard);
    assert!(mutex.try_lock().is_ok());
}

#[test]
fn each_waker_is_woken_exactly_once_per_hand_over() {
    let mutex = Mutex::new(());
    let probes: Vec<Probe> = (0..4).map(|_| Probe::new()).collect();
    let holder = mutex.try_lock().unwrap();
    let mut futs: Vec<_> = (0..4).map(|_| Box::pin(mutex.lock())).collect();
    for (p, f) in probes.iter().zip(&mut futs) {
        assert!(p.poll(f.as_mut()).is_pending());
        assert!(p.poll(f.as_mut()).is_pending(), "a re-poll must not queue twice");
    }
    assert_eq!(mutex.waiters().len(), 4);
    drop(holder);
    for i in 0..4 {
        for (j, p) in probes.iter().enumerate() {
            assert_eq!(p.wakes(), usize::from(j <= i), "after {i} hand-overs, waker {j}");
        }
        let Poll::Ready(g) = probes[i].poll(futs[i].as_mut()) else { panic!() };
        drop(g);
    }
    for p in &probes {
        assert_eq!(p.wakes(), 1);
        assert_eq!(p.held_elsewhere(), 0, "no waker leaked");
    }
}

#[test]
fn a_changed_waker_replaces_the_old_one() {
    let mutex = Mutex::new(());
    let (old, new) = (Probe::new(), Probe::new());
    let holder = mutex.try_lock().unwrap();
    let mut fut = Box::pin(mutex.lock());
    assert!(old.poll(fut.as_mut()).is_pending());
    assert!(new.poll(fut.as_mut()).is_pending());
    assert_eq!((old.held_elsewhere(), new.held_elsewhere()), (0, 1));
    drop(holder);
    assert_eq!((old.wakes(), new.wakes()), (0, 1));
}

#[test]
fn owned_guards_move_across_threads() {
    let mutex = Arc::new(Mutex::new(String::from("a")));
    let guard = futures::executor::block_on(mutex.clone().lock_owned_tagged(Tag(5)));
    assert_eq!(mutex.holder(), Some(Tag(5)));
    let handle = std::thread::spawn(move || {
        let mut guard = guard;
        guard.push('b');
        // dropped on this thread
    });
    handle.join().unwrap();
    assert_eq!(futures::executor::block_on(mutex.lock()).as_str(), "ab");
    assert!(mutex.clone().try_lock_owned().is_ok());
}

#[test]
fn a_panic_while_holding_the_guard_releases_the_lock() {
    let mutex = Arc::new(Mutex::new(1));
    let m = mutex.clone();
    let result = std::thread::spawn(move || {
        futures::executor::block_on(async {
            let mut guard = m.lock().await;
            *guard = 2;
            panic!("boom while holding the guard");
        })
    })
    .join();
    assert!(result.is_err());
    // No poisoning: the lock is free and the write before the panic is visible.
    assert_eq!(*mutex.try_lock().expect("released by the unwinding guard"), 2);
}

#[test]
fn the_observer_sees_the_whole_story_in_order() {
    let recorder = Arc::new(Recorder::default());
    let mutex = Mutex::with_observer((), recorder.clone());
    let probe = Probe::new();
    let a = mutex.try_lock_tagged(Tag(1)).unwrap();
    let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
    let mut c = Box::pin(mutex.lock_tagged(Tag(3)));
    assert!(probe.poll(b.as_mut()).is_pending());
    assert!(probe.poll(c.as_mut()).is_pending());
    assert!(mutex.try_lock_tagged(Tag(4)).is_err());
    drop(c);
    drop(a);
    let Poll::Ready(gb) = probe.poll(b.as_mut()) else { panic!() };
    drop(gb);
    use LockEvent::*;
    assert_eq!(
        recorder.take(),
        vec![
            Taken { tag: Tag(1) },
            Requested { tag: Tag(2) },
            Enqueued { tag: Tag(2), position: 0 },
            Requested { tag: Tag(3) },
            Enqueued { tag: Tag(3), position: 1 },
            Requested { tag: Tag(4) },
            TryFailed { tag: Tag(4) },
            Cancelled { tag: Tag(3) },
            Released { tag: Tag(1) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
        ]
    );
    assert_eq!(mutex.holder(), None);
}

#[test]
fn debug_never_waits_and_reports_nothing() {
    let recorder = Arc::new(Recorder::default());
    let mutex = Mutex::with_observer(7, recorder.clone());
    assert_eq!(format!("{mutex:?}"), "Mutex { data: 7 }");
    let guard = mutex.try_lock().unwrap();
    recorder.take();
    assert_eq!(format!("{mutex:?}"), "Mutex { data: <locked> }");
    drop(guard);
    assert_eq!(recorder.take(), vec![LockEvent::Released { tag: Tag::UNTAGGED }]);
}

/// A value whose `Debug` panics does not leave the mutex locked.
#[test]
fn debug_that_panics_leaves_the_mutex_free() {
    let mutex = Mutex::new(common::PanickingDebug);
    assert!(common::debug_panics(&mutex));
    assert!(!mutex.is_locked(), "the silent permit was given back");
    assert!(mutex.try_lock().is_ok());
}

#[test]
fn default_from_get_mut_into_inner() {
    let mut m: Mutex<u8> = Mutex::default();
    *m.get_mut() += 3;
    let m2 = Mutex::from(m.into_inner());
    assert_eq!(m2.into_inner(), 3);
}

#[test]
fn semaphore_add_permits_serves_waiters_in_order_then_frees_the_rest() {
    let sem = Semaphore::new(0);
    let probe = Probe::new();
    let mut a = Box::pin(sem.acquire_tagged(Tag(1)));
    let mut b = Box::pin(sem.acquire_tagged(Tag(2)));
    assert!(probe.poll(a.as_mut()).is_pending());
    assert!(probe.poll(b.as_mut()).is_pending());
    sem.add_permits(3);
    assert_eq!(sem.available_permits(), 1, "two went to the waiters");
    assert!(matches!(probe.poll(b.as_mut()), Poll::Ready(Ok(p)) if p.tag() == Tag(2)));
    assert!(matches!(probe.poll(a.as_mut()), Poll::Ready(Ok(_))));
    assert_eq!(sem.available_permits(), 3, "both permits came back when dropped");
}

#[test]
fn closing_fails_queued_and_future_acquires() {
    let sem = Semaphore::new(1);
    let probe = Probe::new();
    let held = sem.try_acquire().unwrap();
    let mut waiter = Box::pin(sem.acquire());
    assert!(probe.poll(waiter.as_mut()).is_pending());
    sem.close();
    assert!(sem.is_closed());
    assert_eq!(probe.wakes(), 1, "closing wakes the waiter");
    assert!(matches!(probe.poll(waiter.as_mut()), Poll::Ready(Err(_))));
    assert!(sem.acquire().now_or_never().unwrap().is_err());
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    drop(held); // still fine to release
    assert_eq!(sem.waiters(), vec![]);
}

/// Mutual exclusion with real threads hammering tagged locks and try_locks.
#[test]
fn many_threads_never_share_the_guard() {
    let mutex = Arc::new(Mutex::new((0u64, false)));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let m = mutex.clone();
            std::thread::spawn(move || {
                for i in 0..2_000u64 {
                    let mut g = if i % 3 == 0 {
                        match m.try_lock_tagged(Tag(t)) {
                            Ok(g) => g,
                            Err(_) => futures::executor::block_on(m.lock_tagged(Tag(t))),
                        }
                    } else {
                        futures::executor::block_on(m.lock_tagged(Tag(t)))
                    };
                    assert!(!g.1, "two holders at once");
                    g.1 = true;
                    g.0 += 1;
                    std::hint::spin_loop();
                    g.1 = false;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(mutex.try_lock().unwrap().0, 16_000);
}

/// The documented Send/Sync bounds: `T: Send` is enough for the mutex (no `T: Sync`),
/// and the lock futures are `Send`, so they can be awaited inside `tokio::spawn`.
#[test]
fn auto_traits_are_as_documented() {
    use std::cell::Cell;
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    fn send_val<T: Send>(_: &T) {}
    send::<Mutex<Cell<u32>>>();
    sync::<Mutex<Cell<u32>>>();
    send::<MutexGuard<'static, Cell<u32>>>();
    sync::<MutexGuard<'static, u32>>();
    send::<OwnedMutexGuard<Cell<u32>>>();
    sync::<OwnedMutexGuard<u32>>();
    let m = Arc::new(Mutex::new(Cell::new(1)));
    send_val(&m.lock());
    send_val(&m.clone().lock_owned());
}
