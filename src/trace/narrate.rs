//! A step in a sentence, for people who cannot see the animation: what the task polled
//! did, in the order it happened ("Step 3 at 0 ms: writer asks for db and queues behind
//! reader."). The page reads it out through a live region; it is plain text.

use super::{EventKind, Run};
use crate::exec::{MutexId, TaskId};

/// The longest printed line or value quoted in a sentence, in characters.
const QUOTE: usize = 60;

/// `text` on one line (runs of white space, line breaks too, become one space), cut at
/// [`QUOTE`] characters.
fn quote(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    let mut out: String = line.chars().take(QUOTE).collect();
    if line.chars().nth(QUOTE).is_some() {
        out.push('…');
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn hold(holders: &mut [Option<TaskId>], m: MutexId, who: Option<TaskId>) {
    if let Some(h) = holders.get_mut(m as usize) {
        *h = who;
    }
}

/// What happened at `step` of `run`, in one or a few sentences.
///
/// ```
/// use mutex_playground::exec::Policy;
/// use mutex_playground::scenario::preset;
/// use mutex_playground::trace::{narrate, simulate};
///
/// let run = simulate(&preset("deadlock").unwrap().scenario, &Policy::Fifo).unwrap();
/// assert_eq!(narrate(&run, 1), "Step 1 at 0 ms: left takes a, then sleeps until 10 ms.");
/// assert!(narrate(&run, 4).contains("right asks for a and queues behind left"));
/// ```
pub fn narrate(run: &Run, step: u32) -> String {
    let s = &run.scenario;
    let task = |t: TaskId| s.task_name(t);
    let mutex = |m: MutexId| s.mutex_name(m);
    if step == 0 {
        let names: Vec<String> = (0..s.tasks.len() as TaskId).map(task).collect();
        return match names.len() {
            0 => "Before the first step: there are no tasks.".into(),
            1 => format!("Before the first step: {} is ready.", names[0]),
            _ => format!("Before the first step: {} are ready.", list(&names)),
        };
    }
    let step = step.min(run.steps());
    // Who holds each lock as the step's events go by (a lock can change hands twice in
    // one step: released, handed over, asked for again).
    // (For a lock with several holders, the latest.)
    let mut holders: Vec<Option<TaskId>> =
        run.snapshot_at(step - 1).mutexes.iter().map(|v| v.holders.last().copied()).collect();
    let events = run.events_at(step);
    let mut said: Vec<String> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let next = events.get(i + 1).map(|e| &e.kind);
        let holder = holders.get(events[i].kind.mutex().unwrap_or(MutexId::MAX) as usize).copied().flatten();
        let clause = match events[i].kind {
            EventKind::LockRequested { task: t, mutex: m } => match next {
                Some(&EventKind::Acquired { task: a, mutex: am }) if a == t && am == m => {
                    i += 1;
                    hold(&mut holders, m, Some(t));
                    Some(format!("{} takes {}", task(t), mutex(m)))
                }
                Some(&EventKind::Enqueued { task: q, mutex: qm, position }) if q == t && qm == m => {
                    i += 1;
                    let behind = match (holder, position) {
                        (Some(h), 0) => format!("behind {}", task(h)),
                        (_, p) => format!("at place {} of its queue", p + 1),
                    };
                    Some(format!("{} asks for {} and queues {behind}", task(t), mutex(m)))
                }
                _ => None,
            },
            EventKind::Enqueued { task: t, mutex: m, position } => {
                Some(format!("{} queues for {} at place {}", task(t), mutex(m), position + 1))
            }
            EventKind::Acquired { task: t, mutex: m } => {
                hold(&mut holders, m, Some(t));
                Some(format!("{} gets {}", task(t), mutex(m)))
            }
            EventKind::Released { task: t, mutex: m } => match next {
                Some(&EventKind::Acquired { task: a, mutex: am }) if am == m && a != t => {
                    i += 1;
                    hold(&mut holders, m, Some(a));
                    Some(format!("{} releases {}, handing it to {}", task(t), mutex(m), task(a)))
                }
                _ => {
                    hold(&mut holders, m, None);
                    Some(format!("{} releases {}", task(t), mutex(m)))
                }
            },
            EventKind::Uncontended { task: t, mutex: m, times: 1 } => {
                Some(format!("{} locks and unlocks {}", task(t), mutex(m)))
            }
            EventKind::Uncontended { task: t, mutex: m, times } => {
                Some(format!("{} locks and unlocks {} {times} times", task(t), mutex(m)))
            }
            EventKind::Cancelled { task: t, mutex: m } => {
                Some(format!("{} gives up waiting for {}", task(t), mutex(m)))
            }
            EventKind::TryFailed { task: t, mutex: m } => Some(format!("{}'s try_lock of {} fails", task(t), mutex(m))),
            EventKind::SleepStart { until, .. } => Some(format!("sleeps until {until} ms")),
            EventKind::Busy { task: t, ms } => {
                Some(format!("{} works {ms} ms without yielding, and every other task waits", task(t)))
            }
            EventKind::Watching { task: t, mutex: m } => Some(format!("{} waits for a write to {}", task(t), mutex(m))),
            EventKind::Value { mutex: m, value } => Some(format!("{} is now {}", mutex(m), quote(run.value(value)))),
            EventKind::Print { task: t, line } => Some(format!("{} prints “{}”", task(t), quote(run.line(line)))),
            EventKind::Error { task: t, message } => Some(format!("{} fails: {}", task(t), quote(run.line(message)))),
            EventKind::AssertFailed { task: t, message, .. } => {
                Some(format!("{}'s {}: it panics and ends, dropping its guards", task(t), quote(run.line(message))))
            }
            EventKind::Joining { task: t, target: Some(j) } => {
                Some(format!("{} waits for {} to finish", task(t), task(j)))
            }
            EventKind::Joining { task: t, target: None } => {
                Some(format!("{} waits for every other task to finish", task(t)))
            }
            EventKind::Joined { task: t } => Some(format!("{}'s join returns", task(t))),
            EventKind::Done { task: t } => Some(format!("{} finishes", task(t))),
            EventKind::LostWakeup { task: t } => {
                Some(format!("{} waits with nobody to wake it: it will never run again", task(t)))
            }
            EventKind::Stalled { task: t, mutex: m, holder: h } => Some(format!(
                "{} blocks the only thread locking {}, which {} holds: nothing can run again",
                task(t),
                mutex(m),
                task(h)
            )),
            _ => None,
        };
        said.extend(clause);
        i += 1;
    }
    let time = run.time_at(step);
    let polled = run.polled_at(step).map(task);
    let body = match (said.is_empty(), polled) {
        (true, Some(t)) => format!("{t} runs and waits again"),
        (true, None) => "nothing runs".into(),
        (false, Some(t)) if !said[0].starts_with(&t) => format!("{t} runs: {}", said.join(", then ")),
        (false, _) => said.join(", then "),
    };
    format!("Step {step} at {time} ms: {body}.")
}
