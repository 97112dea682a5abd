//! The browser end of the embed API (the protocol is [`crate::share::api`]): a `message`
//! listener that takes commands only from the window that embeds the page (and, if the
//! link names origins, only from those), and the events the page sends back to it, to
//! the allowed origins only. A page that is not embedded listens to nobody.

use super::state::{Action, Model, SPEEDS};
use crate::lesson::{Answer, Lesson};
use crate::scenario::Scenario;
use crate::share::api::{Command, HostMessage, Load, PageEvent};
use gloo_events::EventListener;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};
use yew::prelude::*;

/// The least time between two `step` events while playing, in ms.
const STEP_EVERY_MS: f64 = 250.0;

/// The window that embeds this page, if it is embedded.
fn host() -> Option<Window> {
    let window = gloo_utils::window();
    let parent = window.parent().ok().flatten()?;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// Sends `event` to the host: to each allowed origin (a message to another origin is
/// dropped by the browser), or to whatever origin the host has if none are named.
fn post(host: &Window, origins: &[String], event: &PageEvent) {
    let value = js_sys::JSON::parse(&event.to_json()).unwrap_or(JsValue::NULL);
    if origins.is_empty() {
        let _ = host.post_message(&value, "*");
    }
    for o in origins {
        let _ = host.post_message(&value, o);
    }
}

/// What a host's command asks of the page, or why it cannot be done.
fn action(command: Command, model_lessons: &[Lesson], presets: &[crate::scenario::Preset]) -> Result<Action, String> {
    Ok(match command {
        Command::Load(Load::Preset(id)) => Action::SelectPreset(
            presets.iter().position(|p| p.id == id).ok_or_else(|| format!("there is no preset {id:?}"))?,
        ),
        Command::Load(Load::Scenario(json)) => {
            Action::Load(Scenario::from_json(&json).map_err(|e| format!("the scenario cannot run: {e}"))?)
        }
        Command::Load(Load::LessonId(id)) => Action::OpenLesson(
            model_lessons.iter().position(|l| l.id == id).ok_or_else(|| format!("there is no lesson {id:?}"))?,
        ),
        Command::Load(Load::Lesson(json)) => Action::LoadLesson(Box::new(
            Lesson::from_json(&json).map_err(|e| format!("the lesson cannot be read: {e}"))?,
        )),
        Command::Load(Load::Program(text)) => Action::LoadProgram(Box::new(
            crate::code::read(&text).map_err(|e| format!("the program cannot be read: {e}"))?,
        )),
        Command::Play => Action::SetPlaying(true),
        Command::Pause => Action::SetPlaying(false),
        Command::Step { by } => Action::StepBy(by),
        Command::Seek { step } => Action::Seek(step),
        Command::Speed { speed } => {
            Action::SetSpeed(SPEEDS.iter().position(|&s| s >= speed).unwrap_or(SPEEDS.len() - 1))
        }
        Command::Answer { choice } => Action::Answer(choice),
        Command::Continue => Action::NextStop,
        Command::Restart => Action::RestartLesson,
    })
}

/// What the host has been told of the open lesson: its id, the answers, whether done.
type Told = Option<(String, Vec<Option<Answer>>, bool)>;

/// Listens to the embedding page and tells it what happens (see the module docs).
#[hook]
pub fn use_embed_api(model: &Model, dispatch: Callback<Action>) {
    let origins = model.origins.clone();
    {
        let lessons = model.lessons.clone();
        let presets = model.presets.clone();
        use_effect_with(origins.clone(), move |origins: &Rc<Vec<String>>| {
            let listener = host().map(|host| {
                let origins = origins.clone();
                let window = gloo_utils::window();
                EventListener::new(&window, "message", move |e| {
                    let Some(e) = e.dyn_ref::<MessageEvent>() else { return };
                    // Only the embedding window, and only from an allowed origin.
                    if !e.source().is_some_and(|s| js_sys::Object::is(&s, &host)) {
                        return;
                    }
                    if !origins.is_empty() && !origins.contains(&e.origin()) {
                        return;
                    }
                    let data = e.data();
                    let text =
                        data.as_string().or_else(|| js_sys::JSON::stringify(&data).ok().and_then(|s| s.as_string()));
                    let result = HostMessage::parse(&text.unwrap_or_default())
                        .and_then(|m| m.map(|m| action(m.command, &lessons, &presets)).transpose());
                    match result {
                        Ok(Some(action)) => dispatch.emit(action),
                        Ok(None) => {}
                        Err(message) => post(&host, &origins, &PageEvent::Error { message }),
                    }
                })
            });
            move || drop(listener)
        });
    }
    let steps = model.steps();
    let lesson_id = model.lesson.as_ref().map(|l| l.id().to_string());
    {
        let origins = origins.clone();
        let lesson = lesson_id.clone();
        use_effect_with((), move |_| {
            if let Some(host) = host() {
                post(&host, &origins, &PageEvent::Ready { steps, lesson });
            }
        });
    }
    // The playhead: at most every STEP_EVERY_MS while playing, and whenever it stops.
    let last_step = use_mut_ref(|| f64::NEG_INFINITY);
    {
        let origins = origins.clone();
        let time_ms = model.loaded.as_ref().map_or(0, |l| l.run.time_at(model.step));
        let stop = model.lesson.as_ref().map(|l| l.tour.stop + 1);
        use_effect_with((model.step, model.playing, steps, stop), move |&(step, playing, steps, stop)| {
            let now = js_sys::Date::now();
            if let (Some(host), true) = (host(), !playing || now - *last_step.borrow() >= STEP_EVERY_MS) {
                *last_step.borrow_mut() = now;
                post(&host, &origins, &PageEvent::Step { step, steps, time_ms, playing, stop });
            }
        });
    }
    // Answers and completion, each told once.
    let told = use_mut_ref(|| None::<(String, Vec<Option<Answer>>, bool)>);
    {
        let origins = origins.clone();
        let now: Told = model.lesson.as_ref().map(|l| (l.id().to_string(), l.tour.answers.clone(), l.tour.complete()));
        let prepared = model.lesson.as_ref().map(|l| l.prepared.clone());
        use_effect_with(now, move |now| {
            let before = told.replace(now.clone());
            let (Some(host), Some((id, answers, done)), Some(p)) = (host(), now, prepared) else { return };
            // Another lesson (or none) before: what it kept is not news.
            let Some((_, was, was_done)) = before.filter(|b| b.0 == *id) else { return };
            for (k, a) in answers.iter().enumerate() {
                let (Some(a), None) = (a, was.get(k).copied().flatten()) else { continue };
                let Some(q) = p.stops.get(k).and_then(|s| s.question.as_ref()) else { continue };
                post(
                    &host,
                    &origins,
                    &PageEvent::Answered {
                        lesson: id.clone(),
                        stop: k + 1,
                        right: a.right,
                        choice: q.choices.get(a.chosen).cloned().unwrap_or_default(),
                        answer: q.choices[q.answer].clone(),
                    },
                );
            }
            if *done && !was_done {
                let right = answers.iter().filter(|a| a.is_some_and(|a| a.right)).count();
                let questions = p.stops.iter().filter(|s| s.question.is_some()).count();
                post(&host, &origins, &PageEvent::Completed { lesson: id.clone(), right, questions });
            }
        });
    }
    // Whatever the page tells the person went wrong, the host hears too.
    use_effect_with(model.notice.clone(), move |notice| {
        if let (Some(host), Some(message)) = (host(), notice.clone()) {
            post(&host, &origins, &PageEvent::Error { message });
        }
    });
}
