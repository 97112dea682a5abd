//! Drawing the timeline on its canvas: the mapping from the axis to pixels, and the
//! lanes, ticks and hand-over arrows (the playhead is an element, not drawn here).

use super::super::palette::{task_colour, task_mark, task_name};
use super::super::state::{Axis, RunRef};
use crate::trace::{Lane, Segment};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Height of the tick row above the lanes (CSS px).
const TOP: f64 = 18.0;

/// What one drawing depends on.
#[derive(Clone, PartialEq)]
pub(super) struct Input {
    pub(super) loaded: RunRef,
    pub(super) step: u32,
    pub(super) axis: Axis,
    pub(super) dark: bool,
    pub(super) zoom: u32,
    pub(super) max_height: f64,
}

/// Which of two lanes wins a pixel column shared by several tiny segments.
fn weight(l: Lane) -> u8 {
    match l {
        Lane::Stuck | Lane::Blocked => 9,
        Lane::Holding => 8,
        Lane::HoldingSleeping => 7,
        Lane::Waiting => 6,
        Lane::Watching => 5,
        Lane::Ready => 4,
        Lane::Sleeping => 3,
        Lane::Idle => 2,
        Lane::Done => 1,
    }
}

/// The mapping between the axis (ms or steps) and pixels.
#[derive(Clone, Copy)]
pub(super) struct Scale {
    from: f64,
    to: f64,
    x0: f64,
    width: f64,
}

impl Scale {
    fn x(&self, v: f64) -> f64 {
        self.x0 + (v - self.from) / (self.to - self.from).max(1e-9) * self.width
    }
    pub(super) fn value(&self, x: f64) -> f64 {
        self.from + (x - self.x0) / self.width.max(1.0) * (self.to - self.from)
    }
}

/// Where a segment lies on the axis. Each lane's final state (the segment that ends past
/// the last step) lasts to the axis's end, past the run, so that the state a run ends in
/// shows even when no time passes after it (a deadlock ends the run at the moment it forms).
fn span_of(s: &Segment, axis: Axis, run_steps: u32, end: f64) -> (f64, f64) {
    match axis {
        Axis::Time if s.end_step > run_steps => (s.start_time as f64, end),
        Axis::Time => (s.start_time as f64, s.end_time as f64),
        Axis::Steps => (s.start_step as f64, s.end_step as f64),
    }
}

/// The axis's length: the run and a little past it (one step; or 5 % of the time, at
/// least 1 ms), where each lane's final state shows.
pub(super) fn axis_end(run: &crate::trace::Run, axis: Axis) -> f64 {
    match axis {
        Axis::Time => run.duration() as f64 + (run.duration() as f64 / 20.0).max(1.0),
        Axis::Steps => run.steps() as f64 + 1.0,
    }
}

pub(super) struct Geometry {
    pub(super) scale: Scale,
    pub(super) lane_h: f64,
    pub(super) height: f64,
    pub(super) gutter: f64,
}

pub(super) fn geometry(props: &Input, css_width: f64) -> Geometry {
    let zoom = props.zoom as f64;
    let run = &props.loaded.run;
    let tasks = run.scenario.tasks.len().max(1) as f64;
    let lane_h = ((props.max_height - TOP) / tasks).clamp(2.0, 22.0);
    let height = TOP + lane_h * tasks + 4.0;
    let gutter = if css_width > 600.0 { 110.0 } else { 30.0 };
    let total = axis_end(run, props.axis).max(1.0);
    let span = total / zoom;
    let here = match props.axis {
        Axis::Time => run.time_at(props.step) as f64,
        Axis::Steps => props.step as f64,
    };
    let from = (here - span / 2.0).clamp(0.0, (total - span).max(0.0));
    let scale = Scale { from, to: from + span, x0: gutter, width: (css_width - gutter - 8.0).max(10.0) };
    Geometry { scale, lane_h, height, gutter }
}

/// Everything the canvas's drawing depends on. The playhead is not drawn on the canvas
/// (it is an element moved with `transform`), so at zoom 1 a frame of playback does not
/// touch the canvas at all; zoomed in, the window follows the playhead and `from` changes.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct DrawKey {
    run: usize,
    axis: Axis,
    zoom: u32,
    from: u64,
    width: u64,
    height: u64,
    dark: bool,
    ratio: u64,
}

/// Draws the lanes into `canvas` (`css_width` wide) unless what it shows is unchanged
/// since the drawing recorded in `drawn`.
pub(super) fn draw(
    canvas: &HtmlCanvasElement,
    props: &Input,
    css_width: f64,
    drawn: &RefCell<Option<DrawKey>>,
) -> Result<(), JsValue> {
    let g = geometry(props, css_width);
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let key = DrawKey {
        run: Rc::as_ptr(&props.loaded.0) as usize,
        axis: props.axis,
        zoom: props.zoom,
        from: g.scale.from.to_bits(),
        width: css_width.to_bits(),
        height: g.height.to_bits(),
        dark: props.dark,
        ratio: ratio.to_bits(),
    };
    if *drawn.borrow() == Some(key) {
        return Ok(());
    }
    let (w_px, h_px) = ((css_width * ratio) as u32, (g.height * ratio) as u32);
    // Setting a canvas's size clears it, even to the same size.
    if canvas.width() != w_px {
        canvas.set_width(w_px);
    }
    if canvas.height() != h_px {
        canvas.set_height(h_px);
    }
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d")?.ok_or("no 2d context")?.dyn_into()?;
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
    ctx.clear_rect(0.0, 0.0, f64::from(w_px), f64::from(h_px));
    ctx.scale(ratio, ratio)?;
    draw_lanes(&ctx, props, &g)?;
    *drawn.borrow_mut() = Some(key);
    Ok(())
}

