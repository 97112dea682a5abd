//! A task's steps in the editor: a row per step (its kind, its fields, move, duplicate,
//! remove), nested lists for `repeat` and for a `select`'s two branches, and the error of
//! the step it is about.

use super::Ed;
use crate::scenario::{Condition, Scenario, Step, StepKind as Op, TaskSpec, WriteAction};
use serde_json::Value;
use yew::prelude::*;

/// What the editor adds to a step's kind: its menu label and a fresh step of it.
trait Menu {
    fn label(self) -> &'static str;
    fn fresh(self, mutex: String) -> Step;
}

impl Menu for Op {
    /// What the menu says: the Rust it stands for.
    fn label(self) -> &'static str {
        match self {
            Op::Lock => "lock().await (keep the guard)",
            Op::ReadLock => "read().await (RwLock, shared)",
            Op::Unlock => "drop the guard",
            Op::TryLock => "try_lock()",
            Op::LockTimeout => "timeout(ms, lock()).await",
            Op::Select => "select! { sleep(ms), lock() }",
            Op::LockedWrite => "*lock().await = … (temporary guard)",
            Op::Write => "write through the held guard",
            Op::Read => "read the value",
            Op::Dbg => "dbg!(value)",
            Op::Print => "println!",
            Op::Sleep => "sleep(ms).await",
            Op::Busy => "busy work, no yield",
            Op::Yield => "yield_now().await",
            Op::Repeat => "repeat (a loop)",
            Op::WaitUntil => "wait for a write (wake-on-write)",
            Op::BrokenWait => "poll_fn try_lock (lost wake-up bug)",
            Op::Join => "handle.await (join; main only)",
            Op::Assert => "assert! on the value",
        }
    }

    /// A fresh step of this kind on `mutex` (where it takes one).
    fn fresh(self, mutex: String) -> Step {
        let bump = WriteAction::Increment { by: 1 };
        match self {
            Op::Lock => Step::Lock { mutex },
            Op::ReadLock => Step::ReadLock { mutex },
            Op::Unlock => Step::Unlock { mutex },
            Op::TryLock => Step::TryLock { mutex },
            Op::LockTimeout => Step::LockTimeout { mutex, ms: 50 },
            Op::Select => Step::Select {
                mutex,
                ms: 30,
                locked: Vec::new(),
                timed_out: vec![Step::Print { text: "timed out".into() }],
            },
            Op::LockedWrite => Step::LockedWrite { mutex, action: bump },
            Op::Write => Step::Write { mutex, action: bump },
            Op::Read => Step::Read { mutex, key: None },
            Op::Dbg => Step::Dbg { name: "value".into() },
            Op::Print => Step::Print { text: "hello".into() },
            Op::Sleep => Step::Sleep { ms: 100 },
            Op::Busy => Step::Busy { ms: 10 },
            Op::Yield => Step::Yield,
            Op::Repeat => Step::Repeat { times: 2, steps: vec![Step::Yield] },
            Op::WaitUntil => Step::WaitUntil { mutex, until: Condition::NonEmpty, take: false },
            Op::BrokenWait => Step::BrokenWait { mutex, until: Condition::NonEmpty, take: false },
            Op::Join => Step::Join { task: None },
            Op::Assert => Step::Assert { mutex, until: Condition::Equals { value: Value::from(0) } },
        }
    }
}

/// The step list of task `task`, inside the steps at the indices `nest`, each in its
/// body named there (a `repeat`'s `steps`, a `select`'s `locked` or `timed_out`).
fn steps_mut<'a>(s: &'a mut Scenario, task: usize, nest: &[(usize, &str)]) -> Option<&'a mut Vec<Step>> {
    let mut steps = &mut s.tasks.get_mut(task)?.steps;
    for &(i, field) in nest {
        steps = steps.get_mut(i)?.bodies_mut().find(|(f, _)| *f == field)?.1;
    }
    Some(steps)
}

