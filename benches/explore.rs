//! Explorer benchmarks (`cargo bench --bench explore`): prints a markdown table.
//!
//! For each scenario, the exhaustive search with its reductions (equal states merged,
//! sleep sets) against the same search without them (every schedule run to its end),
//! in the same process: states, schedules, polls, time, states per second, and how many
//! times fewer schedules and polls the reductions need. Both must find the same
//! outcomes (checked). Then the states per second of a long search (the counter preset,
//! 200,000 states).

use mutex_playground::scenario::{preset, two_locks, Scenario};
use mutex_playground::trace::explore::{Explorer, Mode, Outcome, Report};
use std::collections::BTreeSet;
use std::time::Instant;

fn search(s: &Scenario, reduce: bool, max_states: u64) -> (Report, f64) {
    let t = Instant::now();
    let e = Explorer::new(s, Mode::Exhaustive).unwrap().with_max_states(max_states);
    let mut e = if reduce { e } else { e.without_reduction() };
    while !e.advance(1_000_000) {}
    (e.report(), t.elapsed().as_secs_f64())
}

fn outcomes(r: &Report) -> BTreeSet<Outcome> {
    r.classes.iter().map(|c| c.outcome.clone()).collect()
}

fn main() {
    let mut scenarios: Vec<(String, Scenario)> =
        ["deadlock", "hidden-deadlock", "lost-update", "held-update", "timeout"]
            .iter()
            .map(|id| (format!("preset {id}"), preset(id).unwrap().scenario))
            .collect();
    scenarios.push(("4 tasks, 2 locks (`two_locks(4)`)".into(), two_locks(4)));
    scenarios.push(("5 tasks, 2 locks (`two_locks(5)`)".into(), two_locks(5)));
    println!("| scenario | search | outcomes | states | schedules | polls | time | states/s |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut factors = Vec::new();
    for (name, s) in &scenarios {
        let (reduced, t_reduced) = search(s, true, 5_000_000);
        let (naive, t_naive) = search(s, false, 5_000_000);
        assert!(reduced.is_complete() && naive.done && !naive.truncated, "{name}: searched in full");
        assert_eq!(outcomes(&reduced), outcomes(&naive), "{name}: the same outcomes");
        for (label, r, t) in [("reduced", &reduced, t_reduced), ("every schedule", &naive, t_naive)] {
            println!(
                "| {name} | {label} | {} | {} | {} | {} | {:.1} ms | {:.0} |",
                r.classes.len(),
                r.states,
                r.schedules,
                r.polls,
                t * 1e3,
                r.states as f64 / t
            );
        }
        factors.push(format!(
            "| {name} | {:.1}× | {:.1}× | {:.1}× |",
            naive.schedules as f64 / reduced.schedules as f64,
            naive.polls as f64 / reduced.polls as f64,
            t_naive / t_reduced
        ));
    }
    println!("\n| scenario | fewer schedules | fewer polls | faster |\n|---|---:|---:|---:|");
    for f in factors {
        println!("{f}");
    }
    let counter = preset("counter").unwrap().scenario;
    let (r, t) = search(&counter, true, 200_000);
    println!(
        "\ncounter preset, exhaustive to a budget of 200,000 states: {} states, {} polls in {:.2} s: \
         {:.0} states/s, {:.0} polls/s; outcomes found: {}",
        r.states,
        r.polls,
        t,
        r.states as f64 / t,
        r.polls as f64 / t,
        r.classes.len()
    );
}
