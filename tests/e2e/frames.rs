//! Drawing performance in headless Chromium: a benchmark, not a test. `#[ignore]`d and
//! skipped by `make test`; run by `scripts/bench-frames.sh` (part of `make bench`). It
//! prints numbers and asserts only that they were taken.

use super::harness::*;
use fantoccini::Client;
use mutex_playground::exec::Policy;
use mutex_playground::scenario::hammer;
use mutex_playground::share::{Link, Source, Speed};
use mutex_playground::trace::simulate;
use serde_json::Value;
use std::time::Instant;

/// Frame-to-frame times (ms) of requestAnimationFrame for `ms` milliseconds.
async fn frames(client: &Client, ms: u32) -> Vec<f64> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const d = []; \
         let last = performance.now(); const end = last + {ms};
         function f(t) {{ d.push(t - last); last = t; if (t < end) requestAnimationFrame(f); else done(d); }}
         requestAnimationFrame(f);"
    );
    serde_json::from_value(client.execute_async(&script, vec![]).await.unwrap()).unwrap()
}

/// The page's own script time (ms) in each animation frame for `ms` milliseconds: every
/// requestAnimationFrame callback the page registers is wrapped to time it together
/// with the microtasks it queued (yew renders in a microtask after a dispatch), so what
/// is left of a frame is style, layout and paint.
async fn script_per_frame(client: &Client, ms: u32) -> Vec<f64> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const out = []; const orig = window.requestAnimationFrame;
         window.requestAnimationFrame = function(cb) {{ return orig.call(window, t => {{
           const s = performance.now(); cb(t); queueMicrotask(() => out.push(performance.now() - s)); }}); }};
         setTimeout(() => {{ window.requestAnimationFrame = orig; done(out); }}, {ms});"
    );
    serde_json::from_value(client.execute_async(&script, vec![]).await.unwrap()).unwrap()
}

/// Time (ms) from setting the seek slider to `step` until the next frame has painted, for each step.
async fn seeks(client: &Client, steps: &[u32]) -> Vec<f64> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const steps = {steps:?}; const out = [];
         const input = document.querySelector('[data-testid=seek]');
         function one(i) {{
           if (i >= steps.length) {{ done(out); return; }}
           const t0 = performance.now();
           input.value = String(steps[i]); input.dispatchEvent(new Event('input', {{ bubbles: true }}));
           requestAnimationFrame(() => requestAnimationFrame(() => {{ \
             out.push(performance.now() - t0); one(i + 1); }}));
         }}
         one(0);"
    );
    serde_json::from_value(client.execute_async(&script, vec![]).await.unwrap()).unwrap()
}

fn stats(v: &[f64]) -> (f64, f64, f64, usize) {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| s[((s.len() - 1) as f64 * p).round() as usize];
    (pct(0.5), pct(0.95), *s.last().unwrap(), s.iter().filter(|&&x| x > 50.0).count())
}