/// Where a step list is: its task, the steps it is nested in (each an index and the body's
/// field), its path in the scenario (`tasks[1].steps[2].steps`,
/// `tasks[1].steps[2].locked`), and how a person would name it (`task reader, step 3.`).
#[derive(Clone)]
struct ListAt {
    task: usize,
    nest: Vec<(usize, &'static str)>,
    path: String,
    label: String,
}

impl ListAt {
    /// Step `index` of this list.
    fn step(&self, index: usize) -> StepAt {
        StepAt {
            list: self.clone(),
            index,
            path: format!("{}[{index}]", self.path),
            label: format!("{}{}", self.label, index + 1),
        }
    }
}

/// Where a step is: its list and its index there, its path (`tasks[1].steps[2]`), and how
/// a person would name it (`task reader, step 3`, `task reader, step 3.1` inside a repeat).
#[derive(Clone)]
struct StepAt {
    list: ListAt,
    index: usize,
    path: String,
    label: String,
}

impl StepAt {
    /// The list this step is in, in `s`.
    fn list_mut<'a>(&self, s: &'a mut Scenario) -> Option<&'a mut Vec<Step>> {
        steps_mut(s, self.list.task, &self.list.nest)
    }

    /// A field change that sets part of this step from the field's text.
    fn change(&self, ed: &Ed, set: impl Fn(&mut Step, String) + 'static) -> Callback<Event> {
        let at = self.clone();
        ed.change(move |s, v| {
            if let Some(step) = at.list_mut(s).and_then(|l| l.get_mut(at.index)) {
                set(step, v);
            }
        })
    }

    /// A click that changes this step's list (move, duplicate, remove).
    fn click(&self, ed: &Ed, f: impl Fn(&mut Vec<Step>, usize) + 'static) -> Callback<MouseEvent> {
        let at = self.clone();
        ed.click(move |s| {
            if let Some(list) = at.list_mut(s) {
                if at.index < list.len() {
                    f(list, at.index);
                }
            }
        })
    }

    /// A labelled text or number field for the step's part `field` (a path suffix).
    fn field(
        &self,
        ed: &Ed,
        (label, kind, field): (&str, &'static str, &str),
        value: String,
        set: impl Fn(&mut Step, String) + 'static,
    ) -> Html {
        let path = format!("{}.{field}", self.path);
        let invalid = ed.problems.iter().any(|e| e.path.starts_with(&path));
        html! {
            <label>{ format!("{label} ") }
                <input type={kind} value={value} aria-label={format!("{}: {label}", self.label)}
                       aria-invalid={invalid.to_string()} data-field={path} onchange={self.change(ed, set)} />
            </label>
        }
    }

    /// A labelled JSON field for the step's part `field` (see [`Ed::json_field`]).
    fn json_field(
        &self,
        ed: &Ed,
        (label, field): (&str, &str),
        current: &Value,
        set: impl Fn(&mut Step, Value) + 'static,
    ) -> Html {
        let at = self.clone();
        ed.json_field(
            (label, format!("{}: {label}", self.label)),
            format!("{}.{field}", self.path),
            current,
            move |s, v| {
                if let Some(step) = at.list_mut(s).and_then(|l| l.get_mut(at.index)) {
                    set(step, v);
                }
            },
        )
    }

    /// The menu of the scenario's mutexes (plus the step's own, if it names no mutex of it).
    fn mutex_select(&self, ed: &Ed, current: &str) -> Html {
        let mut names: Vec<String> = ed.scenario.mutexes.iter().map(|m| m.name.clone()).collect();
        if !names.iter().any(|n| n == current) {
            names.push(current.to_string());
        }
        let onchange = self.change(ed, |step, v| {
            if let Some(mutex) = step.mutex_mut() {
                *mutex = v;
            }
        });
        html! {
            <label>{ "mutex " }
                <select aria-label={format!("{}: mutex", self.label)} data-value={current.to_string()} {onchange}>
                    { for names.into_iter().map(|n| html! {
                        <option selected={n == current} value={n.clone()}>{ n }</option>
                    }) }
                </select>
            </label>
        }
    }
}

