//! CONTRACT STUB - the sync helper replaces the bodies. Signatures are the contract.
use super::{Observer, Tag};
use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A FIFO-fair async mutex.
pub struct Mutex<T: ?Sized> {
    data: UnsafeCell<T>,
}

pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
}

pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
}

/// `try_lock` found the lock held, or other tasks queued for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(());

impl<T> Mutex<T> {
    pub fn new(value: T) -> Self { Mutex { data: UnsafeCell::new(value) } }
    pub fn with_observer(value: T, observer: Arc<dyn Observer>) -> Self { let _ = observer; Self::new(value) }
    pub fn into_inner(self) -> T { self.data.into_inner() }
}

impl<T: ?Sized> Mutex<T> {
    pub async fn lock(&self) -> MutexGuard<'_, T> { self.lock_tagged(Tag::UNTAGGED).await }
    pub async fn lock_tagged(&self, tag: Tag) -> MutexGuard<'_, T> { let _ = tag; todo!() }
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> { self.try_lock_tagged(Tag::UNTAGGED) }
    pub fn try_lock_tagged(&self, tag: Tag) -> Result<MutexGuard<'_, T>, TryLockError> { let _ = tag; todo!() }
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> { self.lock_owned_tagged(Tag::UNTAGGED).await }
    pub async fn lock_owned_tagged(self: Arc<Self>, tag: Tag) -> OwnedMutexGuard<T> { let _ = tag; todo!() }
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> { self.try_lock_owned_tagged(Tag::UNTAGGED) }
    pub fn try_lock_owned_tagged(self: Arc<Self>, tag: Tag) -> Result<OwnedMutexGuard<T>, TryLockError> { let _ = tag; todo!() }
    pub fn get_mut(&mut self) -> &mut T { self.data.get_mut() }
    /// Tag of the current holder (the waiter it was handed to counts as holder).
    pub fn holder(&self) -> Option<Tag> { todo!() }
    /// Tags of queued waiters, head first.
    pub fn waiters(&self) -> Vec<Tag> { todo!() }
    pub fn is_locked(&self) -> bool { todo!() }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T { let _ = self.lock; todo!() }
}
impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T { todo!() }
}
impl<T: ?Sized> OwnedMutexGuard<T> {
    pub fn mutex(&self) -> &Arc<Mutex<T>> { &self.lock }
}
impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T { todo!() }
}
impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T { todo!() }
}
