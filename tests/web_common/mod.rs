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
