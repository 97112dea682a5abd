//! Engine benchmark in headless Chromium (not a test: `#[ignore]`d, run by `make bench`
//! with `--include-ignored`). Prints numbers; asserts only that the runs completed.
#![cfg(target_arch = "wasm32")]

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{hammer, preset};
use mutex_playground::trace::{simulate, EndReason};
use wasm_bindgen_test::*;

mod web_common;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by `make bench`"]
fn engine_in_the_browser() {
    let mut rows = Vec::new();
    for (name, scenario) in [
        ("10000 tasks × 100 lock/unlock, full trace", hammer(10_000, 100, false)),
        ("250 tasks × 100, yield while holding", hammer(250, 100, true)),
        ("seed counter preset", preset("counter").unwrap().scenario),
    ] {
        let t0 = now();
        let run = simulate(&scenario, &Policy::Fifo).unwrap();
        let ms = now() - t0;
        assert_eq!(run.end, EndReason::Finished);
        let t1 = now();
        let seeks = 1000u32;
        for i in 0..seeks {
            let step = (u64::from(i) * 7919 % u64::from(run.steps().max(1))) as u32;
            std::hint::black_box(run.snapshot_at(step));
        }
        let seek_us = (now() - t1) * 1000.0 / f64::from(seeks);
        rows.push(format!(
            "| {name} | {} | {} | {ms:.0} ms | {seek_us:.0} µs |",
            run.analysis().acquisitions,
            run.events().len()
        ));
    }
    let table = format!(
        "| benchmark (headless Chromium, wasm release) | acquisitions | events | simulate | mean snapshot_at |\n\
         |---|---:|---:|---:|---:|\n{}",
        rows.join("\n")
    );
    wasm_bindgen_test::console_log!("{table}");
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by `make bench`"]
fn explorer_in_the_browser() {
    use mutex_playground::scenario::two_locks;
    use mutex_playground::trace::explore::{Explorer, Mode};
    let mut rows = Vec::new();
    for (name, scenario, max_states) in [
        ("4 tasks, 2 locks", two_locks(4), 1_000_000),
        ("5 tasks, 2 locks", two_locks(5), 1_000_000),
        ("counter preset, to 100,000 states", preset("counter").unwrap().scenario, 100_000),
    ] {
        for reduce in [true, false] {
            if !reduce && max_states < 1_000_000 {
                continue;
            }
            let t0 = now();
            let e = Explorer::new(&scenario, Mode::Exhaustive).unwrap().with_max_states(max_states);
            let mut e = if reduce { e } else { e.without_reduction() };
            while !e.advance(1_000_000) {}
            let ms = now() - t0;
            let r = e.report();
            rows.push(format!(
                "| {name} | {} | {} | {} | {} | {ms:.0} ms | {:.0} |",
                if reduce { "reduced" } else { "every schedule" },
                r.classes.len(),
                r.states,
                r.polls,
                r.states as f64 * 1000.0 / ms.max(0.001)
            ));
        }
    }
    let table = format!(
        "| explorer (headless Chromium, wasm release) | search | outcomes | states | polls | time | states/s |\n\
         |---|---|---:|---:|---:|---:|---:|\n{}",
        rows.join("\n")
    );
    wasm_bindgen_test::console_log!("{table}");
}

#[path = "cases/mod.rs"]
mod cases;

/// The wasm instance's linear memory, in MiB: it only ever grows, so after a case it is
/// the highest the page has needed so far.
fn memory_mib() -> f64 {
    use wasm_bindgen::JsCast;
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().expect("the wasm memory");
    let buffer: js_sys::ArrayBuffer = memory.buffer().dyn_into().expect("an ArrayBuffer");
    f64::from(buffer.byte_length()) / (1024.0 * 1024.0)
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by `make bench`"]
fn worst_cases_in_the_browser() {
    use mutex_playground::scenario::Scenario;
    use mutex_playground::share::export::{chrome_trace, timeline_svg, Axis};
    use mutex_playground::trace::Simulation;
    let mut rows = Vec::new();
    let mut all: Vec<(String, cases::MakeCase)> = Vec::new();
    for (name, json) in cases::hostile() {
        all.push((name, Box::new(move || json.clone())));
    }
    all.extend(cases::largest());
    for (name, make) in all {
        let json = make(); // built when its turn comes: the memory column is the page's
        let t0 = now();
        let scenario = Scenario::from_json(&json).expect("valid");
        let parse = now() - t0;
        let t1 = now();
        let mut sim = Simulation::new(&scenario, &Policy::Fifo).unwrap();
        let mut longest = 0.0f64;
        loop {
            let p = now();
            let done = sim.advance(1);
            longest = longest.max(now() - p);
            if done {
                break;
            }
        }
        let run = sim.finish();
        let simulate_ms = now() - t1;
        let t2 = now();
        let bytes = run.scenario.to_json().len()
            + run.to_json().len()
            + chrome_trace(&run, Axis::for_run(&run)).len()
            + run.transcript_export().len()
            + timeline_svg(&run).len();
        let exports = now() - t2;
        let end = format!("{:?}", run.end).split(['{', ' ']).next().unwrap_or("").to_string();
        rows.push(format!(
            "| {name} | {parse:.0} ms | {simulate_ms:.0} ms | {longest:.1} ms | {end} \
             | {exports:.0} ms ({:.1} MB) | {:.0} ms | {:.0} MiB |",
            bytes as f64 / 1e6,
            now() - t0,
            memory_mib()
        ));
    }
    let table = format!(
        "| worst case (headless Chromium, wasm) | parse | simulate | longest poll | end | all exports | total \
         | wasm memory so far |\n|---|---:|---:|---:|---|---:|---:|---:|\n{}",
        rows.join("\n")
    );
    wasm_bindgen_test::console_log!("{table}");
}

/// A program of about 300 lines, as a learner might paste: eleven tasks on three mutexes,
/// each with loops, guards held across sleeps, map and list writes, and a main that joins
/// them and asserts.
fn program_300_lines() -> String {
    use mutex_playground::scenario::{code::to_rust, Scenario};
    let task = |i: usize| {
        format!(
            r#"{{ "name": "worker {i}", "repeat": 3, "steps": [
                {{ "op": "print", "text": "worker {i} starts" }},
                {{ "op": "lock", "mutex": "orders" }},
                {{ "op": "write", "mutex": "orders", "action": {{ "kind": "push", "value": {i} }} }},
                {{ "op": "sleep", "ms": {} }},
                {{ "op": "unlock", "mutex": "orders" }},
                {{ "op": "repeat", "times": 4, "steps": [
                    {{ "op": "locked_write", "mutex": "count", "action": {{ "kind": "increment" }} }},
                    {{ "op": "yield" }} ] }},
                {{ "op": "lock", "mutex": "index" }},
                {{ "op": "write", "mutex": "index", "action": {{ "kind": "insert_now", "key": "w{i}" }} }},
                {{ "op": "read", "mutex": "index", "key": "w{i}" }},
                {{ "op": "unlock", "mutex": "index" }},
                {{ "op": "dbg", "name": "stamp" }} ] }}"#,
            10 + i * 7
        )
    };
    let tasks: Vec<String> = (0..11).map(task).collect();
    let json = format!(
        r#"{{ "name": "a 300-line program", "mutexes": [
            {{ "name": "count", "initial": 0 }}, {{ "name": "orders", "initial": [] }},
            {{ "name": "index", "initial": {{}} }} ],
          "tasks": [ {{ "name": "main", "main": true, "steps": [
              {{ "op": "join" }},
              {{ "op": "assert", "mutex": "count", "until": {{ "kind": "equals", "value": 132 }} }} ] }},
            {} ] }}"#,
        tasks.join(",\n")
    );
    to_rust(&Scenario::from_json(&json).expect("valid")).text
}

