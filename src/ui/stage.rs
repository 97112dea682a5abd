//! The run at the playhead: the scheduler game, the mutexes (with a stalled executor or a
//! deadlock cycle called out where it happens), the tasks beside the transcript, the
//! timeline and the insights.

use super::code_view::CodeView;
use super::insights::Insights;
use super::log::Log;
use super::mutex_panel::{mutex_panel, use_chip_room};
use super::palette::{chip, mutex_name, task_name};
use super::scheduler::Scheduler;
use super::state::{Action, Axis, CodeSource, Mode, RunRef, Shared};
use super::tasks::task_list;
use super::timeline::Timeline;
use crate::scenario::{Scenario, ScenarioError};
use crate::trace::{AlertKind, EndReason, MutexId, TaskId};
use std::rc::Rc;
use yew::prelude::*;

/// What the stage shows.
#[derive(Properties, PartialEq)]
pub struct StageProps {
    /// The last run that succeeded (`None` before any did).
    pub run: Option<RunRef>,
    /// The playhead.
    pub step: u32,
    /// Watching, or playing the scheduler.
    pub mode: Mode,
    /// How many scheduling choices the player has made.
    pub choices: usize,
    /// Whether Undo has something to undo (a choice, or a reset's wiped game).
    pub can_undo: bool,
    /// The timeline's axis.
    pub axis: Axis,
    /// Dark theme (the timeline's canvas colours follow it).
    pub dark: bool,
    /// Embed mode: a shorter timeline.
    pub embed: bool,
    /// Fast playback: one-step effects (a chip joining, a release's ghost) are skipped.
    pub jump: bool,
    /// Why the scenario cannot run, when there is no run to show instead.
    pub error: Option<ScenarioError>,
    /// A lesson in progress: the run's outcome stays hidden until the playhead gets there.
    #[prop_or_default]
    pub veil: bool,
    /// Show the scenario as a Rust program in embed mode too (`view=code`).
    #[prop_or_default]
    pub code: bool,
    /// The program the scenario was typed as, for the code view (else it is written out).
    #[prop_or_default]
    pub source: Option<Shared<CodeSource>>,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// The deadlock cycle to draw at `step`: from the step the deadlock is detected on (or the
/// run's end), else nothing.
fn cycle_at(run: &RunRef, step: u32) -> Vec<(TaskId, MutexId)> {
    let EndReason::Deadlock { cycle } = &run.run.end else { return Vec::new() };
    let detected = run.run.analysis().alerts.iter().find(|a| a.kind == AlertKind::Deadlock).map(|a| a.step);
    if step >= detected.unwrap_or(run.run.steps()) {
        cycle.clone()
    } else {
        Vec::new()
    }
}

/// The note on mutex `m`'s panel when it is part of `cycle`.
fn cycle_note(s: &Scenario, cycle: &[(TaskId, MutexId)], m: MutexId) -> Option<String> {
    let k = cycle.iter().position(|&(_, cm)| cm == m)?;
    let (waiter, _) = cycle[k];
    let holder = cycle[(k + 1) % cycle.len()].0;
    Some(format!(
        "Deadlock: {} waits for {}, held by {}, who waits in turn.",
        task_name(s, waiter),
        mutex_name(s, m),
        task_name(s, holder)
    ))
}

/// The whole cycle in one line: A → waits for m → held by B → waits for n → held by A.
fn cycle_strip(s: &Scenario, cycle: &[(TaskId, MutexId)]) -> Html {
    html! {
        <p class="cycle-strip" role="alert" data-testid="cycle-strip">
            <strong>{ "Deadlock cycle: " }</strong>
            { for cycle.iter().map(|&(t, m)| html! {
                <>
                    { chip(s, t, "") }{ format!(" {} → waits for ", task_name(s, t)) }
                    <code>{ mutex_name(s, m) }</code>{ " → held by " }
                </>
            }) }
            { for cycle.first().map(|&(t, _)| html! { <>{ chip(s, t, "") }{ format!(" {}", task_name(s, t)) }</> }) }
        </p>
    }
}

/// The run at the playhead.
#[function_component(Stage)]
pub fn stage(props: &StageProps) -> Html {
    // Queue chips: as many as fit the panels.
    let grid = use_node_ref();
    let mutex_count = props.run.as_ref().map_or(0, |r| r.run.scenario.mutexes.len());
    let room = use_chip_room(&grid, (props.run.is_some(), mutex_count));
    let d = &props.dispatch;
    let Some(run) = &props.run else {
        return html! {
            <section class="mutexes" aria-label="Mutexes">
                <h2>{ "Mutexes" }</h2>
                <p class="muted">{ "Pick a scenario to start." }</p>
                if let Some(e) = &props.error {
                    <p class="error-banner" role="alert" data-testid="scenario-error">{ e.to_string() }</p>
                }
            </section>
        };
    };
    let step = props.step;
    let snap = Rc::new(run.run.snapshot_at(step));
    let s = &run.run.scenario;
    let cycle = cycle_at(run, step);
    let stalled = snap.stalled.map(|(t, m, h)| {
        let (t, m, h) = (task_name(s, t), mutex_name(s, m), task_name(s, h));
        format!(
            "The executor is stalled: {t} blocked the only thread locking {m}, which {h} holds, \
             so {h} can never run to release it."
        )
    });
    let seek = d.reform(Action::Seek);
    html! {
        <>
            if props.mode == Mode::Scheduler {
                <Scheduler run={run.clone()} choices={props.choices} can_undo={props.can_undo} dispatch={d.clone()} />
            }
            <section class="mutexes" aria-label="Mutexes">
                <h2>{ if s.mutexes.len() == 1 { "Mutex" } else { "Mutexes" } }</h2>
                if let Some(text) = stalled {
                    <p class="stall-banner" role="alert" data-testid="stall-banner">{ text }</p>
                }
                if !cycle.is_empty() {
                    { cycle_strip(s, &cycle) }
                }
                <div class="mutex-grid" ref={grid}>
                    { for (0..s.mutexes.len() as u32)
                        .map(|m| mutex_panel(run, &snap, m, cycle_note(s, &cycle, m), room, props.jump)) }
                </div>
            </section>
            if !props.embed || props.code {
                <CodeView run={run.clone()} {step} snapshot={Shared(snap.clone())} dispatch={d.clone()}
                          source={props.source.clone()}
                          height={if props.embed { 220.0 } else { 420.0 }} />
            }
            <div class="pair">
                { task_list(run, &snap) }
                <Log loaded={run.clone()} step={step} on_seek={seek.clone()} />
            </div>
            <Timeline loaded={run.clone()} {step} axis={props.axis} dark={props.dark} on_seek={seek}
                      max_height={if props.embed { 84.0 } else { 360.0 }} />
            <div class="axis-row">
                <div class="axis-switch" role="group" aria-label="Timeline axis">
                    <button aria-pressed={(props.axis == Axis::Time).to_string()}
                            onclick={d.reform(|_| Action::SetAxis(Axis::Time))}>{ "virtual time" }</button>
                    <button aria-pressed={(props.axis == Axis::Steps).to_string()}
                            onclick={d.reform(|_| Action::SetAxis(Axis::Steps))}>{ "steps" }</button>
                </div>
            </div>
            if props.veil && step < run.run.steps() {
                <section class="insights" aria-label="Insights">
                    <h2>{ "Insights" }</h2>
                    <p class="muted" data-testid="insights-veiled">
                        { "Hidden during the lesson, so the outcome is yours to predict." }
                    </p>
                </section>
            } else {
                <Insights run={run.clone()} step={step} dispatch={d.clone()} />
            }
        </>
    }
}
