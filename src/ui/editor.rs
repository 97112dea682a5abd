//! The scenario editor: mutexes and tasks as forms. Each change builds a new scenario and
//! hands it to the reducer, which re-runs it; a `ScenarioError` is shown at the field its
//! path names (`tasks[2].steps[3]`), and the last good run stays on screen.

use super::state::{Action, Shared};
use crate::scenario::{Condition, MutexKind, MutexSpec, Scenario, ScenarioError, Step, TaskSpec, WriteAction};
use serde_json::Value;
use std::rc::Rc;
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

const OPS: [(&str, &str); 14] = [
    ("lock", "lock().await (keep the guard)"),
    ("unlock", "drop the guard"),
    ("try_lock", "try_lock()"),
    ("locked_write", "*lock().await = … (temporary guard)"),
    ("write", "write through the held guard"),
    ("read", "read the value"),
    ("dbg", "dbg!(value)"),
    ("print", "println!"),
    ("sleep", "sleep(ms).await"),
    ("busy", "busy work, no yield"),
    ("yield", "yield_now().await"),
    ("repeat", "repeat (a loop)"),
    ("wait_until", "wait for a write (wake-on-write)"),
    ("broken_wait", "poll_fn try_lock (lost wake-up bug)"),
];

fn op_of(step: &Step) -> &'static str {
    match step {
        Step::Lock { .. } => "lock",
        Step::Unlock { .. } => "unlock",
        Step::TryLock { .. } => "try_lock",
        Step::LockedWrite { .. } => "locked_write",
        Step::Write { .. } => "write",
        Step::Read { .. } => "read",
        Step::Dbg { .. } => "dbg",
        Step::Print { .. } => "print",
        Step::Sleep { .. } => "sleep",
        Step::Busy { .. } => "busy",
        Step::Yield => "yield",
        Step::Repeat { .. } => "repeat",
        Step::WaitUntil { .. } => "wait_until",
        Step::BrokenWait { .. } => "broken_wait",
    }
}

/// A fresh step of kind `op`, keeping the mutex of the step it replaces.
fn new_step(op: &str, mutex: String) -> Step {
    match op {
        "lock" => Step::Lock { mutex },
        "unlock" => Step::Unlock { mutex },
        "try_lock" => Step::TryLock { mutex },
        "locked_write" => Step::LockedWrite { mutex, action: WriteAction::Increment { by: 1 } },
        "write" => Step::Write { mutex, action: WriteAction::Increment { by: 1 } },
        "read" => Step::Read { mutex, key: None },
        "dbg" => Step::Dbg { name: "value".into() },
        "print" => Step::Print { text: "hello".into() },
        "busy" => Step::Busy { ms: 10 },
        "yield" => Step::Yield,
        "repeat" => Step::Repeat { times: 2, steps: vec![Step::Yield] },
        "wait_until" => Step::WaitUntil { mutex, until: Condition::NonEmpty, take: false },
        "broken_wait" => Step::BrokenWait { mutex, until: Condition::NonEmpty, take: false },
        _ => Step::Sleep { ms: 100 },
    }
}

/// The step list at `path` (task, then indices of nested `repeat` steps).
fn steps_mut<'a>(s: &'a mut Scenario, task: usize, nest: &[usize]) -> Option<&'a mut Vec<Step>> {
    let mut steps = &mut s.tasks.get_mut(task)?.steps;
    for &i in nest {
        match steps.get_mut(i)? {
            Step::Repeat { steps: inner, .. } => steps = inner,
            _ => return None,
        }
    }
    Some(steps)
}

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
                html! { <p class="field-error" role="alert" data-testid="field-error" data-path={path.to_string()}>{ text }</p> }
            }
            None => html! {},
        }
    }
}

