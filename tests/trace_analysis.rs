//! What the analysis says of the presets: a wait that never ends is a wait, and runs in
//! which no virtual time passes are measured in steps.

use mutex_playground::exec::Policy;
use mutex_playground::scenario::preset;
use mutex_playground::trace::{simulate, EndReason};

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
