//! The executor the playground runs scenarios on: single-threaded, deterministic, with a
//! virtual clock.
//!
//! * [`Executor`]: spawn tasks, [`step`](Executor::step) one poll at a time, pick the next
//!   ready task by a [`Policy`] (FIFO, seeded random, or manual), record every choice.
//! * [`Budget`]: work counted per step executed (not per poll), so no scenario can run
//!   forever inside one poll; a limit *halts* the run with a [`Halt`] reason.
//! * [`Clock`]: virtual milliseconds and timers; when nothing is ready the clock jumps to
//!   the next timer.
//! * [`event`]: the vocabulary of a run ([`Event`]) and the [`Sink`] it is written to.
//!
//! Nothing here knows about scenarios or the web: it runs natively and in the browser.

mod budget;
mod clock;
pub mod event;
mod executor;

pub use budget::{Budget, Halt};
pub use clock::{Clock, Sleep};
pub use event::{Event, EventKind, MutexId, MutexObserver, Sink, TaskId, WokenBy};
pub use executor::{BoxFuture, Executor, Policy, RunLimits, StepOutcome, Stop};

/// A future that returns `Pending` once after waking its own task: lets the others run.
///
/// On our executor the task goes to the back of the ready queue (woken by itself, see
/// [`WokenBy::Task`]), so under `Policy::Fifo` every task that was ready runs before it
/// does again.
///
/// # Cancel safety
///
/// Cancel safe: it holds nothing. Dropped after its first poll, it leaves only the wake
/// it already sent, so the task is polled once more.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}
