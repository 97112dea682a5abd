//! What the analysis says of the presets: a wait that never ends is a wait, runs in which
//! no virtual time passes are measured in steps, and under our FIFO Mutex nobody is ever
//! overtaken (by a task that asked for the lock after it), whatever the scenario.

use mutex_playground::exec::{EventKind, Policy};
use mutex_playground::scenario::{preset, Scenario};
use mutex_playground::trace::{simulate, EndReason};

#[cfg(not(target_arch = "wasm32"))]
mod gen;

#[test]
fn after_a_deadlock_each_task_is_still_waiting_and_holding_at_the_end() {
    let run = simulate(&preset("deadlock").unwrap().scenario, &Policy::Fifo).unwrap();
    assert!(matches!(run.end, EndReason::Deadlock { .. }), "{:?}", run.end);
    let a = run.analysis();
    for (t, s) in a.tasks.iter().enumerate() {
        assert!(s.waiting_at_end, "task {t} is not marked as waiting forever: {s:?}");
        assert!(s.holding_at_end, "task {t} is not marked as holding at the end: {s:?}");
        assert!(s.hold_steps_total >= s.wait_steps_max, "task {t} held its first lock all along: {s:?}");
    }
    // The first to wait has waited steps by the end (the second began at the last step).
    assert!(a.tasks.iter().any(|s| s.wait_steps_max >= 1), "{:?}", a.tasks);
}

#[test]
fn a_run_without_virtual_time_is_measured_in_steps() {
    let run = simulate(&preset("counter").unwrap().scenario, &Policy::Fifo).unwrap();
    assert_eq!(run.duration(), 0, "the counter is meant to take no virtual time");
    let a = run.analysis();
    assert!(a.tasks.iter().all(|s| s.wait_total == 0));
    assert!(a.tasks.iter().any(|s| s.wait_steps_total > 0), "nobody waited a step: {:?}", a.tasks);
    assert!(a.tasks.iter().all(|s| !s.waiting_at_end && !s.holding_at_end));
}

#[test]
fn a_finished_run_leaves_no_wait_or_hold_open() {
    let run = simulate(&preset("fairness").unwrap().scenario, &Policy::Fifo).unwrap();
    assert_eq!(run.end, EndReason::Finished);
    for s in &run.analysis().tasks {
        assert!(!s.waiting_at_end && !s.holding_at_end, "{s:?}");
        assert!(s.wait_steps_max <= s.wait_steps_total && s.hold_steps_max <= s.hold_steps_total);
    }
}

#[test]
fn the_choices_left_in_the_game_are_judged_by_trying_every_one() {
    use mutex_playground::trace::explore::{outlook, Ending, Outlook};
    let deadlock = preset("deadlock").unwrap().scenario;
    assert_eq!(outlook(&deadlock, &[], 1_000), Outlook::Decided(Ending::Deadlock));
    // Every preset either is decided, open, or too big to tell, and never panics.
    for p in mutex_playground::scenario::presets() {
        let _ = outlook(&p.scenario, &[], 200);
    }
    // A budget too small to see it through says so.
    let counter = preset("counter").unwrap().scenario;
    assert_eq!(outlook(&counter, &[], 5), Outlook::Unknown);
}

