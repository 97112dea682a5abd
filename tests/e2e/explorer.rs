//! The explorer on the release build: a deadlock the default run misses is found,
//! replayed from its own link in a fresh page, and reached again by a fork at the step
//! where the schedules part.

use super::harness::*;
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn explore_replay_and_fork_find_the_hidden_deadlock() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 1000).await;
    client.goto(&format!("{base}#preset=hidden-deadlock")).await.unwrap();
    wait_for(&client, "[data-testid=explore]").await.click().await.unwrap();
    until(&client, "return !!document.querySelector('[data-testid=explore-status][data-complete=true]')").await;
    let mut found = Vec::new();
    for li in client.find_all(Locator::Css("[data-testid=explore-outcome] strong")).await.unwrap() {
        found.push(li.text().await.unwrap());
    }
    found.sort();
    assert_eq!(found, ["deadlock: left waits for b, right waits for a", "finishes with a = 0, b = 0"]);
    js(&client, "document.querySelector('[data-testid=explorer]').scrollIntoView(); return true").await;
    screenshot(&client, "explorer-hidden-deadlock").await;

    // Replay the deadlock: the cycle appears once the playhead reaches it.
    wait_for(&client, "[data-testid=explore-outcome][data-kind=bad] [data-testid=replay]").await.click().await.unwrap();
    wait_for(&client, "[data-testid=to-end]").await.click().await.unwrap();
    wait_for(&client, "[data-testid=cycle-strip]").await;
    // Its link opens the same run in a fresh page. The address follows the screen a little
    // later (a playhead move is written at most once a second): wait until it has the
    // schedule and the end's step, or the fresh page would open before the deadlock.
    until(
        &client,
        "const steps = document.querySelector('[data-testid=readout]').innerText.split(' / ')[1].split(' ')[0]; \
         return location.hash.includes('policy=manual:') && location.hash.includes('step=' + steps)",
    )
    .await;
    let address = js(&client, "return location.href").await.as_str().unwrap().to_string();
    let fresh = browser(&driver, 1280, 1000).await;
    fresh.goto(&address).await.unwrap();
    wait_for(&fresh, "[data-testid=cycle-strip]").await;
    fresh.close().await.unwrap();

    // Back to FIFO's run, which finishes; fork it where both tasks woke, and come back.
    client.goto(&format!("{base}#preset=hidden-deadlock&step=2")).await.unwrap();
    wait_for(&client, "[data-testid=fork][data-task=\"1\"]").await.click().await.unwrap();
    wait_for(&client, "[data-testid=forks]").await;
    wait_for(&client, "[data-testid=to-end]").await.click().await.unwrap();
    wait_for(&client, "[data-testid=cycle-strip]").await;
    screenshot(&client, "explorer-fork").await;
    wait_for(&client, "[data-testid=forks] button").await.click().await.unwrap();
    wait_for(&client, "[data-testid=to-end]").await.click().await.unwrap();
    until(
        &client,
        "return !document.querySelector('[data-testid=cycle-strip]') && !document.querySelector('[data-testid=forks]')",
    )
    .await;
    let banner = client.find(Locator::Css("#panic-banner")).await.unwrap();
    assert!(!banner.is_displayed().await.unwrap(), "the panic banner is showing");
    client.close().await.unwrap();
}