/// Sets the write action of a `write` or `locked_write` step.
fn set_action(step: &mut Step, a: WriteAction) {
    if let Step::Write { action, .. } | Step::LockedWrite { action, .. } = step {
        *action = a;
    }
}

/// The write action's kind, and its value, if it has one.
fn action_fields(ed: &Ed, at: &StepAt, action: &WriteAction) -> Html {
    const KINDS: [(&str, &str); 7] = [
        ("increment", "+= by"),
        ("read_plus", "= read + by"),
        ("set", "set"),
        ("set_now", "set(now)"),
        ("insert_now", "insert(key, now)"),
        ("insert", "insert(key, value)"),
        ("push", "push"),
    ];
    let kind = match action {
        WriteAction::Set { .. } => "set",
        WriteAction::Increment { .. } => "increment",
        WriteAction::SetNow => "set_now",
        WriteAction::InsertNow { .. } => "insert_now",
        WriteAction::Insert { .. } => "insert",
        WriteAction::Push { .. } => "push",
        WriteAction::ReadPlus { .. } => "read_plus",
    };
    let onchange = at.change(ed, |step, v| {
        let a = match v.as_str() {
            "set" => WriteAction::Set { value: Value::from(0) },
            "set_now" => WriteAction::SetNow,
            "insert_now" => WriteAction::InsertNow { key: "key".into() },
            "insert" => WriteAction::Insert { key: "key".into(), value: Value::from(1) },
            "push" => WriteAction::Push { value: Value::from(1) },
            "read_plus" => WriteAction::ReadPlus { by: 1 },
            _ => WriteAction::Increment { by: 1 },
        };
        set_action(step, a);
    });
    let extra = match action {
        WriteAction::Set { value } => at.json_field(ed, ("value (JSON)", "action.value"), value, |st, value| {
            set_action(st, WriteAction::Set { value })
        }),
        WriteAction::Push { value } => at.json_field(ed, ("value (JSON)", "action.value"), value, |st, value| {
            set_action(st, WriteAction::Push { value })
        }),
        WriteAction::Increment { by } => at.field(ed, ("by", "number", "action.by"), by.to_string(), |st, v| {
            set_action(st, WriteAction::Increment { by: v.trim().parse().unwrap_or(1) })
        }),
        WriteAction::ReadPlus { by } => at.field(ed, ("by", "number", "action.by"), by.to_string(), |st, v| {
            set_action(st, WriteAction::ReadPlus { by: v.trim().parse().unwrap_or(1) })
        }),
        WriteAction::InsertNow { key } => at.field(ed, ("key", "text", "action.key"), key.clone(), |st, v| {
            set_action(st, WriteAction::InsertNow { key: v })
        }),
        WriteAction::Insert { key, value } => html! {
            <>
                { at.field(ed, ("key", "text", "action.key"), key.clone(), |st, v| {
                    if let Step::Write { action: WriteAction::Insert { key, .. }, .. }
                    | Step::LockedWrite { action: WriteAction::Insert { key, .. }, .. } = st
                    {
                        *key = v
                    }
                }) }
                { at.json_field(ed, ("value (JSON)", "action.value"), value, |st, v| {
                    if let Step::Write { action: WriteAction::Insert { value, .. }, .. }
                    | Step::LockedWrite { action: WriteAction::Insert { value, .. }, .. } = st
                    {
                        *value = v
                    }
                }) }
            </>
        },
        WriteAction::SetNow => html! {},
    };
    html! {
        <>
            <label>{ "write " }
                <select aria-label={format!("{}: write kind", at.label)} data-value={kind} {onchange}>
                    { for KINDS.iter().map(|(v, l)| html! {
                        <option value={*v} selected={*v == kind}>{ *l }</option>
                    }) }
                </select>
            </label>
            { extra }
        </>
    }
}

