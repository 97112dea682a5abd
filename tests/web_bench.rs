//! Engine benchmark in headless Chromium (not a test: `#[ignore]`d, run by `make bench`
//! with `--include-ignored`). Prints numbers; asserts only that the runs completed.
#![cfg(target_arch = "wasm32")]

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{hammer, preset};
use mutex_playground::trace::{simulate, EndReason};
use wasm_bindgen_test::*;

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
