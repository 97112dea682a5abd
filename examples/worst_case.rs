//! The worst cases a stranger's link or file can bring: how long each stage takes and
//! how much memory it peaks at, natively. The numbers go in BENCHMARKS.md.
//!
//! ```text
//! cargo run --release --example worst_case            # the built-in hostile set
//! cargo run --release --example worst_case -- a.json  # any scenario files
//! ```
//!
//! Each scenario goes through every stage a page does with it: parse and validate,
//! `simulate` (which includes the analysis), then every export: the scenario JSON, the
//! trace JSON, the Chrome trace, the transcript and the SVG timeline. Peak memory is the
//! process's high-water mark (`VmHWM`), reset before each scenario through
//! `/proc/self/clear_refs` (Linux).
use mutex_playground::exec::Policy;
use mutex_playground::scenario::Scenario;
use mutex_playground::share::export::{chrome_trace, timeline_svg, Axis};
use mutex_playground::trace::Simulation;
use serde_json::json;
use std::time::Instant;

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Short links: each of these is under 200 characters as JSON.
fn hostile() -> Vec<(String, String)> {
    let m = r#""mutexes":[{"name":"m","initial":[]}]"#;
    let cases = [
        ("empty forever loop", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[]}]}"#.to_string()),
        (
            "forever uncontended lock/unlock",
            format!(r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"lock","mutex":"m"}},{{"op":"unlock","mutex":"m"}}]}}]}}"#),
        ),
        (
            "nested repeats of print",
            r#"{"name":"x","tasks":[{"name":"a","steps":[{"op":"repeat","times":1000000,"steps":[{"op":"repeat","times":1000000,"steps":[{"op":"print","text":"hi"}]}]}]}]}"#.to_string(),
        ),
        ("forever sleep 0", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[{"op":"sleep","ms":0}]}]}"#.to_string()),
        ("forever busy 1 ms", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[{"op":"busy","ms":1}]}]}"#.to_string()),
        (
            "forever push (growing list)",
            format!(r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":1}}}}]}}]}}"#),
        ),
        (
            "forever push + yield",
            format!(r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":1}}}},{{"op":"yield"}}]}}]}}"#),
        ),
        (
            "broken_wait take, condition holds",
            r#"{"name":"x","mutexes":[{"name":"m","initial":[1]}],"tasks":[{"name":"a","steps":[{"op":"broken_wait","mutex":"m","until":{"kind":"non_empty"},"take":true}]}]}"#.to_string(),
        ),
    ];
    cases.into_iter().map(|(n, j)| (n.to_string(), j)).collect()
}

/// The largest scenarios the validator accepts, of several shapes, each built when
/// its turn comes.
fn largest() -> Vec<(String, Box<dyn Fn() -> String>)> {
    let shapes: Vec<(&str, fn() -> serde_json::Value)> = vec![
        ("10,000 tasks contend forever", || shape(0)),
        ("10,000 tasks × 100, yield holding", || shape(1)),
        ("100 tasks push 60 KiB values", || shape(2)),
        ("1,000 tasks print forever", || shape(3)),
        ("one task, 500,000 yields", || shape(4)),
    ];
    shapes.into_iter().map(|(n, f)| (n.to_string(), Box::new(move || f().to_string()) as Box<dyn Fn() -> String>)).collect()
}

fn shape(which: usize) -> serde_json::Value {
    let lock = json!({"op": "lock", "mutex": "m"});
    let unlock = json!({"op": "unlock", "mutex": "m"});
    let limits = json!({"max_steps": 5_000_000, "max_time_ms": 3_600_000});
    match which {
        // 10,000 tasks queueing on one mutex, each holding it across a sleep, looping.
        0 => {
            let tasks: Vec<_> = (0..10_000)
                .map(|i| json!({"name": format!("t{i}"), "forever": true, "steps": [lock, {"op": "sleep", "ms": 1}, unlock]}))
                .collect();
            json!({"name": "big", "mutexes": [{"name": "m"}], "tasks": tasks, "limits": limits})
        }
        // 10,000 tasks, each yielding while it holds the lock, 100 rounds.
        1 => {
            let tasks: Vec<_> = (0..10_000).map(|i| json!({"name": format!("t{i}"), "repeat": 100, "steps": [lock, {"op": "yield"}, unlock]})).collect();
            json!({"name": "big", "mutexes": [{"name": "m"}], "tasks": tasks, "limits": limits})
        }
        // Writes of big values: 60 KiB lists pushed onto one value, forever.
        2 => {
            let big: Vec<u32> = (0..12_000).collect();
            let push = json!({"op": "locked_write", "mutex": "m", "action": {"kind": "push", "value": big}});
            let tasks: Vec<_> = (0..100).map(|i| json!({"name": format!("t{i}"), "forever": true, "steps": [push, {"op": "yield"}]})).collect();
            json!({"name": "big", "mutexes": [{"name": "m"}], "tasks": tasks, "limits": limits})
        }
        // Many long printed lines and dbg! output, with yields.
        3 => {
            let tasks: Vec<_> = (0..1_000)
                .map(|i| json!({"name": format!("t{i}"), "forever": true, "steps": [{"op": "print", "text": "x".repeat(200)}, {"op": "dbg"}, {"op": "yield"}]}))
                .collect();
            json!({"name": "big", "tasks": tasks, "limits": limits})
        }
        // One task with as many steps as 8 MiB of JSON holds.
        _ => {
            let steps: Vec<_> = (0..500_000).map(|_| json!({"op": "yield"})).collect();
            json!({"name": "big", "tasks": [{"name": "a", "steps": steps}], "limits": limits})
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A child measures one case, read from its standard input: its peak memory is then
    // its own, not the parent's (which built the case).
    if let [flag, name] = args.as_slice() {
        if flag == "--case" {
            let mut json = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut json).expect("the case on stdin");
            measure(name, &json);
            return;
        }
    }
    let mut cases: Vec<(String, Box<dyn Fn() -> String>)> = Vec::new();
    if args.is_empty() {
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
    println!("| scenario | JSON bytes | parse | simulate | longest poll | end | events | exports (scenario / trace / chrome / transcript / svg) | export bytes | total | peak RSS |");
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
        export(&|| run.transcript_text());
        export(&|| timeline_svg(&run));
        let total = all.elapsed();
        println!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.1} ms | {} | {} | {} ms | {:.1} MB | {:.0} ms | {} MiB |",
            json.len(),
            parse.as_secs_f64() * 1e3,
            sim.as_secs_f64() * 1e3,
            longest.as_secs_f64() * 1e3,
            format!("{:?}", run.end).split(['{', ' ']).next().unwrap_or("").to_string(),
            run.events().len(),
            times.join(" / "),
            bytes as f64 / 1e6,
            total.as_secs_f64() * 1e3,
            peak_kib().map_or("?".into(), |k| (k / 1024).to_string()),
        );
    }
}
