//! CONTRACT STUB - the sync helper replaces the bodies. Signatures are the contract.
use super::{Mutex, Tag};
use std::future::Future;
use std::task::Poll;

/// Seed 004's `done()`: a `poll_fn` that makes a fresh `lock()` future on every poll, polls
/// it once, and drops it; if the lock is taken but `f` says "not yet", it returns `Pending`
/// without arranging a wake-up. It hangs forever unless something else happens to wake it.
pub fn try_lock_in_poll_fn<'a, T, R, F>(mutex: &'a Mutex<T>, tag: Tag, f: F) -> impl Future<Output = R> + 'a
where
    F: FnMut(&mut T) -> Poll<R> + 'a,
    T: 'a,
{
    let _ = (mutex, tag, f);
    async { todo!() }
}
