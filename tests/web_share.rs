//! In the browser: links become models (hostile ones become notices), the local library,
//! and the same scenario run on the browser's own executor and timers.
#![cfg(target_arch = "wasm32")]

mod web_common;

use mutex_playground::exec::Policy;
use mutex_playground::scenario::preset;
use mutex_playground::share::{pack, Link, Source};
use mutex_playground::trace::{run_realtime, simulate};
use mutex_playground::ui::share::{library, library_delete, library_rename, library_save};
use mutex_playground::ui::state::{Mode, Model, Theme};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_link_opens_the_run_it_describes() {
    let m = Model::from_fragment("#preset=deadlock&step=3&policy=random:2&theme=dark", Theme::Light);
    assert_eq!(m.notice, None);
    assert_eq!(m.presets[m.preset.unwrap()].id, "deadlock");
    assert_eq!(m.step, 3);
    assert_eq!(m.theme, Theme::Dark);
    // And the model's own link says the same thing back.
    let again = Model::from_fragment(&m.link(m.embed).to_fragment(), Theme::Light);
    assert_eq!((again.step, again.preset, again.theme), (m.step, m.preset, m.theme));
}

#[wasm_bindgen_test]
fn a_scheduler_link_replays_the_players_choices() {
    let m = Model::from_fragment("#preset=deadlock&policy=manual:1.0", Theme::Light);
    assert_eq!(m.mode, Mode::Scheduler);
    assert_eq!(m.choices, vec![1, 0]);
    assert_eq!(m.loaded.as_ref().unwrap().run.polled_at(1), Some(1));
}

