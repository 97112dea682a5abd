//! Mutex Playground: see how a FIFO-fair async [`Mutex`](sync::Mutex) schedules tasks.
//!
//! The crate is layered; each layer depends only on the ones above it in this list:
//!
//! * [`sync`]: the async `Mutex`, built on our own FIFO [`Semaphore`](sync::Semaphore),
//!   plus the wake-on-write cell. No web dependencies; checked with loom and Miri.
//! * [`exec`]: a deterministic single-threaded executor with a virtual clock.
//! * [`scenario`] and [`trace`]: what users configure, and what a run records and means.
//! * [`code`]: Rust in: a tokio program read into a scenario.
//! * [`share`]: share links (the scenario in the URL fragment) and exports of a run.
//! * `ui` (wasm32 only): the Yew app that draws the trace.
//!
//! See `ARCHITECTURE.md` for the map of the code and its invariants.
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod code;
pub mod exec;
pub mod lesson;
pub mod scenario;
pub mod share;
pub mod sync;
pub mod trace;

#[cfg(target_arch = "wasm32")]
pub mod ui;
