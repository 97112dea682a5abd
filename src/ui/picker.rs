//! The side column: the preset scenarios, and what the current one is about.

use super::state::{Action, Shared};
use crate::lesson::Lesson;
use crate::scenario::{Preset, Scenario};
use yew::prelude::*;

/// The list of presets and which one is open.
#[derive(Properties, PartialEq)]
pub struct PickerProps {
    /// Every preset, in the order the picker lists them.
    pub presets: Shared<Vec<Preset>>,
    /// The index of the preset the scenario came from, if it came from one.
    pub current: Option<usize>,
    /// The bundled lessons.
    pub lessons: Shared<Vec<Lesson>>,
    /// The id of the open lesson, if any.
    pub lesson: Option<String>,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// The preset scenarios, one button each; the open one is pressed. Below them, the
/// lessons.
#[function_component(Picker)]
pub fn picker(props: &PickerProps) -> Html {
    let lessons = html! {
        if !props.lessons.is_empty() {
            <h2 class="lessons-head">{ "Lessons" }</h2>
            <ul class="preset-list">
                { for props.lessons.iter().enumerate().map(|(i, l)| {
                    let current = props.lesson.as_deref() == Some(l.id.as_str());
                    html! {
                        <li key={l.id.clone()}>
                            <button class={classes!("preset", current.then_some("current"))}
                                    aria-pressed={current.to_string()} data-testid={format!("lesson-{}", l.id)}
                                    onclick={props.dispatch.reform(move |_| Action::OpenLesson(i))}>
                                <span class="preset-title">{ l.title.clone() }</span>
                                <span class="preset-id">{ l.source.clone() }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        }
    };
    html! {
        <nav class="picker" aria-label="Scenarios">
            <h2>{ "Scenarios" }</h2>
            if props.presets.is_empty() {
                <p class="muted">{ "No preset scenarios are available in this build." }</p>
            }
            <ul class="preset-list">
                { for props.presets.iter().enumerate().map(|(i, p)| {
                    let current = props.current == Some(i);
                    html! {
                        <li key={p.id}>
                            <button class={classes!("preset", current.then_some("current"))}
                                    aria-pressed={current.to_string()} data-testid={format!("preset-{}", p.id)}
                                    onclick={props.dispatch.reform(move |_| Action::SelectPreset(i))}>
                                <span class="preset-title">{ p.title }</span>
                                <span class="preset-id">{ p.id }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
            { lessons }
        </nav>
    }
}

/// The scenario whose explanation to show.
#[derive(Properties, PartialEq)]
pub struct ExplanationProps {
    /// Every preset.
    pub presets: Shared<Vec<Preset>>,
    /// The index of the preset the scenario came from, if it came from one.
    pub current: Option<usize>,
    /// Whether the scenario has been edited since (then it is explained by its own title
    /// and description, not the preset's).
    pub edited: bool,
    /// The scenario on screen.
    pub scenario: Shared<Scenario>,
}

/// What to watch for: a preset's explanation and the source text it comes from, or an
/// edited scenario's own title and description (and the preset it started from).
#[function_component(Explanation)]
pub fn explanation(props: &ExplanationProps) -> Html {
    let preset = props.current.and_then(|i| props.presets.get(i));
    let source = |p: &Preset| {
        html! {
            if !p.source.is_empty() {
                <details class="source">
                    <summary>{ "Where this comes from" }</summary>
                    <pre>{ p.source }</pre>
                </details>
            }
        }
    };
    if let (Some(p), false) = (preset, props.edited) {
        return html! {
            <section class="explain" aria-label="About this scenario" data-testid="explanation">
                <h2>{ p.title }</h2>
                <p>{ p.explanation }</p>
                { source(p) }
            </section>
        };
    }
    let s = &props.scenario;
    html! {
        <section class="explain" aria-label="About this scenario" data-testid="explanation">
            <h2>{ s.name.clone() }</h2>
            if s.description.trim().is_empty() {
                <p class="muted">{ "No description yet: the editor has a field for one." }</p>
            } else {
                <p>{ s.description.clone() }</p>
            }
            if let Some(p) = preset {
                <p class="muted">{ format!("Edited from the preset “{}”.", p.title) }</p>
                { source(p) }
            }
        </section>
    }
}
