//! The step at the playhead in a sentence, in a polite live region: a screen reader
//! says what just happened when a person steps or seeks, and every couple of seconds
//! while the run plays (every step at 64× would be noise). Paused, the page shows the
//! same sentence as a caption (what a lock handed over and then dropped did, say).

use super::state::RunRef;
use crate::trace::narrate;
use yew::prelude::*;

/// While playing, the live region changes at most this often (ms of wall time).
const PLAYING_EVERY_MS: f64 = 2_000.0;

/// What the narration reads.
#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    /// The run on screen.
    pub run: RunRef,
    /// The playhead.
    pub step: u32,
    /// Whether the run is playing (the sentence then changes only every 2 s, and no
    /// caption is shown).
    pub playing: bool,
    /// Whether to show the sentence as a caption while paused (not in the compact embed).
    pub caption: bool,
}

/// A visually hidden live region with the playhead's step in a sentence, and the same
/// sentence as a caption while paused (hidden from screen readers: the region says it).
#[function_component(Narration)]
pub fn narration(props: &NarrationProps) -> Html {
    // (the sentence on screen, the step it is of, the run it is of, when it was set)
    let said = use_mut_ref(|| (String::new(), u32::MAX, None::<RunRef>, f64::NEG_INFINITY));
    let now = js_sys::Date::now();
    let mut said = said.borrow_mut();
    let stale = said.1 != props.step || said.2.as_ref() != Some(&props.run);
    if stale && (!props.playing || now - said.3 >= PLAYING_EVERY_MS) {
        *said = (narrate(&props.run.run, props.step), props.step, Some(props.run.clone()), now);
    }
    html! {
        <>
            <p class="sr-only" aria-live="polite" aria-atomic="true" data-testid="narration">{ said.0.clone() }</p>
            if props.caption && !props.playing && props.step > 0 {
                <p class="step-caption" aria-hidden="true" data-testid="caption">{ said.0.clone() }</p>
            }
        </>
    }
}
