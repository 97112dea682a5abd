//! Prints a scenario's transcript and analysis, for course authors.
//!
//! ```text
//! cargo run --example transcript -- reader-writer
//! cargo run --example transcript -- path/to/scenario.json [--policy random:7]
//! cargo run --example transcript -- path/to/main.rs         # a tokio program, read as the code editor reads it
//! cargo run --example transcript -- deadlock --policy manual:0.1.0.1   # a schedule the explorer found
//! cargo run --example transcript -- --list
//! ```
//!
//! `--timed` prefixes each line with its step, virtual time and task:
//! `[step    3 |   1000 ms | reader] <-read-sleep`.
//!
//! `--code` prints the scenario as a Rust program instead (a `main.rs` for tokio, its
//! `[dependencies]` lines first, as comments).
use mutex_playground::exec::Policy;
use mutex_playground::scenario::presets;
use mutex_playground::trace::simulate;
use std::process::ExitCode;

mod common;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(what) = args.first() else {
        eprintln!(
            "usage: transcript PRESET|FILE.json|FILE.rs [--policy fifo|tokio|random:SEED|manual:ID.ID...] \
             [--timed | --code]   \
             (--list for presets)"
        );
        return ExitCode::from(2);
    };
    if what == "--list" {
        for p in presets() {
            println!("{:<24} {} ({})", p.id, p.title, p.source);
        }
        return ExitCode::SUCCESS;
    }
    let policy = match common::flag(&args, "--policy") {
        None => Policy::Fifo,
        Some(p) => match Policy::parse(p) {
            Some(policy) => policy,
            None => {
                eprintln!("unknown policy {p:?}: use fifo, tokio, random:SEED or manual:ID.ID...");
                return ExitCode::from(2);
            }
        },
    };
    let scenario = match common::load(what) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.iter().any(|a| a == "--code") {
        let program = mutex_playground::scenario::code::to_rust(&scenario);
        for line in program.dependencies.lines() {
            println!("// {line}");
        }
        print!("{}", program.text);
        return ExitCode::SUCCESS;
    }
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
