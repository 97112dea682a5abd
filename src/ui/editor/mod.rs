//! The scenario editor: the title and description, mutexes and tasks as forms. Each change
//! builds a new scenario and hands it to the reducer, which re-runs it; every problem of
//! the scenario ([`Scenario::problems`]) is shown at the field its path names
//! (`tasks[2].steps[3]`), and the last good run stays on screen. A field that must hold
//! JSON keeps what was typed, with the reason, until it is JSON.

mod steps;

use super::palette::{chip, icon};
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
    if let Some(a) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return a.value();
    }
    String::new()
}

/// A field's text as JSON, or why it is not: text must be quoted to be a string.
fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text.trim()).map_err(|e| {
        let quoted = serde_json::to_string(text.trim()).unwrap_or_default();
        format!("this is not JSON ({e}); to store it as text, put it in quotes: {quoted}")
    })
}

/// A field whose text is not JSON: where it is, what was typed, and why it cannot be used.
#[derive(Clone, PartialEq)]
struct Typed {
    path: String,
    text: String,
    why: String,
}

/// Editing context shared by the form builders.
#[derive(Clone)]
struct Ed {
    scenario: Rc<Scenario>,
    on_edit: Callback<Scenario>,
    /// Every problem of the scenario, each shown at its field.
    problems: Rc<Vec<ScenarioError>>,
    /// The JSON field, if any, whose text is not JSON yet.
    typed: UseStateHandle<Option<Typed>>,
}

impl Ed {
    /// Hands the edited scenario on (a field left with text that was not JSON reverts).
    fn emit(&self, next: Scenario) {
        if self.typed.is_some() {
            self.typed.set(None);
        }
        self.on_edit.emit(next);
    }

    /// A click that edits the scenario.
    fn click(&self, f: impl Fn(&mut Scenario) + 'static) -> Callback<MouseEvent> {
        let ed = self.clone();
        Callback::from(move |_| {
            let mut next = (*ed.scenario).clone();
            f(&mut next);
            ed.emit(next);
        })
    }

    /// A field change that edits the scenario with the field's new text.
    fn change(&self, f: impl Fn(&mut Scenario, String) + 'static) -> Callback<Event> {
        let ed = self.clone();
        Callback::from(move |e: Event| {
            let mut next = (*ed.scenario).clone();
            f(&mut next, value_of(&e));
            ed.emit(next);
        })
    }

    /// A text field that holds JSON, at `path`: what is not JSON is kept as typed, with
    /// the reason, and changes nothing until it is.
    fn json_field(
        &self,
        (label, aria): (&str, String),
        path: String,
        current: &Value,
        set: impl Fn(&mut Scenario, Value) + 'static,
    ) -> Html {
        let typed = self.typed.as_ref().filter(|t| t.path == path).cloned();
        let onchange = {
            let (ed, path) = (self.clone(), path.clone());
            Callback::from(move |e: Event| {
                let text = value_of(&e);
                match parse_json(&text) {
                    Ok(value) => {
                        let mut next = (*ed.scenario).clone();
                        set(&mut next, value);
                        ed.emit(next);
                    }
                    Err(why) => ed.typed.set(Some(Typed { path: path.clone(), text, why })),
                }
            })
        };
        let invalid = typed.is_some() || self.error_at(&path).is_some();
        html! {
            <>
                <label>{ format!("{label} ") }
                    <input type="text" value={typed.as_ref().map_or_else(|| current.to_string(), |t| t.text.clone())}
                           aria-label={aria} aria-invalid={invalid.to_string()} data-field={path.clone()} {onchange} />
                </label>
                if let Some(t) = typed {
                    <p class="field-error" role="alert" data-testid="json-error" data-path={path}>{ t.why }</p>
                }
            </>
        }
    }

