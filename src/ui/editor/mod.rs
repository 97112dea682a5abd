//! The scenario editor: mutexes and tasks as forms. Each change builds a new scenario and
//! hands it to the reducer, which re-runs it; a `ScenarioError` is shown at the field its
//! path names (`tasks[2].steps[3]`), and the last good run stays on screen.

mod steps;

use super::state::{Action, Shared};
use crate::scenario::{MutexKind, MutexSpec, Scenario, ScenarioError, Step, TaskSpec};
use serde_json::Value;
use std::rc::Rc;
use steps::task_steps;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the editor edits.
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The scenario as edited so far (it may not be valid).
    pub scenario: Shared<Scenario>,
    /// Why it cannot run, if it cannot: shown at the field its path names.
    pub error: Option<ScenarioError>,
    /// The reducer's dispatcher: each change is an [`Action::Edit`].
    pub dispatch: Callback<Action>,
}

/// The new value of the field an event comes from (`"true"`/`"false"` for a checkbox).
fn value_of(e: &Event) -> String {
    let Some(t) = e.target() else { return String::new() };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        if i.type_() == "checkbox" {
            return i.checked().to_string();
        }
        return i.value();
    }
    if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        return s.value();
    }
    String::new()
}

/// A field's text as JSON, or (if it is not JSON) as a string.
fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// Editing context shared by the form builders.
#[derive(Clone)]
struct Ed {
    scenario: Rc<Scenario>,
    on_edit: Callback<Scenario>,
    error: Option<ScenarioError>,
}

impl Ed {
    /// A click that edits the scenario.
    fn click(&self, f: impl Fn(&mut Scenario) + 'static) -> Callback<MouseEvent> {
        let (s, on) = (self.scenario.clone(), self.on_edit.clone());
        Callback::from(move |_| {
            let mut next = (*s).clone();
            f(&mut next);
            on.emit(next);
        })
    }

    /// A field change that edits the scenario with the field's new text.
    fn change(&self, f: impl Fn(&mut Scenario, String) + 'static) -> Callback<Event> {
        let (s, on) = (self.scenario.clone(), self.on_edit.clone());
        Callback::from(move |e: Event| {
            let mut next = (*s).clone();
            f(&mut next, value_of(&e));
            on.emit(next);
        })
    }

    /// The error if it is about exactly this place (or one of its own fields, not a
    /// nested list).
    fn error_at(&self, path: &str) -> Option<String> {
        let e = self.error.as_ref()?;
        let rest = e.path.strip_prefix(path)?;
        let own = rest.is_empty() || (rest.starts_with('.') && !rest.starts_with(".steps["));
        own.then(|| e.to_string())
    }

    fn field_error(&self, path: &str) -> Html {
        match self.error_at(path) {
            Some(text) => {
                html! {
                    <p class="field-error" role="alert" data-testid="field-error" data-path={path.to_string()}>
                        { text }
                    </p>
                }
            }
            None => html! {},
        }
    }
}

fn task_card(ed: &Ed, t: usize, task: &TaskSpec, count: usize) -> Html {
    let path = format!("tasks[{t}]");
    let text = |label: &str, value: String, kind: &'static str, field: &str, set: fn(&mut TaskSpec, String)| {
        let p = format!("{path}.{field}");
        let invalid = ed.error.as_ref().is_some_and(|e| e.path == p);
        let onchange = ed.change(move |s, v| {
            if let Some(task) = s.tasks.get_mut(t) {
                set(task, v);
            }
        });
        html! {
            <label>{ format!("{label} ") }
                <input type={kind} value={value} aria-label={format!("{path}: {label}")}
                       aria-invalid={invalid.to_string()} data-field={p} {onchange} />
            </label>
        }
    };
    let mv = |delta: isize| {
        ed.click(move |s| {
            let j = t as isize + delta;
            if j >= 0 && (j as usize) < s.tasks.len() {
                s.tasks.swap(t, j as usize);
            }
        })
    };
    let dup = ed.click(move |s| {
        if let Some(mut x) = s.tasks.get(t).cloned() {
            let base = x.name.clone();
            let mut n = 2;
            while s.tasks.iter().any(|o| o.name == format!("{base} {n}")) {
                n += 1;
            }
            x.name = format!("{base} {n}");
            s.tasks.insert(t + 1, x);
        }
    });
    let del = ed.click(move |s| {
        if t < s.tasks.len() {
            s.tasks.remove(t);
        }
    });
    let on_forever = ed.change(move |s, v| {
        if let Some(task) = s.tasks.get_mut(t) {
            task.forever = v == "true";
        }
    });
    html! {
        <li class="task-card" data-testid="task-card">
            <fieldset>
                <legend>{ super::palette::chip(&ed.scenario, t as u32, "") }{ " " }{ task.name.clone() }</legend>
                <div class="fields">
                    { text("name", task.name.clone(), "text", "name", |t, v| t.name = v) }
                    { text("start ms", task.start_ms.to_string(), "number", "start_ms", |t, v| {
                        t.start_ms = v.trim().parse().unwrap_or(t.start_ms)
                    }) }
                    { text("repeat", task.repeat.to_string(), "number", "repeat", |t, v| {
                        t.repeat = v.trim().parse().unwrap_or(t.repeat)
                    }) }
                    <label class="check">
                        <input type="checkbox" checked={task.forever} onchange={on_forever}
                               aria-label={format!("{path}: forever")} />
                        { " forever" }
                    </label>
                    <span class="row-buttons">
                        <button aria-label={format!("Move task {} up", task.name)} disabled={t == 0} onclick={mv(-1)}>
                            { "↑" }
                        </button>
                        <button aria-label={format!("Move task {} down", task.name)} disabled={t + 1 >= count}
                                onclick={mv(1)}>{ "↓" }</button>
                        <button aria-label={format!("Duplicate task {}", task.name)} onclick={dup}>
                            { super::palette::icon("copy") }
                        </button>
                        <button aria-label={format!("Remove task {}", task.name)} data-testid="remove-task"
                                onclick={del}>
                            { "✕" }
                        </button>
                    </span>
                </div>
                { ed.field_error(&path) }
                { task_steps(ed, t, &task.steps) }
            </fieldset>
        </li>
    }
}

