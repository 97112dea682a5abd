//! The transcript, windowed (only the rows in view exist), with the line at the playhead
//! highlighted and kept in view. Clicking a line seeks to its step.

use super::measure::use_window;
use super::palette::{task_colour, task_mark};
use super::state::RunRef;
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
    let node = use_node_ref();
    let lines = &props.loaded.transcript;
    let current = props.loaded.line_at(props.step);
    // Only the rows in view are drawn, and the playhead's line is kept in view.
    let (rows, onscroll) = use_window(&node, lines.len(), (ROW, HEIGHT, OVERSCAN), current, props.loaded.clone());
    let (first, last) = (rows.start, rows.end);
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