    /// The problem, if any, about exactly this place (or one of its own fields, or a nested
    /// list as a whole: not a step in one, which its own row shows).
    fn error_at(&self, path: &str) -> Option<&ScenarioError> {
        let nested = |rest: &str| [".steps[", ".locked[", ".timed_out["].iter().any(|p| rest.starts_with(p));
        self.problems.iter().find(|e| {
            e.path.strip_prefix(path).is_some_and(|rest| rest.is_empty() || (rest.starts_with('.') && !nested(rest)))
        })
    }

    /// The problem at this place, in words, under its fields.
    fn field_error(&self, path: &str) -> Html {
        match self.error_at(path) {
            Some(e) => html! {
                <p class="field-error" role="alert" data-testid="field-error" data-path={path.to_string()}>
                    { e.message.clone() }
                </p>
            },
            None => html! {},
        }
    }
}

/// Removes the `join` steps of a list, nested ones too (a copy of main cannot join).
fn drop_joins(steps: &mut Vec<Step>) {
    steps.retain_mut(|step| match step {
        Step::Join { .. } => false,
        _ => {
            step.bodies_mut().for_each(|(_, body)| drop_joins(body));
            true
        }
    });
}

/// One task: its name, start, repetitions, buttons, problem and steps.
fn task_card(ed: &Ed, t: usize, task: &TaskSpec, count: usize) -> Html {
    let path = format!("tasks[{t}]");
    let who = format!("task {}", task.name);
    let text = |label: &str, value: String, kind: &'static str, field: &str, set: fn(&mut TaskSpec, String)| {
        let p = format!("{path}.{field}");
        let invalid = ed.error_at(&p).is_some_and(|e| e.path == p);
        let onchange = ed.change(move |s, v| {
            if let Some(task) = s.tasks.get_mut(t) {
                set(task, v);
            }
        });
        html! {
            <label>{ format!("{label} ") }
                <input type={kind} value={value} aria-label={format!("{who}: {label}")}
                       aria-invalid={invalid.to_string()} data-field={p} {onchange} />
            </label>
        }
    };
    // Moves, copies and removals renumber the joins, so each still waits for its task.
    let mv = |delta: isize| {
        ed.click(move |s| {
            let j = t as isize + delta;
            if j >= 0 && (j as usize) < s.tasks.len() {
                s.swap_tasks(t, j as usize);
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
            // A copy of main is a spawned task (a program has one main).
            if x.main {
                x.main = false;
                drop_joins(&mut x.steps);
            }
            s.insert_task(t + 1, x);
        }
    });
    let del = ed.click(move |s| {
        s.remove_task(t);
    });
    let on_forever = ed.change(move |s, v| {
        if let Some(task) = s.tasks.get_mut(t) {
            task.forever = v == "true";
        }
    });
    let on_main = ed.change(move |s, v| {
        if let Some(task) = s.tasks.get_mut(t) {
            task.main = v == "true";
        }
    });
    html! {
        <li class="task-card" data-testid="task-card">
            <fieldset>
                <legend>{ chip(&ed.scenario, t as u32, "") }{ " " }{ task.name.clone() }</legend>
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
                               aria-label={format!("{who}: forever")} />
                        { " forever" }
                    </label>
                    // The first task can be main; another only shows it to be unchecked.
                    if t == 0 || task.main {
                        <label class="check" title="The program's async fn main: polled first, it may join the others">
                            <input type="checkbox" checked={task.main} onchange={on_main}
                                   aria-label={format!("{who}: main task")}
                                   aria-invalid={ed.error_at(&format!("{path}.main")).is_some().to_string()}
                                   data-field={format!("{path}.main")} />
                            { " main" }
                        </label>
                    }
                    <span class="row-buttons">
                        <button aria-label={format!("Move {who} up")} title="Move up" disabled={t == 0}
                                onclick={mv(-1)}>{ "↑" }</button>
                        <button aria-label={format!("Move {who} down")} title="Move down" disabled={t + 1 >= count}
                                onclick={mv(1)}>{ "↓" }</button>
                        <button aria-label={format!("Duplicate {who}")} title="Duplicate" onclick={dup}>
                            { icon("copy") }
                        </button>
                        <button aria-label={format!("Remove {who}")} title="Remove" data-testid="remove-task"
                                onclick={del}>
                            { "✕" }
                        </button>
                    </span>
                </div>
                { ed.field_error(&path) }
                { task_steps(ed, t, task) }
            </fieldset>
        </li>
    }
}

