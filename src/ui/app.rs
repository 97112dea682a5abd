//! The app shell: header, scenario picker, controls, mutex panels, tasks, log, timeline,
//! insights and the editor, over one reducer. Playback is paced by the browser
//! (`requestAnimationFrame`); the keyboard drives the same actions as the buttons.

use super::editor::{Editor, ScenarioRef};
use super::log::Log;
use super::mutex_panel::{chip_motion, mutex_panel, use_chip_room};
use super::palette::{mutex_name, task_name};
use super::share::{self, ModelRef, SharePanel};
use super::state::{Action, Embed, Mode, Model, Theme, BASE_STEPS_PER_SECOND, SPEEDS};
use super::timeline::Timeline;
use super::views;
use crate::trace::{AlertKind, EndReason};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the viewer's own theme choice is remembered (this browser only).
pub const THEME_KEY: &str = "mutex-playground/theme";

/// The theme the viewer chose last time, else what their system prefers.
fn preferred_theme() -> Theme {
    let remembered = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten());
    match remembered.as_deref() {
        Some("dark") => return Theme::Dark,
        Some("light") => return Theme::Light,
        _ => {}
    }
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// The frame callback, shared with itself so it can re-register each frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Calls `frame(dt_ms)` on every animation frame until dropped.
struct FrameLoop {
    handle: Rc<RefCell<Option<i32>>>,
    _closure: FrameCallback,
}

impl FrameLoop {
    fn start(mut frame: impl FnMut(f64) + 'static) -> FrameLoop {
        let handle = Rc::new(RefCell::new(None));
        let closure: FrameCallback = Rc::new(RefCell::new(None));
        let (h, c) = (handle.clone(), closure.clone());
        let mut last: Option<f64> = None;
        *closure.borrow_mut() = Some(Closure::new(move |now: f64| {
            let dt = last.map_or(0.0, |l| (now - l).clamp(0.0, 100.0));
            last = Some(now);
            frame(dt);
            if let (Some(w), Some(cb)) = (web_sys::window(), c.borrow().as_ref()) {
                *h.borrow_mut() = w.request_animation_frame(cb.as_ref().unchecked_ref()).ok();
            }
        }));
        if let (Some(w), Some(cb)) = (web_sys::window(), closure.borrow().as_ref()) {
            *handle.borrow_mut() = w.request_animation_frame(cb.as_ref().unchecked_ref()).ok();
        }
        FrameLoop { handle, _closure: closure }
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let (Some(w), Some(id)) = (web_sys::window(), self.handle.borrow_mut().take()) {
            let _ = w.cancel_animation_frame(id);
        }
        // Break the closure's reference to itself.
        self._closure.borrow_mut().take();
    }
}

fn is_typing(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        let tag = el.tag_name().to_ascii_lowercase();
        matches!(tag.as_str(), "input" | "select" | "textarea") || el.has_attribute("contenteditable")
    })
}

