//! Searches a scenario's schedules and prints what they lead to.
//!
//! ```text
//! cargo run --example explore -- deadlock
//! cargo run --example explore -- lost-update --bound 2
//! cargo run --example explore -- path/to/scenario.json --sample 1000 --seed 7
//! ```
//!
//! Without options every schedule is searched (equal states merged, commuting steps
//! tried in one order); `--bound N` only schedules with at most N preemptions; `--sample
//! N` N random schedules (PCT-style priorities, `--seed`). `--max-states` caps the
//! search. Each outcome is printed with how many schedules reach it and the shortest as
//! a `manual:` policy, which `cargo run --example transcript -- FILE --policy manual:…`
//! replays. The exit code is 0 whenever the search ran, whatever it found.
use mutex_playground::exec::Policy;
use mutex_playground::trace::explore::{Explorer, Mode, MAX_STATES};
use std::process::ExitCode;

mod common;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(what) = args.first() else {
        eprintln!("usage: explore PRESET|FILE.json [--bound N | --sample N [--seed S]] [--max-states N]");
        return ExitCode::from(2);
    };
    let number = |name: &str| -> Result<Option<u64>, ExitCode> {
        common::flag(&args, name).map(|v| v.parse::<u64>()).transpose().map_err(|_| {
            eprintln!("{name} takes a number");
            ExitCode::from(2)
        })
    };
    let (bound, sample, seed, max_states) =
        match (number("--bound"), number("--sample"), number("--seed"), number("--max-states")) {
            (Ok(b), Ok(n), Ok(s), Ok(m)) => (b, n, s, m),
            (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return e,
        };
    let mode = match (bound, sample) {
        (Some(b), _) => Mode::Preemptions(b.min(u64::from(u32::MAX)) as u32),
        (None, Some(runs)) => Mode::Sample { runs: runs.min(u64::from(u32::MAX)) as u32, seed: seed.unwrap_or(1) },
        (None, None) => Mode::Exhaustive,
    };
    let scenario = match common::load(what) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut explorer = match Explorer::new(&scenario, mode) {
        Ok(e) => e.with_max_states(max_states.unwrap_or(MAX_STATES)),
        Err(e) => {
            eprintln!("{what}: {e}");
            return ExitCode::from(1);
        }
    };
    let started = std::time::Instant::now();
    while !explorer.advance(100_000) {}
    let seconds = started.elapsed().as_secs_f64();
    let report = explorer.report();
    println!("{}: searched {}", scenario.name, report.mode);
    println!(
        "{} states, {} schedules, {} polls in {:.2} s ({:.0} states/s)",
        report.states,
        report.schedules,
        report.polls,
        seconds,
        report.states as f64 / seconds.max(1e-9)
    );
    if report.truncated {
        println!("stopped at the state budget: not every schedule was tried (raise --max-states)");
    } else if report.is_complete() {
        println!("complete: these are all the outcomes this scenario can have");
    } else {
        println!("bounded: outcomes outside the bound may exist");
    }
    for class in &report.classes {
        let what = class.outcome.describe(&scenario);
        println!("\n{what}\n  {} schedules; shortest ({} steps):", class.schedules, class.shortest.len());
        println!("  {}", Policy::Manual { choices: class.shortest.clone() });
    }
    ExitCode::SUCCESS
}
