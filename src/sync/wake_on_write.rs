//! CONTRACT STUB - the sync helper replaces the bodies. Signatures are the contract.
use super::{Mutex, MutexGuard, Observer, OwnedMutexGuard, Tag};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A mutex-protected cell whose mutation is the notification (seed 004).
pub struct WakeOnWrite<T> {
    mutex: Mutex<T>,
}

pub struct WriteGuard<'a, T> {
    guard: MutexGuard<'a, T>,
}

pub struct OwnedWriteGuard<T> {
    guard: OwnedMutexGuard<T>,
}

impl<T> WakeOnWrite<T> {
    pub fn new(value: T) -> Self { WakeOnWrite { mutex: Mutex::new(value) } }
    pub fn with_observer(value: T, observer: Arc<dyn Observer>) -> Self { WakeOnWrite { mutex: Mutex::with_observer(value, observer) } }
    /// The underlying mutex (holder, queue, ...).
    pub fn mutex(&self) -> &Mutex<T> { &self.mutex }
    pub async fn lock_tagged(&self, tag: Tag) -> WriteGuard<'_, T> { WriteGuard { guard: self.mutex.lock_tagged(tag).await } }
    pub async fn lock_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedWriteGuard<T> { let _ = tag; todo!() }
    /// Completes after the next write (a dropped guard that was mutably dereferenced).
    pub async fn changed(&self, tag: Tag) { let _ = tag; todo!() }
    /// Locks, and returns the guard once `pred` holds; sleeps (registered beside the data) until a write otherwise.
    pub async fn wait_until<F: FnMut(&T) -> bool>(&self, tag: Tag, pred: F) -> WriteGuard<'_, T> { let _ = (tag, pred); todo!() }
    pub async fn wait_until_owned<F: FnMut(&T) -> bool>(self: Arc<Self>, tag: Tag, pred: F) -> OwnedWriteGuard<T> { let _ = (tag, pred); todo!() }
    /// Tags of tasks registered to be woken by the next write.
    pub fn watchers(&self) -> Vec<Tag> { todo!() }
}

impl<T> Deref for WriteGuard<'_, T> { type Target = T; fn deref(&self) -> &T { &self.guard } }
impl<T> DerefMut for WriteGuard<'_, T> { fn deref_mut(&mut self) -> &mut T { &mut self.guard } }
impl<T> Deref for OwnedWriteGuard<T> { type Target = T; fn deref(&self) -> &T { &self.guard } }
impl<T> DerefMut for OwnedWriteGuard<T> { fn deref_mut(&mut self) -> &mut T { &mut self.guard } }
