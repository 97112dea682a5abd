//! Reading a lesson's JSON and checking its form, each problem at its place.
//!
//! The text is parsed into a `serde_json::Value` and read field by field with the reader
//! scenarios use (`scenario::json`), rather than through serde's derive: a lesson's `at`
//! and `scenario` take several shapes, and derived deserializers for such enums buffer
//! their input through code that would add tens of kilobytes to the page.

use super::{
    Anchor, HighlightSpec, Lesson, LessonError, Question, ScenarioRef, Stop, When, MAX_CHOICES, MAX_LESSON_JSON,
    MAX_STOPS, MAX_TEXT,
};
use crate::scenario::json::Obj;
use crate::scenario::ScenarioError;
use serde_json::Value;

/// What `does` may say in an anchor.
pub(super) const DOES: [&str; 9] =
    ["run", "request", "enqueue", "acquire", "release", "cancel", "print", "sleep", "finish"];
/// What `ask` may say in a question.
pub(super) const ASKS: [&str; 4] = ["next_acquirer", "next_print", "outcome", "value_at_end"];

pub(super) fn from_json(json: &str) -> Result<Lesson, LessonError> {
    if json.len() > MAX_LESSON_JSON {
        return Err(LessonError::new(
            "",
            format!("the lesson is {} KiB; the limit is {} KiB", json.len() / 1024, MAX_LESSON_JSON / 1024),
        ));
    }
    let v: Value = serde_json::from_str(json).map_err(|e| {
        let mut message = e.to_string();
        // serde_json appends " at line L column C": the position is kept apart.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        LessonError { path: String::new(), line_col: Some((e.line(), e.column())), message }
    })?;
    let lesson = lesson(&v)?;
    check_form(&lesson)?;
    Ok(lesson)
}

/// A problem found by the shared reader, as a lesson's.
impl From<ScenarioError> for LessonError {
    fn from(e: ScenarioError) -> LessonError {
        LessonError { path: e.path, line_col: None, message: e.message }
    }
}

/// `v` as an object of the fields `known`.
fn obj<'a>(v: &'a Value, path: &str, known: &[&str]) -> Result<Obj<'a>, LessonError> {
    Ok(Obj::new(v, path, "an object", known)?)
}

fn lesson(v: &Value) -> Result<Lesson, LessonError> {
    let o = obj(v, "", &["id", "title", "source", "scenario", "policy", "stops"])?;
    let scenario = match o.get("scenario") {
        None => return Err(LessonError::new("", "missing field `scenario`")),
        Some(Value::Object(m)) if m.contains_key("preset") => {
            let s = obj(o.get("scenario").expect("here"), "scenario", &["preset"])?;
            ScenarioRef::Preset { preset: s.string("preset")? }
        }
        Some(s @ Value::Object(_)) => ScenarioRef::Inline(s.clone()),
        Some(_) => {
            return Err(LessonError::new("scenario", "expected { \"preset\": \"id\" } or a whole scenario object"))
        }
    };
    let stops = o.opt_list("stops")?.unwrap_or(&[]);
    if stops.len() > MAX_STOPS {
        return Err(LessonError::new("stops", format!("{} stops; the limit is {MAX_STOPS}", stops.len())));
    }
    Ok(Lesson {
        id: o.string("id")?,
        title: o.string("title")?,
        source: o.opt_string("source")?.unwrap_or_default(),
        scenario,
        policy: o.opt_string("policy")?,
        stops: stops.iter().enumerate().map(|(i, s)| stop(s, &format!("stops[{i}]"))).collect::<Result<_, _>>()?,
    })
}

