//! The explorer panel: search the scenario's schedules, see each outcome with how many
//! schedules lead to it, replay or minimise one; and, at the playhead, fork the run to
//! another ready task, with a breadcrumb of the forks taken.

use super::palette::{chip, task_name};
use super::state::{Action, Fork, RunRef, Search, Shared};
use crate::exec::{Policy, TaskId};
use crate::scenario::Scenario;
use crate::trace::explore::{Mode, Outcome};
use crate::trace::simulate;
use std::rc::Rc;
use yew::prelude::*;

/// What the explorer panel shows.
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// The scenario on screen (compared by pointer: the app redraws every frame while
    /// playing).
    pub scenario: Shared<Scenario>,
    /// The search of it, if one was started (a search of another scenario is not shown).
    pub search: Option<Search>,
    /// The run on screen.
    pub run: Option<RunRef>,
    /// The playhead while paused (`None` while playing: forking needs a still point).
    pub step: Option<u32>,
    /// The forks taken, oldest first.
    pub forks: Vec<Fork>,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// The searches the menu offers, with their labels.
const MODES: [(Mode, &str); 3] = [
    (Mode::Exhaustive, "every schedule"),
    (Mode::Preemptions(2), "schedules with ≤ 2 preemptions"),
    (Mode::Sample { runs: 300, seed: 1 }, "300 random schedules (PCT)"),
];

/// What the search's numbers mean: a proof, a bound, or a stop.
fn verdict(search: &Search) -> String {
    let r = &search.report;
    if search.running {
        "searching…".into()
    } else if r.is_complete() {
        "complete: these are every outcome the scenario can have".into()
    } else if r.truncated {
        format!("stopped at {} states: other outcomes may exist", r.states)
    } else if !r.done {
        "stopped: other outcomes may exist".into()
    } else if let Mode::Sample { .. } = r.mode {
        "sampled: outcomes no sample reached may exist".into()
    } else {
        "bounded: outcomes past the bound may exist".into()
    }
}

/// The explorer panel.
#[function_component(ExplorerPanel)]
pub fn explorer_panel(props: &ExplorerProps) -> Html {
    let mode = use_state(|| 0usize);
    let d = &props.dispatch;
    let s = &*props.scenario.0;
    let search = props.search.as_ref().filter(|x| Rc::ptr_eq(&x.scenario, &props.scenario.0));
    let running = search.is_some_and(|x| x.running);
    let on_mode = {
        let mode = mode.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            mode.set(select.value().parse().unwrap_or(0));
        })
    };
    let chosen = MODES.get(*mode).map_or(Mode::Exhaustive, |m| m.0);
    // The tasks that could run at the playhead: the run's own choices up to it, replayed.
    let ready = use_memo((props.run.clone(), props.step), |(run, step)| match (run, step) {
        (Some(run), Some(step)) => {
            let prefix = run.run.choices().get(..*step as usize).unwrap_or_default().to_vec();
            simulate(&run.run.scenario, &Policy::Manual { choices: prefix })
                .map(|r| r.ready_at_end())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    });
    html! {
        <section class="explorer" aria-label="Explore every schedule" data-testid="explorer">
            <h2>{ "Every schedule" }</h2>
            <div class="buttons">
                <span class="muted">{ "One run shows one schedule; the explorer tries the others." }</span>
                <label>{ "Search " }
                    <select data-testid="explore-mode" aria-label="Which schedules to search" onchange={on_mode}
                            disabled={running}>
                        { for MODES.iter().enumerate().map(|(i, (_, label))| html! {
                            <option value={i.to_string()} selected={i == *mode}>{ *label }</option>
                        }) }
                    </select>
                </label>
                if running {
                    <button data-testid="explore-stop" onclick={d.reform(|_| Action::StopExploring)}>{ "Stop" }</button>
                } else {
                    <button class="primary" data-testid="explore" onclick={d.reform(move |_| Action::Explore(chosen))}>
                        { "Explore" }
                    </button>
                }
            </div>
            if let Some(search) = search {
                { results(s, search, d) }
            }
            { fork_row(props, &ready) }
        </section>
    }
}

