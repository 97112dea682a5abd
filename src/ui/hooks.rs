//! The app's connections to the browser, as hooks: the playback clock and the simulation
//! slices (animation frames, from `gloo-render`), a pasted link and the keyboard (event
//! listeners, from `gloo-events`), and the remembered theme (local storage, from
//! `gloo-storage`). Each one cleans up after itself when its component goes.

use super::share::{self, LinkParts};
use super::state::{Action, Embed, Theme, BASE_STEPS_PER_SECOND, SPEEDS};
use gloo_events::EventListener;
use gloo_render::{request_animation_frame, AnimationFrame};
use gloo_storage::{LocalStorage, Storage};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// Where the viewer's own theme choice is remembered (this browser only).
pub const THEME_KEY: &str = "mutex-playground/theme";

/// The theme the viewer chose last time, else what their system prefers.
pub fn preferred_theme() -> Theme {
    if let Ok(theme) = LocalStorage::get::<Theme>(THEME_KEY) {
        return theme;
    }
    let dark =
        gloo_utils::window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches());
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// Remembers `theme` for the next visit; a browser that refuses storage just forgets.
pub fn remember_theme(theme: Theme) {
    let _ = LocalStorage::set(THEME_KEY, theme);
}

/// The pending frame of a [`FrameLoop`]: dropping it cancels the frame.
type Slot = RefCell<Option<AnimationFrame>>;

/// Calls a function on every animation frame with the milliseconds since the previous
/// one (0 on the first, at most 100 after a pause such as a background tab), until it is
/// dropped.
#[derive(Debug)]
pub struct FrameLoop {
    _next: Rc<Slot>,
}

impl FrameLoop {
    /// Starts calling `frame(dt_ms)` from the next animation frame on.
    pub fn start(frame: impl FnMut(f64) + 'static) -> FrameLoop {
        let next = Rc::new(Slot::default());
        schedule(Rc::downgrade(&next), Rc::new(RefCell::new(frame)), None);
        FrameLoop { _next: next }
    }
}

/// Asks for the next frame, unless the loop has been dropped.
fn schedule(slot: Weak<Slot>, frame: Rc<RefCell<dyn FnMut(f64)>>, last: Option<f64>) {
    let Some(strong) = slot.upgrade() else { return };
    let handle = request_animation_frame(move |now| {
        let dt = last.map_or(0.0, |l| (now - l).clamp(0.0, 100.0));
        (frame.borrow_mut())(dt);
        // The frame may have ended the loop (a re-render dropped it): then this stops.
        schedule(slot, frame, Some(now));
    });
    *strong.borrow_mut() = Some(handle);
}

/// Playback: while `playing`, advances the playhead by the speed × elapsed time (whole
/// steps; the fraction carries over), one dispatch per frame at most.
#[hook]
pub fn use_playback(playing: bool, speed: usize, dispatch: Callback<Action>) {
    use_effect_with((playing, speed), move |&(playing, speed)| {
        let running = playing.then(|| {
            let rate = BASE_STEPS_PER_SECOND * SPEEDS[speed] / 1000.0;
            let mut due = 0.0f64;
            FrameLoop::start(move |dt| {
                due += dt * rate;
                let whole = due.floor();
                if whole >= 1.0 {
                    due -= whole;
                    dispatch.emit(Action::Advance(whole as u32));
                }
            })
        });
        move || drop(running)
    });
}

/// While a run too big for one frame is being made, asks for a slice of it every frame,
/// so the page keeps answering input (and the person can cancel it).
#[hook]
pub fn use_simulation_slices(pending: bool, dispatch: Callback<Action>) {
    use_effect_with(pending, move |&pending| {
        let running = pending.then(|| FrameLoop::start(move |_| dispatch.emit(Action::SimulateSlice)));
        move || drop(running)
    });
}

/// A changed fragment (a link pasted into the address bar, or Back and Forward through
/// the page's history) opens what it describes. (Both events may come for one change: the
/// second finds the page already showing it and changes nothing.)
#[hook]
pub fn use_link_changes(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let window = gloo_utils::window();
        let listeners = ["hashchange", "popstate"].map(|event| {
            let dispatch = dispatch.clone();
            EventListener::new(&window, event, move |_| dispatch.emit(Action::OpenLink(share::current_fragment())))
        });
        move || drop(listeners)
    });
}

/// While playing, the address is rewritten at most this often (ms): browsers throttle a
/// page that rewrites it every frame.
const ADDRESS_EVERY_MS: f64 = 1000.0;

/// What the address bar was last set to.
#[derive(Default)]
struct Address {
    fragment: String,
    changes: u32,
    at: f64,
}

/// Keeps the address bar's fragment in step with the screen, so that reloading, Back and
/// copying the URL all reopen what is on screen. A change of scenario (`changes` went up)
/// is a new history entry, so Back undoes it; anything else (the step, the speed, the
/// scheduler) replaces the current entry, at most once a second while playing. An
/// embedded page never adds history entries (they would be the course page's Back).
#[hook]
pub fn use_address(link: LinkParts, embed: Embed, changes: u32, playing: bool) {
    let last = use_mut_ref(|| None::<Address>);
    use_effect(move || {
        let fragment = link.fragment(embed);
        let now = js_sys::Date::now();
        let mut last = last.borrow_mut();
        let Some(was) = last.as_mut() else {
            // The page as opened: its address is what the person typed or followed.
            *last = Some(Address { fragment, changes, at: now });
            return;
        };
        if was.fragment == fragment || (playing && changes == was.changes && now - was.at < ADDRESS_EVERY_MS) {
            return;
        }
        let url = format!("#{fragment}");
        let history = gloo_utils::history();
        let written = if changes != was.changes && !embed.on {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
        // A browser that refuses (throttled) keeps the old address; the next change tries again.
        if written.is_ok() {
            *was = Address { fragment, changes, at: now };
        }
    });
}

/// Whether a key goes to a form field rather than to the page.
fn is_typing(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        let tag = el.tag_name().to_ascii_lowercase();
        matches!(tag.as_str(), "input" | "select" | "textarea") || el.has_attribute("contenteditable")
    })
}

/// The action a key press asks for, if any. Space on a button presses the button instead.
fn key_action(key: &str, on_button: bool) -> Option<Action> {
    Some(match key {
        " " | "Spacebar" if !on_button => Action::TogglePlay,
        "k" => Action::TogglePlay,
        "ArrowRight" => Action::StepForward,
        "ArrowLeft" => Action::StepBack,
        "Home" => Action::ToStart,
        "End" => Action::ToEnd,
        "r" | "R" => Action::Reset,
        "+" | "=" => Action::Faster,
        "-" | "_" => Action::Slower,
        _ => return None,
    })
}

/// Keyboard: space or k, ←/→, Home/End, r, +/- drive the same actions as the buttons
/// (not while typing in a field, and not with Ctrl, Alt or ⌘, which belong to the browser).
#[hook]
pub fn use_keyboard(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let listener = EventListener::new(&gloo_utils::document(), "keydown", move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            if e.ctrl_key() || e.meta_key() || e.alt_key() || is_typing(e.target()) {
                return;
            }
            let on_button = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| el.tag_name().eq_ignore_ascii_case("button"));
            if let Some(action) = key_action(&e.key(), on_button) {
                e.prevent_default();
                dispatch.emit(action);
            }
        });
        move || drop(listener)
    });
}
