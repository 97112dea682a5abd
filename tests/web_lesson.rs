//! Lessons in the page: a lesson plays to each stop and pauses, a question waits for its
//! answer and says right or wrong with why, "Show why" plays the deciding steps, the
//! progress is kept in the browser and resumed, every stop is a link, and the outcome
//! stays veiled until the end.
#![cfg(target_arch = "wasm32")]

mod web_common;

use mutex_playground::ui::storage;
use wasm_bindgen_test::*;
use web_common::{all, click, q};
use web_sys::{Element, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

const HAND_OVER: &str = "seed-002-hand-over";

fn phase(root: &Element) -> String {
    q(root, "[data-testid=lesson]").get_attribute("data-phase").unwrap()
}

fn step(root: &Element) -> u32 {
    let text = q(root, "[data-testid=readout]").text_content().unwrap();
    text.trim_start_matches("step ").split(' ').next().unwrap().parse().unwrap()
}

fn text(root: &Element, css: &str) -> String {
    q(root, css).text_content().unwrap()
}

/// Waits, frame by frame (at most 5 s), until the lesson is in `want`.
async fn until_phase(root: &Element, want: &str) {
    for _ in 0..300 {
        if phase(root) == want {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(16).await;
        yew::scheduler::flush().await;
    }
    panic!("the lesson stayed {} (wanted {want})", phase(root));
}

fn choice(root: &Element, label: &str) -> web_sys::HtmlElement {
    use wasm_bindgen::JsCast;
    all(root, "[data-testid=choice]")
        .into_iter()
        .find(|c| c.text_content().unwrap().ends_with(label))
        .unwrap_or_else(|| panic!("no choice {label}"))
        .dyn_into()
        .unwrap()
}

async fn press(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    gloo_utils::document().dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn a_lesson_plays_to_each_stop_asks_and_explains() {
    storage::remove(&mutex_playground::ui::state::progress_key(HAND_OVER));
    web_common::add_stylesheet();
    let root = web_common::mount_at(&format!("#lesson={HAND_OVER}&speed=64")).await;
    // Stop 1, at the start: text, nothing to answer; the outcome is veiled.
    assert_eq!(phase(&root), "AtStop");
    assert!(text(&root, "[data-testid=stop-text]").contains("The reader locks db"));
    assert_eq!(text(&root, "[data-testid=lesson-score]"), "0 of 2 right");
    assert!(!all(&root, "[data-testid=insights-veiled]").is_empty());
    assert!(all(&root, "[data-testid=question]").is_empty());
    // Continue: it plays to stop 2 (step 2) and asks, and playing waits for the answer.
    click(&root, "[data-testid=next-stop]").await;
    until_phase(&root, "Asking").await;
    assert_eq!(step(&root), 2);
    assert!(text(&root, "[data-testid=question] legend").contains("Who acquires db next?"));
    press(" ").await; // play: refused while a question waits
    assert_eq!((phase(&root), step(&root)), ("Asking".to_string(), 2));
    press("ArrowRight").await; // and no peeking ahead by stepping or seeking
    press("End").await;
    assert_eq!((phase(&root), step(&root)), ("Asking".to_string(), 2));
    // A wrong answer (key 1 = reader): it says so, and why.
    press("1").await;
    assert_eq!(phase(&root), "AtStop");
    // The keyboard's focus goes on to the way forward (the choices are disabled now).
    let focused = gloo_utils::document().active_element().unwrap();
    assert_eq!(focused.get_attribute("data-testid").as_deref(), Some("next-stop"));
    assert_eq!(text(&root, "[data-testid=verdict]"), "Not quite: the answer is writer.");
    assert!(text(&root, "[data-testid=why]").contains("handing it to writer"));
    assert!(choice(&root, "writer").class_name().contains("right"));
    // Show why: the deciding step, then it waits again.
    click(&root, "[data-testid=show-why]").await;
    until_phase(&root, "AtStop").await;
    assert_eq!(step(&root), 3);
    // Stop 3 is at step 3 already: there at once. Stop 4 is played to, and asks.
    click(&root, "[data-testid=next-stop]").await;
    assert_eq!(phase(&root), "AtStop");
    assert!(text(&root, "[data-testid=stop-text]").contains("The hand-over"));
    click(&root, "[data-testid=next-stop]").await;
    until_phase(&root, "Asking").await;
    assert_eq!(step(&root), 5);
    // The log does not give the answer away: lines still to come are hidden.
    let future = all(&root, ".log-line.future");
    assert!(!future.is_empty());
    let window = web_sys::window().unwrap();
    for line in &future {
        let style = window.get_computed_style(line).unwrap().unwrap();
        assert_eq!(style.get_property_value("visibility").unwrap(), "hidden");
    }
    assert_eq!(q(&root, ".shell").get_attribute("data-veil").as_deref(), Some("true"));
    choice(&root, "Number(1000)").click();
    yew::scheduler::flush().await;
    assert_eq!(text(&root, "[data-testid=verdict]"), "Right.");
    assert_eq!(text(&root, "[data-testid=lesson-score]"), "1 of 2 right");
    // The last stop, then done; the outcome is no longer veiled at the end.
    click(&root, "[data-testid=next-stop]").await;
    until_phase(&root, "AtStop").await;
    assert_eq!(step(&root), 15);
    click(&root, "[data-testid=next-stop]").await;
    assert_eq!(phase(&root), "Done");
    assert_eq!(text(&root, "[data-testid=lesson-done]"), "Lesson complete: 1 of 2 predictions right.");
    assert!(all(&root, "[data-testid=insights-veiled]").is_empty());
    assert_eq!(q(&root, ".shell").get_attribute("data-veil").as_deref(), Some("false"));
    // Kept in this browser: a fresh page on the same link resumes, finished.
    yew::scheduler::flush().await;
    let kept: serde_json::Value = storage::get(&mutex_playground::ui::state::progress_key(HAND_OVER)).unwrap();
    assert_eq!(kept["phase"], "done");
    let root = web_common::mount_at(&format!("#lesson={HAND_OVER}")).await;
    assert_eq!(phase(&root), "Done");
    // Restart forgets the answers and starts over.
    click(&root, "[data-testid=lesson] .lesson-tools button").await;
    assert_eq!((phase(&root), step(&root)), ("AtStop".to_string(), 0));
    assert_eq!(text(&root, "[data-testid=lesson-score]"), "0 of 2 right");
    root.remove();
}

#[wasm_bindgen_test]
async fn every_stop_is_a_link() {
    storage::remove(&mutex_playground::ui::state::progress_key(HAND_OVER));
    let root = web_common::mount_at(&format!("#lesson={HAND_OVER}&stop=4")).await;
    // Opened at stop 4, straight there (not played to), asking.
    assert_eq!((phase(&root), step(&root)), ("Asking".to_string(), 5));
    let links: Vec<String> = all(&root, ".stops a").iter().map(|a| a.get_attribute("href").unwrap()).collect();
    assert_eq!(links.len(), 5);
    assert_eq!(links[1], format!("#lesson={HAND_OVER}&stop=2"));
    // Following one goes there.
    click(&root, ".stops li:nth-child(2) a").await;
    assert_eq!((phase(&root), step(&root)), ("Asking".to_string(), 2));
    // The address follows (within a second).
    gloo_timers::future::TimeoutFuture::new(1_100).await;
    assert!(web_common::fragment().ends_with(&format!("lesson={HAND_OVER}&stop=2")), "{}", web_common::fragment());
    // Another scenario leaves the lesson.
    click(&root, "[data-testid=preset-deadlock]").await;
    assert!(all(&root, "[data-testid=lesson]").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn the_list_opens_lessons_and_bad_lesson_links_say_why() {
    let root = web_common::mount().await;
    assert_eq!(all(&root, "[data-testid^=lesson-seed-]").len(), 5);
    click(&root, "[data-testid=lesson-seed-001-deadlock]").await;
    assert!(text(&root, "[data-testid=lesson]").contains("Two locks in opposite orders"));
    let root = web_common::mount_at("#lesson=no-such-lesson").await;
    assert!(all(&root, "[data-testid=lesson]").is_empty());
    assert!(text(&root, "[data-testid=notice]").contains("no-such-lesson"), "no notice");
    // A whole lesson in the link, which does not fit its run: the problem, at its place.
    let bad = r#"{"id":"x","title":"x","scenario":{"preset":"deadlock"},
                  "stops":[{"at":{"task":"nobody","does":"run"},"text":"t"}]}"#;
    let root = web_common::mount_at(&format!("#l={}", mutex_playground::share::pack(bad))).await;
    assert!(all(&root, "[data-testid=lesson]").is_empty());
    let notice = text(&root, "[data-testid=notice]");
    assert!(notice.contains("stops[0].at.task: there is no task \"nobody\""), "{notice}");
    root.remove();
}
