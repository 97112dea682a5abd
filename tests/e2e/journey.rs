//! An instructor's journey on the release build: build a scenario from blank, name and
//! describe it, share it, open the link in a fresh page, and find the same thing on
//! screen. Typed with real key presses, as a person would.

use super::harness::*;
use fantoccini::{key::Key, Client, Locator};

/// Types `text` into the field matching `css` (replacing what it held) and leaves it
/// with Tab, which commits the change.
async fn type_into(client: &Client, css: &str, text: &str) {
    let field = wait_for(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(&format!("{text}{}", char::from(Key::Tab))).await.unwrap();
}

/// What a viewer sees of the scenario: the title and description beside it, the task
/// names, the step readout.
async fn on_screen(client: &Client) -> (String, Vec<String>, String) {
    let about = wait_for(client, "[data-testid=explanation]").await.text().await.unwrap();
    let mut tasks = Vec::new();
    for row in client.find_all(Locator::Css(".task-row .task-name")).await.unwrap() {
        tasks.push(row.text().await.unwrap());
    }
    let readout = wait_for(client, "[data-testid=readout]").await.text().await.unwrap();
    (about, tasks, readout)
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn an_instructor_builds_names_shares_and_reopens_a_scenario() {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, 1280, 1000).await;
    client.goto(&base).await.unwrap();
    wait_for(&client, "[data-testid=editor-toggle]").await.click().await.unwrap();
    wait_for(&client, "[data-testid=blank-scenario]").await.click().await.unwrap();
    type_into(&client, "[data-field=name]", "Two workers, one lock").await;
    type_into(&client, "[data-field=description]", "The second worker waits its turn.").await;
    wait_for(&client, "[data-testid=add-task]").await.click().await.unwrap();
    type_into(&client, "[data-field=\"tasks[0].name\"]", "first").await;
    type_into(&client, "[data-field=\"tasks[1].name\"]", "second").await;
    assert!(
        client.find_all(Locator::Css("[data-testid=scenario-error]")).await.unwrap().is_empty(),
        "the scenario built from blank does not run"
    );
    // Step into the run, so the link has a step to carry.
    wait_for(&client, "[data-testid=step]").await.click().await.unwrap();
    wait_for(&client, "[data-testid=step]").await.click().await.unwrap();
    let shown = on_screen(&client).await;
    assert!(shown.0.contains("Two workers, one lock") && shown.0.contains("waits its turn"), "{shown:?}");
    assert_eq!(shown.1, ["first", "second"]);

    // The address bar already reopens it ...
    until(&client, "return location.hash.includes('s=') && location.hash.includes('step=2')").await;
    let address = js(&client, "return location.href").await.as_str().unwrap().to_string();
    // ... and so does the Share panel's link, in a fresh page.
    wait_for(&client, "[data-testid=share-toggle]").await.click().await.unwrap();
    let link = wait_for(&client, "[data-testid=share-link]").await.prop("value").await.unwrap().unwrap();
    let snippet = wait_for(&client, "[data-testid=embed-snippet]").await.prop("value").await.unwrap().unwrap();
    assert!(snippet.contains("title=\"Mutex Playground: Two workers, one lock\""), "{snippet}");
    for url in [link, address] {
        let fresh = browser(&driver, 1280, 1000).await;
        fresh.goto(&url).await.unwrap();
        let again = on_screen(&fresh).await;
        assert_eq!(again, shown, "{url} shows something else");
        assert!(
            fresh.find_all(Locator::Css("[data-testid=notice]")).await.unwrap().is_empty(),
            "{url} opened with a complaint"
        );
        fresh.close().await.unwrap();
    }
    client.close().await.unwrap();
}
