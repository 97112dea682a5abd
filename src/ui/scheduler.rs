//! "Be the scheduler": the player picks which ready task the executor polls next.

use super::palette::{chip, icon, task_name};
use super::state::{Action, RunRef};
use crate::exec::Policy;
use crate::trace::explore::{outlook, Outlook};
use crate::trace::EndReason;

/// The most runs tried to tell whether the choices left still matter (each is a whole run
/// of the scenario from the start: a few ms for the presets).
const OUTLOOK_RUNS: usize = 300;

/// Whether the choices left still matter, in a sentence.
fn outlook_text(run: &crate::trace::Run) -> Option<String> {
    if !matches!(run.end, EndReason::AwaitingChoice { .. }) {
        return None;
    }
    let Policy::Manual { choices } = run.replay_policy() else { return None };
    Some(match outlook(&run.scenario, &choices, OUTLOOK_RUNS) {
        Outlook::Decided(ending) => format!(
            "From here on, every schedule ends in {}: the choices left do not change the outcome.",
            ending.describe()
        ),
        Outlook::Open(endings) => {
            let list: Vec<&str> = endings.iter().map(|e| e.describe()).collect();
            format!("Your choices still decide the outcome: it can end in {}.", list.join(" or "))
        }
        Outlook::Unknown => "There are too many ways on from here to tell whether your choices still matter.".into(),
    })
}
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
    let outlook = use_memo(props.run.clone(), |r| outlook_text(&r.run));
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
            if let Some(text) = &*outlook {
                <p class="outlook" data-testid="outlook">{ text.clone() }</p>
            }
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
