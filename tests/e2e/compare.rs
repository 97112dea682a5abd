//! The lock kinds and the compare view on the release build: a link opens the comparison
//! (in embed mode too), the columns follow the page's playhead, the table says who starves
//! under which policy; each new preset renders, and the cancel-safety one says at its step
//! that the dropped lock future passed the lock on. Screenshots: `compare-starvation.png`,
//! `compare-embed.png`, `preset-<id>.png` for each lock-kind preset and `select`,
//! `cancel-safety.png`.

use crate::harness::*;
use fantoccini::{Client, Locator};

/// The table's cell `testid` in the row of `policy`.
async fn cell(client: &Client, policy: &str, testid: &str) -> String {
    let script = format!(
        "const r = document.querySelector('[data-testid=compare-row][data-policy={policy}]'); \
         return r ? r.querySelector('[data-testid={testid}]').textContent : '';"
    );
    js(client, &script).await.as_str().unwrap_or_default().to_string()
}

/// Moves the page's playhead to `step`.
async fn seek(client: &Client, step: u32) {
    js(
        client,
        &format!(
            "const s = document.querySelector('[data-testid=seek]'); s.value = '{step}'; \
             s.dispatchEvent(new Event('input', {{bubbles: true}}));"
        ),
    )
    .await;
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn a_link_compares_policies_and_the_columns_follow_the_playhead() {
    let (_driver, client, _) =
        open_page(1400, 1600, "preset=barging-starvation&compare=barging,async,eventually_fair").await;
    wait_for(&client, "[data-testid=compare-table]").await;
    until(&client, "return document.querySelectorAll('[data-testid=compare-row]').length == 3").await;
    // Under barging the polite task starves; FIFO and eventually fair hand it the lock.
    assert_eq!(cell(&client, "barging", "compare-starved").await, "polite");
    assert_eq!(cell(&client, "async", "compare-starved").await, "none");
    assert_eq!(cell(&client, "eventually_fair", "compare-starved").await, "none");
    assert_eq!(cell(&client, "async", "compare-overtaken").await, "0");
    assert_ne!(cell(&client, "barging", "compare-overtaken").await, "0");
    // The columns are in the link's order, and follow the page's playhead.
    let order = js(
        &client,
        "return [...document.querySelectorAll('[data-testid=compare-column]')].map(c => c.dataset.policy).join()",
    )
    .await;
    assert_eq!(order.as_str(), Some("barging,async,eventually_fair"));
    seek(&client, 0).await;
    let at_start =
        js(&client, "return [...document.querySelectorAll('.compare-locks')].map(l => l.dataset.step).join()").await;
    assert_eq!(at_start.as_str(), Some("0,0,0"));
    seek(&client, 12).await;
    until(&client, "return [...document.querySelectorAll('.compare-locks')].every(l => l.dataset.step != '0')").await;
    // At that moment somebody holds the lock in every column.
    let held = js(
        &client,
        "return [...document.querySelectorAll('[data-testid=compare-holders]')].every(h => h.querySelector('.chip'))",
    )
    .await;
    assert_eq!(held.as_bool(), Some(true));
    screenshot(&client, "compare-starvation").await;
    // Dropping a policy rewrites the address; the view goes on with two.
    client.find(Locator::Css("[data-testid=compare-eventually_fair]")).await.unwrap().click().await.unwrap();
    until(&client, "return document.querySelectorAll('[data-testid=compare-column]').length == 2").await;
    until(&client, "return location.hash.includes('compare=barging,async') && !location.hash.includes('eventually')")
        .await;
    // Two is the fewest: those checkboxes cannot be unticked.
    let locked = js(&client, "return document.querySelector('[data-testid=compare-async]').disabled").await;
    assert_eq!(locked.as_bool(), Some(true));
    client.find(Locator::Css("[data-testid=compare-close]")).await.unwrap().click().await.unwrap();
    until(&client, "return !document.querySelector('[data-testid=compare]') && !location.hash.includes('compare=')")
        .await;
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn an_embed_shows_the_comparison_and_a_bad_one_is_a_notice() {
    let (_driver, client, base) = open_page(700, 1100, "preset=convoy&embed=1&compare=async,lifo").await;
    wait_for(&client, "[data-testid=compare-table]").await;
    until(&client, "return document.querySelectorAll('[data-testid=compare-row]').length == 2").await;
    let convoy = cell(&client, "async", "compare-convoy").await;
    assert!(convoy.starts_with("yes"), "{convoy}");
    // Nothing wider than the frame.
    let wide = js(&client, "return document.documentElement.scrollWidth <= window.innerWidth").await;
    assert_eq!(wide.as_bool(), Some(true));
    screenshot(&client, "compare-embed").await;
    // A link asking for one policy, or a lock that is not a policy, opens the preset with a notice.
    client.goto(&format!("{base}#preset=convoy&compare=rwlock")).await.unwrap();
    let notice = wait_for(&client, "[data-testid=notice]").await.text().await.unwrap();
    assert!(notice.contains("2 to 4 of"), "{notice}");
    assert!(client.find(Locator::Css("[data-testid=compare]")).await.is_err());
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn each_lock_kind_preset_renders_its_holders() {
    let (_driver, client, base) = open_page(1280, 1000, "").await;
    // (preset, step, holders expected at that step in the first lock's slot)
    let presets =
        [("rwlock", 6, 3), ("semaphore", 6, 2), ("convoy", 2, 1), ("barging-starvation", 3, 1), ("select", 6, 1)];
    for (id, step, holders) in presets {
        client.goto(&format!("{base}#preset={id}&step={step}")).await.unwrap();
        wait_for(&client, "[data-testid=mutex-panel]").await;
        until(
            &client,
            &format!("return document.querySelector('[data-testid=readout]').textContent.includes('step {step} /')"),
        )
        .await;
        let n = js(&client, "return document.querySelectorAll('[data-testid=holder-chip]').length").await;
        assert_eq!(n.as_u64(), Some(holders), "{id} at step {step}");
        screenshot(&client, &format!("preset-{id}")).await;
    }
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn cancel_safety_is_said_at_its_step() {
    let (_driver, client, _) = open_page(1280, 1000, "preset=cancel-safety").await;
    wait_for(&client, "[data-testid=mutex-panel]").await;
    // Step 7: the worker's select! takes the sleep branch with the lock already handed to
    // it; the lock passes on to patient, and the page says so.
    seek(&client, 7).await;
    until(&client, "return document.querySelector('[data-testid=narration]').textContent.includes('cancel safe')")
        .await;
    let narration = js(&client, "return document.querySelector('[data-testid=narration]').textContent").await;
    assert!(narration.as_str().unwrap_or_default().contains("so m passes on to patient"), "{narration}");
    // Said on the page too, paused: the caption under the controls.
    let caption = wait_for(&client, "[data-testid=caption]").await.text().await.unwrap();
    assert!(caption.contains("cancel safe"), "{caption}");
    let holder = js(&client, "return document.querySelector('[data-testid=holder-chip]').dataset.task").await;
    assert_eq!(holder.as_str(), Some("2"), "patient holds m");
    screenshot(&client, "cancel-safety").await;
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn the_comparison_fits_a_phone() {
    let (_driver, client, _) =
        open_page(360, 1400, "preset=convoy&step=20&compare=async,barging,lifo,eventually_fair").await;
    wait_for(&client, "[data-testid=compare-chart]").await;
    until(&client, "return document.querySelectorAll('[data-testid=compare-row]').length == 4").await;
    // Nothing of the page is wider than the phone (the table scrolls inside its box).
    let wide = js(&client, "return document.documentElement.scrollWidth").await.as_f64().unwrap();
    assert!(wide <= 361.0, "the page is {wide} px wide");
    js(&client, "document.querySelector('[data-testid=compare]').scrollIntoView()").await;
    screenshot(&client, "compare-360").await;
}
