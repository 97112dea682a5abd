//! The in-browser suite: `wasm-bindgen-test` in headless Chromium (`make test-browser`).
//!
//! Mounts the real app into a fresh element and drives it through the DOM, and runs the
//! seed's Mutex test on the browser's own executor (`wasm-bindgen-futures`).
#![cfg(target_arch = "wasm32")]

use mutex_playground::sync::Mutex;
use mutex_playground::ui::App;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

async fn mount() -> web_sys::Element {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn app_renders_its_shell() {
    let root = mount().await;
    let title = root.query_selector("#app-title").unwrap().expect("title rendered");
    assert_eq!(title.text_content().unwrap(), "Mutex Playground");
    for region in ["Scenarios", "Playback controls", "Mutexes", "Timeline", "Transcript"] {
        let sel = format!("[aria-label=\"{region}\"]");
        assert!(root.query_selector(&sel).unwrap().is_some(), "region {region} missing");
    }
}

#[wasm_bindgen_test]
async fn theme_toggle_answers_a_click() {
    let root = mount().await;
    let shell = root.query_selector(".shell").unwrap().unwrap();
    assert_eq!(shell.get_attribute("data-theme").as_deref(), Some("light"));
    let button: web_sys::HtmlElement = root.query_selector(".theme-toggle").unwrap().unwrap().dyn_into().unwrap();
    button.click();
    yew::scheduler::flush().await;
    assert_eq!(shell.get_attribute("data-theme").as_deref(), Some("dark"));
}

/// Seed 000's test, on the browser's executor: 10 tasks × 100 increments == 1000.
#[wasm_bindgen_test]
async fn seed_counter_on_the_browser_executor() {
    let count = Rc::new(Mutex::new(0u32));
    let mut handles = Vec::new();
    for _ in 0..10 {
        let my_count = count.clone();
        let (tx, rx) = futures::channel::oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            for _ in 0..100 {
                *my_count.lock().await += 1;
            }
            let _ = tx.send(());
        });
        handles.push(rx);
    }
    futures::future::join_all(handles).await;
    assert_eq!(*count.lock().await, 1000);
}

/// With the guard held across a real timer, the other tasks queue and are served in
/// arrival order, on the browser's own executor and timers.
#[wasm_bindgen_test]
async fn fifo_hand_off_across_a_real_timer() {
    let mutex = Rc::new(Mutex::new(()));
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut done = Vec::new();
    for id in 0..5u32 {
        let (mutex, order) = (mutex.clone(), order.clone());
        let (tx, rx) = futures::channel::oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            let _guard = mutex.lock().await;
            order.borrow_mut().push(id);
            gloo_timers::future::TimeoutFuture::new(5).await;
            let _ = tx.send(());
        });
        done.push(rx);
    }
    futures::future::join_all(done).await;
    assert_eq!(*order.borrow(), vec![0, 1, 2, 3, 4]);
}