/// Sets the condition of a `wait_until`, `broken_wait` or `assert` step.
fn set_condition(step: &mut Step, c: Condition) {
    if let Step::WaitUntil { until, .. } | Step::BrokenWait { until, .. } | Step::Assert { until, .. } = step {
        *until = c;
    }
}

/// The condition a waiting or asserting step checks, its value, and (`take`: a waiting
/// step) whether it takes the value.
fn condition_fields(ed: &Ed, at: &StepAt, until: &Condition, take: Option<bool>) -> Html {
    let kind = match until {
        Condition::NonEmpty => "non_empty",
        Condition::AtLeast { .. } => "at_least",
        Condition::Equals { .. } => "equals",
    };
    let onchange = at.change(ed, |step, v| {
        let c = match v.as_str() {
            "at_least" => Condition::AtLeast { value: 1 },
            "equals" => Condition::Equals { value: Value::from(1) },
            _ => Condition::NonEmpty,
        };
        set_condition(step, c);
    });
    let extra = match until {
        Condition::AtLeast { value } => {
            at.field(ed, ("at least", "number", "until.value"), value.to_string(), |st, v| {
                set_condition(st, Condition::AtLeast { value: v.trim().parse().unwrap_or(0) })
            })
        }
        Condition::Equals { value } => at.json_field(ed, ("equals (JSON)", "until.value"), value, |st, value| {
            set_condition(st, Condition::Equals { value })
        }),
        Condition::NonEmpty => html! {},
    };
    let on_take = at.change(ed, |step, v| {
        if let Step::WaitUntil { take, .. } | Step::BrokenWait { take, .. } = step {
            *take = v == "true";
        }
    });
    let word = if take.is_some() { "until " } else { "that it is " };
    html! {
        <>
            <label>{ word }
                <select aria-label={format!("{}: condition", at.label)} data-value={kind} {onchange}>
                    <option value="non_empty" selected={kind == "non_empty"}>{ "non-empty" }</option>
                    <option value="at_least" selected={kind == "at_least"}>{ "at least" }</option>
                    <option value="equals" selected={kind == "equals"}>{ "equals" }</option>
                </select>
            </label>
            { extra }
            if let Some(take) = take {
                <label class="check">
                    <input type="checkbox" checked={take} onchange={on_take}
                           aria-label={format!("{}: take the value", at.label)} />
                    { " take" }
                </label>
            }
        </>
    }
}

