//! In the browser: a long wait queue draws only the chips that fit its panel (the head of
//! the Mutex's own queue, in order) and counts the rest; the count follows the panel's
//! width as it changes; fast playback makes chips jump instead of slide; several holders
//! (an RwLock's readers) sit side by side in the guard's slot, the queue after them.
//!
//! Its own file (its own page): it opens the app on a link through the address bar.
#![cfg(target_arch = "wasm32")]

mod web_common;

use web_common::{all, drawn, q, settle, translate_x};

use mutex_playground::exec::Policy;
use mutex_playground::scenario::hammer;
use mutex_playground::share::{Link, Source};
use mutex_playground::trace::simulate;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Each chip's right edge where its slide ends (its transform), against the track's
/// visible width: the chips drawn must all be visible without scrolling.
fn all_fit(root: &Element) -> bool {
    let wrap = q(root, ".track-wrap").client_width() as f64;
    all(root, "[data-testid=queue-chip]")
        .iter()
        .all(|c| translate_x(c) + c.dyn_ref::<HtmlElement>().unwrap().offset_width() as f64 <= wrap)
}

#[wasm_bindgen_test]
async fn chips_that_fit_are_drawn_in_queue_order_and_the_rest_counted() {
    let scenario = hammer(40, 2, true);
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let (step, longest) = (0..=run.steps())
        .map(|s| (s, run.snapshot_at(s).mutexes[0].queue.len()))
        .max_by_key(|&(s, n)| (n, std::cmp::Reverse(s)))
        .unwrap();
    assert!(longest >= 30, "the scenario should queue most of its tasks, queued {longest}");

    let link = Link {
        source: Source::Scenario(serde_json::to_string(&scenario).unwrap()),
        step: Some(step as u64),
        ..Link::default()
    };
    web_common::add_stylesheet();
    let root = web_common::mount_at(&link.to_fragment()).await;
    root.set_attribute("style", "width:420px").unwrap();
    settle().await;
    assert_eq!(all(&root, "[data-testid=notice]").len(), 0, "the link was refused");

    let queue = run.snapshot_at(step).mutexes[0].queue.clone();
    let narrow = drawn(&root).1;
    assert!(
        !narrow.is_empty() && narrow.len() < queue.len(),
        "drew {} of {} chips at 420 px",
        narrow.len(),
        queue.len()
    );
    assert_eq!(narrow[..], queue[..narrow.len()], "the drawn chips are the head of the Mutex's queue");
    assert_eq!(
        q(&root, "[data-testid=queue-more]").text_content().unwrap(),
        format!("+{}", queue.len() - narrow.len())
    );
    assert!(
        all_fit(&root),
        "a drawn chip lies beyond the panel's edge: {} chips, track {} px wide, panel {} px",
        narrow.len(),
        q(&root, ".track-wrap").client_width(),
        q(&root, ".mutex-panel").client_width()
    );

    // Wider: more chips, still the head of the queue, still all visible.
    root.set_attribute("style", "width:1400px").unwrap();
    settle().await;
    let wide = drawn(&root).1;
    assert!(wide.len() > narrow.len(), "a wider panel drew {} chips, a narrow one {}", wide.len(), narrow.len());
    assert_eq!(wide[..], queue[..wide.len()]);
    assert!(all_fit(&root), "a drawn chip lies beyond the wider panel's edge");

    // Slides while stepping; jumps when playing fast.
    let shell = q(&root, ".shell");
    assert_eq!(shell.get_attribute("data-motion").as_deref(), Some("slide"));
    let speed: HtmlSelectElement = q(&root, "[data-testid=speed]").dyn_into().unwrap();
    speed.set_value("8");
    speed.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    let seek: HtmlInputElement = q(&root, "[data-testid=seek]").dyn_into().unwrap();
    seek.set_value("0");
    seek.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    yew::scheduler::flush().await;
    q(&root, "[data-testid=play]").dyn_into::<HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    assert_eq!(q(&root, ".shell").get_attribute("data-motion").as_deref(), Some("jump"));
    assert!(all(&root, ".slot.released, .slot.cancelled").is_empty(), "ghost chips are drawn while jumping");
    q(&root, "[data-testid=play]").dyn_into::<HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    assert_eq!(q(&root, ".shell").get_attribute("data-motion").as_deref(), Some("slide"));
    web_common::set_fragment("");
}

