//! The explorer in the page: a search runs a slice per frame and lists its outcomes;
//! Replay plays a schedule it found, Minimise shrinks one, and a fork at the playhead
//! runs another task there, with a breadcrumb back.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::{all, click, q};
use web_sys::{Element, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Waits (frame by frame) until the search says it is over, at most a few seconds.
async fn searched(root: &Element) -> String {
    for _ in 0..300 {
        gloo_timers::future::TimeoutFuture::new(16).await;
        yew::scheduler::flush().await;
        if all(root, "[data-testid=explore-stop]").is_empty() {
            break;
        }
    }
    q(root, "[data-testid=explore-status]").text_content().unwrap()
}

fn outcomes(root: &Element) -> Vec<String> {
    all(root, "[data-testid=explore-outcome] strong").iter().map(|e| e.text_content().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn explore_finds_the_deadlock_that_fifo_misses_and_replays_it() {
    let root = web_common::mount_at("#preset=hidden-deadlock").await;
    // The run on screen (FIFO) finishes.
    assert!(all(&root, "[data-testid=cycle-strip]").is_empty());
    click(&root, "[data-testid=explore]").await;
    let status = searched(&root).await;
    assert!(status.contains("complete"), "{status}");
    let found = outcomes(&root);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|o| o.starts_with("finishes with a = 0, b = 0")), "{found:?}");
    let deadlock = all(&root, "[data-testid=explore-outcome]")
        .into_iter()
        .find(|li| li.text_content().unwrap().contains("deadlock: left waits for b, right waits for a"))
        .expect("the deadlock is found");
    // Replay: the run on screen is now that schedule, and it deadlocks (the cycle is
    // drawn once the playhead gets there).
    q(&deadlock, "[data-testid=replay]").dyn_into::<web_sys::HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    click(&root, "[data-testid=to-end]").await;
    assert!(q(&root, "[data-testid=cycle-strip]").text_content().unwrap().contains("Deadlock cycle"));
    let policy: HtmlSelectElement = q(&root, "[data-testid=policy]").dyn_into().unwrap();
    assert_eq!(policy.value(), "manual");
    // The link carries the schedule (the address follows the screen within a second).
    gloo_timers::future::TimeoutFuture::new(1_100).await;
    assert!(web_common::fragment().contains("policy=manual:"), "{}", web_common::fragment());
    root.remove();
}

#[wasm_bindgen_test]
async fn the_lost_update_has_three_totals_and_minimise_keeps_the_outcome() {
    let root = web_common::mount_at("#preset=lost-update").await;
    click(&root, "[data-testid=explore]").await;
    searched(&root).await;
    let mut found = outcomes(&root);
    found.sort();
    assert_eq!(found, ["finishes with count = 1", "finishes with count = 2", "finishes with count = 3"]);
    let first = all(&root, "[data-testid=explore-outcome]").remove(0);
    q(&first, "[data-testid=minimise]").dyn_into::<web_sys::HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    let first = all(&root, "[data-testid=explore-outcome]").remove(0);
    assert!(q(&first, "[data-testid=minimised]").text_content().unwrap().contains("preemption"));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_bounded_search_says_it_is_bounded_and_stop_keeps_what_was_found() {
    let root = web_common::mount_at("#preset=counter").await;
    let mode: HtmlSelectElement = q(&root, "[data-testid=explore-mode]").dyn_into().unwrap();
    mode.set_value("1");
    mode.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    click(&root, "[data-testid=explore]").await;
    for _ in 0..5 {
        gloo_timers::future::TimeoutFuture::new(16).await;
        yew::scheduler::flush().await;
    }
    click(&root, "[data-testid=explore-stop]").await;
    let status = q(&root, "[data-testid=explore-status]").text_content().unwrap();
    assert!(status.contains("at most 2 preemptions") && status.contains("other outcomes may exist"), "{status}");
    assert_eq!(q(&root, "[data-testid=explore-status]").get_attribute("data-complete").as_deref(), Some("false"));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_fork_runs_another_task_and_the_breadcrumb_goes_back() {
    let root = web_common::mount_at("#preset=hidden-deadlock").await;
    // Step 2 is where both tasks woke at 10 ms: FIFO runs left there.
    web_common::seek(&root, 2).await;
    let row = q(&root, "[data-testid=fork-row]").text_content().unwrap();
    assert!(row.contains("left runs next"), "{row}");
    click(&root, "[data-testid=fork][data-task=\"1\"]").await;
    click(&root, "[data-testid=to-end]").await;
    assert!(!all(&root, "[data-testid=cycle-strip]").is_empty(), "the fork deadlocks");
    assert!(q(&root, "[data-testid=forks]").text_content().unwrap().contains("step 3: right"));
    click(&root, "[data-testid=forks] button").await;
    click(&root, "[data-testid=to-end]").await;
    assert!(all(&root, "[data-testid=cycle-strip]").is_empty(), "back on the main run, which finishes");
    assert!(all(&root, "[data-testid=forks]").is_empty());
    root.remove();
}