/// The counter is as contended as a preset gets: every task waits while the others take
/// the lock in turn. Nobody asked after a waiter and got in first, so the analysis and the
/// transcript's report say 0 for every task (the old count, acquisitions by others during
/// a wait, said 8).
#[test]
fn nobody_is_overtaken_in_the_counter() {
    let run = simulate(&preset("counter").unwrap().scenario, &Policy::Fifo).unwrap();
    let a = run.analysis();
    assert_eq!(a.tasks.len(), 10);
    for (t, s) in a.tasks.iter().enumerate() {
        assert_eq!((s.overtaken, s.max_overtaken), (0, 0), "task {t}: {s:?}");
    }
    // Others did get the lock while each task waited: what the old count counted.
    let mut taken = 0u64;
    let mut asked = [None; 10];
    let mut others_while_waiting = [0u64; 10];
    for e in run.events() {
        match e.kind {
            EventKind::LockRequested { task, .. } => asked[task as usize] = Some(taken),
            EventKind::Acquired { task, .. } => {
                if let Some(then) = asked[task as usize].take() {
                    others_while_waiting[task as usize] = others_while_waiting[task as usize].max(taken - then);
                }
                taken += 1;
            }
            EventKind::Uncontended { times, .. } => taken += u64::from(times),
            _ => {}
        }
    }
    assert!(others_while_waiting.iter().all(|&n| n > 0), "{others_while_waiting:?}");
    // The report's overtaken column: right-aligned under its header, 9 wide.
    let report = run.report();
    let mut lines = report.lines().skip_while(|l| !l.starts_with("task "));
    let header = lines.next().expect("the table's header");
    let column = header.find("overtaken").expect("an overtaken column");
    for t in 0..10 {
        let row = lines.next().expect("a row per task");
        assert!(row.starts_with(&format!("task {t} ")), "{report}");
        assert_eq!(row.get(column..column + 9).map(str::trim), Some("0"), "task {t}'s overtaken: {row}");
    }
}

/// Generated scenarios, natively (proptest is not built for the browser).
#[cfg(not(target_arch = "wasm32"))]
mod generated {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(gen::cases(200)))]

        /// Our FIFO Mutex (behind async and watch mutexes alike) hands a released lock to the
        /// task that asked first and lets no `try_lock` past a queue, our RwLock and
        /// Semaphore are FIFO too, and a blocking mutex stalls rather than queue: under the
        /// FIFO policy, tokio's and any random one, nobody is ever overtaken, in any
        /// generated scenario (its barging, LIFO and eventually fair mutexes made FIFO ones).
        #[test]
        fn nobody_is_ever_overtaken_under_our_fifo_mutex(s in gen::scenario(), seed in any::<u64>()) {
            let s = mutex_playground::trace::compare::under(&s, mutex_playground::scenario::MutexKind::Async);
            for policy in [Policy::Fifo, Policy::Tokio, Policy::Random { seed }] {
                let run = simulate(&s, &policy).expect("valid by construction");
                for (t, stats) in run.analysis().tasks.iter().enumerate() {
                    prop_assert_eq!(
                        (stats.overtaken, stats.max_overtaken),
                        (0, 0),
                        "task {} under {:?} ({} steps, {:?})",
                        t,
                        policy,
                        run.steps(),
                        run.end
                    );
                }
            }
        }
    }
}

/// The other policies do let a later task in first: LIFO serves the newest waiter, barging
/// whoever asks while the woken waiter has not run yet.
#[test]
fn lifo_and_barging_overtake() {
    use mutex_playground::scenario::MutexKind;
    // A holder, then three waiters queuing in order while it holds the lock.
    let s = Scenario::from_json(
        r#"{"name":"queue","mutexes":[{"name":"m","initial":0}],"tasks":[
          {"name":"holder","steps":[{"op":"lock","mutex":"m"},{"op":"sleep","ms":10},{"op":"unlock","mutex":"m"}]},
          {"name":"a","start_ms":1,"steps":[{"op":"locked_write","mutex":"m","action":{"kind":"increment"}}]},
          {"name":"b","start_ms":2,"steps":[{"op":"locked_write","mutex":"m","action":{"kind":"increment"}}]},
          {"name":"c","start_ms":3,"steps":[{"op":"locked_write","mutex":"m","action":{"kind":"increment"}}]}]}"#,
    )
    .unwrap();
    let overtaken = |kind| {
        let run = simulate(&mutex_playground::trace::compare::under(&s, kind), &Policy::Fifo).unwrap();
        run.analysis().tasks.iter().map(|t| t.overtaken).collect::<Vec<_>>()
    };
    assert_eq!(overtaken(MutexKind::Async), [0, 0, 0, 0]);
    // LIFO: c, then b, then a: a is overtaken by both, b by c.
    assert_eq!(overtaken(MutexKind::Lifo), [0, 2, 1, 0]);
}
