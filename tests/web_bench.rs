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
        ("1000 tasks × 100, yield while holding", hammer(1_000, 100, true)),
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
        rows.push(format!("| {name} | {} | {} | {ms:.0} ms | {seek_us:.0} µs |", run.analysis().acquisitions, run.events().len()));
    }
    let table = format!("| benchmark (headless Chromium, wasm release) | acquisitions | events | simulate | mean snapshot_at |\n|---|---:|---:|---:|---:|\n{}", rows.join("\n"));
    wasm_bindgen_test::console_log!("{table}");
}
