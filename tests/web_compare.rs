//! The compare view in the page: it opens on the scenario on screen with every policy,
//! its numbers agree with runs made here, its columns follow the playhead, a policy can be
//! dropped (not below two), an edit of the scenario redoes it, and a scenario with no
//! policy mutex offers none. Lock kinds in the form editor: picking one sets its
//! parameter's field.
#![cfg(target_arch = "wasm32")]

mod web_common;

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{preset, MutexKind};
use mutex_playground::trace::compare::{under, PolicyStats, POLICIES};
use mutex_playground::trace::simulate;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::{all, click, q, seek};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The text of cell `testid` in the table's row for `policy`.
fn cell(root: &Element, policy: &str, testid: &str) -> String {
    q(root, &format!("[data-testid=compare-row][data-policy={policy}] [data-testid={testid}]")).text_content().unwrap()
}

/// Waits (frame by frame, a few seconds at most) until every column's run is done: a
/// run that does not fit the first slice goes on a slice per frame.
async fn compared(root: &Element) {
    for _ in 0..600 {
        yew::scheduler::flush().await;
        let columns = all(root, "[data-testid=compare-column]").len();
        if columns > 0 && all(root, "[data-testid=compare-row]").len() == columns {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(16).await;
    }
    panic!("the comparison's runs did not finish");
}

/// The steps the columns show, in order.
fn column_steps(root: &Element) -> Vec<u32> {
    all(root, ".compare-locks").iter().map(|l| l.get_attribute("data-step").unwrap().parse().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn the_comparison_agrees_with_runs_made_here_and_follows_the_playhead() {
    let root = web_common::mount_at("#preset=barging-starvation").await;
    click(&root, "[data-testid=compare-open]").await;
    compared(&root).await;
    let s = preset("barging-starvation").unwrap().scenario;
    let rows: Vec<String> =
        all(&root, "[data-testid=compare-row]").iter().map(|r| r.get_attribute("data-policy").unwrap()).collect();
    assert_eq!(rows, POLICIES.iter().map(|k| k.name()).collect::<Vec<_>>());
    for kind in POLICIES {
        let run = simulate(&under(&s, kind), &Policy::Fifo).unwrap();
        let stats = PolicyStats::of(&run);
        assert_eq!(cell(&root, kind.name(), "compare-overtaken"), stats.overtaken.to_string(), "{kind:?}");
        let starved = if stats.starved.is_empty() { "none" } else { "polite" };
        assert_eq!(cell(&root, kind.name(), "compare-starved"), starved, "{kind:?}");
    }
    assert_eq!(cell(&root, "barging", "compare-starved"), "polite");
    // Before the first step every column is at its start; later, at the same virtual time.
    assert_eq!(column_steps(&root), [0, 0, 0, 0]);
    seek(&root, 9).await;
    let barging = simulate(&s, &Policy::Fifo).unwrap();
    let t = barging.time_at(9);
    let expected: Vec<u32> =
        POLICIES.iter().map(|&k| simulate(&under(&s, k), &Policy::Fifo).unwrap().step_at_time(t)).collect();
    assert_eq!(column_steps(&root), expected);
    // Whoever holds the lock in a column is what that run's snapshot says.
    let lifo = simulate(&under(&s, MutexKind::Lifo), &Policy::Fifo).unwrap();
    let holders: Vec<u32> =
        all(&root, "[data-testid=compare-column][data-policy=lifo] [data-testid=compare-holders] .chip")
            .iter()
            .map(web_common::task_of)
            .collect();
    assert_eq!(holders, lifo.snapshot_at(lifo.step_at_time(t)).mutexes[0].holders);
    root.remove();
}

#[wasm_bindgen_test]
async fn policies_can_be_dropped_down_to_two_and_an_edit_redoes_the_comparison() {
    let root = web_common::mount_at("#preset=convoy&compare=async,barging,lifo").await;
    compared(&root).await;
    assert_eq!(all(&root, "[data-testid=compare-column]").len(), 3);
    click(&root, "[data-testid=compare-lifo]").await;
    compared(&root).await;
    assert_eq!(all(&root, "[data-testid=compare-column]").len(), 2);
    let async_box: HtmlInputElement = q(&root, "[data-testid=compare-async]").dyn_into().unwrap();
    assert!(async_box.disabled(), "two is the fewest");
    let convoy_before = cell(&root, "async", "compare-convoy");
    assert!(convoy_before.starts_with("yes"), "{convoy_before}");
    // An edit (the slow task's repeat to 1) redoes the comparison with the new scenario.
    click(&root, "[data-testid=editor-toggle]").await;
    let repeat: HtmlInputElement = q(&root, "[data-field=\"tasks[0].repeat\"]").dyn_into().unwrap();
    repeat.set_value("0");
    repeat.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    compared(&root).await;
    let mut s = preset("convoy").unwrap().scenario;
    s.tasks[0].repeat = 0;
    let stats = PolicyStats::of(&simulate(&s, &Policy::Fifo).unwrap());
    assert_eq!(cell(&root, "async", "compare-overtaken"), stats.overtaken.to_string());
    let convoy_after = cell(&root, "async", "compare-convoy");
    assert_eq!(convoy_after.starts_with("yes"), stats.convoy, "{convoy_after}");
    click(&root, "[data-testid=compare-close]").await;
    assert!(all(&root, "[data-testid=compare]").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn a_scenario_without_a_policy_mutex_offers_no_comparison_and_kinds_are_picked_in_the_editor() {
    let root = web_common::mount_at("#preset=rwlock").await;
    assert!(all(&root, "[data-testid=compare-open]").is_empty(), "an rwlock has no policy to compare");
    // Two readers' chips in the slot at once (the preset at step 6 has three).
    seek(&root, 6).await;
    assert_eq!(all(&root, "[data-testid=holder-chip]").len(), 3);
    assert!(q(&root, "[data-testid=holder-text]").text_content().unwrap().contains("reader 0, reader 1 and reader 2"));
    // The form editor: the kind menu names every kind; a semaphore gets a permits field.
    click(&root, "[data-testid=editor-toggle]").await;
    let kind: HtmlSelectElement = q(&root, "select[aria-label=\"mutex db: kind\"]").dyn_into().unwrap();
    assert_eq!(kind.length() as usize, MutexKind::NAMES.len());
    kind.set_value("semaphore");
    kind.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    yew::scheduler::flush().await;
    // An rwlock's read_lock on a semaphore is refused, at its step, and said.
    let error = q(&root, ".error-banner, [data-testid=field-error]").text_content().unwrap();
    assert!(error.contains("read_lock is for an rwlock"), "{error}");
    let permits: HtmlInputElement = q(&root, "[data-field=\"mutexes[0].permits\"]").dyn_into().unwrap();
    assert_eq!(permits.value(), "1");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_long_queue_is_counted_not_drawn_and_each_column_says_how_its_run_ended() {
    use mutex_playground::scenario::Scenario;
    use mutex_playground::share::{Link, Source};
    // Forty tasks take the lock in turn, each holding it 5 ms.
    let task = r#"{"name":"t","steps":[{"op":"lock","mutex":"m"},{"op":"sleep","ms":5},{"op":"unlock","mutex":"m"}]}"#;
    let json =
        format!(r#"{{"name":"queue","mutexes":[{{"name":"m","initial":0}}],"tasks":[{}]}}"#, [task; 40].join(","));
    let s = Scenario::from_json(&json).unwrap();
    let main = simulate(&s, &Policy::Fifo).unwrap();
    let step = (0..=main.steps()).max_by_key(|&i| main.snapshot_at(i).mutexes[0].queue.len()).unwrap();
    let link = Link {
        source: Source::Scenario(json),
        step: Some(step as u64),
        compare: vec![MutexKind::Async, MutexKind::Lifo],
        ..Link::default()
    };
    web_common::add_stylesheet();
    let root = web_common::mount_at(&link.to_fragment()).await;
    compared(&root).await;
    let t = main.time_at(step);
    for kind in [MutexKind::Async, MutexKind::Lifo] {
        let run = simulate(&under(&s, kind), &Policy::Fifo).unwrap();
        let queue = run.snapshot_at(run.step_at_time(t)).mutexes[0].queue.clone();
        assert!(queue.len() > 20, "{kind:?}: the queue is {} long", queue.len());
        let column = q(&root, &format!("[data-testid=compare-column][data-policy={}]", kind.name()));
        let drawn: Vec<u32> =
            all(&column, "[data-testid=compare-queue] .chip").iter().map(web_common::task_of).collect();
        assert_eq!(drawn[..], queue[..12], "{kind:?}: the head of the queue, twelve chips");
        let more = q(&column, "[data-testid=compare-queue] [data-testid=compare-more]").text_content().unwrap();
        assert_eq!(more, format!("+{}", queue.len() - 12));
        // The count sits in its column (the queue's own "+N" style once put it at the top
        // of the page).
        let (count, col) =
            (q(&column, "[data-testid=compare-more]").get_bounding_client_rect(), column.get_bounding_client_rect());
        assert!(
            count.top() >= col.top() && count.bottom() <= col.bottom() && count.left() >= col.left(),
            "the count lies outside its column: {:?} vs {:?}",
            (count.left(), count.top()),
            (col.left(), col.top(), col.bottom())
        );
        let label = q(&column, "[data-testid=compare-queue]").get_attribute("aria-label").unwrap();
        assert!(label.ends_with(&format!("and {} more", queue.len() - 12)), "{label}");
        let stats = PolicyStats::of(&run);
        let end = q(&column, "[data-testid=compare-end]").text_content().unwrap();
        assert_eq!(end, format!("ends at {} ms: every task finished", stats.duration));
    }
    root.remove();
}
