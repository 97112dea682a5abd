//! Running a scenario in real time, on someone else's executor.
//!
//! [`simulate`](super::simulate) runs a scenario on our deterministic executor, as fast as
//! it can, and records everything. This module runs *the same task futures* (the same
//! interpreter, the same [`Mutex`](crate::sync::Mutex)es and cells) on a real executor
//! with real timers, the way the seeds' programs ran: in the browser,
//! `wasm_bindgen_futures::spawn_local` and `gloo_timers` ([`run_realtime`], wasm32 only);
//! anywhere, whatever `spawn` and `sleep` you pass to [`drive_realtime`].
//!
//! The virtual [`Clock`] still tells the tasks what time it is; the driver moves it from
//! timer to timer, sleeping for real (`time_scale` real ms per virtual ms) in between.
//! The result is the transcript, which for the presets matches `simulate` under
//! `Policy::Fifo`: a spawn-local executor runs woken tasks in wake order, as ours does.

use crate::exec::{BoxFuture, Budget, Clock, EventKind, Sink};
use crate::scenario::program;
use crate::scenario::{Scenario, ScenarioError};
use futures::FutureExt;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Shared between the driver and the tasks it spawned.
struct Shared {
    /// Work so far (polls and steps, all tasks), for the limits; halted by the tasks
    /// themselves on a stall, a runaway loop or a full trace.
    budget: Rc<Budget>,
    /// The run's sink: what a poll starts from, for the bytes-per-poll limit.
    sink: std::sync::Arc<Sink>,
    /// Set when the driver stops: a task polled after this ends at once.
    stopped: Cell<bool>,
    finished: Cell<usize>,
}

/// A task future that counts its polls and ends when the driver stops (or the step limit
/// is reached): a runaway scenario cannot keep a single-threaded page busy forever.
struct Counted {
    task: Option<BoxFuture>,
    shared: Rc<Shared>,
}

