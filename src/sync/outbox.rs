//! The [`Outbox`]: what a locked section leaves to do once its internal lock is released.
//!
//! Shared by the [`Semaphore`](super::Semaphore), the [`PolicyMutex`](super::PolicyMutex)
//! and the [`RwLock`](super::RwLock): their locked sections only move things into an
//! `Outbox` (the events to report, in order, the wakers to wake, and the wakers to drop),
//! and [`deliver`](Outbox::deliver) runs all of that after the lock. See the
//! Semaphore's implementation notes for why no waker and no observer may run under it.

use super::{LockEvent, Observer};
use std::task::Waker;

/// Events to report, wakers to wake and wakers (or whole slots) to drop, gathered under
/// an internal lock and delivered after it.
///
/// Small and inline: a release or a cancel produces at most two events and one waker;
/// only `add_permits` with many waiters, or a batch of readers let in at once, spills
/// into the vectors.
#[derive(Default)]
pub(crate) struct Outbox {
    events: [Option<LockEvent>; 2],
    more_events: Vec<LockEvent>,
    wake: Option<Waker>,
    more_wakes: Vec<Waker>,
    /// Dropped, not woken: a replaced waker, or the waker of a slot that left.
    pub(crate) discard: Option<Waker>,
}

impl Outbox {
    pub(crate) fn event(&mut self, event: LockEvent) {
        match self.events.iter_mut().find(|e| e.is_none()) {
            Some(free) => *free = Some(event),
            None => self.more_events.push(event),
        }
    }

    pub(crate) fn wake(&mut self, waker: Waker) {
        match self.wake {
            None => self.wake = Some(waker),
            Some(_) => self.more_wakes.push(waker),
        }
    }

    /// Reports the events in order, then wakes, then drops what was discarded. Called
    /// with no internal lock held.
    pub(crate) fn deliver<O: Observer>(self, observer: &O) {
        let Outbox { events, more_events, wake, more_wakes, discard } = self;
        for event in events.into_iter().flatten().chain(more_events) {
            observer.on_event(event);
        }
        if let Some(waker) = wake {
            waker.wake();
        }
        more_wakes.into_iter().for_each(Waker::wake);
        drop(discard);
    }
}
