//! Shims so the same code runs on std and under loom (`RUSTFLAGS="--cfg loom"`): loom
//! then explores every interleaving of these atomics and this lock.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicU64, AtomicUsize, Ordering},
    Mutex as StdMutex, MutexGuard as StdMutexGuard,
};

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicU64, AtomicUsize, Ordering},
    Mutex as StdMutex, MutexGuard as StdMutexGuard,
};
