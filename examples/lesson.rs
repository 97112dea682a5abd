//! Lessons from the command line, for instructors writing them.
//!
//! ```text
//! cargo run --example lesson -- list                # the bundled lessons
//! cargo run --example lesson -- check               # every bundled lesson
//! cargo run --example lesson -- check my.json       # a lesson file: exit 1 with each problem at its place
//! cargo run --example lesson -- walk my.json        # each stop: its step, text, question and answer
//! cargo run --example lesson -- steps counter       # a preset or scenario file, a sentence per step
//! cargo run --example lesson -- link my.json --base https://example.edu/playground/
//!                                                   # a link that opens the lesson (add &embed=1 for an iframe)
//! ```
//!
//! `check` prepares each lesson against its run: every name, every anchor (it must
//! happen), the order of the stops, and each question's answer (read from the run; a
//! stated `answer` must agree).
use mutex_playground::exec::Policy;
use mutex_playground::lesson::{bundled, bundled_sources, Lesson, LessonError, Prepared};
use mutex_playground::share::{Link, Source, MAX_FRAGMENT_LEN};
use mutex_playground::trace::{narrate, simulate};
use std::process::ExitCode;

mod common;

const USAGE: &str = "usage: lesson list | check [FILE.json] | walk ID|FILE.json | steps PRESET|FILE.json [--policy P] \
     | link FILE.json [--base URL]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("list") => {
            for l in bundled() {
                let questions = l.stops.iter().filter(|s| s.question.is_some()).count();
                println!("{:<24} {} ({} stops, {questions} questions; {})", l.id, l.title, l.stops.len(), l.source);
            }
            ExitCode::SUCCESS
        }
        Some("check") => match args.get(1) {
            Some(file) => match read(file).map(|l| prepared(file, &l)) {
                Ok(Some(p)) => {
                    println!("{file}: {} ok: {} stops, run of {} steps", p.lesson.id, p.stops.len(), p.steps);
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            },
            None => {
                let mut failed = 0;
                for (i, json) in bundled_sources().iter().enumerate() {
                    let name = format!("bundled lesson {i}");
                    match Lesson::from_json(json) {
                        Err(e) => {
                            report(&name, &[e]);
                            failed += 1;
                        }
                        Ok(l) => match prepared(&l.id, &l) {
                            Some(p) => println!("{}: ok: {} stops, run of {} steps", l.id, p.stops.len(), p.steps),
                            None => failed += 1,
                        },
                    }
                }
                if failed == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
        },
        Some("walk") => {
            let Some(what) = args.get(1) else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            let lesson = match bundled().into_iter().find(|l| l.id == *what) {
                Some(l) => l,
                None => match read(what) {
                    Ok(l) => l,
                    Err(code) => return code,
                },
            };
            let Some(p) = prepared(what, &lesson) else { return ExitCode::from(1) };
            println!("{} — {}", p.lesson.title, p.lesson.source);
            for (i, s) in p.stops.iter().enumerate() {
                println!("\nstop {} at step {}: {}", i + 1, s.step, s.text);
                if let Some(q) = &s.question {
                    println!("  Q: {}", q.prompt);
                    for (k, c) in q.choices.iter().enumerate() {
                        println!("    {} {c}", if k == q.answer { "*" } else { "-" });
                    }
                    println!("  decided at step {}: {}", q.decided_at, q.why);
                }
            }
            ExitCode::SUCCESS
        }
        Some("link") => {
            let Some(file) = args.get(1) else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            let lesson = match read(file) {
                Ok(l) => l,
                Err(code) => return code,
            };
            // Only a lesson that holds against its run is worth a link.
            if prepared(file, &lesson).is_none() {
                return ExitCode::from(1);
            }
            let json = serde_json::to_string(&lesson).expect("a lesson serializes");
            let link = Link { source: Source::LessonJson(json), ..Link::default() }.to_fragment();
            if link.len() > MAX_FRAGMENT_LEN {
                eprintln!(
                    "{file}: the link would be {} characters, over the {MAX_FRAGMENT_LEN} a page reads",
                    link.len()
                );
                return ExitCode::from(1);
            }
            println!("{}#{link}", common::flag(&args, "--base").unwrap_or("index.html"));
            ExitCode::SUCCESS
        }
        Some("steps") => {
            let Some(what) = args.get(1) else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            let scenario = match common::load(what) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let policy = common::flag(&args, "--policy").and_then(Policy::parse).unwrap_or(Policy::Fifo);
            match simulate(&scenario, &policy) {
                Ok(run) => {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    for step in 0..=run.steps() {
                        // A closed pipe (`| head`) ends the listing, quietly.
                        if writeln!(out, "{}", narrate(&run, step)).is_err() {
                            break;
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{what}: {e}");
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// A lesson file, or exit 1 with its problem (2 if it cannot be read at all).
fn read(file: &str) -> Result<Lesson, ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        eprintln!("{file}: cannot read it: {e}");
        ExitCode::from(2)
    })?;
    Lesson::from_json(&text).map_err(|e| {
        report(file, &[e]);
        ExitCode::from(1)
    })
}

/// The lesson bound to its run, or `None` with every problem printed.
fn prepared(name: &str, lesson: &Lesson) -> Option<Prepared> {
    match lesson.prepare() {
        Ok(p) => Some(p),
        Err(errors) => {
            report(name, &errors);
            None
        }
    }
}

fn report(name: &str, errors: &[LessonError]) {
    for e in errors {
        // `file:line:col: message` for text that does not parse, `file: path: message` otherwise.
        match e.line_col {
            Some(_) => eprintln!("{name}:{e}"),
            None => eprintln!("{name}: {e}"),
        }
    }
}
