//! Small, thread-using tests that exercise every `unsafe` block of the PolicyMutex and the
//! RwLock (their value cells, the `Debug` peeks, the Send/Sync impls) under Miri:
//! `scripts/miri.sh`. They also run natively with `cargo test --test sync_kinds_miri`.
//! No tokio (Miri is slow).

use futures::executor::block_on;
use futures::task::noop_waker_ref;
use mutex_playground::sync::{OwnedPolicyMutexGuard, Policy, PolicyMutex, RwLock, Tag, TimeSource};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;

const THREADS: u64 = 3;
const ROUNDS: u64 = if cfg!(miri) { 8 } else { 200 };

fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(noop_waker_ref()))
}

/// A clock that moves on each time it is read.
#[derive(Default)]
struct Ticking(AtomicU64);

impl TimeSource for Ticking {
    fn now_ms(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

fn policies() -> [Policy; 3] {
    [Policy::Barging, Policy::Lifo, Policy::EventuallyFair { after_ms: 2, time: Arc::new(Ticking::default()) }]
}

#[test]
fn policy_guards_on_several_threads() {
    for policy in policies() {
        let mutex = Arc::new(PolicyMutex::new(Vec::new(), policy));
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let m = mutex.clone();
                thread::spawn(move || {
                    for i in 0..ROUNDS {
                        if i % 2 == 0 {
                            block_on(m.lock_tagged(Tag(t))).push(t);
                        } else if let Ok(mut g) = m.try_lock_tagged(Tag(t)) {
                            g.push(t);
                        } else {
                            block_on(m.clone().lock_owned_tagged(Tag(t))).push(t);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let v = block_on(mutex.lock());
        assert_eq!(v.len() as u64, THREADS * ROUNDS);
    }
}

#[test]
fn policy_owned_guards_cross_threads_and_hand_over() {
    for policy in policies() {
        let mutex = Arc::new(PolicyMutex::new(String::new(), policy));
        let guard: OwnedPolicyMutexGuard<String> = block_on(mutex.clone().lock_owned_tagged(Tag(0)));
        let waiter = {
            let m = mutex.clone();
            thread::spawn(move || block_on(m.lock_owned_tagged(Tag(1))).push('w'))
        };
        thread::spawn(move || {
            let mut guard = guard;
            guard.push('g');
        })
        .join()
        .unwrap();
        waiter.join().unwrap();
        assert_eq!(block_on(mutex.lock()).as_str(), "gw");
    }
}

#[test]
fn policy_unsized_values_debug_and_cancels() {
    let mutex: Arc<PolicyMutex<[u8]>> = Arc::new(PolicyMutex::new([0u8; 4], Policy::Barging));
    let m = mutex.clone();
    thread::spawn(move || block_on(m.lock())[2] = 7).join().unwrap();
    assert_eq!(&*mutex.try_lock().unwrap(), &[0, 0, 7, 0]);

    for policy in policies() {
        let mutex = PolicyMutex::new(5u32, policy);
        assert!(format!("{mutex:?}").contains("data: 5"));
        let holder = mutex.try_lock().unwrap();
        assert!(format!("{mutex:?}").contains("<locked>"));
        let mut a = Box::pin(mutex.lock_tagged(Tag(1)));
        let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
        let mut c = Box::pin(mutex.lock_tagged(Tag(3)));
        for f in [a.as_mut(), b.as_mut(), c.as_mut()] {
            assert!(poll_once(f).is_pending());
        }
        drop(b); // cancelled while queued
        drop(holder); // handed over, or freed with a waiter woken ...
        drop(a); // ... and that waiter gives it up unpolled
        let Poll::Ready(mut g) = poll_once(c.as_mut()) else { panic!("c not served") };
        *g += 1;
        drop(g);
        assert_eq!(*mutex.try_lock().unwrap(), 6);
    }
}

#[test]
fn policy_panic_while_held_releases_the_lock() {
    let mutex = Arc::new(PolicyMutex::new(1, Policy::Lifo));
    let m = mutex.clone();
    let r = thread::spawn(move || {
        let mut g = block_on(m.lock());
        *g = 2;
        panic!("boom");
    })
    .join();
    assert!(r.is_err());
    assert_eq!(*mutex.try_lock().unwrap(), 2);
}

#[test]
fn rwlock_readers_and_writers_on_several_threads() {
    let lock = Arc::new(RwLock::new((0u64, 0u64)));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let lock = lock.clone();
            thread::spawn(move || {
                for i in 0..ROUNDS {
                    match (i + t) % 4 {
                        0 => {
                            let mut g = block_on(lock.write_tagged(Tag(t)));
                            g.0 += 1;
                            g.1 += 1;
                        }
                        1 => {
                            let mut g = block_on(lock.clone().write_owned_tagged(Tag(t)));
                            g.0 += 1;
                            g.1 += 1;
                        }
                        2 => {
                            let g = block_on(lock.clone().read_owned_tagged(Tag(t)));
                            assert_eq!(g.0, g.1);
                        }
                        _ => {
                            let g = match lock.try_read_tagged(Tag(t)) {
                                Ok(g) => g,
                                Err(_) => block_on(lock.read_tagged(Tag(t))),
                            };
                            assert_eq!(g.0, g.1);
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let g = block_on(lock.read());
    assert_eq!(g.0, THREADS * ROUNDS / 2);
    assert_eq!(g.0, g.1);
}

#[test]
fn rwlock_guards_cross_threads_debug_unsized_and_cancels() {
    let lock = Arc::new(RwLock::new(String::from("a")));
    let reader = lock.clone().try_read_owned_tagged(Tag(1)).unwrap();
    let writer = {
        let lock = lock.clone();
        thread::spawn(move || block_on(lock.write_owned_tagged(Tag(2))).push('w'))
    };
    // Shared access on two threads at once, then let go there.
    let r2 = lock.try_read_tagged(Tag(3));
    thread::scope(|s| {
        s.spawn(|| assert!(reader.starts_with('a')));
        if let Ok(r2) = &r2 {
            s.spawn(move || assert!(r2.starts_with('a')));
        }
    });
    drop(r2);
    assert!(format!("{lock:?}").contains("RwLock"));
    thread::spawn(move || drop(reader)).join().unwrap();
    writer.join().unwrap();
    assert_eq!(format!("{lock:?}"), "RwLock { data: \"aw\" }");

    let unsized_lock: Arc<RwLock<[u8]>> = Arc::new(RwLock::new([0u8; 3]));
    let l = unsized_lock.clone();
    thread::spawn(move || block_on(l.write())[1] = 9).join().unwrap();
    assert_eq!(&*block_on(unsized_lock.read()), &[0, 9, 0]);

    let lock = RwLock::new(0u32);
    let r = lock.try_read().unwrap();
    let mut w = Box::pin(lock.write_tagged(Tag(1)));
    let mut r2 = Box::pin(lock.read_tagged(Tag(2)));
    let mut w2 = Box::pin(lock.write_tagged(Tag(3)));
    assert!(poll_once(w.as_mut()).is_pending());
    assert!(poll_once(r2.as_mut()).is_pending());
    assert!(poll_once(w2.as_mut()).is_pending());
    drop(w); // cancelled: r2 joins r
    drop(r);
    drop(r2); // handed the lock, gives it up unpolled: on to w2
    let Poll::Ready(mut g) = poll_once(w2.as_mut()) else { panic!("w2 not served") };
    *g += 1;
    drop(g);
    assert_eq!(*lock.try_read().unwrap(), 1);
}