/// The fields of `step`, after its kind.
fn step_fields(ed: &Ed, at: &StepAt, step: &Step) -> Html {
    let number = |v: String, old: u64| v.trim().parse().unwrap_or(old);
    match step {
        Step::Lock { mutex } | Step::ReadLock { mutex } | Step::Unlock { mutex } | Step::TryLock { mutex } => {
            at.mutex_select(ed, mutex)
        }
        Step::LockTimeout { mutex, ms } => html! {
            <>
                { at.mutex_select(ed, mutex) }
                { at.field(ed, ("timeout ms", "number", "ms"), ms.to_string(), move |st, v| {
                    if let Step::LockTimeout { ms, .. } = st {
                        *ms = number(v, *ms)
                    }
                }) }
            </>
        },
        Step::Select { mutex, ms, .. } => html! {
            <>
                { at.mutex_select(ed, mutex) }
                { at.field(ed, ("sleep ms", "number", "ms"), ms.to_string(), move |st, v| {
                    if let Step::Select { ms, .. } = st {
                        *ms = number(v, *ms)
                    }
                }) }
            </>
        },
        Step::LockedWrite { mutex, action } | Step::Write { mutex, action } => {
            html! { <>{ at.mutex_select(ed, mutex) }{ action_fields(ed, at, action) }</> }
        }
        Step::Read { mutex, key } => html! {
            <>
                { at.mutex_select(ed, mutex) }
                { at.field(ed, ("key (optional)", "text", "key"), key.clone().unwrap_or_default(), |st, v| {
                    if let Step::Read { key, .. } = st {
                        *key = if v.is_empty() { None } else { Some(v) }
                    }
                }) }
            </>
        },
        Step::Dbg { name } => at.field(ed, ("name", "text", "name"), name.clone(), |st, v| {
            if let Step::Dbg { name } = st {
                *name = v
            }
        }),
        Step::Print { text } => at.field(ed, ("text", "text", "text"), text.clone(), |st, v| {
            if let Step::Print { text } = st {
                *text = v
            }
        }),
        Step::Sleep { ms } => at.field(ed, ("ms", "number", "ms"), ms.to_string(), move |st, v| {
            if let Step::Sleep { ms } = st {
                *ms = number(v, *ms)
            }
        }),
        Step::Busy { ms } => at.field(ed, ("ms", "number", "ms"), ms.to_string(), move |st, v| {
            if let Step::Busy { ms } = st {
                *ms = number(v, *ms)
            }
        }),
        Step::Yield => html! {},
        Step::Repeat { times, .. } => at.field(ed, ("times", "number", "times"), times.to_string(), |st, v| {
            if let Step::Repeat { times, .. } = st {
                *times = v.trim().parse().unwrap_or(*times)
            }
        }),
        Step::WaitUntil { mutex, until, take } | Step::BrokenWait { mutex, until, take } => {
            html! { <>{ at.mutex_select(ed, mutex) }{ condition_fields(ed, at, until, Some(*take)) }</> }
        }
        Step::Assert { mutex, until } => {
            html! { <>{ at.mutex_select(ed, mutex) }{ condition_fields(ed, at, until, None) }</> }
        }
        Step::Join { task } => join_field(ed, at, *task),
    }
}

/// Which task a `join` waits for: every other task, or one of them, by name.
fn join_field(ed: &Ed, at: &StepAt, task: Option<u32>) -> Html {
    let current = task.map_or_else(|| "all".to_string(), |t| t.to_string());
    let onchange = at.change(ed, |step, v| {
        if let Step::Join { task } = step {
            *task = v.parse().ok();
        }
    });
    let path = format!("{}.task", at.path);
    let invalid = ed.problems.iter().any(|e| e.path == path);
    // Every task but the one joining; a task the join names that is gone stays listed.
    let mut options: Vec<(String, String)> = ed
        .scenario
        .tasks
        .iter()
        .enumerate()
        .filter(|&(t, _)| t != at.list.task)
        .map(|(t, spec)| (t.to_string(), format!("{} (task {t})", spec.name)))
        .collect();
    if let Some(t) = task.filter(|&t| t as usize >= ed.scenario.tasks.len() || t as usize == at.list.task) {
        options.push((t.to_string(), format!("task {t}")));
    }
    html! {
        <label>{ "wait for " }
            <select aria-label={format!("{}: task to join", at.label)} data-value={current.clone()}
                    aria-invalid={invalid.to_string()} data-field={path} {onchange}>
                <option value="all" selected={current == "all"}>{ "every other task" }</option>
                { for options.into_iter().map(|(v, l)| {
                    let selected = v == current;
                    html! { <option {selected} value={v}>{ l }</option> }
                }) }
            </select>
        </label>
    }
}

