//! The worst cases a stranger's link or file can bring: how long each stage takes and
//! how much memory it peaks at, natively. The numbers go in BENCHMARKS.md.
//!
//! ```text
//! cargo run --profile bench --example worst_case            # the built-in hostile set
//! cargo run --profile bench --example worst_case -- a.json  # any scenario files
//! ```
//!
//! Each scenario goes through every stage a page does with it: parse and validate,
//! `simulate` (which includes the analysis), then every export: the scenario JSON, the
//! trace JSON, the Chrome trace, the transcript and the SVG timeline. Peak memory is the
//! process's high-water mark (`VmHWM`), reset before each scenario through
//! `/proc/self/clear_refs` (Linux).
//!
//! Then the compare view on the largest cases: the main run and four policies' runs held
//! at once, with the columns sharing one run's trace room (as the page makes them) and
//! each with a room of its own (as it did before), each in its own process.
//!
//! Then the explorer on each built-in case, each search mode, a slice at a time as the
//! page runs it (`advance(2_000)` repeatedly, to a budget of 20,000 polls): the longest
//! slice is the longest the page can be kept busy by a search of that scenario.
use mutex_playground::exec::Policy;
use mutex_playground::scenario::Scenario;
use mutex_playground::share::export::{chrome_trace, timeline_svg, Axis};
use mutex_playground::trace::Simulation;
use std::time::Instant;

#[path = "../tests/cases/mod.rs"]
mod cases;
use cases::{hostile, largest};

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A child measures one case, read from its standard input: its peak memory is then
    // its own, not the parent's (which built the case).
    let read_case = || {
        let mut json = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut json).expect("the case on stdin");
        json
    };
    match args.as_slice() {
        [flag, name] if flag == "--case" => return measure(name, &read_case()),
        [flag, room, name] if flag == "--compare" => return measure_compare(name, &read_case(), room == "shared"),
        _ => {}
    }
    let mut cases: Vec<(String, cases::MakeCase)> = Vec::new();
    let built_in = args.is_empty();
    if built_in {
        for (name, json) in hostile() {
            cases.push((name, Box::new(move || json.clone())));
        }
        cases.extend(largest());
    } else {
        for f in args {
            let path = f.clone();
            cases.push((f, Box::new(move || std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))));
        }
    }
    println!(
        "| scenario | JSON bytes | parse | simulate | longest poll | end | events \
         | exports (scenario / trace / chrome / transcript / svg) | export bytes | total | peak RSS |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|");
    let me = std::env::current_exe().expect("own path");
    for (name, make) in cases {
        let json = make();
        let mut child = std::process::Command::new(&me)
            .args(["--case", &name])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("run a case");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), json.as_bytes()).expect("send the case");
        let status = child.wait().expect("the case ends");
        if !status.success() {
            println!("| {name} | FAILED: {status} | | | | | | | | |");
        }
    }
    if !built_in {
        return; // files given: only they are measured
    }
    // The compare view on the largest cases: the main run and four policies' runs held at
    // once, with the room the page gives them (shared: one run's room between the four)
    // and without (each its own, as before the room was shared).
    println!("\n| case (main run + 4 policies' runs held at once) | each column's room | events recorded | peak RSS |");
    println!("|---|---|---:|---:|");
    for (name, make) in largest() {
        let json = make();
        for room in ["whole", "shared"] {
            let mut child = std::process::Command::new(&me)
                .args(["--compare", room, &name])
                .stdin(std::process::Stdio::piped())
                .spawn()
                .expect("run a case");
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), json.as_bytes()).expect("send it");
            child.wait().expect("the case ends");
        }
    }
    explorer_slices();
}

