//! The stateless views: preset picker, explanation, controls, tasks, insights, scheduler.

use super::palette::{chip, icon, mutex_name, task_name};
use super::state::{Action, Axis, Loaded, Mode, Model, PolicyChoice, RunRef, SPEEDS};
use crate::trace::{AlertKind, EndReason, Snapshot, TaskStatus, TaskView};
use wasm_bindgen::JsCast;
use yew::prelude::*;

type Dispatch = UseReducerDispatcher<Model>;

fn on(d: &Dispatch, make: impl Fn() -> Action + 'static) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_| d.dispatch(make()))
}

pub fn picker(model: &Model, d: &Dispatch) -> Html {
    html! {
        <nav class="picker" aria-label="Scenarios">
            <h2>{ "Scenarios" }</h2>
            if model.presets.is_empty() {
                <p class="muted">{ "No preset scenarios are available in this build." }</p>
            }
            <ul class="preset-list">
                { for model.presets.iter().enumerate().map(|(i, p)| {
                    let current = model.preset == Some(i);
                    html! {
                        <li key={p.id}>
                            <button class={classes!("preset", current.then_some("current"))} aria-pressed={current.to_string()}
                                    data-testid={format!("preset-{}", p.id)} onclick={on(d, move || Action::SelectPreset(i))}>
                                <span class="preset-title">{ p.title }</span>
                                <span class="preset-id">{ p.id }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}

pub fn explanation(model: &Model) -> Html {
    let Some(p) = model.preset.and_then(|i| model.presets.get(i)) else { return html! {} };
    html! {
        <section class="explain" aria-label="About this scenario" data-testid="explanation">
            <h2>{ p.title }{ if model.edited { " (edited)" } else { "" } }</h2>
            <p>{ p.explanation }</p>
            if !p.source.is_empty() {
                <details class="source">
                    <summary>{ "Where this comes from" }</summary>
                    <pre>{ p.source }</pre>
                </details>
            }
        </section>
    }
}

fn speed_label(x: f64) -> String {
    if x < 1.0 {
        format!("{x}×")
    } else {
        format!("{}×", x as u32)
    }
}

pub fn controls(model: &Model, d: &Dispatch) -> Html {
    let steps = model.steps();
    let time = model.loaded.as_ref().map_or(0, |l| l.run.time_at(model.step));
    let watching = model.mode == Mode::Watch;
    let on_seek = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                if let Ok(v) = input.value().parse::<u32>() {
                    d.dispatch(Action::Seek(v));
                }
            }
        })
    };
    let on_speed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                if let Ok(v) = sel.value().parse::<usize>() {
                    d.dispatch(Action::SetSpeed(v));
                }
            }
        })
    };
    let on_policy = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                let p = match sel.value().strip_prefix("random").and_then(|s| s.parse().ok()) {
                    Some(seed) => PolicyChoice::Random(seed),
                    None => PolicyChoice::Fifo,
                };
                d.dispatch(Action::SetPolicy(p));
            }
        })
    };
    let policy_value = match model.policy {
        PolicyChoice::Fifo => "fifo".to_string(),
        PolicyChoice::Random(s) => format!("random{s}"),
    };
    html! {
        <section class="controls" aria-label="Playback controls">
            <div class="mode-switch" role="group" aria-label="Mode">
                <button aria-pressed={watching.to_string()} data-testid="mode-watch" onclick={on(d, || Action::SetMode(Mode::Watch))}>{ "Watch" }</button>
                <button aria-pressed={(!watching).to_string()} data-testid="mode-scheduler" onclick={on(d, || Action::SetMode(Mode::Scheduler))}>{ "Be the scheduler" }</button>
            </div>
            <div class="buttons" role="group" aria-label="Playback">
                <button data-testid="reset" aria-label="Reset to the start (R)" title="Reset (R)" onclick={on(d, || Action::Reset)}>{ icon("reset") }</button>
                <button data-testid="step-back" aria-label="Step back one poll (←)" title="Step back (←)" disabled={model.step == 0} onclick={on(d, || Action::StepBack)}>{ icon("back") }</button>
                <button class="primary play" data-testid="play" aria-label={if model.playing { "Pause (space)" } else { "Play (space)" }}
                        title="Play / pause (space)" disabled={!watching || steps == 0} onclick={on(d, || Action::TogglePlay)}>
                    if model.playing { { icon("pause") }{ " Pause" } } else { { icon("play") }{ " Play" } }
                </button>
                <button data-testid="step" aria-label="Step one poll (→)" title="Step (→)" disabled={model.step >= steps} onclick={on(d, || Action::StepForward)}>{ icon("step") }</button>
                <button data-testid="to-end" aria-label="Jump to the end" title="To the end" disabled={model.step >= steps} onclick={on(d, || Action::ToEnd)}>{ icon("end") }{ " End" }</button>
                <label class="speed">{ "Speed " }
                    <select data-testid="speed" aria-label="Playback speed (+ / -)" onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, &x)| html! {
                            <option value={i.to_string()} selected={i == model.speed}>{ speed_label(x) }</option>
                        }) }
                    </select>
                </label>
                if watching {
                    <label class="speed">{ "Scheduler " }
                        <select data-testid="policy" aria-label="Which ready task runs next" onchange={on_policy}>
                            <option value="fifo" selected={policy_value == "fifo"}>{ "FIFO (woken first)" }</option>
                            { for policy_seeds(model.policy).into_iter().map(|s| { let v = format!("random{s}"); html! {
                                <option value={v.clone()} selected={policy_value == v}>{ format!("Random, seed {s}") }</option>
                            }}) }
                        </select>
                    </label>
                }
            </div>
            <div class="seek">
                <input type="range" min="0" max={steps.to_string()} value={model.step.to_string()} data-testid="seek"
                       aria-label="Seek: step of the run" oninput={on_seek} disabled={steps == 0} />
                <span class="readout" data-testid="readout" aria-live={if model.playing { "off" } else { "polite" }}>
                    { format!("step {} / {steps}", model.step) }<span class="sep">{ " · " }</span>{ format!("{time} ms") }
                </span>
            </div>
            <p class="hint" aria-hidden="true">
                <kbd>{ "space" }</kbd>{ " play/pause · " }<kbd>{ "←" }</kbd><kbd>{ "→" }</kbd>{ " step · " }
                <kbd>{ "Home" }</kbd><kbd>{ "End" }</kbd>{ " start/end · " }<kbd>{ "r" }</kbd>{ " reset · " }<kbd>{ "+" }</kbd><kbd>{ "−" }</kbd>{ " speed" }
            </p>
        </section>
    }
}