/// The mutex kinds' menu labels, in [`MutexKind::NAMES`] order.
const KIND_LABELS: [&str; 8] = [
    "async Mutex (FIFO)",
    "wake-on-write cell",
    "blocking (std)",
    "barging",
    "LIFO hand-off",
    "eventually fair",
    "RwLock (FIFO)",
    "Semaphore",
];

/// One mutex: its name (renaming it renames it in every step), kind and initial value.
fn mutex_row(ed: &Ed, i: usize, m: &MutexSpec) -> Html {
    let path = format!("mutexes[{i}]");
    let who = format!("mutex {}", m.name);
    let on_name = ed.change(move |s, v| {
        if let Some(old) = s.mutexes.get(i).map(|m| m.name.clone()) {
            s.rename_mutex(&old, &v);
        }
    });
    let on_kind = ed.change(move |s, v| {
        if let (Some(m), Some(kind)) = (s.mutexes.get_mut(i), MutexKind::named(&v)) {
            m.kind = kind;
            // A semaphore guards no value.
            if !kind.has_value() {
                m.initial = Value::Null;
            }
        }
    });
    // The kind's parameter: a semaphore's permits, an eventually fair mutex's threshold.
    let param = |label: &str, field: &str, value: u64| {
        let p = format!("{path}.{field}");
        let invalid = ed.error_at(&p).is_some_and(|e| e.path == p);
        let onchange = ed.change(move |s, v| {
            let Some(m) = s.mutexes.get_mut(i) else { return };
            match &mut m.kind {
                MutexKind::Semaphore { permits } => *permits = v.trim().parse().unwrap_or(*permits),
                MutexKind::EventuallyFair { after_ms } => *after_ms = v.trim().parse().unwrap_or(*after_ms),
                _ => {}
            }
        });
        html! {
            <label>{ format!("{label} ") }
                <input type="number" min="0" value={value.to_string()} aria-label={format!("{who}: {label}")}
                       aria-invalid={invalid.to_string()} data-field={p} {onchange} />
            </label>
        }
    };
    let param = match m.kind {
        MutexKind::Semaphore { permits } => param("permits", "permits", u64::from(permits)),
        MutexKind::EventuallyFair { after_ms } => param("fair after ms", "fair_after_ms", after_ms),
        _ => html! {},
    };
    let del = ed.click(move |s| {
        if i < s.mutexes.len() {
            s.mutexes.remove(i);
        }
    });
    let kind = m.kind.name();
    let initial = m.kind.has_value().then(|| {
        ed.json_field(
            ("initial (JSON)", format!("{who}: initial value")),
            format!("{path}.initial"),
            &m.initial,
            move |s, v| {
                if let Some(m) = s.mutexes.get_mut(i) {
                    m.initial = v;
                }
            },
        )
    });
    html! {
        <li class="mutex-row" data-testid="mutex-row">
            <div class="fields">
                <label>{ "name " }
                    <input type="text" value={m.name.clone()} aria-label={format!("{who}: name")}
                           title="Renaming it renames it in every step too"
                           data-field={format!("{path}.name")} onchange={on_name} />
                </label>
                <label>{ "kind " }
                    <select aria-label={format!("{who}: kind")} data-value={kind} onchange={on_kind}>
                        { for MutexKind::NAMES.iter().zip(KIND_LABELS).map(|(value, label)| html! {
                            <option value={*value} selected={*value == kind}>{ label }</option>
                        }) }
                    </select>
                </label>
                { param }
                { initial }
                <button aria-label={format!("Remove {who}")} title="Remove" onclick={del}>{ "✕" }</button>
            </div>
            { ed.field_error(&path) }
        </li>
    }
}

