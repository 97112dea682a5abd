//! The code editor on the release build, typed into as a person types: a program runs as
//! typed, its lines marked in the code view as the playhead moves; a mistake shows at its
//! line and column while the last good run stays. Screenshots: `code-editor.png`,
//! `code-error.png`, `code-editor-360.png`.

use crate::harness::*;
use fantoccini::{key::Key, Client, Locator};

/// The program the browser test pastes (`tests/cases/jar.rs`), typed here key by key.
const PROGRAM: &str = include_str!("../cases/jar.rs");

/// The text of the code view's line that task `t`'s chip is on.
async fn chip_line(client: &Client, t: u32) -> String {
    let script = format!(
        "const c = document.querySelector('.code-view .code-chip[data-task=\"{t}\"]'); \
         return c ? c.closest('.code-line').querySelector('.code-text').textContent : '';"
    );
    js(client, &script).await.as_str().unwrap_or_default().to_string()
}

async fn open(width: u32) -> (Driver, Client) {
    let (driver, client, _) = open_page(width, 1400, "").await;
    wait_for(&client, "[data-testid=readout]").await;
    client.find(Locator::Css("[data-testid=editor-toggle]")).await.unwrap().click().await.unwrap();
    wait_for(&client, "[data-testid=code-input]").await;
    (driver, client)
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn a_typed_program_runs_and_a_mistake_shows_at_its_place() {
    let (_driver, client) = open(1400).await;
    let input = client.find(Locator::Css("[data-testid=code-input]")).await.unwrap();
    input.click().await.unwrap();
    // Select everything and type the program over it, key by key (Tab would indent: none
    // is typed; the program's own spaces are).
    input.send_keys(&format!("{}a{}", Key::Control, Key::Control)).await.unwrap();
    input.send_keys(&Key::Delete.to_string()).await.unwrap();
    input.send_keys(PROGRAM).await.unwrap();
    until(&client, "return document.querySelector('[data-testid=code-status]').textContent.includes('as typed')").await;
    let panel = client.find(Locator::Css("[data-testid=mutex-panel]")).await.unwrap().text().await.unwrap();
    assert!(panel.contains("jar"), "{panel}");
    // The code view is the typed text; the chips move with the playhead.
    js(
        &client,
        "const s = document.querySelector('[data-testid=seek]'); s.value = '3'; \
                 s.dispatchEvent(new Event('input', {bubbles: true}));",
    )
    .await;
    until(&client, "return !!document.querySelector('.code-view .code-chip[data-task=\"2\"]')").await;
    assert!(chip_line(&client, 1).await.contains("sleep(Duration::from_millis(100)).await;"));
    assert!(chip_line(&client, 2).await.contains("let mut cookies = jar.lock().await;"));
    js(
        &client,
        "const s = document.querySelector('[data-testid=seek]'); s.value = '5'; \
                 s.dispatchEvent(new Event('input', {bubbles: true}));",
    )
    .await;
    until(
        &client,
        "return !document.querySelector('.code-view .code-chip[data-task=\"1\"]') || \
                    !document.querySelector('.code-view .code-chip[data-task=\"1\"]').closest('.code-line')\
                    .textContent.includes('sleep(')",
    )
    .await;
    screenshot(&client, "code-editor").await;

    // A mistake: `.lock()` without `.await` on line 12, typed at its end.
    let before = client.find(Locator::Css("[data-testid=mutex-panel]")).await.unwrap().text().await.unwrap();
    js(
        &client,
        "const a = document.querySelector('[data-testid=code-input]'); \
                 const at = a.value.indexOf('jar.lock().await;') + 'jar.lock()'.length; \
                 a.focus(); a.setSelectionRange(at, at + '.await'.length);",
    )
    .await;
    input.send_keys(&Key::Delete.to_string()).await.unwrap();
    let error = wait_for(&client, "[data-testid=code-error]").await;
    assert_eq!(error.attr("data-line").await.unwrap().as_deref(), Some("12"));
    let text = error.text().await.unwrap();
    assert!(text.contains("12 |             let mut cookies = jar.lock();"), "{text}");
    assert!(text.contains("`.lock()` makes a future: add `.await`"), "{text}");
    let after = client.find(Locator::Css("[data-testid=mutex-panel]")).await.unwrap().text().await.unwrap();
    assert_eq!(before, after, "the last good run stays on screen");
    screenshot(&client, "code-error").await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn the_editor_fits_a_phone() {
    let (_driver, client) = open(360).await;
    // Nothing of the page is wider than the phone's screen: the editor scrolls inside.
    let wide = js(&client, "return document.documentElement.scrollWidth").await.as_f64().unwrap();
    let culprits = js(
        &client,
        "const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) { \
           const o = getComputedStyle(p).overflowX; \
           if (o === 'auto' || o === 'hidden' || o === 'scroll') return true; } return false; }; \
         return [...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 361 && !clipped(e))\
         .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
    )
    .await;
    assert!(wide <= 361.0, "the page is {wide} px wide: {culprits}");
    js(&client, "document.querySelector('[data-testid=code-editor]').scrollIntoView()").await;
    screenshot(&client, "code-editor-360").await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release dist and chromedriver: run `make test-e2e`"]
async fn tab_indents_and_undo_takes_it_back() {
    let (_driver, client) = open(1400).await;
    let value = |client: &Client| {
        let client = client.clone();
        async move { js(&client, "return document.querySelector('[data-testid=code-input]').value").await }
    };
    let input = client.find(Locator::Css("[data-testid=code-input]")).await.unwrap();
    input.click().await.unwrap();
    js(&client, "const a = document.querySelector('[data-testid=code-input]'); a.setSelectionRange(0, 0); return true")
        .await;
    let before = value(&client).await.as_str().unwrap().to_string();
    input.send_keys(&Key::Tab.to_string()).await.unwrap();
    let after = value(&client).await.as_str().unwrap().to_string();
    assert_eq!(after, format!("    {before}"), "Tab indents where the caret is");
    // Focus stayed in the editor, and the browser's undo takes the indent back.
    let focused = js(&client, "return document.activeElement.dataset.testid").await;
    assert_eq!(focused.as_str(), Some("code-input"));
    input.send_keys(&format!("{}z{}", Key::Control, Key::Control)).await.unwrap();
    assert_eq!(value(&client).await.as_str().unwrap(), before, "undo removes the indent");
    // Escape, then Tab, leaves the editor.
    input.send_keys(&format!("{}{}", Key::Escape, Key::Tab)).await.unwrap();
    let focused = js(&client, "return document.activeElement.dataset.testid || ''").await;
    assert_ne!(focused.as_str(), Some("code-input"));
    client.close().await.unwrap();
}