impl Future for Counted {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let shared = self.shared.clone();
        let budget = &shared.budget;
        if shared.stopped.get() || budget.halted().is_some() || budget.work() >= budget.max_work() {
            shared.stopped.set(true);
            self.task = None; // drops its guards
            return Poll::Ready(());
        }
        budget.start_poll(shared.sink.text_bytes());
        let Some(task) = self.task.as_mut() else { return Poll::Ready(()) };
        match task.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.task = None;
                shared.finished.set(shared.finished.get() + 1);
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Runs `scenario` in real time: each task is handed to `spawn` once, and the driver
/// waits with `sleep` between timers. Returns the transcript (printed lines, `dbg!`'s
/// multi-line output split into lines), like [`Run::transcript_text`](super::Run::transcript_text).
///
/// `time_scale` is real milliseconds per virtual millisecond: `1.0` is real time (the
/// reader/writer preset then takes 3.5 s), `0.1` is ten times faster, `0.0` as fast as
/// the executor goes.
///
/// The run stops when every task is done; when nothing is left to wake anyone (a
/// deadlock or a lost wake-up: the tasks are left pending, never polled again); when a
/// blocking mutex stalls (a real one would freeze the thread; this driver stops
/// instead); at the scenario's limits (virtual time, and work counted over all tasks);
/// or when a task runs too long without yielding or the recorded output grows too big.
///
/// `spawn` must run the futures on the current thread (they are `!Send`), and wake-ups
/// must reach them; `sleep(Duration::ZERO)` must let every task that is ready run
/// before it completes (a zero-delay `setTimeout` does: spawn-local tasks run as
/// microtasks first).
///
/// When it returns, every task still pending is left as it is: a task polled after that
/// ends at once (dropping the guards it held), and one that is never woken again stays
/// with `spawn`'s executor until that drops it.
///
/// # Errors
///
/// The scenario's [`ScenarioError`] if it does not validate, or one at `time_scale` if
/// that is not a finite number from 0 to 1000. Nothing is spawned then.
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future stops the driver, not the run. Before its first
/// poll nothing has happened. After it, the tasks were already handed to `spawn`, and the
/// transcript is lost. Tasks woken by each other (a hand-over of a lock, a write, a
/// yield) keep running on `spawn`'s executor, still bounded by the scenario's work limit,
/// but virtual time no longer moves: the timers are never fired, so a task that sleeps
/// never wakes, and stays pending, with whatever guards it holds, until `spawn`'s
/// executor drops it.
pub async fn drive_realtime<Sp, Sl, F>(
    scenario: &Scenario,
    time_scale: f64,
    mut spawn: Sp,
    sleep: Sl,
) -> Result<Vec<String>, ScenarioError>
where
    Sp: FnMut(BoxFuture),
    Sl: Fn(Duration) -> F,
    F: Future<Output = ()>,
{
    scenario.validate()?;
    if !time_scale.is_finite() || !(0.0..=1000.0).contains(&time_scale) {
        return Err(ScenarioError::new("time_scale", format!("{time_scale} is not a time scale from 0 to 1000")));
    }
    let sink = Sink::new();
    let clock = Clock::new();
    let prog = program::build(scenario, &clock, &sink, program::TraceRoom::default());
    let budget = prog.budget.clone();
    let shared = Rc::new(Shared {
        budget: budget.clone(),
        sink: sink.clone(),
        stopped: Cell::new(false),
        finished: Cell::new(0),
    });
    let count = prog.tasks.len();
    for (task, _label) in prog.tasks {
        spawn(Counted { task: Some(task), shared: shared.clone() }.boxed_local());
    }
    // Let everything that is ready run: until a zero sleep records no new events.
    let settle = || async {
        loop {
            let before = sink.event_count();
            sleep(Duration::ZERO).await;
            if sink.event_count() == before {
                break;
            }
        }
    };
    loop {
        settle().await;
        if shared.finished.get() == count
            || shared.stopped.get()
            || budget.halted().is_some()
            || clock.now() > scenario.limits.max_time_ms
        {
            break;
        }
        let Some(deadline) = clock.next_deadline() else { break }; // nobody left to wake anyone
        let wait = deadline.saturating_sub(clock.now()) as f64 * time_scale;
        if wait > 0.0 {
            sleep(Duration::from_secs_f64(wait / 1000.0)).await;
        }
        for waker in clock.fire_next() {
            waker.wake();
        }
        // The events from here on are stamped with the new time, and an eventually fair
        // lock measures its waiters' waits by it.
        sink.set_time(clock.now());
    }
    shared.stopped.set(true);
    drop(prog.mutexes);
    let tables = sink.take();
    let mut out = Vec::new();
    for e in &tables.events {
        if let EventKind::Print { line, .. } = e.kind {
            out.extend(tables.lines.get(line as usize).map_or("", String::as_str).split('\n').map(str::to_string));
        }
    }
    Ok(out)
}

/// In the browser: runs `scenario` in real time on `wasm_bindgen_futures::spawn_local`
/// with `gloo_timers` sleeps, and returns its transcript. See [`drive_realtime`].
///
/// # Errors
///
/// As [`drive_realtime`].
///
/// # Cancel safety
///
/// Not cancel safe, as [`drive_realtime`]: dropping the future stops the clock, and the
/// tasks already spawned with `spawn_local` run on only as far as they wake each other.
///
/// # Examples
///
/// ```ignore
/// let preset = mutex_playground::scenario::preset("reader-writer").unwrap();
/// let lines = mutex_playground::trace::run_realtime(&preset.scenario, 0.1).await?;
/// assert_eq!(lines[0], "->read-guard");
/// ```
#[cfg(target_arch = "wasm32")]
pub async fn run_realtime(scenario: &Scenario, time_scale: f64) -> Result<Vec<String>, ScenarioError> {
    drive_realtime(scenario, time_scale, wasm_bindgen_futures::spawn_local, gloo_timers::future::sleep).await
}
