//! Exports of a run: Chrome Trace Event JSON (opens in Perfetto and `chrome://tracing`),
//! the transcript as text, and the timeline as SVG.
//!
//! The [Trace Event Format] is a JSON object `{"traceEvents": [...]}`. We use:
//! * `M` metadata events naming the process and one thread ("track") per task;
//! * `X` complete events (`ts` + `dur`, in microseconds) for waiting and holding slices;
//! * `s`/`f` flow events, bound to the enclosing slices, for hand-overs between tasks;
//! * `i` instant events for alerts (deadlock, lost wake-up, stall).
//!
//! Virtual milliseconds are exported as microseconds × 1000, so Perfetto shows the same
//! times as the playground.
//!
//! The builder writes JSON text as it goes (no tree of values per event), and stops
//! adding slices once the document reaches [`MAX_EXPORT_BYTES`]: it then ends with a
//! metadata event saying how many were left out, so the file is always valid.
//!
//! # Examples
//!
//! ```
//! use mutex_playground::share::export::ChromeTrace;
//!
//! let mut trace = ChromeTrace::new("reader-writer");
//! trace.track(0, "reader");
//! trace.track(1, "writer");
//! trace.slice(0, "hold db", "hold", 0, 1000);
//! trace.slice(1, "wait db", "wait", 0, 1000);
//! trace.flow(7, 0, 1000, 1, 1000, "db");
//! assert_eq!(trace.len(), 1 + 4 + 2 + 2); // process name, 2 × (name, sort index), 2 slices, a flow
//! let json: serde_json::Value = serde_json::from_str(&trace.to_json()).unwrap();
//! assert_eq!(json["traceEvents"].as_array().unwrap().len(), 9);
//! ```
//!
//! [Trace Event Format]: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU

use std::fmt::Write as _;

/// The largest export the page offers as one file, in bytes. Exports that would be
/// larger stop adding detail there and say so inside the file.
pub const MAX_EXPORT_BYTES: usize = 48 * 1024 * 1024;

/// Process id used for every event: one run is one "process" in the viewer.
const PID: u32 = 1;

/// Builds a Chrome Trace Event document, as JSON text.
#[derive(Debug, Clone)]
pub struct ChromeTrace {
    /// The events so far, each a JSON object, separated by commas.
    body: String,
    count: usize,
    /// Events left out because the document reached [`MAX_EXPORT_BYTES`].
    dropped: usize,
    limit: usize,
}

/// `s` as a JSON string literal.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

impl ChromeTrace {
    /// A trace whose process is labelled `name` (the scenario's name).
    pub fn new(name: &str) -> ChromeTrace {
        ChromeTrace::with_limit(name, MAX_EXPORT_BYTES)
    }

    /// Like [`new`](Self::new), stopping at `limit` bytes instead of [`MAX_EXPORT_BYTES`].
    pub fn with_limit(name: &str, limit: usize) -> ChromeTrace {
        let mut t = ChromeTrace { body: String::new(), count: 0, dropped: 0, limit };
        t.push(format_args!(
            r#"{{"name":"process_name","ph":"M","pid":{PID},"tid":0,"args":{{"name":{}}}}}"#,
            quoted(name)
        ));
        t
    }

    /// Appends one event (a JSON object), unless the document is full.
    fn push(&mut self, event: std::fmt::Arguments<'_>) {
        if self.body.len() >= self.limit {
            self.dropped += 1;
            return;
        }
        if self.count > 0 {
            self.body.push(',');
        }
        let _ = self.body.write_fmt(event);
        self.count += 1;
    }

    /// Names track `tid` (one per task) and keeps tracks in task order.
    pub fn track(&mut self, tid: u32, name: &str) {
        self.push(format_args!(
            r#"{{"name":"thread_name","ph":"M","pid":{PID},"tid":{tid},"args":{{"name":{}}}}}"#,
            quoted(name)
        ));
        self.push(format_args!(
            r#"{{"name":"thread_sort_index","ph":"M","pid":{PID},"tid":{tid},"args":{{"sort_index":{tid}}}}}"#
        ));
    }

    /// A slice on track `tid` from `start_ms` to `end_ms` (virtual milliseconds).
    pub fn slice(&mut self, tid: u32, name: &str, category: &str, start_ms: u64, end_ms: u64) {
        let (ts, dur) = (us(start_ms), us(end_ms.saturating_sub(start_ms)));
        self.push(format_args!(
            r#"{{"name":{},"cat":{},"ph":"X","pid":{PID},"tid":{tid},"ts":{ts},"dur":{dur}}}"#,
            quoted(name),
            quoted(category)
        ));
    }