#[wasm_bindgen_test]
fn hostile_links_fall_back_to_the_default_with_a_message() {
    let default = Model::new(Theme::Light);
    for (fragment, needle) in [
        ("#s=%%%", "base64"),
        ("#s=AAAA", "damaged"),
        (&*format!("#s={}", pack("[1,2")), "JSON"),
        (
            &*format!("#s={}", pack(r#"{"name":"x","tasks":[{"name":"t","steps":[{"op":"lock","mutex":"nope"}]}]}"#)),
            "unknown mutex",
        ),
        ("#preset=../../etc", "preset name"),
        ("#step=-3", "step number"),
    ] {
        let m = Model::from_fragment(fragment, Theme::Light);
        let notice = m.notice.clone().unwrap_or_else(|| panic!("no notice for {fragment}"));
        assert!(notice.contains(needle), "{fragment}: {notice}");
        assert_eq!(m.scenario, default.scenario, "{fragment}: falls back to the default scenario");
    }
}

#[wasm_bindgen_test]
fn a_scenario_in_a_link_round_trips() {
    let mut s = preset("fairness").unwrap().scenario;
    s.tasks.truncate(3);
    let link = Link { source: Source::Scenario(serde_json::to_string(&s).unwrap()), ..Link::default() };
    let m = Model::from_fragment(&link.to_fragment(), Theme::Light);
    assert_eq!(*m.scenario, s);
    assert!(m.edited && m.preset.is_none());
}

#[wasm_bindgen_test]
fn the_library_saves_renames_and_deletes() {
    let get = |name: &str| library().into_iter().find(|(n, _)| n == name).map(|(_, s)| s);
    let s = preset("counter").unwrap().scenario;
    library_save("test: my counter", &s).unwrap();
    library_save("test: another", &preset("deadlock").unwrap().scenario).unwrap();
    assert_eq!(get("test: my counter"), Some(s.clone()));
    let names: Vec<String> = library().into_iter().map(|(n, _)| n).collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "not in name order: {names:?}");
    assert!(library_save("   ", &s).is_err(), "a blank name is refused");
    library_rename("test: my counter", "test: renamed").unwrap();
    assert_eq!(get("test: my counter"), None);
    assert_eq!(get("test: renamed"), Some(s.clone()));
    assert!(library_rename("test: renamed", "test: another").is_err(), "no clobbering");
    library_delete("test: renamed").unwrap();
    library_delete("test: another").unwrap();
    assert_eq!(get("test: renamed"), None);
    assert!(library().is_empty());
    // A damaged store reads as empty rather than breaking the page.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("mutex-playground/library/v1", "{not json").unwrap();
    assert!(library().is_empty());
    storage.remove_item("mutex-playground/library/v1").unwrap();
}

/// The same scenario on the browser's executor (wasm-bindgen-futures) with real timers
/// (gloo-timers) prints what the simulation prints: our Mutex works there too.
#[wasm_bindgen_test]
async fn the_reader_writer_runs_on_the_browsers_own_executor() {
    let scenario = preset("reader-writer").unwrap().scenario;
    let simulated: Vec<String> =
        simulate(&scenario, &Policy::Fifo).unwrap().transcript().into_iter().map(|l| l.text).collect();
    // 1 real ms per 20 virtual ms: the 3.5 s scenario takes under 200 ms.
    let real = run_realtime(&scenario, 0.05).await.unwrap();
    let real: Vec<String> = real.iter().flat_map(|l| l.split('\n').map(str::to_string)).collect();
    assert!(real.len() >= 17, "{real:?}");
    assert_eq!(real[..17], simulated[..17]);
}

#[wasm_bindgen_test]
async fn the_deadlock_hangs_on_the_browsers_executor_too() {
    // Our Mutex really deadlocks there: the run does not finish within its time limit,
    // and run_realtime reports what was printed so far.
    let scenario = preset("counter").unwrap().scenario;
    let real = run_realtime(&scenario, 0.05).await.unwrap();
    let simulated = simulate(&scenario, &Policy::Fifo).unwrap().transcript_text();
    assert_eq!(real.concat(), simulated.lines().collect::<Vec<_>>().concat());
}

#[wasm_bindgen_test]
fn one_bad_part_of_a_link_is_named_and_the_rest_is_kept() {
    let m = Model::from_fragment("#preset=deadlock&step=-1", Theme::Light);
    assert_eq!(m.presets[m.preset.unwrap()].id, "deadlock", "the preset is kept");
    let notice = m.notice.clone().expect("a notice");
    assert!(notice.contains("`step=-1`") && notice.contains("ignored"), "{notice}");
    assert_eq!(m.step, 0);

    let m = Model::from_fragment("#preset=deadlock&embed=1&autoplay=yes", Theme::Light);
    assert!(m.embed.on, "embed=1 is kept");
    assert!(!m.embed.autoplay && !m.playing);
    assert!(m.notice.as_deref().unwrap_or("").contains("`autoplay=yes`"), "{:?}", m.notice);

    // `step=end` works as `speed=end` does.
    let m = Model::from_fragment("#preset=deadlock&step=end", Theme::Light);
    assert_eq!(m.notice, None);
    assert_eq!(m.step, m.steps());
    assert!(m.step > 0);
}

#[wasm_bindgen_test]
fn links_carry_a_theme_only_when_their_own_link_set_one() {
    use mutex_playground::ui::state::Action;
    use yew::Reducible;
    // The viewer's system or choice is theirs: a link made from their page forces nothing.
    let m = Model::new(Theme::Dark);
    assert_eq!(m.link(m.embed).theme, None);
    // A link that asked for a theme passes it on ...
    let m = std::rc::Rc::new(Model::from_fragment("#preset=deadlock&theme=dark", Theme::Light));
    assert_eq!(m.theme, Theme::Dark);
    assert!(m.link(m.embed).to_fragment().contains("theme=dark"));
    // ... until the viewer picks their own.
    let m = m.reduce(Action::ToggleTheme);
    assert_eq!(m.theme, Theme::Light);
    assert!(!m.link(m.embed).to_fragment().contains("theme="));
}

#[wasm_bindgen_test]
async fn the_viewers_theme_choice_is_remembered() {
    use mutex_playground::ui::THEME_KEY;
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item(THEME_KEY).unwrap();
    let root = web_common::mount().await;
    let before = web_common::q(&root, ".shell").get_attribute("data-theme").unwrap();
    web_common::click(&root, ".theme-toggle").await;
    let chosen = web_common::q(&root, ".shell").get_attribute("data-theme").unwrap();
    assert_ne!(before, chosen);
    // Stored as JSON (gloo-storage's format): "dark" with its quotes.
    assert_eq!(storage.get_item(THEME_KEY).unwrap(), Some(format!("{chosen:?}")));
    // A new visit opens in the chosen theme.
    let again = web_common::mount().await;
    let reopened = web_common::q(&again, ".shell").get_attribute("data-theme").unwrap();
    storage.remove_item(THEME_KEY).unwrap();
    root.remove();
    again.remove();
    assert_eq!(reopened, chosen);
}

#[wasm_bindgen_test]
async fn the_address_follows_the_screen_and_back_undoes_a_change() {
    // Many quick changes (dragging the seek slider) are written as one, after a pause.
    let root = web_common::mount().await;
    for step in 1..=300 {
        web_common::seek(&root, step % 7).await;
    }
    web_common::seek(&root, 3).await;
    gloo_timers::future::TimeoutFuture::new(400).await;
    assert!(web_common::fragment().contains("step=3"), "{}", web_common::fragment());
    let root = web_common::mount().await;
    let history = web_sys::window().unwrap().history().unwrap();
    let entries = history.length().unwrap();
    web_common::click(&root, "[data-testid=preset-deadlock]").await;
    let after_pick = web_common::fragment();
    assert!(after_pick.contains("preset=deadlock"), "the address still says {after_pick:?}");
    assert_eq!(history.length().unwrap(), entries + 1, "picking a scenario is a history entry");
    // Stepping is not a change of scenario: the entry is replaced, not added.
    web_common::click(&root, "[data-testid=step]").await;
    // (Rewrites are spaced out: browsers throttle a page that makes too many.)
    gloo_timers::future::TimeoutFuture::new(400).await;
    assert!(web_common::fragment().contains("step=1"), "{}", web_common::fragment());
    assert_eq!(history.length().unwrap(), entries + 1);
    // The address reopens what is on screen.
    let pressed = |r: &web_sys::Element| web_common::q(r, ".preset[aria-pressed=true]").get_attribute("data-testid");
    let readout = |r: &web_sys::Element| web_common::q(r, "[data-testid=readout]").text_content();
    let shown = readout(&root);
    // Back undoes the change of scenario.
    history.back().unwrap();
    gloo_timers::future::TimeoutFuture::new(300).await;
    yew::scheduler::flush().await;
    assert_eq!(pressed(&root), Some("preset-reader-writer".to_string()), "Back did not undo the pick");
    history.forward().unwrap();
    gloo_timers::future::TimeoutFuture::new(300).await;
    yew::scheduler::flush().await;
    assert_eq!(pressed(&root), Some("preset-deadlock".to_string()), "Forward did not redo it");
    let reopened = web_common::mount_at(&web_common::fragment()).await;
    assert_eq!(pressed(&reopened), Some("preset-deadlock".to_string()));
    assert_eq!(readout(&reopened), shown);
    reopened.remove();
    root.remove();
}

#[wasm_bindgen_test]
async fn copy_puts_the_link_and_the_snippet_on_the_clipboard() {
    use wasm_bindgen::JsCast;
    // A stand-in clipboard that keeps what it is given (headless Chromium's real one
    // needs a permission and the focus).
    let copied = js_sys::Array::new();
    let fake = js_sys::Object::new();
    let keep = {
        let copied = copied.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(String) -> js_sys::Promise>::new(move |text: String| {
            copied.push(&text.into());
            js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED)
        })
    };
    js_sys::Reflect::set(&fake, &"writeText".into(), keep.as_ref()).unwrap();
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"value".into(), &fake).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
    let navigator = web_sys::window().unwrap().navigator();
    js_sys::Object::define_property(&navigator, &"clipboard".into(), &descriptor);

    let root = web_common::mount_at("#preset=deadlock").await;
    web_common::click(&root, "[data-testid=share-toggle]").await;
    web_common::click(&root, "[data-testid=copy-link]").await;
    gloo_timers::future::TimeoutFuture::new(10).await;
    yew::scheduler::flush().await;
    let link: web_sys::HtmlInputElement = web_common::q(&root, "[data-testid=share-link]").dyn_into().unwrap();
    assert_eq!(copied.get(0).as_string(), Some(link.value()));
    assert_eq!(web_common::q(&root, "[data-testid=share-status]").text_content().as_deref(), Some("Copied the link."));
    web_common::click(&root, "[data-testid=copy-snippet]").await;
    gloo_timers::future::TimeoutFuture::new(10).await;
    let snippet: web_sys::HtmlTextAreaElement = web_common::q(&root, "[data-testid=embed-snippet]").dyn_into().unwrap();
    assert_eq!(copied.get(1).as_string(), Some(snippet.value()));
    js_sys::Reflect::delete_property(&navigator, &"clipboard".into()).unwrap();
    drop(keep);
    root.remove();
}
