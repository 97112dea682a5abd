//! The other lock kinds against their peers, with the drivers of `benches/mutex.rs`:
//!
//! * `PolicyMutex` with `Policy::Barging` against the barging peers, `futures::lock::Mutex`
//!   and `async_lock::Mutex` (our FIFO `Mutex` and the other policies alongside):
//!   uncontended lock + unlock polled once with a no-op waker, and the seed's 10 tasks x
//!   100 increments on a 2-worker tokio runtime;
//! * our `RwLock` against `tokio::sync::RwLock` (and `async_lock::RwLock`): uncontended
//!   read and write, then 10 tasks x 100 operations on the same runtime, read-heavy (one
//!   write in ten) and write-heavy (nine writes in ten).
//!
//! Each workload is warmed up, then sampled several times, interleaved; the tables show
//! the median in ns per lock operation and the time relative to ours (> 1 = slower than
//! ours). `cargo bench --bench kinds` (harness = false: one run, two tables).

use futures::task::noop_waker_ref;
use mutex_playground::sync::{Mutex, Policy, PolicyMutex, RwLock, TimeSource};
use std::future::Future;
use std::hint::black_box;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

const SAMPLES: usize = 11;
const UNCONTENDED_ITERS: u64 = 1_000_000;
const ROUNDS: u64 = 20; // contended workload runs per sample
const TASKS: u64 = 10;
const OPS: u64 = 100;

type Run<'a> = Box<dyn FnMut() -> u64 + 'a>;

/// Warms every run up, then takes `SAMPLES` samples of each, interleaved; the median ns
/// per operation of each.
fn compare(mut runs: Vec<Run<'_>>) -> Vec<f64> {
    for run in &mut runs {
        run();
    }
    let mut samples = vec![Vec::with_capacity(SAMPLES); runs.len()];
    for _ in 0..SAMPLES {
        for (run, samples) in runs.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            let ops = run();
            samples.push(start.elapsed().as_nanos() as f64 / ops as f64);
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

fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(noop_waker_ref()))
}

/// Lock + unlock, polled once: `$lock` is an expression of `m` giving the lock future,
/// `$use` what is done with the guard `g`.
macro_rules! uncontended {
    ($new:expr, |$m:ident| $lock:expr, |$g:ident| $use:expr) => {{
        let $m = $new;
        Box::new(move || {
            for _ in 0..UNCONTENDED_ITERS {
                match poll_once(pin!($lock)) {
                    Poll::Ready(guard) => {
                        #[allow(unused_mut)] // a read guard is not written through
                        let mut $g = guard;
                        $use;
                    }
                    Poll::Pending => unreachable!("uncontended lock was pending"),
                }
            }
            UNCONTENDED_ITERS
        }) as Run<'_>
    }};
}

