//! In the browser, with the app's stylesheet (these depend on real sizes): the timeline's
//! playhead moves with the step and a click or a drag on the lanes seeks to where it
//! landed; the log keeps the playhead's line in view.
#![cfg(target_arch = "wasm32")]

mod web_common;

use web_common::{q, reader_writer_at, seek, settle, translate_x};

use wasm_bindgen_test::*;
use web_sys::{Element, PointerEvent, PointerEventInit};

wasm_bindgen_test_configure!(run_in_browser);

/// The current step from the readout "step N / M · T ms".
fn step(root: &Element) -> u32 {
    let text = q(root, "[data-testid=readout]").text_content().unwrap();
    text.split(|c: char| !c.is_ascii_digit()).find(|s| !s.is_empty()).unwrap().parse().unwrap()
}

/// The playhead's offset (CSS px) from the canvas's left edge, from its transform.
fn playhead(root: &Element) -> f64 {
    translate_x(&q(root, "[data-testid=playhead]"))
}

async fn pointer(canvas: &Element, kind: &str, x: f64) {
    let rect = canvas.get_bounding_client_rect();
    let init = PointerEventInit::new();
    init.set_client_x((rect.left() + x) as i32);
    init.set_client_y((rect.top() + rect.height() / 2.0) as i32);
    init.set_bubbles(true);
    init.set_pointer_id(1);
    canvas.dispatch_event(&PointerEvent::new_with_event_init_dict(kind, &init).unwrap()).unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn the_playhead_follows_the_step_and_a_click_seeks_there() {
    let root = reader_writer_at(1000).await;

    let canvas = q(&root, "[data-testid=timeline]");
    let width = canvas.get_bounding_client_rect().width();
    assert!(width > 500.0, "the canvas is {width} px wide in a 1000 px page");
    let total: u32 = q(&root, "[data-testid=seek]").get_attribute("max").unwrap().parse().unwrap();

    // The playhead moves right as the step grows and stays on the canvas.
    let start = playhead(&root);
    seek(&root, total / 2).await;
    let middle = playhead(&root);
    seek(&root, total).await;
    let end = playhead(&root);
    assert!(start < middle && middle < end, "playhead at 0, middle, end: {start}, {middle}, {end}");
    assert!(start >= 0.0 && end <= width, "the playhead left the canvas: {start}..{end} of {width}");

    // A click a third of the way along the lanes seeks there: the playhead lands under it.
    seek(&root, 0).await;
    let x = start + (end - start) / 3.0;
    pointer(&canvas, "pointerdown", x).await;
    pointer(&canvas, "pointerup", x).await;
    let clicked = step(&root);
    assert!(clicked > 0 && clicked < total, "the click seeked to step {clicked} of {total}");
    assert!(
        (playhead(&root) - x).abs() <= (end - start) / 10.0,
        "clicked at {x} px, the playhead is at {} px",
        playhead(&root)
    );

    // A drag moves it on; without a press, moving the pointer does nothing.
    pointer(&canvas, "pointermove", end).await;
    assert_eq!(step(&root), clicked, "a move without a press seeked");
    pointer(&canvas, "pointerdown", x).await;
    pointer(&canvas, "pointermove", middle).await;
    pointer(&canvas, "pointerup", middle).await;
    assert!(step(&root) > clicked, "dragging right from step {clicked} reached step {}", step(&root));
}

#[wasm_bindgen_test]
async fn the_log_keeps_the_playheads_line_in_view() {
    let root = reader_writer_at(1000).await;
    let view = q(&root, "[data-testid=log]");
    let total: u32 = q(&root, "[data-testid=seek]").get_attribute("max").unwrap().parse().unwrap();
    // Forwards to the end, back to the start, and to the middle: each time the line at the
    // playhead is drawn inside the log's visible box.
    for to in [total, 0, total / 2, total] {
        seek(&root, to).await;
        settle().await;
        let line = root.query_selector("[data-testid=log-current]").unwrap();
        let Some(line) = line else {
            assert_eq!(to, 0, "no highlighted line at step {to}");
            continue;
        };
        let (v, l) = (view.get_bounding_client_rect(), line.get_bounding_client_rect());
        assert!(
            l.top() >= v.top() - 1.0 && l.bottom() <= v.bottom() + 1.0,
            "at step {to} the line is at {}..{}, the log shows {}..{}",
            l.top(),
            l.bottom(),
            v.top(),
            v.bottom()
        );
    }
    assert!(view.scroll_top() > 0, "the log never scrolled");
}
