//! The embed API: the messages a course page and an embedded playground exchange with
//! `postMessage`. This module is the protocol (what each message holds, read and written
//! as JSON, natively testable); `ui/embed_api.rs` is the browser end (the listener, the
//! origin checks, the throttling).
//!
//! Every message is an object with `"protocol": "mutex-playground"` and `"version": 1`;
//! messages without that protocol are someone else's and are ignored.
//!
//! **Host to page** (`command`):
//!
//! | command | fields | does |
//! |---|---|---|
//! | `load` | `preset` (an id), `scenario` (an object), `lesson` (an id or an object) or `program` | opens it (1) |
//! | `play`, `pause` | | starts or stops playback |
//! | `step` | `by` (default 1; negative goes back) | moves the playhead, paused |
//! | `seek` | `step` | moves the playhead there |
//! | `speed` | `speed` (0.25 to 64) | sets the playback speed |
//! | `answer` | `choice` (from 0) | answers the lesson's open question |
//! | `continue`, `restart` | | the lesson's next stop; the lesson from its start |
//!
//! (1) A `program` is Rust text, read as the code editor reads it
//! ([`code::read`](crate::code::read)); one that cannot be read is refused with an `error`
//! that gives its line and column.
//!
//! **Page to host** (`event`): `ready` (`steps`, `lesson`), `step` (`step`, `steps`,
//! `time_ms`, `playing`, `stop`; at most every 250 ms while playing, and whenever
//! playback pauses), `answered` (`lesson`, `stop` from 1, `right`, `choice`, `answer`),
//! `completed` (`lesson`, `right`, `questions`), `error` (`message`).
//!
//! ```
//! use mutex_playground::share::api::{Command, HostMessage};
//!
//! let m = HostMessage::parse(r#"{"protocol":"mutex-playground","version":1,"command":"seek","step":12}"#);
//! assert_eq!(m, Ok(Some(HostMessage { command: Command::Seek { step: 12 } })));
//! // Someone else's message: not ours to answer.
//! assert_eq!(HostMessage::parse(r#"{"hello":"world"}"#), Ok(None));
//! let e = HostMessage::parse(r#"{"protocol":"mutex-playground","version":2,"command":"play"}"#);
//! assert!(e.unwrap_err().contains("version 2"));
//! ```

use serde::Serialize;
use serde_json::Value;

/// The protocol's name in every message.
pub const PROTOCOL: &str = "mutex-playground";
/// The protocol's version.
pub const VERSION: u64 = 1;
/// The largest message the page reads, in bytes of JSON.
pub const MAX_MESSAGE: usize = 1024 * 1024;

/// A message from the host page.
#[derive(Clone, Debug, PartialEq)]
pub struct HostMessage {
    /// What the host asks.
    pub command: Command,
}

/// What a host can ask of the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open something.
    Load(Load),
    /// Start playback.
    Play,
    /// Stop playback.
    Pause,
    /// Move the playhead by `by` steps (paused).
    Step {
        /// Steps to move; negative goes back.
        by: i64,
    },
    /// Move the playhead to `step`.
    Seek {
        /// The step (clamped to the run).
        step: u32,
    },
    /// Set the playback speed.
    Speed {
        /// A multiple of normal speed, 0.25 to 64.
        speed: f64,
    },
    /// Answer the open question.
    Answer {
        /// The choice's index, from 0.
        choice: usize,
    },
    /// The lesson's next stop.
    Continue,
    /// The lesson from its start.
    Restart,
}

/// What a `load` opens.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    /// A preset, by id.
    Preset(String),
    /// A scenario, as JSON text (validated by the page).
    Scenario(String),
    /// A bundled lesson, by id.
    LessonId(String),
    /// A lesson, as JSON text (checked by the page).
    Lesson(String),
    /// A Rust program's text (read by the page as its code editor reads it).
    Program(String),
}

