//! Lessons and the embed API on the release build: every seed lesson completed by
//! answering its questions (the first one wrong on purpose), the course page driving an
//! embedded lesson and keeping the score from its messages, and a host page of an origin
//! the link does not allow being ignored.

use super::harness::*;
use fantoccini::{Client, Locator};
use mutex_playground::lesson::bundled;
use serde_json::Value;
use std::time::Duration;

async fn phase(client: &Client) -> String {
    js(client, "const l = document.querySelector('[data-testid=lesson]'); return l ? l.dataset.phase : 'none'")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn every_seed_lesson_can_be_completed() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 1100).await;
    client.goto(&base).await.unwrap();
    js(&client, "localStorage.clear(); return true").await;
    for lesson in bundled() {
        let p = lesson.prepare().unwrap();
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{base}#lesson={}&speed=64", lesson.id)).await.unwrap();
        wait_for(&client, "[data-testid=lesson]").await;
        let mut asked = 0;
        for _ in 0..1_000 {
            match phase(&client).await.as_str() {
                "Done" => break,
                "AtStop" => wait_for(&client, "[data-testid=next-stop]").await.click().await.unwrap(),
                "Asking" => {
                    let stop: usize =
                        js(&client, "return document.querySelector('.stops a[aria-current=step]').innerText")
                            .await
                            .as_str()
                            .unwrap()
                            .split(' ')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap();
                    let q = p.stops[stop - 1].question.as_ref().expect("a question at this stop");
                    // The first question wrong on purpose, the others right.
                    let pick = if asked == 0 { (q.answer + 1) % q.choices.len() } else { q.answer };
                    if lesson.id == "seed-002-hand-over" && asked == 1 {
                        screenshot(&client, "lesson-question").await;
                    }
                    let choices = client.find_all(Locator::Css("[data-testid=choice]")).await.unwrap();
                    choices[pick].click().await.unwrap();
                    let verdict = wait_for(&client, "[data-testid=verdict]").await.text().await.unwrap();
                    let expected = if pick == q.answer { "Right." } else { "Not quite" };
                    assert!(verdict.starts_with(expected), "{}: stop {stop}: {verdict}", lesson.id);
                    asked += 1;
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let questions = p.stops.iter().filter(|s| s.question.is_some()).count();
        assert_eq!(asked, questions, "{}", lesson.id);
        let done = wait_for(&client, "[data-testid=lesson-done]").await.text().await.unwrap();
        assert_eq!(done, format!("Lesson complete: {} of {questions} predictions right.", questions - 1));
        assert_eq!(js(&client, "return document.querySelector('#panic-banner').hidden").await, Value::Bool(true));
    }
    screenshot(&client, "lesson-done").await;
    client.close().await.unwrap();
}

/// Runs `script` in the lesson iframe of the page (same origin here), returning its value.
fn in_frame(script: &str) -> String {
    format!("const d = document.getElementById('lesson-frame').contentDocument; {script}")
}

/// A script: whether the lesson in the iframe waits at stop `k` (from 1) with nothing to answer.
fn at_stop(k: usize) -> String {
    in_frame(&format!(
        "return d.querySelector('[data-testid=lesson]').dataset.phase === 'AtStop' \
         && d.querySelector('.stops a[aria-current=step]').innerText.startsWith('{k}')"
    ))
}

/// A script that clicks the lesson's choice ending in `label`, inside the iframe.
fn choose(label: &str) -> String {
    in_frame(&format!(
        "[...d.querySelectorAll('[data-testid=choice]')].find(b => b.innerText.endsWith('{label}')).click(); \
         return true"
    ))
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn the_course_page_drives_an_embedded_lesson_and_keeps_the_score() {
    let base = serve(dist_dir(), "/course/playground/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 1400).await;
    client.goto(&format!("{base}course.html")).await.unwrap();
    js(&client, "localStorage.clear(); return true").await;
    client.refresh().await.unwrap();
    // The playground says it is ready, and where its playhead is.
    until(&client, "return document.getElementById('events').textContent.includes('\"event\":\"ready\"')").await;
    until(&client, "return document.getElementById('where').textContent.startsWith('Step 0 of 15, stop 1')").await;
    // The course page's buttons drive it: step, then on to stop 2, which asks.
    client.find(Locator::Css("[data-command=step]")).await.unwrap().click().await.unwrap();
    until(&client, "return document.getElementById('where').textContent.startsWith('Step 1 of 15')").await;
    client.find(Locator::Css("[data-command=continue]")).await.unwrap().click().await.unwrap();
    until(&client, &in_frame("return d.querySelector('[data-testid=lesson]').dataset.phase === 'Asking'")).await;
    until(&client, "return document.getElementById('where').textContent.startsWith('Step 2 of 15, stop 2')").await;
    // The student answers inside the figure (wrongly): the course page hears it.
    js(&client, &choose("reader")).await;
    until(&client, "return document.getElementById('score').textContent === '1 answered, 0 right so far.'").await;
    let answer = js(&client, "return document.getElementById('answers').innerText").await;
    assert_eq!(answer.as_str().unwrap().trim(), "Stop 2: you said reader — it was writer.");
    // On through the lesson from the course page's button, answering the next one right.
    client.find(Locator::Css("[data-command=continue]")).await.unwrap().click().await.unwrap();
    until(&client, &at_stop(3)).await;
    client.find(Locator::Css("[data-command=continue]")).await.unwrap().click().await.unwrap();
    until(&client, &in_frame("return d.querySelector('[data-testid=lesson]').dataset.phase === 'Asking'")).await;
    js(&client, &choose("Number(1000)")).await;
    // A command arrives as a message, later than the click: wait for each to take effect
    // (here, the last stop reached) before the next, or two would land on one stop.
    until(&client, &in_frame("return d.querySelector('[data-testid=lesson]').dataset.phase === 'AtStop'")).await;
    client.find(Locator::Css("[data-command=continue]")).await.unwrap().click().await.unwrap();
    until(&client, &at_stop(5)).await;
    client.find(Locator::Css("[data-command=continue]")).await.unwrap().click().await.unwrap();
    until(
        &client,
        "return document.getElementById('score').textContent === 'Lesson complete: 1 of 2 predictions right.'",
    )
    .await;
    // A bad command gets an error event back.
    js(
        &client,
        "document.getElementById('lesson-frame').contentWindow.postMessage(\
         {protocol: 'mutex-playground', version: 1, command: 'load', program: 'fn main() {}'}, '*'); return true",
    )
    .await;
    until(
        &client,
        "return document.getElementById('where').textContent.includes('the program cannot be read: line 1:1')",
    )
    .await;
    // A program the page can read opens as a scenario, its text in the code view.
    js(
        &client,
        "document.getElementById('lesson-frame').contentWindow.postMessage({protocol: 'mutex-playground', \
         version: 1, command: 'load', program: 'use std::sync::Arc;\\nuse tokio::sync::Mutex;\\n\\n\\
         #[tokio::main]\\nasync fn main() {\\n    let jar = Arc::new(Mutex::new(0));\\n    \\
         tokio::spawn(async move {\\n        *jar.lock().await += 1;\\n    });\\n}\\n'}, '*'); return true",
    )
    .await;
    until(&client, &in_frame("return d.querySelector('[data-testid=mutex-panel]').textContent.includes('jar')")).await;
    js(&client, "document.querySelector('.driver').scrollIntoView(); return true").await;
    screenshot(&client, "course-lesson").await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn a_host_of_another_origin_is_ignored_unless_the_link_allows_it() {
    let playground = serve(dist_dir(), "/");
    // A host page of its own, on another port: another origin.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e/host");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><html lang=en><title>host</title>\
         <iframe id=f title=playground width=900 height=700></iframe>\
         <script>window.heard = [];\
         addEventListener('message', e => { if (e.data && e.data.protocol) heard.push(e.data); });\
         function send(m) { document.getElementById('f').contentWindow\
           .postMessage(Object.assign({protocol: 'mutex-playground', version: 1}, m), '*'); }</script>",
    )
    .unwrap();
    let host = serve(dir, "/");
    let host_origin = host.trim_end_matches('/').to_string();
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    for (allowed, listens) in [(host_origin.as_str(), true), ("https://elsewhere.example", false)] {
        client.goto(&host).await.unwrap();
        let src = format!("{playground}#preset=deadlock&embed=1&origins={}", urlencode(allowed));
        js(&client, &format!("document.getElementById('f').src = {}; return true", Value::from(src))).await;
        // Wait until the playground is up inside the frame (its listener is then attached),
        // rather than for a fixed time, which a loaded machine can outlast.
        let frame = client.find(Locator::Css("#f")).await.unwrap();
        frame.enter_frame().await.unwrap();
        wait_for(&client, "[data-testid=readout]").await;
        client.enter_parent_frame().await.unwrap();
        js(&client, "send({command: 'seek', step: 3}); return true").await;
        let heard_script = "return window.heard.map(m => m.event + (m.step === undefined ? '' : ':' + m.step))";
        if listens {
            until(&client, "return window.heard.some(m => m.event === 'step' && m.step === 3)").await;
        } else {
            // Nothing to wait for: give a message time to arrive, and check none did.
            tokio::time::sleep(Duration::from_millis(1_000)).await;
        }
        let heard: Vec<String> = serde_json::from_value(js(&client, heard_script).await).unwrap();
        // What the playground did, seen from inside it.
        let frame = client.find(Locator::Css("#f")).await.unwrap();
        frame.enter_frame().await.unwrap();
        let readout = wait_for(&client, "[data-testid=readout]").await.text().await.unwrap();
        client.enter_parent_frame().await.unwrap();
        if listens {
            assert_eq!(heard.first().map(String::as_str), Some("ready"), "{heard:?}");
            assert!(readout.starts_with("step 3 / 4"), "{readout}");
        } else {
            assert!(heard.is_empty(), "a host the link does not allow heard {heard:?}");
            assert!(readout.starts_with("step 0 / 4"), "a host the link does not allow moved it: {readout}");
        }
    }
    client.close().await.unwrap();
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
