//! Wrong on purpose: seed 004's lost wake-up, kept so the playground can show it.
//!
//! *Wake on Write* describes a `done()` future written with `poll_fn` that, on every poll,
//! makes a fresh `lock()` future, polls it once, and drops it:
//!
//! * if the lock is busy, the lock future did register the task's waker in the queue,
//!   but dropping it at the end of the poll takes it out again (that is what cancel
//!   safety means), so `Pending` is returned with **nobody** holding the waker;
//! * if the lock is free but the data is not ready yet (`f` returns `Pending`), the guard
//!   is dropped and `Pending` is returned, again with no wake-up arranged.
//!
//! Either way the task is never polled again: "if it doesn't succeed on the first try, it
//! will *never* succeed at all". The fix is [`WakeOnWrite`](super::WakeOnWrite): the
//! waiter's `Waker` is stored beside the data and woken by the write.

use super::{Mutex, Observer, Tag};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

/// Seed 004's `done()`: try-locks `mutex` inside `poll_fn` and applies `f` to the value;
/// returns `f`'s answer once it is `Ready`.
///
/// **This future is broken on purpose**: after any `Pending` it has arranged no wake-up,
/// so unless something unrelated happens to wake its task, it hangs forever.
///
/// Each poll is a fresh lock attempt on behalf of `tag`: it takes a free lock (`Taken`)
/// and releases it before the poll returns, whatever `f` said; or, if the lock is busy,
/// it queues (`Requested`, `Enqueued`) and leaves the queue again within the same poll
/// (`Cancelled`).
///
/// # Cancel safety
///
/// Cancel safe, trivially: between polls it holds neither the lock nor a place in the
/// queue (which is exactly its bug), so dropping it changes nothing.
///
/// # Examples
///
/// ```
/// use mutex_playground::sync::{broken::try_lock_in_poll_fn, Mutex, Tag};
/// use futures::FutureExt;
/// use std::task::Poll;
///
/// let outbox: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// let mut done = Box::pin(try_lock_in_poll_fn(&outbox, Tag(1), |v: &mut Vec<u32>| match v.pop() {
///     Some(x) => Poll::Ready(x),
///     None => Poll::Pending, // nothing yet, and nobody will tell us when there is
/// }));
/// assert_eq!(done.as_mut().now_or_never(), None);
/// futures::executor::block_on(outbox.lock()).push(7); // the write wakes no one
/// ```
pub fn try_lock_in_poll_fn<'a, T, O, R, F>(mutex: &'a Mutex<T, O>, tag: Tag, mut f: F) -> impl Future<Output = R> + 'a
where
    F: FnMut(&mut T) -> Poll<R> + 'a,
    T: 'a,
    O: Observer + 'a,
{
    poll_fn(move |cx| {
        let mut lock_future = pin!(mutex.lock_tagged(tag));
        match lock_future.as_mut().poll(cx) {
            // Locked: ask `f`. If it says Pending, the guard drops here: no wake-up.
            Poll::Ready(mut guard) => f(&mut guard),
            // Busy: the lock future is dropped at the end of this closure, and with it
            // our place (and our waker) in the queue.
            Poll::Pending => Poll::Pending,
        }
    })
}
