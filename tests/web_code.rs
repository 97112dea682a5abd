//! The Rust program view: each task's chip on the line it is at, moving with the
//! playhead; a queued task's chip says so; a click on a line seeks to the next step a task
//! stops there; in an embed only with `view=code`. And the code editor: a pasted program
//! runs, its own lines marked; an error shows at its line and column while the last good
//! run stays; the form editor and the code editor edit one scenario.
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

/// Types `text` into the code editor as a paste would, and waits out the pause before it
/// is read ([`DEBOUNCE_MS`](mutex_playground::ui::DEBOUNCE_MS)).
async fn type_code(root: &Element, text: &str) {
    let area: web_sys::HtmlTextAreaElement = q(root, "[data-testid=code-input]").dyn_into().unwrap();
    area.set_value(text);
    area.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    let pause = mutex_playground::ui::DEBOUNCE_MS + 60;
    gloo_timers::future::TimeoutFuture::new(pause).await;
    yew::scheduler::flush().await;
}

/// A program as a learner might paste it (shared with the end-to-end test).
const PASTED: &str = include_str!("cases/jar.rs");

#[wasm_bindgen_test]
async fn a_pasted_program_runs_and_its_own_lines_are_marked() {
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=reader-writer").await;
    web_common::click(&root, "[data-testid=editor-toggle]").await;
    // The editor starts with the scenario written out.
    let area: web_sys::HtmlTextAreaElement = q(&root, "[data-testid=code-input]").dyn_into().unwrap();
    assert!(area.value().contains("let guard = db.lock().await;"), "{}", area.value());
    type_code(&root, PASTED).await;
    // The run is the program's: main and two tasks, on `jar`.
    let panel = q(&root, "[data-testid=mutex-panel]").text_content().unwrap();
    assert!(panel.contains("jar"), "{panel}");
    assert!(q(&root, "[data-testid=code-status]").text_content().unwrap().contains("Running the program as typed"));
    // The code view shows the pasted text itself, with the chips on its lines: at step 2
    // task 1 holds the jar across its sleep (line 13) and task 2 waits on line 12.
    web_common::seek(&root, 3).await;
    web_common::settle().await;
    let (first, waits) = line_of(&root, 1);
    assert!(first.contains("sleep(Duration::from_millis(100)).await;") && !waits, "{first}");
    let (second, waits) = line_of(&root, 2);
    assert!(second.contains("let mut cookies = jar.lock().await;") && waits, "{second}");
    // The form editor edits the same scenario: renaming the mutex there rewrites the code.
    let name: web_sys::HtmlInputElement = q(&root, "[data-testid=mutex-row] input[type=text]").dyn_into().unwrap();
    name.set_value("tin");
    name.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    web_common::settle().await;
    let area: web_sys::HtmlTextAreaElement = q(&root, "[data-testid=code-input]").dyn_into().unwrap();
    assert!(area.value().contains("let tin = Arc::new(Mutex::new(0_i64));"), "{}", area.value());
    root.remove();
}

#[wasm_bindgen_test]
async fn an_error_shows_at_its_line_and_the_last_good_run_stays() {
    web_common::add_stylesheet();
    let root = web_common::mount_at("#preset=reader-writer&step=3").await;
    web_common::click(&root, "[data-testid=editor-toggle]").await;
    let before = q(&root, "[data-testid=mutex-panel]").text_content().unwrap();
    let broken = PASTED.replace("sleep(Duration::from_millis(100)).await;", "tokio::join! {}");
    type_code(&root, &broken).await;
    let error = q(&root, "[data-testid=code-error]");
    assert_eq!(error.get_attribute("data-line").as_deref(), Some("13"));
    assert_eq!(error.get_attribute("data-col").as_deref(), Some("13"));
    let text = error.text_content().unwrap();
    assert!(text.contains("13 |             tokio::join! {}"), "{text}");
    assert!(text.contains("`tokio::join!` is not supported"), "{text}");
    // The caret sits under the column.
    let caret = text.lines().nth(1).unwrap();
    assert_eq!(caret.find('^'), Some("13 | ".len() + 12), "{text}");
    // The bad line is marked in the editor, and the run on screen is still the last good one.
    let marked = q(&root, "[data-testid=code-error-line]").get_attribute("style").unwrap();
    assert_eq!(marked, "--row:12");
    assert_eq!(q(&root, "[data-testid=mutex-panel]").text_content().unwrap(), before);
    assert_eq!(q(&root, "[data-testid=code-input]").get_attribute("aria-invalid").as_deref(), Some("true"));
    // Fixed, it runs.
    type_code(&root, PASTED).await;
    assert!(all(&root, "[data-testid=code-error]").is_empty());
    assert!(q(&root, "[data-testid=mutex-panel]").text_content().unwrap().contains("jar"));
    root.remove();
}

#[wasm_bindgen_test]
async fn hiding_the_editor_before_the_pause_still_reads_what_was_typed() {
    let root = web_common::mount_at("#preset=reader-writer").await;
    web_common::click(&root, "[data-testid=editor-toggle]").await;
    let area: web_sys::HtmlTextAreaElement = q(&root, "[data-testid=code-input]").dyn_into().unwrap();
    area.set_value(PASTED);
    area.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    // Hidden at once, well within the pause: the typing is read as the editor goes.
    web_common::click(&root, "[data-testid=editor-toggle]").await;
    yew::scheduler::flush().await;
    assert!(all(&root, "[data-testid=code-input]").is_empty());
    let panel = q(&root, "[data-testid=mutex-panel]").text_content().unwrap();
    assert!(panel.contains("jar"), "{panel}");
    root.remove();
}
