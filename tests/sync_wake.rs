//! Seed 004: the lost wake-up of a try-lock in `poll_fn`, and its fix, wake on write.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::Probe;
use futures::executor::block_on;
use mutex_playground::sync::{broken::try_lock_in_poll_fn, Mutex, Tag, WakeOnWrite};
use std::sync::Arc;
use std::task::Poll;

fn pop(v: &mut Vec<u32>) -> Poll<u32> {
    match v.pop() {
        Some(x) => Poll::Ready(x),
        None => Poll::Pending,
    }
}

#[test]
fn broken_poll_fn_returns_pending_with_nobody_holding_its_waker() {
    let outbox = Mutex::new(Vec::new());
    let probe = Probe::new();
    let mut done = Box::pin(try_lock_in_poll_fn(&outbox, Tag(1), pop));
    // Lock free, outbox empty: Pending, and no wake-up arranged.
    assert!(probe.poll(done.as_mut()).is_pending());
    assert_eq!(probe.held_elsewhere(), 0, "nobody can ever wake this task");
    block_on(outbox.lock()).push(7);
    assert_eq!(probe.wakes(), 0, "the write woke nobody: the wake-up is lost");
    // Only an unrelated poll would find the work.
    assert_eq!(probe.poll(done.as_mut()), Poll::Ready(7));
}

#[test]
fn broken_poll_fn_also_loses_the_wake_up_when_the_lock_is_busy() {
    let outbox = Mutex::new(vec![1]);
    let probe = Probe::new();
    let guard = outbox.try_lock_tagged(Tag(2)).unwrap();
    let mut done = Box::pin(try_lock_in_poll_fn(&outbox, Tag(1), pop));
    assert!(probe.poll(done.as_mut()).is_pending());
    // Its lock future queued the waker, then was dropped with it.
    assert_eq!(outbox.waiters(), vec![]);
    assert_eq!(probe.held_elsewhere(), 0);
    drop(guard);
    assert_eq!(probe.wakes(), 0, "the release had nobody to hand over to");
}

#[test]
fn wait_until_is_woken_by_the_write_and_returns_the_guard() {
    let outbox = WakeOnWrite::new(Vec::<u32>::new());
    let probe = Probe::new();
    let mut done = Box::pin(outbox.wait_until(Tag(1), |v| !v.is_empty()));
    assert!(probe.poll(done.as_mut()).is_pending());
    assert_eq!(outbox.watchers(), vec![Tag(1)]);
    assert_eq!(probe.held_elsewhere(), 1, "the waker sits beside the data");
    block_on(outbox.lock_tagged(Tag(2))).push(7);
    assert_eq!(probe.wakes(), 1);
    let Poll::Ready(mut guard) = probe.poll(done.as_mut()) else { panic!("not ready after the write") };
    assert_eq!(guard.pop(), Some(7));
    drop(guard);
    assert_eq!(outbox.watchers(), vec![]);
    assert_eq!(probe.held_elsewhere(), 0);
}

#[test]
fn reading_through_a_guard_wakes_nobody() {
    let cell = WakeOnWrite::new(0u32);
    let probe = Probe::new();
    let mut changed = Box::pin(cell.changed(Tag(1)));
    assert!(probe.poll(changed.as_mut()).is_pending());
    {
        let guard = block_on(cell.lock_tagged(Tag(2)));
        assert_eq!(*guard, 0);
        assert!(!guard.was_written());
    }
    assert_eq!(probe.wakes(), 0, "a read is not a write");
    *block_on(cell.lock_tagged(Tag(2))) += 1;
    assert_eq!(probe.wakes(), 1);
    assert!(probe.poll(changed.as_mut()).is_ready());
}

#[test]
fn a_write_between_check_and_wait_is_not_missed() {
    let cell = WakeOnWrite::new(0u32);
    let probe = Probe::new();
    let changed = cell.changed(Tag(1)); // version read now
    *block_on(cell.lock_tagged(Tag(2))) = 5; // written before the first poll
    let mut changed = Box::pin(changed);
    assert!(probe.poll(changed.as_mut()).is_ready());
}

#[test]
fn dropping_a_watcher_unregisters_it() {
    let cell = WakeOnWrite::new(());
    let probe = Probe::new();
    let mut w = Box::pin(cell.wait_until(Tag(3), |_| false));
    assert!(probe.poll(w.as_mut()).is_pending());
    assert_eq!(cell.watchers(), vec![Tag(3)]);
    drop(w);
    assert_eq!(cell.watchers(), vec![]);
    assert_eq!(probe.held_elsewhere(), 0);
}

#[test]
fn owned_wait_until_across_threads() {
    let cell = Arc::new(WakeOnWrite::new(Vec::<u32>::new()));
    let writer = {
        let cell = cell.clone();
        std::thread::spawn(move || {
            for i in 0..50 {
                block_on(cell.clone().lock_owned_tagged(Tag(2))).push(i);
            }
        })
    };
    let mut got = Vec::new();
    while got.len() < 50 {
        let mut guard = block_on(cell.clone().wait_until_owned(Tag(1), |v| !v.is_empty()));
        got.append(&mut guard);
    }
    writer.join().unwrap();
    assert_eq!(got, (0..50).collect::<Vec<_>>());
}

/// The same story told twice: seed 004's `poll_fn` try-lock and its wake-on-write twin
/// wait for the same kind of write. The broken one is left with nobody holding its
/// waker (it would hang on any executor); the twin, run by a real executor on another
/// thread, completes.
#[test]
fn broken_poll_fn_hangs_while_its_wake_on_write_twin_completes() {
    let outbox = Mutex::new(Vec::<u32>::new());
    let probe = Probe::new();
    let mut broken = Box::pin(try_lock_in_poll_fn(&outbox, Tag(1), pop));
    assert!(probe.poll(broken.as_mut()).is_pending());

    let cell = Arc::new(WakeOnWrite::new(Vec::<u32>::new()));
    let twin = {
        let cell = cell.clone();
        std::thread::spawn(move || block_on(cell.wait_until_owned(Tag(1), |v| !v.is_empty())).pop())
    };
    // Write only once the twin is asleep with its waker beside the data.
    while cell.watchers().is_empty() {
        std::thread::yield_now();
    }
    block_on(outbox.lock_tagged(Tag(2))).push(7);
    block_on(cell.lock_tagged(Tag(2))).push(7);

    assert_eq!(twin.join().unwrap(), Some(7), "the twin was woken by the write");
    assert_eq!(probe.wakes(), 0, "the broken future was not");
    assert_eq!(probe.held_elsewhere(), 0, "and nobody could: no one holds its waker");
}
