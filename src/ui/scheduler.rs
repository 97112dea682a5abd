//! "Be the scheduler": the player picks which ready task the executor polls next.

use super::palette::{chip, icon, task_name};
use super::state::{Action, RunRef};
use crate::trace::EndReason;
use yew::prelude::*;

/// The game's state, as the run made of the player's choices so far shows it.
#[derive(Properties, PartialEq)]
pub struct SchedulerProps {
    /// The run of the choices so far: it ends waiting for the next choice, or for good.
    pub run: RunRef,
    /// How many choices the player has made.
    pub choices: usize,
    /// Whether Undo has something to undo (a choice, or a reset's wiped game).
    pub can_undo: bool,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// The player's turn: a button per ready task, Undo, and how the game stands.
#[function_component(Scheduler)]
pub fn scheduler(props: &SchedulerProps) -> Html {
    let run = &props.run.run;
    let scenario = &run.scenario;
    let ready = run.ready_at_end();
    let status = match &run.end {
        EndReason::AwaitingChoice { .. } => "Your turn: pick the ready task the executor polls next.".to_string(),
        EndReason::BadChoice { .. } => "That task was not ready; pick one of these.".to_string(),
        _ => format!("The run ended: {}.", run.end_text()),
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
                                aria-label={format!("Poll {name} next")}
                                onclick={props.dispatch.reform(move |_| Action::Choose(t))}>
                            { chip(scenario, t, "") }{ " " }{ name }
                        </button>
                    }
                }) }
                if ready.is_empty() && matches!(run.end, EndReason::AwaitingChoice { .. }) {
                    <span class="muted">{ "Nobody is ready." }</span>
                }
            </div>
            <div class="buttons">
                <button data-testid="undo" disabled={!props.can_undo} onclick={props.dispatch.reform(|_| Action::Undo)}>
                    { icon("undo") }{ " Undo" }
                </button>
                <span class="muted">{ format!("{} choices made", props.choices) }</span>
            </div>
        </section>
    }
}