impl HostMessage {
    /// Reads a message. `Ok(None)` for a message of another protocol (ignore it),
    /// `Err` with a sentence for one of ours that cannot be used (tell the host).
    pub fn parse(json: &str) -> Result<Option<HostMessage>, String> {
        if json.len() > MAX_MESSAGE {
            return Err(format!("a message is at most {} KiB", MAX_MESSAGE / 1024));
        }
        let Ok(v) = serde_json::from_str::<Value>(json) else { return Ok(None) };
        if v.get("protocol").and_then(Value::as_str) != Some(PROTOCOL) {
            return Ok(None);
        }
        match v.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(n) => {
                return Err(format!("protocol version {n} is not supported (this page speaks version {VERSION})"))
            }
            None => return Err("a message needs \"version\": 1".into()),
        }
        let command = v.get("command").and_then(Value::as_str).ok_or("a message needs a \"command\"")?;
        let field = |name: &str| v.get(name);
        let number = |name: &str| field(name).and_then(Value::as_f64);
        let command = match command {
            "load" => Command::Load(load(&v)?),
            "play" => Command::Play,
            "pause" => Command::Pause,
            "step" => Command::Step {
                by: match field("by") {
                    None => 1,
                    Some(b) => b.as_i64().ok_or("\"by\" is a whole number of steps")?,
                },
            },
            "seek" => Command::Seek {
                step: field("step")
                    .and_then(Value::as_u64)
                    .map(|s| s.min(u64::from(u32::MAX)) as u32)
                    .ok_or("seek needs \"step\", a step number")?,
            },
            "speed" => Command::Speed {
                speed: number("speed")
                    .filter(|s| (0.25..=64.0).contains(s))
                    .ok_or("speed needs \"speed\", from 0.25 to 64")?,
            },
            "answer" => Command::Answer {
                choice: field("choice")
                    .and_then(Value::as_u64)
                    .map(|c| c.min(1_000) as usize)
                    .ok_or("answer needs \"choice\", a choice's index from 0")?,
            },
            "continue" => Command::Continue,
            "restart" => Command::Restart,
            other => return Err(format!("{:?} is not a command", cut(other))),
        };
        Ok(Some(HostMessage { command }))
    }
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

fn load(v: &Value) -> Result<Load, String> {
    if let Some(id) = v.get("preset").and_then(Value::as_str) {
        return Ok(Load::Preset(id.to_string()));
    }
    if let Some(s) = v.get("scenario").filter(|s| s.is_object()) {
        return Ok(Load::Scenario(s.to_string()));
    }
    match v.get("lesson") {
        Some(Value::String(id)) => return Ok(Load::LessonId(id.clone())),
        Some(l @ Value::Object(_)) => return Ok(Load::Lesson(l.to_string())),
        _ => {}
    }
    if let Some(p) = v.get("program").and_then(Value::as_str) {
        return Ok(Load::Program(p.to_string()));
    }
    Err("load needs one of \"preset\", \"scenario\", \"lesson\" or \"program\"".into())
}

/// A message from the page to its host.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PageEvent {
    /// The page is up and reads messages.
    Ready {
        /// The run's steps.
        steps: u32,
        /// The open lesson's id, if any.
        lesson: Option<String>,
    },
    /// The playhead moved (throttled while playing).
    Step {
        /// The playhead.
        step: u32,
        /// The run's steps.
        steps: u32,
        /// Virtual time at the playhead.
        time_ms: u64,
        /// Whether playback runs.
        playing: bool,
        /// The lesson's current stop, from 1.
        stop: Option<usize>,
    },
    /// The learner answered a question.
    Answered {
        /// The lesson.
        lesson: String,
        /// The stop, from 1.
        stop: usize,
        /// Whether the answer was right.
        right: bool,
        /// The choice made, as shown.
        choice: String,
        /// The run's answer, as shown.
        answer: String,
    },
    /// The learner passed the lesson's last stop.
    Completed {
        /// The lesson.
        lesson: String,
        /// Right answers.
        right: usize,
        /// Questions in the lesson.
        questions: usize,
    },
    /// Something could not be done: a message, a load, a link.
    Error {
        /// What, in a sentence.
        message: String,
    },
}

impl PageEvent {
    /// The message as JSON, with the protocol and version.
    pub fn to_json(&self) -> String {
        // `{"event":..}` becomes `{"protocol":..,"version":1,"event":..}` (spliced as text:
        // a serializer to `Value` would be code in the page for one use).
        let body = serde_json::to_string(self).expect("an event serializes");
        format!("{{\"protocol\":\"{PROTOCOL}\",\"version\":{VERSION},{}", &body[1..])
    }
}
