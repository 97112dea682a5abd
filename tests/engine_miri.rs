//! Small engine runs for Miri (`scripts/miri.sh`): the run's event sink takes no lock and
//! uses `unsafe` to do so; these exercise it through whole simulations and check that
//! using it from another thread is refused.

use mutex_playground::exec::{EventKind, Policy, Sink};
use mutex_playground::scenario::{hammer, preset};
use mutex_playground::trace::{simulate, EndReason};

#[test]
fn small_presets_run_under_miri() {
    let run = simulate(&preset("deadlock").unwrap().scenario, &Policy::Fifo).unwrap();
    assert!(matches!(run.end, EndReason::Deadlock { .. }));
    let run = simulate(&preset("lost-wakeup").unwrap().scenario, &Policy::Random { seed: 1 }).unwrap();
    assert!(matches!(run.end, EndReason::LostWakeup { .. }));
    assert!(run.snapshot_at(run.steps() / 2).tasks.len() == 4);
}

#[test]
fn folded_uncontended_cycles_under_miri() {
    // Lock and unlock with nothing between: the sink folds each task's cycles into one
    // event (held back in the sink, then written): all counted.
    let run = simulate(&hammer(3, 4, false), &Policy::Fifo).unwrap();
    assert_eq!(run.analysis().acquisitions, 12);
    assert!(run.events().iter().any(|e| matches!(e.kind, EventKind::Uncontended { times: 4, .. })));
}

#[test]
fn the_sink_refuses_other_threads() {
    let sink = Sink::new();
    sink.push(EventKind::Spawn { task: 0 });
    let other = sink.clone();
    let result = std::thread::spawn(move || other.push(EventKind::Spawn { task: 1 })).join();
    assert!(result.is_err(), "a push from another thread must panic, not race");
    assert_eq!(sink.event_count(), 1);
}
