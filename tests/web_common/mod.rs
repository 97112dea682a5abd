//! Shared by the browser suites: mount the real app into a fresh element.
#![allow(dead_code)]

use mutex_playground::ui::App;
use web_sys::Element;

/// Mounts [`App`] into a new `<div>` appended to the page, and renders it.
pub async fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// Adds the app's stylesheet to the test page (which has none of its own), for tests
/// that depend on real sizes. Idempotent.
pub fn add_stylesheet() {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("app-style").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("app-style");
        style.set_text_content(Some(include_str!("../../static/style.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
}