/// The player's turn: which ready task runs next.
pub fn scheduler(model: &Model, loaded: &Loaded, d: &Dispatch) -> Html {
    if model.mode != Mode::Scheduler {
        return html! {};
    }
    let scenario = &loaded.run.scenario;
    let ready = loaded.run.ready_at_end();
    let status = match &loaded.run.end {
        EndReason::AwaitingChoice { .. } => "Your turn: pick the ready task the executor polls next.".to_string(),
        EndReason::BadChoice { .. } => "That task was not ready; pick one of these.".to_string(),
        other => format!("The run ended: {}.", end_text(other, loaded)),
    };
    html! {
        <section class="scheduler" aria-label="Scheduler" data-testid="scheduler">
            <h2>{ "You are the scheduler" }</h2>
            <p>{ status }</p>
            <div class="ready-row" role="group" aria-label="Ready tasks">
                { for ready.iter().map(|&t| {
                    let name = task_name(scenario, t);
                    html! {
                        <button key={t} class="ready-task" data-testid="choose" data-task={t.to_string()}
                                aria-label={format!("Poll {name} next")} onclick={on(d, move || Action::Choose(t))}>
                            { chip(scenario, t, "") }{ " " }{ name }
                        </button>
                    }
                }) }
                if ready.is_empty() && matches!(loaded.run.end, EndReason::AwaitingChoice { .. }) {
                    <span class="muted">{ "Nobody is ready." }</span>
                }
            </div>
            <div class="buttons">
                <button data-testid="undo" disabled={model.choices.is_empty() && model.before_reset.is_none()} onclick={on(d, || Action::Undo)}>{ icon("undo") }{ " Undo" }</button>
                <span class="muted">{ format!("{} choices made", model.choices.len()) }</span>
            </div>
        </section>
    }
}

