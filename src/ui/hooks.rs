//! The app's connections to the browser, as hooks: the playback clock and the simulation
//! slices (animation frames, from `gloo-render`), a pasted link and the keyboard (event
//! listeners, from `gloo-events`), and what the browser remembers: the theme and a
//! lesson's progress (local storage through `ui/storage.rs`, which survives a browser that
//! blocks it). Each one cleans up after itself when its component goes.

use super::share::{self, LinkParts};
use super::state::{Action, Embed, Theme, BASE_STEPS_PER_SECOND, SPEEDS};
use gloo_events::EventListener;
use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// Keeps the learner's place and answers in the open lesson (under its storage key), in
/// this browser, whenever they change (a browser that refuses storage just forgets).
#[hook]
pub fn use_lesson_progress(lesson: Option<(String, crate::lesson::Tour)>) {
    use_effect_with(lesson, |lesson| {
        if let Some((key, tour)) = lesson {
            let _ = super::storage::set(key, tour);
        }
    });
}

/// Where the viewer's own theme choice is remembered (this browser only).
pub const THEME_KEY: &str = "mutex-playground/theme";

/// The theme the viewer chose last time, else what their system prefers.
pub fn preferred_theme() -> Theme {
    if let Some(theme) = super::storage::get::<Theme>(THEME_KEY) {
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
    let _ = super::storage::set(THEME_KEY, &theme);
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

/// While `running`, dispatches `action()` every animation frame: a slice of a run too
/// big for one frame (`Action::SimulateSlice`), or of the explorer's search
/// (`Action::ExploreSlice`), so the page keeps answering input and can stop either.
#[hook]
pub fn use_slices(running: bool, dispatch: Callback<Action>, action: fn() -> Action) {
    use_effect_with(running, move |&running| {
        let looping = running.then(|| FrameLoop::start(move |_| dispatch.emit(action())));
        move || drop(looping)
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

/// The address is rewritten at most this often (ms), and while playing at most once a
/// second: browsers throttle a page that rewrites it more (Chromium silently ignores
/// calls past about 200 in 10 s), and dragging the seek slider moves the step at every
/// pointer event. A change in between is written when the interval is up.
const ADDRESS_EVERY_MS: f64 = 250.0;
const ADDRESS_PLAYING_EVERY_MS: f64 = 1000.0;

/// What the address bar was last set to, and a rewrite waiting for its turn.
#[derive(Default)]
struct Address {
    fragment: String,
    changes: u32,
    at: f64,
    /// The rewrite waiting for its turn: what it will write, and when (ms) its timer fires.
    next: Option<(String, u32, f64)>,
    timer: Option<gloo_timers::callback::Timeout>,
}

impl Address {
    /// The address as written at `at`, nothing waiting.
    fn written(fragment: String, changes: u32, at: f64) -> Address {
        Address { fragment, changes, at, next: None, timer: None }
    }

    /// Replaces the current history entry's fragment (without a `hashchange`).
    fn replace(&mut self, fragment: String, changes: u32) {
        if gloo_utils::history().replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}"))).is_ok() {
            *self = Address::written(fragment, changes, js_sys::Date::now());
        }
    }

    /// Forgets the rewrite waiting, if any.
    fn cancel(&mut self) {
        self.next = None;
        self.timer = None;
    }
}

/// Keeps the address bar's fragment in step with the screen, so that reloading, Back and
/// copying the URL all reopen what is on screen. A change of scenario (`changes` went up)
/// is a new history entry, so Back undoes it; anything else (the step, the speed, the
/// scheduler) replaces the current entry, no more often than the browser allows (see
/// [`ADDRESS_EVERY_MS`]). An embedded page never adds history entries (they would become
/// the course page's Back). While playing, each frame only updates what the one waiting
/// rewrite will write: no timer is made per frame.
#[hook]
pub fn use_address(link: LinkParts, embed: Embed, changes: u32, playing: bool) {
    let last = use_mut_ref(|| None::<Address>);
    {
        // A rewrite still waiting when the page goes must not happen after it.
        let last = last.clone();
        use_effect_with((), move |_| move || last.borrow_mut().as_mut().map_or((), Address::cancel));
    }
    use_effect(move || {
        let fragment = link.fragment(embed);
        let now = js_sys::Date::now();
        let mut slot = last.borrow_mut();
        let Some(was) = slot.as_mut() else {
            // The page as opened: its address is what the person typed or followed.
            *slot = Some(Address::written(fragment, changes, now));
            return;
        };
        if was.fragment == fragment {
            was.cancel();
            return;
        }
        if changes != was.changes && !embed.on {
            let url = format!("#{fragment}");
            if gloo_utils::history().push_state_with_url(&JsValue::NULL, "", Some(&url)).is_ok() {
                *was = Address::written(fragment, changes, now);
            }
            return;
        }
        let every = if playing { ADDRESS_PLAYING_EVERY_MS } else { ADDRESS_EVERY_MS };
        let due = was.at + every;
        if due <= now {
            was.replace(fragment, changes);
            return;
        }
        // A timer already due by then will write this instead; otherwise one is set.
        let fires = match &was.next {
            Some((_, _, fires)) if *fires <= due && was.timer.is_some() => *fires,
            _ => {
                let last = last.clone();
                was.timer = Some(gloo_timers::callback::Timeout::new((due - now).ceil() as u32, move || {
                    if let Some(was) = last.borrow_mut().as_mut() {
                        if let Some((fragment, changes, _)) = was.next.take() {
                            was.replace(fragment, changes);
                        }
                    }
                }));
                due
            }
        };
        was.next = Some((fragment, changes, fires));
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
        // A lesson's question: the first eight choices (nothing happens without one).
        "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" => Action::Answer(usize::from(key.as_bytes()[0] - b'1')),
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
            // Space presses a focused button, except the open scenario's own button: right
            // after picking a scenario with Enter, Space plays it (pressing it again would
            // only open it again).
            let on_button = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                el.tag_name().eq_ignore_ascii_case("button")
                    && !(el.get_attribute("class").is_some_and(|c| c.split_whitespace().any(|c| c == "preset"))
                        && el.get_attribute("aria-pressed").as_deref() == Some("true"))
            });
            if let Some(action) = key_action(&e.key(), on_button) {
                e.prevent_default();
                dispatch.emit(action);
            }
        });
        move || drop(listener)
    });
}
