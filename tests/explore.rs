//! The schedule explorer: its reductions lose no outcome, its schedules replay, and the
//! presets that need it find what their texts say.
#![cfg(not(target_arch = "wasm32"))]

#[path = "cases/mod.rs"]
mod cases;
mod gen;

use mutex_playground::exec::{Policy, TaskId};
use mutex_playground::scenario::{preset, Scenario};
use mutex_playground::trace::explore::{
    fork, minimise, outlook, replay, Ending, Explorer, Mode, Outcome, Outlook, Report,
};
use mutex_playground::trace::{simulate, EndReason, Run};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;

/// A small scenario whose tasks contend: 2–3 tasks, each one or two patterns on two
/// async mutexes (push its name under a guard held across a yield; read, let go, yield,
/// write what it read + 1; take two locks with a yield between; yield, then a locked
/// push; a `lock_timeout`). Such scenarios have several outcomes (orders of the pushes,
/// lost updates, deadlocks) and few enough schedules to try them all.
fn contended() -> impl Strategy<Value = Scenario> {
    let pattern = (0u8..5, any::<bool>(), any::<bool>());
    proptest::collection::vec(proptest::collection::vec(pattern, 1..3), 2..4).prop_map(|tasks| {
        let tasks = tasks.iter().enumerate().map(|(i, patterns)| {
            let steps: Vec<serde_json::Value> = patterns
                .iter()
                .flat_map(|&(kind, first, yields)| {
                    let (m, other) = if first { ("a", "b") } else { ("b", "a") };
                    // `a` holds a list (pushes keep their order), `b` a number.
                    let push = json!({"op": "write", "mutex": "a", "action": {"kind": "push", "value": i}});
                    let lock = |m: &str| json!({"op": "lock", "mutex": m});
                    let unlock = |m: &str| json!({"op": "unlock", "mutex": m});
                    let y = json!({"op": "yield"});
                    match kind {
                        0 if yields => vec![lock("a"), y, push, unlock("a")],
                        0 => vec![lock("a"), push, unlock("a"), y],
                        1 => vec![
                            lock("b"),
                            json!({"op": "read", "mutex": "b"}),
                            unlock("b"),
                            y,
                            lock("b"),
                            json!({"op": "write", "mutex": "b", "action": {"kind": "read_plus", "by": 1}}),
                            unlock("b"),
                        ],
                        2 if yields => vec![lock(m), y, lock(other), unlock(other), unlock(m)],
                        2 => vec![lock(m), lock(other), unlock(other), unlock(m)],
                        3 => vec![y, json!({"op": "locked_write", "mutex": "b", "action": {"kind": "increment"}})],
                        _ => vec![json!({"op": "lock_timeout", "mutex": m, "ms": 0}), y, unlock(m)],
                    }
                })
                .collect();
            json!({"name": format!("t{i}"), "steps": steps})
        });
        let s = json!({"name": "contended", "mutexes": [{"name": "a", "initial": []}, {"name": "b", "initial": 0}],
                "tasks": tasks.collect::<Vec<_>>()});
        Scenario::from_json(&s.to_string()).expect("a valid scenario")
    })
}

/// [`contended`] run by a main task (a new `tasks[0]`): it yields or not, joins one
/// task or every one, asserts on `b`, and joins all before it asserts again. Its joins
/// and asserts make outcomes of their own (a count seen too early, an assertion that
/// fails in some schedules only).
fn contended_with_main() -> impl Strategy<Value = Scenario> {
    (contended(), any::<bool>(), 0u8..3, 0i64..4, 0i64..4).prop_map(|(mut s, yields, first, at_least, equals)| {
        let workers = s.tasks.len() as u32;
        let mut steps = Vec::new();
        if yields {
            steps.push(json!({"op": "yield"}));
        }
        steps.push(match first {
            0 => json!({"op": "join"}),
            k => json!({"op": "join", "task": u32::from(k).min(workers)}),
        });
        steps.push(json!({"op": "assert", "mutex": "b", "until": {"kind": "at_least", "value": at_least}}));
        steps.push(json!({"op": "join"}));
        steps.push(json!({"op": "assert", "mutex": "b", "until": {"kind": "equals", "value": equals}}));
        let main = json!({"name": "main", "main": true, "steps": steps});
        let mut doc: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        doc["tasks"].as_array_mut().unwrap().insert(0, main);
        s = Scenario::from_json(&doc.to_string()).expect("a valid scenario");
        s
    })
}

