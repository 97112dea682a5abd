//! Lessons: a scenario walked through in stops, some of which ask the learner to predict.
//!
//! A lesson is data, read from JSON like a scenario and checked as strictly. It names a
//! scenario (a preset, or a whole scenario), an optional scheduling policy, and an ordered
//! list of **stops**. Each stop is bound to a moment of the run (its start, its end, a step
//! number, or "when *task* does *something*"), says a short text, may highlight a task and
//! a lock, and may ask a **question** whose answer the lesson never states: it is read
//! from the run itself ([`Lesson::prepare`]). So a lesson cannot teach something the engine
//! does not do; if the engine changed, `cargo run --example lesson -- check` would say
//! which question no longer holds (a question may state its expected answer, which is
//! then checked against the run).
//!
//! ```
//! use mutex_playground::lesson::Lesson;
//!
//! let lesson = Lesson::from_json(r#"{
//!   "id": "two-locks",
//!   "title": "Two locks, opposite orders",
//!   "scenario": { "preset": "deadlock" },
//!   "stops": [
//!     { "at": "start", "text": "left locks a then b; right locks b then a.",
//!       "question": { "ask": "outcome", "answer": "deadlock" } },
//!     { "at": { "task": "right", "does": "enqueue", "mutex": "a" },
//!       "text": "right holds b and queues for a, which left holds.",
//!       "highlight": { "task": "right", "mutex": "a" } }
//!   ]
//! }"#).unwrap();
//! let prepared = lesson.prepare().unwrap();
//! let question = prepared.stops[0].question.as_ref().unwrap();
//! assert_eq!(question.choices[question.answer], "it deadlocks");
//! assert_eq!(prepared.stops[1].step, 4);
//! ```
//!
//! # The format
//!
//! | field | what |
//! |---|---|
//! | `id` | letters, digits, `-` and `_`, at most 64: names the lesson in links and progress |
//! | `title`, `source` | a title; where it comes from (optional) |
//! | `scenario` | `{ "preset": "counter" }`, or a whole scenario object |
//! | `policy` | `fifo` (the default), `tokio`, `random:SEED` |
//! | `stops[].at` | where the stop is (below) |
//! | `stops[].text` | what to say there |
//! | `stops[].highlight` | `{ "task": "writer", "mutex": "db" }` (either or both) |
//! | `stops[].question` | `{ "ask": KIND, "prompt": .., "choices": [..], "answer": .., "why": .. }` |
//!
//! A stop is `"start"`, `"end"`, `{ "step": 12 }`, or
//! `{ "task": "writer", "does": "acquire", "mutex": "db", "nth": 2, "before": true }`: the
//! `nth` time (default 1) the task (any task if absent) does it (to the mutex, if named);
//! `before` stops one step earlier. `does` is one of `run`, `request`, `enqueue`,
//! `acquire`, `release`, `cancel`, `print`, `sleep`, `finish`. Tasks and mutexes are named
//! as in the scenario (the first of that name).
//!
//! Question kinds, each answered from the run after the stop:
//! - `next_acquirer` (with `mutex`): which task acquires it next. Choices: task names
//!   (default: every task that asks for that mutex).
//! - `next_print` (optionally with `task`): which choice is printed first (by that task).
//!   Choices are required; the first line printed after the stop that holds any of them
//!   decides, and must hold exactly one.
//! - `outcome`: how the run ends: `finish`, `deadlock`, `lost_wakeup`, `stall`,
//!   `time_limit` (choices default to the first four, plus the answer).
//! - `value_at_end` (with `mutex`): the mutex's value when the run ends. Choices are
//!   required (JSON values, compared as values).

mod bundled;
mod prepare;
mod read;
mod tour;

pub use bundled::{bundled, bundled_lesson, bundled_sources};
pub use prepare::{Highlight, Posed, Prepared, ResolvedStop, LESSON_MAX_WORK};
pub use tour::{Answer, Phase, Tour};

use serde::Serialize;
use std::fmt;

/// The most stops a lesson may have.
pub const MAX_STOPS: usize = 100;
/// The most choices a question may offer.
pub const MAX_CHOICES: usize = 8;
/// The longest text (a stop's text, a prompt, a why) in characters.
pub const MAX_TEXT: usize = 2_000;
/// The largest lesson file, in bytes (a whole scenario may be inside).
pub const MAX_LESSON_JSON: usize = 1024 * 1024;