/// One step: its kind, its fields, its buttons, its error, and (for `repeat`) its body.
fn step_row(ed: &Ed, at: &StepAt, step: &Step, len: usize) -> Html {
    let (i, path, who) = (at.index, &at.path, &at.label);
    let op = Op::of(step);
    let on_op = {
        let at = at.clone();
        ed.change(move |s, v| {
            let Some(&op) = Op::ALL.iter().find(|o| o.name() == v) else { return };
            let first = s.mutexes.first().map_or_else(|| "m".to_string(), |m| m.name.clone());
            if let Some(step) = at.list_mut(s).and_then(|l| l.get_mut(at.index)) {
                // The new step keeps the old one's mutex.
                let mutex = step.mutex_mut().map_or(first, |m| m.clone());
                *step = op.fresh(mutex);
            }
        })
    };
    let mv = |delta: isize| {
        at.click(ed, move |list, i| {
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < list.len() {
                list.swap(i, j as usize);
            }
        })
    };
    let body = |field: &'static str, label: String, steps: &[Step]| {
        let mut nest = at.list.nest.clone();
        nest.push((i, field));
        step_list(ed, &ListAt { task: at.list.task, nest, path: format!("{path}.{field}"), label }, steps)
    };
    let inner = match step {
        Step::Repeat { steps, .. } => body("steps", format!("{who}."), steps),
        // The branches in the program's order: the sleep's first (it is polled first).
        Step::Select { locked, timed_out, .. } => html! {
            <>
                <p class="branch">{ "if the sleep ends first:" }</p>
                { body("timed_out", format!("{who}, if the sleep ends first: step "), timed_out) }
                <p class="branch">{ "if the lock comes first (its guard is held, and dropped at the end):" }</p>
                { body("locked", format!("{who}, if the lock comes first: step "), locked) }
            </>
        },
        _ => html! {},
    };
    let invalid = ed.error_at(path).is_some();
    html! {
        <li class={classes!("step-row", invalid.then_some("invalid"))} data-testid="step-row" data-path={path.clone()}>
            <div class="step-line">
                <span class="step-index">{ i + 1 }</span>
                <select class="op" aria-label={format!("{who}: step type")} data-testid="step-op"
                        data-value={op.name()} onchange={on_op}>
                    { for Op::ALL.iter().map(|o| html! {
                        <option value={o.name()} selected={*o == op}>{ o.label() }</option>
                    }) }
                </select>
                { step_fields(ed, at, step) }
                <span class="row-buttons">
                    <button aria-label={format!("Move {who} up")} title="Move up" disabled={i == 0} onclick={mv(-1)}>
                        { "↑" }
                    </button>
                    <button aria-label={format!("Move {who} down")} title="Move down" disabled={i + 1 >= len}
                            onclick={mv(1)}>
                        { "↓" }
                    </button>
                    <button aria-label={format!("Duplicate {who}")} title="Duplicate"
                            onclick={at.click(ed, |list, i| list.insert(i + 1, list[i].clone()))}>
                        { super::super::palette::icon("copy") }
                    </button>
                    <button aria-label={format!("Remove {who}")} title="Remove" data-testid="remove-step"
                            onclick={at.click(ed, |list, i| { list.remove(i); })}>{ "✕" }</button>
                </span>
            </div>
            { ed.field_error(path) }
            { inner }
        </li>
    }
}

/// The steps of one list, and a button to add one.
fn step_list(ed: &Ed, list: &ListAt, steps: &[Step]) -> Html {
    let add = {
        let list = list.clone();
        ed.click(move |s| {
            let mutex = s.mutexes.first().map_or_else(|| "m".to_string(), |m| m.name.clone());
            if let Some(st) = steps_mut(s, list.task, &list.nest) {
                st.push(Step::Lock { mutex });
            }
        })
    };
    html! {
        <div class="steps">
            <ol class="step-list">
                { for steps.iter().enumerate().map(|(i, st)| step_row(ed, &list.step(i), st, steps.len())) }
            </ol>
            <button class="add" aria-label={format!("Add a step after {}{}", list.label, steps.len())} onclick={add}>
                { "+ step" }
            </button>
        </div>
    }
}

/// The top-level steps of task number `t`.
pub(super) fn task_steps(ed: &Ed, t: usize, task: &TaskSpec) -> Html {
    let list = ListAt {
        task: t,
        nest: Vec::new(),
        path: format!("tasks[{t}].steps"),
        label: format!("task {}, step ", task.name),
    };
    step_list(ed, &list, &task.steps)
}