fn explore(s: &Scenario, mode: Mode) -> Report {
    let mut e = Explorer::new(s, mode).unwrap().with_max_states(20_000);
    while !e.advance(5_000) {}
    e.report()
}

/// What a finished run led to, as the explorer classifies it.
fn outcome(run: &Run) -> Option<Outcome> {
    Some(match &run.end {
        EndReason::Finished => {
            let values = run.snapshot_at(run.steps()).mutexes.iter().map(|m| m.value.clone()).collect();
            let mut failed = run.failed_assertions();
            failed.sort();
            if failed.is_empty() {
                Outcome::Finished(values)
            } else {
                Outcome::AssertionFailed { failed, values }
            }
        }
        EndReason::Deadlock { cycle } => Outcome::Deadlock(cycle.clone()),
        other => Outcome::Other(Ending::of(other)?),
    })
}

/// Every schedule, one full run each, no reduction: the outcomes, or `None` past
/// `max_runs` runs.
fn naive(s: &Scenario, max_runs: usize) -> Option<BTreeSet<Outcome>> {
    let mut found = BTreeSet::new();
    let mut todo: Vec<Vec<TaskId>> = vec![Vec::new()];
    let mut runs = 0;
    while let Some(prefix) = todo.pop() {
        runs += 1;
        if runs > max_runs {
            return None;
        }
        let run = simulate(s, &Policy::Manual { choices: prefix.clone() }).unwrap();
        match &run.end {
            EndReason::AwaitingChoice { ready } => {
                for &t in ready {
                    let mut next = prefix.clone();
                    next.push(t);
                    todo.push(next);
                }
            }
            _ => {
                found.insert(outcome(&run).expect("an ending"));
            }
        }
    }
    Some(found)
}

fn classes(r: &Report) -> BTreeSet<Outcome> {
    r.classes.iter().map(|c| c.outcome.clone()).collect()
}

