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
//! ```
//! use mutex_playground::share::export::ChromeTrace;
//!
//! let mut trace = ChromeTrace::new("reader-writer");
//! trace.track(0, "reader");
//! trace.track(1, "writer");
//! trace.slice(0, "hold db", "hold", 0, 1000);
//! trace.slice(1, "wait db", "wait", 0, 1000);
//! trace.flow(7, 0, 1000, 1, 1000, "db");
//! let json: serde_json::Value = serde_json::from_str(&trace.to_json()).unwrap();
//! // 1 process name + 2 × (name, sort index) + 2 slices + a flow start and finish
//! assert_eq!(json["traceEvents"].as_array().unwrap().len(), 1 + 4 + 2 + 2);
//! ```
//!
//! [Trace Event Format]: https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU

use serde_json::{json, Value};

/// Process id used for every event: one run is one "process" in the viewer.
const PID: u32 = 1;

/// Builds a Chrome Trace Event document.
#[derive(Debug, Clone)]
pub struct ChromeTrace {
    events: Vec<Value>,
}

impl ChromeTrace {
    /// A trace whose process is labelled `name` (the scenario's name).
    pub fn new(name: &str) -> ChromeTrace {
        ChromeTrace {
            events: vec![json!({"name": "process_name", "ph": "M", "pid": PID, "tid": 0, "args": {"name": name}})],
        }
    }

    /// Names track `tid` (one per task) and keeps tracks in task order.
    pub fn track(&mut self, tid: u32, name: &str) {
        self.events.push(json!({"name": "thread_name", "ph": "M", "pid": PID, "tid": tid, "args": {"name": name}}));
        self.events.push(json!({"name": "thread_sort_index", "ph": "M", "pid": PID, "tid": tid, "args": {"sort_index": tid}}));
    }

    /// A slice on track `tid` from `start_ms` to `end_ms` (virtual milliseconds).
    pub fn slice(&mut self, tid: u32, name: &str, category: &str, start_ms: u64, end_ms: u64) {
        self.events.push(json!({
            "name": name, "cat": category, "ph": "X", "pid": PID, "tid": tid,
            "ts": us(start_ms), "dur": us(end_ms.saturating_sub(start_ms)),
        }));
    }

    /// A flow arrow `id` from track `from` at `from_ms` to track `to` at `to_ms`
    /// (a hand-over of the lock named `name`).
    pub fn flow(&mut self, id: u64, from: u32, from_ms: u64, to: u32, to_ms: u64, name: &str) {
        self.events.push(json!({"name": name, "cat": "handoff", "ph": "s", "id": id, "pid": PID, "tid": from, "ts": us(from_ms)}));
        self.events.push(json!({"name": name, "cat": "handoff", "ph": "f", "bp": "e", "id": id, "pid": PID, "tid": to, "ts": us(to_ms)}));
    }

    /// A marker on track `tid` (an alert such as a deadlock or a lost wake-up).
    pub fn instant(&mut self, tid: u32, name: &str, at_ms: u64, detail: &str) {
        self.events.push(json!({
            "name": name, "cat": "alert", "ph": "i", "s": "t", "pid": PID, "tid": tid,
            "ts": us(at_ms), "args": {"detail": detail},
        }));
    }

    /// The events written so far.
    pub fn events(&self) -> &[Value] {
        &self.events
    }

    /// The document, as JSON text.
    pub fn to_json(&self) -> String {
        json!({"traceEvents": self.events, "displayTimeUnit": "ms"}).to_string()
    }
}

fn us(ms: u64) -> u64 {
    ms.saturating_mul(1000)
}

/// Checks a Chrome Trace Event document against the fields the format requires of each
/// event phase we emit. Returns the first problem found.
pub fn check_chrome_trace(json: &str) -> Result<usize, String> {
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

    #[test]
    fn builder_output_passes_the_format_check_and_flows_pair_up() {
        let mut t = ChromeTrace::new("x");
        t.track(3, "t3");
        t.slice(3, "hold m", "hold", 5, 9);
        t.flow(1, 3, 9, 4, 9, "m");
        t.instant(4, "lost wake-up", 9, "nobody holds its waker");
        let json = t.to_json();
        assert_eq!(check_chrome_trace(&json), Ok(t.events().len()));
        let starts = t.events().iter().filter(|e| e["ph"] == "s").count();
        let finishes = t.events().iter().filter(|e| e["ph"] == "f").count();
        assert_eq!((starts, finishes), (1, 1));
        assert_eq!(t.events()[3]["dur"], 4000);
    }

    #[test]
    fn the_check_finds_missing_fields() {
        assert!(check_chrome_trace(r#"{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0}]}"#).unwrap_err().contains("dur"));
        assert!(check_chrome_trace(r#"{"events":[]}"#).is_err());
        assert!(check_chrome_trace(r#"{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":-1,"dur":1}]}"#).is_err());
    }
}