#[tokio::test]
#[ignore = "benchmark of drawing: run scripts/bench-frames.sh"]
async fn frames_and_seeks() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    let mut rows = Vec::new();
    for (name, scenario, speed) in [
        ("200 tasks contending (20 rounds, yield while holding)", hammer(200, 20, true), 64.0),
        ("1000 tasks × 10, yield while holding", hammer(1000, 10, true), 64.0),
    ] {
        let events = simulate(&scenario, &Policy::Fifo).unwrap().events().len();
        let link = Link {
            source: Source::Scenario(serde_json::to_string(&scenario).unwrap()),
            speed: Some(Speed::Times(speed)),
            autoplay: true,
            ..Link::default()
        };
        let fragment = link.to_fragment();
        client.goto("about:blank").await.unwrap();
        let t0 = Instant::now();
        client.goto(&format!("{base}#{fragment}")).await.unwrap();
        wait_for(&client, ".timeline canvas").await;
        let first_render = t0.elapsed().as_millis();
        assert_eq!(
            client.execute("return document.querySelector('[data-testid=notice]') === null", vec![]).await.unwrap(),
            Value::Bool(true),
            "{name}: the link was refused"
        );
        // The first frames after loading are slower (the wasm tiers up from its baseline
        // compiler, the panels are measured once): count them apart, then take 3 s of
        // playback.
        let warm_up = frames(&client, 1000).await;
        let slow_start = warm_up.iter().filter(|&&d| d > 20.0).count();
        let f = frames(&client, 3000).await;
        let scripts = script_per_frame(&client, 2000).await;
        let (p50, p95, max, over50) = stats(&f);
        let (sc50, sc95, scmax, _) =
            if scripts.is_empty() { (f64::NAN, f64::NAN, f64::NAN, 0) } else { stats(&scripts) };
        let fps = f.len() as f64 / (f.iter().sum::<f64>() / 1000.0);
        let total: u32 = serde_json::from_value(
            client.execute("return Number(document.querySelector('[data-testid=seek]').max)", vec![]).await.unwrap(),
        )
        .unwrap();
        client
            .execute(
                "document.querySelector('[data-testid=play]').getAttribute('aria-label').startsWith('Pause') && \
                 document.querySelector('[data-testid=play]').click()",
                vec![],
            )
            .await
            .unwrap();
        let targets: Vec<u32> = (0..60u32).map(|i| (u64::from(i) * 7919 % u64::from(total.max(1))) as u32).collect();
        let s = seeks(&client, &targets).await;
        let (s50, s95, smax, s_over50) = stats(&s);
        screenshot(&client, &format!("frames-{}", name.split(' ').next().unwrap())).await;
        rows.push(format!(
            "| {name} | {events} | {first_render} ms | {slow_start} | {fps:.1} \
             | {p50:.1} / {p95:.1} / {max:.1} ms | {over50} | {sc50:.1} / {sc95:.1} / {scmax:.1} ms \
             | {s50:.1} / {s95:.1} / {smax:.1} ms | {s_over50} |"
        ));
        assert!(f.len() > 10 && s.len() == targets.len(), "measurements were taken");
    }
    println!(
        "\n| scenario | events | load + first render | frames > 20 ms in the first second \
         | fps while playing (the next 3 s) | frame p50 / p95 / max | frames > 50 ms \
         | script per frame p50 / p95 / max | seek p50 / p95 / max (to painted) | seeks > 50 ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "benchmark of drawing: run scripts/bench-frames.sh"]
async fn frames_while_exploring() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    let mut rows = Vec::new();
    for (preset, mode) in [("counter", "0"), ("counter", "2"), ("fairness", "0")] {
        client.goto(&format!("{base}#preset={preset}")).await.unwrap();
        wait_for(&client, "[data-testid=explore]").await;
        frames(&client, 1000).await; // warm up
        client
            .execute(
                &format!(
                    "const m = document.querySelector('[data-testid=explore-mode]'); m.value = '{mode}'; \
                     m.dispatchEvent(new Event('change', {{ bubbles: true }})); \
                     setTimeout(() => document.querySelector('[data-testid=explore]').click(), 50);"
                ),
                vec![],
            )
            .await
            .unwrap();
        let f = frames(&client, 3000).await;
        let (p50, p95, max, over50) = stats(&f);
        let fps = f.len() as f64 / (f.iter().sum::<f64>() / 1000.0);
        let status: String = serde_json::from_value(
            client
                .execute(
                    "const s = document.querySelector('[data-testid=explore-status]'); return s ? s.textContent : ''",
                    vec![],
                )
                .await
                .unwrap(),
        )
        .unwrap();
        rows.push(format!("| {preset} | {status} | {fps:.1} | {p50:.1} / {p95:.1} / {max:.1} ms | {over50} |"));
        assert!(f.len() > 10, "measurements were taken");
    }
    println!("\n| preset | explorer status after 3 s | fps while searching | frame p50 / p95 / max | frames > 50 ms |");
    println!("|---|---|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
    client.close().await.unwrap();
}
