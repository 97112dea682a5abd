//! The RwLock's contract: readers share, a writer is alone, strict FIFO (a queued writer
//! holds back later readers; a batch of readers at the head is let in together), the
//! exact events, cancel safety, and two properties over random operations: every
//! acquisition is accounted for with never a writer beside anyone, and every outcome is
//! the one `tokio::sync::RwLock` gives.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{poll_noop, Probe, Recorder};
use futures::FutureExt;
use mutex_playground::sync::{
    LockEvent, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Tag,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use LockEvent::*;

fn observed<T>(value: T) -> (RwLock<T, Arc<Recorder>>, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    (RwLock::with_observer(value, recorder.clone()), recorder)
}

#[test]
fn readers_share_and_a_writer_is_alone() {
    let lock = RwLock::new(0);
    let r1 = lock.try_read_tagged(Tag(1)).unwrap();
    let r2 = lock.try_read_tagged(Tag(2)).unwrap();
    assert_eq!((*r1, *r2), (0, 0));
    assert!(lock.try_write_tagged(Tag(3)).is_err());
    assert_eq!(lock.holders(), [Tag(1), Tag(2)]);
    assert!(!lock.is_write_locked());
    drop((r1, r2));
    assert!(!lock.is_locked());
    let mut w = lock.try_write_tagged(Tag(3)).unwrap();
    *w = 5;
    assert!(lock.is_write_locked());
    assert_eq!(lock.holders(), [Tag(3)]);
    assert!(lock.try_read_tagged(Tag(4)).is_err());
    assert!(lock.try_write_tagged(Tag(5)).is_err());
    drop(w);
    assert_eq!(*lock.try_read().unwrap(), 5);
}

#[test]
fn a_queued_writer_holds_back_every_later_reader() {
    let (lock, log) = observed(());
    let probe = Probe::new();
    let r1 = lock.try_read_tagged(Tag(1)).unwrap();
    let mut w = Box::pin(lock.write_tagged(Tag(2)));
    assert!(probe.poll(w.as_mut()).is_pending());
    // The lock is read-held, but a writer waits: a reader may not join the holders.
    assert!(lock.try_read_tagged(Tag(3)).is_err());
    let mut r4 = Box::pin(lock.read_tagged(Tag(4)));
    assert!(probe.poll(r4.as_mut()).is_pending());
    assert_eq!(lock.waiters(), [Tag(2), Tag(4)]);
    assert_eq!(lock.holders(), [Tag(1)]);
    drop(r1); // the writer first
    assert_eq!(lock.holders(), [Tag(2)]);
    assert!(lock.is_write_locked());
    assert!(probe.poll(r4.as_mut()).is_pending());
    assert!(probe.poll(w.as_mut()).is_ready()); // and lets go at once
    assert_eq!(lock.holders(), [Tag(4)]);
    assert!(probe.poll(r4.as_mut()).is_ready());
    assert_eq!(
        log.take(),
        [
            Taken { tag: Tag(1) },
            Requested { tag: Tag(2) },
            Enqueued { tag: Tag(2), position: 0 },
            Requested { tag: Tag(3) },
            TryFailed { tag: Tag(3) },
            Requested { tag: Tag(4) },
            Enqueued { tag: Tag(4), position: 1 },
            Released { tag: Tag(1) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
            Acquired { tag: Tag(4) },
            Released { tag: Tag(4) },
        ]
    );
}

/// R1 holds; W1, R2, R3, W2, R4 queue, in that order. They are served W1, then R2 and R3
/// together, then W2, then R4.
#[test]
fn the_head_gets_the_lock_and_a_reader_brings_the_readers_right_behind_it() {
    let (lock, log) = observed(Vec::new());
    let r1 = lock.try_read_tagged(Tag(1)).unwrap();
    let mut w1 = Box::pin(lock.write_tagged(Tag(11)));
    let mut r2 = Box::pin(lock.read_tagged(Tag(2)));
    let mut r3 = Box::pin(lock.read_tagged(Tag(3)));
    let mut w2 = Box::pin(lock.write_tagged(Tag(12)));
    let mut r4 = Box::pin(lock.read_tagged(Tag(4)));
    assert!(poll_noop(w1.as_mut()).is_pending());
    assert!(poll_noop(r2.as_mut()).is_pending());
    assert!(poll_noop(r3.as_mut()).is_pending());
    assert!(poll_noop(w2.as_mut()).is_pending());
    assert!(poll_noop(r4.as_mut()).is_pending());
    assert_eq!(lock.waiters(), [Tag(11), Tag(2), Tag(3), Tag(12), Tag(4)]);
    log.take();

    drop(r1);
    assert_eq!(lock.holders(), [Tag(11)]);
    let Poll::Ready(mut g) = poll_noop(w1.as_mut()) else { panic!("W1 first") };
    g.push(11);
    drop(g);
    assert_eq!(lock.holders(), [Tag(2), Tag(3)], "both readers at the head, together");
    assert_eq!(lock.waiters(), [Tag(12), Tag(4)], "R4 is behind W2: it waits");
    let Poll::Ready(g2) = poll_noop(r2.as_mut()) else { panic!() };
    let Poll::Ready(g3) = poll_noop(r3.as_mut()) else { panic!() };
    assert!(poll_noop(w2.as_mut()).is_pending());
    drop(g2);
    assert_eq!(lock.holders(), [Tag(3)]);
    assert!(poll_noop(w2.as_mut()).is_pending(), "R3 still reads");
    drop(g3);
    let Poll::Ready(mut g) = poll_noop(w2.as_mut()) else { panic!("W2 after the readers") };
    g.push(12);
    drop(g);
    let Poll::Ready(g4) = poll_noop(r4.as_mut()) else { panic!() };
    assert_eq!(*g4, [11, 12]);
    drop(g4);
    assert_eq!(
        log.take(),
        [
            Released { tag: Tag(1) },
            Acquired { tag: Tag(11) },
            Released { tag: Tag(11) },
            Acquired { tag: Tag(2) },
            Acquired { tag: Tag(3) },
            Released { tag: Tag(2) },
            Released { tag: Tag(3) },
            Acquired { tag: Tag(12) },
            Released { tag: Tag(12) },
            Acquired { tag: Tag(4) },
            Released { tag: Tag(4) },
        ]
    );
}

#[test]
fn a_reader_waits_behind_a_held_writer_and_each_waker_is_woken_once() {
    let lock = RwLock::new(());
    let probes: Vec<Probe> = (0..3).map(|_| Probe::new()).collect();
    let w = lock.try_write().unwrap();
    let mut readers: Vec<_> = (0..3).map(|i| Box::pin(lock.read_tagged(Tag(i)))).collect();
    for (p, r) in probes.iter().zip(&mut readers) {
        assert!(p.poll(r.as_mut()).is_pending());
        assert!(p.poll(r.as_mut()).is_pending(), "a re-poll does not queue twice");
    }
    assert_eq!(lock.waiters().len(), 3);
    drop(w);
    for p in &probes {
        assert_eq!(p.wakes(), 1);
    }
    assert_eq!(lock.holders(), [Tag(0), Tag(1), Tag(2)]);
    for (p, r) in probes.iter().zip(&mut readers) {
        assert!(p.poll(r.as_mut()).is_ready());
        assert_eq!(p.held_elsewhere(), 0, "no waker kept");
    }
}

// ---------------------------------------------------------------- cancellation

#[test]
fn a_cancelled_writer_lets_the_readers_behind_it_in() {
    let (lock, log) = observed(());
    let probe = Probe::new();
    let r1 = lock.try_read_tagged(Tag(1)).unwrap();
    let mut w = Box::pin(lock.write_tagged(Tag(2)));
    let mut r3 = Box::pin(lock.read_tagged(Tag(3)));
    let mut r4 = Box::pin(lock.read_tagged(Tag(4)));
    let mut w5 = Box::pin(lock.write_tagged(Tag(5)));
    assert!(probe.poll(w.as_mut()).is_pending());
    assert!(probe.poll(r3.as_mut()).is_pending());
    assert!(probe.poll(r4.as_mut()).is_pending());
    assert!(probe.poll(w5.as_mut()).is_pending());
    log.take();
    drop(w); // the readers behind it may join R1 now; W5 still waits
    assert_eq!(lock.holders(), [Tag(1), Tag(3), Tag(4)]);
    assert_eq!(lock.waiters(), [Tag(5)]);
    assert_eq!(probe.wakes(), 2);
    assert_eq!(log.take(), [Cancelled { tag: Tag(2) }, Acquired { tag: Tag(3) }, Acquired { tag: Tag(4) }]);
    drop(r1);
    assert!(probe.poll(r3.as_mut()).is_ready());
    assert!(probe.poll(r4.as_mut()).is_ready());
    assert_eq!(lock.holders(), [Tag(5)]);
    assert!(probe.poll(w5.as_mut()).is_ready());
    assert!(!lock.is_locked());
}

#[test]
fn a_cancelled_reader_leaves_the_queue() {
    let (lock, log) = observed(());
    let w = lock.try_write_tagged(Tag(1)).unwrap();
    let mut r2 = Box::pin(lock.read_tagged(Tag(2)));
    let mut r3 = Box::pin(lock.read_tagged(Tag(3)));
    assert!(poll_noop(r2.as_mut()).is_pending());
    assert!(poll_noop(r3.as_mut()).is_pending());
    drop(r2);
    assert_eq!(lock.waiters(), [Tag(3)]);
    assert_eq!(log.take().last(), Some(&Cancelled { tag: Tag(2) }));
    drop(w);
    assert_eq!(lock.holders(), [Tag(3)]);
}

#[test]
fn a_writer_handed_the_lock_and_dropped_passes_it_on() {
    let (lock, log) = observed(());
    let r = lock.try_read_tagged(Tag(1)).unwrap();
    let mut w2 = Box::pin(lock.write_tagged(Tag(2)));
    let mut w3 = Box::pin(lock.write_tagged(Tag(3)));
    assert!(poll_noop(w2.as_mut()).is_pending());
    assert!(poll_noop(w3.as_mut()).is_pending());
    drop(r); // to W2
    assert_eq!(lock.holders(), [Tag(2)]);
    drop(w2); // never polled again: on to W3
    assert_eq!(lock.holders(), [Tag(3)]);
    drop(w3); // and W3 refuses it too: free
    assert!(!lock.is_locked());
    assert!(lock.try_write().is_ok());
    assert_eq!(
        log.take()[5..],
        [
            Released { tag: Tag(1) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
            Acquired { tag: Tag(3) },
            Released { tag: Tag(3) },
            Taken { tag: Tag::UNTAGGED },
            Released { tag: Tag::UNTAGGED },
        ]
    );
}

#[test]
fn a_reader_of_a_batch_handed_the_lock_and_dropped_lets_go_of_its_share() {
    let (lock, log) = observed(());
    let w = lock.try_write_tagged(Tag(1)).unwrap();
    let mut r2 = Box::pin(lock.read_tagged(Tag(2)));
    let mut r3 = Box::pin(lock.read_tagged(Tag(3)));
    let mut w4 = Box::pin(lock.write_tagged(Tag(4)));
    for f in [r2.as_mut(), r3.as_mut()] {
        assert!(poll_noop(f).is_pending());
    }
    assert!(poll_noop(w4.as_mut()).is_pending());
    drop(w); // R2 and R3
    drop(r2); // R2 gives its share up unpolled; R3 still holds, so W4 waits
    assert_eq!(lock.holders(), [Tag(3)]);
    assert!(poll_noop(w4.as_mut()).is_pending());
    drop(r3); // the last reader: on to W4
    assert_eq!(lock.holders(), [Tag(4)]);
    assert!(poll_noop(w4.as_mut()).is_ready());
    assert_eq!(
        log.take()[7..],
        [
            Released { tag: Tag(1) },
            Acquired { tag: Tag(2) },
            Acquired { tag: Tag(3) },
            Released { tag: Tag(2) },
            Released { tag: Tag(3) },
            Acquired { tag: Tag(4) },
            Released { tag: Tag(4) },
        ]
    );
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_a_completed_future_panics() {
    let lock = RwLock::new(());
    let mut fut = Box::pin(lock.read());
    let Poll::Ready(g) = poll_noop(fut.as_mut()) else { panic!() };
    drop(g);
    let _ = poll_noop(fut.as_mut());
}

// ---------------------------------------------------------------- owned guards, misc

#[test]
fn owned_guards_and_their_futures() {
    let lock = Arc::new(RwLock::new(String::from("a")));
    let r: OwnedRwLockReadGuard<String> = lock.clone().try_read_owned_tagged(Tag(1)).unwrap();
    assert_eq!((r.tag(), r.as_str()), (Tag(1), "a"));
    assert!(Arc::ptr_eq(r.rwlock(), &lock));
    let mut w = Box::pin(lock.clone().write_owned_tagged(Tag(2)));
    assert!(poll_noop(w.as_mut()).is_pending());
    assert!(lock.clone().try_read_owned().is_err());
    assert!(lock.clone().try_write_owned_tagged(Tag(3)).is_err());
    std::thread::spawn(move || drop(r)).join().unwrap(); // let go on another thread
    let Poll::Ready(w) = poll_noop(w.as_mut()) else { panic!() };
    let mut w: OwnedRwLockWriteGuard<String> = w;
    assert!(Arc::ptr_eq(w.rwlock(), &lock));
    w.push('b');
    let handle = std::thread::spawn(move || {
        w.push('c');
    });
    handle.join().unwrap();
    let r = futures::executor::block_on(lock.clone().read_owned());
    assert_eq!(r.as_str(), "abc");
    drop(r);
    drop(futures::executor::block_on(lock.clone().write_owned()));
    drop(lock.clone().try_write_owned().unwrap());
    assert!(lock.clone().read_owned_tagged(Tag(7)).now_or_never().is_some());
}

#[test]
fn readers_and_writers_on_threads_never_overlap() {
    let lock = Arc::new(RwLock::new((0u64, 0u64)));
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let lock = lock.clone();
            std::thread::spawn(move || {
                for i in 0..1_000u64 {
                    if (i + t) % 4 == 0 {
                        let mut g = futures::executor::block_on(lock.write_tagged(Tag(t)));
                        // Both halves move together; a reader must never see them differ.
                        g.0 += 1;
                        std::hint::spin_loop();
                        g.1 += 1;
                    } else {
                        let g = match lock.try_read_tagged(Tag(t)) {
                            Ok(g) => g,
                            Err(_) => futures::executor::block_on(lock.read_tagged(Tag(t))),
                        };
                        assert_eq!(g.0, g.1, "a reader saw a write half done");
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*lock.try_read().unwrap(), (1_500, 1_500));
}

#[test]
fn a_panic_while_holding_the_write_guard_releases_the_lock() {
    let lock = Arc::new(RwLock::new(1));
    let l = lock.clone();
    let result = std::thread::spawn(move || {
        let mut g = futures::executor::block_on(l.write());
        *g = 2;
        panic!("boom");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(*lock.try_write().unwrap(), 2);
}

#[test]
fn debug_default_from_get_mut_into_inner_unsized() {
    let (lock, log) = observed(3);
    assert_eq!(format!("{lock:?}"), "RwLock { data: 3 }");
    let r = lock.try_read().unwrap();
    assert_eq!(format!("{r:?}"), "3");
    assert_eq!(format!("{lock:?}"), "RwLock { data: 3 }", "a reader does not keep Debug out");
    drop(r);
    let w = lock.try_write().unwrap();
    assert_eq!(format!("{w:?}"), "3");
    assert_eq!(format!("{lock:?}"), "RwLock { data: <locked> }");
    let fut = lock.read_tagged(Tag(1));
    assert_eq!(format!("{fut:?}"), "RwLockRead { tag: Tag(1), wait: Idle }");
    drop((w, fut));
    assert_eq!(log.take().len(), 4, "Debug reports nothing");
    let mut lock: RwLock<u8> = RwLock::default();
    *lock.get_mut() += 2;
    assert_eq!(RwLock::from(lock.into_inner()).into_inner(), 2);
    let lock: Arc<RwLock<[u8]>> = Arc::new(RwLock::new([0u8; 3]));
    futures::executor::block_on(lock.write())[2] = 1;
    assert_eq!(&*futures::executor::block_on(lock.read()), &[0, 0, 1]);
}

/// The documented Send/Sync bounds, tokio's.
#[test]
fn auto_traits_are_as_documented() {
    use std::cell::Cell;
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    fn send_val<T: Send>(_: &T) {}
    send::<RwLock<Cell<u32>>>();
    sync::<RwLock<u32>>();
    send::<RwLockReadGuard<'static, u32>>();
    sync::<RwLockReadGuard<'static, u32>>();
    send::<RwLockWriteGuard<'static, u32>>();
    sync::<RwLockWriteGuard<'static, u32>>();
    send::<OwnedRwLockReadGuard<u32>>();
    sync::<OwnedRwLockReadGuard<u32>>();
    send::<OwnedRwLockWriteGuard<u32>>();
    sync::<OwnedRwLockWriteGuard<u32>>();
    let l = Arc::new(RwLock::new(1));
    send_val(&l.read());
    send_val(&l.write());
    send_val(&l.clone().read_owned());
    send_val(&l.clone().write_owned());
}

// ---------------------------------------------------------------- the properties

#[derive(Clone, Debug)]
enum Op {
    Read(usize),
    Write(usize),
    TryRead(usize),
    TryWrite(usize),
    Poll(usize),
    Drop(usize),
}

const TASKS: usize = 5;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..TASKS).prop_map(Op::Read),
        2 => (0..TASKS).prop_map(Op::Write),
        1 => (0..TASKS).prop_map(Op::TryRead),
        1 => (0..TASKS).prop_map(Op::TryWrite),
        3 => (0..TASKS).prop_map(Op::Poll),
        4 => (0..TASKS).prop_map(Op::Drop),
    ]
}

/// What a task has: nothing, a future, or a guard, for either lock.
enum Task<F: ?Sized, R, W> {
    Idle,
    Waiting(Pin<Box<F>>),
    Reading(R),
    Writing(W),
}

/// The guard a future of either kind returns.
enum Guard<R, W> {
    Read(R),
    Write(W),
}

/// Our lock's futures, boxed as one type.
type OurFut<'a> =
    dyn Future<Output = Guard<RwLockReadGuard<'a, (), Arc<Recorder>>, RwLockWriteGuard<'a, (), Arc<Recorder>>>> + 'a;
type TokioFut<'a> =
    dyn Future<Output = Guard<tokio::sync::RwLockReadGuard<'a, ()>, tokio::sync::RwLockWriteGuard<'a, ()>>> + 'a;

/// A task of our lock, and of tokio's.
type OurTask<'a> = Task<OurFut<'a>, RwLockReadGuard<'a, (), Arc<Recorder>>, RwLockWriteGuard<'a, (), Arc<Recorder>>>;
type TokioTask<'a> = Task<TokioFut<'a>, tokio::sync::RwLockReadGuard<'a, ()>, tokio::sync::RwLockWriteGuard<'a, ()>>;

/// A task's tag says what it asks for: even for a read, odd for a write (so the events
/// can be checked without the ops).
fn tag(task: usize, write: bool) -> Tag {
    Tag(task as u64 * 2 + u64::from(write))
}

/// Applies `op` to our lock and to tokio's, and returns what happened on each, which
/// must agree: per task, whether it holds a guard (and which) or waits.
fn step<'a>(
    ours: &'a RwLock<(), Arc<Recorder>>,
    theirs: &'a tokio::sync::RwLock<()>,
    our_tasks: &mut [OurTask<'a>],
    their_tasks: &mut [TokioTask<'a>],
    probes: &[Probe],
    seen: &mut [usize],
    op: &Op,
) {
    fn settle<F: Future<Output = Guard<R, W>> + ?Sized, R, W>(task: &mut Task<F, R, W>, waker: &Waker) {
        if let Task::Waiting(f) = task {
            if let Poll::Ready(g) = f.as_mut().poll(&mut Context::from_waker(waker)) {
                *task = match g {
                    Guard::Read(r) => Task::Reading(r),
                    Guard::Write(w) => Task::Writing(w),
                };
            }
        }
    }
    match *op {
        Op::Read(i) | Op::Write(i) => {
            let write = matches!(op, Op::Write(_));
            if matches!(our_tasks[i], Task::Idle) {
                let t = tag(i, write);
                let mine: Pin<Box<OurFut<'a>>> = if write {
                    Box::pin(ours.write_tagged(t).map(Guard::Write))
                } else {
                    Box::pin(ours.read_tagged(t).map(Guard::Read))
                };
                let tokio: Pin<Box<TokioFut<'a>>> = if write {
                    Box::pin(theirs.write().map(Guard::Write))
                } else {
                    Box::pin(theirs.read().map(Guard::Read))
                };
                our_tasks[i] = Task::Waiting(mine);
                their_tasks[i] = Task::Waiting(tokio);
                seen[i] = probes[i].wakes();
                settle(&mut our_tasks[i], &probes[i].waker);
                settle(&mut their_tasks[i], futures::task::noop_waker_ref());
            }
        }
        Op::TryRead(i) => {
            if matches!(our_tasks[i], Task::Idle) {
                if let Ok(g) = ours.try_read_tagged(tag(i, false)) {
                    our_tasks[i] = Task::Reading(g);
                }
                if let Ok(g) = theirs.try_read() {
                    their_tasks[i] = Task::Reading(g);
                }
            }
        }
        Op::TryWrite(i) => {
            if matches!(our_tasks[i], Task::Idle) {
                if let Ok(g) = ours.try_write_tagged(tag(i, true)) {
                    our_tasks[i] = Task::Writing(g);
                }
                if let Ok(g) = theirs.try_write() {
                    their_tasks[i] = Task::Writing(g);
                }
            }
        }
        Op::Poll(i) => {
            seen[i] = probes[i].wakes();
            settle(&mut our_tasks[i], &probes[i].waker);
            settle(&mut their_tasks[i], futures::task::noop_waker_ref());
        }
        Op::Drop(i) => {
            our_tasks[i] = Task::Idle;
            their_tasks[i] = Task::Idle;
        }
    }
}

fn state<F: ?Sized, R, W>(task: &Task<F, R, W>) -> &'static str {
    match task {
        Task::Idle => "idle",
        Task::Waiting(_) => "waiting",
        Task::Reading(_) => "reading",
        Task::Writing(_) => "writing",
    }
}

/// Replays the events: a writer only alone, readers only without a writer, every release
/// by a holder; per tag, Taken + Acquired == Released.
fn check_events(events: &[LockEvent]) {
    let mut holders: Vec<Tag> = Vec::new();
    let mut got: BTreeMap<Tag, u64> = BTreeMap::new();
    let mut released: BTreeMap<Tag, u64> = BTreeMap::new();
    let is_writer = |t: Tag| t.0 % 2 == 1;
    for (n, event) in events.iter().enumerate() {
        match *event {
            Taken { tag } | Acquired { tag } => {
                if is_writer(tag) {
                    assert!(holders.is_empty(), "event {n}: writer {tag} got the lock beside {holders:?}");
                } else {
                    assert!(!holders.iter().any(|&h| is_writer(h)), "event {n}: reader {tag} beside a writer");
                }
                holders.push(tag);
                *got.entry(tag).or_default() += 1;
            }
            Released { tag } => {
                let i = holders.iter().position(|&h| h == tag);
                assert!(i.is_some(), "event {n}: {tag} released a lock it did not hold");
                holders.remove(i.unwrap());
                *released.entry(tag).or_default() += 1;
            }
            _ => {}
        }
    }
    assert_eq!(holders, []);
    assert_eq!(got, released, "per tag, Taken + Acquired == Released");
}

fn run(ops: &[Op]) {
    let (ours, log) = observed(());
    let theirs = tokio::sync::RwLock::new(());
    let mut our_tasks: Vec<_> = (0..TASKS).map(|_| Task::Idle).collect();
    let mut their_tasks: Vec<_> = (0..TASKS).map(|_| Task::Idle).collect();
    let probes: Vec<Probe> = (0..TASKS).map(|_| Probe::new()).collect();
    // Each task's wake count when it was last polled.
    let mut seen = vec![0; TASKS];
    for (n, op) in ops.iter().enumerate() {
        step(&ours, &theirs, &mut our_tasks, &mut their_tasks, &probes, &mut seen, op);
        let mine: Vec<_> = our_tasks.iter().map(state).collect();
        let tokio: Vec<_> = their_tasks.iter().map(state).collect();
        assert_eq!(mine, tokio, "after op {n} ({op:?}), ours vs tokio's");
        // Our own bookkeeping agrees with the guards out there.
        let writing = mine.iter().filter(|s| **s == "writing").count();
        let reading = mine.iter().filter(|s| **s == "reading").count();
        assert!(writing == 0 || (writing == 1 && reading == 0), "{mine:?}");
        let holders = ours.holders();
        assert!(holders.len() >= writing + reading, "holders {holders:?} vs tasks {mine:?}");
        assert_eq!(ours.is_write_locked(), holders.len() == 1 && holders[0].0 % 2 == 1);
        if writing == 1 {
            assert!(ours.is_write_locked());
        }
        for (i, s) in mine.iter().enumerate() {
            let queued = ours.waiters().iter().any(|t| t.0 / 2 == i as u64);
            assert_eq!(queued, *s == "waiting" && !holders.iter().any(|t| t.0 / 2 == i as u64), "task {i}: {s}");
        }
    }
    // Let go of everything, then run like an executor: poll only the tasks woken since
    // their last poll, letting go at once. Everyone is handed the lock in turn; a waiter
    // still waiting when nobody is woken would wait for ever.
    for t in &mut our_tasks {
        if matches!(t, Task::Reading(_) | Task::Writing(_)) {
            *t = Task::Idle;
        }
    }
    loop {
        let woken: Vec<usize> =
            (0..TASKS).filter(|&i| matches!(our_tasks[i], Task::Waiting(_)) && probes[i].wakes() > seen[i]).collect();
        if woken.is_empty() {
            break;
        }
        for i in woken {
            seen[i] = probes[i].wakes();
            if let Task::Waiting(f) = &mut our_tasks[i] {
                if probes[i].poll(f.as_mut()).is_ready() {
                    our_tasks[i] = Task::Idle;
                }
            }
        }
    }
    assert!(our_tasks.iter().all(|t| matches!(t, Task::Idle)), "a waiter was stranded");
    assert!(!ours.is_locked());
    assert_eq!(ours.waiters(), []);
    drop(our_tasks);
    check_events(&log.take());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_acquisition_is_accounted_for_and_tokio_agrees(ops in proptest::collection::vec(op(), 0..60)) {
        run(&ops);
    }
}

/// A value whose `Debug` panics: the silent read `Debug` took is given back anyway.
#[test]
fn debug_that_panics_leaves_the_lock_free() {
    let lock = RwLock::new(common::PanickingDebug);
    assert!(common::debug_panics(&lock));
    assert!(lock.try_write().is_ok(), "Debug kept a read lock");
}
