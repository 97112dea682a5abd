//! The real-time driver runs the same task futures on another executor (here `futures`'
//! LocalPool with thread-backed timers; in the browser, spawn_local and gloo timers) and
//! prints what the deterministic simulation prints.
#![cfg(not(target_arch = "wasm32"))]

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use mutex_playground::exec::Policy;
use mutex_playground::scenario::{preset, Scenario};
use mutex_playground::trace::{drive_realtime, simulate};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A real sleep: a thread wakes the task after `dur`. Zero yields once, which on
/// LocalPool lets every ready task run first.
struct ThreadSleep {
    dur: Duration,
    started: Option<Arc<AtomicBool>>,
}

impl Future for ThreadSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.started {
            Some(done) if done.load(Ordering::SeqCst) => Poll::Ready(()),
            Some(_) => Poll::Pending,
            None => {
                let done = Arc::new(AtomicBool::new(false));
                self.started = Some(done.clone());
                let (dur, waker) = (self.dur, cx.waker().clone());
                if dur.is_zero() {
                    done.store(true, Ordering::SeqCst);
                    waker.wake();
                } else {
                    std::thread::spawn(move || {
                        std::thread::sleep(dur);
                        done.store(true, Ordering::SeqCst);
                        waker.wake();
                    });
                }
                Poll::Pending
            }
        }
    }
}

fn realtime(id: &str, scale: f64) -> Vec<String> {
    realtime_of(&preset(id).unwrap().scenario, scale)
}

fn realtime_of(scenario: &Scenario, scale: f64) -> Vec<String> {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    pool.run_until(drive_realtime(
        scenario,
        scale,
        |task| spawner.spawn_local(task).expect("spawn"),
        |dur| ThreadSleep { dur, started: None },
    ))
    .expect("valid")
}

fn simulated(id: &str) -> Vec<String> {
    simulate(&preset(id).unwrap().scenario, &Policy::Fifo).unwrap().transcript().into_iter().map(|l| l.text).collect()
}

#[test]
fn reader_writer_in_real_time_prints_what_the_simulation_prints() {
    let real = realtime("reader-writer", 0.002);
    let sim = simulated("reader-writer");
    assert!(real.len() >= 17, "{real:#?}");
    // Both stop just past the 3.5 s limit; the last instant may differ by a line or two.
    let n = sim.len().min(real.len()) - 2;
    assert_eq!(real[..n], sim[..n]);
}

#[test]
fn every_preset_ends_in_real_time_too() {
    for id in ["counter", "deadlock", "lost-wakeup", "std-mutex-across-await", "fairness"] {
        let real = realtime(id, 0.0);
        assert_eq!(real, simulated(id), "{id}");
    }
}

/// The joins work on another executor too: main waits for each worker by its handle,
/// then for all, and prints when they are done, as the simulation does.
#[test]
fn a_main_that_joins_prints_in_real_time_what_the_simulation_prints() {
    let s = Scenario::from_json(
        r#"{"name": "joins", "mutexes": [{"name": "n", "initial": 0}], "tasks": [
            {"name": "main", "main": true, "steps": [
                {"op": "join", "task": 2}, {"op": "print", "text": "quick is done"},
                {"op": "join"}, {"op": "assert", "mutex": "n", "until": {"kind": "equals", "value": 2}},
                {"op": "print", "text": "all done"}]},
            {"name": "slow", "steps": [{"op": "sleep", "ms": 30},
                {"op": "locked_write", "mutex": "n", "action": {"kind": "increment"}},
                {"op": "print", "text": "slow"}]},
            {"name": "quick", "steps": [{"op": "sleep", "ms": 5},
                {"op": "locked_write", "mutex": "n", "action": {"kind": "increment"}},
                {"op": "print", "text": "quick"}]}
        ]}"#,
    )
    .unwrap();
    let sim: Vec<String> = simulate(&s, &Policy::Fifo).unwrap().transcript().into_iter().map(|l| l.text).collect();
    assert_eq!(sim, ["quick", "quick is done", "slow", "all done"]);
    assert_eq!(realtime_of(&s, 1.0), sim);
}

/// The other lock kinds in real time: the same transcripts. An eventually fair lock
/// measures its waiters' waits by the run's clock, which the driver moves from timer to
/// timer: polite gets the lock once it has waited 10 ms, as in the simulation, not last
/// (which is what barging gives it).
#[test]
fn the_lock_kinds_print_in_real_time_what_the_simulation_prints() {
    for id in ["rwlock", "semaphore", "select", "cancel-safety", "convoy"] {
        assert_eq!(realtime(id, 0.0), simulated(id), "{id}");
    }
    let rounds = |kind: &str| {
        Scenario::from_json(&format!(
            r#"{{"name": "rounds", "mutexes": [{{"name": "m", "kind": "{kind}"}}], "tasks": [
                {{"name": "greedy", "repeat": 5, "steps": [{{"op": "lock", "mutex": "m"}},
                    {{"op": "print", "text": "greedy"}}, {{"op": "sleep", "ms": 10}},
                    {{"op": "unlock", "mutex": "m"}}]}},
                {{"name": "polite", "start_ms": 1, "steps": [{{"op": "lock", "mutex": "m"}},
                    {{"op": "print", "text": "polite"}}]}}]}}"#
        ))
        .unwrap()
    };
    let transcript = |s: &Scenario| -> Vec<String> {
        simulate(s, &Policy::Fifo).unwrap().transcript().into_iter().map(|l| l.text).collect()
    };
    let (barging, fair) = (rounds("barging"), rounds("eventually_fair"));
    assert_eq!(transcript(&barging).last().map(String::as_str), Some("polite"));
    let sim = transcript(&fair);
    assert_ne!(sim.last().map(String::as_str), Some("polite"), "{sim:?}");
    assert_eq!(realtime_of(&fair, 0.0), sim);
    assert_eq!(realtime_of(&barging, 0.0), transcript(&barging));
}

#[test]
fn a_bad_time_scale_is_an_error() {
    let scenario = preset("counter").unwrap().scenario;
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let err = pool
        .run_until(drive_realtime(
            &scenario,
            f64::NAN,
            |t| spawner.spawn_local(t).unwrap(),
            |dur| ThreadSleep { dur, started: None },
        ))
        .unwrap_err();
    assert!(err.to_string().starts_with("time_scale: "), "{err}");
}