/// `TASKS` tasks x `OPS` operations on a tokio runtime; operation `i` of a task is a
/// write when `$write(i)`, else a read (for a mutex, both lock).
macro_rules! contended {
    ($rt:expr, $new:expr, |$m:ident| read: $read:expr, write: $write_lock:expr, writes: $is_write:expr) => {{
        let rt: &tokio::runtime::Runtime = $rt;
        Box::new(move || {
            for _ in 0..ROUNDS {
                rt.block_on(async {
                    let shared = Arc::new($new);
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|_| {
                            let $m = shared.clone();
                            tokio::spawn(async move {
                                for i in 0..OPS {
                                    if $is_write(i) {
                                        *$write_lock.await += 1u64;
                                    } else {
                                        black_box(*$read.await);
                                    }
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                    let $m = shared;
                    let writes = (0..OPS).filter(|&i| $is_write(i)).count() as u64;
                    assert_eq!(*$read.await, TASKS * writes);
                });
            }
            ROUNDS * TASKS * OPS
        }) as Run<'_>
    }};
}

struct Never;

impl TimeSource for Never {
    fn now_ms(&self) -> u64 {
        0
    }
}

fn print(title: &str, names: &[&str], columns: &[(&str, Vec<f64>)]) {
    println!("\n{title}\n");
    print!("| lock |");
    for (name, _) in columns {
        print!(" {name} ns/op | x ours |");
    }
    println!();
    println!("|---|{}", "---:|---:|".repeat(columns.len()));
    for (i, name) in names.iter().enumerate() {
        print!("| {name} |");
        for (_, values) in columns {
            print!(" {:.1} | {:.2} |", values[i], values[i] / values[0]);
        }
        println!();
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let always = |_: u64| true;

    // ---- mutexes: ours barging first, then the barging peers, then ours with other policies.
    let mutex_names = [
        "PolicyMutex (Barging)",
        "futures::lock::Mutex",
        "async_lock::Mutex",
        "PolicyMutex (Lifo)",
        "PolicyMutex (EventuallyFair 1 s)",
        "sync::Mutex (FIFO)",
    ];
    let fair = || Policy::EventuallyFair { after_ms: 1_000, time: Arc::new(Never) };
    let m_uncontended = compare(vec![
        uncontended!(PolicyMutex::new(0u64, Policy::Barging), |m| m.lock(), |g| *g += black_box(1u64)),
        uncontended!(futures::lock::Mutex::new(0u64), |m| m.lock(), |g| *g += black_box(1u64)),
        uncontended!(async_lock::Mutex::new(0u64), |m| m.lock(), |g| *g += black_box(1u64)),
        uncontended!(PolicyMutex::new(0u64, Policy::Lifo), |m| m.lock(), |g| *g += black_box(1u64)),
        uncontended!(PolicyMutex::new(0u64, fair()), |m| m.lock(), |g| *g += black_box(1u64)),
        uncontended!(Mutex::new(0u64), |m| m.lock(), |g| *g += black_box(1u64)),
    ]);
    let m_contended = compare(vec![
        contended!(&rt, PolicyMutex::new(0u64, Policy::Barging), |m| read: m.lock(), write: m.lock(), writes: always),
        contended!(&rt, futures::lock::Mutex::new(0u64), |m| read: m.lock(), write: m.lock(), writes: always),
        contended!(&rt, async_lock::Mutex::new(0u64), |m| read: m.lock(), write: m.lock(), writes: always),
        contended!(&rt, PolicyMutex::new(0u64, Policy::Lifo), |m| read: m.lock(), write: m.lock(), writes: always),
        contended!(&rt, PolicyMutex::new(0u64, fair()), |m| read: m.lock(), write: m.lock(), writes: always),
        contended!(&rt, Mutex::new(0u64), |m| read: m.lock(), write: m.lock(), writes: always),
    ]);
    println!("median of {SAMPLES} interleaved samples, ns per lock operation (x ours: time relative to the first row)");
    print("Mutexes", &mutex_names, &[("uncontended", m_uncontended), ("10x100 counter, tokio 2 workers", m_contended)]);

    // ---- reader-writer locks
    let rw_names = ["sync::RwLock", "tokio::sync::RwLock", "async_lock::RwLock"];
    let read_heavy = |i: u64| i.is_multiple_of(10);
    let write_heavy = |i: u64| !i.is_multiple_of(10);
    let r_uncontended = compare(vec![
        uncontended!(RwLock::new(0u64), |l| l.read(), |g| black_box(*g)),
        uncontended!(tokio::sync::RwLock::new(0u64), |l| l.read(), |g| black_box(*g)),
        uncontended!(async_lock::RwLock::new(0u64), |l| l.read(), |g| black_box(*g)),
    ]);
    let w_uncontended = compare(vec![
        uncontended!(RwLock::new(0u64), |l| l.write(), |g| *g += black_box(1u64)),
        uncontended!(tokio::sync::RwLock::new(0u64), |l| l.write(), |g| *g += black_box(1u64)),
        uncontended!(async_lock::RwLock::new(0u64), |l| l.write(), |g| *g += black_box(1u64)),
    ]);
    let rw_read_heavy = compare(vec![
        contended!(&rt, RwLock::new(0u64), |l| read: l.read(), write: l.write(), writes: read_heavy),
        contended!(&rt, tokio::sync::RwLock::new(0u64), |l| read: l.read(), write: l.write(), writes: read_heavy),
        contended!(&rt, async_lock::RwLock::new(0u64), |l| read: l.read(), write: l.write(), writes: read_heavy),
    ]);
    let rw_write_heavy = compare(vec![
        contended!(&rt, RwLock::new(0u64), |l| read: l.read(), write: l.write(), writes: write_heavy),
        contended!(&rt, tokio::sync::RwLock::new(0u64), |l| read: l.read(), write: l.write(), writes: write_heavy),
        contended!(&rt, async_lock::RwLock::new(0u64), |l| read: l.read(), write: l.write(), writes: write_heavy),
    ]);
    print(
        "Reader-writer locks",
        &rw_names,
        &[
            ("uncontended read", r_uncontended),
            ("uncontended write", w_uncontended),
            ("10x100 read-heavy (1 write in 10)", rw_read_heavy),
            ("10x100 write-heavy (9 writes in 10)", rw_write_heavy),
        ],
    );
}