/// The search's progress and its outcomes.
fn results(s: &Scenario, search: &Search, d: &Callback<Action>) -> Html {
    let r = &search.report;
    let status = format!(
        "{}: {} states, {} schedules, {:.0} states/s — {}",
        r.mode,
        r.states,
        r.schedules,
        search.rate(),
        verdict(search)
    );
    html! {
        <>
            <p class="explore-status" role="status" data-testid="explore-status"
               data-complete={r.is_complete().to_string()}>{ status }</p>
            <ul class="outcomes">
                { for r.classes.iter().map(|class| {
                    let small = search.minimised_for(&class.outcome);
                    let schedule = small.map_or_else(|| class.shortest.clone(), |m| m.choices.clone());
                    let shortest = class.shortest.clone();
                    let as_policy = Policy::Manual { choices: schedule.clone() }.to_string();
                    let kind = match class.outcome { Outcome::Finished(_) => "finished", _ => "bad" };
                    html! {
                        <li data-testid="explore-outcome" data-kind={kind}>
                            <strong>{ class.outcome.describe(s) }</strong>
                            <span class="muted">{ format!(
                                " — {} schedule{}; shortest {} steps",
                                class.schedules,
                                if class.schedules == 1 { "" } else { "s" },
                                class.shortest.len()
                            ) }</span>
                            if let Some(m) = small {
                                <span class="muted" data-testid="minimised">{ format!(
                                    "; minimised: {} preemption{}, {} steps",
                                    m.preemptions,
                                    if m.preemptions == 1 { "" } else { "s" },
                                    m.choices.len()
                                ) }</span>
                            }
                            <span class="buttons">
                                <button data-testid="replay" title={as_policy}
                                        onclick={d.reform(move |_| Action::Replay(schedule.clone()))}>
                                    { "Replay" }
                                </button>
                                if small.is_none() {
                                    <button data-testid="minimise"
                                            title="Fewest switches away from a task that could go on, same outcome"
                                            onclick={d.reform(move |_| Action::Minimise(shortest.clone()))}>
                                        { "Minimise" }
                                    </button>
                                }
                            </span>
                        </li>
                    }
                }) }
            </ul>
            if r.unlisted > 0 {
                <p class="muted">{ format!(
                    "{} more schedules led to other outcomes (only the first {} are listed).",
                    r.unlisted,
                    crate::trace::explore::MAX_CLASSES
                ) }</p>
            }
        </>
    }
}

/// At the playhead (paused): the tasks that could run next, each a fork; and the
/// breadcrumb of forks taken.
fn fork_row(props: &ExplorerProps, ready: &[TaskId]) -> Html {
    let d = &props.dispatch;
    let s = &*props.scenario.0;
    let breadcrumb = (!props.forks.is_empty()).then(|| {
        html! {
            <nav class="forks" aria-label="Forks taken" data-testid="forks">
                <button onclick={d.reform(|_| Action::Unfork(0))}>{ "main run" }</button>
                { for props.forks.iter().enumerate().map(|(i, f)| {
                    let label = format!(" › step {}: {}", f.step + 1, task_name(s, f.task));
                    if i + 1 == props.forks.len() {
                        html! { <span aria-current="step">{ label }</span> }
                    } else {
                        html! { <button onclick={d.reform(move |_| Action::Unfork(i + 1))}>{ label }</button> }
                    }
                }) }
            </nav>
        }
    });
    let here = match (&props.run, props.step) {
        (Some(run), Some(step)) => fork_choices(s, run, step, ready, d),
        (Some(_), None) => html! { <p class="muted">{ "Pause to fork the run at a step." }</p> },
        _ => html! {},
    };
    html! { <div class="fork-here">{ here }{ for breadcrumb }</div> }
}

fn fork_choices(s: &Scenario, run: &RunRef, step: u32, ready: &[TaskId], d: &Callback<Action>) -> Html {
    let Some(&next) = run.run.choices().get(step as usize) else {
        return html! { <p class="muted">{ "At the end of the run: nothing left to fork." }</p> };
    };
    if ready.len() < 2 {
        return html! {
            <p class="muted" data-testid="fork-none">
                { format!("Step {}: only {} can run here; nothing to fork.", step + 1, task_name(s, next)) }
            </p>
        };
    }
    html! {
        <p class="ready-row" data-testid="fork-row">
            { format!("Step {}: {} runs next. Fork: ", step + 1, task_name(s, next)) }
            { for ready.iter().copied().filter(|&t| t != next).map(|t| html! {
                <button class="ready-task" data-testid="fork" data-task={t.to_string()}
                        onclick={d.reform(move |_| Action::ForkHere(t))}>
                    { chip(s, t, "") }{ format!(" run {} instead", task_name(s, t)) }
                </button>
            }) }
        </p>
    }
}