fn mutex_select(
    ed: &Ed,
    current: &str,
    path: String,
    set: impl Fn(&mut Step, String) + 'static,
    task: usize,
    nest: Vec<usize>,
    i: usize,
) -> Html {
    let mut names: Vec<String> = ed.scenario.mutexes.iter().map(|m| m.name.clone()).collect();
    if !names.iter().any(|n| n == current) {
        names.push(current.to_string());
    }
    let onchange = ed.change(move |s, v| {
        if let Some(step) = steps_mut(s, task, &nest).and_then(|st| st.get_mut(i)) {
            set(step, v);
        }
    });
    html! {
        <label>{ "mutex " }
            <select aria-label={format!("{path}: mutex")} {onchange}>
                { for names.into_iter().map(|n| html! { <option value={n.clone()} selected={n == current}>{ n.clone() }</option> }) }
            </select>
        </label>
    }
}

/// A text/number field of step `i` of the list at (`task`, `nest`).
// Nine arguments: the editor rows are to become components with `Properties` (issue 12).
#[allow(clippy::too_many_arguments)]
fn step_field(
    ed: &Ed,
    label: &str,
    value: String,
    kind: &'static str,
    path: String,
    task: usize,
    nest: Vec<usize>,
    i: usize,
    set: impl Fn(&mut Step, String) + 'static,
) -> Html {
    let onchange = ed.change(move |s, v| {
        if let Some(step) = steps_mut(s, task, &nest).and_then(|st| st.get_mut(i)) {
            set(step, v);
        }
    });
    let invalid = ed.error.as_ref().is_some_and(|e| e.path.starts_with(&path));
    html! {
        <label>{ format!("{label} ") }
            <input type={kind} value={value} aria-label={format!("{path}: {label}")} aria-invalid={invalid.to_string()}
                   data-field={path} {onchange} />
        </label>
    }
}

fn action_fields(ed: &Ed, action: &WriteAction, path: String, task: usize, nest: Vec<usize>, i: usize) -> Html {
    let kind = match action {
        WriteAction::Set { .. } => "set",
        WriteAction::Increment { .. } => "increment",
        WriteAction::SetNow => "set_now",
        WriteAction::InsertNow { .. } => "insert_now",
        WriteAction::Push { .. } => "push",
    };
    let set_action = |step: &mut Step, a: WriteAction| match step {
        Step::Write { action, .. } | Step::LockedWrite { action, .. } => *action = a,
        _ => {}
    };
    let onchange = {
        let nest = nest.clone();
        ed.change(move |s, v| {
            let a = match v.as_str() {
                "set" => WriteAction::Set { value: Value::from(0) },
                "set_now" => WriteAction::SetNow,
                "insert_now" => WriteAction::InsertNow { key: "key".into() },
                "push" => WriteAction::Push { value: Value::from(1) },
                _ => WriteAction::Increment { by: 1 },
            };
            if let Some(step) = steps_mut(s, task, &nest).and_then(|st| st.get_mut(i)) {
                set_action(step, a);
            }
        })
    };
    let extra = match action {
        WriteAction::Set { value } | WriteAction::Push { value } => {
            let is_set = matches!(action, WriteAction::Set { .. });
            step_field(
                ed,
                "value (JSON)",
                value.to_string(),
                "text",
                format!("{path}.action.value"),
                task,
                nest,
                i,
                move |step, v| {
                    let value = parse_json(&v);
                    set_action(step, if is_set { WriteAction::Set { value } } else { WriteAction::Push { value } });
                },
            )
        }
        WriteAction::Increment { by } => step_field(
            ed,
            "by",
            by.to_string(),
            "number",
            format!("{path}.action.by"),
            task,
            nest,
            i,
            move |step, v| set_action(step, WriteAction::Increment { by: v.trim().parse().unwrap_or(1) }),
        ),
        WriteAction::InsertNow { key } => {
            step_field(ed, "key", key.clone(), "text", format!("{path}.action.key"), task, nest, i, move |step, v| {
                set_action(step, WriteAction::InsertNow { key: v })
            })
        }
        WriteAction::SetNow => html! {},
    };
    html! {
        <>
            <label>{ "write " }
                <select aria-label={format!("{path}: write kind")} {onchange}>
                    { for [("increment", "+= by"), ("set", "set"), ("set_now", "set(now)"), ("insert_now", "insert(key, now)"), ("push", "push")].iter().map(|(v, l)| html! {
                        <option value={*v} selected={*v == kind}>{ *l }</option>
                    }) }
                </select>
            </label>
            { extra }
        </>
    }
}

