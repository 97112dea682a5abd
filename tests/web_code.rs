//! The Rust program view: each task's chip on the line it is at, moving with the
//! playhead; a queued task's chip says so; a click on a line seeks to the next step a task
//! stops there; in an embed only with `view=code`.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::{all, q};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// The text of the line task `t`'s chip is on, and whether the chip says it waits.
fn line_of(root: &Element, t: u32) -> (String, bool) {
    let chip = q(root, &format!(".code-view .code-chip[data-task=\"{t}\"]"));
    let line = chip.closest(".code-line").unwrap().unwrap();
    (q(&line, ".code-text").text_content().unwrap(), chip.class_name().contains("waiting"))
}

fn step(root: &Element) -> u32 {
    let text = q(root, "[data-testid=readout]").text_content().unwrap();
    text.trim_start_matches("step ").split(' ').next().unwrap().parse().unwrap()
}

#[wasm_bindgen_test]
async fn the_chips_mark_each_tasks_line_and_a_click_seeks() {
    // The view is windowed and scrolls itself to the marked lines: it needs its styles.
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=reader-writer&step=2").await;
    web_common::settle().await;
    // The reader sleeps holding the guard; the writer is queued on its insert.
    let (reader, waits) = line_of(&root, 0);
    assert!(reader.contains("sleep(Duration::from_millis(1000))") && !waits, "{reader}");
    let (writer, waits) = line_of(&root, 1);
    assert!(writer.contains("insert_now(&mut *db.lock().await") && waits, "{writer}");
    let title = q(&root, ".code-chip[data-task=\"1\"]").get_attribute("title").unwrap();
    assert_eq!(title, "writer: queued for db");
    // The chips move with the playhead: at step 4 the writer sleeps its 350 ms.
    web_common::seek(&root, 4).await;
    web_common::settle().await;
    assert!(line_of(&root, 1).0.contains("sleep(Duration::from_millis(350))"));
    // A click on the writer's insert line goes to the next step a task stops there.
    let insert = all(&root, ".code-line")
        .into_iter()
        .find(|l| l.text_content().unwrap().contains("insert_now(&mut *db.lock().await"))
        .unwrap();
    insert.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    web_common::settle().await;
    assert_eq!(step(&root), 6, "the writer queues on it again at step 6");
    assert!(line_of(&root, 1).1);
    // Only the lines in view (and a few either side) exist, whatever the program's length.
    let space = q(&root, ".code-space").get_attribute("style").unwrap();
    let total: f64 = space.trim_start_matches("height:").trim_end_matches("px").parse().unwrap();
    let drawn = all(&root, ".code-line").len();
    assert!(total / 22.0 > 50.0, "a program of {} lines", total / 22.0);
    assert!(drawn <= 420 / 22 + 2 * 8 + 1, "{drawn} lines drawn");
    root.remove();
}

#[wasm_bindgen_test]
async fn an_embed_shows_the_program_only_when_asked() {
    let root = web_common::mount_at("#preset=counter&embed=1").await;
    assert!(all(&root, "[data-testid=code-view]").is_empty());
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=counter&embed=1&view=code&step=12").await;
    web_common::settle().await;
    assert!(!all(&root, "[data-testid=code-view]").is_empty());
    // Ten tasks share the loop's lines: their chips are on them, a few counted.
    let lines = all(&root, ".code-line.here");
    assert!(!lines.is_empty());
    let chips = all(&root, ".code-view .code-chip").len();
    assert!((1..=10).contains(&chips), "{chips} chips");
    root.remove();
}
