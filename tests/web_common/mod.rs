//! Shared by the browser suites: mount the real app into a fresh element.
#![allow(dead_code)]

use mutex_playground::ui::App;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// Mounts [`App`] into a new `<div>` appended to the page, and renders it, at the page's
/// address without a fragment (the app keeps the fragment in step with what it shows, so
/// an earlier test's app may have left one).
pub async fn mount() -> Element {
    mount_at("").await
}

/// Like [`mount`], at `#fragment`. The apps of earlier tests are destroyed first: all the
/// tests of a file share one page, and a live app keeps the address in step with what it
/// shows (and follows `hashchange`), so it would fight over the address with this one.
pub async fn mount_at(fragment: &str) -> Element {
    thread_local! {
        static APPS: std::cell::RefCell<Vec<yew::AppHandle<App>>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    for app in APPS.with_borrow_mut(std::mem::take) {
        app.destroy();
    }
    yew::scheduler::flush().await;
    set_fragment(fragment);
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    APPS.with_borrow_mut(|apps| apps.push(app));
    yew::scheduler::flush().await;
    root
}

/// Sets the page's fragment without a `hashchange` event (empty: no fragment at all).
pub fn set_fragment(fragment: &str) {
    let location = web_sys::window().unwrap().location();
    let bare = format!("{}{}", location.pathname().unwrap(), location.search().unwrap());
    let url = if fragment.is_empty() { bare } else { format!("{bare}#{}", fragment.trim_start_matches('#')) };
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        .unwrap();
}

/// The page's fragment, with its `#` (empty if there is none).
pub fn fragment() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
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

/// The first element under `root` matching `css`; panics naming it if there is none.
pub fn q(root: &Element, css: &str) -> Element {
    root.query_selector(css).unwrap().unwrap_or_else(|| panic!("`{css}` is missing"))
}

/// Every element under `root` matching `css`, in document order.
pub fn all(root: &Element, css: &str) -> Vec<Element> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().dyn_into().unwrap()).collect()
}

/// Clicks the element matching `css` and lets yew render.
pub async fn click(root: &Element, css: &str) {
    q(root, css).dyn_into::<HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
}

/// Moves the seek slider to `step` and lets yew render.
pub async fn seek(root: &Element, step: u32) {
    let input: HtmlInputElement = q(root, "[data-testid=seek]").dyn_into().unwrap();
    input.set_value(&step.to_string());
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
}

/// Waits for the next frames' layout: a `ResizeObserver` reports after layout.
pub async fn settle() {
    gloo_timers::future::TimeoutFuture::new(100).await;
    yew::scheduler::flush().await;
}

/// The `px` value inside `translateX(...)` in an element's inline style.
pub fn translate_x(el: &Element) -> f64 {
    let style = el.get_attribute("style").unwrap();
    style.split("translateX(").nth(1).unwrap().split("px").next().unwrap().parse().unwrap()
}

pub fn task_of(el: &Element) -> u32 {
    el.get_attribute("data-task").unwrap().parse().unwrap()
}

/// The holder and queue (head first) drawn on the first mutex panel.
pub fn drawn(root: &Element) -> (Vec<u32>, Vec<u32>) {
    let panel = q(root, "[data-testid=mutex-panel]");
    let mut holder: Vec<u32> = all(&panel, "[data-testid=holder-chip]").iter().map(task_of).collect();
    holder.sort_unstable();
    let mut queue: Vec<(u32, u32)> = all(&panel, "[data-testid=queue-chip]")
        .iter()
        .map(|c| (c.get_attribute("data-pos").unwrap().parse().unwrap(), task_of(c)))
        .collect();
    queue.sort();
    (holder, queue.into_iter().map(|(_, t)| t).collect())
}

/// The app in a `width`-px-wide element, with the stylesheet, on the reader-writer
/// preset, laid out.
pub async fn reader_writer_at(width: u32) -> Element {
    add_stylesheet();
    let root = mount().await;
    root.set_attribute("style", &format!("width:{width}px")).unwrap();
    click(&root, "[data-testid=preset-reader-writer]").await;
    settle().await;
    root
}
