//! The keyboard shortcuts (space, ←/→, Home/End, r, +/-) drive the same actions as the buttons, and
//! are ignored while typing in a field.
#![cfg(target_arch = "wasm32")]

mod web_common;

use web_common::mount;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

async fn press(target: &web_sys::EventTarget, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

fn step(root: &Element) -> u32 {
    let text = root.query_selector("[data-testid=readout]").unwrap().unwrap().text_content().unwrap();
    text.trim_start_matches("step ").split(' ').next().unwrap().parse().unwrap()
}

fn speed(root: &Element) -> String {
    let select: web_sys::HtmlSelectElement =
        root.query_selector("[data-testid=speed]").unwrap().unwrap().dyn_into().unwrap();
    select.value()
}

#[wasm_bindgen_test]
async fn arrows_step_r_resets_plus_minus_change_speed() {
    let root = mount().await;
    let doc: web_sys::EventTarget = web_sys::window().unwrap().document().unwrap().into();
    assert_eq!(step(&root), 0);
    press(&doc, "ArrowRight").await;
    press(&doc, "ArrowRight").await;
    press(&doc, "ArrowRight").await;
    assert_eq!(step(&root), 3);
    press(&doc, "ArrowLeft").await;
    assert_eq!(step(&root), 2);
    press(&doc, "r").await;
    assert_eq!(step(&root), 0);
    press(&doc, "End").await;
    let end = step(&root);
    assert!(end > 3, "End goes to the last step, {end}");
    press(&doc, "Home").await;
    assert_eq!(step(&root), 0, "Home goes to the start");
    let before = speed(&root);
    press(&doc, "+").await;
    let faster = speed(&root);
    assert_ne!(faster, before, "+ makes it faster");
    press(&doc, "-").await;
    assert_eq!(speed(&root), before, "- undoes it");
}

#[wasm_bindgen_test]
async fn space_toggles_play_and_typing_in_a_field_is_left_alone() {
    let root = mount().await;
    let doc: web_sys::EventTarget = web_sys::window().unwrap().document().unwrap().into();
    let play = root.query_selector("[data-testid=play]").unwrap().unwrap();
    assert!(play.get_attribute("aria-label").unwrap().starts_with("Play"));
    press(&doc, " ").await;
    assert!(play.get_attribute("aria-label").unwrap().starts_with("Pause"), "space starts playback");
    press(&doc, " ").await;
    assert!(play.get_attribute("aria-label").unwrap().starts_with("Play"), "space pauses");
    // A key typed into an input does not move the playhead.
    let input = web_sys::window().unwrap().document().unwrap().create_element("input").unwrap();
    root.append_child(&input).unwrap();
    let at = step(&root);
    press(&input.into(), "ArrowRight").await;
    assert_eq!(step(&root), at);
}

#[wasm_bindgen_test]
async fn space_after_picking_a_scenario_with_the_keyboard_plays_it() {
    let root = mount().await;
    let preset: web_sys::HtmlElement =
        root.query_selector("[data-testid=preset-deadlock]").unwrap().unwrap().dyn_into().unwrap();
    preset.focus().unwrap();
    preset.click(); // what Enter on a focused button does
    yew::scheduler::flush().await;
    press(&preset.clone().into(), " ").await;
    let play = root.query_selector("[data-testid=play]").unwrap().unwrap();
    assert!(play.get_attribute("aria-label").unwrap().starts_with("Pause"), "space did not start playback");
    // On any other button, space is the button's own.
    let other: web_sys::HtmlElement =
        root.query_selector("[data-testid=preset-counter]").unwrap().unwrap().dyn_into().unwrap();
    press(&other.into(), " ").await;
    assert!(play.get_attribute("aria-label").unwrap().starts_with("Pause"), "space on another button played");
}