#[function_component(App)]
pub fn app() -> Html {
    // The link's fragment picks the scenario, step, speed, scheduler and theme; a bad
    // link falls back to the default with a notice.
    let model = use_reducer(|| Model::from_fragment(&share::current_fragment(), preferred_theme()));
    let dispatcher = model.dispatcher();

    // Playback: advance the playhead by the speed × elapsed time, one render per frame.
    {
        let d = dispatcher.clone();
        use_effect_with((model.playing, model.speed), move |&(playing, speed)| {
            let running = playing.then(|| {
                let rate = BASE_STEPS_PER_SECOND * SPEEDS[speed] / 1000.0;
                let mut acc = 0.0f64;
                FrameLoop::start(move |dt| {
                    acc += dt * rate;
                    let n = acc.floor();
                    if n >= 1.0 {
                        acc -= n;
                        d.dispatch(Action::Advance(n as u32));
                    }
                })
            });
            move || drop(running)
        });
    }

    // A run too big for one frame is made a slice per frame, so the page keeps
    // answering input (and the person can cancel it).
    {
        let d = dispatcher.clone();
        use_effect_with(model.pending.is_some(), move |&pending| {
            let running = pending.then(|| FrameLoop::start(move |_| d.dispatch(Action::SimulateSlice)));
            move || drop(running)
        });
    }

    // A changed fragment (a link pasted into the address bar) opens what it describes.
    {
        let d = dispatcher.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window();
            let listener = Closure::<dyn Fn()>::new(move || d.dispatch(Action::OpenLink(share::current_fragment())));
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }

    // Keyboard: space, ←/→, Home/End, r, +/- (not while typing in a field).
    {
        let d = dispatcher.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() || is_typing(e.target()) {
                    return;
                }
                let on_button = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| el.tag_name().eq_ignore_ascii_case("button"));
                let action = match e.key().as_str() {
                    " " | "Spacebar" if !on_button => Some(Action::TogglePlay),
                    "k" => Some(Action::TogglePlay),
                    "ArrowRight" => Some(Action::StepForward),
                    "ArrowLeft" => Some(Action::StepBack),
                    "Home" => Some(Action::ToStart),
                    "End" => Some(Action::ToEnd),
                    "r" | "R" => Some(Action::Reset),
                    "+" | "=" => Some(Action::Faster),
                    "-" | "_" => Some(Action::Slower),
                    _ => None,
                };
                if let Some(a) = action {
                    e.prevent_default();
                    d.dispatch(a);
                }
            });
            if let Some(doc) = &document {
                let _ = doc.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(doc) = &document {
                    let _ = doc.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
                }
            }
        });
    }

    // Queue chips: as many as fit the panels, sliding at a pace the playback can show.
    let grid = use_node_ref();
    let mutex_count = model.loaded.as_ref().map_or(0, |l| l.run.scenario.mutexes.len());
    let room = use_chip_room(&grid, (model.loaded.is_some(), mutex_count));
    let motion =
        if model.playing { chip_motion(BASE_STEPS_PER_SECOND * SPEEDS[model.speed]) } else { chip_motion(0.0) };
    let jump = motion.is_none();

    let theme = match model.theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let toggle = {
        let d = dispatcher.clone();
        let next = if model.theme == Theme::Light { "dark" } else { "light" };
        Callback::from(move |_| {
            // Remembered for the next visit; a browser that refuses storage just forgets.
            if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                let _ = s.set_item(THEME_KEY, next);
            }
            d.dispatch(Action::ToggleTheme)
        })
    };
    let on_seek = {
        let d = dispatcher.clone();
        Callback::from(move |s: u32| d.dispatch(Action::Seek(s)))
    };
    let on_edit = {
        let d = dispatcher.clone();
        Callback::from(move |s| d.dispatch(Action::Edit(s)))
    };
    let toggle_share = {
        let d = dispatcher.clone();
        Callback::from(move |_| d.dispatch(Action::ToggleShare))
    };
    let dismiss = {
        let d = dispatcher.clone();
        Callback::from(move |_| d.dispatch(Action::Notice(None)))
    };
    let share_dispatch = {
        let d = dispatcher.clone();
        Callback::from(move |a: Action| d.dispatch(a))
    };
    // Only an embedded page shows it.
    let full_link = if model.embed.on { share::link_to(&model, Embed::default()) } else { String::new() };
    let toggle_editor = {
        let d = dispatcher.clone();
        Callback::from(move |_| d.dispatch(Action::ToggleEditor))
    };

    let body = match &model.loaded {
        None => html! {
            <section class="mutexes" aria-label="Mutexes">
                <h2>{ "Mutexes" }</h2>
                <p class="muted">{ "Pick a scenario to start." }</p>
                if let Some(e) = &model.error { <p class="error-banner" role="alert" data-testid="scenario-error">{ e.to_string() }</p> }
            </section>
        },
        Some(loaded) => {
            let snap = loaded.run.snapshot_at(model.step);
            let s = &loaded.run.scenario;
            // The deadlock cycle, drawn on the panels once the playhead reaches it.
            let deadlock_step =
                loaded.run.analysis().alerts.iter().find(|a| a.kind == AlertKind::Deadlock).map(|a| a.step);
            let cycle = match (&loaded.run.end, deadlock_step) {
                (EndReason::Deadlock { cycle }, Some(at)) if model.step >= at => cycle.clone(),
                (EndReason::Deadlock { cycle }, None) if model.step >= loaded.run.steps() => cycle.clone(),
                _ => Vec::new(),
            };
            let note_for = |m: u32| {
                let k = cycle.iter().position(|&(_, cm)| cm == m)?;
                let (waiter, _) = cycle[k];
                let holder = cycle[(k + 1) % cycle.len()].0;
                Some(format!(
                    "Deadlock: {} waits for {}, held by {}, who waits in turn.",
                    task_name(s, waiter),
                    mutex_name(s, m),
                    task_name(s, holder)
                ))
            };
            let stalled = snap.stalled.map(|(t, m, h)| {
                format!("The executor is stalled: {} blocked the only thread locking {}, which {} holds, so {} can never run to release it.",
                    task_name(s, t), mutex_name(s, m), task_name(s, h), task_name(s, h))
            });
            html! {
                <>
                    { views::scheduler(&model, loaded, &dispatcher) }
                    <section class="mutexes" aria-label="Mutexes">
                        <h2>{ if s.mutexes.len() == 1 { "Mutex" } else { "Mutexes" } }</h2>
                        if let Some(text) = stalled {
                            <p class="stall-banner" role="alert" data-testid="stall-banner">{ text }</p>
                        }
                        if !cycle.is_empty() {
                            <p class="cycle-strip" role="alert" data-testid="cycle-strip">
                                <strong>{ "Deadlock cycle: " }</strong>
                                { for cycle.iter().map(|&(t, m)| html! {
                                    <>{ super::palette::chip(s, t, "") }{ format!(" {} → waits for ", task_name(s, t)) }<code>{ mutex_name(s, m) }</code>{ " → held by " }</>
                                }) }
                                { cycle.first().map(|&(t, _)| html! { <>{ super::palette::chip(s, t, "") }{ format!(" {}", task_name(s, t)) }</> }).unwrap_or_default() }
                            </p>
                        }
                        <div class="mutex-grid" ref={grid.clone()}>
                            { for (0..s.mutexes.len() as u32).map(|m| mutex_panel(loaded, &snap, m, note_for(m), room, jump)) }
                        </div>
                    </section>
                    <div class="pair">
                        { views::tasks(loaded, &snap) }
                        <Log loaded={loaded.clone()} step={model.step} on_seek={on_seek.clone()} />
                    </div>
                    <Timeline loaded={loaded.clone()} step={model.step} axis={model.axis} dark={model.theme == Theme::Dark} on_seek={on_seek.clone()}
                              max_height={if model.embed.on { 84.0 } else { 360.0 }} />
                    <div class="axis-row">{ views::axis_toggle(&model, &dispatcher) }</div>
                    { views::insights(&model, loaded, &dispatcher) }
                </>
            }
        }
    };

    html! {
        <div class="shell" data-theme={theme} data-embed={model.embed.on.to_string()} data-mode={if model.mode == Mode::Scheduler { "scheduler" } else { "watch" }}
             data-motion={if jump { "jump" } else { "slide" }} style={motion.map(|ms| format!("--move:{ms}ms")).unwrap_or_default()}>
            <header class="top">
                <h1 id="app-title">{ "Mutex Playground" }</h1>
                if model.embed.on {
                    <a class="open-full" href={full_link} target="_blank" rel="noopener" data-testid="open-full">{ "Open in the full playground ↗" }</a>
                } else {
                    <p class="tagline">{ "Watch tasks queue for a FIFO-fair async Mutex and the guard pass from one to the next." }</p>
                    <button class="share-toggle" aria-expanded={model.share_open.to_string()} aria-label="Share, save and export" data-testid="share-toggle" onclick={toggle_share}>
                        { if model.share_open { "Close share" } else { "Share / save" } }
                    </button>
                    <button class="theme-toggle" aria-label="Toggle light and dark theme" onclick={toggle}>
                        { if model.theme == Theme::Light { "☾ Dark" } else { "☀ Light" } }
                    </button>
                }
                // Messages sit under the title, where the eye is, not after the page.
                if let Some(text) = &model.notice {
                    <p class="notice" role="alert" data-testid="notice">
                        { text.clone() }
                        <button aria-label="Dismiss this message" onclick={dismiss}>{ "×" }</button>
                    </p>
                }
                if let Some(p) = &model.pending {
                    <p class="notice progress" role="status" data-testid="simulating">
                        <span>
                            { format!("Simulating \"{}\": {} steps, {} events so far", model.scenario.name, p.progress.steps, p.progress.events) }
                            <progress max="1" value={format!("{:.3}", p.progress.fraction())} aria-label="How far the simulation has got, at least"></progress>
                        </span>
                        <button data-testid="cancel-simulation" onclick={{
                            let d = dispatcher.clone();
                            Callback::from(move |_| d.dispatch(Action::CancelSimulation))
                        }}>{ "Cancel" }</button>
                    </p>
                }
            </header>
            <aside class="side">
                { views::picker(&model, &dispatcher) }
                { views::explanation(&model) }
            </aside>
            <main class="main">
                { views::controls(&model, &dispatcher) }
                if model.share_open && !model.embed.on {
                    <SharePanel model={ModelRef(Rc::new((*model).clone()))} dispatch={share_dispatch} />
                }
                if let Some(e) = &model.error {
                    if !model.editor_open {
                        <p class="error-banner" role="alert">{ format!("The edited scenario cannot run: {e}. Showing the last good run.") }</p>
                    }
                }
                { body }
                <section class="editor-wrap" aria-label="Edit the scenario">
                    <button class="editor-toggle" aria-expanded={model.editor_open.to_string()} data-testid="editor-toggle" onclick={toggle_editor}>
                        { if model.editor_open { "▾ Hide the scenario editor" } else { "▸ Edit this scenario" } }
                    </button>
                    if model.editor_open {
                        <Editor scenario={ScenarioRef(model.scenario.clone())} error={model.error.clone()} {on_edit} />
                    }
                </section>
            </main>
        </div>
    }
}
