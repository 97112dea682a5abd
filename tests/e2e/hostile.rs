//! Issue 11's links on the release build: short links that used to freeze the page or
//! exhaust its memory end early with a reason, a big run is made a slice per frame and
//! can be cancelled, and the page keeps answering meanwhile.

use super::harness::*;

#[path = "../cases/mod.rs"]
mod cases;
use mutex_playground::share::pack;
use serde_json::Value;

const OUTCOME: &str = "(document.querySelector('[data-testid=outcome]') || {innerText: ''}).innerText";

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn links_that_froze_or_exhausted_the_page_end_early_with_a_reason() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    let cases = [
        (r#"{"name":"spin","tasks":[{"name":"a","forever":true,"steps":[]}]}"#, "ran 20,000 steps without yielding"),
        (
            concat!(
                r#"{"name":"flood","mutexes":[{"name":"m","initial":[]}],"tasks":[{"name":"a","forever":true,"steps":"#,
                r#"[{"op":"locked_write","mutex":"m","action":{"kind":"push","value":1}}]}]}"#,
            ),
            "without yielding",
        ),
        (
            concat!(
                r#"{"name":"take","mutexes":[{"name":"m","initial":[1]}],"tasks":[{"name":"a","steps":"#,
                r#"[{"op":"broken_wait","mutex":"m","until":{"kind":"non_empty"},"take":true}]}]}"#,
            ),
            "every task finished",
        ),
    ];
    for (json, expect) in cases {
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{base}#s={}", pack(json))).await.unwrap();
        let took = until(&client, &format!("return {OUTCOME}.includes({expect:?})")).await;
        eprintln!("{json:.40}…: outcome shown after {} ms", took.as_millis());
        assert_eq!(js(&client, "return document.querySelector('#panic-banner').hidden").await, Value::Bool(true));
    }
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn a_big_run_shows_progress_keeps_the_page_answering_and_can_be_cancelled() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    let link = format!("{base}#s={}", pack(&cases::turn_takers(3_000)));

    client.goto(&link).await.unwrap();
    until(&client, "return !!document.querySelector('[data-testid=simulating]')").await;
    // While it runs, the page answers: the theme toggles at once.
    let before = js(&client, "return document.querySelector('.shell').dataset.theme").await;
    js(&client, "document.querySelector('.theme-toggle').click(); return 0").await;
    let after = js(&client, "return document.querySelector('.shell').dataset.theme").await;
    assert_ne!(before, after, "the page answered a click during the simulation");
    let took = until(
        &client,
        &format!("return !document.querySelector('[data-testid=simulating]') && {OUTCOME}.includes('size limit')"),
    )
    .await;
    eprintln!("3,000-task run made in slices: done after {} ms", took.as_millis());
    screenshot(&client, "big-run-done").await;

    // Again, and cancel it: the default run stays, with a note.
    client.goto("about:blank").await.unwrap();
    client.goto(&link).await.unwrap();
    // Where the progress is, and Cancel, in one script: the run takes under a second.
    until(&client, "return !!document.querySelector('[data-testid=cancel-simulation]')").await;
    let top = js(
        &client,
        "const top = document.querySelector('[data-testid=simulating]').getBoundingClientRect().top; \
         document.querySelector('[data-testid=cancel-simulation]').click(); return top",
    )
    .await;
    assert!(top.as_f64().unwrap() < 200.0, "the progress is {top} px down");
    until(&client, "return !document.querySelector('[data-testid=simulating]')").await;
    let notice = js(&client, "return document.querySelector('[data-testid=notice]').innerText").await;
    assert!(notice.as_str().unwrap_or("").contains("Stopped simulating \"big\""), "{notice}");
    assert_eq!(js(&client, "return document.querySelector('#panic-banner').hidden").await, Value::Bool(true));
    client.close().await.unwrap();
}
