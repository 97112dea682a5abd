//! The Yew app (wasm32 only). Everything it draws comes from the engine's run.

mod app;
mod editor;
mod log;
mod measure;
mod mutex_panel;
mod palette;
pub mod panic;
pub mod share;
pub mod state;
mod timeline;
mod views;

pub use app::{App, THEME_KEY};

/// Entry point of the binary: installs the panic banner and mounts [`App`] into `#app`.
pub fn start() {
    panic::install_hook();
    let document = web_sys::window().and_then(|w| w.document());
    let root = document.as_ref().and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<App>::with_root(root).render();
        }
        None => panic!("the page has no #app element to mount into"),
    }
}
