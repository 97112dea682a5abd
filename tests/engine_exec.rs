//! The executor on its own: wakes, who woke whom, lost wake-ups seen from the real
//! waker, policies, and running to a time or to the end.

use mutex_playground::exec::{
    yield_now, Clock, EventKind, Executor, MutexObserver, Policy, RunLimits, Sink, StepOutcome, Stop, WokenBy,
};
use mutex_playground::sync::{Mutex, Tag};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};

fn events(sink: &Sink) -> Vec<EventKind> {
    sink.take().events.into_iter().map(|e| e.kind).collect()
}

#[test]
fn a_task_is_polled_only_when_woken_and_the_waker_is_recorded() {
    let sink = Sink::new();
    let clock = Clock::new();
    let mut ex = Executor::new(clock.clone(), sink.clone(), Policy::Fifo);
    let m = Arc::new(Mutex::new(0));
    let (m0, m1, c) = (m.clone(), m.clone(), clock.clone());
    ex.spawn(Box::pin(async move {
        let _g = m0.lock_tagged(Tag(0)).await;
        c.sleep(10).await;
    }));
    ex.spawn(Box::pin(async move {
        *m1.lock_tagged(Tag(1)).await += 1;
    }));
    assert_eq!(ex.run_to_end(RunLimits::default()), Stop::Finished);
    let ev = events(&sink);
    // Task 1 was woken by the timer-woken task 0 releasing the lock: polls are 0, 1, 0, 1.
    let polls: Vec<u32> =
        ev.iter().filter_map(|e| if let EventKind::Poll { task } = e { Some(*task) } else { None }).collect();
    assert_eq!(polls, vec![0, 1, 0, 1]);
    assert!(ev.contains(&EventKind::Woken { task: 0, by: WokenBy::Timer }));
    assert!(ev.contains(&EventKind::Woken { task: 1, by: WokenBy::Task(0) }));
    assert_eq!(clock.now(), 10);
    assert!(!ev.iter().any(|e| matches!(e, EventKind::LostWakeup { .. })));
}

#[test]
fn pending_with_nobody_holding_the_waker_is_a_lost_wakeup() {
    let sink = Sink::new();
    let mut ex = Executor::new(Clock::new(), sink.clone(), Policy::Fifo);
    // Returns Pending and keeps no waker anywhere.
    ex.spawn(Box::pin(std::future::poll_fn(|_| Poll::<()>::Pending)));
    // Returns Pending, leaving its waker with someone who could wake it.
    let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
    let k = kept.clone();
    ex.spawn(Box::pin(std::future::poll_fn(move |cx| {
        *k.borrow_mut() = Some(cx.waker().clone());
        Poll::<()>::Pending
    })));
    assert_eq!(ex.step(), StepOutcome::Polled(0));
    assert_eq!(ex.step(), StepOutcome::Polled(1));
    assert_eq!(ex.step(), StepOutcome::Quiescent);
    let ev = events(&sink);
    let lost: Vec<_> = ev.iter().filter(|e| matches!(e, EventKind::LostWakeup { .. })).collect();
    assert_eq!(lost, vec![&EventKind::LostWakeup { task: 0 }]);
    // Waking the second from outside makes it ready again.
    kept.borrow_mut().take().unwrap().wake();
    assert_eq!(ex.ready(), vec![1]);
}

#[test]
fn a_task_that_yields_is_not_lost() {
    let sink = Sink::new();
    let mut ex = Executor::new(Clock::new(), sink.clone(), Policy::Fifo);
    ex.spawn(Box::pin(async { yield_now().await }));
    assert_eq!(ex.run_to_end(RunLimits::default()), Stop::Finished);
    let ev = events(&sink);
    assert!(ev.contains(&EventKind::Woken { task: 0, by: WokenBy::Task(0) }));
    assert!(!ev.iter().any(|e| matches!(e, EventKind::LostWakeup { .. })));
}

fn yielders(policy: Policy) -> Vec<u32> {
    let mut ex = Executor::new(Clock::new(), Sink::new(), policy);
    for _ in 0..5 {
        ex.spawn(Box::pin(async {
            for _ in 0..5 {
                yield_now().await;
            }
        }));
    }
    ex.run_to_end(RunLimits::default());
    ex.choices().to_vec()
}

