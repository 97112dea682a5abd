//! The lesson panel: the lesson's stops as links, the current stop's text, its question
//! (choices as buttons: a click, or the keys 1 to 8), the verdict with why, and the way
//! on. What the panel points at is highlighted on the stage by a small style rule.

use super::share::LinkParts;
use super::state::{Action, Embed, LessonState};
use crate::lesson::Phase;
use yew::prelude::*;

/// What the lesson panel shows.
#[derive(Properties, PartialEq)]
pub struct LessonProps {
    /// The lesson and where the learner is.
    pub lesson: LessonState,
    /// The link to the page (each stop's link is made from it).
    pub link: LinkParts,
    /// The page's embed options (kept in the stops' links).
    pub embed: Embed,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// A CSS string literal holding `s` (a task's or a mutex's name, which may hold anything).
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\{:x} ", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The lesson: title, stops, the stop's text and question.
#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonProps) -> Html {
    let d = &props.dispatch;
    let l = &props.lesson;
    let p = &l.prepared;
    let tour = &l.tour;
    let k = tour.stop;
    let stop = &p.stops[k];
    let (right, questions) = tour.score(p);
    let answer = tour.answers.get(k).copied().flatten();
    let at_stop = matches!(tour.phase, Phase::AtStop | Phase::Asking);
    // Answering disables the choices, which would drop the keyboard's focus on the page's
    // body: it goes to the way on instead.
    let next_button = use_node_ref();
    let was_answered = use_mut_ref(|| answer.is_some());
    {
        let next_button = next_button.clone();
        use_effect_with((k, answer.is_some()), move |&(_, answered)| {
            // Only as the answer is given (not when a page opens on an answered stop).
            let just_now = answered && !was_answered.replace(answered);
            if just_now {
                if let Some(b) = next_button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        });
    }
    let highlight = {
        let mut rules = Vec::new();
        if let (true, Some(t)) = (at_stop, stop.highlight.task) {
            rules.push(format!(
                ".task-row[data-task=\"{t}\"], .slot[data-task=\"{t}\"] \
                 {{ outline: 3px solid var(--accent); outline-offset: 1px; }}"
            ));
        }
        if let (true, Some(m)) = (at_stop, stop.highlight.mutex) {
            let name = css_string(&p.scenario.mutex_name(m));
            rules.push(format!(
                ".mutex-panel[data-mutex={name}] {{ outline: 3px solid var(--accent); outline-offset: 2px; }}"
            ));
        }
        rules.join("\n")
    };
    let last = k + 1 == p.stops.len();
    let next_label = if last { "Finish the lesson" } else { "Continue to the next stop →" };
    let body = match tour.phase {
        Phase::Done => html! {
            <div class="stop-body">
                <p class="verdict done" data-testid="lesson-done">
                    { format!("Lesson complete: {right} of {questions} predictions right.") }
                </p>
            </div>
        },
        Phase::Travelling => html! {
            <div class="stop-body">
                <p class="muted">{ format!("Playing to stop {}…", k + 1) }</p>
                <div class="row">
                    <button onclick={d.reform(|_| Action::TogglePlay)} data-testid="lesson-travel">
                        { "Play / pause" }
                    </button>
                    <button onclick={d.reform(move |_| Action::GoToStop(k))}>{ "Skip to the stop" }</button>
                </div>
            </div>
        },
        Phase::AtStop | Phase::Asking | Phase::ShowingWhy => {
            let question = stop.question.as_ref().map(|q| {
                let asking = tour.phase == Phase::Asking;
                html! {
                    <fieldset class="question" data-testid="question">
                        <legend>{ q.prompt.clone() }</legend>
                        <div class="choices" role="group" aria-label="Choices">
                            { for q.choices.iter().enumerate().map(|(i, c)| {
                                let class = answer.map(|a| {
                                    if i == q.answer { "right" } else if i == a.chosen { "wrong" } else { "" }
                                });
                                html! {
                                    <button class={classes!("choice", class)} disabled={!asking}
                                            aria-pressed={answer.map(|a| (a.chosen == i).to_string())}
                                            data-testid="choice"
                                            onclick={d.reform(move |_| Action::Answer(i))}>
                                        if asking && i < 8 { <kbd aria-hidden="true">{ i + 1 }</kbd>{ " " } }
                                        { c.clone() }
                                    </button>
                                }
                            }) }
                        </div>
                        if asking {
                            <p class="muted hint">
                                { "Predict, then see: the run waits for your answer (keys 1 to 8 pick too)." }
                            </p>
                        }
                        if let Some(a) = answer {
                            <p class={classes!("verdict", if a.right { "right" } else { "wrong" })}
                               data-testid="verdict">
                                { if a.right {
                                    "Right.".to_string()
                                } else {
                                    format!("Not quite: the answer is {}.", q.choices[q.answer])
                                } }
                            </p>
                            <p class="why" data-testid="why">{ q.why.clone() }</p>
                        }
                    </fieldset>
                }
            });
            let answered_or_none = stop.question.is_none() || answer.is_some();
            html! {
                <div class="stop-body">
                    <p class="stop-text" data-testid="stop-text">{ stop.text.clone() }</p>
                    { for question }
                    if answered_or_none {
                        <div class="row">
                            if answer.is_some() && tour.phase == Phase::AtStop {
                                <button onclick={d.reform(|_| Action::ShowWhy)} data-testid="show-why">
                                    { format!("Show why (play to step {})",
                                              stop.question.as_ref().map_or(0, |q| q.decided_at)) }
                                </button>
                            }
                            <button class="primary" onclick={d.reform(|_| Action::NextStop)} data-testid="next-stop"
                                    ref={next_button.clone()}>
                                { next_label }
                            </button>
                        </div>
                    }
                </div>
            }
        }
    };
    let stop_links = p.stops.iter().enumerate().map(|(i, s)| {
        let href = format!("#{}", props.link.stop_fragment(props.embed, i));
        let mark = match tour.answers.get(i).copied().flatten() {
            Some(a) if a.right => " ✓",
            Some(_) => " ✗",
            None if s.question.is_some() => " ?",
            None => "",
        };
        let onclick = d.reform(move |e: MouseEvent| {
            e.prevent_default();
            Action::GoToStop(i)
        });
        html! {
            <li key={i}>
                <a {href} {onclick} aria-current={(i == k).then_some("step")}
                   aria-label={format!("Stop {}{}", i + 1, match mark {
                       " ✓" => ", answered right", " ✗" => ", answered wrong", " ?" => ", asks a question", _ => "",
                   })}>
                    { format!("{}{mark}", i + 1) }
                </a>
            </li>
        }
    });
    html! {
        <section class="lesson" aria-label="Lesson" data-testid="lesson" data-phase={format!("{:?}", tour.phase)}>
            <style>{ highlight }</style>
            <header class="lesson-head">
                <h2>{ "Lesson" }<span class="count" data-testid="lesson-score">
                    { format!("{right} of {questions} right") }</span></h2>
                <h3>{ p.lesson.title.clone() }</h3>
                if !p.lesson.source.is_empty() { <p class="muted">{ p.lesson.source.clone() }</p> }
            </header>
            <nav aria-label="Stops of the lesson">
                <ol class="stops">{ for stop_links }</ol>
            </nav>
            <div aria-live="polite" data-testid="stop">
                <p class="stop-count">{ format!("Stop {} of {}", k + 1, p.stops.len()) }</p>
                { body }
            </div>
            <div class="row lesson-tools">
                <button onclick={d.reform(|_| Action::RestartLesson)}>{ "Restart" }</button>
                <button onclick={d.reform(|_| Action::CloseLesson)}>{ "Leave the lesson" }</button>
            </div>
        </section>
    }
}