/// Each class's shortest schedule, replayed as a manual policy, ends the same way.
fn assert_replays(s: &Scenario, r: &Report) {
    for class in &r.classes {
        let run = simulate(s, &Policy::Manual { choices: class.shortest.clone() }).unwrap();
        assert_eq!(outcome(&run).as_ref(), Some(&class.outcome), "replaying {:?}", class.shortest);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gen::cases(64)))]

    /// Merging equal states and trying commuting steps in one order finds exactly the
    /// outcomes (endings and final values) that trying every schedule finds.
    #[test]
    fn reduced_search_finds_what_full_enumeration_finds(s in contended()) {
        let Some(all) = naive(&s, 2_000) else { return Ok(()) };
        let r = explore(&s, Mode::Exhaustive);
        prop_assert!(r.is_complete(), "{r:?}");
        prop_assert_eq!(classes(&r), all);
        assert_replays(&s, &r);
    }

    /// Bounded and sampled searches find only real outcomes, each with a schedule that
    /// replays to it; with a bound as large as the schedules, the bounded search finds
    /// them all.
    /// Minimising keeps the outcome and never adds preemptions; forking at any step of
    /// the FIFO run to any ready task gives a complete schedule that starts the same.
    #[test]
    fn minimise_keeps_the_outcome_and_fork_keeps_the_past(s in contended()) {
        let Some(all) = naive(&s, 2_000) else { return Ok(()) };
        let r = explore(&s, Mode::Exhaustive);
        prop_assert_eq!(classes(&r), all);
        for class in &r.classes {
            let found = replay(&s, &class.shortest).expect("a complete schedule");
            let small = minimise(&s, &class.shortest).expect("a complete schedule");
            prop_assert_eq!(&small.outcome, &class.outcome);
            prop_assert!(small.preemptions <= found.preemptions);
            prop_assert_eq!(replay(&s, &small.choices), Some(small));
        }
        let fifo = simulate(&s, &Policy::Fifo).unwrap();
        for step in 0..fifo.steps() as usize {
            let before = Policy::Manual { choices: fifo.choices()[..step].to_vec() };
            let ready = simulate(&s, &before).unwrap().ready_at_end();
            for t in ready {
                let other = fork(&s, &fifo.choices()[..step], t).expect("a ready task");
                prop_assert_eq!(&other.choices[..step], &fifo.choices()[..step]);
                prop_assert_eq!(other.choices[step], t);
                prop_assert!(r.classes.iter().any(|c| c.outcome == other.outcome));
            }
        }
    }

    /// A search that starts after some choices finds only schedules that begin with
    /// them, and the scheduler game's outlook from there agrees with it.
    #[test]
    fn a_search_from_a_point_of_the_run_stays_below_it(s in contended(), cut in 0usize..6) {
        let fifo = simulate(&s, &Policy::Fifo).unwrap();
        let prefix = &fifo.choices()[..cut.min(fifo.choices().len())];
        let mut e = Explorer::new(&s, Mode::Exhaustive).unwrap().starting_after(prefix);
        while !e.advance(5_000) {}
        let r = e.report();
        prop_assert!(r.is_complete());
        for class in &r.classes {
            prop_assert_eq!(&class.shortest[..prefix.len()], prefix);
        }
        let mut endings: Vec<Ending> = r.classes.iter().map(|c| c.outcome.ending()).collect();
        endings.sort();
        endings.dedup();
        let expected = match endings.as_slice() {
            [one] => Outlook::Decided(*one),
            _ => Outlook::Open(endings.clone()),
        };
        prop_assert_eq!(outlook(&s, prefix, 100_000), expected);
    }

    /// The same with a main task that joins the others and asserts: a task's end and a
    /// join do not commute, and failed assertions are outcomes of their own.
    #[test]
    fn reduced_search_finds_what_full_enumeration_finds_with_joins(s in contended_with_main()) {
        let Some(all) = naive(&s, 2_000) else { return Ok(()) };
        let r = explore(&s, Mode::Exhaustive);
        prop_assert!(r.is_complete(), "{r:?}");
        prop_assert_eq!(classes(&r), all);
        assert_replays(&s, &r);
    }

    /// The same for any scenario (every step and mutex kind, forever tasks, start
    /// delays), where the schedules are few enough to try them all.
    #[test]
    fn reduced_search_is_exact_on_any_small_scenario(s in gen::scenario()) {
        let Some(all) = naive(&s, 400) else { return Ok(()) };
        let r = explore(&s, Mode::Exhaustive);
        prop_assert!(r.is_complete(), "{r:?}");
        prop_assert_eq!(classes(&r), all);
    }

    #[test]
    fn bounded_and_sampled_outcomes_are_real(s in contended(), seed in any::<u64>()) {
        let Some(all) = naive(&s, 400) else { return Ok(()) };
        for mode in [Mode::Preemptions(1), Mode::Sample { runs: 20, seed }] {
            let r = explore(&s, mode);
            prop_assert!(classes(&r).is_subset(&all), "{mode}: {r:?}");
            assert_replays(&s, &r);
        }
        let r = explore(&s, Mode::Preemptions(1_000));
        prop_assert_eq!(classes(&r), all);
    }
}

#[test]
fn the_deadlock_preset_deadlocks_in_every_schedule() {
    let s = preset("deadlock").unwrap().scenario;
    let r = explore(&s, Mode::Exhaustive);
    assert!(r.is_complete());
    assert_eq!(r.classes.len(), 1);
    assert_eq!(r.classes[0].outcome, Outcome::Deadlock(vec![(0, 1), (1, 0)]));
    assert_replays(&s, &r);
}

#[test]
fn the_hidden_deadlock_finishes_under_fifo_and_deadlocks_in_some_schedules() {
    let s = preset("hidden-deadlock").unwrap().scenario;
    assert_eq!(simulate(&s, &Policy::Fifo).unwrap().end, EndReason::Finished);
    let r = explore(&s, Mode::Exhaustive);
    assert!(r.is_complete());
    let endings: BTreeSet<Ending> = r.classes.iter().map(|c| c.outcome.ending()).collect();
    assert_eq!(endings, BTreeSet::from([Ending::Finished, Ending::Deadlock]));
    assert_replays(&s, &r);
}

#[test]
fn the_lost_update_loses_updates_and_the_held_guard_does_not() {
    let finished = |values: &[&str]| values.iter().map(|v| Outcome::Finished(vec![v.to_string()])).collect();
    let lost = preset("lost-update").unwrap().scenario;
    assert_eq!(simulate(&lost, &Policy::Fifo).unwrap().snapshot_at(u32::MAX).mutexes[0].value, "1");
    let r = explore(&lost, Mode::Exhaustive);
    assert!(r.is_complete());
    assert_eq!(classes(&r), finished(&["1", "2", "3"]));
    assert_replays(&lost, &r);
    let held = preset("held-update").unwrap().scenario;
    let r = explore(&held, Mode::Exhaustive);
    assert!(r.is_complete());
    assert_eq!(classes(&r), finished(&["3"]));
}