#[test]
fn random_policy_is_seeded_and_replayable() {
    let a = yielders(Policy::Random { seed: 1 });
    assert_eq!(a, yielders(Policy::Random { seed: 1 }));
    assert_ne!(a, yielders(Policy::Random { seed: 2 }));
    assert_ne!(a, yielders(Policy::Fifo));
    assert_eq!(yielders(Policy::Manual { choices: a.clone() }), a);
}

fn yield_twice(policy: Policy) -> Vec<u32> {
    let mut ex = Executor::new(Clock::new(), Sink::new(), policy);
    for _ in 0..3 {
        ex.spawn(Box::pin(async {
            yield_now().await;
            yield_now().await;
        }));
    }
    assert_eq!(ex.run_to_end(RunLimits::default()), Stop::Finished);
    ex.choices().to_vec()
}

#[test]
fn the_tokio_policy_holds_yielders_back_until_the_queue_is_empty_then_runs_them_newest_first() {
    assert_eq!(yield_twice(Policy::Fifo), [0, 1, 2, 0, 1, 2, 0, 1, 2]);
    assert_eq!(yield_twice(Policy::Tokio), [0, 1, 2, 2, 1, 0, 0, 1, 2]);
    // Held-back tasks are still ready, listed after the queue in the order they rejoin it.
    let mut ex = Executor::new(Clock::new(), Sink::new(), Policy::Tokio);
    for _ in 0..3 {
        ex.spawn(Box::pin(async { yield_now().await }));
    }
    ex.step();
    ex.step();
    assert_eq!(ex.ready(), [2, 1, 0]);
}

#[test]
fn a_manual_run_goes_on_with_each_choice_added() {
    let mut ex = Executor::new(Clock::new(), Sink::new(), Policy::Manual { choices: vec![] });
    for _ in 0..2 {
        ex.spawn(Box::pin(async { yield_now().await }));
    }
    assert_eq!(ex.step(), StepOutcome::NeedChoice(vec![0, 1]));
    ex.choose(1);
    assert_eq!(ex.step(), StepOutcome::Polled(1));
    assert_eq!(ex.step(), StepOutcome::NeedChoice(vec![0, 1]));
    // Other policies choose for themselves.
    let mut fifo = Executor::new(Clock::new(), Sink::new(), Policy::Fifo);
    fifo.spawn(Box::pin(async {}));
    fifo.choose(7);
    assert_eq!(fifo.step(), StepOutcome::Polled(0));
}

#[test]
fn manual_policy_asks_when_out_of_choices() {
    let mut ex = Executor::new(Clock::new(), Sink::new(), Policy::Manual { choices: vec![2] });
    for _ in 0..3 {
        ex.spawn(Box::pin(async { yield_now().await }));
    }
    assert_eq!(ex.step(), StepOutcome::Polled(2));
    assert_eq!(ex.step(), StepOutcome::NeedChoice(vec![0, 1, 2]));
    assert_eq!(ex.run_to_end(RunLimits::default()), Stop::NeedChoice(vec![0, 1, 2]));
}

#[test]
fn busy_work_moves_the_clock_without_yielding_and_run_until_stops_at_a_time() {
    let clock = Clock::new();
    let mut ex = Executor::new(clock.clone(), Sink::new(), Policy::Fifo);
    let c = clock.clone();
    ex.spawn(Box::pin(async move {
        c.advance(30); // busy: no yield
        c.sleep(100).await;
    }));
    assert_eq!(ex.run_until(50), Stop::TimeReached);
    assert_eq!((clock.now(), ex.steps()), (50, 1));
    assert_eq!(ex.run_until(129), Stop::TimeReached);
    assert_eq!(ex.run_until(130), Stop::Finished);
    assert_eq!(clock.now(), 130);
}

#[test]
fn run_to_end_honours_the_limits() {
    let clock = Clock::new();
    let mut ex = Executor::new(clock.clone(), Sink::new(), Policy::Fifo);
    let c = clock.clone();
    ex.spawn(Box::pin(async move {
        loop {
            c.sleep(10).await;
        }
    }));
    assert_eq!(ex.run_to_end(RunLimits { max_steps: 1_000, max_time_ms: 95 }), Stop::TimeLimit);
    assert_eq!(clock.now(), 100);
    assert_eq!(ex.run_to_end(RunLimits { max_steps: 20, max_time_ms: 10_000 }), Stop::StepLimit);
    assert_eq!(ex.steps(), 20);
}

