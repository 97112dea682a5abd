//! Each step in a sentence: what the screen-reader log says is what happened.
#![cfg(not(target_arch = "wasm32"))]

mod gen;

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{preset, presets, Scenario};
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

/// Every sentence of a run.
fn sentences(s: &Scenario) -> Vec<String> {
    let run = simulate(s, &Policy::Fifo).unwrap();
    (1..=run.steps()).map(|step| narrate(&run, step)).collect()
}

/// A holder that lets go of `m` at 40 ms, and a worker whose `steps` start at 10 ms; a
/// patient waiter queued from 20 ms if `patient`.
fn handed_at_40(kind: &str, worker: &str, patient: bool) -> Scenario {
    let patient = if patient {
        r#",{"name":"patient","start_ms":20,"steps":[{"op":"lock","mutex":"m"},{"op":"unlock","mutex":"m"}]}"#
    } else {
        ""
    };
    Scenario::from_json(&format!(
        r#"{{"name":"x","mutexes":[{{"name":"m","kind":"{kind}"}}],"tasks":[
            {{"name":"holder","steps":[{{"op":"lock","mutex":"m"}},{{"op":"sleep","ms":40}},
                {{"op":"unlock","mutex":"m"}}]}},
            {{"name":"worker","start_ms":10,"steps":{worker}}}{patient}]}}"#
    ))
    .unwrap()
}

/// The cancel-safety case: a lock handed to a task whose `select!` then drops its lock
/// future, in the same instant, is said as what it is; a lock handed over and then
/// released by its new holder is not.
#[test]
fn a_lock_future_dropped_with_the_lock_handed_to_it_is_said_so() {
    let run = simulate(&preset("cancel-safety").unwrap().scenario, &Policy::Fifo).unwrap();
    let all: Vec<String> = (1..=run.steps()).map(|step| narrate(&run, step)).collect();
    let said = all.iter().find(|l| l.contains("select!")).unwrap_or_else(|| panic!("{all:#?}"));
    assert!(
        said.starts_with(
            "Step 7 at 40 ms: worker's select! took the sleep branch: the lock future is dropped with m already \
             handed to it, so m passes on to patient (our locks are cancel safe), then worker prints"
        ),
        "{said}"
    );
    assert!(all[5].contains("holder releases m, handing it to worker"), "{}", all[5]);
    // Nobody waiting behind: the lock is free again. A semaphore's permit, an rwlock's lock.
    let select = r#"[{"op":"select","mutex":"m","ms":30}]"#;
    let alone = sentences(&handed_at_40("async", select, false));
    assert!(
        alone.iter().any(|l| l.contains("the lock future is dropped with m already handed to it, so m is free again")),
        "{alone:#?}"
    );
    let permits = sentences(&handed_at_40("semaphore", select, true));
    assert!(permits.iter().any(|l| l.contains("so its permit of m passes on to patient")), "{permits:#?}");
    let rw = sentences(&handed_at_40("rwlock", select, true));
    assert!(rw.iter().any(|l| l.contains("so m passes on to patient")), "{rw:#?}");
    // A lock handed over and released in its new holder's next poll was taken, not dropped:
    // a locked_write, a lock then an unlock, a select that gets the lock (its sleep is long).
    for worker in [
        r#"[{"op":"locked_write","mutex":"m","action":{"kind":"increment"}}]"#,
        r#"[{"op":"lock","mutex":"m"},{"op":"unlock","mutex":"m"}]"#,
        r#"[{"op":"select","mutex":"m","ms":300}]"#,
        r#"[{"op":"select","mutex":"m","ms":300,"locked":[{"op":"unlock","mutex":"m"}]}]"#,
        r#"[{"op":"lock_timeout","mutex":"m","ms":30},{"op":"unlock","mutex":"m"}]"#,
    ] {
        let all = sentences(&handed_at_40("async", worker, true));
        assert!(all.iter().all(|l| !l.contains("dropped")), "{worker}: {all:#?}");
        assert!(all.iter().any(|l| l.contains("worker releases m, handing it to patient")), "{worker}: {all:#?}");
    }
}

/// A lock taken at once while another task waits in its queue is said to barge past it;
/// our FIFO Mutex never lets that happen, so it is never said of it.
#[test]
fn a_barge_is_said_and_a_fifo_lock_never_barges() {
    use mutex_playground::scenario::MutexKind;
    use mutex_playground::trace::compare::under;
    let s = preset("barging-starvation").unwrap().scenario;
    let said = sentences(&s);
    let barges: Vec<&String> = said.iter().filter(|l| l.contains("barge")).collect();
    assert!(barges.iter().any(|l| l.contains("greedy takes lock ahead of polite, who waited first")), "{said:#?}");
    // Greedy re-takes the lock each round from the second on: nine barges past polite.
    assert_eq!(barges.len(), 9, "{barges:#?}");
    for p in presets() {
        let fifo = under(&p.scenario, MutexKind::Async);
        assert!(sentences(&fifo).iter().all(|l| !l.contains("barge")), "{}", p.id);
    }
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
