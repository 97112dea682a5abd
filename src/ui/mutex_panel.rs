//! One panel per mutex: the lock with the holder's guard and the FIFO wait queue as a row
//! of chips that slide (keyed by task id, placed with `translateX`) as tasks enqueue,
//! advance, take the guard, release it or give up.
//!
//! Only the chips that fit the panel's width are drawn (see [`use_chip_room`]); the rest of
//! the queue is counted as "+N". Drawing chips nobody can see cost 200-task playback its
//! 60 fps (BENCHMARKS.md).

use super::measure::use_width;
use super::palette::{mutex_name, task_colour, task_mark, task_name};
use super::state::Loaded;
use crate::exec::EventKind;
use crate::scenario::MutexKind;
use crate::trace::{MutexId, Snapshot, TaskId};
use yew::prelude::*;

/// The most queue chips drawn in any width; the rest are counted.
const MAX_CHIPS: usize = 40;
const SLOT: i32 = 42;
const QUEUE_X: i32 = 88;
/// The guard's slot is this wide for one holder, and one [`SLOT`] wider for each more
/// place (see [`guard_places`]).
const GUARD_W: i32 = 56;
/// The most places a guard's slot has side by side.
const MAX_GUARD_PLACES: usize = 3;
/// Room kept at the end of the track for the "+N" count.
const MORE_W: i32 = 52;

/// How many holders' chips sit side by side in a lock's guard slot: one for a mutex, one
/// per permit for a semaphore and [`MAX_GUARD_PLACES`] for an RwLock's readers, never more
/// than that. Holders beyond the places stack on the last one and are counted ("+N").
/// The count is the lock's, not the moment's, so the queue does not jump as readers come
/// and go.
pub fn guard_places(kind: MutexKind) -> usize {
    match kind {
        MutexKind::RwLock => MAX_GUARD_PLACES,
        MutexKind::Semaphore { permits } => (permits as usize).clamp(1, MAX_GUARD_PLACES),
        _ => 1,
    }
}

/// How many chips fit a track `width` px wide (at least one, at most [`MAX_CHIPS`]).
fn chips_for(width: i32) -> usize {
    (((width - QUEUE_X - MORE_W) / SLOT).max(1) as usize).min(MAX_CHIPS)
}

/// How many queue chips fit one mutex panel, from the width of the first panel's track
/// (the grid's columns are all the same width, so it stands for every panel): see
/// [`use_width`]. [`MAX_CHIPS`] until it has been measured.
#[hook]
pub fn use_chip_room(grid: &NodeRef, key: (bool, usize)) -> usize {
    match use_width(grid, Some(".track-wrap"), key) {
        0 => MAX_CHIPS,
        width => chips_for(width),
    }
}

/// How chips move at the current playback rate: with a transition of this many
/// milliseconds, or (`None`) by jumping straight to their places once steps come faster
/// than a move could be followed (a 260 ms slide interrupted every few frames only piles
/// the chips up mid-flight).
pub fn chip_motion(steps_per_second: f64) -> Option<u32> {
    const FULL_MS: f64 = 260.0;
    const SHORTEST_MS: f64 = 90.0;
    let ms = if steps_per_second > 0.0 { (800.0 / steps_per_second).min(FULL_MS) } else { FULL_MS };
    (ms >= SHORTEST_MS).then_some(ms as u32)
}

/// What happened to one mutex at the playhead's step.
#[derive(Default)]
struct StepChanges {
    enqueued: Vec<TaskId>,
    acquired: Vec<TaskId>,
    released: Vec<TaskId>,
    cancelled: Vec<TaskId>,
}

fn changes(loaded: &Loaded, step: u32, mutex: MutexId) -> StepChanges {
    let mut c = StepChanges::default();
    if step == 0 {
        return c;
    }
    for e in loaded.run.events_at(step) {
        match e.kind {
            EventKind::Enqueued { task, mutex: m, .. } if m == mutex => c.enqueued.push(task),
            EventKind::Acquired { task, mutex: m } if m == mutex => c.acquired.push(task),
            EventKind::Released { task, mutex: m } | EventKind::Uncontended { task, mutex: m, .. } if m == mutex => {
                c.released.push(task)
            }
            EventKind::Cancelled { task, mutex: m } if m == mutex => c.cancelled.push(task),
            _ => {}
        }
    }
    c
}

/// What a chip on a panel stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Chip {
    /// The task holding the guard.
    Holder,
    /// A task in the wait queue, at this position (1 = head).
    Queued(usize),
    /// The ghost of a task that released the guard at this step, fading out.
    Released,
    /// The ghost of a task that gave up waiting at this step, fading out.
    Cancelled,
}

