//! In the browser, what a screen reader is told: each task once, no ghosts of tasks that
//! have left, alerts only when the playhead reaches them.
//!
//! Its own file (its own page): the apps of earlier tests stay mounted and keep the
//! address in step with what they show, which a test that opens a link must not meet.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen_test::*;
use web_common::{all, q};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn screen_readers_hear_each_task_once_and_never_a_ghost() {
    let root = web_common::mount_at("#preset=fairness").await;
    let steps: u32 = q(&root, "[data-testid=seek]").get_attribute("max").unwrap().parse().unwrap();
    let mut ghosts = 0;
    for step in 0..=steps {
        web_common::seek(&root, step).await;
        for panel in all(&root, "[data-testid=mutex-panel]") {
            let mut listed: Vec<String> =
                all(&panel, "[role=listitem]").iter().map(|c| c.get_attribute("data-task").unwrap()).collect();
            let count = listed.len();
            listed.sort();
            listed.dedup();
            assert_eq!(listed.len(), count, "a task is listed twice at step {step}");
        }
        for ghost in all(&root, "[data-testid=ghost-chip]") {
            ghosts += 1;
            assert_eq!(ghost.get_attribute("aria-hidden").as_deref(), Some("true"), "step {step}");
            assert_eq!(ghost.get_attribute("role"), None, "step {step}");
        }
    }
    assert!(ghosts > 0, "no release or cancel was drawn: the test saw nothing");
    root.remove();
}

#[wasm_bindgen_test]
async fn an_alert_is_announced_when_the_playhead_reaches_it_not_on_load() {
    let root = web_common::mount_at("#preset=deadlock").await;
    let alerts = all(&root, "[data-testid=alert]");
    let open = q(&root, ".preset[aria-pressed=true]").get_attribute("data-testid");
    assert!(!alerts.is_empty(), "the deadlock preset has no alert to test ({open:?}, {})", web_common::fragment());
    assert!(all(&root, "[role=alert]").is_empty(), "something is announced at step 0");
    web_common::click(&root, "[data-testid=to-end]").await;
    let announced = all(&root, "[data-testid=alert] [role=alert]");
    assert_eq!(announced.len(), alerts.len(), "the alerts are not announced at the end");
    root.remove();
}

#[wasm_bindgen_test]
async fn headings_are_written_as_read_and_the_cycle_fits_a_narrow_screen() {
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=deadlock&step=end").await;
    root.set_attribute("style", "width:360px").unwrap();
    web_common::settle().await;
    let window = web_sys::window().unwrap();
    for h in all(&root, "h2") {
        let style = window.get_computed_style(&h).unwrap().unwrap();
        // Capitals made by CSS are read letter by letter by some screen readers.
        assert_ne!(style.get_property_value("text-transform").unwrap(), "uppercase", "{:?}", h.text_content());
    }
    root.remove();
    for link in ["#preset=deadlock&step=end", "#preset=deadlock&step=end&embed=1"] {
        let root = web_common::mount_at(link).await;
        root.set_attribute("style", "width:360px").unwrap();
        web_common::settle().await;
        let strip = q(&root, "[data-testid=cycle-strip]");
        let (needs, has) = (strip.scroll_width(), strip.client_width());
        assert!(needs <= has, "{link}: the cycle needs {needs} px and has {has}");
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn the_scenario_on_screen_at_first_is_the_first_in_the_list() {
    let root = web_common::mount().await;
    let first = all(&root, ".preset").into_iter().next().unwrap();
    assert_eq!(first.get_attribute("aria-pressed").as_deref(), Some("true"), "{:?}", first.text_content());
    root.remove();
}
