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
