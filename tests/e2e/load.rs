//! How fast the page becomes usable: a benchmark, not a test. `#[ignore]`d and skipped by
//! `make test` (`--skip load::`); run by `scripts/bench-load.sh`. It prints numbers and
//! asserts only that they were taken.
//!
//! Every time is in ms from the navigation's start (`performance.timeOrigin`), read in the
//! page by a probe that Chromium runs before any of the page's scripts
//! (`Page.addScriptToEvaluateOnNewDocument`, sent through ChromeDriver's CDP endpoint):
//!
//! - **first interactive frame**: the app is mounted with its first preset's run (the title,
//!   the play button and the timeline's canvas are in the DOM, no simulation is still under
//!   way), and the next animation frame has begun, so the frame that shows it has been drawn.
//!   The probe checks on every animation frame.
//! - **mounted**: the DOM mutation that made the app whole (a `MutationObserver`).
//! - **wasm started**: Trunk's `TrunkApplicationStarted` event, sent when `init` returned:
//!   the wasm is fetched, compiled, instantiated and `main` has run.
//! - **wasm fetched**: the `.wasm` resource's `responseEnd`; **over the wire** is its
//!   `transferSize` (0 when it came from the cache).
//!
//! A **cold** load is the first visit of a new ChromeDriver session: a fresh browser profile,
//! so no HTTP cache and no compiled-code cache. The **warm** loads are the 2nd and 3rd visits
//! in the same session (through `about:blank`), served with the headers a static host would
//! send (`harness::serve_cached`: `index.html` revalidated, the hashed files immutable).
//! After the cold load each session also times `WebAssembly.compile` of the page's wasm
//! bytes, three times.
//!
//! Loopback serving: no network latency or bandwidth limit, so the numbers are the browser's
//! own work (parse, compile, run, render) on this machine, not what a slow link adds.

use super::harness::*;
use fantoccini::Client;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;

/// The app is there with a run loaded: the title, the play button and the timeline's
/// canvas (the timeline is drawn only for a loaded run), and no simulation under way.
const READY: &str = "document.querySelector('#app-title') && document.querySelector('[data-testid=play]') \
                     && document.querySelector('.timeline canvas') \
                     && !document.querySelector('[data-testid=simulating]')";

/// Runs in each new document before the page's own scripts; leaves its times in `window.__bench`.
fn probe() -> String {
    format!(
        "(() => {{
           const ready = () => !!({READY});
           const b = window.__bench = {{}};
           addEventListener('TrunkApplicationStarted', () => {{ b.started = performance.now(); }});
           new MutationObserver((_, obs) => {{ if (ready()) {{ b.mounted = performance.now(); obs.disconnect(); }} }})
             .observe(document, {{ childList: true, subtree: true }});
           function tick() {{
             if (ready()) {{
               b.seen = performance.now();
               requestAnimationFrame(() => {{ b.frame = performance.now(); }});
             }}
             else requestAnimationFrame(tick);
           }}
           requestAnimationFrame(tick);
         }})();"
    )
}

