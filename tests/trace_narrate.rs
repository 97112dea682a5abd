//! Each step in a sentence: what the screen-reader log says is what happened.
#![cfg(not(target_arch = "wasm32"))]

mod gen;

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{preset, presets};
use mutex_playground::trace::{narrate, simulate};
use proptest::prelude::*;

#[test]
fn a_hand_over_and_a_queue_are_said_as_they_happen() {
    let run = simulate(&preset("reader-writer").unwrap().scenario, &Policy::Fifo).unwrap();
    assert_eq!(narrate(&run, 0), "Before the first step: reader and writer are ready.");
    assert!(narrate(&run, 2).ends_with("writer asks for db and queues behind reader."), "{}", narrate(&run, 2));
    // Step 3: reader lets go, db goes to writer, and reader asks again, behind writer.
    let three = narrate(&run, 3);
    assert!(three.contains("reader releases db, handing it to writer"), "{three}");
    assert!(three.contains("reader asks for db and queues behind writer"), "{three}");
    let timeout = simulate(&preset("timeout").unwrap().scenario, &Policy::Fifo).unwrap();
    assert!(narrate(&timeout, 6).contains("impatient gives up waiting for m"), "{}", narrate(&timeout, 6));
    let stall = simulate(&preset("std-mutex-across-await").unwrap().scenario, &Policy::Fifo).unwrap();
    assert!(narrate(&stall, stall.steps()).contains("blocks the only thread"), "{}", narrate(&stall, stall.steps()));
}

#[test]
fn a_join_and_a_failed_assertion_are_said_as_they_happen() {
    let s = mutex_playground::scenario::Scenario::from_json(
        r#"{"name": "joins", "mutexes": [{"name": "count", "initial": 0}], "tasks": [
            {"name": "main", "main": true, "steps": [{"op": "join", "task": 1}, {"op": "join"},
                {"op": "assert", "mutex": "count", "until": {"kind": "equals", "value": 9}}]},
            {"name": "w", "steps": [{"op": "yield"}]},
            {"name": "v", "steps": [{"op": "sleep", "ms": 5}]}]}"#,
    )
    .unwrap();
    let run = simulate(&s, &Policy::Fifo).unwrap();
    let all: Vec<String> = (1..=run.steps()).map(|step| narrate(&run, step)).collect();
    assert_eq!(all[0], "Step 1 at 0 ms: main waits for w to finish.");
    let said = |words: &str| all.iter().any(|line| line.contains(words));
    assert!(said("main's join returns, then main waits for every other task to finish"), "{all:#?}");
    assert!(
        said(
            "main's assertion failed: count == 9 (it is 0): it panics and ends, dropping its guards, \
             then main finishes"
        ),
        "{all:#?}"
    );
}

#[test]
fn every_step_of_every_preset_is_one_line_that_names_its_step() {
    for p in presets() {
        let run = simulate(&p.scenario, &Policy::Fifo).unwrap();
        for step in 1..=run.steps().min(2_000) {
            let line = narrate(&run, step);
            assert!(line.starts_with(&format!("Step {step} at ")), "{}: {line}", p.id);
            assert!(line.ends_with('.') && !line.contains('\n'), "{}: {line}", p.id);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gen::cases(64)))]

    /// Any scenario, any step (past the end too): a sentence, never a panic.
    #[test]
    fn any_step_of_any_run_is_a_sentence(s in gen::scenario()) {
        let run = simulate(&s, &Policy::Fifo).unwrap();
        for step in 0..=run.steps() + 1 {
            let line = narrate(&run, step);
            prop_assert!(line.ends_with('.') && !line.contains('\n'), "{}", line);
        }
    }
}
