//! The playground's UI in a real browser (`wasm-bindgen-test`, headless Chromium): the
//! queue and holder drawn at each step equal what the engine's Mutex reports, every
//! control does what it says, scheduler mode polls the clicked task, and an invalid edit
//! shows its error at the field.
#![cfg(target_arch = "wasm32")]

mod web_common;

use web_common::{all, click, drawn, mount, q, seek, task_of};

use mutex_playground::exec::Policy;
use mutex_playground::scenario::preset;
use mutex_playground::trace::simulate;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// (current step, total steps) from the readout "step N / M · T ms".
fn readout(root: &Element) -> (u32, u32) {
    let text = q(root, "[data-testid=readout]").text_content().unwrap();
    let nums: Vec<u32> =
        text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    (nums[0], nums[1])
}

async fn reader_writer() -> Element {
    let root = mount().await;
    click(&root, "[data-testid=preset-reader-writer]").await;
    root
}

#[wasm_bindgen_test]
async fn queue_and_holder_equal_the_mutex_report_at_each_step() {
    let root = reader_writer().await;
    let p = preset("reader-writer").expect("the reader-writer preset");
    let run = simulate(&p.scenario, &Policy::Fifo).unwrap();
    assert_eq!(readout(&root).1, run.steps());
    let mut saw_queue = false;
    for step in (0..=run.steps()).chain([3, 1, 0]) {
        seek(&root, step).await;
        assert_eq!(readout(&root).0, step);
        let snap = run.snapshot_at(step);
        let (holder, queue) = drawn(&root);
        assert_eq!(holder, snap.mutexes[0].holders, "holder at step {step}");
        assert_eq!(queue, snap.mutexes[0].queue, "queue at step {step}");
        saw_queue |= !queue.is_empty();
        let holder_text = q(&root, "[data-testid=holder-text]").text_content().unwrap();
        assert_eq!(holder_text == "free", snap.mutexes[0].holders.is_empty(), "holder text {holder_text:?} at {step}");
        assert_eq!(q(&root, "[data-testid=mutex-value]").text_content().unwrap(), snap.mutexes[0].value);
    }
    assert!(saw_queue, "the writer never queued behind the reader");
}

#[wasm_bindgen_test]
async fn step_back_seek_reset_and_to_end() {
    let root = reader_writer().await;
    let total = readout(&root).1;
    assert_eq!(readout(&root).0, 0);
    click(&root, "[data-testid=step]").await;
    click(&root, "[data-testid=step]").await;
    assert_eq!(readout(&root).0, 2);
    click(&root, "[data-testid=step-back]").await;
    assert_eq!(readout(&root).0, 1);
    seek(&root, 7).await;
    assert_eq!(readout(&root).0, 7);
    click(&root, "[data-testid=to-end]").await;
    assert_eq!(readout(&root).0, total);
    click(&root, "[data-testid=reset]").await;
    assert_eq!(readout(&root).0, 0);
    // The log highlights the line at the playhead.
    seek(&root, 6).await;
    let current = q(&root, "[data-testid=log-current]").text_content().unwrap();
    assert!(!current.is_empty());
}

#[wasm_bindgen_test]
async fn play_pause_and_speed() {
    let root = reader_writer().await;
    let speed: HtmlSelectElement = q(&root, "[data-testid=speed]").dyn_into().unwrap();
    let before = speed.value();
    speed.set_value("4");
    speed.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    assert_ne!(before, "4");
    assert_eq!(q(&root, "[data-testid=speed]").dyn_into::<HtmlSelectElement>().unwrap().value(), "4");
    click(&root, "[data-testid=play]").await;
    assert!(q(&root, "[data-testid=play]").get_attribute("aria-label").unwrap().starts_with("Pause"));
    // Playback is paced by animation frames: give it a few.
    gloo_timers::future::TimeoutFuture::new(400).await;
    yew::scheduler::flush().await;
    let moved = readout(&root).0;
    assert!(moved > 0, "playing did not move the playhead");
    click(&root, "[data-testid=play]").await;
    assert!(q(&root, "[data-testid=play]").get_attribute("aria-label").unwrap().starts_with("Play"));
    let paused_at = readout(&root).0;
    gloo_timers::future::TimeoutFuture::new(200).await;
    yew::scheduler::flush().await;
    assert_eq!(readout(&root).0, paused_at, "the playhead moved while paused");
}

#[wasm_bindgen_test]
async fn scheduler_mode_runs_the_clicked_task_and_undoes() {
    let root = reader_writer().await;
    click(&root, "[data-testid=mode-scheduler]").await;
    assert_eq!(readout(&root).0, 0);
    let choices = all(&root, "[data-testid=choose]");
    assert!(!choices.is_empty(), "no ready task offered");
    // Pick the last ready task (not what FIFO would pick when several are ready).
    let pick = choices.last().unwrap();
    let task = task_of(pick);
    pick.clone().dyn_into::<HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    assert_eq!(readout(&root).0, 1);
    let row = q(&root, &format!("[data-testid=task-row][data-task=\"{task}\"]"));
    assert!(
        row.get_attribute("class").unwrap_or_default().split_whitespace().any(|c| c == "running"),
        "task {task} was not the one polled"
    );
    let p = preset("reader-writer").unwrap();
    let run = simulate(&p.scenario, &Policy::Manual { choices: vec![task] }).unwrap();
    assert_eq!(
        drawn(&root),
        (run.snapshot_at(1).mutexes[0].holders.clone(), run.snapshot_at(1).mutexes[0].queue.clone())
    );
    click(&root, "[data-testid=undo]").await;
    assert_eq!(readout(&root).0, 0);
}

#[wasm_bindgen_test]
async fn an_invalid_edit_shows_its_error_at_the_field_and_keeps_the_run() {
    let root = reader_writer().await;
    let total = readout(&root).1;
    click(&root, "[data-testid=editor-toggle]").await;
    let name: HtmlInputElement = q(&root, "[data-field=\"tasks[0].name\"]").dyn_into().unwrap();
    name.set_value("");
    name.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    let banner = q(&root, "[data-testid=scenario-error]").text_content().unwrap();
    assert!(banner.contains("tasks[0].name"), "banner: {banner}");
    let field = q(&root, "[data-testid=field-error]");
    assert!(field.text_content().unwrap().contains("must not be empty"));
    assert_eq!(readout(&root).1, total, "the last good run was not kept");
    // A valid edit clears it and re-runs.
    let name: HtmlInputElement = q(&root, "[data-field=\"tasks[0].name\"]").dyn_into().unwrap();
    name.set_value("reader2");
    name.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    assert!(root.query_selector("[data-testid=scenario-error]").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_waiter_that_times_out_is_seen_leaving_the_queue() {
    let root = web_common::mount_at("#preset=timeout").await;
    let steps = readout(&root).1;
    let mut left_at = None;
    for step in 0..=steps {
        seek(&root, step).await;
        if !all(&root, ".slot.cancelled[data-task=\"1\"]").is_empty() {
            left_at = Some(step);
            assert!(!drawn(&root).1.contains(&1), "step {step}: it is leaving and still queued");
            break;
        }
    }
    let step = left_at.expect("the impatient task never visibly left the queue");
    // Before it left, it was queued.
    seek(&root, step - 1).await;
    assert!(drawn(&root).1.contains(&1), "step {}: it was not queued before leaving", step - 1);
    root.remove();
}