impl Chip {
    /// Its CSS class (which places and animates it).
    fn class(self) -> &'static str {
        match self {
            Chip::Holder => "holder",
            Chip::Queued(_) => "queued",
            Chip::Released => "released",
            Chip::Cancelled => "cancelled",
        }
    }

    /// Holder and queued chips of a task share a key, so the element slides from the queue
    /// to the lock; the ghosts of a release or a cancel are separate elements.
    fn key(self, task: TaskId) -> String {
        match self {
            Chip::Holder | Chip::Queued(_) => format!("t{task}"),
            ghost => format!("{}-{task}", ghost.class()),
        }
    }
}

/// One chip, placed `x` px along the track. A ghost is hidden from screen readers: the
/// task it stands for is no longer there (it is listed where it is now).
fn moving_chip(loaded: &Loaded, task: TaskId, x: i32, chip: Chip, effect: &'static str) -> Html {
    let (bg, fg) = task_colour(task);
    let name = task_name(&loaded.run.scenario, task);
    let (label, testid) = match chip {
        Chip::Holder => (Some(format!("{name} holds the guard")), "holder-chip"),
        Chip::Queued(pos) => (Some(format!("{name}, position {pos} in the queue")), "queue-chip"),
        Chip::Released | Chip::Cancelled => (None, "ghost-chip"),
    };
    let position = match chip {
        Chip::Queued(pos) => Some(pos.to_string()),
        _ => None,
    };
    let ghost = label.is_none();
    html! {
        <div key={chip.key(task)} class={classes!("slot", chip.class())}
             style={format!("transform:translateX({x}px);--chip:{bg};--chip-fg:{fg}")}
             data-testid={testid} data-task={task.to_string()} data-pos={position.clone().unwrap_or_default()}
             role={(!ghost).then_some("listitem")} aria-label={label} aria-hidden={ghost.then_some("true")}
             title={name}>
            <span class={classes!("chip", effect)}>
                { task_mark(task) }
                if let Some(p) = position { <small class="pos">{ p }</small> }
            </span>
        </div>
    }
}