/// Where the playhead stands (CSS px from the canvas's left edge).
pub(super) fn playhead_x(props: &Input, g: &Geometry) -> f64 {
    let here = match props.axis {
        Axis::Time => props.loaded.run.time_at(props.step) as f64,
        Axis::Steps => props.step as f64,
    };
    let s = g.scale;
    s.x(here).clamp(s.x0, s.x0 + s.width).round()
}

/// Ticks, lanes and hand-off arrows: everything but the playhead.
fn draw_lanes(ctx: &CanvasRenderingContext2d, props: &Input, g: &Geometry) -> Result<(), JsValue> {
    let dark = props.dark;
    let (fg, muted, line) = if dark { ("#e6e9ee", "#9aa4b2", "#333a44") } else { ("#1c1f24", "#5b6470", "#d9dde3") };
    let run = &props.loaded.run;
    let scenario = &run.scenario;
    let s = g.scale;
    let x_end = s.x0 + s.width;

    // Axis ticks.
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_fill_style_str(muted);
    ctx.set_stroke_style_str(line);
    ctx.set_line_width(1.0);
    let span = s.to - s.from;
    let raw = span / 6.0;
    let mag = 10f64.powf(raw.max(1e-9).log10().floor());
    let tick = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|t| *t >= raw).unwrap_or(10.0 * mag).max(1.0);
    let unit = if props.axis == Axis::Time { " ms" } else { "" };
    let mut v = (s.from / tick).ceil() * tick;
    while v <= s.to {
        let x = s.x(v).round() + 0.5;
        ctx.begin_path();
        ctx.move_to(x, TOP - 4.0);
        ctx.line_to(x, g.height);
        ctx.stroke();
        ctx.fill_text(&format!("{}{unit}", v as u64), x + 2.0, 11.0)?;
        v += tick;
    }

    // Lanes.
    for (t, lane) in props.loaded.lanes.iter().enumerate() {
        let y = TOP + t as f64 * g.lane_h;
        let h = (g.lane_h - if g.lane_h > 6.0 { 3.0 } else { 0.0 }).max(1.0);
        if g.lane_h >= 10.0 {
            let (bg, cfg) = task_colour(t as u32);
            ctx.set_fill_style_str(bg);
            ctx.fill_rect(2.0, y, 20.0, h);
            ctx.set_fill_style_str(cfg);
            ctx.fill_text(&task_mark(t as u32), 6.0, y + h - 4.0)?;
            if g.gutter > 40.0 {
                ctx.set_fill_style_str(fg);
                let mut name = task_name(scenario, t as u32);
                if name.chars().count() > 12 {
                    name = name.chars().take(11).collect::<String>() + "…";
                }
                ctx.fill_text(&name, 26.0, y + h - 4.0)?;
            }
        }
        // Skip the segments that end before the window (sorted by start; ends too).
        let (steps, end) = (props.loaded.run.steps(), axis_end(&props.loaded.run, props.axis));
        let first = lane.partition_point(|seg| span_of(seg, props.axis, steps, end).1 < s.from);
        let mut column: Option<(i64, Lane)> = None;
        let flush = |col: Option<(i64, Lane)>| {
            if let Some((px, l)) = col {
                ctx.set_fill_style_str(l.colour(dark));
                ctx.fill_rect(px as f64, y, 1.0, h);
            }
        };
        for seg in &lane[first..] {
            let (a, b) = span_of(seg, props.axis, steps, end);
            if a > s.to {
                break;
            }
            let (xa, xb) = (s.x(a).max(s.x0), s.x(b).min(x_end));
            if xb - xa >= 1.0 {
                flush(column.take());
                ctx.set_fill_style_str(seg.lane.colour(dark));
                ctx.fill_rect(xa, y, xb - xa, h);
            } else {
                let px = xa.floor() as i64;
                match column {
                    Some((c, l)) if c == px => {
                        if weight(seg.lane) > weight(l) {
                            column = Some((c, seg.lane));
                        }
                    }
                    other => {
                        flush(other);
                        column = Some((px, seg.lane));
                    }
                }
            }
        }
        flush(column);
    }

    // Hand-offs: an arrow from the lane that released to the lane that took the guard.
    let handoffs = run.handoffs();
    let key = |h: &crate::trace::Handoff| match props.axis {
        Axis::Time => h.time as f64,
        Axis::Steps => h.step as f64,
    };
    let first = handoffs.partition_point(|h| key(h) < s.from);
    let last = handoffs.partition_point(|h| key(h) <= s.to);
    let visible = &handoffs[first..last];
    let heads = visible.len() <= 300;
    ctx.set_stroke_style_str(if dark { "#f2f2f2" } else { "#1c1f24" });
    ctx.set_fill_style_str(if dark { "#f2f2f2" } else { "#1c1f24" });
    ctx.set_line_width(if heads { 1.5 } else { 0.6 });
    let stride = (visible.len() / 2000).max(1);
    for h in visible.iter().step_by(stride) {
        let x = s.x(key(h));
        let y0 = TOP + h.from as f64 * g.lane_h + g.lane_h / 2.0;
        let y1 = TOP + h.to as f64 * g.lane_h + g.lane_h / 2.0;
        ctx.begin_path();
        ctx.move_to(x, y0);
        ctx.line_to(x, y1);
        ctx.stroke();
        if heads && (y1 - y0).abs() > 6.0 {
            let dir = if y1 > y0 { -1.0 } else { 1.0 };
            ctx.begin_path();
            ctx.move_to(x, y1);
            ctx.line_to(x - 4.0, y1 + dir * 6.0);
            ctx.line_to(x + 4.0, y1 + dir * 6.0);
            ctx.close_path();
            ctx.fill();
        }
    }

    Ok(())
}