/// The lost update as a program: main joins the three tasks and asserts that every
/// update counted. Some schedules pass, the others fail the assertion, each with the
/// value it saw; the scheduler game sees the choice still open.
#[test]
fn a_main_that_asserts_tells_the_lost_updates_apart() {
    let mut s = preset("lost-update").unwrap().scenario;
    let m = s.mutexes[0].name.clone();
    let main: Scenario = Scenario::from_json(&format!(
        r#"{{"name": "x", "mutexes": [{{"name": "{m}"}}], "tasks": [{{"name": "main", "main": true, "steps": [
            {{"op": "join"}}, {{"op": "assert", "mutex": "{m}", "until": {{"kind": "equals", "value": 3}}}}]}}]}}"#
    ))
    .unwrap();
    s.insert_task(0, main.tasks[0].clone());
    s.validate().unwrap();
    let r = explore(&s, Mode::Exhaustive);
    assert!(r.is_complete());
    let failed = |seen: &str| Outcome::AssertionFailed {
        failed: vec![format!("main: {m} == 3 (it is {seen})")],
        values: vec![seen.to_string()],
    };
    assert_eq!(classes(&r), BTreeSet::from([Outcome::Finished(vec!["3".into()]), failed("1"), failed("2")]));
    assert_replays(&s, &r);
    assert_eq!(outlook(&s, &[], 100_000), Outlook::Open(vec![Ending::Finished, Ending::AssertionFailed]));
    let text = failed("2").describe(&s);
    assert_eq!(text, format!("an assertion fails (main: {m} == 3 (it is 2)), and it finishes with {m} = 2"));
}