/// The x where each chip of `testid` on the first panel ends its slide, by task.
fn places(root: &Element, testid: &str) -> Vec<(u32, f64)> {
    let panel = q(root, "[data-testid=mutex-panel]");
    all(&panel, &format!("[data-testid={testid}]")).iter().map(|c| (web_common::task_of(c), translate_x(c))).collect()
}

#[wasm_bindgen_test]
async fn several_holders_sit_side_by_side_and_the_queue_after_them() {
    // Five readers take the RwLock together; a writer queues behind them.
    let reader = r#"{"name":"reader","steps":[{"op":"read_lock","mutex":"db"},{"op":"sleep","ms":10},
        {"op":"unlock","mutex":"db"}]}"#;
    let writer = r#"{"name":"writer","steps":[{"op":"sleep","ms":1},{"op":"lock","mutex":"db"},
        {"op":"unlock","mutex":"db"}]}"#;
    let mut tasks = vec![reader; 5];
    tasks.push(writer);
    let json = format!(
        r#"{{"name":"readers","mutexes":[{{"name":"db","kind":"rwlock","initial":0}}],"tasks":[{}]}}"#,
        tasks.join(",")
    );
    let scenario = mutex_playground::scenario::Scenario::from_json(&json).unwrap();
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let step = (0..=run.steps())
        .find(|&s| {
            let m = &run.snapshot_at(s).mutexes[0];
            m.holders.len() == 5 && m.queue.len() == 1
        })
        .expect("a step where five readers hold the lock and the writer waits");
    let link = Link { source: Source::Scenario(json), step: Some(step as u64), ..Link::default() };
    web_common::add_stylesheet();
    let root = web_common::mount_at(&link.to_fragment()).await;
    root.set_attribute("style", "width:900px").unwrap();
    settle().await;
    assert_eq!(all(&root, "[data-testid=notice]").len(), 0, "the link was refused");

    let holders = places(&root, "holder-chip");
    assert_eq!(holders.len(), 5, "every holder has a chip: {holders:?}");
    let chip_w = q(&root, "[data-testid=holder-chip] .chip").dyn_into::<HtmlElement>().unwrap().offset_width() as f64;
    // The first three sit apart, not one on another; the last two stack on the third,
    // and the slot counts them.
    let mut xs: Vec<f64> = holders.iter().map(|&(_, x)| x).collect();
    xs.sort_by(f64::total_cmp);
    assert!(xs[1] - xs[0] >= chip_w && xs[2] - xs[1] >= chip_w, "holders overlap: {xs:?}, chips {chip_w} px");
    assert_eq!(xs[2], xs[4], "holders beyond the slot's places stack on its last: {xs:?}");
    assert_eq!(q(&root, "[data-testid=guard-more]").text_content().unwrap(), "+2");
    // Every holder's chip lies inside the guard's slot, and the queue starts after it.
    let slot = q(&root, ".lock-slot").dyn_into::<HtmlElement>().unwrap();
    let slot_end = (slot.offset_left() + slot.offset_width()) as f64;
    assert!(xs[4] + chip_w <= slot_end, "a holder's chip lies beyond the guard's slot ({slot_end} px): {xs:?}");
    let queue = places(&root, "queue-chip");
    assert_eq!(queue.len(), 1);
    assert!(queue[0].1 >= slot_end, "the queue's head ({}) sits on the guard's slot (ends {slot_end})", queue[0].1);
    let status = q(&root, "[data-testid=holder-text]").text_content().unwrap();
    assert!(status.contains("5 holders"), "the status line counts the holders: {status}");
    web_common::set_fragment("");
}
