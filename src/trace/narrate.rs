//! A step in a sentence, for people who cannot see the animation: what the task polled
//! did, in the order it happened ("Step 3 at 0 ms: writer asks for db and queues behind
//! reader."). The page reads it out through a live region; it is plain text.

use super::{EventKind, Run};
use crate::exec::{MutexId, TaskId};
use crate::scenario::{MutexKind, Step};

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

/// Whether task `t`'s `Released` of mutex `m`, at `events_at(step)[i]`, is a lock future
/// dropped with the lock already handed to it, and if so what dropped it (`select! took the
/// sleep branch`).
///
/// That is so when `t` is the task polled at `step`, the lock was handed to `t` while it
/// waited (`Acquired` for it in a step since its previous poll, in which it was not the
/// task polled), it was parked at a step that races its lock future against something
/// else, and the release is the first thing it does in the poll: before its lock future
/// could have returned the guard. In the playground the only such step is a `select`,
/// which polls its sleep first: if the timer has fired, the sleep branch wins and the lock
/// future is dropped holding the lock (the interpreter drops it before the `SleepEnd` it
/// records as the branch starts; the `locked` branch records its `SleepEnd` before it can
/// release anything). A `lock_timeout` never gets here: `timeout(ms, lock())` polls the
/// lock first, so a lock handed to it is taken before the timer is looked at. Any other
/// step awaits its lock to the end.
fn dropped_with_lock(run: &Run, step: u32, i: usize, t: TaskId, m: MutexId) -> Option<&'static str> {
    if run.polled_at(step) != Some(t) {
        return None;
    }
    let events = run.events_at(step);
    let first = events[..i].iter().all(|e| match e.kind {
        EventKind::SleepEnd { task } => task != t,
        EventKind::Poll { .. } | EventKind::Woken { .. } => true,
        // Nothing else of the task's own before it: only the dropped future's release.
        ref other => other.task() != Some(t),
    });
    if !first {
        return None;
    }
    // Back to the task's previous poll: the lock must have been handed to it since.
    let mut handed = false;
    for k in (1..step).rev() {
        let events = run.events_at(k);
        if run.polled_at(k) == Some(t) {
            let at = events.iter().rev().find_map(|e| match e.kind {
                EventKind::Pending { task, at } if task == t => Some(at),
                _ => None,
            })?;
            let label = run.label(at)?;
            return match run.scenario.step_at(&label.path)? {
                Step::Select { mutex, .. } if handed && run.scenario.mutex_index(mutex) == Some(m as usize) => {
                    Some("select! took the sleep branch")
                }
                _ => None,
            };
        }
        handed |=
            events.iter().any(|e| matches!(e.kind, EventKind::Acquired { task, mutex } if task == t && mutex == m));
    }
    None
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
    let before = run.snapshot_at(step - 1);
    let mut holders: Vec<Option<TaskId>> = before.mutexes.iter().map(|v| v.holders.last().copied()).collect();
    let events = run.events_at(step);
    // Who waits in each lock's queue as the step's events go by: a lock taken at once
    // while others wait was taken past them (a barge).
    let mut queues: Vec<Vec<TaskId>> = before.mutexes.into_iter().map(|v| v.queue).collect();
    let barging = |queues: &[Vec<TaskId>], m: MutexId, t: TaskId| -> String {
        let waiting: Vec<String> =
            queues.get(m as usize).into_iter().flatten().filter(|&&w| w != t).map(|&w| task(w)).collect();
        match waiting.is_empty() {
            true => String::new(),
            false => format!(" ahead of {}, who waited first (the lock lets a newcomer barge)", list(&waiting)),
        }
    };
    let mut said: Vec<String> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let first = i;
        let next = events.get(i + 1).map(|e| &e.kind);
        let holder = holders.get(events[i].kind.mutex().unwrap_or(MutexId::MAX) as usize).copied().flatten();
        let dropped = match events[i].kind {
            EventKind::Released { task: t, mutex: m } => dropped_with_lock(run, step, i, t, m),
            _ => None,
        };
        let clause = match events[i].kind {
            EventKind::LockRequested { task: t, mutex: m } => match next {
                Some(&EventKind::Acquired { task: a, mutex: am }) if a == t && am == m => {
                    i += 1;
                    hold(&mut holders, m, Some(t));
                    Some(format!("{} takes {}{}", task(t), mutex(m), barging(&queues, m, t)))
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
            EventKind::Released { task: t, mutex: m } if dropped.is_some() => {
                let why = dropped.unwrap_or_default();
                // Whoever the lock goes to next (an rwlock's batch of readers: each of them).
                let mut next: Vec<String> = Vec::new();
                while let Some(&EventKind::Acquired { task: a, mutex: am }) = events.get(i + 1).map(|e| &e.kind) {
                    if am != m || a == t {
                        break;
                    }
                    i += 1;
                    hold(&mut holders, m, Some(a));
                    next.push(task(a));
                }
                if next.is_empty() {
                    hold(&mut holders, m, None);
                }
                let semaphore = matches!(s.mutexes.get(m as usize).map(|x| x.kind), Some(MutexKind::Semaphore { .. }));
                let what = if semaphore { format!("its permit of {}", mutex(m)) } else { mutex(m) };
                let then = match next.is_empty() {
                    true => format!("{what} is free again"),
                    false => format!("{what} passes on to {}", list(&next)),
                };
                Some(format!(
                    "{}'s {why}: the lock future is dropped with {} already handed to it, so {then} \
                     (our locks are cancel safe)",
                    task(t),
                    mutex(m)
                ))
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
                Some(format!("{} locks and unlocks {}{}", task(t), mutex(m), barging(&queues, m, t)))
            }
            EventKind::Uncontended { task: t, mutex: m, times } => {
                Some(format!("{} locks and unlocks {} {times} times{}", task(t), mutex(m), barging(&queues, m, t)))
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
        // The queues after the events this clause told of.
        for e in &events[first..=i] {
            match e.kind {
                EventKind::Enqueued { task: t, mutex: m, .. } => {
                    if let Some(q) = queues.get_mut(m as usize) {
                        q.push(t);
                    }
                }
                EventKind::Acquired { task: t, mutex: m } | EventKind::Cancelled { task: t, mutex: m } => {
                    if let Some(q) = queues.get_mut(m as usize) {
                        q.retain(|&w| w != t);
                    }
                }
                _ => {}
            }
        }
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