/// Two orders of `a` and `b` fail `a`'s assertion with different values and then meet
/// in the same state, with `c`'s steps still to come: the state they meet in is not one
/// state, or one failure would go missing.
#[test]
fn failed_assertions_are_part_of_the_state() {
    let s = Scenario::from_json(
        r#"{"name": "meet", "mutexes": [{"name": "m", "initial": 0}], "tasks": [
            {"name": "a", "steps": [{"op": "assert", "mutex": "m", "until": {"kind": "equals", "value": 1}}]},
            {"name": "b", "steps": [{"op": "locked_write", "mutex": "m", "action": {"kind": "set", "value": 2}}]},
            {"name": "c", "steps": [{"op": "yield"}, {"op": "yield"},
                {"op": "locked_write", "mutex": "m", "action": {"kind": "set", "value": 5}}]}]}"#,
    )
    .unwrap();
    let all = naive(&s, 2_000).expect("few schedules");
    let r = explore(&s, Mode::Exhaustive);
    assert!(r.is_complete());
    assert_eq!(classes(&r), all);
    let seen: BTreeSet<String> = all
        .iter()
        .filter_map(|o| match o {
            Outcome::AssertionFailed { failed, .. } => Some(failed[0].clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        seen,
        BTreeSet::from(["a: m == 1 (it is 0)".into(), "a: m == 1 (it is 2)".into(), "a: m == 1 (it is 5)".into()])
    );
}

#[test]
fn minimising_the_lost_update_removes_needless_switches() {
    let s = preset("lost-update").unwrap().scenario;
    // Every lost update needs a task to be preempted between its read and its write,
    // and one such switch is enough.
    let wasteful = replay(&s, &[0, 1, 0, 2, 1, 2, 0, 1, 2]);
    let Some(wasteful) = wasteful.or_else(|| replay(&s, &[0, 1, 2, 0, 1, 2])) else { panic!("a schedule") };
    assert_ne!(wasteful.outcome, Outcome::Finished(vec!["3".into()]));
    let small = minimise(&s, &wasteful.choices).unwrap();
    assert_eq!(small.outcome, wasteful.outcome);
    assert!(small.preemptions < wasteful.preemptions, "{small:?} from {wasteful:?}");
    assert_eq!(minimise(&s, &[0]), None, "not a complete schedule");
}

#[test]
fn the_counter_has_one_outcome_1000() {
    let s = preset("counter").unwrap().scenario;
    for mode in [Mode::Exhaustive, Mode::Preemptions(2), Mode::Sample { runs: 10, seed: 3 }] {
        let r = explore(&s, mode);
        assert_eq!(classes(&r), BTreeSet::from([Outcome::Finished(vec!["1000".into()])]), "{mode}");
        assert!(!r.is_complete(), "{mode}: far more states than the budget");
    }
}

#[test]
fn results_are_reproducible() {
    for id in ["lost-update", "fairness"] {
        let s = preset(id).unwrap().scenario;
        for mode in [Mode::Exhaustive, Mode::Sample { runs: 30, seed: 9 }] {
            assert_eq!(explore(&s, mode), explore(&s, mode), "{id}, {mode}");
        }
    }
}

#[test]
fn a_slice_at_a_time_finds_what_one_go_finds() {
    let s = preset("lost-update").unwrap().scenario;
    let mut sliced = Explorer::new(&s, Mode::Exhaustive).unwrap();
    let mut slices = 0;
    while !sliced.advance(7) {
        slices += 1;
    }
    assert!(slices > 10, "{slices}");
    assert_eq!(sliced.report(), explore(&s, Mode::Exhaustive));
}

#[test]
fn the_state_budget_truncates_and_says_so() {
    let s = preset("fairness").unwrap().scenario;
    let mut e = Explorer::new(&s, Mode::Exhaustive).unwrap().with_max_states(100);
    while !e.advance(1_000) {}
    let r = e.report();
    assert!(r.truncated && !r.is_complete());
    assert_eq!(r.states, 100);
}

#[test]
fn an_invalid_scenario_is_an_error_not_a_search() {
    let mut s = preset("deadlock").unwrap().scenario;
    s.tasks[0].steps.push(mutex_playground::scenario::Step::Lock { mutex: "nope".into() });
    assert!(Explorer::new(&s, Mode::Exhaustive).unwrap_err().to_string().contains("nope"));
}

/// The worst scenarios we know of (hostile links, and the largest the validator
/// accepts): every search ends within its budgets, a slice at a time, and says it was
/// cut short. (The largest are searched with a tiny budget: each replay of them is a
/// big run set up again; what a slice of them costs is in BENCHMARKS.md.)
#[test]
fn hostile_and_huge_scenarios_end_within_the_budgets() {
    let modes = [Mode::Exhaustive, Mode::Preemptions(1), Mode::Sample { runs: 3, seed: 1 }];
    let hostile =
        cases::hostile().into_iter().flat_map(|(name, json)| modes.map(|m| (name.clone(), json.clone(), m, 3_000)));
    let largest = cases::largest().into_iter().map(|(name, make)| (name, make(), Mode::Exhaustive, 100));
    for (name, json, mode, max_polls) in hostile.chain(largest) {
        let s = Scenario::from_json(&json).unwrap();
        let mut e = Explorer::new(&s, mode).unwrap().with_max_polls(max_polls).with_max_depth(300).with_max_states(500);
        let mut slices = 0;
        while !e.advance(5_000) {
            slices += 1;
            assert!(slices < 1_000, "{name}, {mode}: still searching");
        }
        let r = e.report();
        // One step of the search can overrun the budget by one replay (the depth).
        assert!(r.polls <= max_polls + 301, "{name}, {mode}: {} polls", r.polls);
        assert!(r.states <= 500 || matches!(mode, Mode::Sample { .. }), "{name}, {mode}: {} states", r.states);
        assert!(r.classes.len() <= mutex_playground::trace::explore::MAX_CLASSES);
    }
}

/// Found by the property test above in a fresh-clone CI run: one task's busy work and
/// another's first poll, which sets its start delay from the clock (and so touches no
/// lock): a step that moves the clock commutes with no step.
#[test]
fn busy_work_commutes_with_no_step() {
    let s = Scenario::from_json(
        r#"{"name": "time", "mutexes": [{"name": "m0", "initial": {}}],
            "limits": {"max_steps": 3000, "max_time_ms": 5000},
            "tasks": [
              {"name": "t0", "repeat": 2, "steps": [{"op": "busy", "ms": 1},
                 {"op": "locked_write", "mutex": "m0", "action": {"kind": "set_now"}}, {"op": "sleep", "ms": 1}]},
              {"name": "t1", "start_ms": 1, "repeat": 2,
               "steps": [{"op": "lock", "mutex": "m0"}, {"op": "busy", "ms": 1}]}
            ]}"#,
    )
    .unwrap();
    let all = naive(&s, 400).expect("few schedules");
    let r = explore(&s, Mode::Exhaustive);
    assert!(r.is_complete());
    assert_eq!(classes(&r), all);
}
