//! Helpers shared by the sync tests: a waker that counts its wakes, and a recording observer.
#![allow(dead_code)]

use mutex_playground::sync::{LockEvent, Observer};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts how often it was woken; `Arc::strong_count` of it tells how many
/// clones someone else still holds.
#[derive(Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

pub struct Probe {
    pub counter: Arc<CountingWaker>,
    pub waker: Waker,
}

impl Probe {
    pub fn new() -> Probe {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        Probe { counter, waker }
    }
    pub fn wakes(&self) -> usize {
        self.counter.wakes.load(Ordering::SeqCst)
    }
    /// Clones of this waker held by someone else than this probe.
    pub fn held_elsewhere(&self) -> usize {
        // one for `counter`, one inside `waker`
        Arc::strong_count(&self.counter) - 2
    }
    pub fn poll<F: Future + ?Sized>(&self, fut: Pin<&mut F>) -> Poll<F::Output> {
        fut.poll(&mut Context::from_waker(&self.waker))
    }
}

/// Polls `fut` once with a waker that does nothing.
pub fn poll_noop<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

/// Records every event it is sent.
#[derive(Default)]
pub struct Recorder(pub StdMutex<Vec<LockEvent>>);

impl Observer for Recorder {
    fn on_event(&self, event: LockEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    pub fn take(&self) -> Vec<LockEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Runs `f` on its own thread and fails if it does not return within 10 s (a deadlock).
pub fn within_deadline(name: &str, f: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    match finished.recv_timeout(std::time::Duration::from_secs(10)) {
        Ok(()) => handle.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The closure panicked: report its panic.
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic)
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{name}: deadlocked (no return within 10 s)"),
    }
}

/// A waker that owns something; dropping its last clone drops that thing.
struct Owning<T: Send>(StdMutex<Option<T>>);

impl<T: Send + 'static> Wake for Owning<T> {
    fn wake(self: Arc<Self>) {}
}

/// A waker owning `thing`: dropping its last clone drops it (a guard, say).
pub fn owning_waker<T: Send + 'static>(thing: T) -> Waker {
    Waker::from(Arc::new(Owning(StdMutex::new(Some(thing)))))
}

/// Polls `fut` once with `waker`.
pub fn poll_with<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

/// A value whose `Debug` panics: what a lock's own `Debug` must survive.
pub struct PanickingDebug;

impl std::fmt::Debug for PanickingDebug {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("a Debug that panics")
    }
}

/// Whether formatting `value` with `{:?}` panicked.
pub fn debug_panics(value: &impl std::fmt::Debug) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| format!("{value:?}"))).is_err()
}