/// A lesson, as read from JSON (see the [module docs](self) for the format).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// Names the lesson in links (`#lesson=ID`) and in the progress kept in the browser.
    pub id: String,
    /// The title shown above the lesson.
    pub title: String,
    /// Which source text it comes from (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The scenario: a preset's id, or a whole scenario.
    pub scenario: ScenarioRef,
    /// The scheduling policy's text form (`fifo`, `tokio`, `random:7`); FIFO if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The stops, in the order of the run.
    pub stops: Vec<Stop>,
}

/// Which scenario a lesson runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ScenarioRef {
    /// A preset, by id: `{ "preset": "counter" }`.
    Preset {
        /// The preset's id.
        preset: String,
    },
    /// A whole scenario, as its JSON value (checked by [`Lesson::prepare`]).
    Inline(serde_json::Value),
}

/// One stop of a lesson: where, what to say, what to highlight, what to ask.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stop {
    /// The moment of the run the stop is at.
    pub at: Anchor,
    /// What to say there.
    pub text: String,
    /// What to point at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<HighlightSpec>,
    /// A prediction to ask for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// A moment of the run, resolved to a step by [`Lesson::prepare`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Anchor {
    /// `"start"` (before the first step) or `"end"` (the last step).
    Named(String),
    /// `{ "step": N }`: after N steps.
    Step {
        /// The step number.
        step: u32,
    },
    /// `{ "task": .., "does": .., "mutex": .., "nth": .., "before": .. }`.
    When(When),
}

/// "The `nth` time `task` does `does` (to `mutex`)".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct When {
    /// The task, by name; any task if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// What it does: `run`, `request`, `enqueue`, `acquire`, `release`, `cancel`, `print`,
    /// `sleep` or `finish`.
    pub does: String,
    /// The mutex, by name, for the lock events; any if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutex: Option<String>,
    /// Which time it does it, from 1 (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    /// Stop one step before it happens (so the page shows the moment just before).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before: bool,
}

/// What to highlight at a stop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HighlightSpec {
    /// A task, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// A mutex, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutex: Option<String>,
}

/// A prediction the learner makes at a stop; its answer comes from the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Question {
    /// `next_acquirer`, `next_print`, `outcome` or `value_at_end`.
    pub ask: String,
    /// The mutex asked about (`next_acquirer`, `value_at_end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutex: Option<String>,
    /// The task asked about (`next_print`, optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The question in words; a default for its kind if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The choices offered (see each kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<serde_json::Value>,
    /// The answer the author expects: checked against the run, never shown as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<serde_json::Value>,
    /// Why, shown after the learner answers (with the steps that decide it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
}

/// A problem with a lesson, at its place: `stops[2].question.mutex: unknown mutex "dbb"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// A path into the lesson's JSON (`stops[2].at`), empty for the lesson as a whole.
    pub path: String,
    /// Line and column in the JSON text, for text that does not parse.
    pub line_col: Option<(usize, usize)>,
    /// What is wrong, in words.
    pub message: String,
}

impl LessonError {
    /// A problem at `path` saying `message`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> LessonError {
        LessonError { path: path.into(), line_col: None, message: message.into() }
    }
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((line, col)) = self.line_col {
            write!(f, "{line}:{col}: ")?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

impl Lesson {
    /// Reads a lesson from JSON and checks its form (ids, lengths, kinds, fields).
    /// Whether it fits its run (names, anchors, answers) is [`prepare`](Lesson::prepare)'s
    /// to check. Never panics.
    pub fn from_json(json: &str) -> Result<Lesson, LessonError> {
        read::from_json(json)
    }

    /// The lesson as pretty JSON, which [`from_json`](Lesson::from_json) reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a lesson always serializes")
    }

    /// Runs the lesson's scenario and binds every stop and question to the run: each
    /// problem at its place if any (a name that is no task, an anchor that never
    /// happens, stops out of order, a stated answer the run contradicts).
    pub fn prepare(&self) -> Result<Prepared, Vec<LessonError>> {
        prepare::prepare(self)
    }
}
