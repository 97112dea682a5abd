//! In the browser: a stranger's link can neither freeze nor crash the page.
//! Big runs are made a slice per frame and can be cancelled; short hostile links end
//! with a reason; the scheduler menu shows the seed that runs; a panic banner offers to
//! reopen the link; a comparison of a big run records no more than the run does, and a
//! scenario too big to compare is said, not compared.
#![cfg(target_arch = "wasm32")]

mod web_common;

#[path = "cases/mod.rs"]
mod cases;

use mutex_playground::share::pack;
use mutex_playground::trace::EndReason;
use mutex_playground::ui::panic::{reopen_links, show_banner};
use mutex_playground::ui::state::{Action, Model, Theme};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::q;
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

/// 1,000 tasks that take turns with the lock forever: the run ends when its trace is full,
/// far beyond what one frame can simulate.
fn big_link() -> String {
    format!("#s={}&step=7", pack(&cases::turn_takers(1_000)))
}

#[wasm_bindgen_test]
fn a_big_run_is_made_a_slice_per_frame_and_the_last_run_stays_meanwhile() {
    let default = Model::new(Theme::Light);
    let mut m = Rc::new(Model::from_fragment(&big_link(), Theme::Light));
    assert_eq!(m.notice, None);
    let first = m.pending.as_ref().expect("too big for the first slice").progress;
    assert!(!first.done && first.steps > 0);
    // Until it is done, the page shows the run it had.
    assert!(m.loaded.as_ref().unwrap().run.scenario == default.loaded.as_ref().unwrap().run.scenario);
    let mut slices = 0;
    let mut last = first.fraction();
    while m.pending.is_some() {
        m = m.reduce(Action::SimulateSlice);
        slices += 1;
        if let Some(p) = &m.pending {
            assert!(p.progress.fraction() >= last, "progress never goes back");
            last = p.progress.fraction();
        }
        assert!(slices < 100_000, "the run never finished");
    }
    assert!(slices > 1, "a big run takes more than one slice");
    let run = &m.loaded.as_ref().unwrap().run;
    assert_eq!(run.scenario.name, "big");
    assert!(matches!(run.end, EndReason::TraceFull { .. }), "{:?}", run.end);
    assert_eq!(m.step, 7, "the link's step is applied once the run exists");
}

#[wasm_bindgen_test]
fn a_big_run_can_be_cancelled() {
    let m = Rc::new(Model::from_fragment(&big_link(), Theme::Light));
    let before = m.loaded.as_ref().unwrap().run.scenario.name.clone();
    let m = m.reduce(Action::SimulateSlice).reduce(Action::CancelSimulation);
    assert!(m.pending.is_none());
    assert!(m.notice.as_deref().unwrap_or("").contains("Stopped simulating \"big\""), "{:?}", m.notice);
    assert_eq!(m.loaded.as_ref().unwrap().run.scenario.name, before);
    // A slice after the cancel does nothing.
    let again = m.clone().reduce(Action::SimulateSlice);
    assert!(Rc::ptr_eq(&m, &again));
}

#[wasm_bindgen_test]
fn short_hostile_links_end_with_a_reason() {
    for (json, expect) in [
        (r#"{"name":"x","tasks":[{"name":"spin","forever":true,"steps":[]}]}"#, "ran 20,000 steps without yielding"),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"m","initial":[]}],"tasks":[{"name":"a","forever":true,"steps":"#,
                r#"[{"op":"locked_write","mutex":"m","action":{"kind":"push","value":1}}]}]}"#,
            ),
            "without yielding",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"m","initial":[1]}],"tasks":[{"name":"a","steps":"#,
                r#"[{"op":"broken_wait","mutex":"m","until":{"kind":"non_empty"},"take":true}]}]}"#,
            ),
            "every task finished",
        ),
    ] {
        let mut m = Rc::new(Model::from_fragment(&format!("#s={}", pack(json)), Theme::Light));
        while m.pending.is_some() {
            m = m.reduce(Action::SimulateSlice);
        }
        assert_eq!(m.notice, None, "{json}");
        let run = &m.loaded.as_ref().unwrap().run;
        assert_eq!(run.scenario.name, "x");
        assert!(run.end_text().contains(expect), "{json}: {}", run.end_text());
    }
}

