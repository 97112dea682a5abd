//! Reading a lesson's JSON and checking its form, each problem at its place.

use super::{Anchor, Lesson, LessonError, Question, MAX_CHOICES, MAX_LESSON_JSON, MAX_STOPS, MAX_TEXT};

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
    let de = &mut serde_json::Deserializer::from_str(json);
    let lesson: Lesson = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let inner = e.into_inner();
        let line_col = (inner.line() > 0).then(|| (inner.line(), inner.column()));
        let mut message = inner.to_string();
        // serde's own words for an untagged enum say nothing a person can act on.
        if message.starts_with("data did not match any variant") {
            message = if path.ends_with(".at") {
                "expected \"start\", \"end\", { \"step\": N }, or { \"does\": .., \"task\": .., \"mutex\": .. }".into()
            } else if path.ends_with("scenario") {
                "expected { \"preset\": \"id\" } or a whole scenario object".into()
            } else {
                message
            };
        }
        // serde_json appends " at line L column C" to its messages: the position is kept apart.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        LessonError { path, line_col, message }
    })?;
    check_form(&lesson)?;
    Ok(lesson)
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
    if l.stops.len() > MAX_STOPS {
        return Err(LessonError::new("stops", format!("{} stops; the limit is {MAX_STOPS}", l.stops.len())));
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