/// The lock events of mutex 0 as the sink writes them.
fn traced_mutex(sink: &Arc<Sink>) -> Mutex<i32, MutexObserver> {
    Mutex::with_observer(0, MutexObserver { mutex: 0, sink: sink.clone() })
}

#[test]
fn uncontended_cycles_are_written_as_one_event_in_their_place() {
    let sink = Sink::new();
    let m = traced_mutex(&sink);
    let other = Mutex::with_observer(0, MutexObserver { mutex: 1, sink: sink.clone() });
    futures::executor::block_on(async {
        for _ in 0..5 {
            drop(m.lock_tagged(Tag(3)).await);
        }
        sink.push(EventKind::Print { task: 3, line: 0 });
        drop(m.lock_tagged(Tag(3)).await);
        drop(other.lock_tagged(Tag(3)).await); // another mutex: another run
        drop(m.lock_tagged(Tag(4)).await); // another task: another run
                                           // Held while something else is recorded: written in full.
        let g = m.lock_tagged(Tag(3)).await;
        sink.push(EventKind::Value { mutex: 0, value: 0 });
        drop(g);
        // Still open at the end: written when the events are read.
        let _open = m.lock_tagged(Tag(5)).await;
        use EventKind::*;
        assert_eq!(
            events(&sink),
            [
                Uncontended { task: 3, mutex: 0, times: 5 },
                Print { task: 3, line: 0 },
                Uncontended { task: 3, mutex: 0, times: 1 },
                Uncontended { task: 3, mutex: 1, times: 1 },
                Uncontended { task: 4, mutex: 0, times: 1 },
                LockRequested { task: 3, mutex: 0 },
                Acquired { task: 3, mutex: 0 },
                Value { mutex: 0, value: 0 },
                Released { task: 3, mutex: 0 },
                LockRequested { task: 5, mutex: 0 },
                Acquired { task: 5, mutex: 0 },
            ]
        );
    });
}

#[test]
fn a_new_step_or_time_ends_a_run_of_cycles_and_keeps_its_stamp() {
    let sink = Sink::new();
    let m = traced_mutex(&sink);
    sink.set_now(1, 10);
    futures::executor::block_on(async {
        drop(m.lock_tagged(Tag(0)).await);
        drop(m.lock_tagged(Tag(0)).await);
        sink.set_now(2, 10);
        drop(m.lock_tagged(Tag(0)).await);
        sink.set_time(20);
        let g = m.lock_tagged(Tag(0)).await;
        sink.set_time(30);
        drop(g);
    });
    let stamped: Vec<(u32, u64, EventKind)> =
        sink.take().events.into_iter().map(|e| (e.step, e.time, e.kind)).collect();
    use EventKind::*;
    assert_eq!(
        stamped,
        [
            (1, 10, Uncontended { task: 0, mutex: 0, times: 2 }),
            (2, 10, Uncontended { task: 0, mutex: 0, times: 1 }),
            (2, 20, LockRequested { task: 0, mutex: 0 }),
            (2, 20, Acquired { task: 0, mutex: 0 }),
            (2, 30, Released { task: 0, mutex: 0 }),
        ]
    );
}

#[test]
fn contended_acquisitions_are_written_in_full() {
    let sink = Sink::new();
    let m = Arc::new(traced_mutex(&sink));
    let held = futures::executor::block_on(m.lock_tagged(Tag(1)));
    let mut waiter = Box::pin(m.lock_tagged(Tag(2)));
    let waker = futures::task::noop_waker();
    assert!(waiter.as_mut().poll(&mut std::task::Context::from_waker(&waker)).is_pending());
    assert!(m.try_lock_tagged(Tag(3)).is_err());
    drop(held);
    let std::task::Poll::Ready(g) = waiter.as_mut().poll(&mut std::task::Context::from_waker(&waker)) else {
        panic!("handed over")
    };
    drop(g);
    use EventKind::*;
    assert_eq!(
        events(&sink),
        [
            LockRequested { task: 1, mutex: 0 },
            Acquired { task: 1, mutex: 0 },
            LockRequested { task: 2, mutex: 0 },
            Enqueued { task: 2, mutex: 0, position: 0 },
            LockRequested { task: 3, mutex: 0 },
            TryFailed { task: 3, mutex: 0 },
            Released { task: 1, mutex: 0 },
            Acquired { task: 2, mutex: 0 },
            Released { task: 2, mutex: 0 },
        ]
    );
}