/// Sends one Chrome DevTools Protocol command through ChromeDriver (`goog/cdp/execute`), as a
/// plain HTTP request to the loopback driver.
fn cdp(driver: &Driver, session: &str, cmd: &str, params: Value) {
    let addr = driver.url.trim_start_matches("http://");
    let body = json!({ "cmd": cmd, "params": params }).to_string();
    let mut stream = TcpStream::connect(addr).expect("connect to chromedriver");
    write!(
        stream,
        "POST /session/{session}/goog/cdp/execute HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // ChromeDriver may keep the connection open: read the status line and stop there.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let mut status = [0u8; 12];
    stream.read_exact(&mut status).unwrap();
    let status = String::from_utf8_lossy(&status);
    assert!(status.starts_with("HTTP/1.1 200"), "{cmd} through chromedriver: {status}");
}

/// One load's times (ms from navigation start) and the wasm's bytes over the wire.
#[derive(Debug)]
struct Sample {
    frame: f64,
    mounted: f64,
    started: f64,
    dom_content_loaded: f64,
    wasm_fetched: f64,
    wasm_transfer: f64,
}

/// Navigates to `url`, waits for the first interactive frame and reads the times.
async fn load(client: &Client, url: &str) -> Sample {
    client.goto(url).await.unwrap();
    until(client, "return !!(window.__bench && window.__bench.frame !== undefined)").await;
    let v = js(
        client,
        "const b = window.__bench; const nav = performance.getEntriesByType('navigation')[0];
         const wasm = performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm'));
         return { frame: b.frame, mounted: b.mounted ?? NaN, started: b.started ?? NaN,
                  dcl: nav.domContentLoadedEventEnd, fetched: wasm ? wasm.responseEnd : NaN,
                  transfer: wasm ? wasm.transferSize : NaN };",
    )
    .await;
    let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    Sample {
        frame: f("frame"),
        mounted: f("mounted"),
        started: f("started"),
        dom_content_loaded: f("dcl"),
        wasm_fetched: f("fetched"),
        wasm_transfer: f("transfer"),
    }
}

/// `WebAssembly.compile` of the page's own wasm bytes (fetched again, from the cache), 3 times (ms).
async fn compile_times(client: &Client) -> (f64, Vec<f64>) {
    let script = "const done = arguments[arguments.length - 1];
        (async () => {
          const url = performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm')).name;
          const bytes = await (await fetch(url)).arrayBuffer();
          const times = [];
          for (let i = 0; i < 3; i++) {
            const t = performance.now(); await WebAssembly.compile(bytes); times.push(performance.now() - t);
          }
          done({ bytes: bytes.byteLength, times });
        })().catch(e => done({ error: String(e) }));";
    let v = client.execute_async(script, vec![]).await.unwrap();
    assert!(v.get("error").is_none(), "compile: {v}");
    (v["bytes"].as_f64().unwrap(), serde_json::from_value(v["times"].clone()).unwrap())
}

fn median_range(values: impl IntoIterator<Item = f64>) -> String {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return "–".into();
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mid = if v.len() % 2 == 1 { v[v.len() / 2] } else { (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0 };
    format!("{mid:.0} ms ({:.0}–{:.0})", v[0], v[v.len() - 1])
}

#[tokio::test]
#[ignore = "benchmark of loading: run scripts/bench-load.sh"]
async fn load_to_first_interactive_frame() {
    let sessions: usize = std::env::var("LOAD_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let dist = dist_dir();
    let base = serve_cached(dist.clone(), "/");
    let driver = start_driver();
    let probe = probe();
    let (mut cold, mut second, mut third, mut compiles) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut wasm_bytes = 0.0;
    for _ in 0..sessions {
        let client = browser(&driver, 1280, 900).await;
        let session = client.session_id().await.unwrap().expect("a session id");
        cdp(&driver, &session, "Page.addScriptToEvaluateOnNewDocument", json!({ "source": probe }));
        cold.push(load(&client, &base).await);
        let (bytes, times) = compile_times(&client).await;
        wasm_bytes = bytes;
        compiles.extend(times);
        for visits in [&mut second, &mut third] {
            client.goto("about:blank").await.unwrap();
            visits.push(load(&client, &base).await);
        }
        client.close().await.unwrap();
    }
    let wasm = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))
        .expect("a wasm in the dist");
    let raw = std::fs::read(&wasm).unwrap();
    assert_eq!(raw.len() as f64, wasm_bytes, "the page loaded this dist's wasm");
    let deflated = miniz_oxide::deflate::compress_to_vec(&raw, 9).len();
    println!(
        "\n{}: {} bytes, {deflated} deflated (about its gzip size); medians (min–max) over {sessions} sessions",
        wasm.display(),
        raw.len()
    );
    println!(
        "\n| load | first interactive frame | app mounted | wasm started | DOMContentLoaded | wasm fetched \
         | wasm bytes over the wire |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, s) in [("cold (new profile)", &cold), ("warm (2nd visit)", &second), ("warm (3rd visit)", &third)] {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            median_range(s.iter().map(|x| x.frame)),
            median_range(s.iter().map(|x| x.mounted)),
            median_range(s.iter().map(|x| x.started)),
            median_range(s.iter().map(|x| x.dom_content_loaded)),
            median_range(s.iter().map(|x| x.wasm_fetched)),
            median_range(s.iter().map(|x| x.wasm_transfer)).replace(" ms", ""),
        );
    }
    println!(
        "\n`WebAssembly.compile` of the wasm's bytes, 3 times in each session: {}",
        median_range(compiles.iter().copied())
    );
    assert!(cold.len() == sessions && cold.iter().all(|s| s.frame.is_finite()), "the loads were timed");
}