fn stop(v: &Value, path: &str) -> Result<Stop, LessonError> {
    let o = obj(v, path, &["at", "text", "highlight", "question"])?;
    let at = match o.get("at") {
        Some(Value::String(s)) => Anchor::Named(s.clone()),
        Some(a @ Value::Object(m)) if m.contains_key("step") => {
            Anchor::Step { step: obj(a, &o.at("at"), &["step"])?.opt_u32("step")?.unwrap_or_default() }
        }
        Some(a @ Value::Object(_)) => {
            let w = obj(a, &o.at("at"), &["task", "does", "mutex", "nth", "before"])?;
            Anchor::When(When {
                task: w.opt_string("task")?,
                does: w.string("does")?,
                mutex: w.opt_string("mutex")?,
                nth: w.opt_u32("nth")?,
                before: w.opt_bool("before")?.unwrap_or(false),
            })
        }
        _ => {
            return Err(LessonError::new(
                o.at("at"),
                "expected \"start\", \"end\", { \"step\": N }, or { \"does\": .., \"task\": .., \"mutex\": .. }",
            ))
        }
    };
    let highlight = match o.get("highlight") {
        None => None,
        Some(h) => {
            let h = obj(h, &o.at("highlight"), &["task", "mutex"])?;
            Some(HighlightSpec { task: h.opt_string("task")?, mutex: h.opt_string("mutex")? })
        }
    };
    let question = match o.get("question") {
        None => None,
        Some(q) => {
            let q = obj(q, &o.at("question"), &["ask", "mutex", "task", "prompt", "choices", "answer", "why"])?;
            Some(Question {
                ask: q.string("ask")?,
                mutex: q.opt_string("mutex")?,
                task: q.opt_string("task")?,
                prompt: q.opt_string("prompt")?,
                choices: q.opt_list("choices")?.unwrap_or(&[]).to_vec(),
                answer: q.get("answer").cloned(),
                why: q.opt_string("why")?.unwrap_or_default(),
            })
        }
    };
    Ok(Stop { at, text: o.string("text")?, highlight, question })
}

fn text(path: &str, what: &str, s: &str, required: bool) -> Result<(), LessonError> {
    if required && s.trim().is_empty() {
        return Err(LessonError::new(path, format!("{what} must not be empty")));
    }
    let n = s.chars().count();
    if n > MAX_TEXT {
        return Err(LessonError::new(path, format!("{what} is {n} characters; the limit is {MAX_TEXT}")));
    }
    Ok(())
}

fn check_form(l: &Lesson) -> Result<(), LessonError> {
    if l.id.is_empty() || l.id.len() > 64 || !l.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(LessonError::new("id", "an id is 1 to 64 letters, digits, `-` or `_`"));
    }
    text("title", "the title", &l.title, true)?;
    text("source", "the source", &l.source, false)?;
    if l.stops.is_empty() {
        return Err(LessonError::new("stops", "a lesson needs at least one stop"));
    }
    for (i, stop) in l.stops.iter().enumerate() {
        let at = format!("stops[{i}]");
        text(&format!("{at}.text"), "the text", &stop.text, true)?;
        match &stop.at {
            Anchor::Named(n) if n != "start" && n != "end" => {
                return Err(LessonError::new(
                    format!("{at}.at"),
                    format!("{n:?} is no moment: say \"start\" or \"end\""),
                ))
            }
            Anchor::When(w) => {
                if !DOES.contains(&w.does.as_str()) {
                    return Err(LessonError::new(
                        format!("{at}.at.does"),
                        format!("{:?} is not something a task does here; one of: {}", w.does, DOES.join(", ")),
                    ));
                }
                if w.nth == Some(0) {
                    return Err(LessonError::new(format!("{at}.at.nth"), "counts from 1"));
                }
            }
            _ => {}
        }
        if let Some(q) = &stop.question {
            check_question(&format!("{at}.question"), q)?;
        }
    }
    Ok(())
}

fn check_question(at: &str, q: &Question) -> Result<(), LessonError> {
    if !ASKS.contains(&q.ask.as_str()) {
        return Err(LessonError::new(
            format!("{at}.ask"),
            format!("{:?} is not a kind of question; one of: {}", q.ask, ASKS.join(", ")),
        ));
    }
    if let Some(p) = &q.prompt {
        text(&format!("{at}.prompt"), "the prompt", p, true)?;
    }
    text(&format!("{at}.why"), "the why", &q.why, false)?;
    let needs_mutex = matches!(q.ask.as_str(), "next_acquirer" | "value_at_end");
    if needs_mutex && q.mutex.is_none() {
        return Err(LessonError::new(format!("{at}.mutex"), format!("a {} question names its mutex", q.ask)));
    }
    let needs_choices = matches!(q.ask.as_str(), "next_print" | "value_at_end");
    if needs_choices && q.choices.len() < 2 {
        return Err(LessonError::new(
            format!("{at}.choices"),
            format!("a {} question offers 2 or more choices", q.ask),
        ));
    }
    if q.choices.len() > MAX_CHOICES {
        return Err(LessonError::new(
            format!("{at}.choices"),
            format!("{} choices; the limit is {MAX_CHOICES}", q.choices.len()),
        ));
    }
    for (i, c) in q.choices.iter().enumerate() {
        let shown = super::prepare::choice_text(c);
        text(&format!("{at}.choices[{i}]"), "a choice", &shown, true)?;
        if shown.chars().count() > 200 {
            return Err(LessonError::new(format!("{at}.choices[{i}]"), "a choice is at most 200 characters"));
        }
    }
    Ok(())
}
