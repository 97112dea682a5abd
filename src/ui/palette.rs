//! Task colours (Okabe–Ito, safe for the common colour-vision deficiencies), the letter
//! on each chip, and the colours of the timeline's lane states.

use crate::scenario::Scenario;
use crate::trace::TaskId;
use yew::prelude::*;

/// Okabe–Ito, with black replaced by a grey that reads on both themes.
const TASK_COLOURS: [(&str, &str); 8] = [
    ("#E69F00", "#1c1f24"),
    ("#56B4E9", "#1c1f24"),
    ("#009E73", "#ffffff"),
    ("#F0E442", "#1c1f24"),
    ("#0072B2", "#ffffff"),
    ("#D55E00", "#ffffff"),
    ("#CC79A7", "#1c1f24"),
    ("#8A8F98", "#ffffff"),
];

/// The fill and text colour of a task's chip.
pub fn task_colour(task: TaskId) -> (&'static str, &'static str) {
    TASK_COLOURS[task as usize % TASK_COLOURS.len()]
}

/// The short mark on a chip: A–Z, then numbers (colours repeat after eight tasks, so the
/// mark is what tells tasks apart).
pub fn task_mark(task: TaskId) -> String {
    if task < 26 {
        char::from(b'A' + task as u8).to_string()
    } else {
        (task + 1).to_string()
    }
}

pub fn task_name(scenario: &Scenario, task: TaskId) -> String {
    scenario.task_name(task)
}

pub fn mutex_name(scenario: &Scenario, mutex: u32) -> String {
    scenario.mutex_name(mutex)
}

/// A static chip (not animated): the task's colour and mark, its name for screen readers.
pub fn chip(scenario: &Scenario, task: TaskId, extra: &'static str) -> Html {
    let (bg, fg) = task_colour(task);
    let name = task_name(scenario, task);
    html! {
        <span class={classes!("chip", "chip-static", extra)} style={format!("--chip:{bg};--chip-fg:{fg}")}
              title={name.clone()} aria-label={format!("task {name}")} data-task={task.to_string()}>
            { task_mark(task) }
        </span>
    }
}

/// A word of jargon with its explanation, shown on hover and on keyboard focus, and read
/// by screen readers as the word's description. `id` must be unique on the page.
pub fn term(text: &str, id: &'static str, explanation: &'static str) -> Html {
    html! {
        <span class="term" tabindex="0" aria-describedby={id}>
            { text.to_string() }
            <span class="tip" role="tooltip" id={id}>{ explanation }</span>
        </span>
    }
}

/// Small inline icons (SVG, so they render without emoji fonts).
pub fn icon(name: &str) -> Html {
    let path = match name {
        "play" => "M5 3l9 5-9 5z",
        "pause" => "M4 3h3v10H4zM9 3h3v10H9z",
        "step" => "M3 3l7 5-7 5zM11 3h2v10h-2z",
        "back" => "M13 3L6 8l7 5zM3 3h2v10H3z",
        "reset" => "M3 3h2v10H3zM14 3L7 8l7 5z",
        "end" => "M2 3l6 5-6 5zM8 3l6 5-6 5zM13 3h2v10h-2z",
        "lock" => "M4 7V5a4 4 0 018 0v2h1v7H3V7zm2 0h4V5a2 2 0 00-4 0z",
        "unlock" => "M4 7V5a4 4 0 017.7-1.5l-1.8.8A2 2 0 006 5v2h7v7H3V7z",
        "copy" => "M5 1h9v10H5zM2 4h2v9h8v2H2z",
        "undo" => "M6 3L1 7l5 4V8h4a3 3 0 010 6H8v2h2a5 5 0 000-10H6z",
        _ => "",
    };
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" fill-rule="evenodd" />
        </svg>
    }
}
