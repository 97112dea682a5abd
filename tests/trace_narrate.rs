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