/// Draws one mutex at the snapshot with at most `room` queue chips. `cycle_note` marks the
/// panel as part of a deadlock. With `jump` (fast playback) the one-step effects (a chip
/// joining, taking the guard, the ghost of a release or a cancel) are left out: they could
/// not be seen.
pub fn mutex_panel(
    loaded: &Loaded,
    snap: &Snapshot,
    mutex: MutexId,
    cycle_note: Option<String>,
    room: usize,
    jump: bool,
) -> Html {
    let scenario = &loaded.run.scenario;
    let Some(view) = snap.mutexes.get(mutex as usize) else { return html! {} };
    let name = mutex_name(scenario, mutex);
    let kind = scenario.mutexes.get(mutex as usize).map_or(MutexKind::Async, |m| m.kind);
    let kind_label = match kind {
        MutexKind::Async => "async Mutex (FIFO)".to_string(),
        MutexKind::Watch => "wake-on-write cell".into(),
        MutexKind::Blocking => "std::sync::Mutex (blocking)".into(),
        MutexKind::Barging => "barging Mutex (whoever asks first)".into(),
        MutexKind::Lifo => "LIFO Mutex (newest waiter next)".into(),
        MutexKind::EventuallyFair { after_ms } => format!("eventually fair Mutex (hand-off after {after_ms} ms)"),
        MutexKind::RwLock => "RwLock (FIFO)".into(),
        MutexKind::Semaphore { permits: 1 } => "Semaphore (1 permit)".into(),
        MutexKind::Semaphore { permits } => format!("Semaphore ({permits} permits)"),
    };
    let ch = if jump { StepChanges::default() } else { changes(loaded, snap.step, mutex) };
    // The guard's slot has a place per holder it can show; the queue starts after them and
    // gives up the room they take.
    let places = guard_places(kind);
    let extra = SLOT * (places as i32 - 1);
    let queue_x = QUEUE_X + extra;
    let room = room.saturating_sub(places - 1).clamp(1, MAX_CHIPS);
    let place_x = |k: usize| 10 + SLOT * k.min(places - 1) as i32;
    let mut chips: Vec<((TaskId, u8), Html)> = Vec::new();
    for (k, &h) in view.holders.iter().enumerate() {
        let class = if ch.acquired.contains(&h) { "took" } else { "" };
        chips.push(((h, 0), moving_chip(loaded, h, place_x(k), Chip::Holder, class)));
    }
    let stacked = view.holders.len().saturating_sub(places);
    for (i, &t) in view.queue.iter().take(room).enumerate() {
        let class = if ch.enqueued.contains(&t) { "joined" } else { "" };
        let x = queue_x + SLOT * i as i32;
        chips.push(((t, 0), moving_chip(loaded, t, x, Chip::Queued(i + 1), class)));
    }
    // A holder that let go fades from the first free place.
    for &t in &ch.released {
        if !view.holders.contains(&t) {
            chips.push(((t, 1), moving_chip(loaded, t, place_x(view.holders.len()), Chip::Released, "leaving")));
        }
    }
    for &t in &ch.cancelled {
        if !view.queue.contains(&t) {
            chips.push(((t, 2), moving_chip(loaded, t, queue_x, Chip::Cancelled, "leaving")));
        }
    }
    // A stable DOM order (by task): only `transform` changes, so the moves animate.
    chips.sort_by_key(|c| c.0);
    let more = view.queue.len().saturating_sub(room);
    let shown = view.queue.len().min(room) as i32;
    let width = queue_x + SLOT * shown + if more > 0 { MORE_W } else { 8 };
    let held = view.held_since.map(|since| snap.time.saturating_sub(since)).unwrap_or(0);
    let holder_text = match view.holders.as_slice() {
        [] => "free".to_string(),
        [h] => format!("held by {} for {held} ms", task_name(scenario, *h)),
        [first, .., last] if view.holders.len() > 3 => format!(
            "held by {}, …, {} ({} holders) for {held} ms",
            task_name(scenario, *first),
            task_name(scenario, *last),
            view.holders.len()
        ),
        [rest @ .., last] => format!(
            "held by {} and {} for {held} ms",
            rest.iter().map(|&h| task_name(scenario, h)).collect::<Vec<_>>().join(", "),
            task_name(scenario, *last)
        ),
    };
    let written_now = view.written_at.is_some_and(|w| w == snap.step && snap.step > 0);
    let queue_summary =
        if view.queue.is_empty() { "nobody waiting".to_string() } else { format!("{} waiting", view.queue.len()) };
    html! {
        <article class={classes!("mutex-panel", cycle_note.is_some().then_some("in-cycle"))}
                 data-testid="mutex-panel" data-mutex={name.clone()} aria-label={format!("mutex {name}")}>
            <header class="mutex-head">
                <h3>
                    <span class="lock-icon">
                        { super::palette::icon(if view.holders.is_empty() { "unlock" } else { "lock" }) }
                    </span>
                    { name.clone() }
                </h3>
                <span class="kind">{ kind_label }</span>
                // A semaphore guards no value.
                if kind.has_value() {
                    <span class="value-wrap">{ "value " }
                        <code key={format!("v{}", view.written_at.unwrap_or(u32::MAX))}
                              class={classes!("value", written_now.then_some("flash"))} data-testid="mutex-value">
                            { view.value.clone() }
                        </code>
                    </span>
                }
            </header>
            <div class="track-wrap">
                <div class="track" style={format!("width:{width}px")}>
                    <div class={classes!("lock-slot", (!view.holders.is_empty()).then_some("held"))} aria-hidden="true"
                         style={format!("width:{}px", GUARD_W + extra)}>
                        <span>{ if places > 1 { "guards" } else { "guard" } }</span>
                        if stacked > 0 {
                            <b class="guard-more" data-testid="guard-more">{ format!("+{stacked}") }</b>
                        }
                    </div>
                    <div class="queue-rail" aria-hidden="true" style={format!("left:{queue_x}px")}>
                        <span>{ "wait queue →" }</span>
                    </div>
                    <div class="chips" role="list" aria-label={format!("holder and wait queue of {name}")}>
                        { for chips.into_iter().map(|(_, h)| h) }
                    </div>
                    if more > 0 {
                        <span class="more" data-testid="queue-more"
                              style={format!("left:{}px", queue_x + SLOT * shown)}>
                            { format!("+{more}") }
                        </span>
                    }
                </div>
            </div>
            <p class="mutex-status">
                <span data-testid="holder-text">{ holder_text }</span>{ " · " }<span>{ queue_summary }</span>
                if !view.watchers.is_empty() {
                    { " · waiting for a write: " }
                    { for view.watchers.iter().map(|&t| html! {
                        <span class="inline-name">{ task_name(scenario, t) }{ " " }</span>
                    }) }
                }
            </p>
            if let Some(note) = cycle_note {
                <p class="cycle-note" role="note">{ note }</p>
            }
        </article>
    }
}
