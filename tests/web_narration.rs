//! The narration: the step at the playhead in a sentence, in a live region that speaks
//! at once when a person steps, and holds back while the run plays.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen_test::*;
use web_common::{click, q};

wasm_bindgen_test_configure!(run_in_browser);

fn said(root: &web_sys::Element) -> String {
    q(root, "[data-testid=narration]").text_content().unwrap()
}

#[wasm_bindgen_test]
async fn each_step_is_said_at_once() {
    let root = web_common::mount_at("#preset=deadlock").await;
    assert_eq!(said(&root), "Before the first step: left and right are ready.");
    click(&root, "[data-testid=step]").await;
    assert_eq!(said(&root), "Step 1 at 0 ms: left takes a, then sleeps until 10 ms.");
    click(&root, "[data-testid=step]").await;
    assert_eq!(said(&root), "Step 2 at 0 ms: right takes b, then sleeps until 10 ms.");
    click(&root, "[data-testid=to-end]").await;
    assert!(said(&root).contains("right asks for a and queues behind left"), "{}", said(&root));
    root.remove();
}

#[wasm_bindgen_test]
async fn playing_is_said_at_most_every_two_seconds_and_pausing_says_where_it_stopped() {
    let root = web_common::mount_at("#preset=counter").await;
    click(&root, "[data-testid=step]").await;
    let first = said(&root);
    assert!(first.starts_with("Step 1 at"), "{first}");
    // Playing: the playhead moves on, the sentence does not change within 2 s of the last.
    click(&root, "[data-testid=play]").await;
    gloo_timers::future::TimeoutFuture::new(800).await;
    yew::scheduler::flush().await;
    let readout = q(&root, "[data-testid=readout]").text_content().unwrap();
    assert!(!readout.starts_with("step 1 "), "the run played on: {readout}");
    assert_eq!(said(&root), first);
    // Paused: the step at the playhead is said.
    click(&root, "[data-testid=play]").await;
    assert!(!said(&root).starts_with("Step 1 at"), "{} (was at {readout})", said(&root));
    root.remove();
}
