//! Our async Mutex against `tokio::sync::Mutex`, `async_lock::Mutex` and
//! `futures::lock::Mutex`, on the same three workloads with the same drivers:
//!
//! 1. **uncontended**: lock + unlock from one thread, the lock future polled once by a
//!    hand-rolled loop with a no-op waker (no executor overhead).
//! 2. **contended**: the seed's 10 tasks x 100 increments on a tokio multi-threaded
//!    runtime with 2 workers.
//! 3. **FIFO chain**: 1,000 waiters queued behind a held lock, then released; each
//!    waiter, polled in arrival order, acquires and releases in turn (one thread).
//!
//! Each workload is warmed up, then sampled several times; the table shows the median in
//! ns per lock operation and the time relative to ours (> 1 means slower than ours).
//! `cargo bench --bench mutex` (harness = false: one run, one table).

use futures::task::noop_waker_ref;
use std::future::Future;
use std::hint::black_box;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

const SAMPLES: usize = 11;
const UNCONTENDED_ITERS: u64 = 1_000_000;
const SEED_ROUNDS: u64 = 20; // seed workload runs per sample
const CHAIN: usize = 1_000;
const CHAIN_ROUNDS: u64 = 20;

/// One workload for one mutex: runs it once and returns how many lock operations it did.
type Run<'a> = Box<dyn FnMut() -> u64 + 'a>;

/// Warms every run up, then takes `SAMPLES` samples of each, interleaved (sample 1 of
/// every mutex, then sample 2, ...) so that load from elsewhere on the machine hits all
/// of them alike. Returns the median ns per operation of each run.
fn compare(mut runs: Vec<Run<'_>>) -> Vec<f64> {
    for run in &mut runs {
        run();
    }
    let mut samples = vec![Vec::with_capacity(SAMPLES); runs.len()];
    for _ in 0..SAMPLES {
        for (run, samples) in runs.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            let ops = run();
            let elapsed: Duration = start.elapsed();
            samples.push(elapsed.as_nanos() as f64 / ops as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(|a, b| a.partial_cmp(b).unwrap());
            s[SAMPLES / 2]
        })
        .collect()
}

/// Polls `fut` once with a no-op waker.
fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(noop_waker_ref()))
}

/// Polls until ready (the no-op waker means nobody else would); counts the polls.
fn poll_until_ready<F: Future + ?Sized>(mut fut: Pin<&mut F>) -> F::Output {
    for _ in 0..1_000_000 {
        if let Poll::Ready(out) = poll_once(fut.as_mut()) {
            return out;
        }
    }
    panic!("a waiter was never served");
}

/// Workload 1: `$lock` is an expression of `m` giving the lock future.
macro_rules! uncontended {
    ($new:expr, |$m:ident| $lock:expr) => {{
        let $m = $new;
        Box::new(move || {
            for _ in 0..UNCONTENDED_ITERS {
                let fut = pin!($lock);
                match poll_once(fut) {
                    Poll::Ready(mut guard) => *guard += black_box(1u64),
                    Poll::Pending => unreachable!("uncontended lock was pending"),
                }
            }
            UNCONTENDED_ITERS
        }) as Run<'_>
    }};
}

/// Workload 2: the seed's counter test, on a 2-worker tokio runtime.
macro_rules! seed_counter {
    ($rt:expr, $new:expr, |$m:ident| $lock:expr) => {{
        let rt: &tokio::runtime::Runtime = $rt;
        Box::new(move || {
            for _ in 0..SEED_ROUNDS {
                rt.block_on(async {
                    let count = Arc::new($new);
                    let tasks: Vec<_> = (0..10)
                        .map(|_| {
                            let $m = count.clone();
                            tokio::spawn(async move {
                                for _ in 0..100 {
                                    *$lock.await += 1u64;
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                    let $m = count;
                    assert_eq!(*$lock.await, 1000);
                });
            }
            SEED_ROUNDS * 1000
        }) as Run<'_>
    }};
}

/// Workload 3: a hand-off chain of `CHAIN` queued waiters, driven in arrival order.
macro_rules! fifo_chain {
    ($new:expr, |$m:ident| $lock:expr) => {{
        let $m = $new;
        Box::new(move || {
            for _ in 0..CHAIN_ROUNDS {
                let holder = poll_until_ready(pin!($lock));
                let mut waiters: Vec<Pin<Box<_>>> = (0..CHAIN).map(|_| Box::pin($lock)).collect();
                for w in &mut waiters {
                    assert!(poll_once(w.as_mut()).is_pending(), "the lock is held");
                }
                drop(holder);
                for (i, w) in waiters.iter_mut().enumerate() {
                    let mut guard = poll_until_ready(w.as_mut());
                    *guard = i as u64;
                }
            }
            CHAIN_ROUNDS * (CHAIN as u64 + 1)
        }) as Run<'_>
    }};
}

const NAMES: [&str; 4] =
    ["mutex_playground::sync::Mutex", "tokio::sync::Mutex", "async_lock::Mutex", "futures::lock::Mutex"];

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    use mutex_playground::sync::Mutex as Ours;

    let uncontended = compare(vec![
        uncontended!(Ours::new(0u64), |m| m.lock()),
        uncontended!(tokio::sync::Mutex::new(0u64), |m| m.lock()),
        uncontended!(async_lock::Mutex::new(0u64), |m| m.lock()),
        uncontended!(futures::lock::Mutex::new(0u64), |m| m.lock()),
    ]);
    let seed = compare(vec![
        seed_counter!(&rt, Ours::new(0u64), |m| m.lock()),
        seed_counter!(&rt, tokio::sync::Mutex::new(0u64), |m| m.lock()),
        seed_counter!(&rt, async_lock::Mutex::new(0u64), |m| m.lock()),
        seed_counter!(&rt, futures::lock::Mutex::new(0u64), |m| m.lock()),
    ]);
    let chain = compare(vec![
        fifo_chain!(Ours::new(0u64), |m| m.lock()),
        fifo_chain!(tokio::sync::Mutex::new(0u64), |m| m.lock()),
        fifo_chain!(async_lock::Mutex::new(0u64), |m| m.lock()),
        fifo_chain!(futures::lock::Mutex::new(0u64), |m| m.lock()),
    ]);

    println!(
        "median of {SAMPLES} interleaved samples, ns per lock operation \
         (x ours: time relative to ours, > 1 = slower)\n"
    );
    println!(
        "| mutex | uncontended ns/op | x ours | 10x100 tokio (2 workers) ns/op | x ours \
         | FIFO chain of {CHAIN} ns/op | x ours |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (i, name) in NAMES.iter().enumerate() {
        println!(
            "| {name} | {:.1} | {:.2} | {:.1} | {:.2} | {:.1} | {:.2} |",
            uncontended[i],
            uncontended[i] / uncontended[0],
            seed[i],
            seed[i] / seed[0],
            chain[i],
            chain[i] / chain[0],
        );
    }
}