#[wasm_bindgen_test]
async fn the_scheduler_menu_shows_the_seed_that_runs() {
    let root = web_common::mount_at("#preset=deadlock&policy=random:77").await;
    let select: web_sys::HtmlSelectElement = q(&root, "[data-testid=policy]").dyn_into().unwrap();
    let chosen = select.selected_options().item(0).unwrap().text_content().unwrap();
    assert_eq!(chosen, "Random, seed 77");
    root.remove();
}

#[wasm_bindgen_test]
fn a_panic_banner_offers_to_reopen_the_same_link() {
    let document = web_sys::window().unwrap().document().unwrap();
    let banner = document.create_element("div").unwrap();
    banner.set_id("panic-banner");
    banner.set_attribute("hidden", "").unwrap();
    document.body().unwrap().append_child(&banner).unwrap();
    show_banner("index out of bounds");
    assert!(!banner.has_attribute("hidden"));
    assert!(banner.text_content().unwrap().contains("index out of bounds"));
    let href = web_sys::window().unwrap().location().href().unwrap();
    let again = document.get_element_by_id("panic-reopen").unwrap().get_attribute("href").unwrap();
    assert!(again.contains("reopen="), "{again}");
    assert_ne!(again, href, "a new address, so the browser loads it afresh");
    banner.remove();
    // The links keep the fragment (the scenario) and drop only our marker.
    let (again, plain) = reopen_links("https://x.edu/p/?a=1&reopen=5#preset=deadlock&step=3", 9);
    assert_eq!(again, "https://x.edu/p/?a=1&reopen=9#preset=deadlock&step=3");
    assert_eq!(plain, "https://x.edu/p/?a=1");
    let (again, plain) = reopen_links("http://127.0.0.1:8080/#s=abc", 1);
    assert_eq!(again, "http://127.0.0.1:8080/?reopen=1#s=abc");
    assert_eq!(plain, "http://127.0.0.1:8080/");
}

#[wasm_bindgen_test]
fn a_looping_embed_holds_its_outcome_before_it_starts_over() {
    use mutex_playground::ui::state::{BASE_STEPS_PER_SECOND, LOOP_HOLD_SECONDS, SPEEDS};
    let mut m = Rc::new(Model::from_fragment("#preset=deadlock&embed=1&autoplay=1&loop=1&speed=1", Theme::Light));
    assert!(m.playing && m.embed.looped);
    let steps = m.steps();
    m = m.reduce(Action::Advance(steps));
    assert_eq!(m.step, steps, "at the end");
    let hold = (LOOP_HOLD_SECONDS * BASE_STEPS_PER_SECOND * SPEEDS[m.speed]).ceil() as u32;
    assert!(hold >= 7, "{hold} steps' worth at 1×: 2.5 s");
    for _ in 1..hold {
        m = m.reduce(Action::Advance(1));
        assert_eq!(m.step, steps, "the outcome stays on screen");
    }
    m = m.reduce(Action::Advance(1));
    assert_eq!(m.step, 0, "then it starts over");
    assert!(m.playing);
}

#[wasm_bindgen_test]
fn the_scheduler_game_survives_watching_and_a_reset_can_be_undone() {
    use mutex_playground::ui::state::Mode;
    let mut m = Rc::new(Model::from_fragment("#preset=deadlock", Theme::Light));
    m = m.reduce(Action::SetMode(Mode::Scheduler));
    for _ in 0..2 {
        let ready = m.loaded.as_ref().unwrap().run.ready_at_end();
        m = m.reduce(Action::Choose(*ready.last().unwrap()));
    }
    let game = m.choices.clone();
    assert_eq!(game.len(), 2);
    // Watching and coming back resumes the game.
    m = m.reduce(Action::SetMode(Mode::Watch));
    assert!(m.choices.is_empty());
    m = m.reduce(Action::SetMode(Mode::Scheduler));
    assert_eq!(m.choices, game, "the game is back");
    assert_eq!(m.step, m.steps());
    // A reset wipes it; Undo brings it back whole.
    m = m.reduce(Action::Reset);
    assert!(m.choices.is_empty());
    m = m.reduce(Action::Undo);
    assert_eq!(m.choices, game, "undo after reset restores the game");
    // Another scenario forgets it.
    m = m.reduce(Action::SetMode(Mode::Watch)).reduce(Action::SelectPreset(0));
    m = m.reduce(Action::SetMode(Mode::Scheduler));
    assert!(m.choices.is_empty());
}

