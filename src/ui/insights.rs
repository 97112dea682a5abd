//! Insights: the run's outcome, its alerts (each with a jump to where it happened), a few
//! numbers, and the wait and hold of every task.

use super::palette::{chip, task_name};
use super::state::{Action, RunRef};
use crate::trace::AlertKind;
use yew::prelude::*;

/// The run, and where the playhead is in it.
#[derive(Properties, PartialEq)]
pub struct InsightsProps {
    /// The run.
    pub run: RunRef,
    /// The playhead: alerts it has passed are marked as reached.
    pub step: u32,
    /// The reducer's dispatcher (an alert's "jump to step" seeks).
    pub dispatch: Callback<Action>,
}

/// An alert's title, and the name used for its CSS class and `data-kind`.
fn alert_names(kind: AlertKind) -> (&'static str, &'static str) {
    match kind {
        AlertKind::Deadlock => ("Deadlock", "Deadlock"),
        AlertKind::LostWakeup => ("Lost wake-up", "LostWakeup"),
        AlertKind::Stalled => ("Stalled executor", "Stalled"),
        AlertKind::Starvation => ("Starvation", "Starvation"),
        AlertKind::Error => ("Error", "Error"),
    }
}

/// The outcome, the alerts, the numbers and the per-task table.
#[function_component(Insights)]
pub fn insights(props: &InsightsProps) -> Html {
    let run = &props.run.run;
    let a = run.analysis();
    let at_end = props.step >= run.steps();
    html! {
        <section class="insights" aria-label="Insights">
            <h2>{ "Insights" }</h2>
            <p class={classes!("outcome", at_end.then_some("reached"))} data-testid="outcome">
                <strong>{ if at_end { "Outcome: " } else { "At the end: " } }</strong>{ run.end_text() }
                { for run.scenario.mutexes.iter().enumerate().take(3).map(|(i, m)| {
                    let v = props.run.end_snapshot.mutexes.get(i).map(|v| v.value.clone()).unwrap_or_default();
                    html! {
                        <span class="final-value">
                            { format!(" · {} = ", m.name) }<code data-testid="final-value">{ v }</code>
                        </span>
                    }
                }) }
            </p>
            <ul class="alerts" aria-label="Alerts">
                { for a.alerts.iter().enumerate().map(|(i, al)| {
                    let step = al.step;
                    let (title, kind) = alert_names(al.kind);
                    // Announced when the playhead gets there, not on load.
                    let reached = props.step >= step;
                    let message =
                        al.message.strip_prefix(title).and_then(|m| m.strip_prefix(": ")).unwrap_or(&al.message);
                    html! {
                        <li key={i} class={classes!("alert", format!("alert-{}", kind.to_lowercase()),
                                                    reached.then_some("reached"))}
                            data-testid="alert" data-kind={kind} role={reached.then_some("alert")}>
                            <strong>{ title }</strong>{ ": " }{ message.to_string() }
                            <button class="link" data-testid="alert-seek"
                                    onclick={props.dispatch.reform(move |_| Action::Seek(step))}
                                    aria-label={format!("Jump to step {step}, where it happened")}>
                                { format!("jump to step {step} ({} ms)", al.time) }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            <dl class="numbers">
                <div>
                    <dt>{ "Fairness (Jain)" }</dt><dd data-testid="fairness">{ format!("{:.3}", a.jain_fairness) }</dd>
                </div>
                <div><dt>{ "Throughput" }</dt><dd>{ format!("{:.1} locks/s", a.throughput_per_s) }</dd></div>
                <div><dt>{ "Acquisitions" }</dt><dd>{ a.acquisitions }</dd></div>
                <div><dt>{ "Virtual time" }</dt><dd>{ format!("{} ms", run.duration()) }</dd></div>
            </dl>
            <StatsTable run={props.run.clone()} />
        </section>
    }
}

/// The run whose table to draw.
#[derive(Properties, PartialEq)]
pub struct StatsProps {
    /// The run.
    pub run: RunRef,
}

/// Wait and hold per task. A component of its own so that it is rebuilt only when the
/// run changes, not on every frame of playback (it has a row per task, up to 200).
#[function_component(StatsTable)]
pub fn stats_table(props: &StatsProps) -> Html {
    let run = &props.run.run;
    let a = run.analysis();
    let s = &run.scenario;
    html! {
        <div class="table-wrap">
            <table class="stats">
                <caption class="sr-only">{ "Wait and hold per task (virtual ms)" }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Task" }</th><th scope="col">{ "locks" }</th>
                        <th scope="col">{ "wait total" }</th><th scope="col">{ "wait max" }</th>
                        <th scope="col">{ "hold total" }</th><th scope="col">{ "hold max" }</th>
                        <th scope="col">{ "overtaken" }</th>
                    </tr>
                </thead>
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
