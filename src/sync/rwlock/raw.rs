//! The lock of an [`RwLock`](super::RwLock) without its value.
//!
//! # Implementation notes
//!
//! Everything sits behind one internal `std::sync::Mutex` (loom's under `cfg(loom)`):
//! the holders (their tags in the order they got the lock, and whether the one holder is
//! a writer), and the queue (a `Slab` of slots: tag, read or write, waker, granted; and a
//! `VecDeque` of their keys in arrival order).
//!
//! **Invariant:** whenever the internal lock is free, if the queue is not empty then the
//! lock is held, and the head could not take it (a writer because someone holds the lock,
//! a reader because a writer does). Every change that could break it (a release, a queued
//! future dropped, a hand-over refused) ends with [`grant_locked`](RawRwLock::grant_locked),
//! which hands the lock to the head while it can take it: one writer, or every reader
//! from the head up to the first writer. So a newcomer may take the lock at once only if
//! nobody is queued, and no waiter is ever left behind a lock it could take.
//!
//! A waiter the lock is handed to is `granted`: it holds the lock from then on (its tag
//! is in the holders) and its next poll only collects it; dropped first, its future lets
//! go as a guard would.
//!
//! Events, wakes and dropped wakers go through an `Outbox` delivered after the internal
//! lock (see the Semaphore's notes for why). A `Released` is reported before the lock is
//! let go, as the `Mutex` does, so it comes before the events of whoever gets the lock
//! next.

use crate::sync::loom::{StdMutex, StdMutexGuard};
use crate::sync::outbox::Outbox;
use crate::sync::{LockEvent, Observer, Tag};
use slab::Slab;
use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

/// Shared (read) or exclusive (write).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Access {
    Read,
    Write,
}

/// Where one lock future got to.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Wait {
    /// Not polled yet: it has not asked.
    Idle,
    /// Queued in this slot (or handed the lock, not yet collected).
    Queued(usize),
    /// Returned its guard.
    Done,
}

pub(crate) struct RawRwLock<O> {
    state: StdMutex<State>,
    observer: O,
}

struct State {
    /// Tags of the holders in the order they got the lock: readers, or the one writer.
    holders: Vec<Tag>,
    /// Whether the holder is a writer.
    writer: bool,
    /// Silent readers, for `Debug` (not in `holders`, not reported).
    peeks: usize,
    slots: Slab<Slot>,
    /// Keys of the queued slots, in arrival order.
    queue: VecDeque<usize>,
}

struct Slot {
    tag: Tag,
    access: Access,
    waker: Option<Waker>,
    /// Handed the lock (and out of the queue), not yet collected.
    granted: bool,
}

impl State {
    /// Whether `access` could be had right now by someone who is not queued.
    fn could_take(&self, access: Access) -> bool {
        match access {
            Access::Read => !self.writer,
            Access::Write => self.holders.is_empty() && self.peeks == 0,
        }
    }

    /// Takes the lock for a newcomer if it can have it at once: nobody queued ahead.
    fn take_now(&mut self, access: Access, tag: Tag) -> bool {
        if self.queue.is_empty() && self.could_take(access) {
            self.hold(access, tag);
            true
        } else {
            false
        }
    }

    fn hold(&mut self, access: Access, tag: Tag) {
        self.holders.push(tag);
        self.writer = access == Access::Write;
    }

    fn let_go(&mut self, access: Access, tag: Tag) {
        let pos = self.holders.iter().position(|&t| t == tag);
        debug_assert!(pos.is_some(), "{tag} let go of an RwLock it did not hold");
        if let Some(pos) = pos {
            self.holders.remove(pos);
        }
        if access == Access::Write {
            self.writer = false;
        }
    }
}

impl<O: Observer> RawRwLock<O> {
    pub(crate) fn new(observer: O) -> Self {
        RawRwLock {
            state: StdMutex::new(State {
                holders: Vec::new(),
                writer: false,
                peeks: 0,
                slots: Slab::new(),
                queue: VecDeque::new(),
            }),
            observer,
        }
    }

    pub(crate) fn holders(&self) -> Vec<Tag> {
        self.lock_state().holders.clone()
    }

    pub(crate) fn waiters(&self) -> Vec<Tag> {
        let s = self.lock_state();
        s.queue.iter().map(|&key| s.slots[key].tag).collect()
    }

    pub(crate) fn is_write_locked(&self) -> bool {
        self.lock_state().writer
    }

    pub(crate) fn is_locked(&self) -> bool {
        !self.lock_state().holders.is_empty()
    }

    /// `try_read` / `try_write`: `Taken`, or `Requested` then `TryFailed`.
    pub(crate) fn try_acquire(&self, access: Access, tag: Tag) -> bool {
        let taken = self.lock_state().take_now(access, tag);
        if taken {
            self.emit(LockEvent::Taken { tag });
        } else {
            self.emit(LockEvent::Requested { tag });
            self.emit(LockEvent::TryFailed { tag });
        }
        taken
    }

