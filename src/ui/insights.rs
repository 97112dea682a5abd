//! Insights: the run's outcome, its alerts (each with a jump to where it happened), a few
//! numbers, and the wait and hold of every task.

use super::palette::{chip, task_name, term};
use super::state::{Action, RunRef};
use crate::trace::{AlertKind, EndReason, TaskStats};
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

/// An alert's title, the name in its `data-kind`, and its CSS class. (Written out: a
/// `to_lowercase` here would bring Unicode's case tables into the page, 8 kB gzipped.)
fn alert_names(kind: AlertKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        AlertKind::Deadlock => ("Deadlock", "Deadlock", "alert-deadlock"),
        AlertKind::LostWakeup => ("Lost wake-up", "LostWakeup", "alert-lostwakeup"),
        AlertKind::Stalled => ("Stalled executor", "Stalled", "alert-stalled"),
        AlertKind::Starvation => ("Starvation", "Starvation", "alert-starvation"),
        AlertKind::Error => ("Error", "Error", "alert-error"),
        AlertKind::AssertionFailed => ("Assertion failed", "AssertionFailed", "alert-assert"),
    }
}

const JAIN: &str = "Jain's fairness index of how many locks each task got: 1 when every task that asked got \
                    as many, down to 1/n when one task of n got them all.";
const THROUGHPUT: &str = "Locks taken per second of virtual time (per step, when no virtual time passes).";
const OVERTAKEN: &str = "How many times, while this task waited for a lock, a task which asked for it later got \
                         it first (once per such acquisition). A FIFO lock never lets that happen: 0.";
const WAIT: &str = "From asking for a lock to getting it. ∞: still waiting when the run ended, for good.";
const HOLD: &str = "From getting a lock to letting it go. ≥: still held when the run ended.";

/// Whether the run ended because nothing could ever run again (so a wait at the end never
/// ends), rather than at a limit.
fn stuck_for_good(end: &EndReason) -> bool {
    matches!(
        end,
        EndReason::Deadlock { .. } | EndReason::LostWakeup { .. } | EndReason::Stalled { .. } | EndReason::Stuck
    )
}

/// Throughput in words: per second of virtual time, or per step when no time passes, and
/// saying so when the run stopped for good.
fn throughput(props: &InsightsProps) -> String {
    let run = &props.run.run;
    let a = run.analysis();
    let rate = if run.duration() == 0 {
        format!("{:.2} locks per step (no virtual time passes)", a.acquisitions as f64 / f64::from(run.steps().max(1)))
    } else {
        format!("{:.1} locks/s", a.throughput_per_s)
    };
    if stuck_for_good(&run.end) {
        format!("{rate}, then none: the run stopped at {} ms", run.duration())
    } else {
        rate
    }
}

/// A wait or a hold in the table: in ms, or in steps when no virtual time passes; one
/// still going on at the end is "∞" if it never ends, else "≥" what it was then.
fn cell(value: u64, open: bool, for_good: bool) -> String {
    match (open, for_good) {
        (true, true) => "∞".to_string(),
        (true, false) => format!("≥ {value}"),
        _ => value.to_string(),
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
            <h2>{ "Insights" }<span class="count">{ "the whole run, to its end" }</span></h2>
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
                    let (title, kind, class) = alert_names(al.kind);
                    // Announced when the playhead gets there, not on load.
                    let reached = props.step >= step;
                    let message =
                        al.message.strip_prefix(title).and_then(|m| m.strip_prefix(": ")).unwrap_or(&al.message);
                    html! {
                        <li key={i} class={classes!("alert", class,
                                                    reached.then_some("reached"))}
                            data-testid="alert" data-kind={kind}>
                            // (The alert role on the item itself would unmake it a list item.)
                            <span role={reached.then_some("alert")}>
                                <strong>{ title }</strong>{ ": " }{ message.to_string() }
                            </span>
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
                    <dt>{ term("Fairness (Jain)", "term-jain", JAIN) }</dt>
                    <dd data-testid="fairness">{ format!("{:.3}", a.jain_fairness) }</dd>
                </div>
                <div>
                    <dt>{ term("Throughput", "term-throughput", THROUGHPUT) }</dt>
                    <dd data-testid="throughput">{ throughput(props) }</dd>
                </div>
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
/// run changes, not on every frame of playback (it has a row per task, up to 200). In
/// virtual ms, or in steps when no virtual time passes in the run.
#[function_component(StatsTable)]
pub fn stats_table(props: &StatsProps) -> Html {
    let run = &props.run.run;
    let a = run.analysis();
    let s = &run.scenario;
    let steps = run.duration() == 0;
    let for_good = stuck_for_good(&run.end);
    let unit = if steps { "steps" } else { "virtual ms" };
    let row = |t: &TaskStats| {
        if steps {
            [t.wait_steps_total, t.wait_steps_max, t.hold_steps_total, t.hold_steps_max]
        } else {
            [t.wait_total, t.wait_max, t.hold_total, t.hold_max]
        }
    };
    html! {
        <div class="table-wrap">
            <table class="stats" data-unit={unit}>
                <caption>{ format!("Wait and hold per task, in {unit}") }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Task" }</th><th scope="col">{ "locks" }</th>
                        <th scope="col">{ term("wait total", "term-wait", WAIT) }</th>
                        <th scope="col">{ "wait max" }</th>
                        <th scope="col">{ term("hold total", "term-hold", HOLD) }</th>
                        <th scope="col">{ "hold max" }</th>
                        <th scope="col">{ term("overtaken", "term-overtaken", OVERTAKEN) }</th>
                    </tr>
                </thead>
                <tbody>
                    { for a.tasks.iter().enumerate().take(200).map(|(i, t)| {
                        let [wait, wait_max, hold, hold_max] = row(t);
                        let (waiting, holding) = (t.waiting_at_end, t.holding_at_end);
                        html! {
                            <tr key={i} data-testid="stats-row">
                                <th scope="row">{ chip(s, i as u32, "") }{ " " }{ task_name(s, i as u32) }</th>
                                <td>{ t.acquisitions }</td>
                                <td>{ cell(wait, waiting, for_good) }</td><td>{ cell(wait_max, waiting, for_good) }</td>
                                <td>{ cell(hold, holding, false) }</td><td>{ cell(hold_max, holding, false) }</td>
                                <td>{ t.overtaken }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
