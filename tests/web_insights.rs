//! The insights say what happened: a wait that never ends is shown as one (in the table
//! and on the timeline), a run without virtual time is measured in steps, and the jargon
//! is explained where it appears.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::{all, q};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The texts of the stats table's cells, row by row.
fn table(root: &web_sys::Element) -> Vec<Vec<String>> {
    all(root, "[data-testid=stats-row]")
        .iter()
        .map(|r| all(r, "td").iter().map(|c| c.text_content().unwrap()).collect())
        .collect()
}

#[wasm_bindgen_test]
async fn a_deadlocked_wait_never_ends_and_the_timeline_shows_it() {
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=deadlock").await;
    root.set_attribute("style", "width:900px").unwrap();
    web_common::settle().await;
    let rows = table(&root);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        // locks, wait total, wait max, hold total, hold max, overtaken
        assert_eq!(row[1], "∞", "{rows:?}");
        assert!(row[3].starts_with("≥ "), "{rows:?}");
    }
    let throughput = q(&root, "[data-testid=throughput]").text_content().unwrap();
    assert!(throughput.contains("then none"), "{throughput}");
    // The state each task ends in (waiting for a lock) is drawn at the right end of its lane.
    let hex = mutex_playground::trace::Lane::Waiting.colour(false);
    let rgb: Vec<u8> = (0..3).map(|i| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap()).collect();
    let canvas: HtmlCanvasElement = q(&root, "[data-testid=timeline]").dyn_into().unwrap();
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let ratio = f64::from(canvas.width()) / f64::from(canvas.client_width());
    for lane in 0..2 {
        let (x, y) = (f64::from(canvas.client_width()) - 12.0, 18.0 + 22.0 * f64::from(lane) + 9.0);
        let pixel = ctx.get_image_data(x * ratio, y * ratio, 1.0, 1.0).unwrap().data();
        let close = (0..3).all(|i| pixel[i].abs_diff(rgb[i]) <= 3);
        assert!(close, "lane {lane} does not end waiting: {pixel:?}, not {hex}");
    }
    root.remove();
}

#[wasm_bindgen_test]
async fn a_run_without_virtual_time_is_measured_in_steps() {
    let root = web_common::mount_at("#preset=counter").await;
    let unit = q(&root, "table.stats").get_attribute("data-unit");
    assert_eq!(unit.as_deref(), Some("steps"));
    let rows = table(&root);
    assert_eq!(rows.len(), 10, "every task has its row");
    assert!(rows.iter().any(|r| r[1] != "0"), "every wait is 0 steps: {rows:?}");
    let throughput = q(&root, "[data-testid=throughput]").text_content().unwrap();
    assert!(throughput.contains("per step"), "{throughput}");
    root.remove();
}

#[wasm_bindgen_test]
async fn jargon_is_explained_where_it_appears() {
    let root = web_common::mount_at("#preset=fairness").await;
    let terms = all(&root, ".term");
    assert!(terms.len() >= 4, "{}", terms.len());
    for t in terms {
        let id = t.get_attribute("aria-describedby").unwrap();
        let tip = q(&root, &format!("#{id}"));
        assert!(tip.text_content().unwrap().len() > 20, "{id} explains nothing");
        assert_eq!(t.get_attribute("tabindex").as_deref(), Some("0"), "{id} cannot be focused");
    }
    let states: Vec<String> =
        all(&root, "[data-testid=task-state]").iter().map(|s| s.text_content().unwrap()).collect();
    assert!(states.iter().all(|s| !s.contains("parked")), "{states:?}");
    root.remove();
}

#[wasm_bindgen_test]
async fn the_game_says_when_the_choices_left_no_longer_matter() {
    let root = web_common::mount_at("#preset=deadlock").await;
    web_common::click(&root, "[data-testid=mode-scheduler]").await;
    let text = q(&root, "[data-testid=outlook]").text_content().unwrap();
    assert!(text.contains("every schedule ends in a deadlock"), "{text}");
    root.remove();
}
