//! Prints a scenario's transcript and analysis, for course authors.
//!
//! ```text
//! cargo run --example transcript -- reader-writer
//! cargo run --example transcript -- path/to/scenario.json [--policy random:7]
//! cargo run --example transcript -- --list
//! ```
//!
//! `--timed` prefixes each line with its step, virtual time and task:
//! `[step    3 |   1000 ms | reader] <-read-sleep`.
use mutex_playground::exec::Policy;
use mutex_playground::scenario::{preset, presets, Scenario};
use mutex_playground::trace::simulate;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(what) = args.first() else {
        eprintln!("usage: transcript PRESET|FILE.json [--policy fifo|random:SEED] [--timed]   (--list for presets)");
        return ExitCode::from(2);
    };
    if what == "--list" {
        for p in presets() {
            println!("{:<24} {} ({})", p.id, p.title, p.source);
        }
        return ExitCode::SUCCESS;
    }
    let policy = match args.iter().position(|a| a == "--policy").and_then(|i| args.get(i + 1)) {
        None => Policy::Fifo,
        Some(p) if p == "fifo" => Policy::Fifo,
        Some(p) => match p.strip_prefix("random:").and_then(|s| s.parse().ok()) {
            Some(seed) => Policy::Random { seed },
            None => {
                eprintln!("unknown policy {p:?}: use fifo or random:SEED");
                return ExitCode::from(2);
            }
        },
    };
    let scenario = match preset(what) {
        Some(p) => p.scenario,
        None => {
            let text = match std::fs::read_to_string(what) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{what:?} is neither a preset (try --list) nor a readable file: {e}");
                    return ExitCode::from(2);
                }
            };
            match Scenario::from_json(&text) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{what}: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    };
    let run = match simulate(&scenario, &policy) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if args.iter().any(|a| a == "--timed") {
        for line in run.transcript() {
            let task = scenario.tasks.get(line.task as usize).map_or("?", |t| t.name.as_str());
            println!("[step {:>4} | {:>6} ms | {task}] {}", line.step, line.time, line.text);
        }
    } else {
        print!("{}", run.transcript_text());
    }
    print!("{}", run.report());
    ExitCode::SUCCESS
}