pub fn status_text(status: &TaskStatus, loaded: &Loaded, view: &TaskView) -> (String, &'static str) {
    let s = &loaded.run.scenario;
    let holding = !view.holds.is_empty();
    let holds = view.holds.iter().map(|&m| mutex_name(s, m)).collect::<Vec<_>>().join(", ");
    match status {
        TaskStatus::Ready if holding => (format!("ready, holding {holds}"), "holding"),
        TaskStatus::Ready => ("ready".into(), "ready"),
        TaskStatus::WaitingLock { mutex } => (format!("waiting for {}", mutex_name(s, *mutex)), "waiting"),
        TaskStatus::Sleeping { until } if holding => {
            (format!("holding {holds} while sleeping (until {until} ms)"), "holding-sleeping")
        }
        TaskStatus::Sleeping { until } => (format!("sleeping until {until} ms"), "sleeping"),
        TaskStatus::Watching { mutex } => (format!("waiting for a write to {}", mutex_name(s, *mutex)), "watching"),
        TaskStatus::Parked if holding => (format!("parked, holding {holds}"), "holding"),
        TaskStatus::Parked => ("parked".into(), "idle"),
        TaskStatus::Done => ("done".into(), "done"),
        TaskStatus::Stuck => ("stuck: lost its wake-up".into(), "stuck"),
        TaskStatus::Blocked { mutex } => (format!("blocked the thread on {}", mutex_name(s, *mutex)), "stuck"),
    }
}

pub fn tasks(loaded: &Loaded, snap: &Snapshot) -> Html {
    let s = &loaded.run.scenario;
    html! {
        <section class="tasks" aria-label="Tasks">
            <h2>{ "Tasks" }</h2>
            <ul class="task-list">
                // Many tasks: the first rows, plus the one that just ran; the timeline has them all.
                { for snap.tasks.iter().enumerate().filter(|&(i, _)| i < MAX_TASK_ROWS || snap.polled == Some(i as u32)).map(|(i, t)| {
                    let id = i as u32;
                    let (text, class) = status_text(&t.status, loaded, t);
                    let running = snap.polled == Some(id);
                    html! {
                        <li key={i} class={classes!("task-row", class, running.then_some("running"))} data-testid="task-row" data-task={i.to_string()}>
                            { chip(s, id, "") }
                            <span class="task-name">{ task_name(s, id) }</span>
                            <span class={classes!("state-pill", class)} data-testid="task-state">
                                { if running { format!("ran this step · {text}") } else { text } }
                            </span>
                            <code class="task-at" title={t.at_path.clone()}>{ t.at.clone() }</code>
                        </li>
                    }
                }) }
            </ul>
            if snap.tasks.len() > MAX_TASK_ROWS {
                <p class="muted" data-testid="more-tasks">{ format!("… and {} more tasks: the timeline shows them all.", snap.tasks.len() - MAX_TASK_ROWS) }</p>
            }
        </section>
    }
}

/// Rows the task list draws at most (a DOM row per task per frame is what costs).
const MAX_TASK_ROWS: usize = 40;

/// The seeds the scheduler menu offers: 1 to 3, and the one running if it is another
/// (a `random:77` link runs seed 77, and the menu must say so).
pub fn policy_seeds(policy: PolicyChoice) -> Vec<u64> {
    let mut seeds = vec![1, 2, 3];
    if let PolicyChoice::Random(seed) = policy {
        if !seeds.contains(&seed) {
            seeds.push(seed);
        }
    }
    seeds
}

pub fn end_text(_end: &EndReason, loaded: &Loaded) -> String {
    loaded.run.end_text()
}

fn alert_title(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Deadlock => "Deadlock",
        AlertKind::LostWakeup => "Lost wake-up",
        AlertKind::Stalled => "Stalled executor",
        AlertKind::Starvation => "Starvation",
        AlertKind::Error => "Error",
    }
}