/// The median of `runs` timings of `f`, in ms.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = now();
            f();
            now() - t
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by `make bench`"]
fn code_in_the_browser() {
    use mutex_playground::code::{highlight::highlight, read};
    use mutex_playground::scenario::{code::to_rust, Scenario};
    let src = program_300_lines();
    let lines = src.lines().count();
    let (scenario, _) = read(&src).expect("the program reads");
    let json = scenario.to_json();
    let mut rows = Vec::new();
    let mut row = |what: &str, ms: f64| rows.push(format!("| {what} | {ms:.2} ms |"));
    // What the editor does once typing pauses: read the program, then run it.
    let read_ms = median_ms(51, || drop(std::hint::black_box(read(&src))));
    row(&format!("read a {lines}-line program (lex, parse, lower, validate)"), read_ms);
    let sim_ms = median_ms(51, || drop(std::hint::black_box(simulate(&scenario, &Policy::Fifo))));
    row("simulate it", sim_ms);
    row("**read + simulate**", read_ms + sim_ms);
    // Peers, on the same scenario: reading it as JSON (the other text the page reads), and
    // writing it out as Rust.
    row(
        "peer: the same scenario from its JSON (`Scenario::from_json`)",
        median_ms(51, || drop(std::hint::black_box(Scenario::from_json(&json)))),
    );
    row(
        "peer: the same scenario written as Rust (`to_rust`)",
        median_ms(51, || drop(std::hint::black_box(to_rust(&scenario)))),
    );
    // What each keystroke costs before the pause: the editor's highlighting.
    row("highlight it (each keystroke)", median_ms(51, || drop(std::hint::black_box(highlight(&src)))));
    // Hostile text: an error with a place, in the same bound.
    let garbage: String =
        (0..(1u32 << 20)).map(|i| char::from_u32(0x20 + (i * 7919) % 0x5000).unwrap_or('x')).collect();
    let hostile = [
        ("1 MiB of garbage", garbage),
        ("10,000 nested braces", format!("fn main() {}", "{".repeat(10_000))),
        ("an unterminated string of 60 KiB", format!("async fn main() {{ println!(\"{}", "x".repeat(60_000))),
        (
            "64 KiB (the limit) of valid tokens, then a mistake",
            format!("async fn main() {{ {} select! }}", "let x = 1; ".repeat(5_900)),
        ),
    ];
    for (name, text) in hostile {
        let ms = median_ms(11, || assert!(read(&text).is_err()));
        row(&format!("hostile: {name} (an error with its place)"), ms);
    }
    let table = format!(
        "| code (headless Chromium, wasm release), median of 51 (11 for hostile) | time |\n|---|---:|\n{}",
        rows.join("\n")
    );
    wasm_bindgen_test::console_log!("{table}");
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by `make bench`"]
async fn typing_in_the_code_editor() {
    use wasm_bindgen::JsCast;
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=reader-writer").await;
    web_common::click(&root, "[data-testid=editor-toggle]").await;
    let area: web_sys::HtmlTextAreaElement = web_common::q(&root, "[data-testid=code-input]").dyn_into().unwrap();
    let program = program_300_lines();
    let mut text = program.clone();
    // A keystroke: the text changes, the editor paints it (the read and run wait for a pause).
    let keystroke = |text: &str| {
        area.set_value(text);
        area.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    };
    keystroke(&text);
    yew::scheduler::flush().await;
    let mut times = Vec::new();
    for c in "// a comment typed at the end, one key at a time; and then some more of it, to a hundred keys".chars() {
        text.push(c);
        let t = now();
        keystroke(&text);
        yew::scheduler::flush().await;
        times.push(now() - t);
    }
    times.sort_by(f64::total_cmp);
    let (median, p95, max) = (times[times.len() / 2], times[times.len() * 95 / 100], times[times.len() - 1]);
    // Then the pause: the program is read and run, and the page shows the new run.
    gloo_timers::future::TimeoutFuture::new(mutex_playground::ui::DEBOUNCE_MS + 50).await;
    yew::scheduler::flush().await;
    let status = web_common::q(&root, "[data-testid=code-status]").text_content().unwrap();
    assert!(status.contains("as typed"), "{status}");
    wasm_bindgen_test::console_log!(
        "| typing in the code editor ({} lines), {} keystrokes: repaint of the highlighted text | \
         median {median:.1} ms | \
         p95 {p95:.1} ms | max {max:.1} ms | frame budget 16.7 ms |",
        program.lines().count(),
        times.len()
    );
    root.remove();
}