/// A scenario to start from: one mutex, one task that locks it, sleeps and unlocks.
fn blank() -> Scenario {
    Scenario {
        name: "my scenario".into(),
        description: String::new(),
        mutexes: vec![MutexSpec { name: "m".into(), kind: MutexKind::Async, initial: Value::from(0) }],
        tasks: vec![TaskSpec {
            name: "task 1".into(),
            main: false,
            start_ms: 0,
            repeat: 1,
            forever: false,
            steps: vec![Step::Lock { mutex: "m".into() }, Step::Sleep { ms: 100 }, Step::Unlock { mutex: "m".into() }],
        }],
        limits: Default::default(),
    }
}

/// Keeps each menu showing its own value: a `<select>` whose options were chosen by hand
/// no longer follows their `selected` attributes, so a row reused for another step (after
/// a task is added or a step removed) would show the old choice. Each menu carries its
/// value in `data-value`, set as the element's value after every render.
fn sync_menus(root: &web_sys::Element) {
    let Ok(menus) = root.query_selector_all("select[data-value]") else { return };
    for i in 0..menus.length() {
        if let Some(select) = menus.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            let value = select.get_attribute("data-value").unwrap_or_default();
            if select.value() != value {
                select.set_value(&value);
            }
        }
    }
}

/// The scenario editor.
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let typed = use_state(|| None::<Typed>);
    let problems = use_memo(props.scenario.clone(), |s| s.problems());
    let root = use_node_ref();
    {
        let root = root.clone();
        use_effect(move || {
            if let Some(root) = root.cast::<web_sys::Element>() {
                sync_menus(&root);
            }
        });
    }
    let ed = Ed { scenario: props.scenario.0.clone(), on_edit: props.dispatch.reform(Action::Edit), problems, typed };
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
            main: false,
            start_ms: 0,
            repeat: 1,
            forever: false,
            steps: vec![Step::Lock { mutex: mutex.clone() }, Step::Sleep { ms: 100 }, Step::Unlock { mutex }],
        });
    });
    let on_title = ed.change(|s, v| s.name = v);
    let on_description = ed.change(|s, v| s.description = v);
    let start_blank = props.dispatch.reform(|_| Action::Load(blank()));
    // Problems of the whole scenario, or of no field the form shows, are listed at the top.
    let shown = |p: &str| p.starts_with("tasks[") || p.starts_with("mutexes[") || p == "name" || p == "description";
    let elsewhere: Vec<&ScenarioError> = ed.problems.iter().filter(|e| !shown(&e.path)).collect();
    let count = ed.problems.len();
    html! {
        <section class="editor" aria-label="Scenario editor" data-testid="editor" ref={root}>
            if count > 0 {
                <p class="error-banner" role="alert" data-testid="scenario-error">
                    <strong>{ "This scenario cannot run: " }</strong>
                    { if count == 1 { ed.problems[0].to_string() } else {
                        format!("{count} problems, each shown at its field; the first: {}", ed.problems[0])
                    } }
                    <span class="muted">{ " The last good run stays on screen." }</span>
                </p>
            }
            { for elsewhere.iter().map(|e| html! {
                <p class="field-error" data-testid="field-error">{ e.to_string() }</p>
            }) }
            <div class="fields scenario-fields">
                <label>{ "title " }
                    <input type="text" value={s.name.clone()} aria-label="Scenario title" data-field="name"
                           aria-invalid={ed.error_at("name").is_some().to_string()} onchange={on_title} />
                </label>
                <button class="add" onclick={start_blank} data-testid="blank-scenario"
                        title="Replace this scenario with one mutex and one task">{ "Start from blank" }</button>
            </div>
            { ed.field_error("name") }
            <label class="description">{ "description " }
                <textarea rows="2" value={s.description.clone()} aria-label="Scenario description"
                          data-field="description" onchange={on_description} />
            </label>
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