pub fn insights(model: &Model, loaded: &RunRef, d: &Dispatch) -> Html {
    let a = loaded.run.analysis();
    let at_end = model.step >= loaded.run.steps();
    html! {
        <section class="insights" aria-label="Insights">
            <h2>{ "Insights" }</h2>
            <p class={classes!("outcome", at_end.then_some("reached"))} data-testid="outcome">
                <strong>{ if at_end { "Outcome: " } else { "At the end: " } }</strong>{ end_text(&loaded.run.end, loaded) }
                { for loaded.run.scenario.mutexes.iter().enumerate().take(3).map(|(i, m)| {
                    let v = loaded.end_snapshot.mutexes.get(i).map(|v| v.value.clone()).unwrap_or_default();
                    html! { <span class="final-value">{ format!(" · {} = ", m.name) }<code data-testid="final-value">{ v }</code></span> }
                }) }
            </p>
            <ul class="alerts" aria-label="Alerts">
                { for a.alerts.iter().enumerate().map(|(i, al)| {
                    let step = al.step;
                    let reached = model.step >= step;
                    html! {
                        <li key={i} class={classes!("alert", format!("alert-{:?}", al.kind).to_lowercase(), reached.then_some("reached"))}
                            data-testid="alert" data-kind={format!("{:?}", al.kind)} role="alert">
                            <strong>{ alert_title(al.kind) }</strong>{ ": " }
                            { al.message.strip_prefix(&format!("{}: ", alert_title(al.kind))).unwrap_or(&al.message).to_string() }
                            <button class="link" data-testid="alert-seek" onclick={on(d, move || Action::Seek(step))}
                                    aria-label={format!("Jump to step {step}, where it happened")}>
                                { format!("jump to step {step} ({} ms)", al.time) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            <dl class="numbers">
                <div><dt>{ "Fairness (Jain)" }</dt><dd data-testid="fairness">{ format!("{:.3}", a.jain_fairness) }</dd></div>
                <div><dt>{ "Throughput" }</dt><dd>{ format!("{:.1} locks/s", a.throughput_per_s) }</dd></div>
                <div><dt>{ "Acquisitions" }</dt><dd>{ a.acquisitions }</dd></div>
                <div><dt>{ "Virtual time" }</dt><dd>{ format!("{} ms", loaded.run.duration()) }</dd></div>
            </dl>
            <StatsTable loaded={loaded.clone()} />
        </section>
    }
}

pub fn axis_toggle(model: &Model, d: &Dispatch) -> Html {
    let time = model.axis == Axis::Time;
    html! {
        <div class="axis-switch" role="group" aria-label="Timeline axis">
            <button aria-pressed={time.to_string()} onclick={on(d, || Action::SetAxis(Axis::Time))}>{ "virtual time" }</button>
            <button aria-pressed={(!time).to_string()} onclick={on(d, || Action::SetAxis(Axis::Steps))}>{ "steps" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatsProps {
    pub loaded: RunRef,
}

/// Wait and hold per task. A component of its own so that it is rebuilt only when the
/// run changes, not on every frame of playback (it has a row per task).
#[function_component(StatsTable)]
pub fn stats_table(props: &StatsProps) -> Html {
    let loaded = &props.loaded;
    let a = loaded.run.analysis();
    let s = &loaded.run.scenario;
    html! {
        <div class="table-wrap">
                <table class="stats">
                    <caption class="sr-only">{ "Wait and hold per task (virtual ms)" }</caption>
                    <thead><tr><th scope="col">{ "Task" }</th><th scope="col">{ "locks" }</th><th scope="col">{ "wait total" }</th>
                        <th scope="col">{ "wait max" }</th><th scope="col">{ "hold total" }</th><th scope="col">{ "hold max" }</th><th scope="col">{ "overtaken" }</th></tr></thead>
                    <tbody>
                        { for a.tasks.iter().enumerate().take(200).map(|(i, t)| html! {
                            <tr key={i}>
                                <th scope="row">{ chip(s, i as u32, "") }{ " " }{ task_name(s, i as u32) }</th>
                                <td>{ t.acquisitions }</td><td>{ t.wait_total }</td><td>{ t.wait_max }</td>
                                <td>{ t.hold_total }</td><td>{ t.hold_max }</td><td>{ t.max_overtaken }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
    }
}