fn condition_fields(
    ed: &Ed,
    until: &Condition,
    take: bool,
    path: String,
    task: usize,
    nest: Vec<usize>,
    i: usize,
) -> Html {
    let kind = match until {
        Condition::NonEmpty => "non_empty",
        Condition::AtLeast { .. } => "at_least",
        Condition::Equals { .. } => "equals",
    };
    let set_cond = |step: &mut Step, c: Condition| match step {
        Step::WaitUntil { until, .. } | Step::BrokenWait { until, .. } => *until = c,
        _ => {}
    };
    let onchange = {
        let nest = nest.clone();
        ed.change(move |s, v| {
            let c = match v.as_str() {
                "at_least" => Condition::AtLeast { value: 1 },
                "equals" => Condition::Equals { value: Value::from(1) },
                _ => Condition::NonEmpty,
            };
            if let Some(step) = steps_mut(s, task, &nest).and_then(|st| st.get_mut(i)) {
                set_cond(step, c);
            }
        })
    };
    let extra = match until {
        Condition::AtLeast { value } => step_field(
            ed,
            "at least",
            value.to_string(),
            "number",
            format!("{path}.until.value"),
            task,
            nest.clone(),
            i,
            move |step, v| set_cond(step, Condition::AtLeast { value: v.trim().parse().unwrap_or(0) }),
        ),
        Condition::Equals { value } => step_field(
            ed,
            "equals (JSON)",
            value.to_string(),
            "text",
            format!("{path}.until.value"),
            task,
            nest.clone(),
            i,
            move |step, v| set_cond(step, Condition::Equals { value: parse_json(&v) }),
        ),
        Condition::NonEmpty => html! {},
    };
    let on_take = ed.change(move |s, v| {
        if let Some(Step::WaitUntil { take, .. } | Step::BrokenWait { take, .. }) =
            steps_mut(s, task, &nest).and_then(|st| st.get_mut(i))
        {
            *take = v == "true";
        }
    });
    html! {
        <>
            <label>{ "until " }
                <select aria-label={format!("{path}: condition")} {onchange}>
                    <option value="non_empty" selected={kind == "non_empty"}>{ "non-empty" }</option>
                    <option value="at_least" selected={kind == "at_least"}>{ "at least" }</option>
                    <option value="equals" selected={kind == "equals"}>{ "equals" }</option>
                </select>
            </label>
            { extra }
            <label class="check"><input type="checkbox" checked={take} onchange={on_take} aria-label={format!("{path}: take the value")} />{ " take" }</label>
        </>
    }
}

