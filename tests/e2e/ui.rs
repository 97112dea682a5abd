//! The playground end to end on the release build: every preset played to its end, the
//! outcome each one teaches, and screenshots (wide, 360 px, dark) under `target/e2e/`.

use crate::harness::*;
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

async fn text_of(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("`{css}` missing: {e}")).text().await.unwrap()
}

async fn click(client: &Client, css: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("`{css}` missing: {e}")).click().await.unwrap();
}

/// "step N / M" at the end of the run.
async fn at_end(client: &Client) -> bool {
    let readout = text_of(client, "[data-testid=readout]").await;
    let Some(rest) = readout.strip_prefix("step ") else { return false };
    let mut parts = rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
    matches!((parts.next(), parts.next()), (Some(a), Some(b)) if a == b)
}

async fn alert_kinds(client: &Client) -> Vec<String> {
    let mut kinds = Vec::new();
    for el in client.find_all(Locator::Css("[data-testid=alert]")).await.unwrap() {
        kinds.push(el.attr("data-kind").await.unwrap().unwrap_or_default());
    }
    kinds
}

async fn open(width: u32, height: u32) -> (Driver, Client) {
    let (driver, client, _) = open_page(width, height, "").await;
    wait_for(&client, "[data-testid=readout]").await;
    (driver, client)
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn every_preset_plays_to_its_outcome() {
    let (_driver, client) = open(1280, 2000).await;
    let expectations: [(&str, &str); 7] = [
        ("counter", "1000"),
        ("reader-writer", "time limit"),
        ("deadlock", "deadlock"),
        ("lost-wakeup", "lost wake-up"),
        ("std-mutex-across-await", "stalled"),
        ("fairness", ""),
        ("timeout", "every task finished"),
    ];
    for (id, outcome) in expectations {
        click(&client, &format!("[data-testid=preset-{id}]")).await;
        // Play at the top speed, then jump the rest of the way (a long run would take a
        // while at 64×); the reader-writer run is short enough to watch to the end.
        client
            .execute(
                "const s=document.querySelector('[data-testid=speed]'); s.value='8'; \
                 s.dispatchEvent(new Event('change',{bubbles:true}));",
                vec![],
            )
            .await
            .unwrap();
        click(&client, "[data-testid=play]").await;
        let deadline = Instant::now() + Duration::from_secs(if id == "reader-writer" { 30 } else { 2 });
        while !at_end(&client).await && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if !at_end(&client).await {
            click(&client, "[data-testid=to-end]").await;
        }
        assert!(at_end(&client).await, "{id}: the playhead did not reach the end");
        let text = text_of(&client, "[data-testid=outcome]").await;
        assert!(text.to_lowercase().contains(outcome), "{id}: outcome {text:?} lacks {outcome:?}");
        let kinds = alert_kinds(&client).await;
        match id {
            "counter" => assert!(text.contains("= 1000"), "counter: {text}"),
            "deadlock" => {
                assert!(kinds.iter().any(|k| k == "Deadlock"), "deadlock alert missing: {kinds:?}");
                wait_for(&client, "[data-testid=cycle-strip]").await;
                wait_for(&client, ".mutex-panel.in-cycle").await;
            }
            "lost-wakeup" => assert!(kinds.iter().any(|k| k == "LostWakeup"), "lost wake-up alert missing: {kinds:?}"),
            "timeout" => {
                // The one who gave up is not drawn in the queue at the end.
                let queued = client.find_all(Locator::Css("[data-testid=queue-chip]")).await.unwrap();
                assert!(queued.is_empty(), "timeout: {} chips still queued at the end", queued.len());
            }
            "std-mutex-across-await" => {
                assert!(kinds.iter().any(|k| k == "Stalled"), "stall alert missing: {kinds:?}");
                wait_for(&client, "[data-testid=stall-banner]").await;
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        screenshot(&client, &format!("preset-{id}")).await;
    }
    let banner = client.find(Locator::Css("#panic-banner")).await.unwrap();
    assert!(!banner.is_displayed().await.unwrap(), "the panic banner is showing");
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn reader_writer_mid_run_wide_narrow_and_dark() {
    let (_driver, client) = open(1280, 1800).await;
    click(&client, "[data-testid=preset-reader-writer]").await;
    for _ in 0..6 {
        click(&client, "[data-testid=step]").await;
    }
    assert!(client.find_all(Locator::Css("[data-testid=holder-chip]")).await.unwrap().len() <= 1);
    tokio::time::sleep(Duration::from_millis(800)).await; // let the chips settle
    screenshot(&client, "reader-writer-wide").await;
    click(&client, ".theme-toggle").await;
    let shell = client.find(Locator::Css(".shell")).await.unwrap();
    assert_eq!(shell.attr("data-theme").await.unwrap().as_deref(), Some("dark"));
    screenshot(&client, "reader-writer-dark").await;
    click(&client, "[data-testid=editor-toggle]").await;
    wait_for(&client, "[data-testid=editor]").await;
    screenshot(&client, "editor-dark").await;
    client.close().await.unwrap();

    let (_driver2, narrow) = open(360, 2400).await;
    click(&narrow, "[data-testid=preset-reader-writer]").await;
    for _ in 0..6 {
        click(&narrow, "[data-testid=step]").await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let overflow: bool = serde_json::from_value(
        narrow.execute("return document.documentElement.scrollWidth > window.innerWidth + 1", vec![]).await.unwrap(),
    )
    .unwrap();
    screenshot(&narrow, "reader-writer-360").await;
    assert!(!overflow, "the page scrolls sideways at 360 px");
    narrow.close().await.unwrap();
}
