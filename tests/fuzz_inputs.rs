//! The fuzzing suite: whatever a stranger's link or file holds goes through the whole
//! pipeline a page runs (link → scenario JSON → validation → simulation → analysis →
//! every export) without a panic, within the run's budget, and with every export well
//! formed.
//!
//! `make test` runs a short version. The long run (see BENCHMARKS.md for the last one):
//!
//! ```text
//! FUZZ_CASES=20000 cargo test --profile bench --test fuzz_inputs --test engine_props
//! ```
#![cfg(not(target_arch = "wasm32"))]

mod gen;

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{Scenario, MAX_EVENTS, MAX_PROBLEMS};
use mutex_playground::share::export::{check_chrome_trace, chrome_trace, timeline_svg, Axis};
use mutex_playground::share::{Link, Source};
use mutex_playground::trace::{simulate, EndReason, Run};
use proptest::prelude::*;

/// Every export of `run` is well formed, and the scenario export imports again.
fn check_exports(run: &Run) -> Result<(), TestCaseError> {
    let scenario_json = run.scenario.to_json();
    prop_assert_eq!(&Scenario::from_json(&scenario_json).expect("an export imports again"), &run.scenario);
    let trace: serde_json::Value = serde_json::from_str(&run.to_json()).expect("the trace export is JSON");
    prop_assert_eq!(trace["schema"].as_str(), Some("mutex-playground/trace/v1"));
    let chrome = chrome_trace(run, Axis::for_run(run));
    prop_assert!(check_chrome_trace(&chrome).is_ok(), "{:?}", check_chrome_trace(&chrome));
    let svg = timeline_svg(run);
    prop_assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    prop_assert!(!svg.chars().any(|c| (c as u32) < 0x20 && c != '\n'), "a character XML cannot hold");
    prop_assert!(run.transcript_export().contains(&run.end_text()));
    let _ = run.end_text();
    Ok(())
}

/// A run stays within what every run may spend.
fn check_budget(run: &Run) -> Result<(), TestCaseError> {
    prop_assert!(run.events().len() as u64 <= MAX_EVENTS + 64);
    prop_assert!(run.events().iter().all(|e| e.kind.task().is_none_or(|t| (t as usize) < run.scenario.tasks.len())));
    Ok(())
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Fifo),
        any::<u64>().prop_map(|seed| Policy::Random { seed }),
        proptest::collection::vec(0u32..6, 0..12).prop_map(|choices| Policy::Manual { choices }),
    ]
}

/// A few random edits of `text`: characters deleted, duplicated, or replaced by
/// JSON-ish punctuation or any character.
fn mutate(text: &str, edits: &[(u16, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, how, c) in edits {
        if chars.is_empty() {
            chars.push(c);
            continue;
        }
        let i = at as usize % chars.len();
        match how % 4 {
            0 => {
                chars.remove(i);
            }
            1 => chars.insert(i, chars[i]),
            2 => chars[i] = ['{', '}', '[', ']', '"', ',', ':', '0', '9', '-', 'e', '\\'][c as usize % 12],
            _ => chars[i] = c,
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gen::cases(64)))]

    /// A link to any scenario opens, runs under its policy and exports.
    #[test]
    fn a_link_to_any_scenario_opens_runs_and_exports(s in gen::scenario(), policy in policy()) {
        let link = Link {
            source: Source::Scenario(serde_json::to_string(&s).unwrap()),
            policy: Some(policy.clone()),
            ..Link::default()
        };
        let opened = Link::from_fragment(&link.to_fragment()).expect("a link we made opens");
        let Source::Scenario(json) = opened.source else { panic!("the source changed") };
        let scenario = Scenario::from_json(&json).expect("valid");
        prop_assert_eq!(&scenario, &s);
        let run = simulate(&scenario, &policy).expect("valid");
        check_budget(&run)?;
        check_exports(&run)?;
        if let EndReason::AwaitingChoice { ready } = &run.end {
            prop_assert!(!ready.is_empty());
        }
    }

    /// Edited scenario JSON is refused with a message, or runs and exports.
    #[test]
    fn edited_scenario_json_is_refused_or_runs(
        s in gen::scenario(),
        edits in proptest::collection::vec((any::<u16>(), any::<u8>(), any::<char>()), 1..6),
    ) {
        let json = mutate(&serde_json::to_string(&s).unwrap(), &edits);
        match Scenario::from_json(&json) {
            Ok(scenario) => {
                let run = simulate(&scenario, &Policy::Fifo).expect("validated");
                check_budget(&run)?;
                check_exports(&run)?;
            }
            Err(e) => prop_assert!(!e.message.is_empty()),
        }
    }

    /// A broken scenario's problems are all found, each task's apart, and the first is
    /// the one `validate` reports.
    #[test]
    fn every_problem_is_found_and_the_first_is_validates(
        s in gen::scenario(),
        edits in proptest::collection::vec((any::<u16>(), any::<u16>(), 0u8..3), 1..6),
    ) {
        let mut s = s;
        for (t, i, what) in edits {
            let t = usize::from(t) % s.tasks.len().max(1);
            let Some(task) = s.tasks.get_mut(t) else { continue };
            if task.steps.is_empty() {
                continue;
            }
            let i = usize::from(i) % task.steps.len();
            match what {
                0 => drop(task.steps.remove(i)),
                1 => {
                    if let Some(m) = task.steps[i].mutex_mut() {
                        *m = "nope".into();
                    }
                }
                _ => {
                    let step = task.steps[i].clone();
                    task.steps.insert(i, step);
                }
            }
        }
        let problems = s.problems();
        prop_assert_eq!(problems.first().cloned(), s.validate().err());
        prop_assert!(problems.len() <= MAX_PROBLEMS);
        // At most one problem per task (the first of its steps), in task order.
        let tasks: Vec<&str> =
            problems.iter().filter_map(|p| p.path.split('.').next()).filter(|p| p.starts_with("tasks[")).collect();
        let mut sorted = tasks.clone();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), tasks.len(), "{:?}", problems);
    }

    /// Edited links are refused with a message, or open.
    #[test]
    fn edited_links_are_refused_or_open(
        s in gen::scenario(),
        edits in proptest::collection::vec((any::<u16>(), any::<u8>(), any::<char>()), 1..4),
    ) {
        let link = Link { source: Source::Scenario(serde_json::to_string(&s).unwrap()), ..Link::default() };
        let fragment = mutate(&link.to_fragment(), &edits);
        match Link::from_fragment(&fragment) {
            Ok(Link { source: Source::Scenario(json), .. }) => {
                if let Ok(scenario) = Scenario::from_json(&json) {
                    let run = simulate(&scenario, &Policy::Fifo).expect("validated");
                    check_budget(&run)?;
                }
            }
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Any text at all, as a scenario or as a link.
    #[test]
    fn any_text_is_refused_or_read(text in any::<String>()) {
        let _ = Scenario::from_json(&text);
        let _ = Link::from_fragment(&text);
    }
}
