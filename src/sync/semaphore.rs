//! CONTRACT STUB - the sync helper replaces the bodies. Signatures are the contract.
use super::{Observer, Tag};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A strictly FIFO counting semaphore.
pub struct Semaphore {
    _todo: (),
}

/// `acquire` failed because the semaphore was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

/// Why `try_acquire` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryAcquireError {
    Closed,
    NoPermits,
}

/// One permit; released (handed to the head waiter) on drop.
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    tag: Tag,
}

/// Future returned by [`Semaphore::acquire`].
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    tag: Tag,
}

impl Semaphore {
    pub fn new(permits: usize) -> Self { let _ = permits; todo!() }
    pub fn with_observer(permits: usize, observer: Arc<dyn Observer>) -> Self { let _ = (permits, observer); todo!() }
    pub fn acquire(&self) -> Acquire<'_> { self.acquire_tagged(Tag::UNTAGGED) }
    pub fn acquire_tagged(&self, tag: Tag) -> Acquire<'_> { Acquire { sem: self, tag } }
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> { self.try_acquire_tagged(Tag::UNTAGGED) }
    pub fn try_acquire_tagged(&self, tag: Tag) -> Result<SemaphorePermit<'_>, TryAcquireError> { let _ = tag; todo!() }
    pub fn add_permits(&self, n: usize) { let _ = n; todo!() }
    pub fn available_permits(&self) -> usize { todo!() }
    pub fn close(&self) { todo!() }
    pub fn is_closed(&self) -> bool { todo!() }
    /// Tags of the queued waiters, head first.
    pub fn waiters(&self) -> Vec<Tag> { todo!() }
}

impl SemaphorePermit<'_> {
    pub fn tag(&self) -> Tag { let _ = self.sem; self.tag }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> { let _ = (self.sem, self.tag); todo!() }
}