    /// A flow arrow `id` from track `from` at `from_ms` to track `to` at `to_ms`
    /// (a hand-over of the lock named `name`).
    pub fn flow(&mut self, id: u64, from: u32, from_ms: u64, to: u32, to_ms: u64, name: &str) {
        if self.body.len() >= self.limit {
            self.dropped += 2; // both ends or neither: a lone end would not pair up
            return;
        }
        let name = quoted(name);
        self.push(format_args!(
            r#"{{"name":{name},"cat":"handoff","ph":"s","id":{id},"pid":{PID},"tid":{from},"ts":{}}}"#,
            us(from_ms)
        ));
        let limit = std::mem::replace(&mut self.limit, usize::MAX);
        self.push(format_args!(
            r#"{{"name":{name},"cat":"handoff","ph":"f","bp":"e","id":{id},"pid":{PID},"tid":{to},"ts":{}}}"#,
            us(to_ms)
        ));
        self.limit = limit;
    }

    /// A marker on track `tid` (an alert such as a deadlock or a lost wake-up).
    pub fn instant(&mut self, tid: u32, name: &str, at_ms: u64, detail: &str) {
        self.push(format_args!(
            r#"{{"name":{},"cat":"alert","ph":"i","s":"t","pid":{PID},"tid":{tid},"ts":{},"args":{{"detail":{}}}}}"#,
            quoted(name),
            us(at_ms),
            quoted(detail)
        ));
    }

