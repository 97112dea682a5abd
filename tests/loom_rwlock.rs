//! Loom models of the RwLock: every interleaving of its internal lock is explored. Run
//! with `scripts/loom.sh`.
//!
//! The value cell is not tracked by loom, so each model checks the exclusion itself with
//! a loom `AtomicUsize`: readers add one on entry, a writer sets `WRITER`, and both check
//! what they found. A lost wake-up shows as a thread blocked for ever in `block_on`, which
//! loom reports as a deadlock.
#![cfg(loom)]

mod loom_common;

use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use loom_common::{builder, poll_once};
use mutex_playground::sync::{RwLock, Tag};
use std::sync::Arc;

const WRITER: usize = 1 << 16;

fn reading(inside: &AtomicUsize) {
    let before = inside.fetch_add(1, Ordering::SeqCst);
    assert_eq!(before & WRITER, 0, "a reader beside a writer");
    inside.fetch_sub(1, Ordering::SeqCst);
}

fn writing(inside: &AtomicUsize, value: &mut usize) {
    assert_eq!(inside.swap(WRITER, Ordering::SeqCst), 0, "a writer beside someone");
    *value += 1;
    inside.store(0, Ordering::SeqCst);
}

/// A writer thread, a reader thread and this thread reading then writing.
#[test]
fn readers_and_writers_never_overlap() {
    builder(3).check(|| {
        let lock = Arc::new(RwLock::new(0usize));
        let inside = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (lock, inside) = (lock.clone(), inside.clone());
            thread::spawn(move || writing(&inside, &mut block_on(lock.write_tagged(Tag(1)))))
        };
        let reader = {
            let (lock, inside) = (lock.clone(), inside.clone());
            thread::spawn(move || {
                let _g = block_on(lock.read_tagged(Tag(2)));
                reading(&inside);
            })
        };
        {
            let _g = block_on(lock.read_tagged(Tag(3)));
            reading(&inside);
        }
        writing(&inside, &mut block_on(lock.write_tagged(Tag(4))));
        writer.join().unwrap();
        reader.join().unwrap();
        assert_eq!(*lock.try_read().expect("free at the end"), 2);
        assert_eq!(lock.holders(), vec![]);
    });
}

/// A reader holds; a writer is queued (from this thread, before the race); another
/// thread reads, so queues behind the writer (or, if the writer is gone, joins the
/// reader); a third thread drops the writer. The reader behind it must get in whatever
/// the interleaving (a missing hand-over after the cancel is a deadlock).
#[test]
fn a_cancelled_writer_lets_the_reader_behind_it_in() {
    builder(4).check(|| {
        let lock = Arc::new(RwLock::new(0usize));
        let inside = Arc::new(AtomicUsize::new(0));
        let held = lock.try_read_tagged(Tag(0)).unwrap();
        let mut writer = Box::pin(lock.clone().write_owned_tagged(Tag(1)));
        assert!(poll_once(writer.as_mut()).is_pending());
        let reader = {
            let (lock, inside) = (lock.clone(), inside.clone());
            thread::spawn(move || {
                let _g = block_on(lock.read_tagged(Tag(2)));
                reading(&inside);
            })
        };
        let canceller = thread::spawn(move || drop(writer));
        reader.join().unwrap();
        canceller.join().unwrap();
        drop(held);
        assert_eq!(lock.waiters(), vec![]);
        assert!(lock.try_write().is_ok(), "free at the end");
    });
}

/// The release hands the lock to the queued writer while another thread drops it:
/// the lock passes on to the other thread's writer, or is free for it.
#[test]
fn cancel_during_hand_over() {
    builder(4).check(|| {
        let lock = Arc::new(RwLock::new(0usize));
        let inside = Arc::new(AtomicUsize::new(0));
        let held = lock.try_read_tagged(Tag(0)).unwrap();
        let mut first = Box::pin(lock.clone().write_owned_tagged(Tag(1)));
        assert!(poll_once(first.as_mut()).is_pending());
        let canceller = thread::spawn(move || drop(first));
        let second = {
            let (lock, inside) = (lock.clone(), inside.clone());
            thread::spawn(move || writing(&inside, &mut block_on(lock.write_tagged(Tag(2)))))
        };
        drop(held);
        canceller.join().unwrap();
        second.join().unwrap();
        assert_eq!(*lock.try_read().expect("the lock was not lost"), 1);
    });
}
