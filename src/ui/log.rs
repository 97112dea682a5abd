//! The transcript, windowed (only the rows in view exist), with the line at the playhead
//! highlighted and kept in view. Clicking a line seeks to its step.

use super::palette::{task_colour, task_mark};
use super::state::RunRef;
use wasm_bindgen::JsCast;
use yew::prelude::*;

const ROW: f64 = 22.0;
const HEIGHT: f64 = 264.0;
const OVERSCAN: usize = 8;

#[derive(Properties, PartialEq)]
pub struct LogProps {
    pub loaded: RunRef,
    pub step: u32,
    pub on_seek: Callback<u32>,
}

#[function_component(Log)]
pub fn log(props: &LogProps) -> Html {
    let scroll = use_state(|| 0.0f64);
    let node = use_node_ref();
    let lines = &props.loaded.transcript;
    let current = props.loaded.line_at(props.step);

    // Keep the playhead's line in view (only when it would be outside). The scroll offset
    // is the one `onscroll` last reported and the view is `HEIGHT` tall, so playback never
    // reads the layout back in the middle of a frame.
    {
        let node = node.clone();
        let view_top = *scroll;
        use_effect_with((props.loaded.clone(), current), move |(_, current)| {
            if let (Some(i), Some(el)) = (*current, node.cast::<web_sys::Element>()) {
                let top = i as f64 * ROW;
                if top < view_top || top + ROW > view_top + HEIGHT {
                    el.set_scroll_top((top - HEIGHT / 2.0).max(0.0) as i32);
                }
            }
        });
    }
    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                scroll.set(el.scroll_top() as f64);
            }
        })
    };
    let first = ((*scroll / ROW) as usize).saturating_sub(OVERSCAN);
    let last = (((*scroll + HEIGHT) / ROW) as usize + OVERSCAN).min(lines.len());
    let first = first.min(last);
    let total = lines.len() as f64 * ROW;
    html! {
        <section class="log" aria-label="Transcript">
            <h2>{ "Log" }<span class="count">{ format!("{} lines", lines.len()) }</span></h2>
            <div class="log-view" ref={node} onscroll={onscroll} tabindex="0" data-testid="log"
                 role="log" aria-label="Printed lines; the highlighted one is at the playhead">
                if lines.is_empty() {
                    <p class="muted">{ "This scenario prints nothing." }</p>
                }
                <div class="log-space" style={format!("height:{total}px")}>
                    { for (first..last).map(|i| {
                        let l = &lines[i];
                        let (bg, fg) = task_colour(l.task);
                        let here = current == Some(i);
                        let future = l.step > props.step;
                        let step = l.step;
                        let on_seek = props.on_seek.clone();
                        html! {
                            <div key={i}
                                 class={classes!("log-line", here.then_some("current"), future.then_some("future"))}
                                 style={format!("top:{}px", i as f64 * ROW)}
                                 data-testid={if here { "log-current" } else { "log-line" }}
                                 aria-current={here.then_some("step")} aria-hidden={future.then_some("true")}
                                 onclick={Callback::from(move |_| on_seek.emit(step))}>
                                <span class="gutter">{ format!("{:>5}", l.step) }</span>
                                <span class="mini-chip" style={format!("background:{bg};color:{fg}")}>
                                    { task_mark(l.task) }
                                </span>
                                <span class="text">{ l.text.clone() }</span>
                            </div>
                        }
                    }) }
                </div>
            </div>
        </section>
    }
}
