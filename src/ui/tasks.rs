//! The task list: each task's state at the playhead and the step it is at.

use super::palette::{chip, mutex_name, task_name};
use super::state::Loaded;
use crate::trace::{Snapshot, TaskStatus, TaskView};
use yew::prelude::*;

/// Rows the task list draws at most (a DOM row per task per frame is what costs).
const MAX_TASK_ROWS: usize = 40;

/// A task's state in words, and the CSS class that colours it.
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
        TaskStatus::Joining { target } => {
            let what = match target {
                Some(t) => format!("waiting for {} to finish", task_name(s, *t)),
                None => "waiting for every other task to finish".into(),
            };
            if holding {
                (format!("{what}, holding {holds}"), "holding")
            } else {
                (what, "idle")
            }
        }
        TaskStatus::Parked if holding => (format!("pending, waiting to be woken, holding {holds}"), "holding"),
        TaskStatus::Parked => ("pending, waiting to be woken".into(), "idle"),
        TaskStatus::Done => ("done".into(), "done"),
        // True from the poll that left the waker nowhere: nothing can ever wake it.
        TaskStatus::Stuck => ("stuck: nothing holds its waker, so nothing can wake it".into(), "stuck"),
        TaskStatus::Blocked { mutex } => (format!("blocked the thread on {}", mutex_name(s, *mutex)), "stuck"),
    }
}

/// The task list at `snap`. Many tasks: the first rows, plus the one that just ran; the
/// timeline has them all. (A function, not a component: it changes with every step.)
pub fn task_list(loaded: &Loaded, snap: &Snapshot) -> Html {
    let s = &loaded.run.scenario;
    let shown = snap.tasks.iter().enumerate().filter(|&(i, _)| i < MAX_TASK_ROWS || snap.polled == Some(i as u32));
    html! {
        <section class="tasks" aria-label="Tasks">
            <h2>{ "Tasks" }</h2>
            // Focusable: it scrolls when the tasks do not fit, and keys must reach it.
            <ul class="task-list" tabindex="0">
                { for shown.map(|(i, t)| {
                    let id = i as u32;
                    let (text, class) = status_text(&t.status, loaded, t);
                    let running = snap.polled == Some(id);
                    html! {
                        <li key={i} class={classes!("task-row", class, running.then_some("running"))}
                            data-testid="task-row" data-task={i.to_string()}>
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
                <p class="muted" data-testid="more-tasks">
                    { format!("… and {} more tasks: the timeline shows them all.", snap.tasks.len() - MAX_TASK_ROWS) }
                </p>
            }
        </section>
    }
}