/// The main run and the compare view's four runs of one case, all held at once: the
/// process's peak memory.
fn measure_compare(name: &str, json: &str, shared: bool) {
    use mutex_playground::trace::compare::{comparable, too_big_to_compare};
    use mutex_playground::trace::compare::{under, POLICIES};
    use mutex_playground::trace::TraceRoom;
    let scenario = Scenario::from_json(json).expect("a valid case");
    if !comparable(&scenario) {
        if shared {
            println!("| {name} | (no mutex: the page offers no comparison) | | |");
        }
        return;
    }
    if shared {
        if let Some(why) = too_big_to_compare(&scenario) {
            return println!("| {name} | refused (now): {why} | | |");
        }
    }
    reset_peak();
    let room = if shared { TraceRoom::shared_by(POLICIES.len()) } else { TraceRoom::default() };
    let main = Simulation::new(&scenario, &Policy::Fifo).expect("validated").finish();
    let columns: Vec<_> = POLICIES
        .iter()
        .map(|&k| Simulation::with_room(&under(&scenario, k), &Policy::Fifo, room).expect("validated").finish())
        .collect();
    let events: Vec<String> = columns.iter().map(|r| r.events().len().to_string()).collect();
    println!(
        "| {name} | {} | {} + {} | {} MiB |",
        if shared { "a quarter of one run's (now)" } else { "one run's each, any size (before)" },
        main.events().len(),
        events.join(" + "),
        peak_kib().map_or("?".into(), |k| (k / 1024).to_string()),
    );
}

fn measure(name: &str, json: &str) {
    {
        // The generated cases were built as value trees; their memory is not the case's.
        reset_peak();
        let all = Instant::now();
        let t = Instant::now();
        let scenario = match Scenario::from_json(json) {
            Ok(s) => s,
            Err(e) => {
                println!("| {name} | {} | refused: {e} | | | | | | | | |", json.len());
                return;
            }
        };
        let parse = t.elapsed();
        // A poll at a time, as a page slices it: the longest one is what a page can
        // not cut short.
        let t = Instant::now();
        let mut simulation = Simulation::new(&scenario, &Policy::Fifo).expect("validated");
        let mut longest = std::time::Duration::ZERO;
        loop {
            let poll = Instant::now();
            let done = simulation.advance(1);
            longest = longest.max(poll.elapsed());
            if done {
                break;
            }
        }
        let run = simulation.finish();
        let sim = t.elapsed();
        let mut times = Vec::new();
        let mut bytes = 0usize;
        let mut export = |f: &dyn Fn() -> String| {
            let t = Instant::now();
            let s = f();
            times.push(format!("{:.0}", t.elapsed().as_secs_f64() * 1e3));
            bytes += s.len();
        };
        export(&|| run.scenario.to_json());
        export(&|| run.to_json());
        export(&|| chrome_trace(&run, Axis::for_run(&run)));
        export(&|| run.transcript_export());
        export(&|| timeline_svg(&run));
        let total = all.elapsed();
        println!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.1} ms | {} | {} | {} ms | {:.1} MB | {:.0} ms | {} MiB |",
            json.len(),
            parse.as_secs_f64() * 1e3,
            sim.as_secs_f64() * 1e3,
            longest.as_secs_f64() * 1e3,
            format!("{:?}", run.end).split(['{', ' ']).next().unwrap_or(""),
            run.events().len(),
            times.join(" / "),
            bytes as f64 / 1e6,
            total.as_secs_f64() * 1e3,
            peak_kib().map_or("?".into(), |k| (k / 1024).to_string()),
        );
    }
}

/// The explorer on the built-in worst cases: how long its longest slice takes.
fn explorer_slices() {
    use mutex_playground::trace::explore::{Explorer, Mode};
    println!("\n| case (explorer, 20,000 polls at most) | search | polls | states | total | longest slice |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut all: Vec<(String, String)> = hostile();
    all.extend(largest().into_iter().map(|(name, make)| (name, make())));
    for (name, json) in all {
        let Ok(s) = Scenario::from_json(&json) else { continue };
        for mode in [Mode::Exhaustive, Mode::Preemptions(2), Mode::Sample { runs: 100, seed: 1 }] {
            let t = Instant::now();
            let mut e = Explorer::new(&s, mode).unwrap().with_max_polls(20_000);
            let mut longest = 0.0f64;
            loop {
                let slice = Instant::now();
                let done = e.advance(2_000);
                longest = longest.max(slice.elapsed().as_secs_f64());
                if done {
                    break;
                }
            }
            let r = e.report();
            println!(
                "| {name} | {mode} | {} | {} | {:.0} ms | {:.1} ms |",
                r.polls,
                r.states,
                t.elapsed().as_secs_f64() * 1e3,
                longest * 1e3
            );
        }
    }
}
