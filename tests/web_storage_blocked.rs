//! A page whose browser blocks local storage (as one may for an embed on another site):
//! the getter throws. The page must still open, play a lesson to its end, switch theme and
//! try to save to the library, saying why it cannot remember rather than crashing.
//! (In a file of its own: the block lasts for the whole test page.)
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen_test::*;
use web_common::{all, click, q};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_page_without_storage_still_works() {
    js_sys::eval(
        "Object.defineProperty(window, 'localStorage', { configurable: true, \
           get() { throw new DOMException('blocked for this test', 'SecurityError'); } })",
    )
    .unwrap();
    assert!(web_sys::window().unwrap().local_storage().is_err(), "the block is in place");
    let root = web_common::mount_at("#lesson=seed-001-deadlock").await;
    // The lesson opens at its first stop and can be answered and finished.
    assert_eq!(q(&root, "[data-testid=lesson]").get_attribute("data-phase").as_deref(), Some("Asking"));
    click(&root, "[data-testid=choice]").await;
    assert!(!all(&root, "[data-testid=verdict]").is_empty());
    click(&root, "[data-testid=next-stop]").await;
    // The theme switches (and is simply not remembered).
    let before = q(&root, ".shell").get_attribute("data-theme");
    click(&root, ".theme-toggle").await;
    assert_ne!(q(&root, ".shell").get_attribute("data-theme"), before);
    // Saving to the library says why it cannot.
    click(&root, "[data-testid=share-toggle]").await;
    click(&root, "[data-testid=library-save]").await;
    let status = q(&root, "[data-testid=share-status]").text_content().unwrap();
    assert!(status.contains("keeps no storage"), "{status}");
    root.remove();
}