    /// One poll of a lock future for `access` on behalf of `tag` that got to `wait`.
    ///
    /// # Panics
    ///
    /// If `wait` is `Done`.
    pub(crate) fn poll_acquire(&self, access: Access, tag: Tag, wait: &mut Wait, cx: &mut Context<'_>) -> Poll<()> {
        match *wait {
            Wait::Idle => {
                let mut s = self.lock_state();
                if s.take_now(access, tag) {
                    drop(s);
                    self.emit(LockEvent::Taken { tag });
                    *wait = Wait::Done;
                    return Poll::Ready(());
                }
                // Cloning a waker runs no foreign code we must fear: it cannot drop anything.
                let key = s.slots.insert(Slot { tag, access, waker: Some(cx.waker().clone()), granted: false });
                s.queue.push_back(key);
                let position = s.queue.len() - 1;
                drop(s);
                self.emit(LockEvent::Requested { tag });
                self.emit(LockEvent::Enqueued { tag, position });
                *wait = Wait::Queued(key);
                Poll::Pending
            }
            Wait::Queued(key) => {
                let mut s = self.lock_state();
                let slot = &mut s.slots[key];
                if slot.granted {
                    let slot = s.slots.remove(key);
                    drop(s);
                    drop(slot); // its waker, if any, outside the lock
                    *wait = Wait::Done;
                    return Poll::Ready(());
                }
                // Keep one waker; replace it only if the task's waker changed. The old one
                // is dropped after the lock: its drop may release this very lock.
                let replaced = match &slot.waker {
                    Some(old) if old.will_wake(cx.waker()) => None,
                    _ => slot.waker.replace(cx.waker().clone()),
                };
                drop(s);
                drop(replaced);
                Poll::Pending
            }
            Wait::Done => panic!("an `RwLock` lock future polled after it completed"),
        }
    }

    /// A lock future was dropped: if it was queued, it leaves the queue, or lets go of the
    /// lock it was handed.
    pub(crate) fn drop_wait(&self, wait: Wait) {
        if let Wait::Queued(key) = wait {
            self.cancel(key);
        }
    }

    /// The holder `tag` lets go of its `access`: reports `Released`, then hands the lock
    /// to whoever is next, if they can have it now.
    pub(crate) fn release(&self, access: Access, tag: Tag) {
        self.emit(LockEvent::Released { tag });
        let mut out = Outbox::default();
        {
            let mut s = self.lock_state();
            s.let_go(access, tag);
            Self::grant_locked(&mut s, &mut out);
        }
        out.deliver(&self.observer);
    }

    /// Takes read access without events or a place among the holders, for `Debug`; only
    /// when a reader could take it at once. Pair with [`unpeek`](Self::unpeek).
    pub(crate) fn peek(&self) -> bool {
        let mut s = self.lock_state();
        let readable = s.queue.is_empty() && s.could_take(Access::Read);
        if readable {
            s.peeks += 1;
        }
        readable
    }

    pub(crate) fn unpeek(&self) {
        let mut out = Outbox::default();
        {
            let mut s = self.lock_state();
            s.peeks -= 1;
            Self::grant_locked(&mut s, &mut out);
        }
        out.deliver(&self.observer);
    }

    fn cancel(&self, key: usize) {
        let mut out = Outbox::default();
        {
            let mut s = self.lock_state();
            let slot = s.slots.remove(key);
            if slot.granted {
                // Handed the lock, never took it: let go of it as a guard would.
                out.event(LockEvent::Released { tag: slot.tag });
                s.let_go(slot.access, slot.tag);
            } else {
                if let Some(pos) = s.queue.iter().position(|&k| k == key) {
                    s.queue.remove(pos);
                }
                out.event(LockEvent::Cancelled { tag: slot.tag });
            }
            // A writer that left may have been all that kept the readers behind it out.
            Self::grant_locked(&mut s, &mut out);
            // The slot's waker may own anything: drop it after the lock, with the rest.
            out.discard = slot.waker;
        }
        out.deliver(&self.observer);
    }

    /// Hands the lock to the head of the queue while it can take it: one writer, or the
    /// readers from the head up to the first writer. Must be called with the internal
    /// lock held; the `Acquired` events and the wakes go into `out`.
    fn grant_locked(s: &mut State, out: &mut Outbox) {
        while let Some(&key) = s.queue.front() {
            let access = s.slots[key].access;
            if !s.could_take(access) {
                break;
            }
            s.queue.pop_front();
            let slot = &mut s.slots[key];
            slot.granted = true;
            let (tag, waker) = (slot.tag, slot.waker.take());
            s.hold(access, tag);
            out.event(LockEvent::Acquired { tag });
            if let Some(waker) = waker {
                out.wake(waker);
            }
        }
    }

    #[inline]
    fn emit(&self, event: LockEvent) {
        self.observer.on_event(event);
    }

    fn lock_state(&self) -> StdMutexGuard<'_, State> {
        // No foreign code runs under this lock; if it is poisoned anyway (a slab bug), the
        // state was left consistent between statements, so carry on.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
