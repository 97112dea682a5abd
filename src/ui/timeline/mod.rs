//! The timeline: a lane per task, coloured by state over virtual time (or steps), arrows
//! where the guard passes between lanes, and the playhead. Drawn on a canvas, windowed
//! (only what is visible) and aggregated (at most one rectangle per pixel column per
//! lane), so a 100,000-event run draws as fast as a small one. Click or drag to seek.

//!
//! This module is the component (sizes, pointer and keys, the legend); `draw` is the
//! canvas drawing.

mod draw;

use super::measure::use_width;
use super::state::{Axis, RunRef};
use crate::trace::Lane;
use draw::{draw, geometry, playhead_x, DrawKey, Input};
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// The tallest the timeline gets (CSS px); lanes are squeezed to fit.
const MAX_HEIGHT: f64 = 360.0;
/// The canvas is never drawn narrower than this (CSS px).
const MIN_WIDTH: f64 = 200.0;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub loaded: RunRef,
    pub step: u32,
    pub axis: Axis,
    pub dark: bool,
    pub on_seek: Callback<u32>,
    /// Embed mode: at most this tall (CSS px), lanes squeezed to fit.
    #[prop_or(MAX_HEIGHT)]
    pub max_height: f64,
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let canvas = use_node_ref();
    let wrap = use_node_ref();
    let zoom = use_state(|| 1u32);
    let dragging = use_mut_ref(|| false);
    let drawn = use_mut_ref(|| None::<DrawKey>);
    // The canvas is as wide as its wrapper; not drawn until that has been measured.
    let measured = f64::from(use_width(&wrap, None, ()));
    let css_width = measured.max(MIN_WIDTH);
    let input = Input {
        loaded: props.loaded.clone(),
        step: props.step,
        axis: props.axis,
        dark: props.dark,
        zoom: *zoom,
        max_height: props.max_height,
    };
    let g = geometry(&input, css_width);

    // Redraw when anything drawn changes (cheap: windowed and aggregated, and skipped when
    // only the playhead moved).
    {
        let canvas = canvas.clone();
        let drawn = drawn.clone();
        use_effect_with((input.clone(), measured), move |(input, measured)| {
            if let (Some(c), true) = (canvas.cast::<HtmlCanvasElement>(), *measured > 0.0) {
                if let Err(e) = draw(&c, input, measured.max(MIN_WIDTH), &drawn) {
                    web_sys::console::warn_1(&e);
                }
            }
        });
    }
    let seek_at = {
        let canvas = canvas.clone();
        let input = input.clone();
        let on_seek = props.on_seek.clone();
        move |client_x: i32| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let rect = c.get_bounding_client_rect();
            let g = geometry(&input, rect.width());
            let v = g.scale.value(client_x as f64 - rect.left()).max(0.0);
            let target = match input.axis {
                Axis::Time => input.loaded.step_at_time(v),
                Axis::Steps => v.round() as u32,
            };
            on_seek.emit(target.min(input.loaded.run.steps()));
        }
    };
    let onpointerdown = {
        let seek_at = seek_at.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            *dragging.borrow_mut() = true;
            if let Some(t) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                let _ = t.set_pointer_capture(e.pointer_id());
            }
            seek_at(e.client_x());
        })
    };
    let onpointermove = {
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            if *dragging.borrow() {
                seek_at(e.client_x());
            }
        })
    };
    let onpointerup = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| *dragging.borrow_mut() = false)
    };
    let zoom_in = {
        let zoom = zoom.clone();
        Callback::from(move |_| zoom.set((*zoom * 2).min(4096)))
    };
    let zoom_out = {
        let zoom = zoom.clone();
        Callback::from(move |_| zoom.set((*zoom / 2).max(1)))
    };
    let onkeydown = {
        let on_seek = props.on_seek.clone();
        let step = props.step;
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Home" => {
                e.prevent_default();
                on_seek.emit(0)
            }
            "End" => {
                e.prevent_default();
                on_seek.emit(u32::MAX)
            }
            "PageUp" => {
                e.prevent_default();
                on_seek.emit(step.saturating_sub(50))
            }
            "PageDown" => {
                e.prevent_default();
                on_seek.emit(step.saturating_add(50))
            }
            _ => {}
        })
    };
    html! {
        <section class="timeline" aria-label="Timeline">
            <div class="timeline-head">
                <h2>{ "Timeline" }</h2>
                <div class="zoom" role="group" aria-label="Zoom">
                    <button aria-label="Zoom out" onclick={zoom_out} disabled={*zoom <= 1}>{ "−" }</button>
                    <span class="zoom-level">{ format!("{}×", *zoom) }</span>
                    <button aria-label="Zoom in around the playhead" onclick={zoom_in}>{ "+" }</button>
                </div>
            </div>
            <div class="canvas-wrap" ref={wrap}>
                <canvas ref={canvas} data-testid="timeline" tabindex="0" role="img"
                        style={format!("width:{css_width}px;height:{}px", g.height)}
                        aria-label={format!(
                            "Timeline of {} tasks; click or drag to seek; \
                             Home, End, Page Up and Page Down move the playhead",
                            props.loaded.lanes.len()
                        )}
                        {onpointerdown} {onpointermove} onpointerup={onpointerup.clone()} onpointercancel={onpointerup}
                        {onkeydown} />
                if measured > 0.0 {
                    <div class="playhead" data-testid="playhead" aria-hidden="true"
                         style={format!(
                             "transform:translateX({}px);height:{}px",
                             playhead_x(&input, &g),
                             g.height - 2.0
                         )}></div>
                }
            </div>
            <ul class="legend" aria-label="Legend">
                { for Lane::LEGEND.iter().map(|&l| html! {
                    <li>
                        <span class="swatch" style={format!("background:{}", l.colour(props.dark))}></span>
                        { l.describe() }
                    </li>
                }) }
                <li><span class="swatch arrow" aria-hidden="true">{ "↕" }</span>{ "guard handed over" }</li>
            </ul>
        </section>
    }
}