#[wasm_bindgen_test]
async fn screen_readers_hear_the_present_not_the_future_nor_every_frame() {
    use web_common::{all, q, seek};
    let root = web_common::reader_writer_at(900).await;
    seek(&root, 5).await;
    web_common::settle().await;
    let current = q(&root, "[data-testid=log-current]");
    assert_eq!(current.get_attribute("aria-current").as_deref(), Some("step"));
    let lines = all(&root, ".log-line");
    assert!(!lines.is_empty());
    for line in &lines {
        let future = line.get_attribute("class").unwrap_or_default().split(' ').any(|c| c == "future");
        assert_eq!(line.get_attribute("aria-hidden").as_deref(), future.then_some("true"), "{:?}", line.text_content());
    }
    assert!(
        lines.iter().any(|l| l.get_attribute("class").unwrap_or_default().contains("future")),
        "some lines lie ahead at step 5"
    );
    // The step is spoken by the narration (one live region), not by the readout too.
    assert_eq!(q(&root, "[data-testid=readout]").get_attribute("aria-live"), None);
    let narration = q(&root, "[data-testid=narration]");
    assert_eq!(narration.get_attribute("aria-live").as_deref(), Some("polite"));
    assert!(narration.text_content().unwrap().starts_with("Step 5 at "), "{:?}", narration.text_content());
    root.remove();
}

#[wasm_bindgen_test]
fn a_comparison_of_a_big_run_records_no_more_than_one_run_does() {
    use mutex_playground::scenario::MAX_EVENTS;
    let link = format!("{}&compare=async,barging,lifo,eventually_fair", big_link());
    let mut m = Rc::new(Model::from_fragment(&link, Theme::Light));
    let mut slices = 0;
    while m.pending.is_some() || m.compare.as_ref().is_some_and(|c| c.running()) {
        m = m.reduce(Action::SimulateSlice).reduce(Action::CompareSlice);
        slices += 1;
        assert!(slices < 100_000, "the runs never finished");
    }
    let main = &m.loaded.as_ref().unwrap().run;
    assert!(matches!(main.end, EndReason::TraceFull { max_events: MAX_EVENTS, .. }), "{:?}", main.end);
    let c = m.compare.as_ref().expect("the link's comparison");
    let runs: Vec<_> = c.runs().map(|r| r.expect("every column ran")).collect();
    assert_eq!(runs.len(), 4);
    // The four columns share one run's room: a quarter each, and they use it.
    for run in &runs {
        match run.end {
            EndReason::TraceFull { events, max_events, .. } => {
                assert_eq!(max_events, MAX_EVENTS / 4);
                assert!(events > MAX_EVENTS / 4 - 1_000, "a column stopped at {events} events");
            }
            ref other => panic!("{other:?}"),
        }
    }
    let total: u64 = runs.iter().map(|r| r.events().len() as u64).sum();
    assert!(total <= MAX_EVENTS + 4 * 64, "the comparison recorded {total} events");
}

#[wasm_bindgen_test]
fn a_scenario_too_big_to_compare_is_said_not_compared() {
    use mutex_playground::scenario::Scenario;
    use mutex_playground::trace::compare::MAX_COMPARE_BYTES;
    // Forty tasks writing lists of 7,000 numbers: over 2 MiB of JSON. A link cannot
    // hold it (links unpack to 1 MiB at most); a file can.
    let list = (0..7_000).map(|i| (1_000_000 + i).to_string()).collect::<Vec<_>>().join(",");
    let task = format!(
        r#"{{"name":"t","steps":[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":[{list}]}}}}]}}"#
    );
    let json = format!(
        r#"{{"name":"huge","mutexes":[{{"name":"m","initial":[]}}],"tasks":[{}]}}"#,
        [task.as_str(); 40].join(",")
    );
    assert!(json.len() > MAX_COMPARE_BYTES);
    let scenario = Scenario::from_json(&json).unwrap();
    let m = Rc::new(Model::from_fragment("#preset=convoy&compare=async,barging", Theme::Light));
    assert!(m.compare.is_some(), "the preset is compared");
    // Loaded from a file with the comparison open: the comparison closes, and says why.
    let m = m.reduce(Action::Load(scenario));
    assert!(m.compare.is_none(), "four more runs of it were started");
    let notice = m.notice.clone().unwrap_or_default();
    assert!(notice.contains("too big to compare") && notice.contains("at most 2 MiB"), "{notice}");
    // Asked for again: the same.
    let m = m.reduce(Action::Notice(None)).reduce(Action::Compare(vec![]));
    assert!(m.compare.is_none() && m.notice.as_deref() == Some(notice.as_str()));
}