    /// The number of events written so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no event was written (never: the process name is always there).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Events left out because the document reached its size limit.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The document, as JSON text. If events were left out, a last metadata event
    /// (`"name":"truncated"`) says how many.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + 160);
        out.push_str(r#"{"traceEvents":["#);
        out.push_str(&self.body);
        if self.dropped > 0 {
            let _ = write!(
                out,
                concat!(
                    r#",{{"name":"truncated","ph":"M","pid":{PID},"tid":0,"#,
                    r#""args":{{"events_left_out":{dropped},"limit_bytes":{limit}}}}}"#
                ),
                PID = PID,
                dropped = self.dropped,
                limit = self.limit
            );
        }
        out.push_str(r#"],"displayTimeUnit":"ms"}"#);
        out
    }
}

fn us(ms: u64) -> u64 {
    ms.saturating_mul(1000)
}

/// Checks a Chrome Trace Event document against the fields the format requires of each
/// event phase we emit. Returns the first problem found.
pub fn check_chrome_trace(json: &str) -> Result<usize, String> {
    use serde_json::Value;
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let events = doc.get("traceEvents").and_then(Value::as_array).ok_or("no traceEvents array")?;
    for (i, ev) in events.iter().enumerate() {
        let ph = ev.get("ph").and_then(Value::as_str).ok_or(format!("event {i}: no ph"))?;
        let need: &[&str] = match ph {
            "M" => &["name", "pid", "tid", "args"],
            "X" => &["name", "pid", "tid", "ts", "dur"],
            "s" | "f" => &["name", "pid", "tid", "ts", "id"],
            "i" => &["name", "pid", "tid", "ts", "s"],
            other => return Err(format!("event {i}: unexpected phase {other:?}")),
        };
        for field in need {
            if ev.get(*field).is_none() {
                return Err(format!("event {i} (ph {ph}): missing {field}"));
            }
        }
        for field in ["ts", "dur", "pid", "tid"] {
            if let Some(v) = ev.get(field) {
                if !v.is_u64() {
                    return Err(format!("event {i}: {field} is not a non-negative integer"));
                }
            }
        }
    }
    Ok(events.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn builder_output_passes_the_format_check_and_flows_pair_up() {
        let mut t = ChromeTrace::new("x");
        t.track(3, "t3");
        t.slice(3, "hold m", "hold", 5, 9);
        t.flow(1, 3, 9, 4, 9, "m");
        t.instant(4, "lost wake-up", 9, "nobody holds its waker");
        let json = t.to_json();
        assert_eq!(check_chrome_trace(&json), Ok(t.len()));
        let doc: Value = serde_json::from_str(&json).unwrap();
        let events = doc["traceEvents"].as_array().unwrap();
        let starts = events.iter().filter(|e| e["ph"] == "s").count();
        let finishes = events.iter().filter(|e| e["ph"] == "f").count();
        assert_eq!((starts, finishes), (1, 1));
        assert_eq!(events[3]["dur"], 4000);
    }

    #[test]
    fn a_full_document_stops_adding_events_and_says_how_many_it_left_out() {
        let mut t = ChromeTrace::with_limit("x \"quoted\" \u{1}", 300);
        for i in 0..100 {
            t.slice(0, "hold m", "hold", i, i + 1);
            t.flow(i, 0, i, 1, i, "m");
        }
        assert!(t.dropped() > 0);
        let json = t.to_json();
        assert_eq!(check_chrome_trace(&json), Ok(t.len() + 1));
        let doc: Value = serde_json::from_str(&json).unwrap();
        let events = doc["traceEvents"].as_array().unwrap();
        let last = events.last().unwrap();
        assert_eq!(last["name"], "truncated");
        assert_eq!(last["args"]["events_left_out"], t.dropped());
        let starts = events.iter().filter(|e| e["ph"] == "s").count();
        let finishes = events.iter().filter(|e| e["ph"] == "f").count();
        assert_eq!(starts, finishes, "flows are kept or dropped whole");
        assert_eq!(events[0]["args"]["name"], "x \"quoted\" \u{1}");
    }

    #[test]
    fn the_check_finds_missing_fields() {
        assert!(check_chrome_trace(r#"{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0}]}"#)
            .unwrap_err()
            .contains("dur"));
        assert!(check_chrome_trace(r#"{"events":[]}"#).is_err());
        assert!(
            check_chrome_trace(r#"{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":-1,"dur":1}]}"#).is_err()
        );
    }
}

use crate::exec::EventKind;
use crate::trace::{Lane, Run};

/// How exported traces place events in time.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Virtual milliseconds (what the scenario's sleeps measure).
    Time,
    /// One millisecond per executor step: for runs where no virtual time passes (the
    /// counter, where every poll happens at 0 ms), this still spreads them out.
    Steps,
}

impl Axis {
    /// Time, unless no virtual time passes in the run.
    pub fn for_run(run: &Run) -> Axis {
        if run.duration() > 0 {
            Axis::Time
        } else {
            Axis::Steps
        }
    }

    fn at(self, step: u32, time: u64) -> u64 {
        match self {
            Axis::Time => time,
            Axis::Steps => u64::from(step),
        }
    }
}

/// The run as a Chrome Trace Event document: a track per task, "wait M" and "hold M"
/// slices, a flow arrow per hand-over, and an instant per alert.
pub fn chrome_trace(run: &Run, axis: Axis) -> String {
    let s = &run.scenario;
    let name = |m: u32| s.mutexes.get(m as usize).map_or("?", |x| x.name.as_str());
    let mut trace = ChromeTrace::new(&s.name);
    for (t, task) in s.tasks.iter().enumerate() {
        trace.track(t as u32, &task.name);
    }
    // (task, mutex) → start of the open wait / hold.
    let mut waiting: std::collections::BTreeMap<(u32, u32), u64> = Default::default();
    let mut holding: std::collections::BTreeMap<(u32, u32), u64> = Default::default();
    for e in run.events() {
        let at = axis.at(e.step, e.time);
        match e.kind {
            EventKind::Enqueued { task, mutex, .. } => {
                waiting.insert((task, mutex), at);
            }
            EventKind::Acquired { task, mutex } => {
                if let Some(start) = waiting.remove(&(task, mutex)) {
                    trace.slice(task, &format!("wait {}", name(mutex)), "wait", start, at);
                }
                holding.insert((task, mutex), at);
            }
            EventKind::Cancelled { task, mutex } => {
                if let Some(start) = waiting.remove(&(task, mutex)) {
                    trace.slice(task, &format!("wait {} (cancelled)", name(mutex)), "wait", start, at);
                }
            }
            EventKind::Released { task, mutex } => {
                if let Some(start) = holding.remove(&(task, mutex)) {
                    trace.slice(task, &format!("hold {}", name(mutex)), "hold", start, at);
                }
            }
            EventKind::Uncontended { task, mutex, times } => {
                let label = if times == 1 {
                    format!("hold {}", name(mutex))
                } else {
                    format!("hold {} ×{times}", name(mutex))
                };
                trace.slice(task, &label, "hold", at, at);
            }
            _ => {}
        }
    }
    let end = axis.at(run.steps(), run.duration());
    for ((task, mutex), start) in waiting {
        trace.slice(task, &format!("wait {} (never served)", name(mutex)), "wait", start, end);
    }
    for ((task, mutex), start) in holding {
        trace.slice(task, &format!("hold {}", name(mutex)), "hold", start, end);
    }
    for (i, h) in run.handoffs().iter().enumerate() {
        let at = axis.at(h.step, h.time);
        trace.flow(i as u64 + 1, h.from, at, h.to, at, &format!("hand-over of {}", name(h.mutex)));
    }
    for alert in &run.analysis().alerts {
        let task = alert.tasks.first().copied().unwrap_or(0);
        trace.instant(task, &format!("{:?}", alert.kind), axis.at(alert.step, alert.time), &alert.message);
    }
    trace.to_json()
}

/// The most task lanes the SVG draws; the rest are counted in a note.
pub const MAX_SVG_LANES: usize = 200;

/// The timeline as a standalone SVG document: a lane per task, coloured by state over
/// steps, with hand-over arrows and a legend. Texts are escaped, and characters that
/// XML cannot hold at all are replaced.
///
/// Bounded whatever the run: at most [`MAX_SVG_LANES`] lanes, one rectangle per pixel
/// column per lane, and 2,000 hand-over arrows.
pub fn timeline_svg(run: &Run) -> String {
    const LANE: f64 = 22.0;
    const LEFT: f64 = 140.0;
    const WIDTH: f64 = 900.0;
    const TOTAL_WIDTH: f64 = LEFT + WIDTH + 20.0;
    let s = &run.scenario;
    let steps = f64::from(run.steps().max(1));
    let x = |step: u32| LEFT + f64::from(step) / (steps + 1.0) * WIDTH;
    let tasks = s.tasks.len().min(MAX_SVG_LANES);
    let hidden = s.tasks.len() - tasks;
    let legend = Lane::LEGEND;
    // Lay the legend out first, wrapping its rows, so the height fits it.
    let mut legend_at = Vec::new();
    let (mut lx, mut row) = (10.0, 0usize);
    for lane in &legend {
        let w = 16.0 + 7.0 * lane.describe().chars().count() as f64 + 14.0;
        if lx + w > TOTAL_WIDTH - 10.0 && lx > 10.0 {
            lx = 10.0;
            row += 1;
        }
        legend_at.push((lx, row));
        lx += w;
    }
    let lanes_end = 30.0 + LANE * tasks as f64 + if hidden > 0 { LANE } else { 0.0 };
    let height = lanes_end + 20.0 + 20.0 * (row + 1) as f64 + 10.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{TOTAL_WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {TOTAL_WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"
    );
    out +=
        &format!("<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", escape_xml(&s.name));
    out += &format!(
        "<text x=\"10\" y=\"20\" font-weight=\"bold\">{} — {} steps, {} ms</text>\n",
        escape_xml(&s.name),
        run.steps(),
        run.duration()
    );
    let y = |t: u32| 30.0 + LANE * f64::from(t);
    for (t, task) in s.tasks.iter().take(tasks).enumerate() {
        out += &format!("<text x=\"10\" y=\"{:.1}\">{}</text>\n", y(t as u32) + 15.0, escape_xml(&task.name));
    }
    if hidden > 0 {
        out += &format!(
            "<text x=\"10\" y=\"{:.1}\">… and {hidden} more tasks, not drawn</text>\n",
            y(tasks as u32) + 15.0
        );
    }
    // The pixel column each lane has been drawn up to: a segment inside it adds nothing.
    let mut drawn_to = vec![f64::NEG_INFINITY; tasks];
    for seg in run.segments() {
        let t = seg.task as usize;
        if t >= tasks {
            continue;
        }
        let (x0, x1) = (x(seg.start_step), x(seg.end_step));
        if x1 - x0 < 0.05 || x1.floor() <= drawn_to[t] {
            continue;
        }
        drawn_to[t] = x1.floor();
        out += &format!(
            "<rect x=\"{x0:.2}\" y=\"{:.1}\" width=\"{:.2}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>\n",
            y(seg.task) + 3.0,
            (x1 - x0).max(0.5),
            LANE - 6.0,
            seg.lane.colour(false),
            seg.lane.describe()
        );
    }
    for h in run.handoffs().iter().filter(|h| (h.from as usize) < tasks && (h.to as usize) < tasks).take(2000) {
        let hx = x(h.step);
        out += &format!(
            "<line x1=\"{hx:.2}\" y1=\"{:.1}\" x2=\"{hx:.2}\" y2=\"{:.1}\" stroke=\"#333\" stroke-width=\"1\" \
             marker-end=\"url(#arrow)\"/>\n",
            y(h.from) + LANE / 2.0,
            y(h.to) + LANE / 2.0
        );
    }
    out += "<defs><marker id=\"arrow\" viewBox=\"0 0 6 6\" refX=\"5\" refY=\"3\" markerWidth=\"6\" \
            markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L6,3 L0,6 z\" fill=\"#333\"/></marker></defs>\n";
    for (lane, (lx, row)) in legend.iter().zip(legend_at) {
        let ly = lanes_end + 20.0 + 20.0 * row as f64;
        out += &format!(
            "<rect x=\"{lx}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>",
            ly - 10.0,
            lane.colour(false)
        );
        out += &format!("<text x=\"{}\" y=\"{ly:.1}\">{}</text>\n", lx + 16.0, lane.describe());
    }
    out += "</svg>\n";
    out
}

/// Text for XML content or attributes: markup characters escaped, and the characters
/// XML 1.0 cannot hold even escaped (most C0 controls, U+FFFE, U+FFFF) replaced by
/// U+FFFD.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
