//! What the loom models share: a model builder with a preemption bound, a checked critical
//! section, and a poll with a waker that does nothing.
#![allow(dead_code)]

use loom::model::Builder;
use loom::sync::atomic::{AtomicBool, Ordering};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A model builder exploring interleavings with at most `preemption_bound` preemptions.
pub fn builder(preemption_bound: usize) -> Builder {
    let mut b = Builder::new();
    b.preemption_bound = Some(preemption_bound);
    b
}

/// The critical section: nobody else may be inside, and the counter is bumped.
pub fn critical(inside: &AtomicBool, value: &mut usize) {
    assert!(!inside.swap(true, Ordering::SeqCst), "two holders at once");
    *value += 1;
    inside.store(false, Ordering::SeqCst);
}

/// Polls `fut` once with a waker that does nothing.
pub fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}