fn step_row(ed: &Ed, step: &Step, task: usize, nest: &[usize], i: usize, len: usize, list_path: &str) -> Html {
    let path = format!("{list_path}[{i}]");
    let nest_v = nest.to_vec();
    let op = op_of(step);
    let on_op = {
        let nest = nest_v.clone();
        ed.change(move |s, v| {
            let fallback = s.mutexes.first().map_or_else(|| "m".to_string(), |m| m.name.clone());
            if let Some(step) = steps_mut(s, task, &nest).and_then(|st| st.get_mut(i)) {
                let mutex = step.mutex().map_or(fallback, str::to_string);
                *step = new_step(&v, mutex);
            }
        })
    };
    let mv = |delta: isize| {
        let nest = nest_v.clone();
        ed.click(move |s| {
            if let Some(st) = steps_mut(s, task, &nest) {
                let j = i as isize + delta;
                if j >= 0 && (j as usize) < st.len() {
                    st.swap(i, j as usize);
                }
            }
        })
    };
    let dup = {
        let nest = nest_v.clone();
        ed.click(move |s| {
            if let Some(st) = steps_mut(s, task, &nest) {
                if let Some(x) = st.get(i).cloned() {
                    st.insert(i + 1, x);
                }
            }
        })
    };
    let del = {
        let nest = nest_v.clone();
        ed.click(move |s| {
            if let Some(st) = steps_mut(s, task, &nest) {
                if i < st.len() {
                    st.remove(i);
                }
            }
        })
    };
    let n = nest_v.clone();
    let fields = match step {
        Step::Lock { mutex } | Step::Unlock { mutex } | Step::TryLock { mutex } => mutex_select(
            ed,
            mutex,
            path.clone(),
            |st, v| match st {
                Step::Lock { mutex } | Step::Unlock { mutex } | Step::TryLock { mutex } => *mutex = v,
                _ => {}
            },
            task,
            n,
            i,
        ),
        Step::LockedWrite { mutex, action } | Step::Write { mutex, action } => html! { <>
            { mutex_select(ed, mutex, path.clone(), |st, v| if let Step::LockedWrite { mutex, .. } | Step::Write { mutex, .. } = st { *mutex = v }, task, n.clone(), i) }
            { action_fields(ed, action, path.clone(), task, n, i) }
        </> },
        Step::Read { mutex, key } => html! { <>
            { mutex_select(ed, mutex, path.clone(), |st, v| if let Step::Read { mutex, .. } = st { *mutex = v }, task, n.clone(), i) }
            { step_field(ed, "key (optional)", key.clone().unwrap_or_default(), "text", format!("{path}.key"), task, n, i, |st, v| {
                if let Step::Read { key, .. } = st { *key = if v.is_empty() { None } else { Some(v) } }
            }) }
        </> },
        Step::Dbg { name } => {
            step_field(ed, "name", name.clone(), "text", format!("{path}.name"), task, n, i, |st, v| {
                if let Step::Dbg { name } = st {
                    *name = v
                }
            })
        }
        Step::Print { text } => {
            step_field(ed, "text", text.clone(), "text", format!("{path}.text"), task, n, i, |st, v| {
                if let Step::Print { text } = st {
                    *text = v
                }
            })
        }
        Step::Sleep { ms } => {
            step_field(ed, "ms", ms.to_string(), "number", format!("{path}.ms"), task, n, i, |st, v| {
                if let Step::Sleep { ms } = st {
                    *ms = v.trim().parse().unwrap_or(*ms)
                }
            })
        }
        Step::Busy { ms } => {
            step_field(ed, "ms", ms.to_string(), "number", format!("{path}.ms"), task, n, i, |st, v| {
                if let Step::Busy { ms } = st {
                    *ms = v.trim().parse().unwrap_or(*ms)
                }
            })
        }
        Step::Yield => html! {},
        Step::Repeat { times, .. } => {
            step_field(ed, "times", times.to_string(), "number", format!("{path}.times"), task, n, i, |st, v| {
                if let Step::Repeat { times, .. } = st {
                    *times = v.trim().parse().unwrap_or(*times)
                }
            })
        }
        Step::WaitUntil { mutex, until, take } | Step::BrokenWait { mutex, until, take } => html! { <>
            { mutex_select(ed, mutex, path.clone(), |st, v| if let Step::WaitUntil { mutex, .. } | Step::BrokenWait { mutex, .. } = st { *mutex = v }, task, n.clone(), i) }
            { condition_fields(ed, until, *take, path.clone(), task, n, i) }
        </> },
    };
    let inner = match step {
        Step::Repeat { steps, .. } => {
            let mut nest2 = nest.to_vec();
            nest2.push(i);
            step_list(ed, steps, task, &nest2, &format!("{path}.steps"))
        }
        _ => html! {},
    };
    let invalid = ed.error_at(&path).is_some();
    html! {
        <li class={classes!("step-row", invalid.then_some("invalid"))} data-testid="step-row" data-path={path.clone()}>
            <div class="step-line">
                <span class="step-index">{ i + 1 }</span>
                <select class="op" aria-label={format!("{path}: step type")} data-testid="step-op" onchange={on_op}>
                    { for OPS.iter().map(|(v, l)| html! { <option value={*v} selected={*v == op}>{ *l }</option> }) }
                </select>
                { fields }
                <span class="row-buttons">
                    <button aria-label={format!("Move {path} up")} disabled={i == 0} onclick={mv(-1)}>{ "↑" }</button>
                    <button aria-label={format!("Move {path} down")} disabled={i + 1 >= len} onclick={mv(1)}>{ "↓" }</button>
                    <button aria-label={format!("Duplicate {path}")} onclick={dup}>{ super::palette::icon("copy") }</button>
                    <button aria-label={format!("Remove {path}")} data-testid="remove-step" onclick={del}>{ "✕" }</button>
                </span>
            </div>
            { ed.field_error(&path) }
            { inner }
        </li>
    }
}

