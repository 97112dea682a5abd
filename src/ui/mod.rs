//! The Yew app (wasm32 only). Everything it draws comes from the engine's run.
//!
//! [`App`] holds the one reducer ([`state::Model`]) and lays out the page's parts, each a
//! component in its own module that takes only what it shows: `header`, `picker`,
//! `controls`, `stage` (the run at the playhead: `mutex_panel`, `tasks`, `log`, `timeline`,
//! `insights`, `scheduler`), `explorer` (every schedule, and forks), [`share`] and
//! `editor`; `narration` says the step at the playhead to screen readers. The browser
//! plumbing (animation frames, listeners, storage) is in [`hooks`], from the gloo crates.

mod app;
mod code_editor;
mod code_view;
mod compare;
mod controls;
mod editor;
mod embed_api;
mod explorer;
mod header;
pub mod hooks;
mod insights;
mod lesson;
mod log;
mod measure;
mod mutex_panel;
mod narration;
mod palette;
pub mod panic;
mod picker;
mod scheduler;
pub mod share;
mod stage;
pub mod state;
pub mod storage;
mod tasks;
mod timeline;

pub use app::App;
pub use code_editor::DEBOUNCE_MS;
pub use hooks::THEME_KEY;

/// Entry point of the binary: installs the panic banner and mounts [`App`] into `#app`.
pub fn start() {
    panic::install_hook();
    match gloo_utils::document().get_element_by_id("app") {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<App>::with_root(root).render();
        }
        None => panic!("the page has no #app element to mount into"),
    }
}
