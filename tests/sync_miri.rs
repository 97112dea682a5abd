//! Small, thread-using tests that exercise every `unsafe` block of `sync` (the
//! `UnsafeCell` accesses and the Send/Sync impls) under Miri: `scripts/miri.sh`.
//! They also run natively with `cargo test --test sync_miri`. No tokio (Miri is slow).

use futures::executor::block_on;
use futures::task::noop_waker_ref;
use mutex_playground::sync::{Mutex, OwnedMutexGuard, Tag, WakeOnWrite};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;

const THREADS: u64 = 3;
const ROUNDS: u64 = if cfg!(miri) { 10 } else { 200 };

fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(noop_waker_ref()))
}

#[test]
fn guards_on_several_threads() {
    let mutex = Arc::new(Mutex::new(Vec::new()));
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
                        block_on(m.lock_tagged(Tag(t))).push(t);
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
    for t in 0..THREADS {
        assert_eq!(v.iter().filter(|&&x| x == t).count() as u64, ROUNDS);
    }
}

#[test]
fn owned_guards_cross_threads_and_hand_over() {
    let mutex = Arc::new(Mutex::new(String::new()));
    let guard: OwnedMutexGuard<String> = block_on(mutex.clone().lock_owned_tagged(Tag(0)));
    // A waiter on another thread queues behind the guard ...
    let waiter = {
        let m = mutex.clone();
        thread::spawn(move || block_on(m.lock_owned_tagged(Tag(1))).push('w'))
    };
    // ... while the guard itself moves to a third thread, writes and is dropped there.
    thread::spawn(move || {
        let mut guard = guard;
        guard.push('g');
    })
    .join()
    .unwrap();
    waiter.join().unwrap();
    assert_eq!(block_on(mutex.lock()).as_str(), "gw");
}

#[test]
fn unsized_values_and_debug() {
    let mutex: Arc<Mutex<[u8]>> = Arc::new(Mutex::new([0u8; 4]));
    let m = mutex.clone();
    thread::spawn(move || block_on(m.lock())[2] = 7).join().unwrap();
    assert_eq!(&*mutex.try_lock().unwrap(), &[0, 0, 7, 0]);
    let sized = Mutex::new(5);
    assert_eq!(format!("{sized:?}"), "Mutex { data: 5 }");
    let g = sized.try_lock().unwrap();
    assert_eq!(format!("{sized:?}"), "Mutex { data: <locked> }");
    drop(g);
}

#[test]
fn cancelled_and_granted_waiters_leave_nothing_behind() {
    let mutex = Mutex::new(0u32);
    let holder = mutex.try_lock().unwrap();
    let mut a = Box::pin(mutex.lock_tagged(Tag(1)));
    let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
    let mut c = Box::pin(mutex.lock_tagged(Tag(3)));
    for f in [a.as_mut(), b.as_mut(), c.as_mut()] {
        assert!(poll_once(f).is_pending());
    }
    drop(b); // cancelled while queued
    drop(holder); // handed to `a` ...
    drop(a); // ... which gives it up unpolled: on to `c`
    let Poll::Ready(mut g) = poll_once(c.as_mut()) else { panic!("c not served") };
    *g += 1;
    drop(g);
    assert_eq!(*mutex.try_lock().unwrap(), 1);
}

#[test]
fn panic_while_held_releases_the_lock() {
    let mutex = Arc::new(Mutex::new(1));
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
fn wake_on_write_across_threads() {
    let cell = Arc::new(WakeOnWrite::new(Vec::<u64>::new()));
    let writer = {
        let cell = cell.clone();
        thread::spawn(move || {
            for i in 0..ROUNDS {
                if i % 2 == 0 {
                    block_on(cell.clone().lock_owned_tagged(Tag(2))).push(i);
                } else {
                    block_on(cell.lock_tagged(Tag(2))).push(i);
                }
            }
        })
    };
    let mut got = Vec::new();
    while (got.len() as u64) < ROUNDS {
        if got.len() % 2 == 0 {
            got.append(&mut block_on(cell.wait_until(Tag(1), |v| !v.is_empty())));
        } else {
            got.append(&mut block_on(cell.clone().wait_until_owned(Tag(1), |v| !v.is_empty())));
        }
    }
    writer.join().unwrap();
    assert_eq!(got, (0..ROUNDS).collect::<Vec<_>>());
    assert_eq!(cell.watchers(), vec![]);
}