fn mutex_row(ed: &Ed, i: usize, m: &MutexSpec) -> Html {
    let path = format!("mutexes[{i}]");
    let on_name = ed.change(move |s, v| {
        if let Some(m) = s.mutexes.get_mut(i) {
            m.name = v;
        }
    });
    let on_kind = ed.change(move |s, v| {
        if let Some(m) = s.mutexes.get_mut(i) {
            m.kind = match v.as_str() {
                "watch" => MutexKind::Watch,
                "blocking" => MutexKind::Blocking,
                _ => MutexKind::Async,
            };
        }
    });
    let on_initial = ed.change(move |s, v| {
        if let Some(m) = s.mutexes.get_mut(i) {
            m.initial = parse_json(&v);
        }
    });
    let del = ed.click(move |s| {
        if i < s.mutexes.len() {
            s.mutexes.remove(i);
        }
    });
    let kind = m.kind;
    html! {
        <li class="mutex-row" data-testid="mutex-row">
            <div class="fields">
                <label>{ "name " }
                    <input type="text" value={m.name.clone()} aria-label={format!("{path}: name")}
                           data-field={format!("{path}.name")} onchange={on_name} />
                </label>
                <label>{ "kind " }
                    <select aria-label={format!("{path}: kind")} onchange={on_kind}>
                        <option value="async" selected={kind == MutexKind::Async}>{ "async Mutex" }</option>
                        <option value="watch" selected={kind == MutexKind::Watch}>{ "wake-on-write cell" }</option>
                        <option value="blocking" selected={kind == MutexKind::Blocking}>{ "blocking (std)" }</option>
                    </select>
                </label>
                <label>{ "initial (JSON) " }
                    <input type="text" value={m.initial.to_string()} aria-label={format!("{path}: initial value")}
                           onchange={on_initial} />
                </label>
                <button aria-label={format!("Remove mutex {}", m.name)} onclick={del}>{ "✕" }</button>
            </div>
            { ed.field_error(&path) }
        </li>
    }
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let ed = Ed {
        scenario: props.scenario.0.clone(),
        on_edit: props.dispatch.reform(Action::Edit),
        error: props.error.clone(),
    };
    let s = &ed.scenario;
    let add_mutex = ed.click(|s| {
        let mut n = s.mutexes.len() + 1;
        while s.mutexes.iter().any(|m| m.name == format!("m{n}")) {
            n += 1;
        }
        s.mutexes.push(MutexSpec { name: format!("m{n}"), kind: MutexKind::Async, initial: Value::from(0) });
    });
    let add_task = ed.click(|s| {
        let mutex = s.mutexes.first().map_or_else(|| "m".to_string(), |m| m.name.clone());
        let mut n = s.tasks.len() + 1;
        while s.tasks.iter().any(|t| t.name == format!("task {n}")) {
            n += 1;
        }
        s.tasks.push(TaskSpec {
            name: format!("task {n}"),
            start_ms: 0,
            repeat: 1,
            forever: false,
            steps: vec![Step::Lock { mutex: mutex.clone() }, Step::Sleep { ms: 100 }, Step::Unlock { mutex }],
        });
    });
    let own_error = props.error.as_ref().filter(|e| !(e.path.starts_with("tasks[") || e.path.starts_with("mutexes[")));
    html! {
        <section class="editor" aria-label="Scenario editor" data-testid="editor">
            if let Some(e) = &props.error {
                <p class="error-banner" role="alert" data-testid="scenario-error">
                    <strong>{ "This scenario cannot run: " }</strong>{ e.to_string() }
                    <span class="muted">{ " The last good run stays on screen." }</span>
                </p>
            }
            if let Some(e) = own_error {
                <p class="field-error" data-testid="field-error">{ e.to_string() }</p>
            }
            <h3>{ "Mutexes" }</h3>
            <ul class="mutex-rows">{ for s.mutexes.iter().enumerate().map(|(i, m)| mutex_row(&ed, i, m)) }</ul>
            <button class="add" onclick={add_mutex} data-testid="add-mutex">{ "+ mutex" }</button>
            <h3>{ "Tasks" }</h3>
            <ul class="task-cards">
                { for s.tasks.iter().enumerate().map(|(t, task)| task_card(&ed, t, task, s.tasks.len())) }
            </ul>
            <button class="add" onclick={add_task} data-testid="add-task">{ "+ task" }</button>
        </section>
    }
}
