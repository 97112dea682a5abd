//! Share links, embeds and the course page, on the release build in Chromium.

use super::harness::*;
use fantoccini::{Client, Locator};
use mutex_playground::exec::Policy;
use mutex_playground::scenario::preset;
use mutex_playground::share::{Link, Source};
use mutex_playground::trace::simulate;
use serde_json::Value;
use std::time::Duration;

async fn text(client: &Client, css: &str) -> String {
    wait_for(client, css).await.text().await.unwrap()
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn a_share_link_reproduces_the_run() {
    // A scenario that is not a preset: the deadlock with other names, in the link whole.
    let mut scenario = preset("deadlock").unwrap().scenario;
    scenario.name = "my deadlock".into();
    scenario.tasks[0].name = "alice".into();
    scenario.tasks[1].name = "bob".into();
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let step = 3;
    let link = Link {
        source: Source::Scenario(serde_json::to_string(&scenario).unwrap()),
        step: Some(step),
        ..Link::default()
    };

    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    client.goto(&format!("{base}#{}", link.to_fragment())).await.unwrap();
    let readout = text(&client, "[data-testid=readout]").await;
    assert!(readout.starts_with(&format!("step {step} / {}", run.steps())), "{readout}");
    let page = text(&client, ".main").await;
    assert!(page.contains("alice") && page.contains("bob"), "the link's own task names are shown");
    let expected_holder = run.snapshot_at(step as u32).mutexes[0]
        .holders
        .first()
        .map(|&t| scenario.tasks[t as usize].name.clone())
        .unwrap();
    assert!(page.contains(&format!("held by {expected_holder}")), "holder of a at step {step} is {expected_holder}");

    // The Share panel's link, opened afresh, shows the same step of the same run.
    client.find(Locator::Css("[data-testid=share-toggle]")).await.unwrap().click().await.unwrap();
    let shared = wait_for(&client, "[data-testid=share-link]").await.prop("value").await.unwrap().unwrap();
    assert!(shared.contains("#s="), "{shared}");
    client.goto("about:blank").await.unwrap();
    client.goto(&shared).await.unwrap();
    let again = text(&client, "[data-testid=readout]").await;
    assert_eq!(again, readout);
    let snippet = wait_for(&client, "[data-testid=share-toggle]").await;
    snippet.click().await.unwrap();
    let iframe = wait_for(&client, "[data-testid=embed-snippet]").await.prop("value").await.unwrap().unwrap();
    assert!(iframe.starts_with("<iframe src=\"") && iframe.contains("embed=1"), "{iframe}");
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn an_embed_fits_700_by_400_without_scroll_bars() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 700, 400).await;
    for id in ["reader-writer", "deadlock", "counter", "lost-wakeup", "std-mutex-across-await", "fairness"] {
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{base}#preset={id}&embed=1&speed=64&autoplay=1")).await.unwrap();
        wait_for(&client, ".shell[data-embed=true] .mutexes").await;
        let shown = text(&client, ".mutexes").await;
        let first_mutex = &preset(id).unwrap().scenario.mutexes[0].name;
        assert!(shown.contains(first_mutex.as_str()), "{id}: shows mutex {first_mutex}: {shown}");
        wait_for(&client, "[data-testid=open-full]").await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let dims = js(
            &client,
            "const d = document.documentElement; return [d.scrollWidth, d.clientWidth, d.scrollHeight, d.clientHeight]",
        )
        .await;
        let d: Vec<u64> = serde_json::from_value(dims).unwrap();
        screenshot(&client, &format!("embed-700x400-{id}")).await;
        assert!(d[0] <= d[1] && d[2] <= d[3], "{id}: the embed scrolls: {d:?} (scrollW, clientW, scrollH, clientH)");
        let full =
            client.find(Locator::Css("[data-testid=open-full]")).await.unwrap().attr("href").await.unwrap().unwrap();
        assert!(!full.contains("embed=1"), "the full-playground link leaves embed mode: {full}");
    }
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn the_course_page_loads_both_embeds_from_a_sub_path() {
    let base = serve(dist_dir(), "/course/playground/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 1600).await;
    client.goto(&format!("{base}course.html")).await.unwrap();
    for id in ["reader-writer", "deadlock"] {
        until(
            &client,
            &format!(
                "const f = document.querySelector('iframe[data-embed=\"{id}\"]'); \
             return !!(f && f.contentDocument && f.contentDocument.querySelector('.shell[data-embed=true] .mutexes'))"
            ),
        )
        .await;
        let banner = js(
            &client,
            &format!(
                "return document.querySelector('iframe[data-embed=\"{id}\"]').contentDocument\
                 .querySelector('#panic-banner').hidden"
            ),
        )
        .await;
        assert_eq!(banner, Value::Bool(true), "{id}: the embed crashed");
    }
    until(
        &client,
        "return document.querySelector('iframe[data-embed=\"deadlock\"]').contentDocument.body.innerText\
         .includes('Deadlock')",
    )
    .await;
    screenshot(&client, "course-page").await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn hostile_links_show_a_message_and_the_default_scenario() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    let huge = "A".repeat(70_000);
    let cases = [
        ("s=%%%", "not valid base64url"),
        ("s=AAAA", "damaged"),
        (&*format!("s={}", mutex_playground::share::pack("{\"name\": 1")), "not valid JSON"),
        (&*format!("s={}", mutex_playground::share::pack("{\"name\":\"x\",\"tasks\":[]}")), "at least one task"),
        ("preset=nope", "does not exist"),
        ("preset=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "preset name"),
        (&*format!("s={huge}"), "too long"),
    ];
    for (fragment, needle) in cases {
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{base}#{fragment}")).await.unwrap();
        let notice = text(&client, "[data-testid=notice]").await;
        assert!(notice.contains(needle), "#{}…: {notice}", &fragment[..fragment.len().min(30)]);
        // Where the eye is: under the title, not after the page.
        let top =
            js(&client, "return document.querySelector('[data-testid=notice]').getBoundingClientRect().top").await;
        assert!(top.as_f64().unwrap() < 200.0, "the notice is {top} px down");
        let readout = text(&client, "[data-testid=readout]").await;
        assert!(readout.starts_with("step 0 / "), "the default scenario runs: {readout}");
        assert_eq!(
            js(&client, "return document.querySelectorAll('img').length").await,
            Value::from(0),
            "nothing from the link became HTML"
        );
        assert_eq!(js(&client, "return document.querySelector('#panic-banner').hidden").await, Value::Bool(true));
    }
    screenshot(&client, "hostile-link").await;
    // A fragment changed in place (no reload) opens the new scenario too.
    client.execute("location.hash = 'preset=deadlock&step=4'", vec![]).await.unwrap();
    until(&client, "return document.querySelector('[data-testid=readout]').innerText.startsWith('step 4 / 4')").await;
    client.close().await.unwrap();
}