fn step_list(ed: &Ed, steps: &[Step], task: usize, nest: &[usize], list_path: &str) -> Html {
    let nest_v = nest.to_vec();
    let add = ed.click(move |s| {
        let mutex = s.mutexes.first().map_or_else(|| "m".to_string(), |m| m.name.clone());
        if let Some(st) = steps_mut(s, task, &nest_v) {
            st.push(Step::Lock { mutex });
        }
    });
    html! {
        <div class="steps">
            <ol class="step-list">
                { for steps.iter().enumerate().map(|(i, st)| step_row(ed, st, task, nest, i, steps.len(), list_path)) }
            </ol>
            <button class="add" aria-label={format!("Add a step to {list_path}")} onclick={add}>{ "+ step" }</button>
        </div>
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
        html! { <label>{ format!("{label} ") }<input type={kind} value={value} aria-label={format!("{path}: {label}")} aria-invalid={invalid.to_string()} data-field={p} {onchange} /></label> }
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
                    { text("start ms", task.start_ms.to_string(), "number", "start_ms", |t, v| t.start_ms = v.trim().parse().unwrap_or(t.start_ms)) }
                    { text("repeat", task.repeat.to_string(), "number", "repeat", |t, v| t.repeat = v.trim().parse().unwrap_or(t.repeat)) }
                    <label class="check"><input type="checkbox" checked={task.forever} onchange={on_forever} aria-label={format!("{path}: forever")} />{ " forever" }</label>
                    <span class="row-buttons">
                        <button aria-label={format!("Move task {} up", task.name)} disabled={t == 0} onclick={mv(-1)}>{ "↑" }</button>
                        <button aria-label={format!("Move task {} down", task.name)} disabled={t + 1 >= count} onclick={mv(1)}>{ "↓" }</button>
                        <button aria-label={format!("Duplicate task {}", task.name)} onclick={dup}>{ super::palette::icon("copy") }</button>
                        <button aria-label={format!("Remove task {}", task.name)} data-testid="remove-task" onclick={del}>{ "✕" }</button>
                    </span>
                </div>
                { ed.field_error(&path) }
                { step_list(ed, &task.steps, t, &[], &format!("{path}.steps")) }
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
                <label>{ "name " }<input type="text" value={m.name.clone()} aria-label={format!("{path}: name")} data-field={format!("{path}.name")} onchange={on_name} /></label>
                <label>{ "kind " }
                    <select aria-label={format!("{path}: kind")} onchange={on_kind}>
                        <option value="async" selected={kind == MutexKind::Async}>{ "async Mutex" }</option>
                        <option value="watch" selected={kind == MutexKind::Watch}>{ "wake-on-write cell" }</option>
                        <option value="blocking" selected={kind == MutexKind::Blocking}>{ "blocking (std)" }</option>
                    </select>
                </label>
                <label>{ "initial (JSON) " }<input type="text" value={m.initial.to_string()} aria-label={format!("{path}: initial value")} onchange={on_initial} /></label>
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
            <ul class="task-cards">{ for s.tasks.iter().enumerate().map(|(t, task)| task_card(&ed, t, task, s.tasks.len())) }</ul>
            <button class="add" onclick={add_task} data-testid="add-task">{ "+ task" }</button>
        </section>
    }
}
