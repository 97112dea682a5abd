//! End to end: the Trunk **release** dist served on loopback, opened in headless Chromium
//! through ChromeDriver. `make test-e2e` builds the dist and runs these (they are
//! `#[ignore]`d so a plain `cargo test` does not need a browser).
#![cfg(not(target_arch = "wasm32"))]

mod a11y;
mod code;
mod compare;
mod explorer;
mod frames;
mod harness;
mod hostile;
mod journey;
mod lesson;
mod load;
mod share;
mod ui;

use fantoccini::Locator;
use harness::*;

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn the_app_renders_and_answers_a_click() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 900).await;
    client.goto(&base).await.unwrap();

    let title = wait_for(&client, "#app-title").await;
    assert_eq!(title.text().await.unwrap(), "Mutex Playground");
    let shell = client.find(Locator::Css(".shell")).await.unwrap();
    assert_eq!(shell.attr("data-theme").await.unwrap().as_deref(), Some("light"));

    client.find(Locator::Css(".theme-toggle")).await.unwrap().click().await.unwrap();
    assert_eq!(shell.attr("data-theme").await.unwrap().as_deref(), Some("dark"));
    let banner = client.find(Locator::Css("#panic-banner")).await.unwrap();
    assert!(!banner.is_displayed().await.unwrap(), "the panic banner is showing");
    screenshot(&client, "shell").await;
    client.close().await.unwrap();
}
