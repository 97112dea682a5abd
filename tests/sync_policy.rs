//! The PolicyMutex's contract: who gets the lock under each policy, overtaking, the
//! exact events, cancel safety (a queued waiter, a hand-over refused, a woken barging
//! waiter dropped), wakers, re-entrancy, and a property over random operations that
//! every acquisition is accounted for and no waiter is stranded.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{owning_waker, poll_noop, poll_with, within_deadline, Probe, Recorder};
use futures::FutureExt;
use mutex_playground::sync::{
    LockEvent, Mutex, Observer, OwnedPolicyMutexGuard, Policy, PolicyMutex, PolicyMutexGuard, Tag, TimeSource,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex, OnceLock, Weak};
use std::task::Poll;

use LockEvent::*;

/// A clock moved by hand.
#[derive(Default)]
struct ManualTime(AtomicU64);

impl TimeSource for ManualTime {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl ManualTime {
    fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

fn fair(after_ms: u64) -> (Policy, Arc<ManualTime>) {
    let time = Arc::new(ManualTime::default());
    (Policy::EventuallyFair { after_ms, time: time.clone() }, time)
}

fn observed<T>(value: T, policy: Policy) -> (PolicyMutex<T, Arc<Recorder>>, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    (PolicyMutex::with_observer(value, policy, recorder.clone()), recorder)
}

// ---------------------------------------------------------------- who gets the lock

#[test]
fn barging_a_newcomer_takes_the_lock_before_the_woken_head() {
    let (mutex, log) = observed(0, Policy::Barging);
    let probe = Probe::new();
    let held = mutex.try_lock_tagged(Tag(1)).unwrap();
    let mut head = Box::pin(mutex.lock_tagged(Tag(2)));
    assert!(probe.poll(head.as_mut()).is_pending());
    drop(held);
    assert_eq!(probe.wakes(), 1, "the release woke the head");
    assert_eq!(mutex.holder(), None, "... and only freed the lock: nobody holds it");
    assert_eq!(mutex.waiters(), [Tag(2)], "the woken head is still queued");
    // A newcomer polls first and takes it.
    let mut newcomer = Box::pin(mutex.lock_tagged(Tag(3)));
    let Poll::Ready(g) = probe.poll(newcomer.as_mut()) else { panic!("the newcomer did not barge") };
    assert!(probe.poll(head.as_mut()).is_pending(), "the woken head lost the race");
    assert_eq!(mutex.waiters(), [Tag(2)], "and kept its place");
    drop(g);
    assert_eq!(probe.wakes(), 2, "the next release wakes it again");
    assert!(probe.poll(head.as_mut()).is_ready());
    assert_eq!(
        log.take(),
        [
            Taken { tag: Tag(1) },
            Requested { tag: Tag(2) },
            Enqueued { tag: Tag(2), position: 0 },
            Released { tag: Tag(1) },
            Taken { tag: Tag(3) },
            Released { tag: Tag(3) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
        ]
    );
}

#[test]
fn barging_the_releaser_locking_again_overtakes_the_woken_head() {
    let (mutex, log) = observed((), Policy::Barging);
    let held = mutex.try_lock_tagged(Tag(1)).unwrap();
    let mut head = Box::pin(mutex.lock_tagged(Tag(2)));
    assert!(poll_noop(head.as_mut()).is_pending());
    drop(held);
    // The same task locks again before the woken waiter runs: a plain `lock`, not a try.
    let mut again = Box::pin(mutex.lock_tagged(Tag(1)));
    let Poll::Ready(g) = poll_noop(again.as_mut()) else { panic!("the releaser did not get back in") };
    assert_eq!(mutex.holder(), Some(Tag(1)));
    assert!(poll_noop(head.as_mut()).is_pending());
    drop(g);
    assert!(poll_noop(head.as_mut()).is_ready());
    let events = log.take();
    assert_eq!(events[3..6], [Released { tag: Tag(1) }, Taken { tag: Tag(1) }, Released { tag: Tag(1) }]);
}

#[test]
fn barging_try_lock_succeeds_whenever_the_lock_is_free_even_with_waiters() {
    let mutex = PolicyMutex::new((), Policy::Barging);
    let held = mutex.try_lock().unwrap();
    let mut waiter = Box::pin(mutex.lock());
    assert!(poll_noop(waiter.as_mut()).is_pending());
    assert!(mutex.try_lock().is_err(), "held");
    drop(held);
    assert!(mutex.try_lock().is_ok(), "free, with a waiter queued: barging");
}

#[test]
fn barging_with_nobody_barging_the_woken_head_takes_it_when_it_polls() {
    let (mutex, log) = observed((), Policy::Barging);
    let held = mutex.try_lock_tagged(Tag(1)).unwrap();
    let mut a = Box::pin(mutex.lock_tagged(Tag(2)));
    let mut b = Box::pin(mutex.lock_tagged(Tag(3)));
    let (pa, pb) = (Probe::new(), Probe::new());
    assert!(pa.poll(a.as_mut()).is_pending());
    assert!(pb.poll(b.as_mut()).is_pending());
    drop(held);
    assert_eq!((pa.wakes(), pb.wakes()), (1, 0), "only the head is woken");
    let Poll::Ready(g) = pa.poll(a.as_mut()) else { panic!() };
    assert_eq!(mutex.waiters(), [Tag(3)], "the head left the queue when it took the lock");
    drop(g);
    assert_eq!(pb.wakes(), 1);
    assert!(pb.poll(b.as_mut()).is_ready());
    assert_eq!(
        log.take()[5..],
        [
            Released { tag: Tag(1) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
            Acquired { tag: Tag(3) },
            Released { tag: Tag(3) },
        ]
    );
}

#[test]
fn lifo_hands_the_lock_to_the_newest_waiter() {
    let (mutex, log) = observed(Vec::new(), Policy::Lifo);
    let probes: Vec<Probe> = (0..4).map(|_| Probe::new()).collect();
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut futs: Vec<_> = (1..=4).map(|i| Box::pin(mutex.lock_tagged(Tag(i)))).collect();
    for (p, f) in probes.iter().zip(&mut futs) {
        assert!(p.poll(f.as_mut()).is_pending());
    }
    assert_eq!(mutex.waiters(), [Tag(1), Tag(2), Tag(3), Tag(4)], "arrival order");
    assert!(mutex.try_lock().is_err());
    drop(held);
    let mut order = Vec::new();
    for _ in 0..4 {
        let next = mutex.holder().expect("handed over: never free while anyone waits");
        assert!(mutex.try_lock().is_err(), "a hand-over leaves nothing to barge into");
        let i = next.0 as usize - 1;
        assert_eq!(probes[i].wakes(), 1);
        let Poll::Ready(mut g) = probes[i].poll(futs[i].as_mut()) else { panic!("{next} not served") };
        g.push(next.0);
        order.push(next.0);
    }
    assert_eq!(order, [4, 3, 2, 1]);
    assert_eq!(*mutex.try_lock().unwrap(), [4, 3, 2, 1]);
    let events = log.take();
    assert_eq!(events[11..13], [Released { tag: Tag(0) }, Acquired { tag: Tag(4) }]);
}

#[test]
fn lifo_a_newcomer_queued_during_the_drain_is_served_next() {
    let mutex = PolicyMutex::new((), Policy::Lifo);
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut a = Box::pin(mutex.lock_tagged(Tag(1)));
    let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
    assert!(poll_noop(a.as_mut()).is_pending());
    assert!(poll_noop(b.as_mut()).is_pending());
    drop(held); // to #2
    let gb = poll_noop(b.as_mut());
    let mut c = Box::pin(mutex.lock_tagged(Tag(3)));
    assert!(poll_noop(c.as_mut()).is_pending());
    assert_eq!(mutex.waiters(), [Tag(1), Tag(3)]);
    drop(gb); // to #3, the newest, not #1
    assert_eq!(mutex.holder(), Some(Tag(3)));
    assert!(poll_noop(a.as_mut()).is_pending());
}

#[test]
fn eventually_fair_barges_before_the_threshold_and_hands_off_after_it() {
    let (policy, time) = fair(10);
    let (mutex, log) = observed((), policy);
    let probe = Probe::new();
    let held = mutex.try_lock_tagged(Tag(1)).unwrap();
    let mut head = Box::pin(mutex.lock_tagged(Tag(2))); // joins at t = 0
    assert!(probe.poll(head.as_mut()).is_pending());

    time.set(5);
    drop(held); // the head has waited 5 ms < 10: barging
    assert_eq!(mutex.holder(), None);
    assert_eq!(probe.wakes(), 1);
    let barger = mutex.try_lock_tagged(Tag(3)).expect("free: a newcomer barges in");
    assert!(probe.poll(head.as_mut()).is_pending(), "the woken head lost the race");

    time.set(10);
    drop(barger); // 10 ms >= 10: handed straight to the head
    assert_eq!(mutex.holder(), Some(Tag(2)));
    assert!(mutex.try_lock_tagged(Tag(4)).is_err(), "nothing to barge into after a fair hand-off");
    assert_eq!(probe.wakes(), 2);
    assert!(probe.poll(head.as_mut()).is_ready());
    assert_eq!(
        log.take(),
        [
            Taken { tag: Tag(1) },
            Requested { tag: Tag(2) },
            Enqueued { tag: Tag(2), position: 0 },
            Released { tag: Tag(1) },
            Taken { tag: Tag(3) }, // the barge
            Released { tag: Tag(3) },
            Acquired { tag: Tag(2) }, // the fair hand-off, at the release
            Requested { tag: Tag(4) },
            TryFailed { tag: Tag(4) },
            Released { tag: Tag(2) },
        ]
    );
}

#[test]
fn eventually_fair_measures_the_head_from_when_it_joined() {
    let (policy, time) = fair(10);
    let mutex = PolicyMutex::new((), policy);
    let held = mutex.try_lock_tagged(Tag(1)).unwrap();
    time.set(100);
    let mut a = Box::pin(mutex.lock_tagged(Tag(2))); // joins at 100
    assert!(poll_noop(a.as_mut()).is_pending());
    time.set(109);
    drop(held);
    assert_eq!(mutex.holder(), None, "9 ms: barging");
    let g = mutex.try_lock_tagged(Tag(3)).unwrap();
    time.set(110);
    drop(g);
    assert_eq!(mutex.holder(), Some(Tag(2)), "10 ms: fair");
}

#[test]
fn eventually_fair_with_no_threshold_is_fifo() {
    let (policy, _time) = fair(0);
    let mutex = PolicyMutex::new((), policy);
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut futs: Vec<_> = (1..=3).map(|i| Box::pin(mutex.lock_tagged(Tag(i)))).collect();
    for f in &mut futs {
        assert!(poll_noop(f.as_mut()).is_pending());
    }
    drop(held);
    for (i, f) in futs.iter_mut().enumerate() {
        assert_eq!(mutex.holder(), Some(Tag(i as u64 + 1)));
        assert!(mutex.try_lock().is_err());
        assert!(poll_noop(f.as_mut()).is_ready());
    }
}

#[test]
fn a_free_lock_is_taken_at_once_under_every_policy() {
    for policy in [Policy::Barging, Policy::Lifo, fair(5).0] {
        let (mutex, log) = observed(1, policy.clone());
        let g = mutex.lock_tagged(Tag(9)).now_or_never().expect("free");
        assert_eq!(*g, 1);
        assert_eq!(g.tag(), Tag(9));
        assert_eq!(mutex.holder(), Some(Tag(9)));
        drop(g);
        assert_eq!(mutex.holder(), None, "{policy:?}");
        assert_eq!(log.take(), [Taken { tag: Tag(9) }, Released { tag: Tag(9) }]);
    }
}

// ---------------------------------------------------------------- overtaking

/// The app's "overtaken" count (see `trace::analysis`), on one lock's events: a waiter is
/// overtaken once each time a task that asked after it gets the lock before it. A lock
/// taken at once (`Taken`) is a request that came after every current waiter.
fn overtaken(events: &[LockEvent]) -> BTreeMap<Tag, u64> {
    let mut waiting: Vec<Tag> = Vec::new(); // requests still waiting, in the order they asked
    let mut count: BTreeMap<Tag, u64> = BTreeMap::new();
    for event in events {
        match *event {
            Requested { tag } => waiting.push(tag),
            Taken { .. } => {
                for &w in &waiting {
                    *count.entry(w).or_default() += 1;
                }
            }
            Acquired { tag } => {
                let i = waiting.iter().position(|&w| w == tag).expect("acquired without asking");
                for &w in &waiting[..i] {
                    *count.entry(w).or_default() += 1;
                }
                waiting.remove(i);
            }
            TryFailed { tag } | Cancelled { tag } => waiting.retain(|&w| w != tag),
            Enqueued { .. } | Released { .. } => {}
        }
    }
    count
}

/// #0 holds; #1 then #2 queue; #0 lets go and at once asks again (and lets go as soon as
/// it gets the lock); then every waiter is polled in turn, each letting go at once.
macro_rules! overtaking_script {
    ($mutex:expr) => {{
        let mutex = $mutex;
        let held = mutex.try_lock_tagged(Tag(0)).unwrap();
        let mut queued = vec![(Tag(1), Some(Box::pin(mutex.lock_tagged(Tag(1))))), (Tag(2), None)];
        queued[1].1 = Some(Box::pin(mutex.lock_tagged(Tag(2))));
        for (_, f) in &mut queued {
            assert!(poll_noop(f.as_mut().unwrap().as_mut()).is_pending());
        }
        drop(held);
        // #0 asks again before anyone else runs (and lets go at once if it gets in).
        let mut again = Some(Box::pin(mutex.lock_tagged(Tag(0))));
        if let Poll::Ready(g) = poll_noop(again.as_mut().unwrap().as_mut()) {
            drop(g);
            again = None;
        }
        queued.push((Tag(0), again));
        for _ in 0..10 {
            for (_, slot) in &mut queued {
                if let Some(f) = slot {
                    if let Poll::Ready(g) = poll_noop(f.as_mut()) {
                        drop(g);
                        *slot = None;
                    }
                }
            }
        }
        assert!(queued.iter().all(|(_, f)| f.is_none()), "someone was never served");
    }};
}

fn total(counts: &BTreeMap<Tag, u64>) -> u64 {
    counts.values().sum()
}

#[test]
fn overtaken_counts_fifo_none_barging_and_lifo_some() {
    // Our FIFO Mutex: nobody is ever overtaken.
    let log = Arc::new(Recorder::default());
    overtaking_script!(Mutex::with_observer((), log.clone()));
    assert_eq!(total(&overtaken(&log.take())), 0);

    // Barging: #0's second request is taken at once, past #1 and #2.
    let (mutex, log) = observed((), Policy::Barging);
    overtaking_script!(mutex);
    let counts = overtaken(&log.take());
    assert_eq!(counts, BTreeMap::from([(Tag(1), 1), (Tag(2), 1)]));

    // Lifo: #2 is served before #1, then #0 (who asked last) before #1 again.
    let (mutex, log) = observed((), Policy::Lifo);
    overtaking_script!(mutex);
    let counts = overtaken(&log.take());
    assert_eq!(counts, BTreeMap::from([(Tag(1), 2)]));

    // Eventually fair: with no threshold it is FIFO; with a long one it barges.
    let (mutex, log) = observed((), fair(0).0);
    overtaking_script!(mutex);
    assert_eq!(total(&overtaken(&log.take())), 0);
    let (mutex, log) = observed((), fair(1_000).0);
    overtaking_script!(mutex);
    assert!(total(&overtaken(&log.take())) > 0);
}

#[test]
fn the_overtaken_count_follows_its_definition() {
    // #1 asks, #2 asks, #3 takes at once (overtakes both), #2 acquires (overtakes #1).
    let events = [
        Requested { tag: Tag(1) },
        Requested { tag: Tag(2) },
        Taken { tag: Tag(3) },
        Released { tag: Tag(3) },
        Acquired { tag: Tag(2) },
        Released { tag: Tag(2) },
        Acquired { tag: Tag(1) },
    ];
    assert_eq!(overtaken(&events), BTreeMap::from([(Tag(1), 2), (Tag(2), 1)]));
}

// ---------------------------------------------------------------- cancellation

#[test]
fn a_queued_waiter_dropped_leaves_the_queue_under_every_policy() {
    for policy in [Policy::Barging, Policy::Lifo, fair(5).0] {
        let (mutex, log) = observed((), policy.clone());
        let probe = Probe::new();
        let held = mutex.try_lock_tagged(Tag(0)).unwrap();
        let mut futs: Vec<_> = (1..=3).map(|i| Some(Box::pin(mutex.lock_tagged(Tag(i))))).collect();
        for f in futs.iter_mut().flatten() {
            assert!(probe.poll(f.as_mut()).is_pending());
        }
        assert_eq!(probe.held_elsewhere(), 3);
        futs[1] = None;
        assert_eq!(mutex.waiters(), [Tag(1), Tag(3)], "{policy:?}");
        assert_eq!(probe.held_elsewhere(), 2, "{policy:?}: the waker left with it");
        assert_eq!(log.take().last(), Some(&Cancelled { tag: Tag(2) }));
        drop(held);
        // Whoever is next gets it, nobody is stranded.
        let mut served = Vec::new();
        for _ in 0..3 {
            for f in &mut futs {
                if let Some(fut) = f {
                    if let Poll::Ready(g) = probe.poll(fut.as_mut()) {
                        served.push(g.tag());
                        *f = None;
                    }
                }
            }
        }
        served.sort();
        assert_eq!(served, [Tag(1), Tag(3)], "{policy:?}");
        assert_eq!(probe.held_elsewhere(), 0);
        assert!(!mutex.is_locked());
    }
}

#[test]
fn lifo_a_hand_over_refused_by_a_dropped_future_goes_to_the_next_newest() {
    let (mutex, log) = observed((), Policy::Lifo);
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut futs: Vec<_> = (1..=3).map(|i| Some(Box::pin(mutex.lock_tagged(Tag(i))))).collect();
    for f in futs.iter_mut().flatten() {
        assert!(poll_noop(f.as_mut()).is_pending());
    }
    drop(held); // to #3
    assert_eq!(mutex.holder(), Some(Tag(3)));
    futs[2] = None; // #3 never polls again
    assert_eq!(mutex.holder(), Some(Tag(2)), "passed on to the newest left");
    assert_eq!(mutex.waiters(), [Tag(1)]);
    futs[1] = None; // and #2 too
    assert_eq!(mutex.holder(), Some(Tag(1)));
    futs[0] = None; // and the last: the lock is free
    assert_eq!(mutex.holder(), None);
    assert!(mutex.try_lock().is_ok());
    assert_eq!(
        log.take()[7..],
        [
            Released { tag: Tag(0) },
            Acquired { tag: Tag(3) },
            Released { tag: Tag(3) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
            Acquired { tag: Tag(1) },
            Released { tag: Tag(1) },
            Taken { tag: Tag::UNTAGGED },
            Released { tag: Tag::UNTAGGED },
        ]
    );
}

#[test]
fn eventually_fair_a_refused_hand_over_passes_on_by_the_policy() {
    let (policy, time) = fair(10);
    let (mutex, log) = observed((), policy);
    let (p1, p2) = (Probe::new(), Probe::new());
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut a = Box::pin(mutex.lock_tagged(Tag(1))); // joins at 0
    assert!(p1.poll(a.as_mut()).is_pending());
    time.set(8);
    let mut b = Box::pin(mutex.lock_tagged(Tag(2))); // joins at 8
    assert!(p2.poll(b.as_mut()).is_pending());
    time.set(12);
    drop(held); // #1 waited 12 ms: handed over
    assert_eq!(mutex.holder(), Some(Tag(1)));
    drop(a); // refuses it; #2 has waited only 4 ms: the lock is freed, #2 woken to race
    assert_eq!(mutex.holder(), None);
    assert_eq!(p2.wakes(), 1);
    assert!(p2.poll(b.as_mut()).is_ready());
    assert_eq!(
        log.take()[5..],
        [
            Released { tag: Tag(0) },
            Acquired { tag: Tag(1) },
            Released { tag: Tag(1) },
            Acquired { tag: Tag(2) },
            Released { tag: Tag(2) },
        ]
    );
}

/// The classic `futures::lock` bug class: the release wakes one waiter to take the free
/// lock, and that waiter is dropped before it polls. The wake-up must pass to the next.
#[test]
fn a_woken_barging_waiter_dropped_before_it_polls_passes_the_wake_up_on() {
    let (policy, _time) = fair(1_000);
    for policy in [Policy::Barging, policy] {
        let (mutex, log) = observed((), policy.clone());
        let (p1, p2, p3) = (Probe::new(), Probe::new(), Probe::new());
        let held = mutex.try_lock_tagged(Tag(0)).unwrap();
        let mut a = Box::pin(mutex.lock_tagged(Tag(1)));
        let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
        let mut c = Box::pin(mutex.lock_tagged(Tag(3)));
        assert!(p1.poll(a.as_mut()).is_pending());
        assert!(p2.poll(b.as_mut()).is_pending());
        assert!(p3.poll(c.as_mut()).is_pending());
        drop(held);
        assert_eq!((p1.wakes(), p2.wakes()), (1, 0));
        drop(a); // woken, never polled
        assert_eq!(p2.wakes(), 1, "{policy:?}: the wake-up was lost with the dropped waiter");
        assert_eq!(p3.wakes(), 0, "one wake-up, to the new head");
        assert_eq!(mutex.waiters(), [Tag(2), Tag(3)]);
        assert!(p2.poll(b.as_mut()).is_ready());
        assert_eq!(p3.wakes(), 1);
        assert!(p3.poll(c.as_mut()).is_ready());
        let events = log.take();
        assert_eq!(events[7..9], [Released { tag: Tag(0) }, Cancelled { tag: Tag(1) }]);
        assert!(!mutex.is_locked());
        assert_eq!(p1.held_elsewhere() + p2.held_elsewhere() + p3.held_elsewhere(), 0, "no waker kept");
    }
}

#[test]
fn a_woken_barging_waiter_dropped_while_someone_barged_in_leaves_the_wake_up_to_the_release() {
    let mutex = PolicyMutex::new((), Policy::Barging);
    let (p1, p2) = (Probe::new(), Probe::new());
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let mut a = Box::pin(mutex.lock_tagged(Tag(1)));
    let mut b = Box::pin(mutex.lock_tagged(Tag(2)));
    assert!(p1.poll(a.as_mut()).is_pending());
    assert!(p2.poll(b.as_mut()).is_pending());
    drop(held); // wakes #1
    let barger = mutex.try_lock_tagged(Tag(3)).unwrap();
    drop(a); // woken, dropped; the lock is held: no need to wake #2 yet
    assert_eq!(p2.wakes(), 0);
    drop(barger); // this release wakes the new head
    assert_eq!(p2.wakes(), 1);
    assert!(p2.poll(b.as_mut()).is_ready());
}

#[test]
fn a_future_never_polled_does_not_queue_and_its_drop_does_nothing() {
    let (mutex, log) = observed((), Policy::Lifo);
    let held = mutex.try_lock_tagged(Tag(0)).unwrap();
    let fut = mutex.lock_tagged(Tag(1));
    assert_eq!(mutex.waiters(), []);
    drop(fut);
    drop(held);
    assert_eq!(log.take(), [Taken { tag: Tag(0) }, Released { tag: Tag(0) }]);
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_a_completed_future_panics() {
    let mutex = PolicyMutex::new((), Policy::Barging);
    let mut fut = Box::pin(mutex.lock());
    let Poll::Ready(g) = poll_noop(fut.as_mut()) else { panic!() };
    drop(g);
    let _ = poll_noop(fut.as_mut());
}

// ---------------------------------------------------------------- wakers

#[test]
fn a_changed_waker_replaces_the_old_one() {
    for policy in [Policy::Barging, Policy::Lifo] {
        let mutex = PolicyMutex::new((), policy);
        let (old, new) = (Probe::new(), Probe::new());
        let held = mutex.try_lock().unwrap();
        let mut fut = Box::pin(mutex.lock());
        assert!(old.poll(fut.as_mut()).is_pending());
        assert!(new.poll(fut.as_mut()).is_pending());
        assert!(new.poll(fut.as_mut()).is_pending(), "a re-poll does not queue twice");
        assert_eq!(mutex.waiters().len(), 1);
        assert_eq!((old.held_elsewhere(), new.held_elsewhere()), (0, 1));
        drop(held);
        assert_eq!((old.wakes(), new.wakes()), (0, 1));
    }
}

// ---------------------------------------------------------------- owned guards, misc

#[test]
fn owned_guards_move_across_threads() {
    for policy in [Policy::Barging, Policy::Lifo, fair(1).0] {
        let mutex = Arc::new(PolicyMutex::new(String::from("a"), policy));
        let guard: OwnedPolicyMutexGuard<String> = futures::executor::block_on(mutex.clone().lock_owned_tagged(Tag(5)));
        assert_eq!(guard.tag(), Tag(5));
        assert!(Arc::ptr_eq(guard.mutex(), &mutex));
        assert_eq!(mutex.holder(), Some(Tag(5)));
        std::thread::spawn(move || {
            let mut guard = guard;
            guard.push('b');
        })
        .join()
        .unwrap();
        assert_eq!(futures::executor::block_on(mutex.lock()).as_str(), "ab");
        let g = mutex.clone().try_lock_owned_tagged(Tag(6)).unwrap();
        assert!(mutex.clone().try_lock_owned().is_err());
        drop(g);
        assert!(mutex.clone().lock_owned().now_or_never().is_some());
    }
}

#[test]
fn a_panic_while_holding_the_guard_releases_the_lock() {
    let mutex = Arc::new(PolicyMutex::new(1, Policy::Lifo));
    let m = mutex.clone();
    let result = std::thread::spawn(move || {
        let mut guard = futures::executor::block_on(m.lock());
        *guard = 2;
        panic!("boom while holding the guard");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(*mutex.try_lock().expect("released by the unwinding guard"), 2);
}

#[test]
fn debug_get_mut_into_inner_policy() {
    let (policy, _time) = fair(7);
    assert_eq!(format!("{policy:?}"), "EventuallyFair { after_ms: 7, time: .. }");
    assert_eq!(format!("{:?}", Policy::Lifo), "Lifo");
    let (mutex, log) = observed(5, Policy::Barging);
    assert_eq!(format!("{mutex:?}"), "PolicyMutex { policy: Barging, data: 5 }");
    let g = mutex.try_lock().unwrap();
    assert_eq!(format!("{g:?}"), "5");
    assert_eq!(format!("{mutex:?}"), "PolicyMutex { policy: Barging, data: <locked> }");
    let fut = mutex.lock_tagged(Tag(1));
    assert_eq!(format!("{fut:?}"), "PolicyLock { tag: Tag(1), wait: Idle }");
    drop((g, fut));
    assert_eq!(log.take(), [Taken { tag: Tag::UNTAGGED }, Released { tag: Tag::UNTAGGED }], "Debug reports nothing");
    let mut mutex = PolicyMutex::new(1u8, Policy::Lifo);
    *mutex.get_mut() += 1;
    assert!(matches!(mutex.policy(), Policy::Lifo));
    assert_eq!(mutex.into_inner(), 2);
}

#[test]
fn unsized_values() {
    let mutex: Arc<PolicyMutex<[u8]>> = Arc::new(PolicyMutex::new([0u8; 3], Policy::Barging));
    futures::executor::block_on(mutex.lock())[1] = 7;
    assert_eq!(&*mutex.try_lock().unwrap(), &[0, 7, 0]);
}

/// The documented Send/Sync bounds, the same as the Mutex's.
#[test]
fn auto_traits_are_as_documented() {
    use std::cell::Cell;
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    fn send_val<T: Send>(_: &T) {}
    send::<PolicyMutex<Cell<u32>>>();
    sync::<PolicyMutex<Cell<u32>>>();
    send::<PolicyMutexGuard<'static, Cell<u32>>>();
    sync::<PolicyMutexGuard<'static, u32>>();
    send::<OwnedPolicyMutexGuard<Cell<u32>>>();
    sync::<OwnedPolicyMutexGuard<u32>>();
    send::<Policy>();
    sync::<Policy>();
    let m = Arc::new(PolicyMutex::new(Cell::new(1), Policy::Barging));
    send_val(&m.lock());
    send_val(&m.clone().lock_owned());
}

/// Mutual exclusion with real threads, every policy, tagged locks and try_locks.
#[test]
fn many_threads_never_share_the_guard() {
    for policy in [Policy::Barging, Policy::Lifo, fair(0).0, fair(1).0] {
        let mutex = Arc::new(PolicyMutex::new((0u64, false), policy));
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let m = mutex.clone();
                std::thread::spawn(move || {
                    for i in 0..1_000u64 {
                        let mut g = match m.try_lock_tagged(Tag(t)) {
                            Ok(g) if i % 3 == 0 => g,
                            Ok(g) => {
                                drop(g);
                                futures::executor::block_on(m.lock_tagged(Tag(t)))
                            }
                            Err(_) => futures::executor::block_on(m.lock_tagged(Tag(t))),
                        };
                        assert!(!g.1, "two holders at once");
                        g.1 = true;
                        g.0 += 1;
                        std::hint::spin_loop();
                        g.1 = false;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(mutex.try_lock().unwrap().0, 6_000);
    }
}

// ---------------------------------------------------------------- re-entrancy

#[test]
fn a_waker_that_releases_the_lock_is_dropped_outside_the_queue_lock() {
    for policy in [Policy::Barging, Policy::Lifo] {
        within_deadline("re-poll with a new waker", move || {
            let mutex = Arc::new(PolicyMutex::new(0u32, policy));
            let guard = mutex.clone().try_lock_owned_tagged(Tag(1)).unwrap();
            let mut waiter = Box::pin(mutex.clone().lock_owned_tagged(Tag(2)));
            assert!(poll_with(&mut waiter, &owning_waker(guard)).is_pending());
            // Replacing the stored waker drops the guard: the release must not deadlock.
            let noop = futures::task::noop_waker();
            let _ = poll_with(&mut waiter, &noop);
            assert!(matches!(poll_with(&mut waiter, &noop), Poll::Ready(ref g) if g.tag() == Tag(2)));
        });
    }
}

#[test]
fn a_cancelled_waiters_waker_that_releases_the_lock_is_dropped_outside_the_queue_lock() {
    for policy in [Policy::Barging, Policy::Lifo] {
        within_deadline("cancel", move || {
            let mutex = Arc::new(PolicyMutex::new(0u32, policy));
            let guard = mutex.clone().try_lock_owned_tagged(Tag(1)).unwrap();
            let mut first = Box::pin(mutex.clone().lock_owned_tagged(Tag(2)));
            let mut second = Box::pin(mutex.clone().lock_owned_tagged(Tag(3)));
            assert!(poll_with(&mut first, &owning_waker(guard)).is_pending());
            assert!(poll_with(&mut second, &futures::task::noop_waker()).is_pending());
            drop(first); // drops the guard in its waker: the lock goes on to #3
            assert!(second.now_or_never().is_some());
            assert!(!mutex.is_locked());
        });
    }
}

/// An observer that reads its mutex back on every event.
#[derive(Default)]
struct Reentrant {
    mutex: OnceLock<Weak<PolicyMutex<u32, Arc<Reentrant>>>>,
    seen: StdMutex<Vec<Seen>>,
}

/// An event, with the queue and the holder the observer read back when it came.
type Seen = (LockEvent, Vec<Tag>, Option<Tag>);

impl Observer for Reentrant {
    fn on_event(&self, event: LockEvent) {
        let mutex = self.mutex.get().and_then(Weak::upgrade).expect("set before use");
        let (waiters, holder) = (mutex.waiters(), mutex.holder());
        self.seen.lock().unwrap().push((event, waiters, holder));
    }
}

#[test]
fn an_observer_may_call_back_into_its_mutex() {
    within_deadline("observer", || {
        let observer = Arc::new(Reentrant::default());
        let mutex = Arc::new(PolicyMutex::with_observer(0u32, Policy::Lifo, observer.clone()));
        observer.mutex.set(Arc::downgrade(&mutex)).ok().unwrap();
        let first = mutex.try_lock_tagged(Tag(1)).unwrap();
        let mut second = Box::pin(mutex.lock_tagged(Tag(2)));
        assert!(poll_noop(second.as_mut()).is_pending());
        drop(first);
        drop(second.now_or_never().expect("handed over"));
        let seen = observer.seen.lock().unwrap().clone();
        // Each event is reported after it took effect.
        assert_eq!(seen[2], (Enqueued { tag: Tag(2), position: 0 }, vec![Tag(2)], Some(Tag(1))));
        assert_eq!(seen[4], (Acquired { tag: Tag(2) }, vec![], Some(Tag(2))));
    });
}

/// A clock that asks the mutex for its queue: it is called outside the internal lock.
struct NosyClock(OnceLock<Weak<PolicyMutex<()>>>);

impl TimeSource for NosyClock {
    fn now_ms(&self) -> u64 {
        if let Some(m) = self.0.get().and_then(Weak::upgrade) {
            let _ = (m.waiters(), m.holder());
        }
        1_000
    }
}

#[test]
fn the_time_source_may_call_back_into_its_mutex() {
    within_deadline("time source", || {
        let clock = Arc::new(NosyClock(OnceLock::new()));
        let mutex = Arc::new(PolicyMutex::new((), Policy::EventuallyFair { after_ms: 0, time: clock.clone() }));
        clock.0.set(Arc::downgrade(&mutex)).ok().unwrap();
        let held = mutex.try_lock_tagged(Tag(1)).unwrap();
        let mut a = Box::pin(mutex.lock_tagged(Tag(2)));
        let mut b = Box::pin(mutex.lock_tagged(Tag(3)));
        assert!(poll_noop(a.as_mut()).is_pending());
        assert!(poll_noop(b.as_mut()).is_pending());
        drop(held);
        drop(a); // refuses the hand-over: the clock is read again
        assert!(b.now_or_never().is_some());
    });
}

// ---------------------------------------------------------------- the property

#[derive(Clone, Debug)]
enum Op {
    /// Task `i` makes a lock future and polls it once (if it has nothing going on).
    Lock(usize),
    /// Task `i` tries to lock (if it has nothing going on).
    TryLock(usize),
    /// Task `i`'s lock future is polled, woken or not.
    Poll(usize),
    /// Task `i` drops what it has: its guard (a release) or its future (a cancel).
    Drop(usize),
    /// The clock moves on.
    Tick(u64),
}

const TASKS: usize = 4;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..TASKS).prop_map(Op::Lock),
        2 => (0..TASKS).prop_map(Op::TryLock),
        3 => (0..TASKS).prop_map(Op::Poll),
        4 => (0..TASKS).prop_map(Op::Drop),
        1 => (1..8u64).prop_map(Op::Tick),
    ]
}

type Fut<'a> = Pin<Box<mutex_playground::sync::PolicyLock<'a, (), Arc<Recorder>>>>;

enum Task<'a> {
    Idle,
    Waiting(Fut<'a>),
    Holding(PolicyMutexGuard<'a, (), Arc<Recorder>>),
}

struct World<'a> {
    mutex: &'a PolicyMutex<(), Arc<Recorder>>,
    tasks: Vec<Task<'a>>,
    probes: Vec<Probe>,
    /// Each task's wake count when it was last polled.
    seen_wakes: Vec<usize>,
}

impl<'a> World<'a> {
    fn poll(&mut self, i: usize) {
        let Task::Waiting(fut) = &mut self.tasks[i] else { return };
        self.seen_wakes[i] = self.probes[i].wakes();
        if let Poll::Ready(g) = self.probes[i].poll(fut.as_mut()) {
            assert_eq!(g.tag(), Tag(i as u64));
            self.tasks[i] = Task::Holding(g);
        }
    }

    fn apply(&mut self, op: &Op, time: &ManualTime) {
        match *op {
            Op::Lock(i) => {
                if matches!(self.tasks[i], Task::Idle) {
                    self.tasks[i] = Task::Waiting(Box::pin(self.mutex.lock_tagged(Tag(i as u64))));
                    self.poll(i);
                }
            }
            Op::TryLock(i) => {
                if matches!(self.tasks[i], Task::Idle) {
                    if let Ok(g) = self.mutex.try_lock_tagged(Tag(i as u64)) {
                        self.tasks[i] = Task::Holding(g);
                    }
                }
            }
            Op::Poll(i) => self.poll(i),
            Op::Drop(i) => self.tasks[i] = Task::Idle,
            Op::Tick(ms) => time.set(time.now_ms() + ms),
        }
    }

    fn check(&self) {
        let holding: Vec<usize> = (0..TASKS).filter(|&i| matches!(self.tasks[i], Task::Holding(_))).collect();
        assert!(holding.len() <= 1, "two guards at once: {holding:?}");
        let waiters = self.mutex.waiters();
        let holder = self.mutex.holder();
        if let [i] = holding[..] {
            assert_eq!(holder, Some(Tag(i as u64)));
        }
        for (i, task) in self.tasks.iter().enumerate() {
            let tag = Tag(i as u64);
            let queued = waiters.contains(&tag);
            match task {
                // A waiting future is queued, or was handed the lock (then it is the holder).
                Task::Waiting(_) => assert!(queued != (holder == Some(tag)), "{tag}: queued {queued}, {holder:?}"),
                Task::Holding(g) => {
                    assert_eq!(g.tag(), tag);
                    assert!(!queued, "{tag} is queued while it holds the lock");
                }
                Task::Idle => assert!(!queued, "{tag} is queued without a future"),
            }
        }
        if let Some(h) = holder {
            let i = h.0 as usize;
            assert!(!matches!(self.tasks[i], Task::Idle), "{h} holds the lock but has nothing");
        }
        if matches!(self.mutex.policy(), Policy::Lifo) && holder.is_none() {
            assert_eq!(waiters, [], "a Lifo lock is never free while anyone waits");
        }
    }

    /// Releases every guard, then runs like an executor: polls only the tasks woken since
    /// their last poll, releasing each guard at once, until nobody is woken. Everyone
    /// still waiting then would wait for ever.
    fn drain(&mut self) {
        for t in &mut self.tasks {
            if matches!(t, Task::Holding(_)) {
                *t = Task::Idle;
            }
        }
        for _ in 0..100 {
            let woken: Vec<usize> = (0..TASKS)
                .filter(|&i| matches!(self.tasks[i], Task::Waiting(_)) && self.probes[i].wakes() > self.seen_wakes[i])
                .collect();
            if woken.is_empty() {
                break;
            }
            for i in woken {
                self.poll(i);
                if matches!(self.tasks[i], Task::Holding(_)) {
                    self.tasks[i] = Task::Idle;
                }
                self.check();
            }
        }
        let stranded: Vec<usize> = (0..TASKS).filter(|&i| matches!(self.tasks[i], Task::Waiting(_))).collect();
        assert!(stranded.is_empty(), "waiters never woken: {stranded:?} (queue {:?})", self.mutex.waiters());
        assert!(!self.mutex.is_locked());
    }
}

/// Replays the events: never a second holder, every release by the holder.
fn check_events(events: &[LockEvent]) {
    let mut holder: Option<Tag> = None;
    let mut got: BTreeMap<Tag, u64> = BTreeMap::new();
    let mut released: BTreeMap<Tag, u64> = BTreeMap::new();
    for (n, event) in events.iter().enumerate() {
        match *event {
            Taken { tag } | Acquired { tag } => {
                assert_eq!(holder, None, "event {n}: {tag} got the lock while {holder:?} held it");
                holder = Some(tag);
                *got.entry(tag).or_default() += 1;
            }
            Released { tag } => {
                assert_eq!(holder, Some(tag), "event {n}: {tag} released a lock it did not hold");
                holder = None;
                *released.entry(tag).or_default() += 1;
            }
            _ => {}
        }
    }
    assert_eq!(holder, None);
    assert_eq!(got, released, "per tag, Taken + Acquired == Released");
}

fn run(policy: Policy, time: &ManualTime, ops: &[Op]) {
    let (mutex, log) = observed((), policy);
    let mut world = World {
        mutex: &mutex,
        tasks: (0..TASKS).map(|_| Task::Idle).collect(),
        probes: (0..TASKS).map(|_| Probe::new()).collect(),
        seen_wakes: vec![0; TASKS],
    };
    for op in ops {
        world.apply(op, time);
        world.check();
    }
    world.drain();
    drop(world);
    check_events(&log.take());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_acquisition_is_accounted_for_and_nobody_is_stranded(
        ops in proptest::collection::vec(op(), 0..60),
        after_ms in 0..12u64,
    ) {
        let time = ManualTime::default();
        run(Policy::Barging, &time, &ops);
        run(Policy::Lifo, &time, &ops);
        let time = Arc::new(ManualTime::default());
        run(Policy::EventuallyFair { after_ms, time: time.clone() }, &time, &ops);
    }
}

/// A value whose `Debug` panics: the silent lock `Debug` took is given back anyway.
#[test]
fn debug_that_panics_leaves_the_lock_free() {
    let mutex = PolicyMutex::new(common::PanickingDebug, Policy::Lifo);
    assert!(common::debug_panics(&mutex));
    assert!(mutex.try_lock().is_ok(), "Debug kept the lock");
}
